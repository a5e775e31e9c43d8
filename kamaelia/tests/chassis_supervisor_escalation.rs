//! `Supervisor`: restart intensity and escalation (more restarts within the window than allowed
//! make the supervisor fail, which its parent sees; restarts older than the window do not count;
//! an escalating inner supervisor is restarted by an outer one) and the exponential backoff
//! between restarts (doubling up to a cap, starting again after a quiet window).
//!
//! On a deterministic system with virtual time. The workers, which log when each incarnation
//! starts and ends, and the rig they run in are in `tests/common/supervisor.rs`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axon::Control;
use common::strings;
use common::supervisor::{assert_no_overlap, worker_factory, Act, Opts, Rig};
use kamaelia::chassis::supervisor::{Backoff, Strategy, Supervisor};

/// More failures than the intensity allows within the window make the supervisor stop its other
/// children and fail with an error naming the child and the count, which its parent sees.
#[test]
fn exceeding_the_restart_intensity_escalates_to_the_parent() {
    let mut rig = Rig::new();
    let always_fails = |_| Opts {
        fail_at_start: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(3, Duration::from_secs(5))
        .child("steady", rig.worker("steady"))
        .child("flaky", rig.worker_with("flaky", always_fails));
    rig.spawn(sup);
    rig.system.run().unwrap();
    assert_eq!(
        rig.starts("flaky").len(),
        4,
        "the first start and 3 restarts"
    );
    assert_eq!(rig.events().last().map(String::as_str), Some("end steady"));
    let result = rig.result().unwrap();
    assert!(result.starts_with("failed: "), "{result}");
    assert!(result.contains("child \"flaky\" failed"), "{result}");
    assert!(result.contains("4 restarts within 5s"), "{result}");
    assert!(result.contains("limit of 3"), "{result}");
    assert_eq!(
        rig.signals(),
        [],
        "an escalating supervisor sends nothing on signal"
    );
    assert_no_overlap(&rig.events());
}

/// An intensity of zero escalates the first failure.
#[test]
fn zero_intensity_escalates_the_first_failure() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(0, Duration::from_secs(5))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.system.run().unwrap();
    assert_eq!(rig.starts("a").len(), 1);
    assert!(rig.result().unwrap().contains("1 restarts within 5s"));
}

/// Only restarts inside the window count: failures spaced wider than the window allows never
/// escalate, however many there are.
#[test]
fn restarts_older_than_the_window_do_not_count() {
    let mut rig = Rig::new();
    let first_five_fail = |n| Opts {
        fail_at_start: n <= 5,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(2, Duration::from_secs(5))
        .backoff(Backoff::Fixed(Duration::from_secs(3)))
        .child("a", rig.worker_with("a", first_five_fail));
    rig.spawn(sup);
    rig.system.advance(Duration::from_secs(20));
    let starts = rig.starts("a");
    assert_eq!(starts.len(), 6);
    for w in starts.windows(2) {
        assert_eq!(w[1] - w[0], Duration::from_secs(3));
    }
    assert_eq!(rig.result(), None, "still running");
    rig.control(Control::Shutdown);
    rig.system.run().unwrap();
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// The same spacing escalates when the window is wide enough to hold more restarts than
/// allowed.
#[test]
fn restarts_inside_a_wider_window_escalate() {
    let mut rig = Rig::new();
    let always_fails = |_| Opts {
        fail_at_start: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(2, Duration::from_secs(7))
        .backoff(Backoff::Fixed(Duration::from_secs(3)))
        .child("a", rig.worker_with("a", always_fails));
    rig.spawn(sup);
    rig.system.run().unwrap();
    // Failures at 0, 3 and 6 s: the third is the third restart within 7 s.
    assert_eq!(rig.starts("a").len(), 3);
    assert!(rig.result().unwrap().contains("3 restarts within 7s"));
}

/// Exponential backoff doubles the delay for each recent restart of the same child, up to the
/// cap, measured in virtual time from the failure to the next start.
#[test]
fn backoff_delays_grow_exponentially_up_to_the_cap() {
    let mut rig = Rig::new();
    let first_five_fail = |n| Opts {
        fail_at_start: n <= 5,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(60))
        .backoff(Backoff::exponential(
            Duration::from_millis(100),
            Duration::from_millis(500),
        ))
        .child("a", rig.worker_with("a", first_five_fail));
    rig.spawn(sup);
    rig.system.advance(Duration::from_secs(10));
    let starts = rig.starts("a");
    let gaps: Vec<u128> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis())
        .collect();
    assert_eq!(gaps, [100, 200, 400, 500, 500]);
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// A child that has not failed for a whole window starts its backoff again from the first
/// delay.
#[test]
fn backoff_starts_again_after_a_quiet_window() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(5))
        .backoff(Backoff::exponential(
            Duration::from_millis(100),
            Duration::from_secs(10),
        ))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(100));
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(200));
    rig.system.advance(Duration::from_secs(6)); // quiet for longer than the window
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(100));
    let starts = rig.starts("a");
    assert_eq!(starts.len(), 4);
    assert_eq!((starts[1] - starts[0]).as_millis(), 100);
    assert_eq!((starts[2] - starts[1]).as_millis(), 200);
    assert_eq!((starts[3] - rig.log.lock().unwrap()[5].1).as_millis(), 100);
    assert_no_overlap(&rig.events());
}

/// A supervisor is a stage, so it can supervise supervisors: an inner one that escalates is
/// restarted by the outer one.
#[test]
fn a_supervisor_restarts_an_escalating_inner_supervisor() {
    let mut rig = Rig::new();
    let log = Arc::clone(&rig.log);
    let trigger = Arc::clone(&rig.trigger);
    let inner = move || {
        let worker = worker_factory("a", Arc::clone(&log), Arc::clone(&trigger), |_| {
            Opts::default()
        });
        Supervisor::new(Strategy::OneForOne)
            .intensity(0, Duration::from_secs(1))
            .child("a", worker)
    };
    let sup = Supervisor::new(Strategy::OneForOne).child("inner", inner);
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    assert_eq!(rig.events(), strings(&["start a", "end a", "start a"]));
    rig.send(3);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["a:3"]));
}
