//! Tests of the `Supervisor` chassis: the restart strategies (one-for-one, one-for-all,
//! rest-for-one, a group restart waiting for a slow sibling), the restart types (transient,
//! permanent, temporary; a panic restarted like a failure), a supervisor refusing to start
//! (no children, duplicate names), and its catalogue entry.
//!
//! On a deterministic system with virtual time. The workers, which log when each incarnation
//! starts and ends, and the rig they run in are in `tests/common/supervisor.rs`.

mod common;

use std::time::Duration;

use axon::Control;
use common::strings;
use common::supervisor::{assert_no_overlap, sorted, Act, Opts, Rig};
use kamaelia::chassis::supervisor::{Restart, Strategy, Supervisor};

/// With one-for-one, only the child that failed is restarted; its siblings keep running.
#[test]
fn one_for_one_restarts_only_the_failed_child() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    assert_eq!(rig.events(), strings(&["start a", "start b", "start c"]));
    rig.trigger("b", Act::Fail);
    assert_eq!(rig.events_from(3), strings(&["end b", "start b"]));
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_no_overlap(&rig.events());
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// With one-for-all, a failure stops every sibling, waits for all of them to end, then starts
/// all the children again in their declared order.
#[test]
fn one_for_all_stops_every_sibling_then_restarts_all_in_order() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    rig.trigger("b", Act::Fail);
    let after = rig.events_from(3);
    assert_eq!(after.len(), 6, "{after:?}");
    assert_eq!(after[0], "end b");
    assert_eq!(sorted(after[1..3].to_vec()), strings(&["end a", "end c"]));
    assert_eq!(after[3..], strings(&["start a", "start b", "start c"]));
    assert_no_overlap(&rig.events());
}

/// With rest-for-one, a failure restarts the failed child and those declared after it, in
/// order, after the later ones have ended; earlier children are untouched.
#[test]
fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::RestForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"))
        .child("d", rig.worker("d"));
    rig.spawn(sup);
    rig.trigger("b", Act::Fail);
    let after = rig.events_from(4);
    assert_eq!(after.len(), 6, "{after:?}");
    assert_eq!(after[0], "end b");
    assert_eq!(sorted(after[1..3].to_vec()), strings(&["end c", "end d"]));
    assert_eq!(after[3..], strings(&["start b", "start c", "start d"]));
    assert!(!after.iter().any(|e| e.ends_with(" a")), "{after:?}");
    assert_no_overlap(&rig.events());
}

/// With rest-for-one, a failure of the last child restarts only that child.
#[test]
fn rest_for_one_failure_of_the_last_child_restarts_only_it() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::RestForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("b", Act::Fail);
    assert_eq!(rig.events_from(2), strings(&["end b", "start b"]));
}

/// A group restart waits for a sibling that is slow to stop: no child starts again until every
/// affected incarnation has ended, so no two incarnations ever overlap.
#[test]
fn group_restart_waits_for_a_slow_sibling_to_end() {
    let mut rig = Rig::new();
    let slow = |_| Opts {
        slow_stop: Some(Duration::from_secs(1)),
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker_with("b", slow));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    assert_eq!(
        rig.events_from(2),
        strings(&["end a"]),
        "b is still stopping"
    );
    rig.system.advance(Duration::from_secs(1));
    assert_eq!(
        rig.events_from(2),
        strings(&["end a", "end b", "start a", "start b"])
    );
    assert_eq!(
        rig.starts("a")[1] - rig.time_of("end a"),
        Duration::from_secs(1)
    );
    assert_no_overlap(&rig.events());
}

/// A transient child (the default) that finishes normally is not restarted; the others carry
/// on and take all the input.
#[test]
fn a_child_that_finishes_normally_is_not_restarted() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("a", Act::Finish);
    assert_eq!(rig.events_from(2), strings(&["end a"]));
    rig.send(1);
    rig.send(2);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["b:1", "b:2"]));
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_eq!(rig.starts("a").len(), 1);
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// A permanent child is restarted even when it finishes normally.
#[test]
fn a_permanent_child_is_restarted_after_finishing_normally() {
    let mut rig = Rig::new();
    let sup =
        Supervisor::new(Strategy::OneForOne).child_with("a", Restart::Permanent, rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Finish);
    assert_eq!(rig.events(), strings(&["start a", "end a", "start a"]));
}

/// A temporary child is never restarted, and its failure leaves its siblings alone even under
/// one-for-all.
#[test]
fn a_temporary_child_is_never_restarted() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child_with("t", Restart::Temporary, rig.worker("t"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("t", Act::Fail);
    assert_eq!(rig.events(), strings(&["start t", "start b", "end t"]));
}

/// A panicking child is restarted like a failing one.
#[test]
fn a_panicking_child_is_restarted() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne).child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Panic);
    assert_eq!(rig.events(), strings(&["start a", "end a", "start a"]));
    rig.send(5);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["a:5"]));
}

/// A supervisor with no children fails at once, saying so.
#[test]
fn a_supervisor_without_children_fails() {
    let mut rig = Rig::new();
    rig.spawn(Supervisor::new(Strategy::OneForOne));
    rig.system.run().unwrap();
    assert!(rig.result().unwrap().contains("no children"));
}

/// Two children with the same name are refused, naming it.
#[test]
fn duplicate_child_names_are_refused() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.system.run().unwrap();
    let result = rig.result().unwrap();
    assert!(result.contains("two children named \"a\""), "{result}");
    assert_eq!(rig.events(), Vec::<String>::new());
}

/// The supervisor is in the catalogue with its four boxes.
#[test]
fn the_supervisor_is_catalogued() {
    let entries = kamaelia::catalogue::all();
    let e = entries.iter().find(|e| e.name == "Supervisor").unwrap();
    let boxes: Vec<&str> = e.boxes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(boxes, ["inbox", "control", "outbox", "signal"]);
    assert!(e.parameters.iter().any(|p| p.name == "strategy"));
}
