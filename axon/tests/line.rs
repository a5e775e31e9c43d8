//! Lines (`axon::line`): chains of synchronous transforms that share one task — what they pass
//! on and in what order, the control convention, backpressure, failure containment, and how the
//! live model shows each transform as a component.
//!
//! Every test runs on a deterministic system and drives it with `run_until_idle`, so each
//! assertion is about one exact state.

use axon::line::{filter, filter_map, map, Chain, Emit, Line, PassThrough, Transform};
use axon::model::{BoxAddress, EventKind, LinkSnapshot};
use axon::{
    ComponentId, ComponentState, Control, Error, Inbox, Outbox, Snapshot, System, TrySendError,
};

/// A line in a deterministic system, fed from plain outboxes and read from plain inboxes.
struct Rig<In: Send + 'static, Out: Send + 'static> {
    system: System,
    line: ComponentId,
    head: Outbox<In>,
    head_control: Outbox<Control>,
    tail: Inbox<Out>,
    tail_control: Inbox<Control>,
}

impl<In: Send + 'static, Out: Send + 'static> Rig<In, Out> {
    fn new(line: Line<In, Out>) -> Self {
        Self::with_tail(line, Inbox::new())
    }

    fn with_tail(line: Line<In, Out>, tail: Inbox<Out>) -> Self {
        let mut system = System::deterministic();
        let line = system.adopt_named("line", line);
        let (head, head_control) = (Outbox::new(), Outbox::new());
        let tail_control = Inbox::new();
        axon::link(&head, &line.inbox).unwrap();
        axon::link(&head_control, &line.control).unwrap();
        axon::link(&line.outbox, &tail).unwrap();
        axon::link(&line.signal, &tail_control).unwrap();
        let id = system.activate(line);
        system.run_until_idle();
        Rig {
            system,
            line: id,
            head,
            head_control,
            tail,
            tail_control,
        }
    }

    fn send(&mut self, msgs: impl IntoIterator<Item = In>) {
        for m in msgs {
            self.head
                .try_send(m)
                .map_err(|_| "line inbox full")
                .unwrap();
        }
        self.system.run_until_idle();
    }

    fn stop(&mut self, c: Control) {
        self.head_control.try_send(c).unwrap();
        self.system.run_until_idle();
    }

    fn received(&mut self) -> Vec<Out> {
        std::iter::from_fn(|| self.tail.try_recv().ok()).collect()
    }

    fn signal(&mut self) -> Option<Control> {
        self.tail_control.try_recv().ok()
    }

    fn transforms(&self, snap: &Snapshot) -> Vec<axon::model::ComponentSnapshot> {
        snap.components
            .iter()
            .filter(|c| c.parent == Some(self.line))
            .cloned()
            .collect()
    }
}

/// Emits `n` copies of each `n` (none for 0).
struct Repeat;

impl Transform for Repeat {
    type In = u32;
    type Out = u32;
    fn handle(&mut self, n: u32, out: &mut Emit<'_, u32>) -> Result<(), Error> {
        out.send_all(std::iter::repeat_n(n, n as usize));
        Ok(())
    }
}

/// Keeps everything until `finish`, then emits it tagged with its name.
struct Hold(&'static str, Vec<String>);

impl Transform for Hold {
    type In = String;
    type Out = String;
    fn handle(&mut self, msg: String, _: &mut Emit<'_, String>) -> Result<(), Error> {
        self.1.push(msg);
        Ok(())
    }
    fn finish(&mut self, out: &mut Emit<'_, String>) -> Result<(), Error> {
        let tag = self.0;
        out.send_all(self.1.drain(..).map(|m| format!("{m}{tag}")));
        out.send(format!("{tag} finished"));
        Ok(())
    }
}

/// Emits its number when finished, and passes messages on.
struct Flush(u32);

impl Transform for Flush {
    type In = u32;
    type Out = u32;
    fn handle(&mut self, n: u32, out: &mut Emit<'_, u32>) -> Result<(), Error> {
        out.send(n);
        Ok(())
    }
    fn finish(&mut self, out: &mut Emit<'_, u32>) -> Result<(), Error> {
        out.send(self.0);
        Ok(())
    }
}

/// The `ComponentEnded` states of the components other than `line`, in order.
fn ends(events: &mut axon::model::Events, line: ComponentId) -> Vec<ComponentState> {
    std::iter::from_fn(|| events.try_next())
        .filter_map(|e| match e.kind {
            EventKind::ComponentEnded { id, state } if id != line => Some(state),
            _ => None,
        })
        .collect()
}

/// Passes messages on; its `finish` fails.
struct Brittle;

impl Transform for Brittle {
    type In = u32;
    type Out = u32;
    fn handle(&mut self, n: u32, out: &mut Emit<'_, u32>) -> Result<(), Error> {
        out.send(n);
        Ok(())
    }
    fn finish(&mut self, _: &mut Emit<'_, u32>) -> Result<(), Error> {
        Err(Error::msg("cannot finish"))
    }
}

/// Fails on 1.
struct Fussy;

impl Transform for Fussy {
    type In = u32;
    type Out = u32;
    fn handle(&mut self, n: u32, out: &mut Emit<'_, u32>) -> Result<(), Error> {
        if n == 1 {
            return Err(Error::msg("cannot take 1"));
        }
        out.send(n);
        Ok(())
    }
}

/// Fails on 3.
struct Picky;

impl Transform for Picky {
    type In = u32;
    type Out = u32;
    fn handle(&mut self, n: u32, out: &mut Emit<'_, u32>) -> Result<(), Error> {
        if n == 3 {
            return Err(Error::msg("cannot take 3"));
        }
        out.send(n);
        Ok(())
    }
}

/// Panics on 3.
struct Fragile;

impl Transform for Fragile {
    type In = u32;
    type Out = u32;
    fn handle(&mut self, n: u32, out: &mut Emit<'_, u32>) -> Result<(), Error> {
        if n == 3 {
            panic!("three is too many");
        }
        out.send(n);
        Ok(())
    }
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

#[test]
fn messages_go_through_every_transform_in_order_changing_type_on_the_way() {
    let chain = Chain::new()
        .then(map(|n: u32| n + 1))
        .then(map(|n: u32| n * 2))
        .then(PassThrough::new())
        .then(filter(|n: &u32| *n != 6))
        .then(map(|n: u32| format!("[{n}]")))
        .then(filter_map(|s: String| (s != "[8]").then(|| s + "!")));
    let mut rig = Rig::new(Line::new(chain));
    rig.send(1..=4);
    assert_eq!(rig.received(), strings(&["[4]!", "[10]!"]));
    assert_eq!(rig.signal(), None, "still running");
}

#[test]
fn a_transform_may_emit_none_one_or_several_per_message() {
    let mut rig = Rig::new(Line::new(Chain::new().then(Repeat).then(Repeat)));
    rig.send([0, 1, 2, 0]);
    assert_eq!(rig.received(), [1, 2, 2, 2, 2]);
}

#[test]
fn an_empty_line_passes_messages_on_unchanged() {
    let mut rig = Rig::new(Line::new(Chain::<u8, u8>::new()));
    rig.send([7, 8]);
    rig.stop(Control::ProducerFinished);
    assert_eq!(rig.received(), [7, 8]);
    assert_eq!(rig.signal(), Some(Control::ProducerFinished));
}

#[test]
fn producer_finished_drains_then_finishes_each_transform_in_order_then_is_passed_on() {
    let chain = Chain::new()
        .then(Hold("a", Vec::new()))
        .then(Hold("b", Vec::new()));
    let mut rig = Rig::new(Line::new(chain));
    // Queued behind each other in the line's inbox: both messages are handled before the
    // transforms are finished.
    rig.head.try_send("x".into()).unwrap();
    rig.head.try_send("y".into()).unwrap();
    rig.stop(Control::ProducerFinished);
    // `a` flushes into `b`, which holds those too until its own finish.
    assert_eq!(
        rig.received(),
        strings(&["xab", "yab", "a finishedb", "b finished"])
    );
    assert_eq!(rig.signal(), Some(Control::ProducerFinished));
    let ended = rig.system.snapshot().ended;
    assert!(ended
        .iter()
        .any(|c| c.id == rig.line && c.state == ComponentState::Finished));
}

#[test]
fn shutdown_stops_at_once_without_finishing_the_transforms() {
    let mut rig = Rig::new(Line::new(Chain::new().then(Hold("a", Vec::new()))));
    let mut events = rig.system.events(16);
    rig.send(["x".to_string()]);
    rig.stop(Control::Shutdown);
    assert_eq!(
        rig.received(),
        Vec::<String>::new(),
        "finish was not called"
    );
    assert_eq!(rig.signal(), Some(Control::Shutdown));
    // Stopped on request, like a component that ends on Shutdown: finished, not cancelled.
    assert_eq!(ends(&mut events, rig.line), [ComponentState::Finished]);
}

#[test]
fn shutdown_after_producer_finished_stops_the_drain_without_finishing() {
    let mut rig = Rig::new(Line::new(Chain::new().then(Hold("a", Vec::new()))));
    rig.head.try_send("x".into()).unwrap();
    rig.head_control
        .try_send(Control::ProducerFinished)
        .unwrap();
    rig.head_control.try_send(Control::Shutdown).unwrap();
    rig.system.run_until_idle();
    assert_eq!(
        rig.received(),
        Vec::<String>::new(),
        "finish was not called"
    );
    assert_eq!(rig.signal(), Some(Control::Shutdown));
}

#[test]
fn what_a_finish_emits_goes_through_the_rest_of_the_chain_once() {
    // Four transforms of one type: the last one's output buffer is also the first's and the
    // third's input.
    let chain = Chain::new()
        .then(Flush(100))
        .then(Flush(200))
        .then(map(|n: u32| n + 1))
        .then(PassThrough::new());
    let mut rig = Rig::new(Line::new(chain));
    rig.send([1]);
    rig.stop(Control::ProducerFinished);
    assert_eq!(rig.received(), [2, 101, 201]);
    assert_eq!(rig.signal(), Some(Control::ProducerFinished));
}

#[test]
fn a_fault_in_what_a_finish_emitted_leaves_that_transform_finished() {
    let mut rig = Rig::new(Line::new(Chain::new().then(Flush(3)).then(Picky)));
    let picky = rig.transforms(&rig.system.snapshot())[1].name.clone();
    let mut events = rig.system.events(16);
    rig.stop(Control::ProducerFinished);
    let expected = format!("transform {picky} failed: cannot take 3");
    assert_eq!(rig.signal(), Some(Control::failed(expected.as_str())));
    assert_eq!(
        ends(&mut events, rig.line),
        [
            ComponentState::Finished,
            ComponentState::Failed {
                error: "cannot take 3".into()
            }
        ]
    );
}

#[test]
fn producer_finished_while_waiting_to_send_finishes_once_everything_went() {
    let line = Line::new(Chain::new().then(Flush(9)));
    let mut rig = Rig::with_tail(line, Inbox::with_capacity(1));
    rig.send([1, 2, 3]);
    rig.stop(Control::ProducerFinished);
    // Read the tail one message at a time; when the signal comes, everything must have gone.
    let (mut got, mut signal) = (Vec::new(), None);
    for _ in 0..10 {
        signal = rig.signal();
        got.extend(rig.received());
        if signal.is_some() {
            break;
        }
        rig.system.run_until_idle();
    }
    assert_eq!(signal, Some(Control::ProducerFinished));
    assert_eq!(got, [1, 2, 3, 9]);
}

#[test]
fn a_line_whose_destination_ended_fails_naming_its_outbox() {
    let mut system = System::deterministic();
    let pass = || Line::new(Chain::new().then(PassThrough::<u8>::new()));
    let first = system.adopt_named("first", pass());
    let second = system.adopt_named("second", pass());
    let (mut head, mut stop_second) = (Outbox::new(), Outbox::new());
    let mut told = Inbox::new();
    axon::link(&head, &first.inbox).unwrap();
    axon::link(&first.outbox, &second.inbox).unwrap();
    axon::link(&first.signal, &told).unwrap();
    axon::link(&stop_second, &second.control).unwrap();
    system.activate(first);
    system.activate(second);
    system.run_until_idle();
    stop_second.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    head.try_send(1).unwrap();
    system.run_until_idle();
    let expected = "first: the destination of its outbox has ended";
    assert_eq!(told.try_recv(), Ok(Control::failed(expected)));
    assert_eq!(system.failures()[0].name, "first");
}

#[test]
fn a_deadlock_through_two_lines_is_found() {
    let mut system = System::deterministic();
    let repeat = || Line::with_capacity(Chain::new().then(Repeat), 1);
    let a = system.adopt_named("a", repeat());
    let b = system.adopt_named("b", repeat());
    let mut head = Outbox::new();
    axon::link(&head, &a.inbox).unwrap();
    axon::link(&a.outbox, &b.inbox).unwrap();
    axon::link(&b.outbox, &a.inbox).unwrap();
    let (a, b) = (system.activate(a), system.activate(b));
    // Each 4 becomes four 4s at every turn: both lines fill the other's inbox.
    head.try_send(4).unwrap();
    system.run_until_idle();
    let snap = system.snapshot();
    let address = |id, name: &str| BoxAddress {
        component: Some(id),
        name: name.into(),
    };
    assert_eq!(
        snap.final_destination(&address(a, "outbox")),
        Some(address(b, "inbox"))
    );
    let deadlocks = snap.deadlocks();
    assert_eq!(deadlocks.len(), 1, "{deadlocks:?}");
    let cycle: Vec<ComponentId> = deadlocks[0].cycle.iter().map(|s| s.component).collect();
    assert_eq!(cycle, [a, b]);
}

#[test]
fn a_snapshot_before_the_line_starts_shows_it_created_without_transforms() {
    let system = System::deterministic();
    let line = system.adopt(Line::new(Chain::new().then(PassThrough::<u8>::new())));
    let snap = system.snapshot();
    assert_eq!(snap.components.len(), 1);
    assert_eq!(snap.components[0].id, line.id());
    assert_eq!(snap.components[0].state, ComponentState::Created);
}

#[test]
fn a_full_destination_stops_the_line_taking_input() {
    let line = Line::with_capacity(Chain::new().then(PassThrough::<u32>::new()), 3);
    let mut rig = Rig::with_tail(line, Inbox::with_capacity(2));
    let mut accepted = 0;
    for _ in 0..3 {
        while rig.head.try_send(accepted).is_ok() {
            accepted += 1;
        }
        rig.system.run_until_idle();
    }
    // The line's inbox (3), the tail (2) and the rest of the one batch the line took (3 - 2)
    // while it waits for room: nothing more is taken in.
    assert_eq!(accepted, 6);
    assert!(matches!(rig.head.try_send(99), Err(TrySendError::Full(99))));
    let snap = rig.system.snapshot();
    let line = snap.components.iter().find(|c| c.id == rig.line).unwrap();
    assert_eq!(
        line.state,
        ComponentState::Sending {
            outbox: "outbox".into()
        }
    );
    // Reading the tail lets everything through, in order.
    let mut got = Vec::new();
    while got.len() < 6 {
        got.extend(rig.received());
        rig.system.run_until_idle();
    }
    assert_eq!(got, (0..6).collect::<Vec<_>>());
}

#[test]
fn shutdown_reaches_a_line_waiting_for_room_downstream() {
    let line = Line::with_capacity(Chain::new().then(PassThrough::<u32>::new()), 2);
    let mut rig = Rig::with_tail(line, Inbox::with_capacity(1));
    rig.send([1, 2]);
    rig.stop(Control::Shutdown);
    assert_eq!(rig.signal(), Some(Control::Shutdown));
    assert_eq!(rig.received(), [1], "the rest was dropped on Shutdown");
}

#[test]
fn a_failing_transform_ends_its_line_naming_it_after_passing_on_what_it_handled() {
    let chain = Chain::new()
        .then(PassThrough::new())
        .then(Picky)
        .then(map(|n: u32| n * 10));
    let mut rig = Rig::new(Line::new(chain));
    let picky = rig.transforms(&rig.system.snapshot())[1].name.clone();
    assert!(picky.starts_with("Picky#"), "{picky}");
    let mut events = rig.system.events(16);
    rig.send([1, 2, 3, 4]);
    let expected = format!("transform {picky} failed: cannot take 3");
    // 1 and 2 were handled before the failure: they go through the rest of the chain. 4 is lost
    // with the failed transform's batch.
    assert_eq!(rig.received(), [10, 20]);
    assert_eq!(rig.signal(), Some(Control::failed(expected.as_str())));
    let failures = rig.system.failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(
        (failures[0].id, failures[0].what.contains(&expected)),
        (rig.line, true)
    );
    // The transform is told to have failed, the others to have been cancelled.
    assert_eq!(
        ends(&mut events, rig.line),
        [
            ComponentState::Cancelled,
            ComponentState::Failed {
                error: "cannot take 3".into()
            },
            ComponentState::Cancelled,
        ]
    );
}

#[test]
fn a_panicking_transform_is_contained_and_named_and_other_lines_keep_running() {
    let mut rig = Rig::new(Line::new(Chain::new().then(Fragile)));
    let mut events = rig.system.events(16);
    let other = rig
        .system
        .adopt(Line::new(Chain::new().then(map(|n: u32| n * 10))));
    let (mut to_other, mut from_other) = (Outbox::new(), Inbox::new());
    axon::link(&to_other, &other.inbox).unwrap();
    axon::link(&other.outbox, &from_other).unwrap();
    rig.system.activate(other);
    rig.send([1, 3]);
    assert_eq!(rig.received(), [1]);
    match rig.signal() {
        Some(Control::Failed(text)) => {
            assert!(text.starts_with("transform Fragile#"), "{text}");
            assert!(text.ends_with(" panicked: three is too many"), "{text}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert_eq!(
        ends(&mut events, rig.line),
        [ComponentState::Panicked {
            message: "three is too many".into()
        }]
    );
    to_other.try_send(4).unwrap();
    rig.system.run_until_idle();
    assert_eq!(from_other.try_recv(), Ok(40));
}

#[test]
fn the_live_model_shows_each_transform_as_a_child_with_its_boxes_and_links() {
    let chain = Chain::new()
        .then(map(|n: u32| n + 1))
        .then(PassThrough::new());
    let mut rig = Rig::new(Line::new(chain));
    rig.send([1, 2, 3]);
    let snap = rig.system.snapshot();
    let ts = rig.transforms(&snap);
    assert_eq!(ts.len(), 2);
    let (first, second) = (ts[0].id, ts[1].id);
    assert_eq!(second.get(), first.get() + 1);
    assert_eq!(ts[0].name, format!("Map{first}"));
    assert_eq!(ts[1].name, format!("PassThrough{second}"));
    for t in &ts {
        let names: Vec<&str> = t.boxes.iter().map(|b| b.info.name.as_ref()).collect();
        assert_eq!(names, ["inbox", "control", "outbox", "signal"]);
        assert_eq!(t.boxes[0].stats.messages_in, 3);
        assert_eq!(t.boxes[2].stats.messages_in, 3);
        assert_eq!(t.boxes[0].stats.depth, 0);
        assert_eq!(t.boxes[0].info.type_name, "u32");
        assert_eq!(
            t.state,
            ComponentState::Receiving {
                inbox: "inbox".into()
            }
        );
    }
    let at = |id: ComponentId, name: &str| BoxAddress {
        component: Some(id),
        name: name.into(),
    };
    for (out_box, in_box) in [("outbox", "inbox"), ("signal", "control")] {
        for (from, to) in [
            (at(first, out_box), at(second, in_box)),
            (at(second, out_box), at(rig.line, out_box)),
        ] {
            let link = LinkSnapshot { from, to };
            assert!(snap.links.contains(&link), "missing {link:?}");
        }
    }
    // The line hands messages to the first transform itself: a link from its inbox would read
    // as a forward, and the line's senders would seem to deliver into the transform.
    let from_line_inboxes = snap
        .links
        .iter()
        .filter(|l| l.from.component == Some(rig.line))
        .filter(|l| l.from.name == "inbox" || l.from.name == "control")
        .count();
    assert_eq!(from_line_inboxes, 0, "{:?}", snap.links);
    // Once finished, they leave the model with their line.
    rig.stop(Control::ProducerFinished);
    let snap = rig.system.snapshot();
    assert!(rig.transforms(&snap).is_empty());
    assert!(snap.links.is_empty());
}

#[test]
fn events_announce_each_transform_and_its_end_in_chain_order() {
    let mut system = System::deterministic();
    let mut events = system.events(64);
    let chain = Chain::new()
        .then(PassThrough::<u8>::new())
        .then(PassThrough::new());
    let line = system.adopt(Line::new(chain));
    let mut control = Outbox::new();
    axon::link(&control, &line.control).unwrap();
    let line = system.activate(line);
    system.run_until_idle();
    control.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    let (mut added, mut ended, mut made, mut removed) = (Vec::new(), Vec::new(), 0, 0);
    while let Some(e) = events.try_next() {
        match e.kind {
            EventKind::ComponentAdded { id, parent, .. } if parent == Some(line) => added.push(id),
            EventKind::ComponentEnded { id, state } if id != line => ended.push((id, state)),
            EventKind::LinkMade { from, .. } if from.component.is_some() => made += 1,
            EventKind::LinkRemoved { from, .. } if from.component.is_some() => removed += 1,
            _ => {}
        }
    }
    // first -> second -> line, for data and for control: made, then all removed.
    assert_eq!((made, removed), (4, 4));
    assert_eq!(added.len(), 2);
    let finished = added
        .iter()
        .map(|&id| (id, ComponentState::Finished))
        .collect::<Vec<_>>();
    assert_eq!(ended, finished);
}

#[test]
fn transform_ids_are_distinct_from_every_other_component() {
    let two = || {
        Line::new(
            Chain::new()
                .then(PassThrough::<u8>::new())
                .then(PassThrough::new()),
        )
    };
    let mut rig = Rig::new(two());
    let later = rig.system.adopt(two());
    let later = rig.system.activate(later);
    rig.system.run_until_idle();
    let snap = rig.system.snapshot();
    let mut ids: Vec<ComponentId> = snap.components.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 6);
    ids.dedup();
    assert_eq!(ids.len(), 6, "ids are sorted and distinct");
    let children_of_later = snap
        .components
        .iter()
        .filter(|c| c.parent == Some(later))
        .count();
    assert_eq!(children_of_later, 2);
}

#[test]
fn a_transforms_boxes_cannot_be_tapped_and_the_error_names_it() {
    let rig = Rig::new(Line::new(Chain::new().then(PassThrough::<u8>::new())));
    let id = rig.transforms(&rig.system.snapshot())[0].id;
    let at = BoxAddress {
        component: Some(id),
        name: "inbox".into(),
    };
    match rig.system.tap(&at, 4) {
        Err(e) => assert!(e.to_string().contains(&id.to_string()), "{e}"),
        Ok(_) => panic!("a transform's inbox was tapped"),
    }
}

#[test]
fn snapshots_taken_while_lines_run_on_other_threads_see_whole_chains() {
    const N: u64 = 20_000;
    const TRANSFORMS: usize = 100;
    let mut system = System::builder().threads(2).build();
    let mut chain = Chain::new();
    for _ in 0..TRANSFORMS {
        chain = chain.then(PassThrough::<u64>::new());
    }
    let line = system.adopt(Line::new(chain));
    let (mut head, mut head_control) = (Outbox::new(), Outbox::new());
    let (mut tail, mut tail_control) = (Inbox::new(), Inbox::new());
    axon::link(&head, &line.inbox).unwrap();
    axon::link(&head_control, &line.control).unwrap();
    axon::link(&line.outbox, &tail).unwrap();
    axon::link(&line.signal, &tail_control).unwrap();
    let line = system.activate(line);
    system.start();
    let feeder = std::thread::spawn(move || {
        for n in 0..N {
            head.send_blocking(n).unwrap();
        }
        head_control
            .send_blocking(Control::ProducerFinished)
            .unwrap();
    });
    let (mut got, mut sum) = (0, 0);
    while got < N {
        sum += tail.recv_blocking().expect("the line is running");
        got += 1;
        if got % 500 == 0 {
            // A batch in progress is waited for: a snapshot never sees part of a chain.
            let snap = system.snapshot();
            let listed = snap
                .components
                .iter()
                .filter(|c| c.parent == Some(line))
                .count();
            assert!(listed == TRANSFORMS || listed == 0, "{listed} listed");
        }
    }
    feeder.join().unwrap();
    assert_eq!(
        tail_control.recv_blocking(),
        Some(Control::ProducerFinished)
    );
    system.run().unwrap();
    assert_eq!(sum, N * (N - 1) / 2);
    assert!(system.failures().is_empty());
}

#[test]
fn a_failing_finish_ends_the_line_after_what_came_before_it() {
    let chain = Chain::new().then(Flush(10)).then(Brittle).then(Flush(15));
    let mut rig = Rig::new(Line::new(chain));
    let brittle = rig.transforms(&rig.system.snapshot())[1].name.clone();
    let mut events = rig.system.events(16);
    rig.stop(Control::ProducerFinished);
    // The first finished and its 10 went through; the last was never finished.
    assert_eq!(rig.received(), [10]);
    let expected = format!("transform {brittle} failed: cannot finish");
    assert_eq!(rig.signal(), Some(Control::failed(expected.as_str())));
    assert_eq!(
        ends(&mut events, rig.line),
        [
            ComponentState::Finished,
            ComponentState::Failed {
                error: "cannot finish".into()
            },
            ComponentState::Cancelled,
        ]
    );
}

#[test]
fn of_two_faults_in_one_batch_the_first_is_reported() {
    // Picky fails on 3 after passing 1 on; Fussy then fails on that 1.
    let mut rig = Rig::new(Line::new(Chain::new().then(Picky).then(Fussy)));
    let picky = rig.transforms(&rig.system.snapshot())[0].name.clone();
    let mut events = rig.system.events(16);
    rig.send([1, 3]);
    let expected = format!("transform {picky} failed: cannot take 3");
    assert_eq!(rig.signal(), Some(Control::failed(expected.as_str())));
    assert_eq!(
        ends(&mut events, rig.line),
        [
            ComponentState::Failed {
                error: "cannot take 3".into()
            },
            ComponentState::Cancelled,
        ]
    );
}

#[test]
fn a_fault_shows_at_once_even_while_the_line_waits_to_send() {
    let line = Line::new(Chain::new().then(Picky));
    let mut rig = Rig::with_tail(line, Inbox::with_capacity(1));
    let mut events = rig.system.events(16);
    rig.send([1, 2, 3]);
    // 2 waits for room: the line has not ended, but the transform's failure is known.
    assert!(rig.transforms(&rig.system.snapshot()).is_empty());
    assert_eq!(
        ends(&mut events, rig.line),
        [ComponentState::Failed {
            error: "cannot take 3".into()
        }]
    );
    assert_eq!(rig.signal(), None);
    let mut got = rig.received();
    rig.system.run_until_idle();
    got.extend(rig.received());
    assert_eq!(got, [1, 2]);
    assert!(matches!(rig.signal(), Some(Control::Failed(_))));
}

#[test]
fn transforms_of_a_line_whose_task_is_dropped_end_cancelled() {
    let rig = Rig::new(Line::new(
        Chain::new()
            .then(PassThrough::<u8>::new())
            .then(PassThrough::new()),
    ));
    let mut events = rig.system.events(16);
    let line = rig.line;
    drop(rig);
    assert_eq!(
        ends(&mut events, line),
        [ComponentState::Cancelled, ComponentState::Cancelled]
    );
}
