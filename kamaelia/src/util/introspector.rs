//! Introspector: reports how the running system's topology changes, as typed messages
//! (Kamaelia: `Kamaelia.Util.Introspector.Introspector`, itself `Axon.Introspector`).
//!
//! Every interval (one second by default, on tokio time) it takes a
//! [snapshot](axon::Context::snapshot) of the whole system it runs in, compares it with the
//! topology it last reported, and sends the differences on `outbox`, one [`TopologyChange`] per
//! message. Its first report is the whole topology, as additions to an empty picture, so a
//! receiver that starts with nothing is always up to date. When nothing changed it sends
//! nothing. It sees every component, itself included.
//!
//! Each report lists, in this order: links that went ([`DelLink`](TopologyChange::DelLink)),
//! boxes that went ([`DelBox`](TopologyChange::DelBox), including all the boxes of a component
//! that ended), components that ended ([`DelNode`](TopologyChange::DelNode), highest id first so
//! children go before their parents), new components each followed by its boxes
//! ([`AddNode`](TopologyChange::AddNode), [`AddBox`](TopologyChange::AddBox), lowest id first so
//! parents come before their children), new links ([`AddLink`](TopologyChange::AddLink)), and
//! finally components whose state changed ([`State`](TopologyChange::State), unless turned off
//! with [`Introspector::without_states`]). Links are only reported between boxes of components
//! it has reported (or boxes owned by no component, such as a test's `Inbox`).
//!
//! Feed it to [`AxonVisualiserLines`](super::AxonVisualiserLines) for the text lines Kamaelia's
//! AxonVisualiser understood; for a one-off picture use [`Snapshot::to_dot`](axon::Snapshot::to_dot)
//! or [`to_mermaid`](axon::Snapshot::to_mermaid) instead.
//!
//! ```
//! use axon::{Control, Direction, Inbox, Outbox, System};
//! use kamaelia::util::{Introspector, TopologyChange};
//!
//! let mut system = System::deterministic();
//! let introspector = Introspector::new();
//! let mut changes = Inbox::new();
//! let mut stop = Outbox::new();
//! axon::link(&introspector.outbox, &changes).unwrap();
//! axon::link(&stop, &introspector.control).unwrap();
//! let id = system.spawn(introspector);
//! system.run_until_idle();
//! // The first report is the whole topology: here, the introspector itself and its four boxes.
//! match changes.try_recv().unwrap() {
//!     TopologyChange::AddNode { id: node, name, .. } => {
//!         assert_eq!((node, name.as_str()), (id, "Introspector#1"))
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(
//!     changes.try_recv().unwrap(),
//!     TopologyChange::AddBox { component: id, name: "inbox".into(), direction: Direction::Inbox }
//! );
//! stop.try_send(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | unused (Kamaelia's ignored anything sent here too) |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | [`TopologyChange`] | the changes, one per message |
//! | `signal` | [`Control`] | the stop request, passed on when it ends |
//!
//! # Parameters
//!
//! * [`Introspector::interval`]: time between looks (default one second). The first look is
//!   as soon as it starts.
//! * [`Introspector::without_states`]: do not report [`State`](TopologyChange::State) changes.
//!
//! # Shutdown
//!
//! * `ProducerFinished`: it finishes sending the report under way (so a receiver's picture is
//!   consistent), sends `ProducerFinished` on `signal` and ends.
//! * `Shutdown` or `Failed` (looked at first, also while a send waits for room): it ends at once,
//!   dropping the rest of the report under way, and passes the message on `signal`.
//! * If the component its `outbox` leads to has ended, it sends `ProducerFinished` on `signal`
//!   and ends. It holds no other partial state.
//!
//! Differences from Kamaelia: the original busy-looped, rescanning the scheduler on every cycle;
//! this one looks once per interval and sleeps in between. (It does not wake on axon's change
//! events: a subscription is woken by every state change in the system, the introspector's own
//! included, so it would never sleep.) It keeps the last reported topology, which is as big as
//! the system. Its output is typed; the text format is
//! [`AxonVisualiserLines`](super::AxonVisualiserLines)' job.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use axon::model::BoxAddress;
use axon::{
    Boxes, Component, ComponentId, ComponentState, Context, Control, Direction, Error, Inbox,
    Outbox, Snapshot,
};
use tokio::time::{interval, MissedTickBehavior};

use crate::support::pass_on;
use crate::util::sources::{send_watching, Sent};

/// One end of a link in a [`TopologyChange`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkEnd {
    /// The owning component (`None` for a box owned by plain code).
    pub component: Option<ComponentId>,
    /// The box name.
    pub name: String,
    /// Whether the box is an inbox or an outbox.
    pub direction: Direction,
}

/// One change to a system's topology, as an [`Introspector`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TopologyChange {
    /// A component appeared (or was there when the introspector first looked).
    AddNode {
        /// Its id.
        id: ComponentId,
        /// Its name.
        name: String,
        /// Its Rust type.
        type_name: &'static str,
        /// The component it is a child of, if any.
        parent: Option<ComponentId>,
        /// What it was doing when seen.
        state: ComponentState,
    },
    /// A box of a component appeared (every box of a new component, or a dynamic box).
    AddBox {
        /// The owning component.
        component: ComponentId,
        /// The box name.
        name: String,
        /// Inbox or outbox.
        direction: Direction,
    },
    /// A link appeared.
    AddLink {
        /// The source box.
        from: LinkEnd,
        /// The destination box.
        to: LinkEnd,
    },
    /// A link went.
    DelLink {
        /// The source box.
        from: LinkEnd,
        /// The destination box.
        to: LinkEnd,
    },
    /// A box went (its component ended, or a dynamic box was removed).
    DelBox {
        /// The owning component.
        component: ComponentId,
        /// The box name.
        name: String,
        /// Inbox or outbox.
        direction: Direction,
    },
    /// A component ended.
    DelNode {
        /// Its id.
        id: ComponentId,
    },
    /// A component's state changed since the last report.
    State {
        /// Its id.
        id: ComponentId,
        /// What it is doing now.
        state: ComponentState,
    },
}

/// What the introspector last reported of one component.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    name: String,
    type_name: &'static str,
    parent: Option<ComponentId>,
    state: ComponentState,
    boxes: Vec<(String, Direction)>,
}

/// The topology as last reported: components (with their boxes) and links.
#[derive(Debug, Default)]
struct Topology {
    nodes: BTreeMap<ComponentId, Node>,
    links: Vec<(LinkEnd, LinkEnd)>,
}

impl Topology {
    fn of(snap: &Snapshot) -> Self {
        let nodes: BTreeMap<ComponentId, Node> = snap
            .components
            .iter()
            .map(|c| {
                let node = Node {
                    name: c.name.clone(),
                    type_name: c.type_name,
                    parent: c.parent,
                    state: c.state.clone(),
                    boxes: c
                        .boxes
                        .iter()
                        .map(|b| (b.info.name.to_string(), b.info.direction))
                        .collect(),
                };
                (c.id, node)
            })
            .collect();
        let end = |a: &BoxAddress, usual: Direction, other: Direction| -> Option<LinkEnd> {
            let direction = match a.component {
                None => usual,
                Some(id) => {
                    let boxes = &nodes.get(&id)?.boxes;
                    let has = |d| boxes.iter().any(|(n, bd)| *n == a.name && *bd == d);
                    if has(usual) {
                        usual
                    } else if has(other) {
                        other
                    } else {
                        return None;
                    }
                }
            };
            Some(LinkEnd {
                component: a.component,
                name: a.name.clone(),
                direction,
            })
        };
        let links = snap
            .links
            .iter()
            .filter_map(|l| {
                Some((
                    end(&l.from, Direction::Outbox, Direction::Inbox)?,
                    end(&l.to, Direction::Inbox, Direction::Outbox)?,
                ))
            })
            .collect();
        Topology { nodes, links }
    }

    /// The boxes of component `id` (none if it is not there).
    fn boxes_of(&self, id: ComponentId) -> &[(String, Direction)] {
        self.nodes.get(&id).map_or(&[], |n| &n.boxes)
    }

    /// What changed from `old` to `self`, in reporting order.
    fn changes_since(&self, old: &Topology, states: bool) -> Vec<TopologyChange> {
        let mut out = Vec::new();
        let new_links: HashSet<&(LinkEnd, LinkEnd)> = self.links.iter().collect();
        let old_links: HashSet<&(LinkEnd, LinkEnd)> = old.links.iter().collect();
        for l in old.links.iter().filter(|l| !new_links.contains(l)) {
            out.push(TopologyChange::DelLink {
                from: l.0.clone(),
                to: l.1.clone(),
            });
        }
        for (&id, node) in &old.nodes {
            let now = self.boxes_of(id);
            for (name, direction) in node.boxes.iter().filter(|b| !now.contains(b)) {
                out.push(TopologyChange::DelBox {
                    component: id,
                    name: name.clone(),
                    direction: *direction,
                });
            }
        }
        for &id in old.nodes.keys().rev() {
            if !self.nodes.contains_key(&id) {
                out.push(TopologyChange::DelNode { id });
            }
        }
        for (&id, node) in &self.nodes {
            let before = old.nodes.get(&id);
            if before.is_none() {
                out.push(TopologyChange::AddNode {
                    id,
                    name: node.name.clone(),
                    type_name: node.type_name,
                    parent: node.parent,
                    state: node.state.clone(),
                });
            }
            let was = old.boxes_of(id);
            for (name, direction) in node.boxes.iter().filter(|b| !was.contains(b)) {
                out.push(TopologyChange::AddBox {
                    component: id,
                    name: name.clone(),
                    direction: *direction,
                });
            }
        }
        for l in self.links.iter().filter(|l| !old_links.contains(l)) {
            out.push(TopologyChange::AddLink {
                from: l.0.clone(),
                to: l.1.clone(),
            });
        }
        if states {
            for (&id, node) in &self.nodes {
                if old.nodes.get(&id).is_some_and(|o| o.state != node.state) {
                    out.push(TopologyChange::State {
                        id,
                        state: node.state.clone(),
                    });
                }
            }
        }
        out
    }
}

/// Reports changes to the system's topology. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct Introspector {
    /// Unused.
    pub inbox: Inbox<()>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// The changes, one per message.
    pub outbox: Outbox<TopologyChange>,
    /// The stop request, passed on when it ends.
    pub signal: Outbox<Control>,
    interval: Duration,
    states: bool,
}

impl Introspector {
    /// An introspector looking once a second, reporting state changes too.
    pub fn new() -> Self {
        Introspector {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            interval: Duration::from_secs(1),
            states: true,
        }
    }

    /// Looks every `interval` instead of every second.
    ///
    /// # Panics
    /// If `interval` is zero.
    pub fn interval(mut self, interval: Duration) -> Self {
        assert!(
            !interval.is_zero(),
            "Introspector: the interval must not be zero"
        );
        self.interval = interval;
        self
    }

    /// Does not report [`TopologyChange::State`].
    pub fn without_states(mut self) -> Self {
        self.states = false;
        self
    }

    /// The body: returns the control message to pass on.
    async fn serve(&mut self, ctx: &Context) -> Control {
        let mut ticker = interval(self.interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut seen = Topology::default();
        let mut finishing = false;
        loop {
            tokio::select! {
                biased;
                c = self.control.recv() => return c.unwrap_or(Control::Shutdown),
                _ = ticker.tick() => {}
            }
            let now = Topology::of(&ctx.snapshot());
            let mut changes = now.changes_since(&seen, self.states);
            match send_watching(
                &mut self.outbox,
                &mut self.control,
                &mut changes,
                &mut finishing,
            )
            .await
            {
                Ok(Sent::All) => {}
                Ok(Sent::Stopped(c)) => return c,
                Err(_) => return Control::ProducerFinished,
            }
            seen = now;
            if finishing {
                return Control::ProducerFinished;
            }
        }
    }
}

impl Default for Introspector {
    fn default() -> Self {
        Self::new()
    }
}

impl Component for Introspector {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let end = self.serve(&ctx).await;
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([] Introspector, () => TopologyChange);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "Introspector",
        "Kamaelia.Util.Introspector.Introspector",
        Family::Util,
        "Reports how the running system's topology changes (components, boxes, links, states) as typed messages; the first report is the whole topology.",
        axon::box_infos(&Introspector::new()),
    )
    .parameter("interval", "Duration", "time between looks (default 1 s); the first look is at start")
    .parameter("without_states", "-", "do not report component state changes")
});
