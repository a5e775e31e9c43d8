//! The test components: TestResult and Comparator — what each checks and sends, and how each
//! ends.

mod common;

use axon::{Control, Inbox, Outbox, System};
use common::{drain, failed_saying_so, only_failure};
use kamaelia::chassis::Pipeline;
use kamaelia::util::sources::{Chargen, Comparator, DataSource, NullSink, TestResult};

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
