//! Stall and deadlock detection in snapshots of the live model (`axon::model`): blocked sends
//! and waiting receives reported after a threshold, cycles of blocked senders reported as
//! deadlocks, and how waits are timed and named when a component also watches `control` or gives
//! a send up.
//!
//! Every test runs `System::deterministic()`, so each observation is made where nothing else can
//! happen and times are exact.

use std::time::Duration;

use axon::model::{BoxAddress, Deadlock, StallKind};
use axon::{Boxes, Component, ComponentId, ComponentState, Context, Error, Inbox, Outbox, System};

mod common;
use common::{address, Listener};

/// Sends 0, 1, 2, … for ever without reading anything.
#[derive(Boxes)]
struct Jam {
    /// Where it never stops sending.
    inbox: Inbox<u64>,
    /// Numbers.
    outbox: Outbox<u64>,
}

impl Jam {
    fn new() -> Self {
        Jam {
            inbox: Inbox::with_capacity(1),
            outbox: Outbox::new(),
        }
    }
}

impl Component for Jam {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 0.. {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Holds a two-slot inbox it never reads, and never ends.
#[derive(Boxes)]
struct Deaf {
    /// Never read.
    inbox: Inbox<u64>,
}

impl Component for Deaf {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// A component blocked sending into a full inbox is reported once it has been blocked for the
/// threshold (on virtual time, exactly), not a moment before, naming its outbox and the full
/// inbox; a component waiting to receive is reported likewise.
#[test]
fn stalls_are_reported_after_the_threshold_and_not_before() {
    let mut system = System::deterministic();
    let jam = system.adopt_named("jam", Jam::new());
    let deaf = system.adopt_named(
        "deaf",
        Deaf {
            inbox: Inbox::with_capacity(2),
        },
    );
    let listener = system.adopt_named(
        "listener",
        Listener {
            inbox: Inbox::new(),
        },
    );
    axon::link(&jam.outbox, &deaf.inbox).unwrap();
    let (jam_id, deaf_id, listener_id) = (jam.id(), deaf.id(), listener.id());
    system.activate(jam);
    system.activate(deaf);
    system.activate(listener);
    system.run_until_idle();
    let threshold = Duration::from_secs(1);
    assert!(system.snapshot().stalls(threshold).is_empty());
    system.advance(Duration::from_millis(999));
    assert!(system.snapshot().stalls(threshold).is_empty());
    system.advance(Duration::from_millis(1));
    let stalls = system.snapshot().stalls(threshold);
    assert_eq!(stalls.len(), 2, "{stalls:#?}");
    assert_eq!(stalls[0].component, jam_id);
    assert_eq!(stalls[0].name, "jam");
    assert_eq!(stalls[0].blocked_for, threshold);
    assert_eq!(
        stalls[0].kind,
        StallKind::BlockedSending {
            outbox: "outbox".into(),
            to: Some(address(deaf_id, "inbox")),
        }
    );
    assert_eq!(
        stalls[0].to_string(),
        format!(
            "jam has been blocked sending on outbox into the full inbox {deaf_id}.inbox for 1s"
        )
    );
    assert_eq!(stalls[1].component, listener_id);
    assert_eq!(
        stalls[1].kind,
        StallKind::WaitingReceive {
            inbox: "inbox".into()
        }
    );
}

/// Three components each blocked sending into the full inbox of the next form a deadlock,
/// reported once, naming each component, the outbox it is stuck on and the inbox it feeds.
#[test]
fn a_cycle_of_three_blocked_senders_is_reported_as_a_deadlock() {
    let mut system = System::deterministic();
    let a = system.adopt_named("a", Jam::new());
    let b = system.adopt_named("b", Jam::new());
    let c = system.adopt_named("c", Jam::new());
    let d = system.adopt_named("d", Jam::new()); // blocked into the cycle, not part of it
    axon::link(&a.outbox, &b.inbox).unwrap();
    axon::link(&b.outbox, &c.inbox).unwrap();
    axon::link(&c.outbox, &a.inbox).unwrap();
    axon::link(&d.outbox, &a.inbox).unwrap();
    let ids = [a.id(), b.id(), c.id()];
    system.activate(c);
    system.activate(a);
    system.activate(b);
    system.activate(d);
    system.run_until_idle();
    let snap = system.snapshot();
    assert!(snap
        .components
        .iter()
        .all(|c| matches!(c.state, ComponentState::Sending { .. })));
    let deadlocks: Vec<Deadlock> = snap.deadlocks();
    assert_eq!(deadlocks.len(), 1, "{deadlocks:#?}");
    let steps: Vec<(ComponentId, &str, &str, BoxAddress)> = deadlocks[0]
        .cycle
        .iter()
        .map(|s| {
            (
                s.component,
                s.name.as_str(),
                s.outbox.as_str(),
                s.into.clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (ids[0], "a", "outbox", address(ids[1], "inbox")),
            (ids[1], "b", "outbox", address(ids[2], "inbox")),
            (ids[2], "c", "outbox", address(ids[0], "inbox")),
        ]
    );
    assert_eq!(
        deadlocks[0].to_string(),
        format!(
            "deadlock: a blocked sending outbox into {}.inbox, b blocked sending outbox into {}.inbox, c blocked sending outbox into {}.inbox (back to a)",
            ids[1], ids[2], ids[0]
        )
    );
}

/// Sends 0, 1, 2, … while watching `control` in the same `select!` (the send polled first, so
/// the inbox is the last box it waits on); a control message wakes it without unblocking the
/// send.
#[derive(Boxes)]
struct WatchfulJam {
    /// Control messages, noted and otherwise ignored.
    control: Inbox<axon::Control>,
    /// Numbers.
    outbox: Outbox<u64>,
}

impl Component for WatchfulJam {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut n = 0;
        loop {
            tokio::select! {
                biased;
                sent = self.outbox.send(n) => { sent?; n += 1; }
                c = self.control.recv() => { if c.is_none() { return Ok(()); } }
            }
        }
    }
}

/// A component blocked on a send while also watching its `control` inbox is reported as
/// sending (not receiving on `control`), and a control message that wakes it without freeing
/// room does not restart the time it has been blocked.
#[test]
fn a_send_blocked_while_watching_control_is_a_stall_whose_time_survives_wakeups() {
    let mut system = System::deterministic();
    let jam = system.adopt_named(
        "jam",
        WatchfulJam {
            control: Inbox::new(),
            outbox: Outbox::new(),
        },
    );
    let deaf = system.adopt_named(
        "deaf",
        Deaf {
            inbox: Inbox::with_capacity(2),
        },
    );
    axon::link(&jam.outbox, &deaf.inbox).unwrap();
    let mut poke = Outbox::new();
    axon::link(&poke, &jam.control).unwrap();
    let jam_id = jam.id();
    system.activate(jam);
    system.activate(deaf);
    system.run_until_idle();
    system.advance(Duration::from_millis(600));
    poke.try_send(axon::Control::ProducerFinished).unwrap();
    system.run_until_idle();
    system.advance(Duration::from_millis(400));
    let snapshot = system.snapshot();
    let state = &snapshot.component(jam_id).unwrap().state;
    assert_eq!(
        *state,
        ComponentState::Sending {
            outbox: "outbox".into()
        }
    );
    let stalls = snapshot.stalls(Duration::from_secs(1));
    assert_eq!(stalls.len(), 1, "{stalls:#?}");
    assert_eq!(stalls[0].component, jam_id);
    assert_eq!(stalls[0].blocked_for, Duration::from_secs(1));
}

/// Watches `control` first, then its inbox, ignoring what comes on `control`. `control` is
/// declared first too, so the model has to pass over it to name the data inbox.
#[derive(Boxes)]
struct ControlFirst {
    /// Looked at first; anything that comes is ignored.
    control: Inbox<axon::Control>,
    /// Numbers, taken and dropped.
    inbox: Inbox<u32>,
}

impl Component for ControlFirst {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                c = self.control.recv() => if c.is_none() { return Ok(()) },
                m = self.inbox.recv() => if m.is_none() { return Ok(()) },
            }
        }
    }
}

/// A component waiting on `control` and an inbox is shown receiving on the inbox. A receive
/// wait is counted from the end of the component's last poll, even a poll that brought nothing
/// for that inbox: the model learns waits from the boxes when someone looks, and an inbox does
/// not record when its reader began to wait (that would cost every receive a clock reading).
/// Blocked sends do keep their start (see the test above).
#[test]
fn a_receive_wait_is_shown_on_the_data_inbox_and_counted_from_the_last_poll() {
    let mut system = System::deterministic();
    let waiter = ControlFirst {
        inbox: Inbox::new(),
        control: Inbox::new(),
    };
    let mut poke = Outbox::new();
    axon::link(&poke, &waiter.control).unwrap();
    let id = system.spawn_named("waiter", waiter);
    system.run_until_idle();
    system.advance(Duration::from_secs(5));
    let before = system.snapshot();
    assert_eq!(before.stalls(Duration::from_secs(5)).len(), 1);
    poke.try_send(axon::Control::ProducerFinished).unwrap();
    system.run_until_idle();
    system.advance(Duration::from_secs(1));
    let snapshot = system.snapshot();
    let me = snapshot.component(id).unwrap();
    assert_eq!(
        me.state,
        ComponentState::Receiving {
            inbox: "inbox".into()
        }
    );
    assert_eq!(me.state_since, Duration::from_secs(5));
    let stalls = snapshot.stalls(Duration::from_secs(1));
    assert_eq!(stalls.len(), 1, "{stalls:#?}");
    assert_eq!(stalls[0].blocked_for, Duration::from_secs(1));
}

/// Tries to send one number, watching `control` meanwhile; when anything comes on `control` it
/// gives the send up and waits on its inbox for ever.
#[derive(Boxes)]
struct Impatient {
    /// Any message makes it give up the send.
    control: Inbox<axon::Control>,
    /// Waited on after giving up.
    inbox: Inbox<u32>,
    /// The number it tries to send.
    outbox: Outbox<u64>,
}

impl Component for Impatient {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        tokio::select! {
            biased;
            _ = self.control.recv() => {}
            sent = self.outbox.send(1) => sent?,
        }
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// A send that a component gave up on (the other branch of its `select!` won) is not shown as
/// blocked, although the full inbox still lists its waker: no false stall, no false deadlock.
#[test]
fn a_send_given_up_on_is_not_shown_as_blocked() {
    let mut system = System::deterministic();
    let impatient = Impatient {
        control: Inbox::new(),
        inbox: Inbox::new(),
        outbox: Outbox::new(),
    };
    let full = Inbox::<u64>::with_capacity(1);
    let mut filler = Outbox::new();
    axon::link(&filler, &full).unwrap();
    filler.try_send(0).unwrap();
    axon::link(&impatient.outbox, &full).unwrap();
    let mut poke = Outbox::new();
    axon::link(&poke, &impatient.control).unwrap();
    let id = system.spawn_named("impatient", impatient);
    system.run_until_idle();
    let sending = ComponentState::Sending {
        outbox: "outbox".into(),
    };
    assert_eq!(system.snapshot().component(id).unwrap().state, sending);
    poke.try_send(axon::Control::ProducerFinished).unwrap();
    system.run_until_idle();
    system.advance(Duration::from_secs(10));
    let snapshot = system.snapshot();
    assert_eq!(
        snapshot.component(id).unwrap().state,
        ComponentState::Receiving {
            inbox: "inbox".into()
        }
    );
    let stalls = snapshot.stalls(Duration::from_secs(5));
    assert!(
        stalls
            .iter()
            .all(|s| !matches!(s.kind, StallKind::BlockedSending { .. })),
        "{stalls:#?}"
    );
}
