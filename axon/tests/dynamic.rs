//! Behaviour of dynamic boxes (`axon::dynamic`), ported from Kamaelia's
//! `Tests/Python/Axon/test_AdaptiveCommsComponent.py`.
//!
//! Ported: adding inboxes and outboxes gives each a unique name starting with the requested base
//! (here always `base1`, `base2`, …, never reusing a number, where Kamaelia used the bare name
//! first and appended an id on a clash); added boxes can be removed; removing a missing or
//! already-removed box is reported (`false`, Kamaelia's `KeyError`).
//!
//! Added: the added boxes appear in (and leave) `System::snapshot` under their component;
//! `recv_any` is fair across boxes; an added inbox can be linked by name from the parent's
//! `Context::link_by_name`; a removed inbox is closed.
//!
//! Left out: Kamaelia's `trackResource` / `retrieveTrackedResource` /
//! `trackResourceInformation` / `ceaseTrackingResource` (and their "box does not exist" failures)
//! are replaced by an ordinary map keyed by `BoxKey` kept by the component; one test shows that
//! the key `recv_any` returns is what such a map needs. The constructor tests ("constructs
//! with/without arguments") have nothing to port: `DynamicInboxes::new` takes a base name and a
//! doc string.

use std::collections::BTreeMap;

use axon::dynamic::BoxKey;
use axon::model::ComponentSnapshot;
use axon::{
    Boxes, Component, ComponentId, Context, Direction, DynamicInboxes, DynamicOutboxes, Error,
    Inbox, InboxRef, Outbox, SendError, System, TryRecvError, TrySendError,
};

/// What the test asks a [`Adaptive`] component to do.
#[derive(Debug)]
enum Command {
    AddInbox,
    AddOutbox,
    RemoveInbox(BoxKey),
    RemoveOutbox(BoxKey),
    Stop,
}

/// What an [`Adaptive`] component answers.
#[derive(Debug)]
enum Reply {
    AddedInbox(BoxKey, InboxRef<String>),
    AddedOutbox(BoxKey),
    Removed(bool),
}

/// Adds and removes its own boxes while running, as the test commands.
#[derive(Boxes)]
struct Adaptive {
    /// Commands.
    commands: Inbox<Command>,
    /// Answers to commands.
    replies: Outbox<Reply>,
    /// One inbox per connection.
    #[boxes(flatten)]
    inputs: DynamicInboxes<String>,
    /// One outbox per connection.
    #[boxes(flatten)]
    outputs: DynamicOutboxes<String>,
}

impl Adaptive {
    fn new() -> Self {
        Adaptive {
            commands: Inbox::new(),
            replies: Outbox::new(),
            inputs: DynamicInboxes::new("conn", "data from one connection"),
            outputs: DynamicOutboxes::new("reply", "data to one connection"),
        }
    }
}

impl Component for Adaptive {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while let Some(c) = self.commands.recv().await {
            let reply = match c {
                Command::AddInbox => {
                    let (key, inbox) = self.inputs.add();
                    Reply::AddedInbox(key, inbox)
                }
                Command::AddOutbox => Reply::AddedOutbox(self.outputs.add().0),
                Command::RemoveInbox(k) => Reply::Removed(self.inputs.remove(k)),
                Command::RemoveOutbox(k) => Reply::Removed(self.outputs.remove(k)),
                Command::Stop => return Ok(()),
            };
            self.replies.send(reply).await?;
        }
        Ok(())
    }
}

/// Plain code's end of a running [`Adaptive`].
struct Remote {
    id: ComponentId,
    commands: Outbox<Command>,
    replies: Inbox<Reply>,
}

impl Remote {
    fn start(system: &System) -> Self {
        let a = Adaptive::new();
        let commands = Outbox::new();
        let replies = Inbox::new();
        axon::link(&commands, &a.commands).unwrap();
        axon::link(&a.replies, &replies).unwrap();
        Remote {
            id: system.spawn(a),
            commands,
            replies,
        }
    }

    fn ask(&mut self, system: &mut System, c: Command) -> Reply {
        self.commands.try_send(c).unwrap();
        system.run_until_idle();
        self.replies.try_recv().expect("the component answered")
    }

    fn add_inbox(&mut self, system: &mut System) -> (BoxKey, InboxRef<String>) {
        match self.ask(system, Command::AddInbox) {
            Reply::AddedInbox(k, r) => (k, r),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn add_outbox(&mut self, system: &mut System) -> BoxKey {
        match self.ask(system, Command::AddOutbox) {
            Reply::AddedOutbox(k) => k,
            other => panic!("unexpected {other:?}"),
        }
    }

    fn remove(&mut self, system: &mut System, c: Command) -> bool {
        match self.ask(system, c) {
            Reply::Removed(done) => done,
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn component(system: &System, id: ComponentId) -> ComponentSnapshot {
    system
        .snapshot()
        .components
        .into_iter()
        .find(|c| c.id == id)
        .expect("component is live")
}

fn box_names(system: &System, id: ComponentId, direction: Direction) -> Vec<String> {
    component(system, id)
        .boxes
        .iter()
        .filter(|b| b.info.direction == direction)
        .map(|b| b.info.name.to_string())
        .collect()
}

/// Inboxes and outboxes added while running get unique names `base1`, `base2`, … and are listed
/// under the component in the snapshot, with their type and doc.
#[test]
fn added_boxes_get_unique_numbered_names_visible_in_the_snapshot() {
    let mut system = System::deterministic();
    let mut remote = Remote::start(&system);
    system.run_until_idle();
    assert_eq!(
        box_names(&system, remote.id, Direction::Inbox),
        ["commands"]
    );

    for _ in 0..3 {
        remote.add_inbox(&mut system);
    }
    remote.add_outbox(&mut system);
    remote.add_outbox(&mut system);
    assert_eq!(
        box_names(&system, remote.id, Direction::Inbox),
        ["commands", "conn1", "conn2", "conn3"]
    );
    assert_eq!(
        box_names(&system, remote.id, Direction::Outbox),
        ["replies", "reply1", "reply2"]
    );
    let snap = component(&system, remote.id);
    let conn2 = snap.boxes.iter().find(|b| b.info.name == "conn2").unwrap();
    assert_eq!(conn2.info.type_name, std::any::type_name::<String>());
    assert_eq!(conn2.info.doc, "data from one connection");
    let reply1 = snap.boxes.iter().find(|b| b.info.name == "reply1").unwrap();
    assert_eq!(reply1.info.doc, "data to one connection");
}

/// Boxes added before the component is adopted are listed under it too.
#[test]
fn boxes_added_before_adoption_are_listed() {
    let system = System::deterministic();
    let mut a = Adaptive::new();
    a.inputs.add();
    a.outputs.add();
    let child = system.adopt(a);
    let id = child.id();
    assert_eq!(
        box_names(&system, id, Direction::Inbox),
        ["commands", "conn1"]
    );
    assert_eq!(
        box_names(&system, id, Direction::Outbox),
        ["replies", "reply1"]
    );
    // And boxes added after adoption, before activation, as well.
    let mut child = child;
    child.inputs.add();
    assert_eq!(
        box_names(&system, id, Direction::Inbox),
        ["commands", "conn1", "conn2"]
    );
}

/// Removed boxes leave the snapshot, and their numbers are not reused.
#[test]
fn removed_boxes_leave_the_snapshot_and_names_are_not_reused() {
    let mut system = System::deterministic();
    let mut remote = Remote::start(&system);
    system.run_until_idle();
    let (first, _) = remote.add_inbox(&mut system);
    let (second, _) = remote.add_inbox(&mut system);
    let out = remote.add_outbox(&mut system);
    assert!(remote.remove(&mut system, Command::RemoveInbox(second)));
    assert!(remote.remove(&mut system, Command::RemoveOutbox(out)));
    assert_eq!(
        box_names(&system, remote.id, Direction::Inbox),
        ["commands", "conn1"]
    );
    assert_eq!(
        box_names(&system, remote.id, Direction::Outbox),
        ["replies"]
    );

    let (third, _) = remote.add_inbox(&mut system);
    assert!(third != first && third != second);
    assert_eq!(
        box_names(&system, remote.id, Direction::Inbox),
        ["commands", "conn1", "conn3"]
    );
}

/// Removing a box that is already removed, or that was never added, returns false.
#[test]
fn removing_a_missing_or_already_removed_box_returns_false() {
    let mut system = System::deterministic();
    let mut remote = Remote::start(&system);
    system.run_until_idle();
    let (inbox, _) = remote.add_inbox(&mut system);
    let outbox = remote.add_outbox(&mut system);
    assert!(remote.remove(&mut system, Command::RemoveInbox(inbox)));
    assert!(!remote.remove(&mut system, Command::RemoveInbox(inbox)));
    assert!(remote.remove(&mut system, Command::RemoveOutbox(outbox)));
    assert!(!remote.remove(&mut system, Command::RemoveOutbox(outbox)));

    // A key this set never issued (taken from another set that has issued more keys).
    let mut other: DynamicInboxes<String> = DynamicInboxes::new("x", "");
    let never = (0..5).map(|_| other.add().0).last().unwrap();
    assert!(!remote.remove(&mut system, Command::RemoveInbox(never)));
    let mut other_out: DynamicOutboxes<String> = DynamicOutboxes::new("y", "");
    let never_out = (0..5).map(|_| other_out.add().0).last().unwrap();
    assert!(!remote.remove(&mut system, Command::RemoveOutbox(never_out)));
    assert_eq!(
        box_names(&system, remote.id, Direction::Inbox),
        ["commands"]
    );
}

/// Removing an inbox closes it: later sends through references or links fail with `Closed`.
#[test]
fn removing_an_inbox_closes_it() {
    let mut inputs: DynamicInboxes<u32> = DynamicInboxes::new("in", "");
    let (key, r) = inputs.add();
    let mut out = Outbox::new();
    axon::link(&out, &r).unwrap();
    out.try_send(1).unwrap();
    assert!(!r.is_closed());
    assert!(inputs.remove(key));
    assert!(r.is_closed());
    assert_eq!(r.try_send(2), Err(TrySendError::Closed(2)));
    assert_eq!(out.try_send(3), Err(TrySendError::Closed(3)));
    assert_eq!(
        axon::blocking::block_on(out.send(4)),
        Err(SendError::Closed(4))
    );
    assert!(inputs.get_mut(key).is_none());
    assert!(inputs.is_empty());
}

/// Removing an inbox a sender is blocked on (it is full) wakes the sender with `Closed`.
#[test]
fn removing_a_full_inbox_wakes_a_blocked_sender_with_closed() {
    let mut system = System::deterministic();
    let mut inputs: DynamicInboxes<String> = DynamicInboxes::new("in", "");
    let (key, r) = inputs.add_inbox(Inbox::with_capacity(1));
    let source = system.adopt(Source {
        outbox: Outbox::new(),
        items: vec!["fits", "blocks"],
    });
    axon::link(&source.outbox, &r).unwrap();
    let id = system.activate(source);
    system.run_until_idle();
    assert_eq!(
        component(&system, id).state,
        axon::ComponentState::Sending {
            outbox: "outbox".to_string()
        }
    );
    assert!(inputs.remove(key));
    system.run_until_idle();
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].id, id);
    assert!(failures[0].what.contains("closed"), "{}", failures[0].what);
}

/// When a component ends, the inboxes it added are closed like its declared ones.
#[test]
fn added_inboxes_are_closed_when_their_component_ends() {
    let mut system = System::deterministic();
    let mut remote = Remote::start(&system);
    system.run_until_idle();
    let (_, r) = remote.add_inbox(&mut system);
    assert!(!r.is_closed());
    remote.commands.try_send(Command::Stop).unwrap();
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert!(r.is_closed());
    assert_eq!(
        r.try_send("late".to_string()),
        Err(TrySendError::Closed("late".to_string()))
    );
}

/// Sending on a removed (or never added) dynamic outbox hands the message back as `Closed`.
#[test]
fn sending_on_a_removed_outbox_hands_the_message_back() {
    let mut outputs: DynamicOutboxes<u32> = DynamicOutboxes::new("out", "");
    let (key, r) = outputs.add();
    let mut dest = Inbox::new();
    axon::link(&r, &dest).unwrap();
    outputs.try_send(key, 1).unwrap();
    axon::blocking::block_on(outputs.send(key, 2)).unwrap();
    assert_eq!((dest.try_recv(), dest.try_recv()), (Ok(1), Ok(2)));
    assert!(outputs.remove(key));
    assert_eq!(outputs.try_send(key, 3), Err(TrySendError::Closed(3)));
    assert_eq!(
        axon::blocking::block_on(outputs.send(key, 4)),
        Err(SendError::Closed(4))
    );
    assert_eq!(dest.try_recv(), Err(TryRecvError::Empty));
}

/// A set of inboxes, box `b` holding `per_box[b]` messages named after it: `a1`, `a2`, … `b1`, …
fn loaded(per_box: &[usize]) -> (DynamicInboxes<String>, Vec<BoxKey>) {
    let mut inputs = DynamicInboxes::new("in", "");
    let mut keys = Vec::new();
    for (b, &n) in per_box.iter().enumerate() {
        let (key, r) = inputs.add();
        for m in 0..n {
            r.try_send(format!("{}{}", (b'a' + b as u8) as char, m + 1))
                .unwrap();
        }
        keys.push(key);
    }
    (inputs, keys)
}

/// `recv_any` takes from the boxes with waiting data in turn (round-robin), not box by box.
#[test]
fn recv_any_is_round_robin_across_boxes_with_waiting_data() {
    let (mut inputs, keys) = loaded(&[3, 3, 3]);
    let got: Vec<_> = (0..9)
        .map(|_| axon::blocking::block_on(inputs.recv_any()))
        .collect();
    let expected: Vec<_> = ["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3"]
        .iter()
        .enumerate()
        .map(|(i, m)| (keys[i % 3], m.to_string()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(inputs.try_recv_any(), None);
}

/// A busy box cannot starve the others: boxes with data are served in turn, empty ones skipped.
#[test]
fn recv_any_skips_empty_boxes_and_does_not_let_a_busy_box_starve_others() {
    let (mut inputs, _) = loaded(&[100, 0, 2]);
    let got: Vec<String> = (0..6)
        .map(|_| axon::blocking::block_on(inputs.recv_any()).1)
        .collect();
    assert_eq!(got, ["a1", "c1", "a2", "c2", "a3", "a4"]);
}

/// `try_recv_any` follows the same fair order as `recv_any`.
#[test]
fn try_recv_any_is_round_robin_too() {
    let (mut inputs, _) = loaded(&[2, 2]);
    let got: Vec<String> = std::iter::from_fn(|| inputs.try_recv_any().map(|(_, m)| m)).collect();
    assert_eq!(got, ["a1", "b1", "a2", "b2"]);
}

/// The key `recv_any` returns identifies the box, so a plain map keyed by `BoxKey` does what
/// Kamaelia's `trackResource` / `retrieveTrackedResource` did.
#[test]
fn box_key_identifies_the_resource_a_message_came_from() {
    let mut inputs: DynamicInboxes<String> = DynamicInboxes::new("user", "");
    let mut resources = BTreeMap::new();
    let mut refs = BTreeMap::new();
    for who in ["alice", "bob", "carol"] {
        let (key, r) = inputs.add();
        resources.insert(key, who);
        refs.insert(who, r);
    }
    refs["bob"].try_send("hi from bob".to_string()).unwrap();
    let (key, msg) = axon::blocking::block_on(inputs.recv_any());
    assert_eq!((resources[&key], msg.as_str()), ("bob", "hi from bob"));
    refs["carol"].try_send("hi from carol".to_string()).unwrap();
    let (key, _) = inputs.try_recv_any().unwrap();
    assert_eq!(resources[&key], "carol");
}

/// Adds one inbox when it starts, announces its name, then forwards `expect` messages from any
/// of its dynamic inboxes.
#[derive(Boxes)]
struct Mux {
    /// The name of the inbox it added.
    ready: Outbox<String>,
    /// Everything received, from any connection.
    outbox: Outbox<String>,
    /// One inbox per connection.
    #[boxes(flatten)]
    inputs: DynamicInboxes<String>,
    expect: usize,
}

impl Component for Mux {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        self.inputs.add();
        // Find the generated name through the live model, as a tool would.
        let me = ctx
            .snapshot()
            .components
            .into_iter()
            .find(|c| c.id == ctx.id())
            .expect("listed");
        let name = me
            .boxes
            .last()
            .expect("the added inbox")
            .info
            .name
            .to_string();
        self.ready.send(name).await?;
        for _ in 0..self.expect {
            let (_, m) = self.inputs.recv_any().await;
            self.outbox.send(m).await?;
        }
        Ok(())
    }
}

/// Sends its items, then ends.
#[derive(Boxes)]
struct Source {
    /// The items.
    outbox: Outbox<String>,
    items: Vec<&'static str>,
}

impl Component for Source {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for i in self.items.drain(..) {
            self.outbox.send(i.to_string()).await?;
        }
        Ok(())
    }
}

/// Starts a `Mux`, learns the name of the inbox it added at run time, and links a `Source` to it
/// by name; passes on what the mux receives.
#[derive(Boxes)]
struct Parent {
    /// Names announced by the mux.
    ready: Inbox<String>,
    /// What the mux received.
    outbox: Outbox<String>,
    /// Link errors seen while wiring.
    errors: Outbox<axon::LinkError>,
}

impl Component for Parent {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let mux = ctx.adopt(Mux {
            ready: Outbox::new(),
            outbox: Outbox::new(),
            inputs: DynamicInboxes::new("conn", "data from one connection"),
            expect: 2,
        });
        ctx.link(&mux.ready, &self.ready)?;
        ctx.forward_outbox(&mux.outbox, &self.outbox)?;
        let mux = ctx.activate(mux);
        let name = self
            .ready
            .recv()
            .await
            .expect("the mux announces its inbox");
        let source = ctx.adopt(Source {
            outbox: Outbox::new(),
            items: vec!["one", "two"],
        });
        if let Err(e) = ctx.link_by_name(source.id(), "outbox", mux, "conn9") {
            self.errors.send(e).await?;
        }
        ctx.link_by_name(source.id(), "outbox", mux, &name)?;
        ctx.activate(source);
        while ctx.next_child_exit().await.is_some() {}
        Ok(())
    }
}

/// An inbox added while a component runs can be linked by its generated name through the
/// parent's `Context::link_by_name`; a wrong name is refused, listing the added inbox.
#[test]
fn added_inbox_can_be_linked_by_name_through_the_parent_context() {
    let mut system = System::deterministic();
    let parent = Parent {
        ready: Inbox::new(),
        outbox: Outbox::new(),
        errors: Outbox::new(),
    };
    let mut got = Inbox::new();
    let mut errors = Inbox::new();
    axon::link(&parent.outbox, &got).unwrap();
    axon::link(&parent.errors, &errors).unwrap();
    system.spawn(parent);
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert_eq!(got.try_recv().as_deref(), Ok("one"));
    assert_eq!(got.try_recv().as_deref(), Ok("two"));
    match errors.try_recv() {
        Ok(axon::LinkError::NoSuchBox {
            name, available, ..
        }) => {
            assert_eq!(name, "conn9");
            assert_eq!(available, ["conn1"]);
        }
        other => panic!("expected NoSuchBox, got {other:?}"),
    }
}

/// Waits on all its dynamic inboxes at once and passes on what arrives, tagged with the key.
#[derive(Boxes)]
struct Listener {
    /// What arrived, with the key of the inbox it came in on.
    outbox: Outbox<(BoxKey, String)>,
    /// One inbox per connection.
    #[boxes(flatten)]
    inputs: DynamicInboxes<String>,
}

impl Component for Listener {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            let got = self.inputs.recv_any().await;
            self.outbox.send(got).await?;
        }
    }
}

/// A component waiting in `recv_any` is woken by a message on any of its dynamic inboxes.
#[test]
fn recv_any_wakes_the_component_for_a_message_on_any_box() {
    let mut system = System::deterministic();
    let mut inputs = DynamicInboxes::new("conn", "");
    let refs: Vec<_> = (0..3).map(|_| inputs.add()).collect();
    let listener = Listener {
        outbox: Outbox::new(),
        inputs,
    };
    let mut got = Inbox::new();
    axon::link(&listener.outbox, &got).unwrap();
    let id = system.spawn(listener);
    system.run_until_idle();
    assert!(matches!(
        component(&system, id).state,
        axon::ComponentState::Receiving { .. }
    ));
    assert_eq!(got.try_recv(), Err(TryRecvError::Empty));
    for i in [2, 0, 1] {
        let (key, r) = &refs[i];
        r.try_send(format!("to {i}")).unwrap();
        system.run_until_idle();
        assert_eq!(got.try_recv(), Ok((*key, format!("to {i}"))));
    }
}

/// The snapshot lists a link into an added inbox under the inbox's generated name.
#[test]
fn links_to_added_inboxes_are_listed_by_generated_name() {
    let mut system = System::deterministic();
    let mut remote = Remote::start(&system);
    let source = system.adopt(Source {
        outbox: Outbox::new(),
        items: vec![],
    });
    system.run_until_idle();
    let (_, r) = remote.add_inbox(&mut system);
    axon::link(&source.outbox, &r).unwrap();
    let link = system
        .snapshot()
        .links
        .into_iter()
        .find(|l| l.from.component == Some(source.id()))
        .expect("the link is listed");
    assert_eq!(link.to.component, Some(remote.id));
    assert_eq!(link.to.name, "conn1");
}
