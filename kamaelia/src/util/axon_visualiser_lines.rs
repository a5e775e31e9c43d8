//! AxonVisualiserLines: turns an [`Introspector`](super::Introspector)'s typed topology changes
//! into the text lines Kamaelia's AxonVisualiser understood (Kamaelia: the text output of
//! `Axon.Introspector.Introspector`, read by `Kamaelia.Visualisation.Axon.AxonVisualiserServer`
//! and `Kamaelia.Visualisation.PhysicsGraph.TopologyViewer`).
//!
//! `Pipeline::new(Introspector::new()).then(AxonVisualiserLines::new()).then(ConsoleEchoer::new())`
//! prints the live topology as text; sent to a TCP connection instead, it can drive a Kamaelia
//! AxonVisualiser. As in Kamaelia, components and their boxes are all nodes of one graph: a
//! box is linked from the component that owns it, and a link between two boxes is a link
//! between their nodes.
//!
//! The first line, sent as soon as it starts, is `DEL ALL`, so the receiver starts from nothing.
//! Then each change becomes lines as follows (every line is one message and ends with `\n`):
//!
//! | change | lines |
//! |---|---|
//! | [`AddNode`](TopologyChange::AddNode) | `ADD NODE <id> <name> randompos component` |
//! | [`AddBox`](TopologyChange::AddBox) | `ADD NODE <id>.i.<box> <box> randompos inbox` (`.o.` and `outbox` for an outbox), then `ADD LINK <id> <id>.i.<box>` |
//! | [`AddLink`](TopologyChange::AddLink) | `ADD LINK <box node> <box node>` |
//! | [`DelLink`](TopologyChange::DelLink) | `DEL LINK <box node> <box node>` |
//! | [`DelBox`](TopologyChange::DelBox) | `DEL NODE <box node>` |
//! | [`DelNode`](TopologyChange::DelNode) | `DEL NODE <id>` |
//! | [`State`](TopologyChange::State) | nothing (the format has no notion of state) |
//!
//! `<id>` is the component's number. A token that is empty, holds white space or a control
//! character, or holds or starts with a quote mark or a backslash is written in double quotes,
//! with `\` and `"` escaped by a backslash, as Kamaelia's `lines_to_tokenlists` reads them;
//! line breaks and other control characters in names become spaces so a line stays one line.
//! Links to or from a box owned by no component (a test's `Inbox`) have no node to point at and
//! give no line.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::{AxonVisualiserLines, Introspector};
//!
//! let mut system = System::deterministic();
//! let introspector = Introspector::new().without_states();
//! let lines = AxonVisualiserLines::new();
//! let mut text = Inbox::new();
//! let mut stop = Outbox::new();
//! axon::link(&introspector.outbox, &lines.inbox).unwrap();
//! axon::link(&introspector.signal, &lines.control).unwrap();
//! axon::link(&lines.outbox, &text).unwrap();
//! axon::link(&stop, &introspector.control).unwrap();
//! system.spawn(introspector);
//! system.spawn(lines);
//! system.run_until_idle();
//! assert_eq!(text.try_recv().unwrap(), "DEL ALL\n");
//! assert_eq!(text.try_recv().unwrap(), "ADD NODE 1 Introspector#1 randompos component\n");
//! assert_eq!(text.try_recv().unwrap(), "ADD NODE 1.i.inbox inbox randompos inbox\n");
//! assert_eq!(text.try_recv().unwrap(), "ADD LINK 1 1.i.inbox\n");
//! stop.try_send(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`TopologyChange`] | changes, from an [`Introspector`](super::Introspector) |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `String` | the lines, one per message, each ending with `\n` |
//! | `signal` | [`Control`] | the stop request, passed on when it ends |
//!
//! # Parameters
//!
//! None. [`AxonVisualiserLines::lines`] gives the lines of one change without a component.
//!
//! # Shutdown
//!
//! * `ProducerFinished`: the changes already waiting are turned into lines and sent, then
//!   `ProducerFinished` goes on `signal` and it ends.
//! * `Shutdown` or `Failed` (looked at first, also while a send waits for room): it ends at
//!   once, without turning what waits into lines, and passes the message on `signal`.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself.
//!   It holds no partial state.

use axon::{
    next_batch, Batch, Boxes, Component, ComponentId, Context, Control, Direction, Error, Inbox,
    Outbox,
};

use super::introspector::{LinkEnd, TopologyChange};
use crate::support::{gone, pass_on};
use crate::util::sources::{send_watching, Sent};

/// Most changes turned into lines at once.
const BATCH: usize = 64;

/// Turns topology changes into AxonVisualiser text lines. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct AxonVisualiserLines {
    /// Changes, from an `Introspector`.
    pub inbox: Inbox<TopologyChange>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// The lines, one per message, each ending with `\n`.
    pub outbox: Outbox<String>,
    /// The stop request, passed on when it ends.
    pub signal: Outbox<Control>,
}

impl AxonVisualiserLines {
    /// A converter.
    pub fn new() -> Self {
        AxonVisualiserLines {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }

    /// The lines (each ending with `\n`) for one change; see the table in the
    /// [module docs](self).
    ///
    /// ```
    /// use axon::Direction;
    /// use kamaelia::util::{AxonVisualiserLines, LinkEnd, TopologyChange};
    /// # let mut system = axon::System::deterministic();
    /// # let id = system.spawn(kamaelia::util::Introspector::new());
    /// let change = TopologyChange::DelLink {
    ///     from: LinkEnd { component: Some(id), name: "outbox".into(), direction: Direction::Outbox },
    ///     to: LinkEnd { component: Some(id), name: "my box".into(), direction: Direction::Inbox },
    /// };
    /// assert_eq!(AxonVisualiserLines::lines(&change), ["DEL LINK 1.o.outbox \"1.i.my box\"\n"]);
    /// ```
    pub fn lines(change: &TopologyChange) -> Vec<String> {
        match change {
            TopologyChange::AddNode { id, name, .. } => {
                vec![format!(
                    "ADD NODE {} {} randompos component\n",
                    id.get(),
                    token(name)
                )]
            }
            TopologyChange::AddBox {
                component,
                name,
                direction,
            } => {
                let node = box_node(*component, name, *direction);
                vec![
                    format!("ADD NODE {node} {} randompos {direction}\n", token(name)),
                    format!("ADD LINK {} {node}\n", component.get()),
                ]
            }
            TopologyChange::AddLink { from, to } => link_line("ADD", from, to),
            TopologyChange::DelLink { from, to } => link_line("DEL", from, to),
            TopologyChange::DelBox {
                component,
                name,
                direction,
            } => vec![format!(
                "DEL NODE {}\n",
                box_node(*component, name, *direction)
            )],
            TopologyChange::DelNode { id } => vec![format!("DEL NODE {}\n", id.get())],
            TopologyChange::State { .. } => Vec::new(),
        }
    }
}

impl Default for AxonVisualiserLines {
    fn default() -> Self {
        Self::new()
    }
}

/// The node of a box: `<id>.i.<name>` or `<id>.o.<name>`, quoted if need be.
fn box_node(component: ComponentId, name: &str, direction: Direction) -> String {
    let io = match direction {
        Direction::Inbox => "i",
        Direction::Outbox => "o",
    };
    token(&format!("{}.{io}.{name}", component.get()))
}

/// `ADD LINK a b` / `DEL LINK a b`, or nothing when an end has no node.
fn link_line(verb: &str, from: &LinkEnd, to: &LinkEnd) -> Vec<String> {
    match (from.component, to.component) {
        (Some(f), Some(t)) => vec![format!(
            "{verb} LINK {} {}\n",
            box_node(f, &from.name, from.direction),
            box_node(t, &to.name, to.direction)
        )],
        _ => Vec::new(),
    }
}

/// One token as `lines_to_tokenlists` reads it: bare if it can be, else double-quoted with `\`
/// and `"` escaped. Control characters become spaces.
fn token(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let bare = !text.is_empty()
        && !text.starts_with('\'')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\\');
    if bare {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl Component for AxonVisualiserLines {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut changes = Vec::with_capacity(BATCH);
        let mut lines = vec!["DEL ALL\n".to_string()];
        let mut finished = false;
        loop {
            match send_watching(
                &mut self.outbox,
                &mut self.control,
                &mut lines,
                &mut finished,
            )
            .await
            {
                Ok(Sent::All) => {}
                Ok(Sent::Stopped(c)) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
                Err(_) => return Err(gone(&ctx.name(), "outbox")),
            }
            if finished {
                if self.inbox.recv_many(&mut changes, BATCH) == 0 {
                    pass_on(&mut self.signal, Control::ProducerFinished).await;
                    return Ok(());
                }
            } else {
                match next_batch(&mut self.control, &mut self.inbox, &mut changes, BATCH).await {
                    Batch::Messages(_) => {}
                    Batch::Control(c) if c.is_producer_finished() => {
                        finished = true;
                        continue;
                    }
                    Batch::Control(c) => {
                        pass_on(&mut self.signal, c).await;
                        return Ok(());
                    }
                }
            }
            lines.extend(changes.drain(..).flat_map(|c| Self::lines(&c)));
        }
    }
}

crate::impl_stage!([] AxonVisualiserLines, TopologyChange => String);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "AxonVisualiserLines",
        "Axon.Introspector.Introspector",
        Family::Util,
        "Turns an Introspector's topology changes into the ADD/DEL NODE/LINK text lines Kamaelia's AxonVisualiser and TopologyViewer read.",
        axon::box_infos(&AxonVisualiserLines::new()),
    )
});
