//! Par (Kamaelia's PAR, reference §2): children run side by side, activated only when the `Par`
//! runs; their outboxes are merged into the `Par`'s; every inbox message goes to every child
//! (the inbox policy chosen here: broadcast — Kamaelia discarded it); every control message
//! goes to every child; the `Par` ends only when all children have; and it sends exactly one
//! message on signal at the end (Shutdown if there was one, else ProducerFinished).

mod common;

use axon::{Control, System};
use common::{
    ends, entries, entries_of, failure_of, feed, is_live, map, nth_child_name, puppet, tap, Log,
};
use kamaelia::chassis::par::Par;
use kamaelia::chassis::Pipeline;

/// Children are activated when the Par is activated, and no sooner.
#[test]
fn children_start_only_when_par_runs() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let mut system = System::deterministic();
    let par = system.adopt(Par::new(a).with(b));
    system.run_until_idle();
    assert!(entries(&log).is_empty(), "{:?}", entries(&log));
    system.activate(par);
    system.run_until_idle();
    assert_eq!(entries(&log), ["A started", "B started"]);
}

/// The Par ends only once every child has ended, and only then says so on signal.
#[test]
fn par_ends_only_after_every_child_has_ended() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn_named("P", par);
    system.run_until_idle();
    sb.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(is_live(&system, "P"));
    assert!(e.signals().is_empty());
    sa.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, "P"));
    assert_eq!(e.signals(), [Control::ProducerFinished]);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// Every child's outbox leaves through the Par's outbox, in the order sent.
#[test]
fn outputs_of_all_children_merge_into_the_par_outbox() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, mut sc) = puppet("C", &log);
    let par = Par::new(a).with(b).with(c);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    sa.say.try_send(1).unwrap();
    system.run_until_idle();
    sc.say.try_send(3).unwrap();
    system.run_until_idle();
    sb.say.try_send(2).unwrap();
    system.run_until_idle();
    assert_eq!(e.all(), [1, 3, 2]);
}

/// Inbox policy: every message on the Par's inbox goes to every child, in order.
#[test]
fn every_inbox_message_goes_to_every_child() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    for n in 1..=3 {
        e.inbox.try_send(n).unwrap();
    }
    system.run_until_idle();
    assert_eq!(entries_of(&log, "A"), ["A got 1", "A got 2", "A got 3"]);
    assert_eq!(entries_of(&log, "B"), ["B got 1", "B got 2", "B got 3"]);
}

/// Every message on the Par's control goes to every child's control.
#[test]
fn every_control_message_goes_to_every_child() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    e.control.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    // Later control messages are still passed on: Shutdown can cut a drain short.
    e.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(
        entries_of(&log, "A"),
        ["A control ProducerFinished", "A control Shutdown"]
    );
    assert_eq!(
        entries_of(&log, "B"),
        ["B control ProducerFinished", "B control Shutdown"]
    );
    assert_eq!(e.signals(), [Control::Shutdown]);
}

/// ProducerFinished: input queued before it reaches every child first, the children drain, and
/// the Par sends one ProducerFinished on signal.
#[test]
fn producer_finished_hands_on_queued_input_then_ends_with_producer_finished() {
    let par = Par::new(map(|n: u32| n * 10)).with(map(|n| n + 1));
    let mut e = ends(&par);
    let mut system = System::deterministic();
    for n in 1..=3 {
        e.inbox.try_send(n).unwrap();
    }
    e.control.try_send(Control::ProducerFinished).unwrap();
    system.spawn(par);
    system.run().unwrap();
    let mut got = e.all();
    got.sort_unstable();
    assert_eq!(got, [2, 3, 4, 10, 20, 30]);
    assert_eq!(e.signals(), [Control::ProducerFinished]);
}

/// Shutdown: passed to every child at once, queued input is not handed on, and the Par sends
/// Shutdown on signal.
#[test]
fn shutdown_stops_every_child_and_is_sent_on_signal() {
    let par = Par::new(map(|n: u32| n)).with(map(|n| n));
    let mut e = ends(&par);
    let mut system = System::deterministic();
    for n in 1..=3 {
        e.inbox.try_send(n).unwrap();
    }
    e.control.try_send(Control::Shutdown).unwrap();
    system.spawn(par);
    system.run().unwrap();
    assert!(e.all().is_empty());
    assert_eq!(e.signals(), [Control::Shutdown]);
    assert_eq!(system.live(), 0);
}

/// The children's own signals are not passed through one by one: downstream hears once, after
/// the last child has ended.
#[test]
fn childrens_signals_are_collected_into_one_at_the_end() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    sa.say_signal.try_send(Control::ProducerFinished).unwrap();
    sa.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(e.signals().is_empty());
    sb.say_signal.try_send(Control::ProducerFinished).unwrap();
    sb.end.try_send(Ok(())).unwrap();
    system.run().unwrap();
    assert_eq!(e.signals(), [Control::ProducerFinished]);
}

/// A child that signals Shutdown makes the Par's final signal Shutdown.
#[test]
fn a_child_signalling_shutdown_makes_the_final_signal_shutdown() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    sa.say_signal.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    sa.end.try_send(Ok(())).unwrap();
    sb.end.try_send(Ok(())).unwrap();
    system.run().unwrap();
    assert_eq!(e.signals(), [Control::Shutdown]);
}

/// A child that fails makes the Par send Shutdown to the others, send Shutdown on signal and
/// end with an error naming the child.
#[test]
fn failing_child_makes_par_stop_the_others_and_fail_naming_it() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, _sc) = puppet("C", &log);
    let par = Par::new(a).with(b).with(c);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    let par = system.adopt_named("P", par);
    let p_id = system.activate(par);
    system.run_until_idle();
    // B is the second child the Par adopted.
    let b_name = nth_child_name(&system, p_id, 1);
    sb.end.try_send(Err("boom".to_string())).unwrap();
    system.run().unwrap();
    assert_eq!(entries_of(&log, "A"), ["A control Shutdown"]);
    assert_eq!(entries_of(&log, "C"), ["C control Shutdown"]);
    assert_eq!(e.signals(), [Control::Shutdown]);
    let what = failure_of(&system, "P");
    assert!(
        what.contains(&format!("child {b_name} failed: boom")),
        "{what}"
    );
}

/// Messages sent to the Par before it starts wait, then reach every child in order.
#[test]
fn messages_sent_before_par_starts_are_delivered() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    for n in 1..=2 {
        e.inbox.try_send(n).unwrap();
    }
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    assert_eq!(entries_of(&log, "A"), ["A got 1", "A got 2"]);
    assert_eq!(entries_of(&log, "B"), ["B got 1", "B got 2"]);
}

/// A Par works as a pipeline stage: what follows it sees every child's output, and is told to
/// stop only after all of them have finished.
#[test]
fn par_works_as_a_pipeline_stage() {
    let p = Pipeline::new(Par::new(map(|n: u32| n * 10)).with(map(|n| n + 1))).then(map(|n| n));
    let mut f = feed(&p);
    let mut taps = tap(&p);
    let mut system = System::deterministic();
    system.spawn(p);
    f.inbox.try_send(5).unwrap();
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let mut got = taps.all();
    got.sort_unstable();
    assert_eq!(got, [6, 50]);
}

/// The catalogue lists Par with its Kamaelia name and the four standard boxes.
#[test]
fn par_is_listed_in_the_catalogue() {
    let entries = kamaelia::catalogue::all();
    let p = entries.iter().find(|e| e.name == "Par").unwrap();
    assert_eq!(p.kamaelia_name, "Kamaelia.Chassis.PAR.PAR");
    let boxes: Vec<_> = p.boxes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(boxes, ["inbox", "control", "outbox", "signal"]);
}
