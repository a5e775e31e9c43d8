//! Boxes: capacity and backpressure, who is woken when, closed inboxes, the receive and blocking
//! forms, box metadata from `#[derive(Boxes)]` and the figures in `System::snapshot`.
//!
//! Ports from Kamaelia's Axon unit tests (reference §6.2):
//! * **test_Component**, wake-up rules — a paused component with nothing happening stays paused;
//!   a consumer is woken when a message is delivered to its inbox; a producer is not woken by its
//!   own send; a producer is woken when the consumer collects; in an outbox→inbox→inbox→inbox
//!   chain only the final destination's owner is woken on delivery; on collection every producer
//!   of the chain is woken and no owner of an intermediate inbox; after a link is broken the
//!   producer that left is not woken; re-linking restores its wake-ups. Also `dataReady`/`recv`
//!   (oldest first) and `send`.
//! * **§1.4** — `recv()` on a passthrough-linked inbox no longer steals from downstream;
//!   bounded inboxes; closed inboxes hand the message back.
//! * **test_util / test___str__** — box listing as `box_infos` (`testInterface`'s view of a
//!   component's boxes).
//!
//! Deliberately left out:
//! * "An outbox newly linked into the chain after a message was sent is also woken when that
//!   message is collected": Kamaelia woke every outbox owner on every collection; here only a
//!   sender actually waiting for space is woken, so the rule has no counterpart.
//! * test_ThreadedComponent's outqueue sizes (Q+B messages before `noSpaceInBox`): threaded
//!   components send straight into the destination; there is no internal queue.
//! * Exact `__str__` formats and `setShowTransit` (Python-only debugging surface).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Waker};

use axon::blocking::block_on;
use axon::model::ComponentSnapshot;
use axon::{
    box_infos, forward_inbox, forward_outbox, link, BoxInfo, BoxStats, Boxes, Component,
    ComponentId, ComponentState, Context, Control, Direction, Error, Inbox, Outbox, SendError,
    System, TryRecvError, TrySendError, DEFAULT_CAPACITY,
};

/// Sends `control` counts of numbers (0, 1, 2, ...); a count of 0 ends it.
#[derive(Boxes)]
struct Producer {
    /// The numbers.
    outbox: Outbox<u32>,
    /// How many more to send.
    control: Inbox<u32>,
    /// How many have been sent so far.
    progress: Arc<AtomicU32>,
}

impl Producer {
    fn new() -> Self {
        Producer {
            outbox: Outbox::new(),
            control: Inbox::new(),
            progress: Arc::default(),
        }
    }
}

impl Component for Producer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut next = 0;
        while let Some(n) = self.control.recv().await {
            if n == 0 {
                break;
            }
            for _ in 0..n {
                self.outbox.send(next).await?;
                next += 1;
                self.progress.store(next, Ordering::SeqCst);
            }
        }
        Ok(())
    }
}

/// Logs every message it receives, forever.
#[derive(Boxes)]
struct Listener {
    /// Logged messages.
    inbox: Inbox<u32>,
    log: Arc<Mutex<Vec<u32>>>,
}

impl Component for Listener {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while let Some(m) = self.inbox.recv().await {
            self.log.lock().unwrap().push(m);
        }
        Ok(())
    }
}

/// Never reads its inbox; on any message on `control` it hands its inbox out (if asked) and ends.
#[derive(Boxes)]
struct Sink {
    /// Never read.
    inbox: Inbox<u32>,
    /// Ends it.
    control: Inbox<()>,
    stash: Option<Arc<Mutex<Option<Inbox<u32>>>>>,
}

impl Component for Sink {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        self.control.recv().await;
        if let Some(stash) = self.stash {
            *stash.lock().unwrap() = Some(self.inbox);
        }
        Ok(())
    }
}

fn listener(log: &Arc<Mutex<Vec<u32>>>) -> Listener {
    Listener {
        inbox: Inbox::new(),
        log: Arc::clone(log),
    }
}

fn sink(capacity: usize) -> Sink {
    Sink {
        inbox: Inbox::with_capacity(capacity),
        control: Inbox::new(),
        stash: None,
    }
}

fn component(system: &System, id: ComponentId) -> ComponentSnapshot {
    let snap = system.snapshot();
    snap.components
        .into_iter()
        .find(|c| c.id == id)
        .expect("component is live")
}

fn state(system: &System, id: ComponentId) -> ComponentState {
    component(system, id).state
}

fn stats(system: &System, id: ComponentId, name: &str) -> BoxStats {
    let c = component(system, id);
    c.boxes
        .into_iter()
        .find(|b| b.info.name == name)
        .expect("box exists")
        .stats
}

fn sending() -> ComponentState {
    ComponentState::Sending {
        outbox: "outbox".into(),
    }
}

fn receiving(inbox: &str) -> ComponentState {
    ComponentState::Receiving {
        inbox: inbox.into(),
    }
}

/// Adopts `p` as "producer" with its outbox leading to `dst`, starts it and returns its id and
/// the outbox that commands it.
fn start_producer_with(
    system: &System,
    p: Producer,
    dst: &Inbox<u32>,
) -> (ComponentId, Outbox<u32>) {
    let p = system.adopt_named("producer", p);
    let cmd = Outbox::new();
    link(&cmd, &p.control).unwrap();
    link(&p.outbox, dst).unwrap();
    (system.activate(p), cmd)
}

fn start_producer(system: &System, dst: &Inbox<u32>) -> (ComponentId, Outbox<u32>) {
    start_producer_with(system, Producer::new(), dst)
}

/// A consumer waiting on its inbox is woken by a delivery, and by nothing else.
#[test]
fn a_consumer_waiting_on_its_inbox_is_woken_by_a_delivery() {
    let mut system = System::deterministic();
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = system.adopt(listener(&log));
    let mut input = Outbox::new();
    link(&input, &l.inbox).unwrap();
    let id = system.activate(l);
    system.run_until_idle();
    assert_eq!(state(&system, id), receiving("inbox"));
    assert!(!system.step(), "nothing to do without a message");
    input.try_send(5).unwrap();
    assert!(system.step(), "the delivery made it runnable");
    assert_eq!(*log.lock().unwrap(), [5]);
    assert!(!system.step());
}

/// A component with nothing happening stays paused, even as virtual time passes.
#[test]
fn a_component_with_nothing_happening_stays_paused() {
    let mut system = System::deterministic();
    let dst = Inbox::new();
    let (id, _cmd) = start_producer(&system, &dst);
    assert_eq!(system.run_until_idle(), 1);
    system.advance(std::time::Duration::from_secs(3600));
    assert!(!system.step());
    assert_eq!(state(&system, id), receiving("control"));
}

/// A producer is not woken by its own sends: asked to send three, it is polled exactly once.
#[test]
fn a_producer_is_not_woken_by_its_own_send() {
    let mut system = System::deterministic();
    let dst = Inbox::new();
    let (id, mut cmd) = start_producer(&system, &dst);
    system.run_until_idle();
    cmd.try_send(3).unwrap();
    assert_eq!(system.run_until_idle(), 1);
    assert_eq!(dst.len(), 3);
    assert_eq!(state(&system, id), receiving("control"));
}

/// A producer blocked on a full inbox shows `Sending` and is woken once when a message is taken.
#[test]
fn a_producer_blocked_on_a_full_inbox_is_woken_when_a_message_is_taken() {
    let mut system = System::deterministic();
    let mut dst = Inbox::with_capacity(2);
    let (id, mut cmd) = start_producer(&system, &dst);
    cmd.try_send(5).unwrap();
    system.run_until_idle();
    assert_eq!((dst.len(), state(&system, id)), (2, sending()));
    assert!(!system.step(), "blocked, not spinning");
    assert_eq!(dst.try_recv(), Ok(0));
    assert_eq!(system.run_until_idle(), 1);
    assert_eq!((dst.len(), state(&system, id)), (2, sending()));
    assert_eq!((dst.try_recv(), dst.try_recv()), (Ok(1), Ok(2)));
    system.run_until_idle();
    assert_eq!((dst.try_recv(), dst.try_recv()), (Ok(3), Ok(4)));
    assert_eq!(state(&system, id), receiving("control"));
}

/// In an outbox→inbox→inbox→inbox chain only the final inbox's owner is woken on delivery.
#[test]
fn only_the_final_inbox_owner_of_a_chain_is_woken_on_delivery() {
    let mut system = System::deterministic();
    let logs: [Arc<Mutex<Vec<u32>>>; 3] = Default::default();
    let [a, b, c] = [0, 1, 2].map(|i| system.adopt(listener(&logs[i])));
    let mut input = Outbox::new();
    link(&input, &a.inbox).unwrap();
    forward_inbox(&a.inbox, &b.inbox).unwrap();
    forward_inbox(&b.inbox, &c.inbox).unwrap();
    let ids = [a, b, c].map(|l| system.activate(l));
    system.run_until_idle();
    input.try_send(9).unwrap();
    assert_eq!(system.run_until_idle(), 1, "exactly one component polled");
    let got = logs.each_ref().map(|l| l.lock().unwrap().clone());
    assert_eq!(got, [vec![], vec![], vec![9]]);
    assert!(ids
        .iter()
        .all(|&id| state(&system, id) == receiving("inbox")));
}

/// Collection wakes every producer blocked on the destination and no intermediate inbox owner.
#[test]
fn collection_wakes_every_blocked_producer_and_no_intermediate_inbox_owner() {
    let mut system = System::deterministic();
    let mut dst = Inbox::with_capacity(1);
    let log = Arc::new(Mutex::new(Vec::new()));
    let middle = system.adopt(listener(&log));
    forward_inbox(&middle.inbox, &dst).unwrap();
    let relay: Outbox<u32> = Outbox::new();
    link(&relay, &dst).unwrap();
    let mut cmds = Vec::new();
    let mut ids = Vec::new();
    for way in 0..3 {
        let p = system.adopt(Producer::new());
        match way {
            0 => link(&p.outbox, &dst),
            1 => forward_outbox(&p.outbox, &relay),
            _ => link(&p.outbox, &middle.inbox),
        }
        .unwrap();
        let cmd = Outbox::new();
        link(&cmd, &p.control).unwrap();
        cmds.push(cmd);
        ids.push(system.activate(p));
    }
    let middle = system.activate(middle);
    cmds.iter_mut().for_each(|c| c.try_send(5).unwrap());
    system.run_until_idle();
    assert_eq!(dst.len(), 1);
    assert!(ids.iter().all(|&id| state(&system, id) == sending()));
    dst.try_recv().unwrap();
    assert_eq!(
        system.run_until_idle(),
        3,
        "the three producers, and nobody else"
    );
    assert_eq!(dst.len(), 1);
    assert!(ids.iter().all(|&id| state(&system, id) == sending()));
    assert!(log.lock().unwrap().is_empty());
    assert_eq!(state(&system, middle), receiving("inbox"));
}

/// A producer that left a chain is not woken by its collection; relinking restores wake-ups.
#[test]
fn a_producer_that_left_the_chain_is_not_woken_and_relinking_restores_its_wakeups() {
    let mut system = System::deterministic();
    let mut dst = Inbox::with_capacity(1);
    let p = system.adopt_named("producer", Producer::new());
    let out = p.outbox.handle();
    let mut cmd = Outbox::new();
    link(&cmd, &p.control).unwrap();
    let l = link(&out, &dst).unwrap();
    let id = system.activate(p);
    cmd.try_send(3).unwrap();
    system.run_until_idle();
    assert_eq!(state(&system, id), sending());
    l.unlink();
    assert_eq!(
        system.run_until_idle(),
        1,
        "woken once to find it is unlinked"
    );
    assert_eq!(state(&system, id), receiving("control"));
    assert_eq!(stats(&system, id, "outbox").depth, 2, "1 and 2 are held");
    assert_eq!(dst.try_recv(), Ok(0));
    assert_eq!(system.run_until_idle(), 0);
    link(&out, &dst).unwrap();
    assert_eq!(dst.len(), 2, "held messages flushed, above the capacity");
    cmd.try_send(1).unwrap();
    system.run_until_idle();
    assert_eq!(state(&system, id), sending());
    assert_eq!(dst.try_recv(), Ok(1));
    assert_eq!(system.run_until_idle(), 0, "still at capacity");
    assert_eq!(dst.try_recv(), Ok(2));
    assert_eq!(system.run_until_idle(), 1);
    assert_eq!(
        (dst.try_recv(), state(&system, id)),
        (Ok(3), receiving("control"))
    );
}

/// Takes `n` messages, logging each with the producer's progress at that moment.
#[derive(Boxes)]
struct Consumer {
    /// Bounded input.
    inbox: Inbox<u32>,
    n: u32,
    progress: Arc<AtomicU32>,
    log: Arc<Mutex<Vec<(u32, u32)>>>,
}

impl Component for Consumer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for _ in 0..self.n {
            let m = self
                .inbox
                .recv()
                .await
                .ok_or_else(|| Error::msg("closed"))?;
            let sent = self.progress.load(Ordering::SeqCst);
            self.log.lock().unwrap().push((m, sent));
        }
        Ok(())
    }
}

/// A fast producer never gets more than the consumer's inbox capacity ahead of it.
#[test]
fn backpressure_keeps_a_fast_producer_within_the_consumer_inbox_capacity() {
    let mut system = System::deterministic();
    let producer = Producer::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let consumer = system.adopt(Consumer {
        inbox: Inbox::with_capacity(2),
        n: 100,
        progress: Arc::clone(&producer.progress),
        log: Arc::clone(&log),
    });
    let (_, mut cmd) = start_producer_with(&system, producer, &consumer.inbox);
    system.activate(consumer);
    cmd.try_send(100).unwrap();
    cmd.try_send(0).unwrap();
    system.run().unwrap();
    let log = log.lock().unwrap();
    assert_eq!(
        log.iter().map(|e| e.0).collect::<Vec<_>>(),
        (0..100).collect::<Vec<_>>()
    );
    for (taken, &(_, sent)) in (1..).zip(log.iter()) {
        assert!(sent <= taken + 2, "producer {sent} sent when {taken} taken");
    }
}

/// Sending, in any form, into an ended component's inbox fails `Closed` with the message back.
#[test]
fn sending_into_an_inbox_whose_component_ended_fails_closed_with_the_message() {
    let mut system = System::deterministic();
    let s = system.adopt(sink(4));
    let (mut out, mut stop) = (Outbox::new(), Outbox::new());
    link(&out, &s.inbox).unwrap();
    link(&stop, &s.control).unwrap();
    let handle = s.inbox.handle();
    system.activate(s);
    out.try_send(1).unwrap();
    assert!(!handle.is_closed());
    stop.try_send(()).unwrap();
    system.run_until_idle();
    assert!(handle.is_closed());
    assert_eq!(out.try_send(2), Err(TrySendError::Closed(2)));
    assert_eq!(block_on(out.send(3)).map_err(SendError::into_inner), Err(3));
    assert_eq!(handle.try_send(4), Err(TrySendError::Closed(4)));
    assert_eq!(block_on(handle.send(5)), Err(SendError::Closed(5)));
    assert_eq!(out.send_blocking(6), Err(SendError::Closed(6)));
}

/// A producer waiting on a full inbox is woken when the consumer ends, and fails with `Closed`.
#[test]
fn a_producer_blocked_on_a_consumer_that_ends_fails_with_closed() {
    let mut system = System::deterministic();
    let s = system.adopt(sink(1));
    let mut stop = Outbox::new();
    link(&stop, &s.control).unwrap();
    let (id, mut cmd) = start_producer(&system, &s.inbox);
    system.activate(s);
    cmd.try_send(3).unwrap();
    system.run_until_idle();
    assert_eq!(state(&system, id), sending());
    stop.try_send(()).unwrap();
    system.run_until_idle();
    assert_eq!(system.live(), 0);
    let failures = system.failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(
        (failures[0].id, failures[0].name.as_str()),
        (id, "producer")
    );
    assert!(
        failures[0].what.contains("closed"),
        "{:?}",
        failures[0].what
    );
}

/// `recv_many` takes at most `max` messages, oldest first, and taking wakes a blocked producer.
#[test]
fn recv_many_takes_at_most_max_in_order_and_wakes_a_blocked_producer() {
    let mut system = System::deterministic();
    let mut dst = Inbox::with_capacity(4);
    let (id, mut cmd) = start_producer(&system, &dst);
    cmd.try_send(10).unwrap();
    system.run_until_idle();
    let mut buf = Vec::new();
    assert_eq!(dst.recv_many(&mut buf, 3), 3);
    assert_eq!(buf, [0, 1, 2]);
    assert_eq!(system.run_until_idle(), 1);
    assert_eq!(dst.recv_many(&mut buf, 0), 0);
    assert_eq!(dst.recv_many(&mut buf, 100), 4);
    system.run_until_idle();
    assert_eq!(dst.recv_many(&mut buf, 100), 3);
    assert_eq!(buf, (0..10).collect::<Vec<_>>());
    assert_eq!(dst.recv_many(&mut buf, 100), 0);
    assert_eq!(state(&system, id), receiving("control"));
}

/// `try_recv` is `Empty` on an open inbox and `Closed` once its component has ended.
#[test]
fn try_recv_is_empty_while_open_and_closed_once_the_owner_ended() {
    let mut open: Inbox<u32> = Inbox::new();
    assert_eq!(open.try_recv(), Err(TryRecvError::Empty));
    let mut system = System::deterministic();
    let stash = Arc::new(Mutex::new(None));
    let s = system.adopt(Sink {
        stash: Some(Arc::clone(&stash)),
        ..sink(4)
    });
    let (mut out, mut stop) = (Outbox::new(), Outbox::new());
    link(&out, &s.inbox).unwrap();
    link(&stop, &s.control).unwrap();
    system.activate(s);
    out.try_send(1).unwrap();
    out.try_send(2).unwrap();
    stop.try_send(()).unwrap();
    system.run_until_idle();
    let mut inbox = stash
        .lock()
        .unwrap()
        .take()
        .expect("the sink handed its inbox out");
    assert_eq!(inbox.len(), 0, "waiting messages discarded on close");
    assert_eq!(inbox.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(inbox.recv_blocking(), None);
}

/// `send_blocking`/`recv_blocking` carry every message across threads, each source in order.
#[test]
fn recv_blocking_and_send_blocking_carry_messages_across_threads_in_order() {
    let mut inbox = Inbox::with_capacity(1);
    let mut out = Outbox::new();
    link(&out, &inbox).unwrap();
    let handle = inbox.handle();
    let a = std::thread::spawn(move || (0..500).for_each(|i| out.send_blocking(i).unwrap()));
    let b = std::thread::spawn(move || (500..1000).for_each(|i| handle.send_blocking(i).unwrap()));
    let got: Vec<u32> = (0..1000).map(|_| inbox.recv_blocking().unwrap()).collect();
    a.join().unwrap();
    b.join().unwrap();
    let first: Vec<u32> = got.iter().copied().filter(|&m| m < 500).collect();
    let second: Vec<u32> = got.iter().copied().filter(|&m| m >= 500).collect();
    assert_eq!(first, (0..500).collect::<Vec<_>>());
    assert_eq!(second, (500..1000).collect::<Vec<_>>());
    assert!(inbox.is_empty());
}

/// A forwarded inbox gives nothing to its own receive calls (no stealing from downstream).
#[test]
fn a_forwarded_inbox_gives_nothing_to_its_own_recv() {
    let (mut out, mut outer, mut inner) = (Outbox::new(), Inbox::new(), Inbox::new());
    link(&out, &outer).unwrap();
    forward_inbox(&outer, &inner).unwrap();
    out.try_send(1).unwrap();
    outer.handle().try_send(2).unwrap();
    assert_eq!(outer.try_recv(), Err(TryRecvError::Empty));
    assert!(outer
        .poll_recv(&mut TaskContext::from_waker(Waker::noop()))
        .is_pending());
    assert_eq!(outer.recv_many(&mut Vec::new(), 10), 0);
    assert_eq!((inner.try_recv(), inner.try_recv()), (Ok(1), Ok(2)));
}

/// Documented boxes for the metadata tests.
#[derive(Boxes)]
struct Described {
    /// Numbers to add,
    /// one at a time.
    inbox: Inbox<u64>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Totals, as text.
    #[boxes(name = "result")]
    outbox: Outbox<String>,
    /// Not listed.
    #[boxes(skip)]
    scratch: Inbox<u8>,
    undocumented: Outbox<Vec<u8>>,
    count: u32,
}

fn described() -> Described {
    Described {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        scratch: Inbox::new(),
        undocumented: Outbox::new(),
        count: 0,
    }
}

fn info(
    name: &'static str,
    direction: Direction,
    type_name: &'static str,
    doc: &'static str,
) -> BoxInfo {
    BoxInfo {
        name: name.into(),
        direction,
        type_name,
        doc: doc.into(),
    }
}

/// `#[derive(Boxes)]` lists names, directions, types and docs, honouring `skip` and `name`.
#[test]
fn derive_boxes_lists_names_directions_types_and_docs() {
    use std::any::type_name;
    let d = described();
    assert_eq!(d.count, 0);
    assert_eq!(
        box_infos(&d),
        [
            info(
                "inbox",
                Direction::Inbox,
                type_name::<u64>(),
                "Numbers to add, one at a time."
            ),
            info(
                "control",
                Direction::Inbox,
                type_name::<Control>(),
                "Stop requests."
            ),
            info(
                "result",
                Direction::Outbox,
                type_name::<String>(),
                "Totals, as text."
            ),
            info(
                "undocumented",
                Direction::Outbox,
                type_name::<Vec<u8>>(),
                ""
            ),
        ]
    );
}

/// Registered boxes appear in the snapshot and are named `component.box` by their listed names.
#[test]
fn registered_boxes_carry_their_listed_names() {
    let system = System::deterministic();
    let d = system.adopt_named("described", described());
    let listed = component(&system, d.id())
        .boxes
        .into_iter()
        .map(|b| b.info)
        .collect::<Vec<_>>();
    assert_eq!(listed, box_infos(&*d));
    assert_eq!(d.outbox.name(), "described.result");
    assert_eq!(d.inbox.name(), "described.inbox");
    assert!(
        !d.scratch.name().contains("scratch"),
        "{}",
        d.scratch.name()
    );
}

/// Forwards `control` counts of messages from its inbox to its outbox.
#[derive(Boxes)]
struct Relay {
    /// Messages to pass on.
    inbox: Inbox<u32>,
    /// How many to pass on.
    control: Inbox<usize>,
    /// Passed-on messages.
    outbox: Outbox<u32>,
}

impl Component for Relay {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while let Some(n) = self.control.recv().await {
            for _ in 0..n {
                let Some(m) = self.inbox.recv().await else {
                    return Ok(());
                };
                self.outbox.send(m).await?;
            }
        }
        Ok(())
    }
}

/// The snapshot shows each box's depth, capacity, messages in and out, and discards.
#[test]
fn box_stats_count_depth_capacity_messages_and_discards() {
    let mut system = System::deterministic();
    let r = system.adopt(Relay {
        inbox: Inbox::with_capacity(8),
        control: Inbox::new(),
        outbox: Outbox::with_hold_capacity(3),
    });
    let (mut input, mut cmd) = (Outbox::new(), Outbox::new());
    link(&input, &r.inbox).unwrap();
    link(&cmd, &r.control).unwrap();
    let out = r.outbox.handle();
    let id = system.activate(r);
    (0..5).for_each(|i| input.try_send(i).unwrap());
    cmd.try_send(4).unwrap();
    system.run_until_idle();
    let s = |name| stats(&system, id, name);
    let figures = |depth, capacity, messages_in, messages_out, discarded| BoxStats {
        depth,
        capacity,
        messages_in,
        messages_out,
        discarded,
    };
    assert_eq!(s("inbox"), figures(1, Some(8), 5, 4, 0));
    assert_eq!(s("control"), figures(0, Some(DEFAULT_CAPACITY), 1, 1, 0));
    assert_eq!(
        s("outbox"),
        figures(3, Some(3), 4, 0, 1),
        "3 held, 1 discarded"
    );
    let mut dst = Inbox::new();
    link(&out, &dst).unwrap();
    assert_eq!(stats(&system, id, "outbox"), figures(0, Some(3), 4, 3, 1));
    assert_eq!(
        std::iter::from_fn(|| dst.try_recv().ok()).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}
