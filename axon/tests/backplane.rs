//! Behaviour of backplanes (`axon::backplane`): named publish/subscribe hubs with publishers and
//! subscribers that join and leave at run time.
//!
//! Kamaelia's Axon test suite has no backplane tests (its `Backplane`, `PublishTo` and
//! `SubscribeTo` live in `Kamaelia.Util.Backplane` and were exercised only by examples), so
//! these tests state the documented contract directly: every subscriber gets every message
//! published after it joined, in order; publishers and subscribers come and go; a slow
//! subscriber misses messages (counted) instead of holding up the backplane or growing memory;
//! names keep backplanes apart; a publisher started first waits; any `Control` stops a
//! component and is passed on `signal`.
//!
//! Every test runs a `System::deterministic()` and drives it with `run_until_idle`, so nothing
//! depends on timing.

use axon::backplane::{Backplane, BackplaneStats, PublishTo, SubscribeTo};
use axon::model::BoxSnapshot;
use axon::{ComponentId, ComponentState, Control, Inbox, Outbox, System, TryRecvError};

/// Plain code's end of a publisher: messages go in through `say`.
struct Publisher {
    id: ComponentId,
    say: Outbox<u32>,
    stop: Outbox<Control>,
    signal: Inbox<Control>,
}

fn publisher(system: &System, name: &str) -> Publisher {
    let p = PublishTo::<u32>::new(name);
    let say = Outbox::new();
    let stop = Outbox::new();
    let signal = Inbox::new();
    axon::link(&say, &p.inbox).unwrap();
    axon::link(&stop, &p.control).unwrap();
    axon::link(&p.signal, &signal).unwrap();
    Publisher {
        id: system.spawn(p),
        say,
        stop,
        signal,
    }
}

/// Plain code's end of a subscriber: copies arrive in `got`.
struct Subscriber {
    id: ComponentId,
    got: Inbox<u32>,
    stop: Outbox<Control>,
    signal: Inbox<Control>,
}

fn subscriber_into(system: &System, sub: SubscribeTo<u32>, got: Inbox<u32>) -> Subscriber {
    let stop = Outbox::new();
    let signal = Inbox::new();
    axon::link(&sub.outbox, &got).unwrap();
    axon::link(&stop, &sub.control).unwrap();
    axon::link(&sub.signal, &signal).unwrap();
    Subscriber {
        id: system.spawn(sub),
        got,
        stop,
        signal,
    }
}

fn subscriber(system: &System, name: &str) -> Subscriber {
    subscriber_into(system, SubscribeTo::new(name), Inbox::unbounded())
}

/// Plain code's end of a backplane.
struct Hub {
    id: ComponentId,
    stats: BackplaneStats,
    stop: Outbox<Control>,
    signal: Inbox<Control>,
}

fn backplane(system: &System, name: &str) -> Hub {
    let b = Backplane::<u32>::new(name);
    let stats = b.stats();
    let stop = Outbox::new();
    let signal = Inbox::new();
    axon::link(&stop, &b.control).unwrap();
    axon::link(&b.signal, &signal).unwrap();
    Hub {
        id: system.spawn(b),
        stats,
        stop,
        signal,
    }
}

fn drain(inbox: &mut Inbox<u32>) -> Vec<u32> {
    std::iter::from_fn(|| inbox.try_recv().ok()).collect()
}

fn publish(p: &mut Publisher, msgs: impl IntoIterator<Item = u32>) {
    for m in msgs {
        p.say.try_send(m).unwrap();
    }
}

fn is_live(system: &System, id: ComponentId) -> bool {
    system.snapshot().components.iter().any(|c| c.id == id)
}

fn box_of(system: &System, id: ComponentId, name: &str) -> BoxSnapshot {
    let snap = system.snapshot();
    let c = snap
        .components
        .iter()
        .find(|c| c.id == id)
        .expect("component is live");
    c.boxes
        .iter()
        .find(|b| b.info.name == name)
        .expect("box exists")
        .clone()
}

/// Every subscriber gets every message published, in publication order, over several rounds.
#[test]
fn every_subscriber_gets_every_message_in_order() {
    let mut system = System::deterministic();
    let hub = backplane(&system, "news");
    let mut subs: Vec<_> = (0..3).map(|_| subscriber(&system, "news")).collect();
    let mut p = publisher(&system, "news");
    system.run_until_idle();
    assert_eq!(hub.stats.subscribers(), 3);
    for round in 0..3 {
        publish(&mut p, round * 50..(round + 1) * 50);
        system.run_until_idle();
    }
    let all: Vec<u32> = (0..150).collect();
    for s in &mut subs {
        assert_eq!(drain(&mut s.got), all);
    }
    assert_eq!(hub.stats.published(), 150);
    assert_eq!(hub.stats.missed(), 0);
}

/// Messages from several publishers reach every subscriber, interleaved in exact send order.
#[test]
fn several_publishers_feed_every_subscriber_in_send_order() {
    let mut system = System::deterministic();
    let hub = backplane(&system, "news");
    let mut a = subscriber(&system, "news");
    let mut b = subscriber(&system, "news");
    let mut p1 = publisher(&system, "news");
    let mut p2 = publisher(&system, "news");
    system.run_until_idle();
    let mut sent = Vec::new();
    for i in 0..20 {
        let (p, m) = if i % 3 == 0 {
            (&mut p2, 1000 + i)
        } else {
            (&mut p1, i)
        };
        p.say.try_send(m).unwrap();
        sent.push(m);
    }
    system.run_until_idle();
    assert_eq!(drain(&mut a.got), sent);
    assert_eq!(drain(&mut b.got), sent);
    assert_eq!(hub.stats.published(), 20);
}

/// Subscribers join and leave while the system runs: a newcomer gets only what is published
/// after it joined; one that leaves is dropped from the list and the others carry on.
#[test]
fn subscribers_join_and_leave_at_run_time() {
    let mut system = System::deterministic();
    let hub = backplane(&system, "news");
    let mut a = subscriber(&system, "news");
    let mut p = publisher(&system, "news");
    system.run_until_idle();
    publish(&mut p, 1..=3);
    system.run_until_idle();
    assert_eq!(drain(&mut a.got), [1, 2, 3]);

    let mut b = subscriber(&system, "news");
    system.run_until_idle();
    assert_eq!(hub.stats.subscribers(), 2);
    publish(&mut p, 4..=6);
    system.run_until_idle();
    assert_eq!(drain(&mut a.got), [4, 5, 6]);
    assert_eq!(
        drain(&mut b.got),
        [4, 5, 6],
        "nothing from before it joined"
    );

    b.stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, b.id));
    assert_eq!(b.signal.try_recv(), Ok(Control::Shutdown));
    publish(&mut p, 7..=9);
    system.run_until_idle();
    assert_eq!(hub.stats.subscribers(), 1, "the leaver is dropped");
    assert_eq!(drain(&mut a.got), [7, 8, 9]);
    assert_eq!(hub.stats.missed(), 0, "leaving is not missing");
    assert!(b.got.try_recv().is_err());
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// A subscriber whose feed is full misses messages (counted), while a fast subscriber gets all
/// of them and the backplane never blocks; the slow feed never holds more than its capacity.
#[test]
fn slow_subscriber_misses_messages_without_holding_up_the_others() {
    let mut system = System::deterministic();
    let hub = backplane(&system, "news");
    let mut fast = subscriber(&system, "news");
    // The slow subscriber's consumer takes nothing: its output inbox holds one message, so the
    // subscriber blocks sending the second and its feed (capacity 2) fills up.
    let mut slow = subscriber_into(
        &system,
        SubscribeTo::with_capacity("news", 2),
        Inbox::with_capacity(1),
    );
    let mut p = publisher(&system, "news");
    system.run_until_idle();
    assert_eq!(hub.stats.subscribers(), 2);

    let rounds = 5;
    for round in 0..rounds {
        publish(&mut p, round * 20..(round + 1) * 20);
        system.run_until_idle();
        assert_eq!(
            drain(&mut fast.got),
            (round * 20..(round + 1) * 20).collect::<Vec<_>>()
        );
        let feed = box_of(&system, slow.id, "feed");
        assert_eq!(feed.stats.capacity, Some(2));
        assert!(feed.stats.depth <= 2, "feed depth {}", feed.stats.depth);
        let inbox = box_of(&system, hub.id, "inbox");
        assert_eq!(inbox.stats.depth, 0, "the backplane keeps up");
        let state = system
            .snapshot()
            .components
            .into_iter()
            .find(|c| c.id == hub.id)
            .unwrap()
            .state;
        assert!(
            matches!(state, ComponentState::Receiving { .. }),
            "the backplane is never blocked, but is {state:?}"
        );
    }
    let total = u64::from(rounds * 20);
    let feed = box_of(&system, slow.id, "feed");
    assert_eq!(hub.stats.published(), total);
    assert!(hub.stats.missed() > 0, "the slow subscriber must miss some");
    assert_eq!(
        hub.stats.missed() + feed.stats.messages_in,
        total,
        "every copy for the slow subscriber was either delivered or counted as missed"
    );
    assert_eq!(
        hub.stats.subscribers(),
        2,
        "a slow subscriber is not dropped"
    );

    // What the slow subscriber did get is in order, and it resumes once its consumer reads.
    let first = slow.got.try_recv().unwrap();
    system.run_until_idle();
    let second = slow.got.try_recv().unwrap();
    assert!(first < second);
    publish(&mut p, [1000]);
    system.run_until_idle();
    let mut rest = Vec::new();
    while let Ok(m) = slow.got.try_recv() {
        rest.push(m);
        system.run_until_idle();
    }
    assert_eq!(
        rest.last(),
        Some(&1000),
        "a freed subscriber gets new messages"
    );
    assert!(rest.windows(2).all(|w| w[0] < w[1]), "{rest:?}");
    assert!(second < rest[0]);
}

/// Two backplanes with different names are independent.
#[test]
fn backplanes_with_different_names_are_independent() {
    let mut system = System::deterministic();
    let red = backplane(&system, "red");
    let blue = backplane(&system, "blue");
    let mut red_sub = subscriber(&system, "red");
    let mut blue_sub = subscriber(&system, "blue");
    let mut red_pub = publisher(&system, "red");
    let mut blue_pub = publisher(&system, "blue");
    system.run_until_idle();
    publish(&mut red_pub, [1, 2]);
    publish(&mut blue_pub, [10, 20, 30]);
    system.run_until_idle();
    assert_eq!(drain(&mut red_sub.got), [1, 2]);
    assert_eq!(drain(&mut blue_sub.got), [10, 20, 30]);
    assert_eq!((red.stats.published(), blue.stats.published()), (2, 3));
    assert_eq!((red.stats.subscribers(), blue.stats.subscribers()), (1, 1));
}

/// A publisher and a subscriber started before their backplane wait for it; once it is up nothing
/// published is lost, including what was given to the publisher while it waited.
#[test]
fn publisher_started_before_the_backplane_waits_for_it() {
    let mut system = System::deterministic();
    let mut p = publisher(&system, "late");
    system.run_until_idle();
    assert!(
        is_live(&system, p.id),
        "the publisher waits instead of failing"
    );
    publish(&mut p, [1, 2, 3]);
    system.run_until_idle();

    let hub = backplane(&system, "late");
    system.run_until_idle();
    assert_eq!(
        hub.stats.published(),
        3,
        "messages given while waiting are published"
    );
    let mut sub = subscriber(&system, "late");
    system.run_until_idle();
    publish(&mut p, 4..=8);
    system.run_until_idle();
    assert_eq!(drain(&mut sub.got), [4, 5, 6, 7, 8]);
    assert_eq!(hub.stats.published(), 8);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// A subscriber started before its backplane waits for it and then gets what is published.
#[test]
fn subscriber_started_before_the_backplane_waits_for_it() {
    let mut system = System::deterministic();
    let mut sub = subscriber(&system, "late");
    system.run_until_idle();
    assert!(is_live(&system, sub.id));
    let hub = backplane(&system, "late");
    let mut p = publisher(&system, "late");
    system.run_until_idle();
    assert_eq!(hub.stats.subscribers(), 1);
    publish(&mut p, [5, 6]);
    system.run_until_idle();
    assert_eq!(drain(&mut sub.got), [5, 6]);
}

/// Any `Control` on a backplane's `control` stops it and is passed on its `signal`; the name is
/// then free for a new backplane.
#[test]
fn backplane_stops_on_control_and_passes_it_on() {
    for control in [Control::Shutdown, Control::ProducerFinished] {
        let mut system = System::deterministic();
        let mut hub = backplane(&system, "news");
        system.run_until_idle();
        assert!(is_live(&system, hub.id));
        hub.stop.try_send(control.clone()).unwrap();
        system.run().unwrap();
        assert_eq!(hub.signal.try_recv(), Ok(control));
        assert!(!is_live(&system, hub.id));

        let again = backplane(&system, "news");
        system.run_until_idle();
        assert!(is_live(&system, again.id), "{:?}", system.failures());
    }
}

/// `ProducerFinished` drains: what was published before it reaches the subscribers before the
/// backplane ends; `Shutdown` drops what is still queued.
#[test]
fn backplane_producer_finished_delivers_what_was_published_first() {
    for (control, delivered) in [
        (Control::ProducerFinished, vec![1, 2, 3]),
        (Control::Shutdown, vec![]),
    ] {
        let mut system = System::deterministic();
        let mut hub = backplane(&system, "news");
        let mut a = subscriber(&system, "news");
        let mut p = publisher(&system, "news");
        system.run_until_idle();
        publish(&mut p, 1..=3);
        hub.stop.try_send(control.clone()).unwrap();
        system.run_until_idle();
        assert_eq!(drain(&mut a.got), delivered, "{control:?}");
        assert_eq!(hub.signal.try_recv(), Ok(control));
        assert!(!is_live(&system, hub.id));
    }
}

/// Subscribers that have left are dropped when another joins, even if nothing is published:
/// churn alone does not grow the list.
#[test]
fn subscribers_that_left_are_dropped_when_another_joins() {
    let mut system = System::deterministic();
    let hub = backplane(&system, "news");
    system.run_until_idle();
    for _ in 0..10 {
        let mut s = subscriber(&system, "news");
        system.run_until_idle();
        s.stop.try_send(Control::Shutdown).unwrap();
        system.run_until_idle();
        assert!(!is_live(&system, s.id));
    }
    let _last = subscriber(&system, "news");
    system.run_until_idle();
    assert_eq!(hub.stats.subscribers(), 1);
}

/// Publishers and subscribers stop on any `Control` and pass it on their `signal`.
#[test]
fn publisher_and_subscriber_stop_on_control_and_pass_it_on() {
    let mut system = System::deterministic();
    let _hub = backplane(&system, "news");
    let mut p = publisher(&system, "news");
    let mut s = subscriber(&system, "news");
    // A publisher and a subscriber still waiting for a backplane that never comes.
    let mut waiting_p = publisher(&system, "nowhere");
    let mut waiting_s = subscriber(&system, "nowhere");
    system.run_until_idle();
    p.stop.try_send(Control::ProducerFinished).unwrap();
    s.stop.try_send(Control::Shutdown).unwrap();
    waiting_p.stop.try_send(Control::Shutdown).unwrap();
    waiting_s.stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(p.signal.try_recv(), Ok(Control::ProducerFinished));
    assert_eq!(s.signal.try_recv(), Ok(Control::Shutdown));
    assert_eq!(waiting_p.signal.try_recv(), Ok(Control::Shutdown));
    assert_eq!(waiting_s.signal.try_recv(), Ok(Control::ProducerFinished));
    for id in [p.id, s.id, waiting_p.id, waiting_s.id] {
        assert!(!is_live(&system, id));
    }
    assert_eq!(s.got.try_recv(), Err(TryRecvError::Empty));
}

/// A publisher whose message type differs from its backplane's fails, naming both types (on
/// `signal` too), instead of waiting forever or publishing into the wrong hub.
#[test]
fn publisher_of_another_message_type_fails_naming_both_types() {
    let mut system = System::deterministic();
    let hub = backplane(&system, "news");
    let wrong = PublishTo::<String>::new("news");
    let mut signal = Inbox::new();
    axon::link(&wrong.signal, &signal).unwrap();
    let wrong = system.spawn(wrong);
    system.run_until_idle();
    assert!(!is_live(&system, wrong));
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].id, wrong);
    let what = &failures[0].what;
    assert!(what.contains("u32") && what.contains("String"), "{what}");
    assert!(is_live(&system, hub.id), "the backplane is unaffected");
    // Whatever listens on its signal learns the same reason.
    let Ok(Control::Failed(said)) = signal.try_recv() else {
        panic!("expected Failed on signal");
    };
    assert!(what.contains(&*said), "{said} / {what}");
}

/// When a backplane ends, its subscribers are told with the message that ended it:
/// `ProducerFinished` lets each send on the copies it holds first, then pass it on and end;
/// `Shutdown` ends them at once. Before this, a subscriber waited for ever on a feed that
/// nothing would fill again.
#[test]
fn subscribers_are_told_when_the_backplane_ends() {
    for control in [Control::ProducerFinished, Control::Shutdown] {
        let mut system = System::deterministic();
        let mut hub = backplane(&system, "news");
        let mut p = publisher(&system, "news");
        // A receiver with room for one: the other copies wait in the subscriber's feed.
        let mut s = subscriber_into(&system, SubscribeTo::new("news"), Inbox::with_capacity(1));
        system.run_until_idle();
        publish(&mut p, 1..=3);
        system.run_until_idle();
        assert_eq!(drain(&mut s.got), [1]);
        hub.stop.try_send(control.clone()).unwrap();
        system.run_until_idle();
        assert_eq!(hub.signal.try_recv(), Ok(control.clone()));
        if control == Control::ProducerFinished {
            // Still sending on what it held, one at a time as room appears.
            assert!(is_live(&system, s.id));
            assert_eq!(drain(&mut s.got), [2]);
            system.run_until_idle();
            assert_eq!(drain(&mut s.got), [3]);
            system.run_until_idle();
        }
        assert_eq!(s.signal.try_recv(), Ok(control.clone()), "{control:?}");
        assert!(!is_live(&system, s.id), "{control:?}");
    }
}

/// The notice that a backplane has ended does not depend on room in a subscriber's `control`:
/// one whose `control` is full as the backplane ends with `Shutdown` still stops at once (the
/// `ProducerFinished` that filled it only lets it finish what it holds) and passes the
/// `Shutdown` on. Before, the notice was offered to that full `control` and missed, and the
/// subscriber waited for room for ever.
#[test]
fn a_subscriber_whose_control_is_full_is_still_told_when_the_backplane_ends() {
    let mut system = System::deterministic();
    let mut hub = backplane(&system, "news");
    let mut p = publisher(&system, "news");
    let sub = SubscribeTo::new("news");
    sub.control.set_capacity(Some(1));
    // A receiver with room for one that takes nothing: the subscriber waits for room.
    let mut s = subscriber_into(&system, sub, Inbox::with_capacity(1));
    system.run_until_idle();
    publish(&mut p, 1..=3);
    system.run_until_idle();
    hub.stop.try_send(Control::Shutdown).unwrap();
    s.stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(hub.signal.try_recv(), Ok(Control::Shutdown));
    assert_eq!(s.signal.try_recv(), Ok(Control::Shutdown));
    assert!(!is_live(&system, s.id));
    assert_eq!(drain(&mut s.got), [1]);
}

/// When a backplane ends on a `Control`, its publishers are told too: each passes that message
/// on its `signal` and ends (nothing given to it could be published any more).
#[test]
fn publishers_are_told_when_the_backplane_ends() {
    for control in [Control::ProducerFinished, Control::Shutdown] {
        let mut system = System::deterministic();
        let mut hub = backplane(&system, "news");
        let mut ps = [publisher(&system, "news"), publisher(&system, "news")];
        system.run_until_idle();
        publish(&mut ps[0], [1]);
        system.run_until_idle();
        hub.stop.try_send(control.clone()).unwrap();
        system.run_until_idle();
        assert_eq!(hub.signal.try_recv(), Ok(control.clone()));
        for p in &mut ps {
            assert_eq!(p.signal.try_recv(), Ok(control.clone()), "{control:?}");
            assert!(!is_live(&system, p.id), "{control:?}");
        }
        assert_eq!(hub.stats.published(), 1);
        assert!(system.failures().is_empty(), "{:?}", system.failures());
    }
}

/// Runs a backplane as its child, and cancels it when told: a backplane that ends without
/// saying so (as one that panics or fails would).
#[derive(axon::Boxes)]
struct Host {
    /// Any message cancels the backplane.
    cancel: Inbox<()>,
    #[boxes(skip)]
    name: &'static str,
}

impl axon::Component for Host {
    async fn run(mut self, mut ctx: axon::Context) -> Result<(), axon::Error> {
        let id = ctx.spawn(Backplane::<u32>::new(self.name));
        self.cancel.recv().await;
        ctx.cancel_child(id);
        ctx.next_child_exit().await;
        Ok(())
    }
}

/// Starts a backplane named `name` inside a [`Host`]; the outbox cancels it.
fn cancellable_backplane(system: &System, name: &'static str) -> Outbox<()> {
    let host = Host {
        cancel: Inbox::new(),
        name,
    };
    let cancel = Outbox::new();
    axon::link(&cancel, &host.cancel).unwrap();
    system.spawn(host);
    cancel
}

/// Checks that the only failure is component `id`'s, naming `kind`, itself and the backplane
/// `name`, and that it said the same, as `Failed`, on `signal`.
fn failed_naming_the_backplane(
    system: &System,
    id: ComponentId,
    signal: &mut Inbox<Control>,
    kind: &str,
    name: &str,
) {
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    let f = &failures[0];
    assert_eq!(f.id, id);
    assert!(
        f.what.contains(kind) && f.what.contains(&f.name) && f.what.contains(name),
        "{f:?}"
    );
    let Ok(Control::Failed(said)) = signal.try_recv() else {
        panic!("expected Failed on signal");
    };
    assert!(f.what.ends_with(&*said), "{said} / {}", f.what);
}

/// A backplane that ends without saying so (here: cancelled) still ends its subscribers: each
/// sends `Failed` naming itself and the backplane on `signal` and ends with that error.
#[test]
fn a_subscriber_fails_naming_a_backplane_that_ended_without_saying_so() {
    let mut system = System::deterministic();
    let mut cancel = cancellable_backplane(&system, "news");
    let mut s = subscriber(&system, "news");
    system.run_until_idle();
    assert!(is_live(&system, s.id));
    cancel.try_send(()).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, s.id));
    failed_naming_the_backplane(&system, s.id, &mut s.signal, "SubscribeTo", "news");
}

/// A backplane that ends without saying so (here: cancelled) leaves its publishers nowhere to
/// publish: each sends `Failed` naming itself and the backplane on `signal` and ends with that
/// error, as a component whose receiver has ended does.
#[test]
fn a_publisher_fails_naming_a_backplane_that_ended_without_saying_so() {
    let mut system = System::deterministic();
    let mut cancel = cancellable_backplane(&system, "news");
    let mut p = publisher(&system, "news");
    system.run_until_idle();
    assert!(is_live(&system, p.id));
    cancel.try_send(()).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, p.id));
    failed_naming_the_backplane(&system, p.id, &mut p.signal, "PublishTo", "news");
}

/// A subscriber whose receiver takes nothing still stops on `Shutdown`: `control` is watched
/// while a copy waits for room (a `ProducerFinished` meanwhile only lets it finish what it has).
#[test]
fn subscriber_stops_on_shutdown_while_waiting_for_room() {
    let mut system = System::deterministic();
    let _hub = backplane(&system, "news");
    let mut p = publisher(&system, "news");
    let mut s = subscriber_into(&system, SubscribeTo::new("news"), Inbox::with_capacity(1));
    system.run_until_idle();
    publish(&mut p, 1..=3);
    s.stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(is_live(&system, s.id), "waiting for room");
    assert_eq!(s.signal.try_recv(), Err(TryRecvError::Empty));
    s.stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(s.signal.try_recv(), Ok(Control::Shutdown));
    assert!(!is_live(&system, s.id));
    assert_eq!(drain(&mut s.got), [1]);
}

/// Takes one message, then ends.
#[derive(axon::Boxes)]
struct TakesOne {
    /// The one message.
    inbox: Inbox<u32>,
}

impl axon::Component for TakesOne {
    async fn run(mut self, _ctx: axon::Context) -> Result<(), axon::Error> {
        self.inbox.recv().await;
        Ok(())
    }
}

/// A subscriber whose receiver has ended says so on `signal` (`Failed`, naming itself and the
/// box) and ends with that error.
#[test]
fn subscriber_whose_receiver_ended_says_failed() {
    let mut system = System::deterministic();
    let _hub = backplane(&system, "news");
    let mut p = publisher(&system, "news");
    let sub = SubscribeTo::<u32>::new("news");
    let taker = TakesOne {
        inbox: Inbox::new(),
    };
    axon::link(&sub.outbox, &taker.inbox).unwrap();
    let (mut stop, mut signal) = (Outbox::new(), Inbox::new());
    axon::link(&stop, &sub.control).unwrap();
    axon::link(&sub.signal, &signal).unwrap();
    let id = system.spawn(sub);
    system.spawn(taker);
    system.run_until_idle();
    publish(&mut p, [1]);
    system.run_until_idle();
    publish(&mut p, [2]);
    system.run_until_idle();
    assert!(!is_live(&system, id));
    let Ok(Control::Failed(reason)) = signal.try_recv() else {
        panic!("expected Failed on signal");
    };
    assert!(
        reason.contains("SubscribeTo") && reason.contains("outbox"),
        "{reason}"
    );
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].id, id);
    stop.try_send(Control::Shutdown).ok();
}

/// A subscriber whose joining is still queued when the backplane ends is told as well: it
/// does not wait for ever on a feed that nothing will fill.
#[test]
fn a_subscriber_still_joining_when_the_backplane_ends_is_told() {
    let mut system = System::deterministic();
    let mut hub = backplane(&system, "news");
    system.run_until_idle();
    let mut s = subscriber(&system, "news");
    hub.stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(hub.signal.try_recv(), Ok(Control::Shutdown));
    assert_eq!(s.signal.try_recv(), Ok(Control::Shutdown));
    assert!(!is_live(&system, s.id));
}

/// `ProducerFinished` drains what the feed holds, not "until the feed is empty": with the
/// backplane still publishing as fast as the receiver takes, the subscriber still ends.
#[test]
fn a_finishing_subscriber_ends_while_publishing_goes_on() {
    let mut system = System::deterministic();
    let _hub = backplane(&system, "news");
    let mut p = publisher(&system, "news");
    let mut s = subscriber_into(&system, SubscribeTo::new("news"), Inbox::with_capacity(1));
    system.run_until_idle();
    publish(&mut p, 1..=3);
    system.run_until_idle();
    s.stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    let mut got = Vec::new();
    for next in 4..14 {
        got.extend(drain(&mut s.got));
        publish(&mut p, [next]);
        system.run_until_idle();
        if !is_live(&system, s.id) {
            break;
        }
    }
    assert!(!is_live(&system, s.id), "still sending on: {got:?}");
    assert_eq!(s.signal.try_recv(), Ok(Control::ProducerFinished));
    got.extend(drain(&mut s.got));
    assert_eq!(got[..3], [1, 2, 3], "what it held went first, in order");
}
