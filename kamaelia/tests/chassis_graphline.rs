//! Graphline: Kamaelia's Graphline rules (reference §2) — children activated only when the
//! graphline runs, termination only after all children, links between named children and only
//! those (no leakage), pass-through of the graphline's own boxes (including extra ones of other
//! types), control passed to every child whose control is not linked when `("self", "control")`
//! is not wired, what goes out on `signal` (the remembered Shutdown, else ProducerFinished,
//! nothing if `("self", "signal")` is wired) — plus the checks made when the graph is built,
//! a failing child, and boxes that belong to one graphline only.

mod common;

use axon::{
    Boxes, Component, Context, Control, Direction, Error, Inbox, Outbox, System, ThreadedComponent,
};
use common::{entries, entries_with, failure_of, feed, is_live, map, puppet, tap, Log, Puppet};
use kamaelia::chassis::graphline::{GraphError, Graphline};
use kamaelia::chassis::Pipeline;

/// Has no control inbox: sends what it is told, ends when told.
#[derive(Boxes)]
struct NoControl {
    /// Numbers to send.
    say: Inbox<u32>,
    /// Ends it.
    end: Inbox<()>,
    /// What arrives on `say`.
    outbox: Outbox<u32>,
}

impl Component for NoControl {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                Some(()) = self.end.recv() => return Ok(()),
                Some(m) = self.say.recv() => self.outbox.send(m).await?,
            }
        }
    }
}

/// Sends 1, 2, 3 from its own thread, then ProducerFinished.
#[derive(Boxes, Default)]
struct ThreadedCount {
    /// Unused.
    inbox: Inbox<u32>,
    /// Unused.
    control: Inbox<Control>,
    /// 1, 2, 3.
    outbox: Outbox<u32>,
    /// ProducerFinished at the end.
    signal: Outbox<Control>,
}

impl ThreadedComponent for ThreadedCount {
    fn run(mut self, _: Context) -> Result<(), Error> {
        for n in 1..=3 {
            self.outbox.send_blocking(n)?;
        }
        self.signal.send_blocking(Control::ProducerFinished)?;
        Ok(())
    }
}
// ---------------------------------------------------------------------------------------------
// Running

/// Children are activated when the graphline is activated, and no sooner.
#[test]
fn children_start_only_when_the_graphline_runs() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .build()
        .unwrap();
    let mut system = System::deterministic();
    let g = system.adopt(g);
    system.run_until_idle();
    assert!(entries(&log).is_empty(), "{:?}", entries(&log));
    system.activate(g);
    system.run_until_idle();
    assert_eq!(entries(&log), ["A started", "B started"]);
    // The children run under their graph names.
    assert!(is_live(&system, "A") && is_live(&system, "B"));
}

/// The graphline ends only once every child has ended.
#[test]
fn graphline_ends_only_after_every_child_has_ended() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .link(("A", "outbox"), ("B", "inbox"))
        .build()
        .unwrap();
    let mut system = System::deterministic();
    system.spawn_named("G", g);
    system.run_until_idle();
    sb.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(is_live(&system, "G"));
    sa.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, "G"));
    assert_eq!(system.live(), 0);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// Linkages join the named children's boxes: outbox to inbox, signal to control.
#[test]
fn linkages_join_the_named_childrens_boxes() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .link(("A", "outbox"), ("B", "inbox"))
        .link(("A", "signal"), ("B", "control"))
        .build()
        .unwrap();
    let mut system = System::deterministic();
    system.spawn(g);
    sa.say.try_send(7).unwrap();
    system.run_until_idle();
    sa.say_signal.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries(&log),
        [
            "A started",
            "B started",
            "B got 7",
            "B control ProducerFinished"
        ]
    );
}

/// Only the linkages given are made: nothing reaches a child no linkage feeds, and an unlinked
/// outbox leads nowhere (in particular not to the graphline's own outbox).
#[test]
fn only_the_named_linkages_are_made() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, _sc) = puppet("C", &log);
    let g: Graphline<u32, u32> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .child("C", c)
        .link(("A", "outbox"), ("B", "inbox"))
        .build()
        .unwrap();
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    sa.say.try_send(1).unwrap();
    sb.say.try_send(2).unwrap();
    sa.say_signal.try_send(Control::ProducerFinished).unwrap();
    sb.say_signal.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(entries_with(&log, "got"), ["B got 1"]);
    assert!(entries_with(&log, "control").is_empty());
    assert!(taps.all().is_empty());
    assert!(taps.signals().is_empty());
}

/// `("self", box)` linkages forward the graphline's inboxes to children and publish children's
/// outboxes as the graphline's.
#[test]
fn self_linkages_pass_the_graphlines_boxes_through() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let g: Graphline<u32, u32> = Graphline::builder()
        .child("A", a)
        .link(("self", "inbox"), ("A", "inbox"))
        .link(("self", "control"), ("A", "control"))
        .link(("A", "outbox"), ("self", "outbox"))
        .link(("A", "signal"), ("self", "signal"))
        .build()
        .unwrap();
    let mut f = feed(&g);
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    f.inbox.try_send(4).unwrap();
    f.control.try_send(Control::ProducerFinished).unwrap();
    sa.say.try_send(8).unwrap();
    sa.say_signal.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries(&log),
        ["A started", "A control ProducerFinished", "A got 4"]
    );
    assert_eq!(taps.all(), [8]);
    assert_eq!(taps.signals(), [Control::ProducerFinished]);
}

/// Extra boxes declared on the builder carry their own message types, are listed with the
/// graphline's boxes, and are reached by name from outside.
#[test]
fn extra_self_boxes_carry_their_own_types() {
    let g: Graphline<(), ()> = Graphline::builder()
        .self_inbox::<String>("text", "lines to shout")
        .self_outbox::<String>("loud", "shouted lines")
        .child("UPPER", map(|s: String| s.to_uppercase()))
        .link(("self", "text"), ("UPPER", "inbox"))
        .link(("UPPER", "outbox"), ("self", "loud"))
        .build()
        .unwrap();
    let infos = axon::box_infos(&g);
    let text = infos.iter().find(|b| b.name == "text").unwrap();
    assert_eq!(
        (text.direction, text.type_name, &*text.doc),
        (Direction::Inbox, "alloc::string::String", "lines to shout")
    );
    let loud = infos.iter().find(|b| b.name == "loud").unwrap();
    assert_eq!(loud.direction, Direction::Outbox);

    let mut input = Outbox::new();
    axon::link(&input, &g.inbox_named::<String>("text").unwrap()).unwrap();
    let mut output = Inbox::new();
    axon::link(&g.outbox_named::<String>("loud").unwrap(), &output).unwrap();
    let mut stop = Outbox::new();
    axon::link(&stop, &g.control).unwrap();
    let mut system = System::deterministic();
    system.spawn(g);
    input.try_send("hi".to_string()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(output.try_recv(), Ok("HI".to_string()));
}

/// Asking for an own box with the wrong type, or one that does not exist, is an error naming it.
#[test]
fn own_boxes_looked_up_by_name_are_checked() {
    let g: Graphline<u32, ()> = Graphline::builder()
        .self_inbox::<String>("text", "")
        .build()
        .unwrap();
    assert!(g.inbox_named::<u32>("inbox").is_ok());
    assert!(g.inbox_named::<Control>("control").is_ok());
    assert!(g.outbox_named::<Control>("signal").is_ok());
    let err = g.inbox_named::<u32>("text").unwrap_err();
    assert_eq!(
        err,
        GraphError::WrongBoxType {
            name: "self.text".into(),
            has: "alloc::string::String",
            asked: "u32"
        }
    );
    let err = g.outbox_named::<String>("text").unwrap_err();
    assert!(
        matches!(&err, GraphError::NoSuchSelfBox { name, direction: Direction::Outbox, available }
            if name == "text" && available == &["outbox", "signal"]),
        "{err:?}"
    );
}

/// Extra boxes belong to the graphline they were declared on: a later graphline does not get
/// them (Kamaelia's class-level leak is not reproduced).
#[test]
fn extra_boxes_belong_to_one_graphline_only() {
    let first: Graphline<(), ()> = Graphline::builder()
        .self_inbox::<u32>("extra", "")
        .build()
        .unwrap();
    let second: Graphline<(), ()> = Graphline::builder().build().unwrap();
    let names = |g: &Graphline<(), ()>| -> Vec<String> {
        axon::box_infos(g)
            .into_iter()
            .map(|b| b.name.into_owned())
            .collect()
    };
    assert_eq!(
        names(&first),
        ["inbox", "control", "outbox", "signal", "extra"]
    );
    assert_eq!(names(&second), ["inbox", "control", "outbox", "signal"]);
    let err = Graphline::<(), ()>::builder()
        .child("A", map(|n: u32| n))
        .link(("self", "extra"), ("A", "inbox"))
        .build()
        .unwrap_err();
    assert!(matches!(err, GraphError::NoSuchSelfBox { .. }), "{err:?}");
}

/// Messages sent to the graphline before it starts wait and reach the child in order.
#[test]
fn messages_sent_before_the_graphline_starts_are_delivered() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let g: Graphline<u32, ()> = Graphline::builder()
        .child("A", a)
        .link(("self", "inbox"), ("A", "inbox"))
        .build()
        .unwrap();
    let mut f = feed(&g);
    for n in 1..=3 {
        f.inbox.try_send(n).unwrap();
    }
    let mut system = System::deterministic();
    system.spawn(g);
    system.run_until_idle();
    assert_eq!(
        entries(&log),
        ["A started", "A got 1", "A got 2", "A got 3"]
    );
}

/// A graphline works as a pipeline stage.
#[test]
fn graphline_works_as_a_pipeline_stage() {
    let g: Graphline<u32, u32> = Graphline::builder()
        .child("DOUBLE", map(|n: u32| n * 2))
        .link(("self", "inbox"), ("DOUBLE", "inbox"))
        .link(("self", "control"), ("DOUBLE", "control"))
        .link(("DOUBLE", "outbox"), ("self", "outbox"))
        .link(("DOUBLE", "signal"), ("self", "signal"))
        .build()
        .unwrap();
    let p = Pipeline::new(g).then(map(|n: u32| n + 1));
    let mut f = feed(&p);
    let mut taps = tap(&p);
    let mut system = System::deterministic();
    system.spawn(p);
    f.inbox.try_send(5).unwrap();
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(taps.outbox.try_recv(), Ok(11));
}

/// A threaded child runs in a graphline like any other.
#[test]
fn threaded_children_run_in_a_graphline() {
    let g: Graphline<(), u32> = Graphline::builder()
        .threaded_child("COUNT", ThreadedCount::default())
        .link(("COUNT", "outbox"), ("self", "outbox"))
        .build()
        .unwrap();
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    system.run().unwrap();
    assert_eq!(taps.all(), [1, 2, 3]);
    assert_eq!(taps.signals(), [Control::ProducerFinished]);
}

// ---------------------------------------------------------------------------------------------
// Control and signal

/// With `("self", "control")` not wired, each control message goes to every child whose
/// control no linkage feeds, and to no other.
#[test]
fn control_goes_to_every_child_whose_control_is_not_linked() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let (c, _sc) = puppet("C", &log);
    let (n_say, mut n_end) = (Outbox::<u32>::new(), Outbox::<()>::new());
    let n = NoControl {
        say: Inbox::new(),
        end: Inbox::new(),
        outbox: Outbox::new(),
    };
    axon::link(&n_say, &n.say).unwrap();
    axon::link(&n_end, &n.end).unwrap();
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .child("C", c)
        .child("N", n)
        .link(("A", "signal"), ("B", "control"))
        .build()
        .unwrap();
    let mut f = feed(&g);
    let mut system = System::deterministic();
    system.spawn_named("G", g);
    system.run_until_idle();
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries_with(&log, "control"),
        ["A control ProducerFinished", "C control ProducerFinished"]
    );
    f.control.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries_with(&log, "control"),
        [
            "A control ProducerFinished",
            "C control ProducerFinished",
            "A control Shutdown",
            "C control Shutdown"
        ]
    );
    // B (control linked) and N (no control) still run; the graphline waits for them.
    assert!(is_live(&system, "B") && is_live(&system, "N") && is_live(&system, "G"));
    n_end.try_send(()).unwrap();
    drop(n_say);
    system.run_until_idle();
    assert!(!is_live(&system, "N") && is_live(&system, "G"));
}

/// With `("self", "control")` wired, control goes only where that linkage says, and the
/// graphline passes nothing on itself.
#[test]
fn wired_self_control_goes_only_where_linked() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .link(("self", "control"), ("B", "control"))
        .build()
        .unwrap();
    let mut f = feed(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(
        entries_with(&log, "control"),
        ["B control ProducerFinished"]
    );
}

/// With `("self", "signal")` not wired, the graphline sends ProducerFinished on signal once
/// its children have all ended by themselves.
#[test]
fn signal_says_producer_finished_when_the_children_end_by_themselves() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .build()
        .unwrap();
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    system.run_until_idle();
    sa.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(taps.signals().is_empty());
    sb.end.try_send(Ok(())).unwrap();
    system.run().unwrap();
    assert_eq!(taps.signals(), [Control::ProducerFinished]);
}

/// With `("self", "signal")` not wired, a Shutdown the graphline was sent is remembered and
/// sent on signal at the end.
#[test]
fn signal_says_shutdown_after_a_shutdown_on_control() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .build()
        .unwrap();
    let mut f = feed(&g);
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    f.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(
        entries_with(&log, "control"),
        ["A control Shutdown", "B control Shutdown"]
    );
    assert_eq!(taps.signals(), [Control::Shutdown]);
}

/// With `("self", "signal")` wired, only what that child sends leaves on signal: the graphline
/// sends nothing itself.
#[test]
fn wired_signal_carries_only_what_the_child_sends() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .link(("A", "signal"), ("self", "signal"))
        .build()
        .unwrap();
    let mut f = feed(&g);
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    sa.say_signal.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    f.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(taps.signals(), [Control::ProducerFinished]);
}

/// ProducerFinished sent to the graphline drains its children in order, then the graphline
/// sends ProducerFinished on signal.
#[test]
fn producer_finished_drains_the_children_then_leaves_on_signal() {
    let g: Graphline<u32, u32> = Graphline::builder()
        .child("DOUBLE", map(|n: u32| n * 2))
        .child("INC", map(|n: u32| n + 1))
        .link(("self", "inbox"), ("DOUBLE", "inbox"))
        .link(("DOUBLE", "outbox"), ("INC", "inbox"))
        .link(("DOUBLE", "signal"), ("INC", "control"))
        .link(("INC", "outbox"), ("self", "outbox"))
        .build()
        .unwrap();
    let mut f = feed(&g);
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn(g);
    for n in 1..=4 {
        f.inbox.try_send(n).unwrap();
    }
    f.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(taps.all(), [3, 5, 7, 9]);
    assert_eq!(taps.signals(), [Control::ProducerFinished]);
}

/// A child that fails makes the graphline send Shutdown to every other child (linked control
/// or not), send Shutdown on signal and end with an error naming the child.
#[test]
fn failing_child_makes_the_graphline_stop_the_others_and_fail_naming_it() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let (c, mut sc) = puppet("RC", &log);
    let g: Graphline<(), ()> = Graphline::builder()
        .child("A", a)
        .child("B", b)
        .child("RC", c)
        .link(("A", "signal"), ("B", "control"))
        .build()
        .unwrap();
    let mut taps = tap(&g);
    let mut system = System::deterministic();
    system.spawn_named("G", g);
    system.run_until_idle();
    sc.end.try_send(Err("boom".to_string())).unwrap();
    system.run().unwrap();
    assert_eq!(
        entries_with(&log, "control"),
        ["A control Shutdown", "B control Shutdown"]
    );
    assert_eq!(taps.signals(), [Control::Shutdown]);
    let what = failure_of(&system, "G");
    assert!(what.contains("child RC failed: boom"), "{what}");
}

// ---------------------------------------------------------------------------------------------
// Checks when the graph is built

fn two() -> (Puppet, Puppet) {
    let log = Log::default();
    (puppet("A", &log).0, puppet("B", &log).0)
}

/// A linkage naming a child that was not added is refused, naming it.
#[test]
fn unknown_child_is_refused_naming_it() {
    let (a, _) = two();
    let err = Graphline::<(), ()>::builder()
        .child("A", a)
        .link(("A", "outbox"), ("RFA", "inbox"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::UnknownChild {
            name: "RFA".into(),
            linkage: "A.outbox -> RFA.inbox".into(),
            children: vec!["A".into()],
        }
    );
    assert!(err.to_string().contains("\"RFA\""), "{err}");
}

/// A linkage naming a box the child does not have is refused, naming the child and box and
/// listing the boxes it has.
#[test]
fn unknown_box_is_refused_naming_it() {
    let (a, b) = two();
    let err = Graphline::<(), ()>::builder()
        .child("A", a)
        .child("B", b)
        .link(("A", "outbox"), ("B", "input"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::NoSuchBox {
            child: "B".into(),
            name: "input".into(),
            direction: Direction::Inbox,
            available: ["inbox", "control", "say", "say_signal", "end"]
                .map(String::from)
                .to_vec(),
        }
    );
    assert_eq!(
        err.to_string(),
        "child B has no inbox named \"input\" (its inboxes: inbox, control, say, say_signal, end; a linkage starts at an outbox and ends at an inbox)"
    );
}

/// A linkage must start at an outbox: starting at a child's inbox is refused.
#[test]
fn linkage_starting_at_a_childs_inbox_is_refused() {
    let (a, b) = two();
    let err = Graphline::<(), ()>::builder()
        .child("A", a)
        .child("B", b)
        .link(("A", "inbox"), ("B", "inbox"))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, GraphError::NoSuchBox { child, name, direction: Direction::Outbox, .. }
            if child == "A" && name == "inbox"),
        "{err:?}"
    );
}

/// A linkage joining boxes of different message types is refused, naming both boxes and types.
#[test]
fn type_mismatch_is_refused_naming_both_boxes_and_types() {
    let (a, _) = two();
    let err = Graphline::<(), ()>::builder()
        .child("A", a)
        .child("T", map(|s: String| s))
        .link(("A", "outbox"), ("T", "inbox"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::TypeMismatch {
            from: "A.outbox".into(),
            from_type: "u32",
            to: "T.inbox".into(),
            to_type: "alloc::string::String",
        }
    );
    // The graphline's own boxes are checked too.
    let err = Graphline::<String, ()>::builder()
        .child("A", two().0)
        .link(("self", "inbox"), ("A", "inbox"))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, GraphError::TypeMismatch { from, to, .. } if from == "self.inbox" && to == "A.inbox"),
        "{err:?}"
    );
}

/// Two children with the same name are refused, naming it.
#[test]
fn duplicate_child_names_are_refused() {
    let (a, b) = two();
    let err = Graphline::<(), ()>::builder()
        .child("A", a)
        .child("A", b)
        .build()
        .unwrap_err();
    assert_eq!(err, GraphError::DuplicateChild { name: "A".into() });
}

/// A child cannot be called "self".
#[test]
fn a_child_named_self_is_refused() {
    let (a, _) = two();
    let err = Graphline::<(), ()>::builder()
        .child("self", a)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::ReservedName {
            name: "self".into()
        }
    );
}

/// A linkage to or from a "self" box the graphline does not have is refused, listing the boxes
/// it has.
#[test]
fn linkage_to_an_undeclared_self_box_is_refused() {
    let (a, _) = two();
    let err = Graphline::<(), ()>::builder()
        .child("A", a)
        .link(("A", "outbox"), ("self", "results"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::NoSuchSelfBox {
            name: "results".into(),
            direction: Direction::Outbox,
            available: vec!["outbox".into(), "signal".into()],
        }
    );
    assert!(err.to_string().contains("self_outbox"), "{err}");
}

/// A linkage from the graphline to itself is refused.
#[test]
fn self_to_self_linkage_is_refused() {
    let err = Graphline::<u32, u32>::builder()
        .link(("self", "inbox"), ("self", "outbox"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::SelfToSelf {
            from: "self.inbox".into(),
            to: "self.outbox".into()
        }
    );
}

/// One box cannot start two linkages (no one-to-many); many may end at one box.
#[test]
fn a_box_starting_two_linkages_is_refused() {
    let log = Log::default();
    let (a, b, c) = (
        puppet("A", &log).0,
        puppet("B", &log).0,
        puppet("C", &log).0,
    );
    let err = Graphline::<(), ()>::builder()
        .child("A", a)
        .child("B", b)
        .child("C", c)
        .link(("A", "outbox"), ("B", "inbox"))
        .link(("A", "outbox"), ("C", "inbox"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::AlreadyLinked {
            from: "A.outbox".into(),
            first: "B.inbox".into(),
            second: "C.inbox".into()
        }
    );
    let (a, b, c) = (
        puppet("A", &log).0,
        puppet("B", &log).0,
        puppet("C", &log).0,
    );
    assert!(Graphline::<(), ()>::builder()
        .child("A", a)
        .child("B", b)
        .child("C", c)
        .link(("A", "outbox"), ("C", "inbox"))
        .link(("B", "outbox"), ("C", "inbox"))
        .build()
        .is_ok());
}

/// Extra boxes cannot repeat a name the graphline has or use a reserved one.
#[test]
fn extra_boxes_with_taken_or_reserved_names_are_refused() {
    let err = Graphline::<(), ()>::builder()
        .self_outbox::<u32>("inbox", "")
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::DuplicateBox {
            name: "inbox".into()
        }
    );
    let err = Graphline::<(), ()>::builder()
        .self_inbox::<u32>("data", "")
        .self_outbox::<u32>("data", "")
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::DuplicateBox {
            name: "data".into()
        }
    );
    let err = Graphline::<(), ()>::builder()
        .self_outbox::<Control>("_cs1", "")
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        GraphError::DuplicateBox {
            name: "_cs1".into()
        }
    );
}

/// The catalogue lists Graphline with its Kamaelia name and the four standard boxes.
#[test]
fn graphline_is_listed_in_the_catalogue() {
    let entries = kamaelia::catalogue::all();
    let g = entries.iter().find(|e| e.name == "Graphline").unwrap();
    assert_eq!(g.kamaelia_name, "Kamaelia.Chassis.Graphline.Graphline");
    let boxes: Vec<_> = g.boxes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(boxes, ["inbox", "control", "outbox", "signal"]);
}
