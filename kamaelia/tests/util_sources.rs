//! Util sources and sinks: DataSource, TriggeredSource, OneShot, TriggeredOneShot, Chargen,
//! NullSink, Collate, ConsoleReader, ConsoleEchoer, PassThrough, TestResult, Comparator —
//! what each sends, and how each ends.

mod common;

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use axon::{Control, Inbox, Outbox, System};
use common::{drain, failed_saying_so, fails_saying_so_when_its_receiver_has_ended, only_failure};
use kamaelia::chassis::Pipeline;
use kamaelia::util::sources::{
    Chargen, Collate, Comparator, ConsoleEchoer, ConsoleReader, DataSource, NullSink, OneShot,
    PassThrough, TestResult, TriggeredOneShot, TriggeredSource,
};
use kamaelia::Stage;
use tokio::io::AsyncWrite;

/// Runs `system` to the end while emptying `out` as it fills; returns all `out` received.
fn run_collecting<T: Send + 'static>(system: &mut System, out: &mut Inbox<T>) -> Vec<T> {
    let mut got = Vec::new();
    loop {
        system.run_until_idle();
        let more = drain(out);
        if more.is_empty() && system.live() == 0 {
            return got;
        }
        assert!(
            !more.is_empty() || system.live() == 0,
            "stalled with {} live",
            system.live()
        );
        got.extend(more);
    }
}

/// A writer tests can read back.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl AsyncWrite for SharedBuf {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A writer that always fails, like standard output whose reader has gone.
struct BrokenPipe;

impl AsyncWrite for BrokenPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
        _: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Spawns `busy` (its outbox unlinked, so it never waits) and then a OneShot on the same
/// deterministic system: within ten steps the OneShot must have sent its message. Then stops
/// `busy` with Shutdown.
fn assert_lets_other_components_run<S: Stage>(busy: S) {
    let mut system = System::deterministic();
    let mut stop = Outbox::new();
    axon::link(&stop, busy.control()).unwrap();
    let once = OneShot::new(1);
    let mut out = Inbox::new();
    axon::link(&once.outbox, &out).unwrap();
    system.spawn(busy);
    system.spawn(once);
    for _ in 0..10 {
        system.step();
    }
    assert_eq!(drain(&mut out), [1], "the OneShot ran");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

// ---------------------------------------------------------------------------------------------
// DataSource

/// A DataSource sends its items in order, then ProducerFinished, and ends.
#[test]
fn data_source_sends_items_in_order_then_producer_finished() {
    let mut system = System::deterministic();
    let source = DataSource::new(vec![3, 1, 2]);
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&source.outbox, &out).unwrap();
    axon::link(&source.signal, &signal).unwrap();
    system.spawn(source);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [3, 1, 2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// The caller's collection is left as it was (Kamaelia's DataSource emptied it).
#[test]
fn data_source_leaves_the_callers_collection_intact() {
    let mut system = System::deterministic();
    let items = vec!["a".to_string(), "b".to_string()];
    let first = DataSource::new(items.clone());
    let second = DataSource::new(items.clone());
    let (mut out1, mut out2) = (Inbox::new(), Inbox::new());
    axon::link(&first.outbox, &out1).unwrap();
    axon::link(&second.outbox, &out2).unwrap();
    system.spawn(first);
    system.spawn(second);
    system.run().unwrap();
    assert_eq!(items, ["a", "b"]);
    assert_eq!(drain(&mut out1), items);
    assert_eq!(drain(&mut out2), items);
}

/// An endless iterator is read only as fast as the consumer takes: memory stays bounded.
#[test]
fn data_source_reads_a_lazy_iterator_only_as_fast_as_it_is_taken() {
    let mut system = System::deterministic();
    let source = DataSource::new(0..u64::MAX);
    let mut stop = Outbox::new();
    let mut out = Inbox::with_capacity(4);
    axon::link(&stop, &source.control).unwrap();
    axon::link(&source.outbox, &out).unwrap();
    system.spawn(source);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [0, 1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [4, 5, 6, 7]);
    assert_eq!(system.live(), 1);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// Shutdown stops a DataSource at once, even mid-send; the rest is dropped, Shutdown passed on.
#[test]
fn data_source_shutdown_stops_at_once_and_is_passed_on() {
    let mut system = System::deterministic();
    let source = DataSource::new(0..10);
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::with_capacity(2), Inbox::new());
    axon::link(&stop, &source.control).unwrap();
    axon::link(&source.outbox, &out).unwrap();
    axon::link(&source.signal, &signal).unwrap();
    system.spawn(source);
    system.run_until_idle();
    assert_eq!(system.live(), 1, "waits for room");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), [0, 1]);
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// ProducerFinished lets a DataSource send all it still holds, then it is passed on.
#[test]
fn data_source_producer_finished_still_sends_the_rest() {
    let mut system = System::deterministic();
    let source = DataSource::new(0..10);
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::with_capacity(2), Inbox::new());
    axon::link(&stop, &source.control).unwrap();
    axon::link(&source.outbox, &out).unwrap();
    axon::link(&source.signal, &signal).unwrap();
    system.spawn(source);
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    assert_eq!(
        run_collecting(&mut system, &mut out),
        (0..10).collect::<Vec<_>>()
    );
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// A DataSource that never waits (unlinked outbox) still lets other components on its thread run.
#[test]
fn data_source_lets_other_components_run() {
    assert_lets_other_components_run(DataSource::new(0..u64::MAX));
}

/// A DataSource whose consumer has ended fails with an error naming itself, and says the same
/// on `signal` as `Failed`.
#[test]
fn data_source_fails_naming_itself_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("numbers", DataSource::new(0..1000), []);
}

// ---------------------------------------------------------------------------------------------
// TriggeredSource

/// A TriggeredSource sends its message once for every trigger, whatever the trigger's value.
#[test]
fn triggered_source_sends_the_message_once_per_trigger() {
    let mut system = System::deterministic();
    let source = TriggeredSource::new("ding".to_string());
    let mut triggers = Outbox::new();
    let mut out = Inbox::new();
    axon::link(&triggers, &source.inbox).unwrap();
    axon::link(&source.outbox, &out).unwrap();
    system.spawn(source);
    system.run_until_idle();
    assert!(drain(&mut out).is_empty());
    for t in [7, 8, 9] {
        triggers.try_send(t).unwrap();
    }
    system.run_until_idle();
    assert_eq!(drain(&mut out), ["ding", "ding", "ding"]);
    assert_eq!(system.live(), 1);
}

/// ProducerFinished: each waiting trigger still sends the message, then it is passed on.
#[test]
fn triggered_source_producer_finished_answers_waiting_triggers_then_passes_it_on() {
    let mut system = System::deterministic();
    let source = TriggeredSource::new(1u8);
    let (mut triggers, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&triggers, &source.inbox).unwrap();
    axon::link(&stop, &source.control).unwrap();
    axon::link(&source.outbox, &out).unwrap();
    axon::link(&source.signal, &signal).unwrap();
    triggers.try_send(()).unwrap();
    triggers.try_send(()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(source);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [1, 1]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown: the waiting triggers are dropped and Shutdown is passed on.
#[test]
fn triggered_source_shutdown_drops_waiting_triggers() {
    let mut system = System::deterministic();
    let source = TriggeredSource::new(1u8);
    let (mut triggers, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&triggers, &source.inbox).unwrap();
    axon::link(&stop, &source.control).unwrap();
    axon::link(&source.outbox, &out).unwrap();
    axon::link(&source.signal, &signal).unwrap();
    triggers.try_send(()).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(source);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A TriggeredSource whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn triggered_source_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("bell", TriggeredSource::new(1), [()]);
}

// ---------------------------------------------------------------------------------------------
// OneShot

/// A OneShot sends its one message, then ProducerFinished, and ends.
#[test]
fn one_shot_sends_one_message_then_producer_finished() {
    let mut system = System::deterministic();
    let once = OneShot::new(vec![1, 2]);
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&once.outbox, &out).unwrap();
    axon::link(&once.signal, &signal).unwrap();
    system.spawn(once);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [vec![1, 2]]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown before the message has gone: it is dropped and Shutdown is passed on.
#[test]
fn one_shot_shutdown_before_sending_drops_the_message() {
    let mut system = System::deterministic();
    let once = OneShot::new("never");
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&stop, &once.control).unwrap();
    axon::link(&once.outbox, &out).unwrap();
    axon::link(&once.signal, &signal).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(once);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// ProducerFinished before the message has gone: it is still sent, then ProducerFinished.
#[test]
fn one_shot_producer_finished_still_sends_the_message() {
    let mut system = System::deterministic();
    let once = OneShot::new("still");
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&stop, &once.control).unwrap();
    axon::link(&once.outbox, &out).unwrap();
    axon::link(&once.signal, &signal).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(once);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["still"]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// A OneShot whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn one_shot_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("once", OneShot::new(1), []);
}

// ---------------------------------------------------------------------------------------------
// TriggeredOneShot

/// A TriggeredOneShot sends its message once, on the first trigger, then ProducerFinished.
#[test]
fn triggered_one_shot_sends_once_when_first_triggered() {
    let mut system = System::deterministic();
    let once = TriggeredOneShot::new('x');
    let mut trigger = Outbox::new();
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&trigger, &once.inbox).unwrap();
    axon::link(&once.outbox, &out).unwrap();
    axon::link(&once.signal, &signal).unwrap();
    system.spawn(once);
    system.run_until_idle();
    assert!(drain(&mut out).is_empty());
    assert_eq!(system.live(), 1);
    trigger.try_send("go").unwrap();
    trigger.try_send("again").unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), ['x']);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ProducerFinished with no trigger waiting: nothing is sent, ProducerFinished is passed on.
#[test]
fn triggered_one_shot_producer_finished_without_trigger_sends_nothing() {
    let mut system = System::deterministic();
    let once = TriggeredOneShot::<(), char>::new('x');
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&stop, &once.control).unwrap();
    axon::link(&once.outbox, &out).unwrap();
    axon::link(&once.signal, &signal).unwrap();
    system.spawn(once);
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ProducerFinished with a trigger already waiting: the trigger still counts.
#[test]
fn triggered_one_shot_producer_finished_with_a_waiting_trigger_still_fires() {
    let mut system = System::deterministic();
    let once = TriggeredOneShot::new('x');
    let (mut trigger, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&trigger, &once.inbox).unwrap();
    axon::link(&stop, &once.control).unwrap();
    axon::link(&once.outbox, &out).unwrap();
    axon::link(&once.signal, &signal).unwrap();
    trigger.try_send(()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(once);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ['x']);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown: nothing is sent, even with a trigger waiting; Shutdown is passed on.
#[test]
fn triggered_one_shot_shutdown_sends_nothing() {
    let mut system = System::deterministic();
    let once = TriggeredOneShot::new('x');
    let (mut trigger, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&trigger, &once.inbox).unwrap();
    axon::link(&stop, &once.control).unwrap();
    axon::link(&once.outbox, &out).unwrap();
    axon::link(&once.signal, &signal).unwrap();
    trigger.try_send(()).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(once);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A TriggeredOneShot whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn triggered_one_shot_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("once", TriggeredOneShot::new(1), [()]);
}

// ---------------------------------------------------------------------------------------------
// Chargen

/// Chargen sends "Hello World" until the consumer's inbox is full, then waits.
#[test]
fn chargen_fills_the_consumer_and_waits() {
    let mut system = System::deterministic();
    let chargen = Chargen::new();
    let mut out = Inbox::with_capacity(5);
    axon::link(&chargen.outbox, &out).unwrap();
    system.spawn(chargen);
    system.run_until_idle();
    assert_eq!(drain(&mut out), vec!["Hello World"; 5]);
    system.run_until_idle();
    assert_eq!(out.len(), 5);
    assert_eq!(system.live(), 1, "it never ends by itself");
}

/// Chargen::text changes what is sent.
#[test]
fn chargen_sends_the_given_text() {
    let mut system = System::deterministic();
    let chargen = Chargen::new().text("ab");
    let mut out = Inbox::with_capacity(2);
    axon::link(&chargen.outbox, &out).unwrap();
    system.spawn(chargen);
    system.run_until_idle();
    assert_eq!(drain(&mut out), ["ab", "ab"]);
}

/// Shutdown stops Chargen while it waits for room, and is passed on.
#[test]
fn chargen_shutdown_stops_it_and_is_passed_on() {
    let mut system = System::deterministic();
    let chargen = Chargen::new();
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::with_capacity(3), Inbox::new());
    axon::link(&stop, &chargen.control).unwrap();
    axon::link(&chargen.outbox, &out).unwrap();
    axon::link(&chargen.signal, &signal).unwrap();
    system.spawn(chargen);
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out).len(), 3, "nothing more after the stop");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// ProducerFinished stops Chargen at once too (no rest to deliver), and is passed on.
#[test]
fn chargen_producer_finished_stops_it_at_once() {
    let mut system = System::deterministic();
    let chargen = Chargen::new();
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::with_capacity(3), Inbox::new());
    axon::link(&stop, &chargen.control).unwrap();
    axon::link(&chargen.outbox, &out).unwrap();
    axon::link(&chargen.signal, &signal).unwrap();
    system.spawn(chargen);
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out).len(), 3);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// A Chargen that never waits (unlinked outbox) still lets other components on its thread run.
#[test]
fn chargen_lets_other_components_run() {
    assert_lets_other_components_run(Chargen::new());
}

/// A Chargen whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn chargen_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("hello", Chargen::new(), []);
}

// ---------------------------------------------------------------------------------------------
// NullSink

/// A NullSink takes everything it is sent, so its producer never waits.
#[test]
fn null_sink_takes_everything() {
    let mut system = System::deterministic();
    let source = DataSource::new(0..10_000);
    let sink = NullSink::new();
    axon::link(&source.outbox, &sink.inbox).unwrap();
    axon::link(&source.signal, &sink.control).unwrap();
    system.spawn(source);
    system.spawn(sink);
    system.run().unwrap();
}

/// ProducerFinished: a NullSink drains what waits, passes ProducerFinished on and ends.
#[test]
fn null_sink_producer_finished_drains_then_passes_it_on() {
    let mut system = System::deterministic();
    let sink = NullSink::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut signal = Inbox::new();
    axon::link(&input, &sink.inbox).unwrap();
    axon::link(&stop, &sink.control).unwrap();
    axon::link(&sink.signal, &signal).unwrap();
    let inbox = sink.inbox.handle();
    for i in 0..100 {
        input.try_send(i).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(sink);
    system.step();
    assert_eq!(inbox.len(), 0, "drained before ending");
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown: a NullSink ends at once and passes Shutdown on.
#[test]
fn null_sink_shutdown_passes_it_on() {
    let mut system = System::deterministic();
    let sink = NullSink::<u8>::new();
    let mut stop = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&stop, &sink.control).unwrap();
    axon::link(&sink.signal, &signal).unwrap();
    system.spawn(sink);
    system.run_until_idle();
    assert_eq!(system.live(), 1);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Collate

/// Collate sends everything it received, in order, as one Vec when the stream ends.
#[test]
fn collate_sends_everything_as_one_vec_at_end_of_stream() {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(DataSource::new(0..1000)).then(Collate::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&pipeline.outbox, &out).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [(0..1000).collect::<Vec<_>>()]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Collate sends an empty Vec when nothing came before the end of the stream.
#[test]
fn collate_sends_an_empty_vec_when_nothing_came() {
    let mut system = System::deterministic();
    let collate = Collate::<u8>::new();
    let mut stop = Outbox::new();
    let mut out = Inbox::new();
    axon::link(&stop, &collate.control).unwrap();
    axon::link(&collate.outbox, &out).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(collate);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [Vec::<u8>::new()]);
}

/// Shutdown: Collate drops what it collected, sends nothing, and passes Shutdown on.
#[test]
fn collate_shutdown_drops_the_collection() {
    let mut system = System::deterministic();
    let collate = Collate::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &collate.inbox).unwrap();
    axon::link(&stop, &collate.control).unwrap();
    axon::link(&collate.outbox, &out).unwrap();
    axon::link(&collate.signal, &signal).unwrap();
    system.spawn(collate);
    input.try_send(1).unwrap();
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// Collate fails with an error naming itself and its limit when sent more than the limit, and
/// says the same on `signal` as `Failed`.
#[test]
fn collate_fails_naming_the_limit_when_over_it() {
    let mut system = System::deterministic();
    let collate = Collate::new().limit(10);
    let source = DataSource::new(0..11);
    let mut signal = Inbox::new();
    axon::link(&source.outbox, &collate.inbox).unwrap();
    axon::link(&source.signal, &collate.control).unwrap();
    axon::link(&collate.signal, &signal).unwrap();
    system.spawn(source);
    system.spawn_named("bucket", collate);
    system.run().unwrap();
    failed_saying_so(&system, &mut signal, &["bucket", "10"]);
}

/// A Collate whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn collate_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("bucket", Collate::new(), [1, 2]);
}

// ---------------------------------------------------------------------------------------------
// ConsoleReader

/// ConsoleReader sends every line, its terminator replaced by "\n", then ProducerFinished.
#[test]
fn console_reader_sends_each_line_then_producer_finished_at_end_of_input() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"one\ntwo\r\n\nthree"[..]);
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&reader.outbox, &out).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["one\n", "two\n", "\n", "three\n"]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ConsoleReader::eol sets what is appended to each line.
#[test]
fn console_reader_appends_the_given_eol() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"a\nb\n"[..]).eol(";");
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["a;", "b;"]);
}

/// Empty input: only ProducerFinished.
#[test]
fn console_reader_on_empty_input_sends_only_producer_finished() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b""[..]);
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&reader.outbox, &out).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// The prompt is written before each line is read, to the prompt writer.
#[test]
fn console_reader_writes_the_prompt_before_each_read() {
    let mut system = System::deterministic();
    let prompts = SharedBuf::default();
    let reader = ConsoleReader::from_reader(&b"x\ny\n"[..])
        .prompt(">>> ")
        .prompt_writer(prompts.clone());
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["x\n", "y\n"]);
    assert_eq!(
        prompts.text(),
        ">>> >>> >>> ",
        "two lines, then the read that met the end"
    );
}

/// A waiting ConsoleReader sends lines as they complete; Shutdown stops it, partial line unsent.
#[test]
fn console_reader_waits_for_input_and_stops_on_shutdown() {
    use tokio::io::AsyncWriteExt;
    let mut system = System::deterministic();
    let (mut typing, terminal) = tokio::io::duplex(64);
    let reader = ConsoleReader::from_reader(tokio::io::BufReader::new(terminal));
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&stop, &reader.control).unwrap();
    axon::link(&reader.outbox, &out).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run_until_idle();
    axon::blocking::block_on(typing.write_all(b"hello\nunfini")).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), ["hello\n"]);
    assert_eq!(system.live(), 1, "waits for the rest of the line");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// ProducerFinished also stops a ConsoleReader waiting for input, and is passed on.
#[test]
fn console_reader_producer_finished_stops_it_and_is_passed_on() {
    let mut system = System::deterministic();
    let (_typing, terminal) = tokio::io::duplex(64);
    let reader = ConsoleReader::from_reader(tokio::io::BufReader::new(terminal));
    let mut stop = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&stop, &reader.control).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run_until_idle();
    assert_eq!(system.live(), 1);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// A line longer than the limit fails the ConsoleReader with an error naming it and the line.
#[test]
fn console_reader_fails_on_a_line_longer_than_the_limit() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"short\nmuch too long\n"[..]).max_line(8);
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn_named("keyboard", reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["short\n"]);
    let what = only_failure(&system);
    assert!(
        what.contains("keyboard") && what.contains("line 2") && what.contains("8 bytes"),
        "{what}"
    );
}

/// A line that is exactly the limit long, with "\r\n", is accepted.
#[test]
fn console_reader_accepts_a_line_exactly_at_the_limit() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"12345678\r\n"[..])
        .max_line(8)
        .eol("");
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert_eq!(drain(&mut out), ["12345678"]);
}

/// A line that is not UTF-8 fails the ConsoleReader with an error naming the line and the
/// byte where it stops being UTF-8; the same text goes on `signal` as `Failed`.
#[test]
fn console_reader_fails_on_a_line_that_is_not_utf8() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"fine\nok\xff\xfe\n"[..]);
    let mut signal = Inbox::new();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn_named("keyboard", reader);
    system.run().unwrap();
    failed_saying_so(
        &system,
        &mut signal,
        &["keyboard", "line 2 is not valid UTF-8 (at byte 2)"],
    );
}

// ---------------------------------------------------------------------------------------------
// ConsoleEchoer

/// Feeds `messages` and ProducerFinished to `echo`, runs it, returns what it wrote.
fn echo_all<T: Send + 'static>(echo: ConsoleEchoer<T>, messages: Vec<T>) -> String {
    let mut system = System::deterministic();
    let written = SharedBuf::default();
    let echo = echo.writer(written.clone());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    for m in messages {
        input.try_send(m).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(echo);
    system.run().unwrap();
    written.text()
}

/// By default each message's Display text is written with nothing in between (as in Kamaelia).
#[test]
fn console_echoer_writes_display_text_back_to_back() {
    assert_eq!(echo_all(ConsoleEchoer::new(), vec![1, 22, 333]), "122333");
}

/// The tag goes before every message, and newline() puts a line break after each.
#[test]
fn console_echoer_writes_tag_and_newline() {
    let echo = ConsoleEchoer::new().tag("> ").newline();
    assert_eq!(echo_all(echo, vec!["a", "b"]), "> a\n> b\n");
}

/// debug() writes each message's Debug text (Kamaelia's use_repr).
#[test]
fn console_echoer_debug_writes_debug_text() {
    let echo = ConsoleEchoer::debug();
    assert_eq!(echo_all(echo, vec!["a", "b\n"]), "\"a\"\"b\\n\"");
}

/// with_format writes whatever the function makes of each message.
#[test]
fn console_echoer_with_format_writes_the_functions_text() {
    let echo = ConsoleEchoer::with_format(|v: &Vec<u8>| format!("{} bytes;", v.len()));
    assert_eq!(echo_all(echo, vec![vec![1, 2], vec![]]), "2 bytes;0 bytes;");
}

/// forwarding() sends every echoed message on, unchanged, and ProducerFinished after them.
#[test]
fn console_echoer_forwarding_sends_what_it_echoed() {
    let mut system = System::deterministic();
    let written = SharedBuf::default();
    let echo = ConsoleEchoer::new().forwarding().writer(written.clone());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.outbox, &out).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    system.spawn(echo);
    input.try_send("x".to_string()).unwrap();
    system.run_until_idle();
    assert_eq!(written.text(), "x");
    assert_eq!(drain(&mut out), ["x"]);
    input.try_send("y".to_string()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(written.text(), "xy");
    assert_eq!(drain(&mut out), ["y"]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Without forwarding nothing goes out on outbox.
#[test]
fn console_echoer_without_forwarding_sends_nothing_on() {
    let mut system = System::deterministic();
    let echo = ConsoleEchoer::new().writer(SharedBuf::default());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut out = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.outbox, &out).unwrap();
    input.try_send(5).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(echo);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
}

/// ProducerFinished: everything waiting is written before it ends and passes it on.
#[test]
fn console_echoer_producer_finished_writes_everything_waiting() {
    assert_eq!(
        echo_all(ConsoleEchoer::new(), (0..120).collect()),
        (0..120).map(|i| i.to_string()).collect::<String>()
    );
}

/// Shutdown: it ends at once without writing what waits, and passes Shutdown on.
#[test]
fn console_echoer_shutdown_stops_without_writing_what_waits() {
    let mut system = System::deterministic();
    let written = SharedBuf::default();
    let echo = ConsoleEchoer::new().writer(written.clone());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut signal = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    input.try_send("unsaid").unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(echo);
    system.run().unwrap();
    assert_eq!(written.text(), "");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A failing writer fails the ConsoleEchoer with an error naming it and the cause; the same
/// text goes on `signal` as `Failed`.
#[test]
fn console_echoer_fails_naming_itself_when_writing_fails() {
    let mut system = System::deterministic();
    let echo = ConsoleEchoer::new().writer(BrokenPipe);
    let mut input = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    input.try_send(1).unwrap();
    system.spawn_named("screen", echo);
    system.run().unwrap();
    failed_saying_so(&system, &mut signal, &["screen", "cannot write"]);
}

/// A write that waits for an output nobody reads does not hold up a Shutdown; a
/// ProducerFinished that arrives meanwhile lets the write go on.
#[test]
fn console_echoer_shutdown_is_seen_while_a_write_waits() {
    let mut system = System::deterministic();
    // One byte of room, and nobody reading the other end: the write waits for ever.
    let (screen, _unread) = tokio::io::duplex(1);
    let echo = ConsoleEchoer::new().writer(screen);
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut signal = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    let id = system.spawn(echo);
    input.try_send("a long line").unwrap();
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(system.snapshot().component(id).is_some(), "still writing");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// PassThrough

/// A chain of PassThroughs delivers everything, in order.
#[test]
fn pass_through_passes_everything_on_in_order() {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(DataSource::new(0..5000))
        .then(PassThrough::new())
        .then(PassThrough::new())
        .then(PassThrough::new())
        .then(Collate::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&pipeline.outbox, &out).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [(0..5000).collect::<Vec<_>>()]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ProducerFinished: what waits in the inbox is sent on first, then ProducerFinished.
#[test]
fn pass_through_producer_finished_drains_then_passes_it_on() {
    let mut system = System::deterministic();
    let pass = PassThrough::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &pass.inbox).unwrap();
    axon::link(&stop, &pass.control).unwrap();
    axon::link(&pass.outbox, &out).unwrap();
    axon::link(&pass.signal, &signal).unwrap();
    for i in 0..100 {
        input.try_send(i).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(pass);
    system.run().unwrap();
    assert_eq!(drain(&mut out), (0..100).collect::<Vec<_>>());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ProducerFinished while a send waits for room: everything is still delivered.
#[test]
fn pass_through_producer_finished_while_blocked_still_delivers_everything() {
    let mut system = System::deterministic();
    let pass = PassThrough::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::with_capacity(3), Inbox::new());
    axon::link(&input, &pass.inbox).unwrap();
    axon::link(&stop, &pass.control).unwrap();
    axon::link(&pass.outbox, &out).unwrap();
    axon::link(&pass.signal, &signal).unwrap();
    for i in 0..20 {
        input.try_send(i).unwrap();
    }
    system.spawn(pass);
    system.run_until_idle();
    assert_eq!(system.live(), 1, "waits for room");
    stop.try_send(Control::ProducerFinished).unwrap();
    assert_eq!(
        run_collecting(&mut system, &mut out),
        (0..20).collect::<Vec<_>>()
    );
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown stops a PassThrough at once, even while a send waits for room, and is passed on.
#[test]
fn pass_through_shutdown_stops_it_even_while_blocked() {
    let mut system = System::deterministic();
    let pass = PassThrough::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::with_capacity(3), Inbox::new());
    axon::link(&input, &pass.inbox).unwrap();
    axon::link(&stop, &pass.control).unwrap();
    axon::link(&pass.outbox, &out).unwrap();
    axon::link(&pass.signal, &signal).unwrap();
    for i in 0..20 {
        input.try_send(i).unwrap();
    }
    system.spawn(pass);
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), [0, 1, 2]);
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A PassThrough whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn pass_through_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("relay", PassThrough::new(), [1, 2]);
}

// ---------------------------------------------------------------------------------------------
// TestResult

/// All-true results: TestResult ends normally and passes ProducerFinished on.
#[test]
fn test_result_accepts_all_true_and_passes_producer_finished_on() {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(DataSource::new(vec![true; 300])).then(TestResult::new());
    let mut signal = Inbox::new();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// The first false fails TestResult with an error naming it and the message's index; the same
/// text goes on `signal` as `Failed`.
#[test]
fn test_result_fails_naming_the_index_of_the_first_false() {
    let mut system = System::deterministic();
    let check = TestResult::new();
    let mut results = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&results, &check.inbox).unwrap();
    axon::link(&check.signal, &signal).unwrap();
    for r in [true, true, false, false] {
        results.try_send(r).unwrap();
    }
    system.spawn_named("checker", check);
    system.run().unwrap();
    failed_saying_so(&system, &mut signal, &["checker", "message 2 was false"]);
}

/// A false in a pipeline fails the pipeline too.
#[test]
fn test_result_fails_its_pipeline() {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(DataSource::new(vec![true, false])).then(TestResult::new());
    system.spawn(pipeline);
    system.run().unwrap();
    let failures = system.failures();
    assert!(
        failures
            .iter()
            .any(|f| f.what.contains("message 1 was false")),
        "{failures:?}"
    );
}

/// ProducerFinished: results already waiting are still checked, so a false among them fails.
#[test]
fn test_result_checks_waiting_results_at_producer_finished() {
    let mut system = System::deterministic();
    let check = TestResult::new();
    let (mut results, mut stop) = (Outbox::new(), Outbox::new());
    axon::link(&results, &check.inbox).unwrap();
    axon::link(&stop, &check.control).unwrap();
    results.try_send(false).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(check);
    system.run().unwrap();
    assert!(only_failure(&system).contains("message 0 was false"));
}

/// Shutdown: TestResult ends at once without checking what waits, and passes Shutdown on.
#[test]
fn test_result_shutdown_passes_it_on_without_checking() {
    let mut system = System::deterministic();
    let check = TestResult::new();
    let (mut results, mut stop) = (Outbox::new(), Outbox::new());
    let mut signal = Inbox::new();
    axon::link(&results, &check.inbox).unwrap();
    axon::link(&stop, &check.control).unwrap();
    axon::link(&check.signal, &signal).unwrap();
    results.try_send(false).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(check);
    system.run().unwrap();
    assert!(system.failures().is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// stop_system(): at end of results every component is asked to stop (Kamaelia's StopSystem).
#[test]
fn test_result_stop_system_stops_the_other_components() {
    let mut system = System::deterministic();
    let chargen = Chargen::new();
    let sink = NullSink::new();
    axon::link(&chargen.outbox, &sink.inbox).unwrap();
    let mut chargen_signal = Inbox::new();
    axon::link(&chargen.signal, &chargen_signal).unwrap();
    system.spawn(chargen);
    system.spawn(sink);
    let pipeline =
        Pipeline::new(DataSource::new(vec![true, true])).then(TestResult::new().stop_system());
    system.spawn(pipeline);
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert_eq!(drain(&mut chargen_signal), [Control::Shutdown]);
}

/// stop_system(): a false also stops the whole system, and the failure is reported.
#[test]
fn test_result_stop_system_on_false_stops_the_system_and_fails() {
    let mut system = System::deterministic();
    let chargen = Chargen::new();
    let sink = NullSink::new();
    axon::link(&chargen.outbox, &sink.inbox).unwrap();
    system.spawn(chargen);
    system.spawn(sink);
    let check = TestResult::new().stop_system();
    let mut results = Outbox::new();
    axon::link(&results, &check.inbox).unwrap();
    results.try_send(false).unwrap();
    system.spawn(check);
    system.run().unwrap();
    assert!(only_failure(&system).contains("message 0 was false"));
}

// ---------------------------------------------------------------------------------------------
// Comparator

/// Makes a comparator with outboxes feeding inA, inB and control, and inboxes for its outbox
/// and signal.
#[allow(clippy::type_complexity)]
fn comparator<A: PartialEq<B> + Send + 'static, B: Send + 'static>(
    system: &mut System,
) -> (
    Outbox<A>,
    Outbox<B>,
    Outbox<Control>,
    Inbox<bool>,
    Inbox<Control>,
) {
    let compare = Comparator::<A, B>::new();
    let (a, b, stop) = (Outbox::new(), Outbox::new(), Outbox::new());
    let (out, signal) = (Inbox::new(), Inbox::new());
    axon::link(&a, &compare.in_a).unwrap();
    axon::link(&b, &compare.in_b).unwrap();
    axon::link(&stop, &compare.control).unwrap();
    axon::link(&compare.outbox, &out).unwrap();
    axon::link(&compare.signal, &signal).unwrap();
    system.spawn(compare);
    (a, b, stop, out, signal)
}

/// Comparator pairs inA and inB in arrival order and sends whether each pair is equal.
#[test]
fn comparator_compares_pairs_in_order() {
    let mut system = System::deterministic();
    let (mut a, mut b, _stop, mut out, _signal) = comparator::<i32, i32>(&mut system);
    for x in [1, 2, 3] {
        a.try_send(x).unwrap();
    }
    for y in [1, 5, 3] {
        b.try_send(y).unwrap();
    }
    system.run_until_idle();
    assert_eq!(drain(&mut out), [true, false, true]);
}

/// Comparator waits for both sides before sending anything.
#[test]
fn comparator_waits_for_both_sides() {
    let mut system = System::deterministic();
    let (mut a, mut b, _stop, mut out, _signal) = comparator::<&str, &str>(&mut system);
    a.try_send("x").unwrap();
    a.try_send("y").unwrap();
    system.run_until_idle();
    assert!(drain(&mut out).is_empty());
    b.try_send("x").unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), [true]);
}

/// Comparator compares values of two different types when A: PartialEq<B>.
#[test]
fn comparator_compares_different_types() {
    let mut system = System::deterministic();
    let (mut a, mut b, _stop, mut out, _signal) = comparator::<String, &str>(&mut system);
    a.try_send("same".to_string()).unwrap();
    b.try_send("same").unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), [true]);
}

/// At end of stream waiting pairs are compared and each unpaired message sends false (§9).
#[test]
fn comparator_producer_finished_compares_waiting_pairs_and_reports_unpaired_as_false() {
    let mut system = System::deterministic();
    let (mut a, mut b, mut stop, mut out, mut signal) = comparator::<u8, u8>(&mut system);
    for x in [1, 2, 3, 4] {
        a.try_send(x).unwrap();
    }
    for y in [1, 2] {
        b.try_send(y).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), [true, true, false, false]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown: Comparator ends at once, comparing nothing more, and passes Shutdown on.
#[test]
fn comparator_shutdown_stops_at_once() {
    let mut system = System::deterministic();
    let (mut a, mut b, mut stop, mut out, mut signal) = comparator::<u8, u8>(&mut system);
    a.try_send(1).unwrap();
    b.try_send(1).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// Comparator's extra inboxes carry Kamaelia's names, inA and inB.
#[test]
fn comparator_boxes_are_named_in_a_and_in_b() {
    let names: Vec<_> = axon::box_infos(&Comparator::<u8>::new())
        .into_iter()
        .map(|b| b.name.to_string())
        .collect();
    for name in ["inbox", "inA", "inB", "control", "outbox", "signal"] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
}

/// Comparator followed by TestResult: the usual test harness, failing on the first mismatch.
#[test]
fn comparator_into_test_result_fails_on_a_mismatch() {
    let mut system = System::deterministic();
    let compare = Comparator::new();
    let check = TestResult::new();
    let expected = DataSource::new(vec![1, 2, 3]);
    let actual = DataSource::new(vec![1, 2, 4]);
    axon::link(&expected.outbox, &compare.in_a).unwrap();
    axon::link(&actual.outbox, &compare.in_b).unwrap();
    axon::link(&actual.signal, &compare.control).unwrap();
    axon::link(&compare.outbox, &check.inbox).unwrap();
    axon::link(&compare.signal, &check.control).unwrap();
    system.spawn(expected);
    system.spawn(actual);
    system.spawn(compare);
    system.spawn_named("check", check);
    system.run().unwrap();
    assert!(only_failure(&system).contains("message 2 was false"));
}

/// A Comparator whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn comparator_says_failed_when_its_consumer_has_ended() {
    let mut system = System::deterministic();
    let ended = NullSink::new();
    let mut stop_ended = Outbox::new();
    axon::link(&stop_ended, &ended.control).unwrap();
    stop_ended.try_send(Control::Shutdown).unwrap();
    let compare = Comparator::<u8>::new();
    let (mut a, mut b, mut signal) = (Outbox::new(), Outbox::new(), Inbox::new());
    axon::link(&a, &compare.in_a).unwrap();
    axon::link(&b, &compare.in_b).unwrap();
    axon::link(&compare.outbox, &ended.inbox).unwrap();
    axon::link(&compare.signal, &signal).unwrap();
    system.spawn(ended);
    system.run_until_idle();
    a.try_send(1).unwrap();
    b.try_send(1).unwrap();
    system.spawn_named("compare", compare);
    system.run().unwrap();
    failed_saying_so(&system, &mut signal, &["compare", "outbox"]);
}

// ---------------------------------------------------------------------------------------------
// Catalogue

/// Every source and sink is in the catalogue under its Kamaelia name, with the standard boxes.
#[test]
fn every_source_and_sink_is_in_the_catalogue() {
    let entries = kamaelia::catalogue::all();
    for (name, kamaelia_name) in [
        ("DataSource", "Kamaelia.Util.DataSource.DataSource"),
        (
            "TriggeredSource",
            "Kamaelia.Util.DataSource.TriggeredSource",
        ),
        ("OneShot", "Kamaelia.Util.OneShot.OneShot"),
        ("TriggeredOneShot", "Kamaelia.Util.OneShot.TriggeredOneShot"),
        ("Chargen", "Kamaelia.Util.Chargen.Chargen"),
        ("NullSink", "Kamaelia.Util.NullSink.nullSinkComponent"),
        ("Collate", "Kamaelia.Util.Collate.Collate"),
        ("ConsoleReader", "Kamaelia.Util.Console.ConsoleReader"),
        ("ConsoleEchoer", "Kamaelia.Util.Console.ConsoleEchoer"),
        ("PassThrough", "Kamaelia.Util.PassThrough.PassThrough"),
        ("TestResult", "Kamaelia.Util.TestResult.TestResult"),
        ("Comparator", "Kamaelia.Util.Comparator.Comparator"),
    ] {
        let e = entries
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        for b in ["inbox", "control", "outbox", "signal"] {
            let found = e.boxes.iter().find(|x| x.name == b);
            assert!(
                found.is_some_and(|x| !x.doc.is_empty()),
                "{name}.{b} missing or undocumented"
            );
        }
    }
}
