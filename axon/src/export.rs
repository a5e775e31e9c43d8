//! Exports of a [`Snapshot`]: Graphviz DOT ([`Snapshot::to_dot`]), Mermaid
//! ([`Snapshot::to_mermaid`]), and message rates between two snapshots
//! ([`Snapshot::rates_since`]).
//!
//! Both drawings show the same picture: every live component is a box labelled with its name,
//! its type and what it is doing; a component with children is drawn as a frame (DOT
//! `subgraph cluster_<id>`, Mermaid `subgraph`) holding itself and its children, nested as deep
//! as the system is; every link is an arrow from the component owning the source box to the one
//! owning the destination box, labelled `outbox → inbox [depth/capacity]` with the destination
//! box's figures (`∞` for an unbounded box). Boxes owned by plain code rather than a component
//! (a test's `Inbox`, a bridge) are drawn as one extra node per kind, `(unregistered inbox)`.
//! Output is deterministic: components in id order, links in [`Snapshot::links`] order.
//!
//! ```
//! use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
//! # #[derive(Boxes, Default)]
//! # struct Idle { /// in
//! #   inbox: Inbox<u8>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<u8> }
//! # impl Component for Idle {
//! #   async fn run(mut self, _ctx: Context) -> Result<(), Error> { self.control.recv().await; Ok(()) }
//! # }
//! let mut system = System::deterministic();
//! let (a, b) = (system.adopt(Idle::default()), system.adopt(Idle::default()));
//! axon::link(&a.outbox, &b.inbox).unwrap();
//! system.activate(a);
//! system.activate(b);
//! system.run_until_idle();
//! let dot = system.snapshot().to_dot(); // render with: dot -Tsvg system.dot > system.svg
//! assert!(dot.contains("n1 -> n2 [label=\"outbox → inbox [0/128]\"];")); // depth/capacity
//! let mermaid = system.snapshot().to_mermaid();
//! assert!(mermaid.contains("n1 -->|\"outbox → inbox [0/128]\"| n2"));
//! ```
//!
//! Rates: take two snapshots some time apart and ask the later one for
//! [`rates_since`](Snapshot::rates_since) the earlier one. Each box's rate is how many messages
//! entered (and left) it per second between the two [`taken_at`](Snapshot::taken_at) times; a
//! link's rate is its source box's ([`Rates::link`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write};
use std::time::Duration;

use crate::boxes::meta::Direction;
use crate::model::{
    BoxAddress, BoxSnapshot, ComponentId, ComponentSnapshot, ComponentState, LinkSnapshot, Snapshot,
};

/// Longest failure text shown in a drawing's label, in characters.
const LABEL_TEXT: usize = 80;

impl Snapshot {
    /// The system as a Graphviz DOT digraph (see the [module docs](crate::export)). Render it
    /// with `dot -Tsvg system.dot > system.svg`.
    pub fn to_dot(&self) -> String {
        let layout = Layout::new(self);
        let mut out = String::from(
            "digraph axon {\n  rankdir=LR;\n  node [shape=box];\n  edge [fontsize=10];\n",
        );
        for &root in &layout.roots {
            layout.dot_component(&mut out, root, 1);
        }
        for (id, label) in layout.missing() {
            writeln!(
                out,
                "  n{} [label=\"{}\", style=dashed];",
                id.0,
                dot(&label)
            )
            .ok();
        }
        for (k, name) in layout.outside.iter().enumerate() {
            writeln!(out, "  ext{k} [label=\"{}\", shape=plain];", dot(name)).ok();
        }
        for link in &self.links {
            writeln!(
                out,
                "  {} -> {} [label=\"{}\"];",
                layout.node(&link.from),
                layout.node(&link.to),
                dot(&layout.link_label(link))
            )
            .ok();
        }
        out.push_str("}\n");
        out
    }

    /// The system as a Mermaid flowchart (see the [module docs](crate::export)); paste it into a
    /// ```` ```mermaid ```` block of a Markdown file.
    pub fn to_mermaid(&self) -> String {
        let layout = Layout::new(self);
        let mut out = String::from("flowchart LR\n");
        for &root in &layout.roots {
            layout.mermaid_component(&mut out, root, 1);
        }
        for (id, label) in layout.missing() {
            writeln!(out, "  n{}[\"{}\"]", id.0, mermaid(&label)).ok();
        }
        for (k, name) in layout.outside.iter().enumerate() {
            writeln!(out, "  ext{k}([\"{}\"])", mermaid(name)).ok();
        }
        for link in &self.links {
            writeln!(
                out,
                "  {} -->|\"{}\"| {}",
                layout.node(&link.from),
                mermaid(&layout.link_label(link)),
                layout.node(&link.to)
            )
            .ok();
        }
        out
    }

    /// Message rates of every box between `earlier` and this snapshot, over the time between
    /// their [`taken_at`](Snapshot::taken_at) (virtual time on a deterministic system).
    ///
    /// Boxes are matched by component id, direction and name; a box missing from `earlier` (or
    /// whose counters went backwards, a new box of the same name) counts from zero. When no
    /// time passed between the two (or `earlier` is the later one) every rate is zero.
    pub fn rates_since(&self, earlier: &Snapshot) -> Rates {
        let elapsed = self.taken_at.saturating_sub(earlier.taken_at);
        let before: BTreeMap<(ComponentId, bool, &str), &BoxSnapshot> = earlier
            .components
            .iter()
            .flat_map(|c| c.boxes.iter().map(move |b| (box_key(c.id, b), b)))
            .collect();
        let secs = elapsed.as_secs_f64();
        let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let delta = |now: u64, then: Option<u64>| match then {
            Some(t) if t <= now => now - t,
            _ => now,
        };
        let mut boxes = Vec::new();
        for c in &self.components {
            for b in &c.boxes {
                let then = before.get(&box_key(c.id, b));
                let messages_in = delta(b.stats.messages_in, then.map(|t| t.stats.messages_in));
                let messages_out = delta(b.stats.messages_out, then.map(|t| t.stats.messages_out));
                boxes.push(BoxRate {
                    component: c.id,
                    owner: c.name.clone(),
                    name: b.info.name.to_string(),
                    direction: b.info.direction,
                    depth: b.stats.depth,
                    capacity: b.stats.capacity,
                    messages_in,
                    messages_out,
                    in_per_sec: per_sec(messages_in),
                    out_per_sec: per_sec(messages_out),
                });
            }
        }
        Rates { elapsed, boxes }
    }
}

fn box_key(id: ComponentId, b: &BoxSnapshot) -> (ComponentId, bool, &str) {
    (id, b.info.direction == Direction::Outbox, &b.info.name)
}

/// Message rates of every box between two snapshots, from [`Snapshot::rates_since`].
/// `Display` prints one line per box.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// The time between the two snapshots.
    pub elapsed: Duration,
    /// One entry per box of every component live in the later snapshot, in component id order
    /// and each component's box order.
    pub boxes: Vec<BoxRate>,
}

impl Rates {
    /// The figures of box `name` of `component` (an outbox if it has both of that name).
    pub fn get(&self, component: ComponentId, name: &str) -> Option<&BoxRate> {
        self.boxes
            .iter()
            .filter(|b| b.component == component && b.name == name)
            .min_by_key(|b| b.direction != Direction::Outbox)
    }

    /// The figures of a link: those of its source box (for an outbox, `messages_in` counts what
    /// was sent on it).
    pub fn link(&self, link: &LinkSnapshot) -> Option<&BoxRate> {
        let component = link.from.component?;
        self.boxes
            .iter()
            .filter(|b| b.component == component && b.name == link.from.name)
            .min_by_key(|b| b.direction != Direction::Outbox)
    }
}

impl fmt::Display for Rates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.boxes {
            writeln!(f, "{b}")?;
        }
        Ok(())
    }
}

/// One box's figures in [`Rates`].
#[derive(Debug, Clone, PartialEq)]
pub struct BoxRate {
    /// The owning component.
    pub component: ComponentId,
    /// The owning component's name.
    pub owner: String,
    /// The box name.
    pub name: String,
    /// Inbox or outbox.
    pub direction: Direction,
    /// Messages waiting in it at the later snapshot.
    pub depth: usize,
    /// Its capacity (`None`: unbounded).
    pub capacity: Option<usize>,
    /// Messages that entered it between the two snapshots.
    pub messages_in: u64,
    /// Messages that left it between the two snapshots.
    pub messages_out: u64,
    /// `messages_in` per second.
    pub in_per_sec: f64,
    /// `messages_out` per second.
    pub out_per_sec: f64,
}

impl fmt::Display for BoxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} ({}): {:.1} in/s, {:.1} out/s, depth {}/{}",
            self.owner,
            self.name,
            self.direction,
            self.in_per_sec,
            self.out_per_sec,
            self.depth,
            capacity(self.capacity)
        )
    }
}

fn capacity(c: Option<usize>) -> String {
    c.map_or_else(|| "∞".to_string(), |c| c.to_string())
}

/// The nesting of a snapshot's components, shared by both drawings.
struct Layout<'a> {
    snap: &'a Snapshot,
    by_id: BTreeMap<ComponentId, &'a ComponentSnapshot>,
    children: BTreeMap<ComponentId, Vec<ComponentId>>,
    roots: Vec<ComponentId>,
    /// Names of the ownerless boxes links lead to (`(unregistered inbox)`), sorted.
    outside: Vec<String>,
}

impl<'a> Layout<'a> {
    fn new(snap: &'a Snapshot) -> Self {
        let by_id: BTreeMap<_, _> = snap.components.iter().map(|c| (c.id, c)).collect();
        let mut children: BTreeMap<ComponentId, Vec<ComponentId>> = BTreeMap::new();
        let mut roots = Vec::new();
        for c in by_id.values() {
            match c.parent.filter(|p| by_id.contains_key(p)) {
                Some(p) => children.entry(p).or_default().push(c.id),
                None => roots.push(c.id),
            }
        }
        let outside: BTreeSet<String> = snap
            .links
            .iter()
            .flat_map(|l| [&l.from, &l.to])
            .filter(|a| a.component.is_none())
            .map(|a| a.name.clone())
            .collect();
        Layout {
            snap,
            by_id,
            children,
            roots,
            outside: outside.into_iter().collect(),
        }
    }

    /// Components links name that are no longer live, with a label for each.
    fn missing(&self) -> Vec<(ComponentId, String)> {
        let ids: BTreeSet<ComponentId> = self
            .snap
            .links
            .iter()
            .flat_map(|l| [l.from.component, l.to.component])
            .flatten()
            .filter(|id| !self.by_id.contains_key(id))
            .collect();
        ids.into_iter()
            .map(|id| {
                let label = match self.snap.ended.iter().rev().find(|c| c.id == id) {
                    Some(c) => label_lines(c).join("\n"),
                    None => format!("{id}\n(gone)"),
                };
                (id, label)
            })
            .collect()
    }

    /// The node id an address is drawn at.
    fn node(&self, a: &BoxAddress) -> String {
        match a.component {
            Some(id) => format!("n{}", id.0),
            None => {
                let k = self.outside.iter().position(|n| *n == a.name).unwrap_or(0);
                format!("ext{k}")
            }
        }
    }

    /// `outbox → inbox [depth/capacity]`, with the destination box's figures when it is known.
    fn link_label(&self, link: &LinkSnapshot) -> String {
        let figures = link
            .to
            .component
            .and_then(|id| self.by_id.get(&id))
            .and_then(|c| c.boxes.iter().find(|b| b.info.name == link.to.name))
            .map(|b| format!(" [{}/{}]", b.stats.depth, capacity(b.stats.capacity)))
            .unwrap_or_default();
        format!("{} → {}{figures}", link.from.name, link.to.name)
    }

    fn dot_component(&self, out: &mut String, id: ComponentId, depth: usize) {
        let c = self.by_id[&id];
        let pad = "  ".repeat(depth);
        let node = format!("n{} [label=\"{}\"];", id.0, dot(&label_lines(c).join("\n")));
        match self.children.get(&id) {
            None => {
                writeln!(out, "{pad}{node}").ok();
            }
            Some(kids) => {
                writeln!(out, "{pad}subgraph cluster_{} {{", id.0).ok();
                writeln!(out, "{pad}  label=\"{}\";", dot(&c.name)).ok();
                writeln!(out, "{pad}  {node}").ok();
                for &kid in kids {
                    self.dot_component(out, kid, depth + 1);
                }
                writeln!(out, "{pad}}}").ok();
            }
        }
    }

    fn mermaid_component(&self, out: &mut String, id: ComponentId, depth: usize) {
        let c = self.by_id[&id];
        let pad = "  ".repeat(depth);
        let label: Vec<String> = label_lines(c).iter().map(|l| mermaid(l)).collect();
        let node = format!("n{}[\"{}\"]", id.0, label.join("<br/>"));
        match self.children.get(&id) {
            None => {
                writeln!(out, "{pad}{node}").ok();
            }
            Some(kids) => {
                writeln!(out, "{pad}subgraph c{} [\"{}\"]", id.0, mermaid(&c.name)).ok();
                writeln!(out, "{pad}  {node}").ok();
                for &kid in kids {
                    self.mermaid_component(out, kid, depth + 1);
                }
                writeln!(out, "{pad}end").ok();
            }
        }
    }
}

/// A component's label: name, short type, state.
fn label_lines(c: &ComponentSnapshot) -> [String; 3] {
    [
        c.name.clone(),
        crate::component::short_type_name_of(c.type_name).to_string(),
        state_text(&c.state),
    ]
}

/// What a component is doing, in a few words.
fn state_text(s: &ComponentState) -> String {
    let text = match s {
        ComponentState::Created => "created".to_string(),
        ComponentState::Running => "running".to_string(),
        ComponentState::Receiving { inbox } => format!("receiving on {inbox}"),
        ComponentState::Sending { outbox } => format!("sending on {outbox}"),
        ComponentState::Waiting => "waiting".to_string(),
        ComponentState::Finished => "finished".to_string(),
        ComponentState::Failed { error } => format!("failed: {error}"),
        ComponentState::Panicked { message } => format!("panicked: {message}"),
        ComponentState::Cancelled => "cancelled".to_string(),
    };
    if text.chars().count() > LABEL_TEXT {
        let mut short: String = text.chars().take(LABEL_TEXT - 1).collect();
        short.push('…');
        short
    } else {
        text
    }
}

/// Escapes text for a DOT double-quoted string: `\` and `"` get a backslash, a line break
/// becomes DOT's `\n`, other control characters become spaces.
fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Mermaid double-quoted label with Mermaid's entity codes: `"`, `<`, `>`,
/// `&`, `` ` `` and `;` (so no `#word;` in a name can be read as an entity); a line break
/// becomes `<br/>`, other control characters become spaces.
fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            ';' => out.push_str("#59;"),
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
