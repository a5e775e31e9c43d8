//! `Supervisor`: how input reaches the children. Round robin to the running children, held while
//! the only child restarts, and not lost when a child fails or is stopped: what it left unread
//! (and what was waiting to be handed to it) goes to its next incarnation ahead of later input,
//! or to the running children when it ends for good; only the message a child failed on is
//! dropped.
//!
//! On a deterministic system with virtual time. The workers, which log when each incarnation
//! starts and ends, and the rig they run in are in `tests/common/supervisor.rs`.

mod common;

use std::time::Duration;

use axon::Control;
use common::strings;
use common::supervisor::{assert_no_overlap, sorted, Act, Opts, Rig};
use kamaelia::chassis::supervisor::{Backoff, Restart, Strategy, Supervisor};

/// Options for incarnation `n` of a worker that does not read its inbox the first time.
fn deaf_at_first(n: u32) -> Opts {
    Opts {
        deaf: n == 1,
        ..Opts::default()
    }
}

/// Input is handed to the running children round robin.
#[test]
fn input_is_handed_to_the_children_round_robin() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    for n in 1..=6 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        sorted(rig.outputs()),
        strings(&["a:1", "a:4", "b:2", "b:5", "c:3", "c:6"])
    );
}

/// While a child waits to be restarted, input goes to the children that are running.
#[test]
fn input_goes_to_the_running_children_while_one_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(1)))
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    for n in 1..=3 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["b:1", "b:2", "b:3"]));
}

/// With no child running, input waits in the supervisor and goes to the next incarnation once
/// the backoff is over.
#[test]
fn input_waits_while_the_only_child_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(1)))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.send(7);
    rig.system.advance(Duration::from_millis(999));
    assert_eq!(rig.outputs(), Vec::<String>::new());
    rig.system.advance(Duration::from_millis(1));
    assert_eq!(rig.outputs(), strings(&["a:7"]));
    assert_eq!(rig.starts("a").len(), 2);
}

/// Whatever the children's inbox capacity, a failed child loses only the message it failed
/// on (the poisoned 0, which is not handed to anyone again): what was waiting in its inbox goes
/// to the next incarnation.
#[test]
fn a_failed_child_loses_only_the_message_it_failed_on_whatever_its_capacity() {
    for capacity in [None, Some(1), Some(2)] {
        let mut rig = Rig::new();
        let mut sup = Supervisor::new(Strategy::OneForOne).child("a", rig.worker("a"));
        if let Some(c) = capacity {
            sup = sup.child_capacity(c);
        }
        for n in [1, 0, 2, 3, 4] {
            rig.send(n);
        }
        rig.control(Control::ProducerFinished);
        rig.spawn(sup);
        rig.system.run().unwrap();
        assert_eq!(
            rig.outputs(),
            strings(&["a:1", "a:2", "a:3", "a:4"]),
            "capacity {capacity:?}"
        );
        assert_eq!(rig.starts("a").len(), 2, "capacity {capacity:?}");
        assert_eq!(rig.signals(), [Control::ProducerFinished]);
    }
}

/// What a failed child left unread in its inbox goes to its next incarnation first, in order,
/// ahead of input the supervisor held or received while the child waited to restart.
#[test]
fn input_a_failed_child_left_unread_goes_to_its_next_incarnation_ahead_of_later_input() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(1)))
        .child("a", rig.worker("a"));
    for n in [1, 0, 2, 3] {
        rig.send(n);
    }
    rig.spawn(sup);
    assert_eq!(
        rig.outputs(),
        strings(&["a:1"]),
        "2 and 3 wait in a's inbox"
    );
    assert_eq!(rig.events(), strings(&["start a", "end a"]));
    rig.send(4); // held by the supervisor during the backoff
    rig.send(5); // still in the supervisor's inbox
    rig.system.advance(Duration::from_secs(1));
    assert_eq!(rig.starts("a").len(), 2);
    assert_eq!(rig.outputs(), strings(&["a:2", "a:3", "a:4", "a:5"]));
}

/// With one-for-all, a sibling stopped because another child failed gets the input it had not
/// read back on its restart, before anything else.
#[test]
fn one_for_all_hands_a_stopped_sibling_its_unread_input_when_it_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker_with("b", deaf_at_first));
    rig.spawn(sup);
    for n in 1..=4 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        rig.outputs(),
        strings(&["a:1", "a:3"]),
        "b has 2 and 4 unread"
    );
    rig.trigger("a", Act::Fail);
    assert_eq!(
        rig.events_from(2),
        strings(&["end a", "end b", "start a", "start b"])
    );
    assert_eq!(rig.outputs(), strings(&["b:2", "b:4"]));
    rig.send(5);
    rig.send(6);
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_eq!(sorted(rig.outputs()), strings(&["a:5", "b:6"]));
    assert_no_overlap(&rig.events());
}

/// With rest-for-one, a later sibling stopped because an earlier one failed gets the input it
/// had not read back on its restart; the sibling declared before the failed one is not touched.
#[test]
fn rest_for_one_hands_a_stopped_later_sibling_its_unread_input_when_it_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::RestForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker_with("c", deaf_at_first));
    rig.spawn(sup);
    for n in 1..=6 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        sorted(rig.outputs()),
        strings(&["a:1", "a:4", "b:2", "b:5"]),
        "c has 3 and 6 unread"
    );
    rig.trigger("b", Act::Fail);
    assert_eq!(
        rig.events_from(3),
        strings(&["end b", "end c", "start b", "start c"])
    );
    assert_eq!(rig.outputs(), strings(&["c:3", "c:6"]));
}

/// A child that ends for good (here a temporary one that fails) while its siblings run leaves
/// its unread input to them, ahead of later input; it is not restarted for it.
#[test]
fn input_a_child_that_ends_for_good_left_unread_goes_to_the_running_children() {
    let mut rig = Rig::new();
    let deaf = |_| Opts {
        deaf: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .child_with("t", Restart::Temporary, rig.worker_with("t", deaf))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    for n in 1..=4 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        rig.outputs(),
        strings(&["b:2", "b:4"]),
        "t has 1 and 3 unread"
    );
    rig.trigger("t", Act::Fail);
    rig.send(5);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["b:1", "b:3", "b:5"]));
    assert_eq!(rig.starts("t").len(), 1);
}

/// A message the supervisor could not hand over because the child failed first is kept and
/// given to the next incarnation; the message the child failed on is not handed over again.
#[test]
fn a_message_waiting_for_a_failed_child_goes_to_the_next_incarnation() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child_capacity(1)
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.send(0);
    rig.send(5);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["a:5"]));
    assert_eq!(rig.starts("a").len(), 2);
}
