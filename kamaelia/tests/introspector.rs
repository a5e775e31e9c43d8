//! The Introspector (typed topology changes) and AxonVisualiserLines (Kamaelia's AxonVisualiser
//! text lines).
//!
//! Everything runs on `System::deterministic()`: the introspector looks once at start and then
//! once per interval of virtual time, which only `advance` moves. Changes are compared through
//! `brief`, a one-line summary per change, so each expected report reads as a list.

mod common;

use std::time::Duration;

use axon::{
    Boxes, Component, ComponentState, Context, Control, Direction, Error, Inbox, Outbox, System,
};
use common::drain;
use kamaelia::chassis::Pipeline;
use kamaelia::util::sources::PassThrough;
use kamaelia::util::{AxonVisualiserLines, Introspector, LinkEnd, TopologyChange};

// ---------------------------------------------------------------------------------------------
// Helpers

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn end(e: &LinkEnd) -> String {
    let owner = e.component.map_or("-".to_string(), |c| c.get().to_string());
    let io = if e.direction == Direction::Inbox {
        "i"
    } else {
        "o"
    };
    format!("{owner}.{io}.{}", e.name)
}

/// One line per change: `+node 1 Pipeline#1 in -`, `+box 1.i.inbox`, `+link 1.o.outbox 2.i.inbox`,
/// `-link …`, `-box …`, `-node 3`, `state 2 Sending { outbox: "outbox" }`.
fn brief(c: &TopologyChange) -> String {
    let io = |d: &Direction| if *d == Direction::Inbox { "i" } else { "o" };
    match c {
        TopologyChange::AddNode {
            id, name, parent, ..
        } => {
            let parent = parent.map_or("-".to_string(), |p| p.get().to_string());
            format!("+node {} {name} in {parent}", id.get())
        }
        TopologyChange::AddBox {
            component,
            name,
            direction,
        } => format!("+box {}.{}.{name}", component.get(), io(direction)),
        TopologyChange::AddLink { from, to } => format!("+link {} {}", end(from), end(to)),
        TopologyChange::DelLink { from, to } => format!("-link {} {}", end(from), end(to)),
        TopologyChange::DelBox {
            component,
            name,
            direction,
        } => format!("-box {}.{}.{name}", component.get(), io(direction)),
        TopologyChange::DelNode { id } => format!("-node {}", id.get()),
        TopologyChange::State { id, state } => format!("state {} {state:?}", id.get()),
        other => format!("{other:?}"),
    }
}

fn briefs(changes: &mut Inbox<TopologyChange>) -> Vec<String> {
    drain(changes).iter().map(brief).collect()
}

fn boxes(id: u64) -> Vec<String> {
    ["i.inbox", "i.control", "o.outbox", "o.signal"]
        .iter()
        .map(|b| format!("+box {id}.{b}"))
        .collect()
}

/// The system most tests watch: Pipeline#1 of PassThrough#2 and #3, with a stop outbox on the
/// pipeline's control and its outbox into a test inbox; run until idle.
struct Watched {
    system: System,
    stop_pipeline: Outbox<Control>,
}

fn watched() -> Watched {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(PassThrough::<u8>::new()).then(PassThrough::new());
    let stop_pipeline = Outbox::new();
    let out: Inbox<u8> = Inbox::new();
    axon::link(&stop_pipeline, &pipeline.control).unwrap();
    axon::link(&pipeline.outbox, &out).unwrap();
    system.spawn(pipeline);
    system.run_until_idle();
    Watched {
        system,
        stop_pipeline,
    }
}

/// Starts `introspector` (id 4 in a `watched` system) in `system` with its outbox into the returned inbox
/// and a stop outbox on its control, and lets it make its first report.
fn start(
    system: &mut System,
    introspector: Introspector,
    capacity: usize,
) -> (Inbox<TopologyChange>, Outbox<Control>, Inbox<Control>) {
    let changes = Inbox::with_capacity(capacity);
    let (stop, signal) = (Outbox::new(), Inbox::new());
    axon::link(&introspector.outbox, &changes).unwrap();
    axon::link(&stop, &introspector.control).unwrap();
    axon::link(&introspector.signal, &signal).unwrap();
    system.spawn(introspector);
    system.run_until_idle();
    (changes, stop, signal)
}

/// The first report on a `watched` system: every component with its boxes, then every link.
fn whole_topology() -> Vec<String> {
    let mut expected = vec!["+node 1 Pipeline#1 in -".to_string()];
    expected.extend(boxes(1));
    expected.push("+node 2 PassThrough#2 in 1".into());
    expected.extend(boxes(2));
    expected.push("+node 3 PassThrough#3 in 1".into());
    expected.extend(boxes(3));
    expected.push("+node 4 Introspector#4 in -".into());
    expected.extend(boxes(4));
    expected.extend(
        [
            "+link 1.i.control 2.i.control",
            "+link 1.i.inbox 2.i.inbox",
            "+link 1.o.outbox -.i.(unregistered inbox)",
            "+link 2.o.outbox 3.i.inbox",
            "+link 2.o.signal 3.i.control",
            "+link 3.o.outbox 1.o.outbox",
            "+link 3.o.signal 1.o.signal",
            "+link 4.o.outbox -.i.(unregistered inbox)",
            "+link 4.o.signal -.i.(unregistered inbox)",
        ]
        .map(String::from),
    );
    expected
}

// ---------------------------------------------------------------------------------------------
// Introspector

/// The first report describes the whole topology as additions: every component (parents before
/// children) each followed by its boxes, then every link, pass-through links included.
#[test]
fn first_report_is_the_whole_topology() {
    let mut w = watched();
    let (mut changes, _stop, _signal) = start(&mut w.system, Introspector::new(), 64);
    assert_eq!(briefs(&mut changes), whole_topology());
}

/// The first report's nodes carry name, type, parent and state as the snapshot has them.
#[test]
fn added_nodes_carry_type_and_state() {
    let mut w = watched();
    let (mut changes, _stop, _signal) = start(&mut w.system, Introspector::new(), 64);
    let snap = w.system.snapshot();
    let first = drain(&mut changes);
    let TopologyChange::AddNode {
        type_name, state, ..
    } = &first[first
        .iter()
        .position(|c| brief(c).starts_with("+node 2"))
        .unwrap()]
    else {
        panic!("not a node")
    };
    assert_eq!(*type_name, std::any::type_name::<PassThrough<u8>>());
    assert_eq!(*state, snap.components[1].state);
}

/// When nothing changed between two looks, nothing is sent, state changes included.
#[test]
fn no_message_when_nothing_changed() {
    let mut w = watched();
    let (mut changes, _stop, _signal) = start(&mut w.system, Introspector::new(), 64);
    drain(&mut changes);
    w.system.advance(secs(5));
    assert_eq!(briefs(&mut changes), Vec::<String>::new());
}

/// A component started (and linked) after the first report is reported at the next look as a
/// node, its boxes and its link, and nothing else.
#[test]
fn a_new_component_and_link_appear_as_adds() {
    let mut w = watched();
    let (mut changes, _stop, _signal) = start(&mut w.system, Introspector::new(), 64);
    drain(&mut changes);
    let late = w.system.adopt(PassThrough::<u8>::new());
    let sink: Inbox<u8> = Inbox::new();
    axon::link(&late.outbox, &sink).unwrap();
    w.system.activate(late);
    w.system.run_until_idle();
    assert!(changes.is_empty(), "reported before the next look");
    w.system.advance(secs(1));
    let mut expected = vec!["+node 5 PassThrough#5 in -".to_string()];
    expected.extend(boxes(5));
    expected.push("+link 5.o.outbox -.i.(unregistered inbox)".into());
    assert_eq!(briefs(&mut changes), expected);
}

/// Components that ended are reported at the next look: their links, then their boxes, then
/// the nodes themselves, children before parents.
#[test]
fn an_ended_component_appears_as_a_delete() {
    let mut w = watched();
    let (mut changes, _stop, _signal) = start(&mut w.system, Introspector::new(), 64);
    drain(&mut changes);
    w.stop_pipeline.try_send(Control::ProducerFinished).unwrap();
    w.system.advance(secs(1));
    let mut expected: Vec<String> = [
        "-link 1.i.control 2.i.control",
        "-link 1.i.inbox 2.i.inbox",
        "-link 1.o.outbox -.i.(unregistered inbox)",
        "-link 2.o.outbox 3.i.inbox",
        "-link 2.o.signal 3.i.control",
        "-link 3.o.outbox 1.o.outbox",
        "-link 3.o.signal 1.o.signal",
    ]
    .map(String::from)
    .to_vec();
    for id in 1..=3 {
        expected.extend(boxes(id).iter().map(|b| b.replacen('+', "-", 1)));
    }
    expected.extend(["-node 3", "-node 2", "-node 1"].map(String::from));
    assert_eq!(briefs(&mut changes), expected);
}

/// Waits for a message on its inbox, then sleeps for a minute.
#[derive(Boxes, Default)]
struct Napper {
    /// Any message starts the nap.
    inbox: Inbox<()>,
}

impl Component for Napper {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        self.inbox.recv().await;
        tokio::time::sleep(secs(60)).await;
        Ok(())
    }
}

/// A component whose state changed is reported with its new state (here from receiving on its
/// inbox to waiting on a timer), unless states are turned off.
#[test]
fn a_state_change_is_reported_unless_turned_off() {
    for states in [true, false] {
        let mut system = System::deterministic();
        let napper = system.adopt(Napper::default());
        let mut wake = Outbox::new();
        axon::link(&wake, &napper.inbox).unwrap();
        system.activate(napper);
        system.run_until_idle();
        let introspector = if states {
            Introspector::new()
        } else {
            Introspector::new().without_states()
        };
        let (mut changes, _stop, _signal) = start(&mut system, introspector, 64);
        let first = drain(&mut changes);
        assert!(matches!(
            &first[0],
            TopologyChange::AddNode { state: ComponentState::Receiving { inbox }, .. } if inbox == "inbox"
        ));
        wake.try_send(()).unwrap();
        system.advance(secs(1));
        let expected = if states {
            vec!["state 1 Waiting".to_string()]
        } else {
            vec![]
        };
        assert_eq!(briefs(&mut changes), expected, "states: {states}");
    }
}

/// The interval between looks is configurable: with 5 s, a change made after the first look is
/// not reported at 4 s but is at 5 s.
#[test]
fn the_interval_is_configurable() {
    let mut w = watched();
    let introspector = Introspector::new().interval(secs(5));
    let (mut changes, _stop, _signal) = start(&mut w.system, introspector, 64);
    drain(&mut changes);
    w.stop_pipeline.try_send(Control::Shutdown).unwrap();
    w.system.advance(secs(4));
    assert!(changes.is_empty());
    w.system.advance(secs(1));
    assert!(briefs(&mut changes).contains(&"-node 1".to_string()));
}

/// `Shutdown` ends the introspector at once and is passed on `signal`, even while it is
/// blocked sending to a full receiver; the rest of the report is dropped.
#[test]
fn shutdown_stops_it_even_while_blocked() {
    let mut w = watched();
    let (mut changes, mut stop, mut signal) = start(&mut w.system, Introspector::new(), 1);
    assert_eq!(changes.len(), 1, "blocked after one change");
    stop.try_send(Control::Shutdown).unwrap();
    w.system.run_until_idle();
    assert_eq!(signal.try_recv(), Ok(Control::Shutdown));
    assert!(!w
        .system
        .snapshot()
        .components
        .iter()
        .any(|c| c.name == "Introspector#4"));
    drain(&mut changes);
    w.system.run_until_idle();
    assert!(changes.is_empty(), "nothing more after Shutdown");
}

/// `ProducerFinished` while blocked lets the report under way finish, then is passed on.
#[test]
fn producer_finished_completes_the_report_then_ends() {
    let mut w = watched();
    let (mut changes, mut stop, mut signal) = start(&mut w.system, Introspector::new(), 1);
    stop.try_send(Control::ProducerFinished).unwrap();
    let mut got = Vec::new();
    for _ in 0..100 {
        got.extend(briefs(&mut changes));
        w.system.run_until_idle();
    }
    assert_eq!(got, whole_topology());
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
}

/// A `Failed` stop is passed on unchanged.
#[test]
fn failed_is_passed_on_unchanged() {
    let mut w = watched();
    let (_changes, mut stop, mut signal) = start(&mut w.system, Introspector::new(), 64);
    stop.try_send(Control::failed("upstream broke")).unwrap();
    w.system.run_until_idle();
    assert_eq!(signal.try_recv(), Ok(Control::failed("upstream broke")));
}

/// When the component its outbox leads to has ended, it sends `ProducerFinished` and ends.
#[test]
fn it_ends_when_its_receiver_has_gone() {
    let mut system = System::deterministic();
    let introspector = Introspector::new();
    let receiver = PassThrough::<TopologyChange>::new();
    let mut stop_receiver = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&introspector.outbox, &receiver.inbox).unwrap();
    axon::link(&stop_receiver, &receiver.control).unwrap();
    axon::link(&introspector.signal, &signal).unwrap();
    system.spawn(introspector);
    system.spawn(receiver);
    system.run_until_idle();
    stop_receiver.try_send(Control::Shutdown).unwrap();
    system.advance(secs(1));
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
    assert_eq!(system.live(), 0);
}

// ---------------------------------------------------------------------------------------------
// AxonVisualiserLines

/// Introspector → AxonVisualiserLines in a Pipeline gives exactly Kamaelia's lines: `DEL ALL`,
/// each component and box as a node with the ownership link, then the box-to-box links.
#[test]
fn visualiser_lines_are_exact() {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(Introspector::new()).then(AxonVisualiserLines::new());
    let mut lines = Inbox::new();
    axon::link(&pipeline.outbox, &lines).unwrap();
    system.spawn(pipeline);
    system.run_until_idle();
    let mut expected = vec!["DEL ALL".to_string()];
    for (id, name) in [
        (1, "Pipeline#1"),
        (2, "Introspector#2"),
        (3, "AxonVisualiserLines#3"),
    ] {
        expected.push(format!("ADD NODE {id} {name} randompos component"));
        for (io, b, kind) in [
            ("i", "inbox", "inbox"),
            ("i", "control", "inbox"),
            ("o", "outbox", "outbox"),
            ("o", "signal", "outbox"),
        ] {
            expected.push(format!("ADD NODE {id}.{io}.{b} {b} randompos {kind}"));
            expected.push(format!("ADD LINK {id} {id}.{io}.{b}"));
        }
    }
    expected.extend(
        [
            "ADD LINK 1.i.control 2.i.control",
            "ADD LINK 1.i.inbox 2.i.inbox",
            "ADD LINK 2.o.outbox 3.i.inbox",
            "ADD LINK 2.o.signal 3.i.control",
            "ADD LINK 3.o.outbox 1.o.outbox",
            "ADD LINK 3.o.signal 1.o.signal",
        ]
        .map(String::from),
    );
    let got: Vec<String> = drain(&mut lines);
    assert!(got
        .iter()
        .all(|l| l.ends_with('\n') && l.matches('\n').count() == 1));
    let got: Vec<String> = got.iter().map(|l| l.trim_end().to_string()).collect();
    assert_eq!(got, expected);
}

/// Deletions become `DEL LINK` / `DEL NODE` lines; state changes give no line.
#[test]
fn deletions_become_del_lines_and_states_none() {
    let system = System::deterministic();
    let id = system.spawn(PassThrough::<u8>::new());
    let other = system.spawn(PassThrough::<u8>::new());
    let at = |c, name: &str, direction| LinkEnd {
        component: Some(c),
        name: name.into(),
        direction,
    };
    let cases = [
        (
            TopologyChange::DelLink {
                from: at(id, "outbox", Direction::Outbox),
                to: at(other, "inbox", Direction::Inbox),
            },
            vec!["DEL LINK 1.o.outbox 2.i.inbox\n"],
        ),
        (
            TopologyChange::DelBox {
                component: id,
                name: "signal".into(),
                direction: Direction::Outbox,
            },
            vec!["DEL NODE 1.o.signal\n"],
        ),
        (TopologyChange::DelNode { id }, vec!["DEL NODE 1\n"]),
        (
            TopologyChange::State {
                id,
                state: axon::ComponentState::Waiting,
            },
            vec![],
        ),
        (
            TopologyChange::AddLink {
                from: at(id, "outbox", Direction::Outbox),
                to: LinkEnd {
                    component: None,
                    name: "(unregistered inbox)".into(),
                    direction: Direction::Inbox,
                },
            },
            vec![],
        ),
    ];
    for (change, lines) in cases {
        assert_eq!(AxonVisualiserLines::lines(&change), lines, "{change:?}");
    }
}

/// Names with spaces, quotes, backslashes or line breaks are written as one double-quoted token
/// that Kamaelia's `lines_to_tokenlists` reads back as the name (line breaks become spaces).
#[test]
fn odd_names_are_quoted_as_one_token() {
    let system = System::deterministic();
    let id = system.spawn_named("say \"hi\"\\now\nplease", PassThrough::<u8>::new());
    let add = TopologyChange::AddNode {
        id,
        name: "say \"hi\"\\now\nplease".into(),
        type_name: "PassThrough",
        parent: None,
        state: axon::ComponentState::Running,
    };
    assert_eq!(
        AxonVisualiserLines::lines(&add),
        ["ADD NODE 1 \"say \\\"hi\\\"\\\\now please\" randompos component\n"]
    );
    let empty_box = TopologyChange::AddBox {
        component: id,
        name: String::new(),
        direction: Direction::Inbox,
    };
    assert_eq!(
        AxonVisualiserLines::lines(&empty_box),
        ["ADD NODE 1.i. \"\" randompos inbox\n", "ADD LINK 1 1.i.\n"]
    );
}

/// `ProducerFinished` turns every change already waiting into lines, then is passed on.
#[test]
fn lines_producer_finished_flushes_what_waits() {
    let mut system = System::deterministic();
    let lines = AxonVisualiserLines::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &lines.inbox).unwrap();
    axon::link(&stop, &lines.control).unwrap();
    axon::link(&lines.outbox, &out).unwrap();
    axon::link(&lines.signal, &signal).unwrap();
    let id = system.spawn(lines);
    input.try_send(TopologyChange::DelNode { id }).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["DEL ALL\n", "DEL NODE 1\n"]);
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
}

/// `Shutdown` ends it at once without turning what waits into lines, and is passed on.
#[test]
fn lines_shutdown_ends_at_once() {
    let mut system = System::deterministic();
    let lines = AxonVisualiserLines::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &lines.inbox).unwrap();
    axon::link(&stop, &lines.control).unwrap();
    axon::link(&lines.outbox, &out).unwrap();
    axon::link(&lines.signal, &signal).unwrap();
    let id = system.spawn(lines);
    system.run_until_idle();
    input.try_send(TopologyChange::DelNode { id }).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["DEL ALL\n"]);
    assert_eq!(signal.try_recv(), Ok(Control::Shutdown));
}

// ---------------------------------------------------------------------------------------------
// Catalogue

/// Both components are in the catalogue under their Kamaelia names, with the standard boxes.
#[test]
fn both_are_in_the_catalogue() {
    let entries = kamaelia::catalogue::all();
    for (name, kamaelia_name) in [
        ("Introspector", "Kamaelia.Util.Introspector.Introspector"),
        ("AxonVisualiserLines", "Axon.Introspector.Introspector"),
    ] {
        let e = entries
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        let boxes: Vec<&str> = e.boxes.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(boxes, ["inbox", "control", "outbox", "signal"]);
    }
}
