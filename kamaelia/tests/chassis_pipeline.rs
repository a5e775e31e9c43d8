//! Pipeline: the six Pipeline behaviours of Kamaelia's chassis tests (reference §2: activation
//! only when the pipeline runs, termination only after all children, outbox→inbox and
//! signal→control wiring, the first child gets the pipeline's inbox and control, the last child
//! feeds its outbox and signal), plus `circular`, typed stages, a failing child, messages sent
//! before the pipeline starts, the shutdown convention carried down the chain, and a line of
//! transforms as a stage.
//!
//! That adjacent stages of different types do not compile is shown by a `compile_fail` doctest
//! in `kamaelia::chassis::graphline` ("Typing: Pipeline at compile time, Graphline when built").

mod common;

use axon::{Control, System};
use common::{
    entries, entries_of, entries_with, failure_of, feed, is_live, map, nth_child_name, puppet, tap,
    Log,
};
use kamaelia::chassis::Pipeline;

/// Children are activated when the pipeline is activated, and no sooner.
#[test]
fn children_start_only_when_the_pipeline_runs() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let mut system = System::deterministic();
    let pipeline = system.adopt(Pipeline::new(a).then(b));
    system.run_until_idle();
    assert!(entries(&log).is_empty(), "{:?}", entries(&log));
    system.activate(pipeline);
    system.run_until_idle();
    assert_eq!(entries(&log), ["A started", "B started"]);
}

/// The pipeline ends only once every child has ended, whichever ends first.
#[test]
fn pipeline_ends_only_after_every_child_has_ended() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, mut sc) = puppet("C", &log);
    let mut system = System::deterministic();
    system.spawn_named("P", Pipeline::new(a).then(b).then(c));
    system.run_until_idle();
    sb.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(is_live(&system, "P"));
    sc.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(is_live(&system, "P"));
    sa.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, "P"));
    assert_eq!(system.live(), 0);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// Each child's outbox feeds the next child's inbox.
#[test]
fn each_childs_outbox_feeds_the_next_childs_inbox() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, _sc) = puppet("C", &log);
    let mut system = System::deterministic();
    let p = Pipeline::new(a).then(b).then(c);
    let mut taps = tap(&p);
    system.spawn(p);
    sa.say.try_send(1).unwrap();
    sb.say.try_send(2).unwrap();
    system.run_until_idle();
    assert_eq!(entries_with(&log, "got"), ["B got 1", "C got 2"]);
    assert!(taps.all().is_empty());
}

/// Each child's signal feeds the next child's control.
#[test]
fn each_childs_signal_feeds_the_next_childs_control() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, _sc) = puppet("C", &log);
    let mut system = System::deterministic();
    let p = Pipeline::new(a).then(b).then(c);
    let mut taps = tap(&p);
    system.spawn(p);
    sa.say_signal.try_send(Control::ProducerFinished).unwrap();
    sb.say_signal.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries_with(&log, "control"),
        ["B control ProducerFinished", "C control ProducerFinished"]
    );
    assert!(taps.signals().is_empty());
}

/// What is sent to the pipeline's inbox and control reaches the first child only.
#[test]
fn first_child_gets_the_pipelines_inbox_and_control() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let mut system = System::deterministic();
    let p = Pipeline::new(a).then(b);
    let mut f = feed(&p);
    system.spawn(p);
    system.run_until_idle();
    f.inbox.try_send(3).unwrap();
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries(&log),
        [
            "A started",
            "B started",
            "A control ProducerFinished",
            "A got 3"
        ]
    );
}

/// What the last child sends on outbox and signal leaves through the pipeline's outbox and
/// signal; what inner children send does not.
#[test]
fn last_child_feeds_the_pipelines_outbox_and_signal() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let mut system = System::deterministic();
    let p = Pipeline::new(a).then(b);
    let mut taps = tap(&p);
    system.spawn(p);
    sa.say.try_send(1).unwrap();
    sb.say.try_send(9).unwrap();
    sb.say_signal.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(taps.all(), [9]);
    assert_eq!(taps.signals(), [Control::Shutdown]);
}

/// A circular pipeline links the last child back to the first, and its own outbox and signal
/// carry nothing.
#[test]
fn circular_pipeline_links_the_last_child_back_to_the_first() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let mut system = System::deterministic();
    let p = Pipeline::new(a).then(b).circular();
    let mut taps = tap(&p);
    system.spawn(p);
    sb.say.try_send(5).unwrap();
    sb.say_signal.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries_of(&log, "A"),
        ["A control ProducerFinished", "A got 5"]
    );
    assert!(taps.all().is_empty());
    assert!(taps.signals().is_empty());
}

/// Stages of different types chain when each one's output is the next one's input.
#[test]
fn stages_of_different_types_chain_when_output_matches_input() {
    let mut system = System::deterministic();
    let p: Pipeline<u32, String> = Pipeline::new(map(|n| n + 1)).then(map(|n| format!("<{n}>")));
    let mut f = feed(&p);
    let mut taps = tap(&p);
    system.spawn(p);
    f.inbox.try_send(1).unwrap();
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(taps.all(), ["<2>"]);
}

/// A line of transforms (`axon::line`) is a stage: it sits between task components and
/// follows the same shutdown convention.
#[test]
fn a_line_of_transforms_is_a_stage_between_components() {
    use axon::line::{map as transform, Chain, Line};
    let mut system = System::deterministic();
    let line = Line::new(
        Chain::new()
            .then(transform(|n: u32| n * 10))
            .then(transform(|n: u32| n + 1)),
    );
    let p = Pipeline::new(map(|n: u32| n + 1))
        .then(line)
        .then(map(|n| n * 2));
    let mut f = feed(&p);
    let mut taps = tap(&p);
    system.spawn(p);
    for n in 1..=3 {
        f.inbox.try_send(n).unwrap();
    }
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(taps.all(), [42, 62, 82]);
    assert_eq!(taps.signals(), [Control::ProducerFinished]);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// A child that fails makes the pipeline send Shutdown to the others and end with an error
/// naming it.
#[test]
fn failing_child_makes_the_pipeline_stop_the_others_and_fail_naming_it() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, _sc) = puppet("C", &log);
    let mut system = System::deterministic();
    let p = system.adopt_named("P", Pipeline::new(a).then(b).then(c));
    let p_id = system.activate(p);
    system.run_until_idle();
    // B is the second child the pipeline adopted.
    let b_name = nth_child_name(&system, p_id, 1);
    sb.end.try_send(Err("boom".to_string())).unwrap();
    system.run().unwrap();
    assert_eq!(
        entries_with(&log, "control"),
        ["A control Shutdown", "C control Shutdown"]
    );
    let what = failure_of(&system, "P");
    assert!(
        what.contains(&format!("child {b_name} failed: boom")),
        "{what}"
    );
}

/// Messages sent to the pipeline before it starts wait and reach the first child in order.
#[test]
fn messages_sent_before_the_pipeline_starts_are_delivered() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let mut system = System::deterministic();
    let p = Pipeline::new(a);
    let mut f = feed(&p);
    for n in 1..=3 {
        f.inbox.try_send(n).unwrap();
    }
    system.spawn(p);
    system.run_until_idle();
    assert_eq!(
        entries(&log),
        ["A started", "A got 1", "A got 2", "A got 3"]
    );
}

/// ProducerFinished sent to the pipeline drains every stage in order, then leaves on signal.
#[test]
fn producer_finished_drains_the_whole_pipeline_then_leaves_on_signal() {
    let mut system = System::deterministic();
    let p = Pipeline::new(map(|n| n * 2)).then(map(|n| n + 1));
    let mut f = feed(&p);
    let mut taps = tap(&p);
    system.spawn(p);
    for n in 1..=4 {
        f.inbox.try_send(n).unwrap();
    }
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(taps.all(), [3, 5, 7, 9]);
    assert_eq!(taps.signals(), [Control::ProducerFinished]);
}

/// Shutdown sent to the pipeline stops every stage and leaves on signal.
#[test]
fn shutdown_stops_every_stage_and_leaves_on_signal() {
    let mut system = System::deterministic();
    let p = Pipeline::new(map(|n: u32| n)).then(map(|n| n));
    let mut f = feed(&p);
    let mut taps = tap(&p);
    system.spawn(p);
    system.run_until_idle();
    f.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(taps.signals(), [Control::Shutdown]);
    assert_eq!(system.live(), 0);
}
