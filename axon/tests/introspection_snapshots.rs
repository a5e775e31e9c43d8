//! Snapshots of the live model (`axon::model`): the system's time in them (when each was taken,
//! since when each component's state holds) and the links they show once a component has ended.
//!
//! Every test runs `System::deterministic()`, so each observation is made where nothing else can
//! happen and times are exact.

use std::time::Duration;

use axon::{Boxes, Component, ComponentState, Context, Error, Inbox, Outbox, System};

mod common;
use common::{address, Consumer, Listener, Reading};

/// Snapshots carry the system's time: `taken_at` follows the virtual clock, and `state_since`
/// says when each component entered its state.
#[test]
fn snapshots_say_when_they_were_taken_and_since_when_each_state_holds() {
    let mut system = System::deterministic();
    let listener = system.spawn(Listener {
        inbox: Inbox::new(),
    });
    system.run_until_idle();
    assert_eq!(system.snapshot().taken_at, Duration::ZERO);
    system.advance(Duration::from_millis(1500));
    let snap = system.snapshot();
    assert_eq!(snap.taken_at, Duration::from_millis(1500));
    assert_eq!(system.now(), Duration::from_millis(1500));
    let c = snap.component(listener).unwrap();
    assert!(matches!(c.state, ComponentState::Receiving { .. }));
    assert_eq!(c.state_since, Duration::ZERO);
}

/// Keeps an outbox it never uses, and never ends.
#[derive(Boxes)]
struct Idle {
    /// Linked by the test, never sent on.
    outbox: Outbox<Reading>,
}

impl Component for Idle {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// A link from a live component into one that has ended is not shown: the ended component is
/// gone from the snapshot and its inboxes are closed, so the link leads nowhere (the links from
/// an ended component's outboxes go the same way).
#[test]
fn a_snapshot_leaves_out_links_into_a_component_that_has_ended() {
    let mut system = System::deterministic();
    let idle = Idle {
        outbox: Outbox::new(),
    };
    let consumer = Consumer::new(0);
    axon::link(&idle.outbox, &consumer.inbox).unwrap();
    let idle = system.spawn(idle);
    let consumer = system.spawn(consumer);
    let before = system.snapshot();
    assert_eq!(before.links.len(), 1, "{:?}", before.links);
    assert_eq!(before.links[0].from, address(idle, "outbox"));
    assert_eq!(before.links[0].to, address(consumer, "inbox"));

    system.run_until_idle();
    let after = system.snapshot();
    assert!(after.component(consumer).is_none());
    assert!(after.component(idle).is_some());
    assert_eq!(after.links, [], "no link into the ended consumer");
}
