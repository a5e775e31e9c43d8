//! Util sources: DataSource, TriggeredSource, OneShot, TriggeredOneShot, Chargen — what each
//! sends, and how each ends — and the catalogue entries of all of `util::sources` (NullSink,
//! Collate and PassThrough are tested in `sources_sinks.rs`, ConsoleReader and ConsoleEchoer in
//! `sources_console.rs`, TestResult and Comparator in `sources_testing.rs`).

mod common;

use axon::{Control, Inbox, Outbox, System};
use common::sources::run_collecting;
use common::{drain, fails_saying_so_when_its_receiver_has_ended};
use kamaelia::util::sources::{Chargen, DataSource, OneShot, TriggeredOneShot, TriggeredSource};
use kamaelia::Stage;

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
