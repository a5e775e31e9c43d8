//! `Supervisor`: how it ends. `ProducerFinished` drains the input through the children (a child
//! failing meanwhile is restarted and finished too); `Shutdown` stops every child and cancels a
//! pending restart; it ends by itself once every child has finished; a child that ignores
//! `Shutdown` makes it fail after the shutdown timeout.
//!
//! On a deterministic system with virtual time. The workers, which log when each incarnation
//! starts and ends, and the rig they run in are in `tests/common/supervisor.rs`.

mod common;

use std::time::Duration;

use axon::Control;
use common::strings;
use common::supervisor::{sorted, Act, Opts, Rig};
use kamaelia::chassis::supervisor::{Backoff, Restart, Strategy, Supervisor};

/// `ProducerFinished` hands every queued message to the children, passes the message on to
/// each, waits for them to end, then sends `ProducerFinished` on `signal`.
#[test]
fn producer_finished_drains_the_input_through_the_children_then_ends() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    for n in 1..=6 {
        rig.send(n);
    }
    rig.control(Control::ProducerFinished);
    rig.spawn(sup);
    rig.system.run().unwrap();
    assert_eq!(
        sorted(rig.outputs()),
        strings(&["a:1", "a:3", "a:5", "b:2", "b:4", "b:6"])
    );
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
    assert_eq!(
        sorted(rig.events()),
        strings(&["end a", "end b", "start a", "start b"])
    );
}

/// A child that fails while the supervisor drains is still restarted, and the new incarnation
/// is passed `ProducerFinished` too.
#[test]
fn a_child_failing_during_the_drain_is_restarted_and_finished() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne).child("a", rig.worker("a"));
    rig.send(0); // poisoned: a fails while draining it after ProducerFinished
    rig.control(Control::ProducerFinished);
    rig.spawn(sup);
    rig.system.run().unwrap();
    assert_eq!(
        rig.events(),
        strings(&["start a", "end a", "start a", "end a"])
    );
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// `Shutdown` stops every child (permanent ones included, without restarting them), then the
/// supervisor ends and sends `Shutdown` on `signal`.
#[test]
fn shutdown_stops_every_child_and_restarts_none() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child_with("a", Restart::Permanent, rig.worker("a"))
        .child_with("b", Restart::Permanent, rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    rig.control(Control::Shutdown);
    rig.system.run().unwrap();
    assert_eq!(
        rig.events(),
        strings(&["start a", "start b", "start c", "end a", "end b", "end c"])
    );
    assert_eq!(rig.signals(), [Control::Shutdown]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// `Shutdown` during a backoff cancels the pending restart.
#[test]
fn shutdown_cancels_a_pending_restart() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(10)))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.control(Control::Shutdown);
    rig.system.run().unwrap();
    assert_eq!(rig.events(), strings(&["start a", "end a"]));
    assert_eq!(rig.signals(), [Control::Shutdown]);
}

/// When every child has ended for good by itself, the supervisor ends and sends
/// `ProducerFinished` on `signal`.
#[test]
fn the_supervisor_ends_when_every_child_has_finished() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("a", Act::Finish);
    rig.trigger("b", Act::Finish);
    rig.system.run().unwrap();
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// A child that ignores `Shutdown` cannot be killed: after the shutdown timeout the supervisor
/// fails with an error naming it instead of starting a second copy beside it.
#[test]
fn a_child_that_ignores_shutdown_makes_the_supervisor_fail_after_the_timeout() {
    let mut rig = Rig::new();
    let stubborn = |_| Opts {
        stubborn: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForAll)
        .shutdown_timeout(Duration::from_secs(2))
        .child("a", rig.worker("a"))
        .child("b", rig.worker_with("b", stubborn));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(1999));
    assert_eq!(rig.result(), None);
    rig.system.advance(Duration::from_millis(1));
    let result = rig.result().unwrap();
    assert!(
        result.contains("child \"b\" did not stop within 2s"),
        "{result}"
    );
    assert_eq!(rig.starts("a").len(), 1, "nothing was restarted");
}
