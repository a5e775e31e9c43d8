//! Behaviour of the live model (`System::snapshot`, `axon::model`), the replacement for
//! Kamaelia's `Axon.Introspector`.
//!
//! Kamaelia's Axon test suite has no Introspector tests (the Introspector was checked by hand:
//! `kamaelia.md` §1.14). These tests state what the snapshot promises instead of the
//! Introspector's `ADD NODE` / `ADD LINK` text stream: every live component with its id, name,
//! type and parent; every box with its name, direction, message type, doc comment and figures;
//! every link with both ends; what each component is doing (waiting on which inbox, blocked on
//! which outbox, waiting on a timer); and ended components leaving the model.
//!
//! Left out: the Introspector's diffing into change lines and its `shutdownMicroprocess`
//! handling — a snapshot is a value, so a change stream is a diff of two snapshots, not core.
//!
//! Every test runs a `System::deterministic()` driven with `run_until_idle`, so each state is
//! observed at a point where nothing else can happen.

use std::time::Duration;

use axon::model::{BoxAddress, ComponentSnapshot, LinkSnapshot};
use axon::{
    BoxStats, Boxes, Component, ComponentId, ComponentState, Context, Control, Direction, Error,
    Inbox, Outbox, System,
};

/// Takes `take` numbers from its inbox and passes each on, then waits for a control message.
#[derive(Boxes)]
struct Relay {
    /// Numbers to pass on.
    /// They are taken in order.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// The numbers taken.
    outbox: Outbox<u32>,
    take: usize,
}

impl Relay {
    fn new(take: usize) -> Self {
        Relay {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            take,
        }
    }
}

impl Component for Relay {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for _ in 0..self.take {
            let Some(n) = self.inbox.recv().await else {
                return Ok(());
            };
            self.outbox.send(n).await?;
        }
        self.control.recv().await;
        Ok(())
    }
}

/// Receives on its inbox forever (until it closes).
#[derive(Boxes, Default)]
struct Sink {
    /// Anything.
    inbox: Inbox<u32>,
}

impl Component for Sink {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Sends 0, 1, 2, … for ever.
#[derive(Boxes, Default)]
struct Flood {
    /// The numbers.
    outbox: Outbox<u32>,
}

impl Component for Flood {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 0.. {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Sleeps an hour, then ends.
#[derive(Boxes, Default)]
struct Sleeper;

impl Component for Sleeper {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
}

/// A generic component, to check that default names drop the type parameters.
#[derive(Boxes, Default)]
struct Generic<T: Send + Default + 'static> {
    /// Anything.
    inbox: Inbox<T>,
}

impl<T: Send + Default + 'static> Component for Generic<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Starts one `Sink` child and a named one, reports its own view of itself, then waits for them.
#[derive(Boxes, Default)]
struct Parent {
    /// Its state as it saw it in its own snapshot while running.
    seen: Outbox<ComponentState>,
}

impl Component for Parent {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        ctx.spawn(Sink::default());
        let named = ctx.adopt_named("named-child", Sink::default());
        ctx.activate(named);
        let me = ctx
            .snapshot()
            .components
            .into_iter()
            .find(|c| c.id == ctx.id())
            .expect("a running component is in the model");
        self.seen.send(me.state).await?;
        while ctx.next_child_exit().await.is_some() {}
        Ok(())
    }
}

/// For each number it receives, reports its own state and since when, as its snapshot shows
/// them while it runs.
#[derive(Boxes)]
struct SelfReporter {
    /// Anything: each message is a request to report.
    inbox: Inbox<u32>,
    /// What it saw of itself.
    seen: Outbox<(ComponentState, Duration)>,
}

impl Component for SelfReporter {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {
            let me = ctx
                .snapshot()
                .components
                .into_iter()
                .find(|c| c.id == ctx.id())
                .expect("a running component is in the model");
            self.seen.send((me.state, me.state_since)).await?;
        }
        Ok(())
    }
}

fn find(system: &System, id: ComponentId) -> Option<ComponentSnapshot> {
    system
        .snapshot()
        .components
        .into_iter()
        .find(|c| c.id == id)
}

fn state(system: &System, id: ComponentId) -> ComponentState {
    find(system, id).expect("component is live").state
}

fn at(component: ComponentId, name: &str) -> BoxAddress {
    BoxAddress {
        component: Some(component),
        name: name.to_string(),
    }
}

/// Each component is listed with its id, its `Type#id` name (or the name it was given), and its
/// full type name.
#[test]
fn components_are_listed_with_id_name_and_type() {
    let mut system = System::deterministic();
    let a = system.spawn(Sink::default());
    let b = system.spawn_named("the sink", Sink::default());
    let c = system.spawn(Generic::<u8>::default());
    system.run_until_idle();
    assert!(a != b && b != c && a != c, "ids are distinct");
    let mut listed: Vec<_> = system
        .snapshot()
        .components
        .into_iter()
        .map(|c| (c.id, c.name, c.type_name, c.parent))
        .collect();
    listed.sort_by_key(|c| c.0);
    assert_eq!(
        listed,
        [
            (
                a,
                format!("Sink#{}", a.get()),
                std::any::type_name::<Sink>(),
                None
            ),
            (
                b,
                "the sink".to_string(),
                std::any::type_name::<Sink>(),
                None
            ),
            (
                c,
                format!("Generic#{}", c.get()),
                std::any::type_name::<Generic<u8>>(),
                None
            ),
        ]
    );
}

/// Components are listed in id order, which is the order they were registered in.
#[test]
fn components_are_listed_in_id_order() {
    let mut system = System::deterministic();
    let ids: Vec<ComponentId> = (0..12).map(|_| system.spawn(Sink::default())).collect();
    system.run_until_idle();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");
    let listed: Vec<ComponentId> = system.snapshot().components.iter().map(|c| c.id).collect();
    assert_eq!(listed, ids);
}

/// Children list their parent's id; top-level components have none; a component sees itself
/// as `Running` in a snapshot it takes while running.
#[test]
fn children_list_their_parent() {
    let mut system = System::deterministic();
    let parent = Parent::default();
    let mut seen = Inbox::new();
    axon::link(&parent.seen, &seen).unwrap();
    let p = system.spawn(parent);
    system.run_until_idle();
    assert_eq!(seen.try_recv(), Ok(ComponentState::Running));
    let snap = system.snapshot();
    assert_eq!(snap.components.len(), 3);
    let parent = snap.components.iter().find(|c| c.id == p).unwrap();
    assert_eq!(parent.parent, None);
    let children: Vec<_> = snap.components.iter().filter(|c| c.id != p).collect();
    assert_eq!(children.len(), 2);
    for child in &children {
        assert_eq!(child.parent, Some(p), "{}", child.name);
        assert_eq!(child.type_name, std::any::type_name::<Sink>());
    }
    assert!(children.iter().any(|c| c.name == "named-child"));
}

/// Boxes are listed in declaration order with name, direction, message type and doc comment
/// (lines joined), and with their depth, capacity and message counts.
#[test]
fn boxes_are_listed_with_description_and_figures() {
    let mut system = System::deterministic();
    let relay = Relay {
        inbox: Inbox::with_capacity(4),
        ..Relay::new(1)
    };
    let mut feed = Outbox::new();
    axon::link(&feed, &relay.inbox).unwrap();
    let mut out = Inbox::new();
    axon::link(&relay.outbox, &out).unwrap();
    let id = system.spawn(relay);
    for n in [10, 11, 12] {
        feed.try_send(n).unwrap();
    }
    system.run_until_idle();
    assert_eq!(out.try_recv(), Ok(10));

    let c = find(&system, id).unwrap();
    let described: Vec<_> = c
        .boxes
        .iter()
        .map(|b| {
            (
                b.info.name.as_ref(),
                b.info.direction,
                b.info.type_name,
                b.info.doc.as_ref(),
            )
        })
        .collect();
    let control = std::any::type_name::<Control>();
    assert_eq!(
        described,
        [
            (
                "inbox",
                Direction::Inbox,
                "u32",
                "Numbers to pass on. They are taken in order."
            ),
            ("control", Direction::Inbox, control, "Stop requests."),
            ("outbox", Direction::Outbox, "u32", "The numbers taken."),
        ]
    );
    let figures: Vec<BoxStats> = c.boxes.iter().map(|b| b.stats).collect();
    assert_eq!(
        figures[0],
        BoxStats {
            depth: 2,
            capacity: Some(4),
            messages_in: 3,
            messages_out: 1,
            discarded: 0,
        }
    );
    assert_eq!(
        figures[1],
        BoxStats {
            depth: 0,
            capacity: Some(axon::DEFAULT_CAPACITY),
            messages_in: 0,
            messages_out: 0,
            discarded: 0,
        }
    );
    assert_eq!(figures[2].messages_in, 1);
    assert_eq!(figures[2].messages_out, 1);
    assert_eq!(figures[2].depth, 0, "nothing is held: the outbox is linked");
}

/// Links are listed with both ends: component ids and box names, and plain code's boxes as
/// unowned; an unlinked link is no longer listed.
#[test]
fn links_are_listed_with_both_ends() {
    let mut system = System::deterministic();
    let first = system.adopt(Relay::new(0));
    let second = system.adopt(Relay::new(0));
    let between = axon::link(&first.outbox, &second.inbox).unwrap();
    let out = Inbox::new();
    axon::link(&second.outbox, &out).unwrap();
    let (a, b) = (first.id(), second.id());
    system.activate(first);
    system.activate(second);
    system.run_until_idle();

    let links = system.snapshot().links;
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(links.contains(&LinkSnapshot {
        from: at(a, "outbox"),
        to: at(b, "inbox"),
    }));
    let to_plain = links.iter().find(|l| l.from == at(b, "outbox")).unwrap();
    assert_eq!(to_plain.to.component, None);

    between.unlink();
    let links = system.snapshot().links;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].from, at(b, "outbox"));
}

/// Forwarding links (inbox → inbox, outbox → outbox) are listed like any other.
#[test]
fn forwarding_links_are_listed() {
    let system = System::deterministic();
    let outer = system.adopt(Relay::new(0));
    let inner = system.adopt(Relay::new(0));
    axon::forward_inbox(&outer.inbox, &inner.inbox).unwrap();
    axon::forward_outbox(&inner.outbox, &outer.outbox).unwrap();
    let links = system.snapshot().links;
    assert!(links.contains(&LinkSnapshot {
        from: at(outer.id(), "inbox"),
        to: at(inner.id(), "inbox"),
    }));
    assert!(links.contains(&LinkSnapshot {
        from: at(inner.id(), "outbox"),
        to: at(outer.id(), "outbox"),
    }));
}

/// A component waiting for a message is `Receiving` on that inbox.
#[test]
fn waiting_on_an_inbox_shows_receiving_with_the_inbox_name() {
    let mut system = System::deterministic();
    let id = system.spawn(Sink::default());
    system.run_until_idle();
    assert_eq!(
        state(&system, id),
        ComponentState::Receiving {
            inbox: "inbox".to_string()
        }
    );
    // A relay that took all it wanted waits on `control` instead.
    let relay = Relay::new(0);
    let relay = system.spawn(relay);
    system.run_until_idle();
    assert_eq!(
        state(&system, relay),
        ComponentState::Receiving {
            inbox: "control".to_string()
        }
    );
}

/// A component blocked because its destination is full is `Sending` on that outbox.
#[test]
fn blocked_on_a_full_destination_shows_sending_with_the_outbox_name() {
    let mut system = System::deterministic();
    let flood = Flood::default();
    let mut full = Inbox::with_capacity(3);
    axon::link(&flood.outbox, &full).unwrap();
    let id = system.spawn(flood);
    system.run_until_idle();
    assert_eq!(
        state(&system, id),
        ComponentState::Sending {
            outbox: "outbox".to_string()
        }
    );
    assert_eq!(full.len(), 3);
    // Taking one lets it send one more, and it is blocked again.
    assert_eq!(full.try_recv(), Ok(0));
    system.run_until_idle();
    assert_eq!(full.len(), 3);
    assert!(matches!(state(&system, id), ComponentState::Sending { .. }));
}

/// A running component's state holds since its poll's tick began, and the wait after it counts
/// from that tick too (on the virtual clock, the time of the poll).
#[test]
fn running_and_the_wait_after_it_count_from_the_tick_of_the_poll() {
    let mut system = System::deterministic();
    let reporter = SelfReporter {
        inbox: Inbox::new(),
        seen: Outbox::new(),
    };
    let (mut ask, mut seen) = (Outbox::new(), Inbox::new());
    axon::link(&ask, &reporter.inbox).unwrap();
    axon::link(&reporter.seen, &seen).unwrap();
    let id = system.spawn(reporter);
    system.run_until_idle();
    let receiving = ComponentState::Receiving {
        inbox: "inbox".into(),
    };
    assert_eq!(state(&system, id), receiving);
    system.advance(Duration::from_secs(5));
    ask.try_send(1).unwrap();
    system.run_until_idle();
    assert_eq!(
        seen.try_recv(),
        Ok((ComponentState::Running, Duration::from_secs(5)))
    );
    system.advance(Duration::from_secs(1));
    let me = find(&system, id).unwrap();
    assert_eq!(
        (me.state, me.state_since),
        (receiving, Duration::from_secs(5))
    );
}

/// A component woken by a message is `Running` (runnable) until its poll takes the message and
/// it waits again.
#[test]
fn a_woken_component_shows_running_until_it_waits_again() {
    let mut system = System::deterministic();
    let sink = Sink::default();
    let mut feed = Outbox::new();
    axon::link(&feed, &sink.inbox).unwrap();
    let id = system.spawn(sink);
    system.run_until_idle();
    let receiving = ComponentState::Receiving {
        inbox: "inbox".into(),
    };
    assert_eq!(state(&system, id), receiving);
    feed.try_send(1).unwrap();
    assert_eq!(state(&system, id), ComponentState::Running);
    system.run_until_idle();
    assert_eq!(state(&system, id), receiving);
}

/// A component sleeping on a timer is `Waiting`, and leaves the model when the timer fires and
/// it ends.
#[test]
fn sleeping_on_a_timer_shows_waiting() {
    let mut system = System::deterministic();
    let id = system.spawn(Sleeper);
    system.run_until_idle();
    assert_eq!(state(&system, id), ComponentState::Waiting);
    system.advance(Duration::from_secs(1800));
    assert_eq!(state(&system, id), ComponentState::Waiting);
    system.advance(Duration::from_secs(1800));
    assert!(find(&system, id).is_none());
}

/// A component adopted but not activated is listed as `Created`.
#[test]
fn adopted_but_not_activated_shows_created() {
    let system = System::deterministic();
    let child = system.adopt(Sink::default());
    assert_eq!(state(&system, child.id()), ComponentState::Created);
}

/// Ended components — finished, failed or stopped — disappear from the snapshot, with the
/// links they were the source of.
#[test]
fn ended_components_disappear_from_the_snapshot() {
    let mut system = System::deterministic();
    let relay = Relay::new(1);
    let mut feed = Outbox::new();
    let mut stop = Outbox::new();
    axon::link(&feed, &relay.inbox).unwrap();
    axon::link(&stop, &relay.control).unwrap();
    let sink = system.adopt(Sink::default());
    axon::link(&relay.outbox, &sink.inbox).unwrap();
    let relay = system.spawn(relay);
    let sink = system.activate(sink);
    system.run_until_idle();
    assert!(find(&system, relay).is_some());
    assert_eq!(system.snapshot().links.len(), 1);

    feed.try_send(1).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    let snap = system.snapshot();
    assert!(find(&system, relay).is_none());
    assert!(snap.links.is_empty(), "{:?}", snap.links);
    assert_eq!(snap.components.len(), 1);
    assert_eq!(snap.components[0].id, sink);
}

/// A component that fails leaves the snapshot too (and is remembered in `System::failures`).
#[test]
fn failed_components_disappear_from_the_snapshot() {
    /// Fails at once.
    #[derive(Boxes)]
    struct Broken;
    impl Component for Broken {
        async fn run(self, _ctx: Context) -> Result<(), Error> {
            Err(Error::msg("broken on purpose"))
        }
    }
    let mut system = System::deterministic();
    let id = system.spawn(Broken);
    let other = system.spawn(Sink::default());
    system.run_until_idle();
    assert!(find(&system, id).is_none());
    assert!(find(&system, other).is_some());
    assert_eq!(system.failures()[0].id, id);
}
