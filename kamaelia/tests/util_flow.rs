//! Fan-out and flow control: Fanout, TwoWaySplitter, PlugSplitter and Plug, LossyConnector,
//! PromptedTurnstile, MessageRateLimit, ByteRateRequestControl, Clock and TwoWayBalancer.
//!
//! Everything runs on `System::deterministic()`; time moves only with `advance`.

mod common;

use std::time::Duration;

use axon::{
    next_event, AsInbox, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System,
    TrySendError,
};
use common::{drain, only_failure};
use kamaelia::util::flow::{
    ByteRateRequestControl, Clock, Fanout, LossyConnector, MessageRateLimit, Plug, PlugSplitter,
    PromptedTurnstile, SinkId, SlowSink, SplitterConfig, TwoWayBalancer, TwoWaySplitter,
};

// ---------------------------------------------------------------------------------------------
// Helpers

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sends every item, letting the system run whenever the destination is full.
fn feed<T: Send + 'static>(
    system: &mut System,
    out: &mut Outbox<T>,
    items: impl IntoIterator<Item = T>,
) {
    for item in items {
        let mut item = item;
        loop {
            match out.try_send(item) {
                Ok(()) => break,
                Err(TrySendError::Full(m)) => {
                    item = m;
                    assert!(
                        system.run_until_idle() > 0,
                        "feed: the destination never drains"
                    );
                }
                Err(e) => panic!("feed: {e}"),
            }
        }
    }
}

/// An outbox linked to `to`.
fn sender<T: Send + 'static>(to: &Inbox<T>) -> Outbox<T> {
    let out = Outbox::new();
    axon::link(&out, to).unwrap();
    out
}

/// An inbox (holding up to `capacity`) linked from `from`.
fn receiver<T: Send + 'static>(from: &Outbox<T>, capacity: usize) -> Inbox<T> {
    let inbox = Inbox::with_capacity(capacity);
    axon::link(from, &inbox).unwrap();
    inbox
}

/// Passes messages on until told to stop (drains on `ProducerFinished`).
#[derive(Boxes)]
struct Relay<T: Send + 'static> {
    /// In.
    inbox: Inbox<T>,
    /// Stop.
    control: Inbox<Control>,
    /// Out.
    outbox: Outbox<T>,
    /// Stopped.
    signal: Outbox<Control>,
}

impl<T: Send + 'static> Relay<T> {
    fn new() -> Self {
        Relay {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static> Component for Relay<T> {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => self.outbox.send(m).await?,
                Event::Control(c) => {
                    if c.is_producer_finished() {
                        while let Ok(m) = self.inbox.try_recv() {
                            self.outbox.send(m).await?;
                        }
                    }
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}

kamaelia::impl_stage!([T: Send + 'static] Relay<T>, T => T);

/// Ends as soon as it starts (so its inboxes are closed).
#[derive(Boxes)]
struct Quitter<T: Send + 'static> {
    /// In.
    inbox: Inbox<T>,
    /// Stop.
    control: Inbox<Control>,
    /// Out.
    outbox: Outbox<T>,
    /// Stopped.
    signal: Outbox<Control>,
}

impl<T: Send + 'static> Quitter<T> {
    fn new() -> Self {
        Quitter {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static> Component for Quitter<T> {
    async fn run(self, _: Context) -> Result<(), Error> {
        Ok(())
    }
}

kamaelia::impl_stage!([T: Send + 'static] Quitter<T>, T => T);

/// Fails (or panics) on the first message, saying nothing on `signal`.
#[derive(Boxes)]
struct Failer {
    /// In.
    inbox: Inbox<u32>,
    /// Stop.
    control: Inbox<Control>,
    /// Out.
    outbox: Outbox<u32>,
    /// Stopped.
    signal: Outbox<Control>,
    #[boxes(skip)]
    panics: bool,
}

impl Failer {
    fn new(panics: bool) -> Self {
        Failer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            panics,
        }
    }
}

impl Component for Failer {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        self.inbox.recv().await;
        if self.panics {
            panic!("bad input");
        }
        Err(Error::msg("bad input"))
    }
}

kamaelia::impl_stage!([] Failer, u32 => u32);

/// An inbox whose component has ended (sends to it fail with `Closed`).
fn closed_inbox<T: Send + 'static>(system: &mut System) -> axon::InboxRef<T> {
    let q = Quitter::<T>::new();
    let r = q.inbox.handle();
    system.spawn(q);
    system.run_until_idle();
    assert!(r.is_closed());
    r
}

/// Links `from` to a component's inbox, then ends that component: later sends from `from` find
/// their destination closed. (Linking into an inbox that is closed already is refused.)
fn link_to_ended<T: Send + 'static>(system: &mut System, from: &Outbox<T>) {
    let relay = Relay::<T>::new();
    axon::link(from, &relay.inbox).unwrap();
    let inbox = relay.inbox.handle();
    let mut stop = sender(&relay.control);
    system.spawn(relay);
    stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert!(inbox.is_closed());
}

// ---------------------------------------------------------------------------------------------
// Fanout

/// Every message reaches every named outbox, in the order it was sent.
#[test]
fn fanout_copies_every_message_to_every_named_outbox() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a", "b", "c"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut outs: Vec<Inbox<u32>> = ["a", "b", "c"]
        .iter()
        .map(|n| receiver(f.output(n).unwrap(), 1000))
        .collect();
    system.spawn(f);
    feed(&mut system, &mut input, 0..500);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    for out in &mut outs {
        assert_eq!(drain(out), (0..500).collect::<Vec<_>>());
    }
}

/// Data never goes to `signal`, nor to `outbox` unless `"outbox"` is one of the names.
#[test]
fn fanout_sends_no_data_on_signal_or_unnamed_outbox() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    assert!(f.output("outbox").is_none());
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut a = receiver(f.output("a").unwrap(), 64);
    let mut outbox = receiver(&f.outbox, 64);
    let mut signal = receiver(&f.signal, 64);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut a), [1, 2]);
    assert!(drain(&mut outbox).is_empty());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Naming `"outbox"` makes the standard outbox one of the destinations (a tee).
#[test]
fn fanout_outbox_among_the_names_is_the_standard_outbox() {
    let mut system = System::deterministic();
    let f = Fanout::new(["outbox", "log"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut main = receiver(f.output("outbox").unwrap(), 64);
    let mut log = receiver(f.output("log").unwrap(), 64);
    assert_eq!(f.names().collect::<Vec<_>>(), ["outbox", "log"]);
    system.spawn(f);
    feed(&mut system, &mut input, ["x"]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut main), ["x"]);
    assert_eq!(drain(&mut log), ["x"]);
}

/// The named outputs are listed as boxes of the component, so they can be wired by name.
#[test]
fn fanout_outputs_are_listed_by_name() {
    let f: Fanout<u8> = Fanout::new(["toConsole", "toFile"]);
    let names: Vec<String> = axon::box_infos(&f)
        .iter()
        .map(|b| b.name.to_string())
        .collect();
    for expected in [
        "inbox",
        "control",
        "outbox",
        "signal",
        "toConsole",
        "toFile",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
}

/// A standard box name other than `outbox` is refused as an output.
#[test]
#[should_panic(expected = "\"signal\" cannot be an output")]
fn fanout_refuses_signal_as_an_output() {
    let _f: Fanout<u8> = Fanout::new(["a", "signal"]);
}

/// A repeated output name is refused.
#[test]
#[should_panic(expected = "given twice")]
fn fanout_refuses_repeated_names() {
    let _f: Fanout<u8> = Fanout::new(["a", "a"]);
}

/// A full destination holds every destination up; once it drains, nothing has been lost.
#[test]
fn fanout_full_destination_holds_up_all_and_loses_nothing() {
    let mut system = System::deterministic();
    let f = Fanout::new(["slow", "fast"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut slow = receiver(f.output("slow").unwrap(), 1);
    let mut fast = receiver(f.output("fast").unwrap(), 64);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut fast), [1], "the fast one waits for the slow one");
    let mut got_slow = Vec::new();
    let mut got_fast = Vec::new();
    stop.try_send(Control::ProducerFinished).unwrap();
    for _ in 0..10 {
        got_slow.extend(drain(&mut slow));
        got_fast.extend(drain(&mut fast));
        system.run_until_idle();
    }
    assert_eq!(got_slow, [1, 2, 3]);
    assert_eq!(got_fast, [2, 3]);
    assert_eq!(system.live(), 0);
}

/// A destination whose component has ended is dropped; the others go on.
#[test]
fn fanout_drops_a_destination_that_has_ended() {
    let mut system = System::deterministic();
    let f = Fanout::new(["gone", "alive"]);
    link_to_ended(&mut system, f.output("gone").unwrap());
    let mut alive = receiver(f.output("alive").unwrap(), 64);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut alive), [1, 2]);
    assert!(system.failures().is_empty());
}

/// `ProducerFinished` copies everything queued before it, then goes out on `signal`.
#[test]
fn fanout_producer_finished_drains_then_signals() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut a = receiver(f.output("a").unwrap(), 64);
    let mut signal = receiver(&f.signal, 4);
    // Queued before it starts: control is looked at first, yet nothing is lost.
    input.try_send(1).unwrap();
    input.try_send(2).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(f);
    system.run().unwrap();
    assert_eq!(drain(&mut a), [1, 2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` stops it even while it waits for a full destination, and goes out on `signal`.
#[test]
fn fanout_shutdown_stops_while_blocked() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let _a = receiver(f.output("a").unwrap(), 1);
    let mut signal = receiver(&f.signal, 4);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(system.live(), 1, "blocked on the full destination");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A `Failed` that stops it is passed on unchanged, reason and all, whether it came while the
/// fanout was idle or while it waited for a full destination (so is one on a rate limiter
/// waiting for its next slot).
#[test]
fn flow_components_pass_failed_on_with_its_reason() {
    let failed = Control::failed("upstream: boom");
    // Waiting for room.
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let _a = receiver(f.output("a").unwrap(), 1);
    let mut signal = receiver(&f.signal, 4);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    stop.try_send(failed.clone()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), std::slice::from_ref(&failed));
    // Waiting for the next slot.
    let mut system = System::deterministic();
    let l = MessageRateLimit::new(1);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let _out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    system.spawn(l);
    feed(&mut system, &mut input, 0..3u32);
    system.run_until_idle();
    stop.try_send(failed.clone()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [failed]);
}

// ---------------------------------------------------------------------------------------------
// TwoWaySplitter

/// Every message goes to both `outbox` and `outbox2`.
#[test]
fn two_way_splitter_copies_to_both_outboxes() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut one = receiver(&s.outbox, 1000);
    let mut two = receiver(&s.outbox2, 1000);
    system.spawn(s);
    feed(&mut system, &mut input, 0..300u32);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut one), (0..300).collect::<Vec<_>>());
    assert_eq!(drain(&mut two), (0..300).collect::<Vec<_>>());
}

/// `ProducerFinished` drains the queue, then goes out on both `signal` and `signal2`.
#[test]
fn two_way_splitter_producer_finished_drains_then_signals_both() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut one = receiver(&s.outbox, 64);
    let mut two = receiver(&s.outbox2, 64);
    let mut sig = receiver(&s.signal, 4);
    let mut sig2 = receiver(&s.signal2, 4);
    input.try_send('a').unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(s);
    system.run().unwrap();
    assert_eq!((drain(&mut one), drain(&mut two)), (vec!['a'], vec!['a']));
    assert_eq!(drain(&mut sig), [Control::ProducerFinished]);
    assert_eq!(drain(&mut sig2), [Control::ProducerFinished]);
}

/// `Shutdown` discards the queue and goes out on both signals, also while blocked.
#[test]
fn two_way_splitter_shutdown_stops_and_signals_both() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut one = receiver(&s.outbox, 64);
    let _two = receiver(&s.outbox2, 1); // never read: blocks after one message
    let mut sig = receiver(&s.signal, 4);
    let mut sig2 = receiver(&s.signal2, 4);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut one), [1, 2]);
    assert_eq!(drain(&mut sig), [Control::Shutdown]);
    assert_eq!(drain(&mut sig2), [Control::Shutdown]);
}

/// If one side has ended, the other still gets everything.
#[test]
fn two_way_splitter_goes_on_when_one_side_has_ended() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    link_to_ended(&mut system, &s.outbox);
    let mut two = receiver(&s.outbox2, 64);
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut two), [1, 2, 3]);
}

// ---------------------------------------------------------------------------------------------
// LossyConnector

/// With room downstream, everything passes, in order, and nothing is counted as dropped.
#[test]
fn lossy_connector_passes_everything_when_there_is_room() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let stats = l.stats();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 1000);
    system.spawn(l);
    feed(&mut system, &mut input, 0..200u32);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), (0..200).collect::<Vec<_>>());
    assert_eq!((stats.passed(), stats.dropped()), (200, 0));
}

/// What does not fit downstream is dropped and counted, and the producer never waits.
#[test]
fn lossy_connector_drops_and_counts_what_does_not_fit() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let stats = l.stats();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 3);
    system.spawn(l);
    // 1000 messages through a 3-slot consumer that never reads: the producer is never stuck.
    feed(&mut system, &mut input, 0..1000u32);
    system.run_until_idle();
    assert_eq!(stats.passed(), 3);
    assert_eq!(stats.dropped(), 997);
    assert_eq!(drain(&mut out), [0, 1, 2]);
    // Once there is room again, new messages pass.
    feed(&mut system, &mut input, [1000]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1000]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` offers everything queued before it, then goes out on `signal`.
#[test]
fn lossy_connector_producer_finished_drains_then_signals() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    input.try_send(1).unwrap();
    input.try_send(2).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(l);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [1, 2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` discards what is queued (not counted as dropped) and goes out on `signal`.
#[test]
fn lossy_connector_shutdown_discards_queue_and_signals() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let stats = l.stats();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    input.try_send(1).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(l);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!((stats.passed(), stats.dropped()), (0, 0));
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// PromptedTurnstile

/// Each prompt lets exactly one queued message through, oldest first.
#[test]
fn prompted_turnstile_releases_one_message_per_prompt() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut next = sender(&t.next);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    system.spawn(t);
    feed(&mut system, &mut input, [1, 2, 3, 4]);
    system.run_until_idle();
    assert!(drain(&mut out).is_empty());
    for expected in [1, 2, 3] {
        next.try_send(()).unwrap();
        system.run_until_idle();
        assert_eq!(drain(&mut out), [expected]);
    }
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// Prompts that arrive while nothing is queued are banked: that many messages pass at once.
#[test]
fn prompted_turnstile_banks_early_prompts() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut next = sender(&t.next);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    system.spawn(t);
    feed(&mut system, &mut next, [(), ()]);
    system.run_until_idle();
    feed(&mut system, &mut input, ['a', 'b', 'c']);
    system.run_until_idle();
    assert_eq!(drain(&mut out), ['a', 'b']);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// After `ProducerFinished` it still releases one message per prompt, and signals only once the
/// queue is empty.
#[test]
fn prompted_turnstile_producer_finished_serves_the_queue_then_signals() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut next = sender(&t.next);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    let mut signal = receiver(&t.signal, 4);
    system.spawn(t);
    feed(&mut system, &mut input, [1, 2]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(
        drain(&mut out).is_empty(),
        "ProducerFinished does not open the gate"
    );
    assert!(drain(&mut signal).is_empty());
    next.try_send(()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    assert!(drain(&mut signal).is_empty(), "one message is still queued");
    next.try_send(()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), [2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `ProducerFinished` with nothing queued ends it at once.
#[test]
fn prompted_turnstile_producer_finished_with_empty_queue_ends_at_once() {
    let mut system = System::deterministic();
    let t: PromptedTurnstile<u8> = PromptedTurnstile::new();
    let mut stop = sender(&t.control);
    let mut signal = receiver(&t.signal, 4);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(t);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` ends it while it waits for a prompt, discarding the queue.
#[test]
fn prompted_turnstile_shutdown_stops_while_waiting_for_a_prompt() {
    let mut system = System::deterministic();
    let t: PromptedTurnstile<u32> = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    let mut signal = receiver(&t.signal, 4);
    system.spawn(t);
    feed(&mut system, &mut input, [1, 2]);
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A Clock can prompt the turnstile: one message per tick.
#[test]
fn prompted_turnstile_paced_by_a_clock() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let clock = Clock::new(Duration::from_secs(1));
    axon::link(&clock.outbox, &t.next).unwrap();
    axon::link(&clock.signal, &t.control).unwrap();
    let mut stop_clock = sender(&clock.control);
    let mut input = sender(&t.inbox);
    let mut out = receiver(&t.outbox, 64);
    let mut signal = receiver(&t.signal, 4);
    system.spawn(t);
    system.spawn(clock);
    feed(&mut system, &mut input, ["a", "b", "c"]);
    system.advance(ms(2500));
    assert_eq!(drain(&mut out), ["a", "b"]);
    // The clock's ProducerFinished reaches the turnstile, which still has "c" queued and no
    // prompts left: it waits (nothing is lost) until stopped.
    stop_clock.try_send(Control::ProducerFinished).unwrap();
    system.advance(ms(5000));
    assert!(drain(&mut out).is_empty());
    assert!(drain(&mut signal).is_empty());
    assert_eq!(system.live(), 1);
}

// ---------------------------------------------------------------------------------------------
// MessageRateLimit

/// Messages leave at most one per interval: the first at once, then one every 1/N second.
#[test]
fn message_rate_limit_spaces_messages_by_the_interval() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::new(4); // one per 250 ms
    assert_eq!(l.interval(), ms(250));
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    system.spawn(l);
    feed(&mut system, &mut input, 0..10u32);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [0]);
    system.advance(ms(249));
    assert!(drain(&mut out).is_empty());
    system.advance(ms(1));
    assert_eq!(drain(&mut out), [1]);
    system.advance(ms(1000));
    assert_eq!(drain(&mut out), [2, 3, 4, 5], "four per second");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A quiet spell does not earn a burst: after idling, messages are still an interval apart.
#[test]
fn message_rate_limit_quiet_spell_earns_no_burst() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::with_interval(ms(100));
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    system.spawn(l);
    feed(&mut system, &mut input, [0u32]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [0]);
    system.advance(Duration::from_secs(10));
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1], "one at once, not three");
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [2]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// With a buffer, nothing is released until that many messages have arrived.
#[test]
fn message_rate_limit_waits_for_the_initial_buffer() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::with_interval(ms(100)).buffer(3);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    system.spawn(l);
    feed(&mut system, &mut input, [1, 2]);
    system.advance(Duration::from_secs(5));
    assert!(drain(&mut out).is_empty());
    feed(&mut system, &mut input, [3]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    system.advance(ms(200));
    assert_eq!(drain(&mut out), [2, 3]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` during the initial buffer releases the partial buffer, still at the rate,
/// then signals.
#[test]
fn message_rate_limit_producer_finished_flushes_partial_buffer_at_the_rate() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::with_interval(ms(100)).buffer(10);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    system.spawn(l);
    feed(&mut system, &mut input, [1, 2, 3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    assert!(drain(&mut signal).is_empty());
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [2]);
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [3]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    system.run().unwrap();
}

/// `Shutdown` ends it while it waits for the next release time, discarding the queue.
#[test]
fn message_rate_limit_shutdown_stops_while_waiting() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::new(1);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    system.spawn(l);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(system.live(), 0, "ended without waiting for the timer");
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A rate of zero is refused with a message naming the parameter.
#[test]
#[should_panic(expected = "messages_per_second")]
fn message_rate_limit_refuses_a_zero_rate() {
    let _l: MessageRateLimit<u8> = MessageRateLimit::new(0);
}

// ---------------------------------------------------------------------------------------------
// ByteRateRequestControl

/// A request for one chunk goes out at once, then one every chunk / rate seconds.
#[test]
fn byte_rate_request_control_requests_chunks_at_the_rate() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0).chunk_size(250.0); // every 250 ms
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 64);
    system.spawn(c);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [250]);
    system.advance(ms(999));
    assert_eq!(drain(&mut out), [250, 250, 250]);
    system.advance(ms(1));
    assert_eq!(drain(&mut out), [250]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// Fractional chunk sizes average out: whole-byte requests add up to exactly the rate.
#[test]
fn byte_rate_request_control_fractional_chunks_add_up_exactly() {
    let mut system = System::deterministic();
    // 1000 bytes per second in 3 requests per second: chunks of 333.33… bytes.
    let c = ByteRateRequestControl::new(1000.0).chunk_rate(3.0);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 64);
    system.spawn(c);
    system.run_until_idle();
    system.advance(ms(2999)); // nine chunks: at 0, 1/3, 2/3, …, 8/3 s
    let got = drain(&mut out);
    assert_eq!(got.len(), 9);
    assert!(got.iter().all(|&n| n == 333 || n == 334), "{got:?}");
    assert_eq!(got.iter().sum::<usize>(), 3000);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// After a stall, non-aggregating catch-up sends several chunk-sized requests.
#[test]
fn byte_rate_request_control_catches_up_in_chunks() {
    let got = catch_up_after_stall(false);
    assert_eq!(got, [100; 11]);
}

/// After a stall, aggregating catch-up asks for everything owed in one request.
#[test]
fn byte_rate_request_control_aggregate_catches_up_in_one_request() {
    let got = catch_up_after_stall(true);
    assert_eq!(got, [100, 100, 900]);
}

/// 1000 bytes/s in 100-byte chunks to a one-slot consumer that reads nothing for a second, then
/// everything: the requests it gets up to t = 1 s.
fn catch_up_after_stall(aggregate: bool) -> Vec<usize> {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0)
        .chunk_size(100.0)
        .aggregate(aggregate);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 1);
    system.spawn(c);
    system.advance(Duration::from_secs(1));
    let mut got = Vec::new();
    loop {
        let more = drain(&mut out);
        if more.is_empty() {
            break;
        }
        got.extend(more);
        system.run_until_idle();
    }
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    got
}

/// A new rate on `inbox` takes effect at once; the bytes asked for follow the rates in force.
#[test]
fn byte_rate_request_control_changes_rate_from_inbox() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0).chunk_size(100.0);
    let mut rate = sender(&c.inbox);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 256);
    system.spawn(c);
    system.run_until_idle();
    system.advance(ms(250));
    rate.try_send(2000.0).unwrap();
    system.run_until_idle();
    system.advance(ms(1000));
    // 250 ms at 1000 B/s plus 1000 ms at 2000 B/s = 2250 bytes, plus at most one chunk paid
    // in advance.
    let total: usize = drain(&mut out).iter().sum();
    assert!((2250..=2350).contains(&total), "{total}");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A rate of 0 pauses the requests; a non-zero rate resumes them, keeping the account.
#[test]
fn byte_rate_request_control_zero_rate_pauses() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0).chunk_size(100.0);
    let mut rate = sender(&c.inbox);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 256);
    system.spawn(c);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [100]);
    rate.try_send(0.0).unwrap();
    system.advance(Duration::from_secs(10));
    assert!(drain(&mut out).is_empty());
    // The 100 bytes asked for just before the pause were not due yet: they count now.
    rate.try_send(1000.0).unwrap();
    system.run_until_idle();
    assert!(drain(&mut out).is_empty());
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [100]);
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [100]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A negative rate on `inbox` makes it fail with an error naming the rate.
#[test]
fn byte_rate_request_control_refuses_a_negative_rate() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0);
    let mut rate = sender(&c.inbox);
    let mut signal = receiver(&c.signal, 4);
    system.spawn(c);
    system.run_until_idle();
    rate.try_send(-5.0).unwrap();
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(what.contains("rate -5"), "{what}");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// `ProducerFinished` and `Shutdown` both stop it at once and are passed on.
#[test]
fn byte_rate_request_control_stops_on_either_control_message() {
    for c in [Control::ProducerFinished, Control::Shutdown] {
        let mut system = System::deterministic();
        let b = ByteRateRequestControl::new(1000.0);
        let mut stop = sender(&b.control);
        let mut signal = receiver(&b.signal, 4);
        system.spawn(b);
        system.advance(ms(500));
        stop.try_send(c.clone()).unwrap();
        system.run_until_idle();
        assert_eq!(system.live(), 0);
        assert_eq!(drain(&mut signal), [c]);
    }
}

/// When the component it feeds has ended, it sends `ProducerFinished` and ends.
#[test]
fn byte_rate_request_control_ends_when_its_consumer_has_ended() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0);
    link_to_ended(&mut system, &c.outbox);
    let mut signal = receiver(&c.signal, 4);
    system.spawn(c);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    assert!(system.failures().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Clock

/// The first tick comes one interval after the start, then one per interval, numbered from 1.
#[test]
fn clock_ticks_every_interval() {
    let mut system = System::deterministic();
    let clock = Clock::new(ms(100));
    let mut stop = sender(&clock.control);
    let mut ticks = receiver(&clock.outbox, 64);
    system.spawn(clock);
    system.advance(ms(99));
    assert!(drain(&mut ticks).is_empty());
    system.advance(ms(1));
    assert_eq!(drain(&mut ticks), [1]);
    system.advance(ms(500));
    assert_eq!(drain(&mut ticks), [2, 3, 4, 5, 6]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// With a limit it stops after that many ticks and sends `ProducerFinished`.
#[test]
fn clock_with_limit_runs_dry_and_signals() {
    let mut system = System::deterministic();
    let clock = Clock::new(ms(100)).limit(2);
    let mut ticks = receiver(&clock.outbox, 64);
    let mut signal = receiver(&clock.signal, 4);
    system.spawn(clock);
    system.run().unwrap(); // virtual time runs on by itself while timers are pending
    assert_eq!(drain(&mut ticks), [1, 2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `ProducerFinished` and `Shutdown` both stop it at once and are passed on.
#[test]
fn clock_stops_on_either_control_message() {
    for c in [Control::ProducerFinished, Control::Shutdown] {
        let mut system = System::deterministic();
        let clock = Clock::new(Duration::from_secs(1));
        let mut stop = sender(&clock.control);
        let mut ticks = receiver(&clock.outbox, 64);
        let mut signal = receiver(&clock.signal, 4);
        system.spawn(clock);
        system.advance(ms(1500));
        stop.try_send(c.clone()).unwrap();
        system.run_until_idle();
        assert_eq!(system.live(), 0);
        assert_eq!(drain(&mut ticks), [1]);
        assert_eq!(drain(&mut signal), [c]);
    }
}

/// Ticks do not pile up behind a full consumer: those missed collapse into one late tick and the
/// beat resumes on the interval.
#[test]
fn clock_skips_ticks_missed_while_the_consumer_is_full() {
    let mut system = System::deterministic();
    let clock = Clock::new(Duration::from_secs(1));
    let mut stop = sender(&clock.control);
    let mut ticks = receiver(&clock.outbox, 1);
    system.spawn(clock);
    system.advance(ms(5500)); // ticks due at 1, 2, 3, 4, 5 s; room for one
    assert_eq!(drain(&mut ticks), [1]);
    system.run_until_idle();
    assert_eq!(drain(&mut ticks), [2], "the tick that was waiting for room");
    system.run_until_idle();
    assert_eq!(drain(&mut ticks), [3], "one late tick for all those missed");
    system.run_until_idle();
    assert!(drain(&mut ticks).is_empty());
    system.advance(ms(500));
    assert_eq!(drain(&mut ticks), [4], "back on the beat at 6 s");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

// ---------------------------------------------------------------------------------------------
// PlugSplitter

/// Outboxes feeding a splitter's `inbox`, `configuration` and `control`.
fn splitter_senders<T: Clone + Send + 'static>(
    s: &PlugSplitter<T>,
) -> (Outbox<T>, Outbox<SplitterConfig<T>>, Outbox<Control>) {
    (
        sender(&s.inbox),
        sender(&s.configuration),
        sender(&s.control),
    )
}

/// Asks the splitter to add `sink` (without a control inbox); returns its id.
fn add_sink<T: Send + 'static>(
    config: &mut Outbox<SplitterConfig<T>>,
    sink: &impl AsInbox<T>,
) -> SinkId {
    let id = SinkId::new();
    config
        .try_send(SplitterConfig::add(id, sink, None))
        .unwrap();
    id
}

/// Every message goes to `outbox` and to every sink.
#[test]
fn plug_splitter_copies_to_every_sink_and_outbox() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut main = receiver(&s.outbox, 1000);
    let mut sinks: Vec<Inbox<u32>> = (0..3).map(|_| Inbox::with_capacity(1000)).collect();
    for sink in &sinks {
        add_sink(&mut config, sink);
    }
    system.spawn(s);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 3);
    feed(&mut system, &mut input, 0..300);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut main), (0..300).collect::<Vec<_>>());
    for sink in &mut sinks {
        assert_eq!(drain(sink), (0..300).collect::<Vec<_>>());
    }
}

/// A sink sees only messages handled after it joined, and nothing after it left.
#[test]
fn plug_splitter_sinks_join_and_leave_at_run_time() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    system.spawn(s);
    let mut early = Inbox::new();
    let early_id = add_sink(&mut config, &early);
    system.run_until_idle();
    feed(&mut system, &mut input, [1]);
    system.run_until_idle();
    let mut late = Inbox::new();
    add_sink(&mut config, &late);
    system.run_until_idle();
    feed(&mut system, &mut input, [2]);
    system.run_until_idle();
    config.try_send(SplitterConfig::Remove(early_id)).unwrap();
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut early), [1, 2]);
    assert_eq!(drain(&mut late), [2, 3]);
}

/// Wait policy: a slow sink holds everyone up, and no sink misses anything.
#[test]
fn plug_splitter_wait_policy_holds_all_up_and_loses_nothing() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new().when_full(SlowSink::Wait);
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut slow = Inbox::with_capacity(1);
    let mut fast = Inbox::with_capacity(64);
    add_sink(&mut config, &slow);
    add_sink(&mut config, &fast);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(
        drain(&mut fast),
        [1],
        "the fast sink waits for the slow one"
    );
    stop.try_send(Control::ProducerFinished).unwrap();
    let (mut got_slow, mut got_fast) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        got_slow.extend(drain(&mut slow));
        got_fast.extend(drain(&mut fast));
        system.run_until_idle();
    }
    assert_eq!(got_slow, [1, 2, 3]);
    assert_eq!(got_fast, [2, 3]);
    assert_eq!(stats.dropped(), 0);
    assert_eq!(system.live(), 0);
}

/// Drop policy: a slow sink misses what does not fit (counted); the others get everything at
/// once, as on a backplane.
#[test]
fn plug_splitter_drop_policy_drops_for_the_slow_sink_only() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new().when_full(SlowSink::Drop);
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut slow = Inbox::with_capacity(1);
    let mut fast = Inbox::with_capacity(64);
    add_sink(&mut config, &slow);
    add_sink(&mut config, &fast);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut fast), [1, 2, 3]);
    assert_eq!(drain(&mut slow), [1]);
    assert_eq!(stats.dropped(), 2);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// Wait policy: removing the sink it is waiting for releases the splitter.
#[test]
fn plug_splitter_removing_the_awaited_sink_releases_it() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let stuck = Inbox::<u32>::with_capacity(1);
    let mut other = Inbox::with_capacity(64);
    let stuck_id = add_sink(&mut config, &stuck);
    add_sink(&mut config, &other);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut other), [1]);
    config.try_send(SplitterConfig::Remove(stuck_id)).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut other), [2, 3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// A sink whose component has ended is removed.
#[test]
fn plug_splitter_removes_a_sink_that_has_ended() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let gone = closed_inbox::<u32>(&mut system);
    add_sink(&mut config, &gone);
    system.spawn(s);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [1]);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 0);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` drains the queue to every sink, then reaches every sink's control and
/// `signal`.
#[test]
fn plug_splitter_producer_finished_drains_then_tells_every_sink() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut signal = receiver(&s.signal, 4);
    let (mut data, mut ctl) = (Inbox::new(), Inbox::new());
    config
        .try_send(SplitterConfig::add(
            SinkId::new(),
            &data,
            Some(ctl.handle()),
        ))
        .unwrap();
    input.try_send(1).unwrap();
    input.try_send(2).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(s);
    system.run().unwrap();
    assert_eq!(drain(&mut data), [1, 2]);
    assert_eq!(drain(&mut ctl), [Control::ProducerFinished]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` stops it even while it waits for a slow sink, and reaches every sink's control and
/// `signal`.
#[test]
fn plug_splitter_shutdown_stops_while_blocked_and_tells_every_sink() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut signal = receiver(&s.signal, 4);
    let slow = Inbox::<u32>::with_capacity(1);
    let mut ctl = Inbox::new();
    config
        .try_send(SplitterConfig::add(
            SinkId::new(),
            &slow,
            Some(ctl.handle()),
        ))
        .unwrap();
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(system.live(), 1);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut ctl), [Control::Shutdown]);
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A sink whose control inbox is full holds up the end notice, but does not hide a `Shutdown`
/// sent meanwhile: that ends the wait, goes to the sink waited for (if it has room by then),
/// the sinks not told yet and on `signal`.
#[test]
fn plug_splitter_shutdown_stops_it_while_a_sinks_control_is_full() {
    let mut system = System::deterministic();
    let s = PlugSplitter::<u32>::new();
    let (_input, mut config, mut stop) = splitter_senders(&s);
    let mut signal = receiver(&s.signal, 4);
    let (deaf, mut deaf_ctl) = (Inbox::new(), Inbox::with_capacity(1));
    let (other, mut other_ctl) = (Inbox::new(), Inbox::new());
    deaf_ctl
        .handle()
        .try_send(Control::ProducerFinished)
        .unwrap(); // full, never read
    for (data, ctl) in [(&deaf, &deaf_ctl), (&other, &other_ctl)] {
        let add = SplitterConfig::add(SinkId::new(), data, Some(ctl.handle()));
        config.try_send(add).unwrap();
    }
    let id = system.spawn(s);
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room"
    );
    assert!(drain(&mut signal).is_empty());
    // Room appears in the deaf sink's control inbox just as the Shutdown comes: the Shutdown
    // goes there instead of the ProducerFinished that was waiting.
    assert_eq!(drain(&mut deaf_ctl), [Control::ProducerFinished]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(drain(&mut other_ctl), [Control::Shutdown]);
    assert_eq!(drain(&mut deaf_ctl), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Plug

/// A plug joins the splitter when it starts and leaves when its child ends.
#[test]
fn plug_joins_on_start_and_leaves_when_its_child_ends() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let plug = Plug::new(&s.configuration, Relay::new());
    let mut stop_plug = sender(&plug.control);
    let mut got = receiver(&plug.outbox, 64);
    let mut plug_signal = receiver(&plug.signal, 4);
    system.spawn(s);
    system.spawn(plug);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [1, 2]);
    system.run_until_idle();
    assert_eq!(drain(&mut got), [1, 2]);
    // Stop only the plugged component: it leaves, the splitter goes on.
    stop_plug.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut plug_signal), [Control::Shutdown]);
    assert_eq!(stats.sinks(), 0);
    assert_eq!(system.live(), 1);
    feed(&mut system, &mut input, [3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// Several plugs each get every message, and the splitter's `ProducerFinished` ends them all.
#[test]
fn plug_splitter_stop_reaches_every_plugged_component() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut outs = Vec::new();
    let mut signals = Vec::new();
    for _ in 0..3 {
        let plug = Plug::new(&s.configuration, Relay::new());
        outs.push(receiver(&plug.outbox, 1000));
        signals.push(receiver(&plug.signal, 4));
        system.spawn(plug);
    }
    system.spawn(s);
    system.run_until_idle();
    feed(&mut system, &mut input, 0..200u32);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    for (out, sig) in outs.iter_mut().zip(&mut signals) {
        assert_eq!(drain(out), (0..200).collect::<Vec<_>>());
        assert_eq!(drain(sig), [Control::ProducerFinished]);
    }
}

/// A plug started after the splitter has ended tells its child that nothing will come.
#[test]
fn plug_into_an_ended_splitter_finishes_its_child() {
    let mut system = System::deterministic();
    let s: PlugSplitter<u32> = PlugSplitter::new();
    let config = s.configuration.handle();
    let mut stop = sender(&s.control);
    system.spawn(s);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    let plug = Plug::new(&config, Relay::<u32>::new());
    let mut signal = receiver(&plug.signal, 4);
    system.spawn(plug);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Plugs a [`Failer`] into a splitter and gives it a message; checks that the plug left the
/// splitter. Returns the plug's failure and what it said on `signal`.
fn plug_a_failing_child(panics: bool) -> (String, Vec<Control>) {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let plug = Plug::new(&s.configuration, Failer::new(panics));
    let mut signal = receiver(&plug.signal, 4);
    system.spawn(s);
    let plug = system.spawn(plug);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [1]);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 0, "the plug left");
    let failures = system.failures();
    let what = failures
        .iter()
        .find(|f| f.id == plug)
        .unwrap_or_else(|| panic!("the plug failed: {failures:?}"))
        .what
        .clone();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    (what, drain(&mut signal))
}

/// If the plugged component fails, the plug leaves the splitter and fails naming it; the same
/// text goes on its `signal` as `Failed`.
#[test]
fn plug_fails_naming_a_failed_child() {
    let (what, said) = plug_a_failing_child(false);
    assert!(
        what.contains("plugged child") && what.contains("Failer") && what.contains("bad input"),
        "{what}"
    );
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        what.ends_with(said[0].failure().expect("Failed")),
        "{said:?}"
    );
}

/// A plugged component that panics says nothing on `signal`: the plug says `Failed` there,
/// naming it and the panic.
#[test]
fn plug_says_failed_when_its_child_panics() {
    let (what, said) = plug_a_failing_child(true);
    assert!(
        what.contains("Failer") && what.contains("panicked") && what.contains("bad input"),
        "{what}"
    );
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        what.ends_with(said[0].failure().expect("Failed")),
        "{said:?}"
    );
}

/// A splitter's `configuration` inbox that holds one request and is full already: a stand-in
/// for a splitter that takes no requests.
fn full_configuration() -> Inbox<SplitterConfig<u32>> {
    let config = Inbox::with_capacity(1);
    config
        .handle()
        .try_send(SplitterConfig::Remove(SinkId::new()))
        .unwrap();
    config
}

/// A splitter that takes no requests cannot hide a stop from a plug waiting to join it: a
/// `ProducerFinished` meanwhile is only noted (the wait goes on), a `Shutdown` ends the wait at
/// once — the request to join is dropped, and the child, told `Shutdown`, passes it on the
/// plug's `signal`.
#[test]
fn plug_stops_on_shutdown_while_the_splitter_takes_no_request_to_join() {
    let mut system = System::deterministic();
    let mut config = full_configuration();
    let plug = Plug::new(&config, Relay::<u32>::new());
    let mut stop = sender(&plug.control);
    let mut signal = receiver(&plug.signal, 4);
    let id = system.spawn(plug);
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(system.snapshot().component(id).is_some(), "waiting to join");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(
        drain(&mut config).len(),
        1,
        "the request to join was dropped"
    );
}

/// A `ProducerFinished` that came while the plug waited to join is not lost: once the splitter
/// takes the request the child is told, sends on what it was given, passes it on and ends.
#[test]
fn plug_passes_on_a_producer_finished_that_came_while_it_waited_to_join() {
    let mut system = System::deterministic();
    let mut config = full_configuration();
    let plug = Plug::new(&config, Relay::<u32>::new());
    let (mut input, mut stop) = (sender(&plug.inbox), sender(&plug.control));
    let (mut got, mut signal) = (receiver(&plug.outbox, 4), receiver(&plug.signal, 4));
    system.spawn(plug);
    system.run_until_idle();
    input.try_send(7).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(drain(&mut signal).is_empty(), "waiting to join");
    let mut requests = drain(&mut config);
    system.run_until_idle();
    requests.extend(drain(&mut config));
    system.run().unwrap();
    requests.extend(drain(&mut config));
    assert_eq!(drain(&mut got), [7]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    assert!(
        matches!(
            requests[..],
            [
                SplitterConfig::Remove(_),
                SplitterConfig::Add { .. },
                SplitterConfig::Remove(_)
            ]
        ),
        "joined, then left: {} requests",
        requests.len()
    );
}

/// A splitter that takes no requests cannot hide a stop from a plug waiting to leave it: once
/// the child has ended (and said so on `signal`), a `Shutdown` on the plug's `control` ends the
/// wait, and the plug ends without saying more.
#[test]
fn plug_stops_on_shutdown_while_the_splitter_takes_no_request_to_leave() {
    let mut system = System::deterministic();
    let config = Inbox::<SplitterConfig<u32>>::with_capacity(1);
    let plug = Plug::new(&config, Relay::<u32>::new());
    let mut stop = sender(&plug.control);
    let mut signal = receiver(&plug.signal, 4);
    let id = system.spawn(plug);
    system.run_until_idle();
    assert_eq!(config.len(), 1, "the request to join");
    stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut signal), [Control::Shutdown], "the child's");
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting to leave"
    );
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut signal).is_empty());
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

// ---------------------------------------------------------------------------------------------
// TwoWayBalancer

/// The boxes a test drives a balancer through: two stand-in workers.
struct Bench {
    jobs: Outbox<u32>,
    stop: Outbox<Control>,
    work: [Inbox<u32>; 2],
    done: [Outbox<String>; 2],
    results: Inbox<String>,
    signals: [Inbox<Control>; 3],
}

fn bench(system: &mut System, balancer: TwoWayBalancer<u32, String>) -> Bench {
    let b = Bench {
        jobs: sender(&balancer.inbox),
        stop: sender(&balancer.control),
        work: [
            receiver(&balancer.outbox1, 64),
            receiver(&balancer.outbox2, 64),
        ],
        done: [sender(&balancer.done1), sender(&balancer.done2)],
        results: receiver(&balancer.outbox, 64),
        signals: [
            receiver(&balancer.signal1, 4),
            receiver(&balancer.signal2, 4),
            receiver(&balancer.signal, 4),
        ],
    };
    system.spawn(balancer);
    b
}

/// A request goes only to a free worker; while both are busy, requests wait.
#[test]
fn two_way_balancer_hands_requests_to_free_workers_only() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2, 3, 4]);
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [1]);
    assert_eq!(drain(&mut b.work[1]), [2]);
    b.done[0].try_send("one".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [3]);
    assert!(drain(&mut b.work[1]).is_empty());
    b.done[0].try_send("three".into()).unwrap();
    system.run_until_idle();
    assert_eq!(
        drain(&mut b.work[0]),
        [4],
        "worker 1 is free again; worker 2 is still busy"
    );
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// When both workers are free, the one free longest gets the request, so an even load
/// alternates.
#[test]
fn two_way_balancer_alternates_an_even_load() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    let mut seen = Vec::new();
    for job in 0..6 {
        feed(&mut system, &mut b.jobs, [job]);
        system.run_until_idle();
        for w in 0..2 {
            for j in drain(&mut b.work[w]) {
                seen.push((w, j));
                b.done[w].try_send(j.to_string()).unwrap();
            }
        }
        system.run_until_idle();
    }
    assert_eq!(seen, [(0, 0), (1, 1), (0, 2), (1, 3), (0, 4), (1, 5)]);
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// Done messages are the workers' results: they leave from `outbox` in the order they arrive.
#[test]
fn two_way_balancer_passes_results_on_in_arrival_order() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2]);
    system.run_until_idle();
    b.done[1].try_send("two".into()).unwrap();
    system.run_until_idle();
    b.done[0].try_send("one".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.results), ["two", "one"]);
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// With a credit of 2, each worker may hold two requests at once.
#[test]
fn two_way_balancer_credit_allows_several_requests_in_hand() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new().credit(2));
    feed(&mut system, &mut b.jobs, [1, 2, 3, 4, 5]);
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [1, 3]);
    assert_eq!(drain(&mut b.work[1]), [2, 4]);
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` hands out the queued requests, waits until every one is done, then goes to
/// both workers and out on `signal`.
#[test]
fn two_way_balancer_producer_finished_waits_for_outstanding_work() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2, 3]);
    b.stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [1]);
    assert_eq!(drain(&mut b.work[1]), [2]);
    b.done[1].try_send("2".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[1]), [3]);
    b.done[0].try_send("1".into()).unwrap();
    system.run_until_idle();
    assert!(
        b.signals.iter_mut().all(|s| drain(s).is_empty()),
        "request 3 is not done"
    );
    b.done[1].try_send("3".into()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut b.results), ["2", "1", "3"]);
    for s in &mut b.signals {
        assert_eq!(drain(s), [Control::ProducerFinished]);
    }
}

/// `Shutdown` ends it at once, discarding queued requests, and goes to both workers and out on
/// `signal`.
#[test]
fn two_way_balancer_shutdown_stops_and_tells_both_workers() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2, 3]);
    system.run_until_idle();
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut b.work[0]), [1]);
    assert_eq!(drain(&mut b.work[1]), [2]);
    for s in &mut b.signals {
        assert_eq!(drain(s), [Control::Shutdown]);
    }
}

/// A worker that has ended is left out; its request goes to the other worker.
#[test]
fn two_way_balancer_leaves_out_a_worker_that_has_ended() {
    let mut system = System::deterministic();
    let balancer = TwoWayBalancer::<u32, String>::new();
    link_to_ended(&mut system, &balancer.outbox1);
    let mut jobs = sender(&balancer.inbox);
    let mut stop = sender(&balancer.control);
    let mut work2 = receiver(&balancer.outbox2, 64);
    let mut done2 = sender(&balancer.done2);
    system.spawn(balancer);
    feed(&mut system, &mut jobs, [1, 2]);
    system.run_until_idle();
    assert_eq!(
        drain(&mut work2),
        [1],
        "worker 1 refused request 1: worker 2 gets it"
    );
    done2.try_send("1".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut work2), [2]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(system.failures().is_empty());
}

/// If both workers have ended, it fails with an error saying so.
#[test]
fn two_way_balancer_fails_when_both_workers_have_ended() {
    let mut system = System::deterministic();
    let balancer = TwoWayBalancer::<u32, ()>::new();
    link_to_ended(&mut system, &balancer.outbox1);
    link_to_ended(&mut system, &balancer.outbox2);
    let mut jobs = sender(&balancer.inbox);
    let mut signal = receiver(&balancer.signal, 4);
    system.spawn(balancer);
    feed(&mut system, &mut jobs, [1]);
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(what.contains("both workers have ended"), "{what}");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// Round-robin mode alternates blindly, without waiting for done messages (Kamaelia's original).
#[test]
fn two_way_balancer_round_robin_alternates_without_waiting() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new().round_robin());
    feed(&mut system, &mut b.jobs, [1, 2, 3, 4, 5]);
    b.stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut b.work[0]), [1, 3, 5]);
    assert_eq!(drain(&mut b.work[1]), [2, 4]);
    for s in &mut b.signals {
        assert_eq!(drain(s), [Control::ProducerFinished]);
    }
}

/// With real workers wired as documented (requests in, results to done, signal to control), a
/// whole batch is processed and one `ProducerFinished` shuts everything down.
#[test]
fn two_way_balancer_with_real_workers_processes_everything_and_stops() {
    let mut system = System::deterministic();
    let balancer = TwoWayBalancer::<u32, u32>::new();
    let (w1, w2) = (Relay::<u32>::new(), Relay::<u32>::new());
    axon::link(&balancer.outbox1, &w1.inbox).unwrap();
    axon::link(&balancer.signal1, &w1.control).unwrap();
    axon::link(&w1.outbox, &balancer.done1).unwrap();
    axon::link(&balancer.outbox2, &w2.inbox).unwrap();
    axon::link(&balancer.signal2, &w2.control).unwrap();
    axon::link(&w2.outbox, &balancer.done2).unwrap();
    let mut jobs = sender(&balancer.inbox);
    let mut stop = sender(&balancer.control);
    let mut results = receiver(&balancer.outbox, 1000);
    let mut signal = receiver(&balancer.signal, 4);
    system.spawn(balancer);
    system.spawn(w1);
    system.spawn(w2);
    feed(&mut system, &mut jobs, 0..300);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let mut got = drain(&mut results);
    got.sort_unstable();
    assert_eq!(got, (0..300).collect::<Vec<_>>());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

// ---------------------------------------------------------------------------------------------
// Catalogue

/// Every flow component is in the catalogue under its Kamaelia name, with its boxes.
#[test]
fn flow_components_are_catalogued() {
    let all = kamaelia::catalogue::all();
    for (name, kamaelia_name, extra_box) in [
        ("Fanout", "Kamaelia.Util.Fanout.Fanout", "inbox"),
        (
            "TwoWaySplitter",
            "Kamaelia.Util.TwoWaySplitter.TwoWaySplitter",
            "outbox2",
        ),
        (
            "PlugSplitter",
            "Kamaelia.Util.Splitter.PlugSplitter",
            "configuration",
        ),
        ("Plug", "Kamaelia.Util.Splitter.Plug", "splitter_config"),
        (
            "LossyConnector",
            "Kamaelia.Util.LossyConnector.lossyConnector",
            "outbox",
        ),
        (
            "PromptedTurnstile",
            "Kamaelia.Util.PromptedTurnstile.PromptedTurnstile",
            "next",
        ),
        (
            "MessageRateLimit",
            "Kamaelia.Util.RateFilter.MessageRateLimit",
            "outbox",
        ),
        (
            "ByteRateRequestControl",
            "Kamaelia.Util.RateFilter.ByteRate_RequestControl",
            "outbox",
        ),
        (
            "Clock",
            "Kamaelia.Util.Clock.CheapAndCheerfulClock",
            "outbox",
        ),
        (
            "TwoWayBalancer",
            "Kamaelia.Apps.Europython09.Util.TwoWayBalancer",
            "done2",
        ),
    ] {
        let e = all
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        for b in ["inbox", "control", "outbox", "signal", extra_box] {
            assert!(e.boxes.iter().any(|x| x.name == b), "{name} lacks {b}");
        }
    }
}
