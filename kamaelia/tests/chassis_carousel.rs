//! Carousel and JoinChooserToCarousel: the 16 behaviours of Kamaelia's Carousel test suite,
//! ported, plus the decisions this version makes (input hand-over, failures, request type) and
//! the playlist prefab.

mod common;

use std::sync::{Arc, Mutex};

use axon::{
    next_event, Boxes, Component, Context, Control, Error, Event, Inbox, InboxRef, Outbox, System,
};
use common::drain;
use kamaelia::chassis::carousel::{Carousel, NextRequest};
use kamaelia::chassis::join_chooser_to_carousel::JoinChooserToCarousel;

/// What happened to a mock child, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Input(String),
    Control(Control),
}

#[derive(Default)]
struct Probe {
    arg: String,
    activated: bool,
    seen: Vec<Seen>,
    ended: bool,
}

/// Orders the test gives a mock child.
enum Script {
    Stop,
    Say(String),
    Signal(Control),
}

/// A child that records what it receives, ignores its control (like Kamaelia's MockChild) and
/// does what its script says.
#[derive(Boxes)]
struct MockChild {
    /// Recorded.
    inbox: Inbox<String>,
    /// Recorded, otherwise ignored.
    control: Inbox<Control>,
    /// What the script says to send.
    outbox: Outbox<String>,
    /// What the script says to signal.
    signal: Outbox<Control>,
    /// The test's orders.
    script: Inbox<Script>,
    #[boxes(skip)]
    probe: Arc<Mutex<Probe>>,
    #[boxes(skip)]
    reads_input: bool,
}

impl Component for MockChild {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        self.probe.lock().unwrap().activated = true;
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => self.probe.lock().unwrap().seen.push(Seen::Control(c)),
                Some(s) = self.script.recv() => match s {
                    Script::Stop => break,
                    Script::Say(m) => self.outbox.send(m).await?,
                    Script::Signal(c) => self.signal.send(c).await?,
                },
                Some(m) = self.inbox.recv(), if self.reads_input => {
                    self.probe.lock().unwrap().seen.push(Seen::Input(m));
                }
            }
        }
        self.probe.lock().unwrap().ended = true;
        Ok(())
    }
}
kamaelia::impl_stage!([] MockChild, String => String);

/// The test's handle on one child.
struct ChildHandle {
    probe: Arc<Mutex<Probe>>,
    script: InboxRef<Script>,
}

impl ChildHandle {
    fn order(&self, s: Script) {
        self.script.try_send(s).expect("child still running");
    }
    fn stop(&self) {
        self.order(Script::Stop);
    }
    fn seen(&self) -> Vec<Seen> {
        self.probe.lock().unwrap().seen.clone()
    }
    fn controls(&self) -> Vec<Control> {
        self.seen()
            .into_iter()
            .filter_map(|s| match s {
                Seen::Control(c) => Some(c),
                Seen::Input(_) => None,
            })
            .collect()
    }
    fn activated(&self) -> bool {
        self.probe.lock().unwrap().activated
    }
    fn ended(&self) -> bool {
        self.probe.lock().unwrap().ended
    }
}

type Children = Arc<Mutex<Vec<ChildHandle>>>;

/// Builds mock children; a child whose argument starts with "deaf" never reads its inbox.
fn mock_factory(children: Children) -> impl FnMut(String) -> MockChild {
    move |arg| {
        let reads_input = !arg.starts_with("deaf");
        let probe = Arc::new(Mutex::new(Probe {
            arg,
            ..Probe::default()
        }));
        let child = MockChild {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            script: Inbox::unbounded(),
            probe: Arc::clone(&probe),
            reads_input,
        };
        children.lock().unwrap().push(ChildHandle {
            probe,
            script: child.script.handle(),
        });
        child
    }
}

/// A carousel of mock children with every box linked to the test.
struct Rig {
    system: System,
    children: Children,
    input: Outbox<String>,
    control: Outbox<Control>,
    next: Outbox<String>,
    output: Inbox<String>,
    signal: Inbox<Control>,
    requests: Inbox<NextRequest>,
}

impl Rig {
    fn with(
        configure: impl FnOnce(Carousel<String, String, String>) -> Carousel<String, String, String>,
    ) -> Rig {
        let system = System::deterministic();
        let children: Children = Arc::default();
        let carousel = configure(Carousel::new(mock_factory(Arc::clone(&children))));
        let rig = Rig {
            system,
            children,
            input: Outbox::new(),
            control: Outbox::new(),
            next: Outbox::new(),
            output: Inbox::unbounded(),
            signal: Inbox::new(),
            requests: Inbox::new(),
        };
        axon::link(&rig.input, &carousel.inbox).unwrap();
        axon::link(&rig.control, &carousel.control).unwrap();
        axon::link(&rig.next, &carousel.next).unwrap();
        axon::link(&carousel.outbox, &rig.output).unwrap();
        axon::link(&carousel.signal, &rig.signal).unwrap();
        axon::link(&carousel.request_next, &rig.requests).unwrap();
        rig.system.spawn(carousel);
        rig
    }

    fn new() -> Rig {
        Rig::with(|c| c)
    }

    fn settle(&mut self) {
        self.system.run_until_idle();
    }

    fn next(&mut self, arg: &str) {
        self.next.try_send(arg.to_string()).unwrap();
    }

    fn child(&self, i: usize) -> std::sync::MutexGuard<'_, Vec<ChildHandle>> {
        let children = self.children.lock().unwrap();
        assert!(children.len() > i, "child {i} was never built");
        children
    }

    fn child_count(&self) -> usize {
        self.children.lock().unwrap().len()
    }

    /// The carousel is the only top-level component; its children count too.
    fn carousel_running(&self) -> bool {
        self.system.live() > 0
    }
}

// ---- Kamaelia's 16 behaviours --------------------------------------------------------------

/// With nothing on `next`, the carousel builds no child, sends nothing and keeps running.
#[test]
fn by_default_does_nothing() {
    let mut rig = Rig::new();
    rig.settle();
    assert_eq!(rig.child_count(), 0);
    assert!(drain(&mut rig.output).is_empty());
    assert!(drain(&mut rig.signal).is_empty());
    assert!(drain(&mut rig.requests).is_empty());
    assert!(rig.carousel_running());
}

/// With `make_first_request`, the carousel sends exactly one request as soon as it starts.
#[test]
fn can_ask_to_make_first_request() {
    let mut rig = Rig::with(Carousel::make_first_request);
    rig.settle();
    assert_eq!(rig.child_count(), 0);
    assert_eq!(drain(&mut rig.requests), [NextRequest]);
    assert!(drain(&mut rig.signal).is_empty());
    assert!(rig.carousel_running());
}

/// Idle with no child, `ProducerFinished` or `Shutdown` ends the carousel, which passes it on.
#[test]
fn shuts_down_when_told_to_and_idle() {
    for stop in [Control::ProducerFinished, Control::Shutdown] {
        let mut rig = Rig::new();
        rig.settle();
        rig.control.try_send(stop.clone()).unwrap();
        rig.settle();
        assert_eq!(drain(&mut rig.signal), std::slice::from_ref(&stop));
        assert!(!rig.carousel_running());
    }
}

/// A message on `next` runs the factory with that message, and not before.
#[test]
fn message_to_next_runs_factory_function() {
    let called = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&called);
    let mut system = System::deterministic();
    let carousel = Carousel::new(move |arg: String| {
        *seen.lock().unwrap() = Some(arg.clone());
        mock_factory(Arc::default())(arg)
    });
    let mut next = Outbox::new();
    axon::link(&next, &carousel.next).unwrap();
    system.spawn(carousel);
    system.run_until_idle();
    assert_eq!(*called.lock().unwrap(), None);
    next.try_send("BLAH".to_string()).unwrap();
    system.run_until_idle();
    assert_eq!(called.lock().unwrap().as_deref(), Some("BLAH"));
}

/// A message on `next` creates a child from it and activates the child.
#[test]
fn message_to_next_spawns_child() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    let children = rig.child(0);
    assert_eq!(children.len(), 1);
    assert_eq!(children[0].probe.lock().unwrap().arg, "BLAH");
    assert!(children[0].activated());
}

/// When the child ends, the carousel sends one request on `request_next`.
#[test]
fn child_termination_triggers_request_next() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    rig.child(0)[0].stop();
    rig.settle();
    assert_eq!(drain(&mut rig.requests), [NextRequest]);
    assert!(rig.carousel_running());
}

/// A child saying it has finished on its `signal` (without ending) does not trigger a request.
#[test]
fn child_shutdown_signal_doesnt_trigger_request() {
    for said in [Control::ProducerFinished, Control::Shutdown] {
        let mut rig = Rig::new();
        rig.next("BLAH");
        rig.settle();
        rig.child(0)[0].order(Script::Signal(said));
        rig.settle();
        assert!(drain(&mut rig.requests).is_empty());
    }
}

/// `ProducerFinished` or `Shutdown` sent to the carousel reaches the child's `control`.
#[test]
fn child_receives_shutdown_signal() {
    for stop in [Control::ProducerFinished, Control::Shutdown] {
        let mut rig = Rig::new();
        rig.next("BLAH");
        rig.settle();
        rig.control.try_send(stop.clone()).unwrap();
        rig.settle();
        assert_eq!(rig.child(0)[0].controls(), std::slice::from_ref(&stop));
    }
}

/// A `next` while a child runs asks the child to stop, and the new child is built only once the
/// old one has ended.
#[test]
fn next_request_starts_new_child_once_current_has_terminated() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    for i in 0..5 {
        rig.next("BLAH");
        rig.settle();
        assert_eq!(
            rig.child_count(),
            i + 1,
            "no new child while the old one runs"
        );
        assert_eq!(rig.child(i)[i].controls(), [Control::Shutdown]);
        rig.child(i)[i].stop();
        rig.settle();
        let children = rig.child(i + 1);
        assert_eq!(children.len(), i + 2);
        assert!(children[i].ended());
        assert!(children[i + 1].activated() && !children[i + 1].ended());
    }
    assert!(
        drain(&mut rig.requests).is_empty(),
        "a next was always waiting"
    );
}

/// What is sent to the carousel's `inbox` reaches the child's `inbox`, in order.
#[test]
fn data_reaches_child_inbox() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    for i in 0..5 {
        rig.input.try_send(format!("HELLO{i}")).unwrap();
        rig.settle();
        assert_eq!(
            rig.child(0)[0].seen().last(),
            Some(&Seen::Input(format!("HELLO{i}")))
        );
    }
}

/// What the child sends on its `outbox` leaves from the carousel's `outbox`.
#[test]
fn data_reaches_carousel_outbox() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    for i in 0..5 {
        rig.child(0)[0].order(Script::Say(format!("HELLO{i}")));
        rig.settle();
        assert_eq!(drain(&mut rig.output), [format!("HELLO{i}")]);
    }
}

/// What the child sends on its `signal` does not leave from the carousel's `signal`.
#[test]
fn child_signal_ignored() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    for said in [Control::ProducerFinished, Control::Shutdown] {
        rig.child(0)[0].order(Script::Signal(said));
        rig.settle();
        assert!(drain(&mut rig.signal).is_empty());
    }
}

/// Stopping a carousel that has a child passes the stop message to the child too, and the
/// carousel passes it on once the child has ended.
#[test]
fn terminating_carousel_with_child_passes_signal_to_child_too() {
    for stop in [Control::ProducerFinished, Control::Shutdown] {
        let mut rig = Rig::new();
        rig.next("BLAH");
        rig.settle();
        rig.control.try_send(stop.clone()).unwrap();
        rig.settle();
        assert_eq!(rig.child(0)[0].controls(), std::slice::from_ref(&stop));
        rig.child(0)[0].stop();
        rig.settle();
        assert_eq!(drain(&mut rig.signal), std::slice::from_ref(&stop));
        assert!(!rig.carousel_running());
    }
}

/// After `ProducerFinished` or `Shutdown`, the carousel does not end until its child has.
#[test]
fn carousel_doesnt_terminate_until_child_has() {
    for stop in [Control::ProducerFinished, Control::Shutdown] {
        let mut rig = Rig::new();
        rig.next("BLAH");
        rig.settle();
        rig.control.try_send(stop.clone()).unwrap();
        rig.settle();
        assert_eq!(rig.child(0)[0].controls(), std::slice::from_ref(&stop));
        assert!(rig.carousel_running());
        assert!(!rig.child(0)[0].ended());
        assert!(drain(&mut rig.signal).is_empty());
        rig.child(0)[0].stop();
        rig.settle();
        assert!(!rig.carousel_running());
        assert!(rig.child(0)[0].ended());
    }
}

/// After `ProducerFinished`, `next` messages already waiting are still served, one child after
/// another, each told to stop; then the carousel ends.
#[test]
fn queued_nexts_finished_if_producer_finished() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    rig.control.try_send(Control::ProducerFinished).unwrap();
    for i in 1..10 {
        rig.next(&format!("BLAH{i}"));
    }
    rig.settle();
    assert_eq!(rig.child_count(), 1);
    assert!(rig.carousel_running());
    for i in 0..10 {
        {
            let children = rig.child(i);
            assert!(children[i].activated() && !children[i].ended());
            assert!(
                !children[i].controls().is_empty(),
                "child {i} was told to stop"
            );
            children[i].stop();
        }
        rig.settle();
    }
    let children = rig.child(9);
    assert_eq!(children.len(), 10);
    assert_eq!(children[9].probe.lock().unwrap().arg, "BLAH9");
    // The last child is only told that input has finished.
    assert_eq!(children[9].controls(), [Control::ProducerFinished]);
    drop(children);
    assert_eq!(drain(&mut rig.signal), [Control::ProducerFinished]);
    assert!(drain(&mut rig.requests).is_empty());
    assert!(!rig.carousel_running());
}

/// After `Shutdown`, waiting `next` messages are discarded and the carousel ends as soon as its
/// child has.
#[test]
fn queued_nexts_aborted_if_shutdown_microprocess() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    rig.control.try_send(Control::Shutdown).unwrap();
    for _ in 1..10 {
        rig.next("BLAH");
    }
    rig.settle();
    assert_eq!(rig.child_count(), 1);
    assert!(rig.carousel_running());
    assert_eq!(rig.child(0)[0].controls(), [Control::Shutdown]);
    rig.child(0)[0].stop();
    rig.settle();
    assert_eq!(rig.child_count(), 1);
    assert!(!rig.carousel_running());
    assert_eq!(drain(&mut rig.signal), [Control::Shutdown]);
    assert!(drain(&mut rig.requests).is_empty());
}

// ---- This version's decisions --------------------------------------------------------------

/// Input that arrives while there is no child waits in the carousel and goes to the next child.
#[test]
fn input_waits_for_the_next_child() {
    let mut rig = Rig::new();
    rig.input.try_send("early".to_string()).unwrap();
    rig.settle();
    rig.next("first");
    rig.settle();
    rig.child(0)[0].stop();
    rig.settle();
    rig.input.try_send("between".to_string()).unwrap();
    rig.settle();
    rig.next("second");
    rig.settle();
    assert_eq!(rig.child(0)[0].seen(), [Seen::Input("early".to_string())]);
    assert_eq!(rig.child(1)[1].seen(), [Seen::Input("between".to_string())]);
}

/// A child that never reads its inbox loses nothing when it ends: the one message it was
/// handed goes to the next child first, then the rest, in order.
#[test]
fn input_a_child_left_unread_goes_to_the_next_child_in_order() {
    let mut rig = Rig::new();
    rig.next("deaf");
    rig.settle();
    for i in 0..5 {
        rig.input.try_send(format!("m{i}")).unwrap();
    }
    rig.settle();
    rig.child(0)[0].stop();
    rig.settle();
    rig.next("second");
    rig.settle();
    let expected: Vec<Seen> = (0..5).map(|i| Seen::Input(format!("m{i}"))).collect();
    assert_eq!(rig.child(1)[1].seen(), expected);
}

/// `ProducerFinished` loses no input: it reaches the child only once everything sent before it
/// has been handed over, so a child that drains on `ProducerFinished` gets all of it.
#[test]
fn producer_finished_reaches_child_after_queued_input() {
    let mut system = System::deterministic();
    let carousel = Carousel::new(Echo::new);
    let (mut next, mut input, mut control) = (Outbox::new(), Outbox::new(), Outbox::new());
    let (mut output, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&next, &carousel.next).unwrap();
    axon::link(&input, &carousel.inbox).unwrap();
    axon::link(&control, &carousel.control).unwrap();
    axon::link(&carousel.outbox, &output).unwrap();
    axon::link(&carousel.signal, &signal).unwrap();
    system.spawn(carousel);
    next.try_send("a".to_string()).unwrap();
    for m in ["x", "y", "z"] {
        input.try_send(m.to_string()).unwrap();
    }
    control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut output), ["a", "a:x", "a:y", "a:z"]);
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
}

/// After `ProducerFinished` the carousel never asks for more, and ends when its child ends.
#[test]
fn no_request_after_producer_finished() {
    let mut rig = Rig::new();
    rig.next("BLAH");
    rig.settle();
    rig.control.try_send(Control::ProducerFinished).unwrap();
    rig.settle();
    rig.child(0)[0].stop();
    rig.settle();
    assert!(drain(&mut rig.requests).is_empty());
    assert_eq!(drain(&mut rig.signal), [Control::ProducerFinished]);
    assert!(!rig.carousel_running());
}

/// After `Shutdown`, input still waiting is discarded, not handed to the child.
#[test]
fn shutdown_discards_waiting_input() {
    let mut rig = Rig::new();
    rig.next("deaf");
    rig.settle();
    for i in 0..3 {
        rig.input.try_send(format!("m{i}")).unwrap();
    }
    rig.settle();
    rig.control.try_send(Control::Shutdown).unwrap();
    rig.settle();
    rig.child(0)[0].stop();
    rig.settle();
    assert_eq!(rig.child_count(), 1);
    assert_eq!(rig.child(0)[0].controls(), [Control::Shutdown]);
    assert_eq!(drain(&mut rig.signal), [Control::Shutdown]);
    assert!(!rig.carousel_running());
}

/// A child that fails ends the carousel with an error naming the child, and `Shutdown` on
/// `signal`.
#[test]
fn failing_child_ends_carousel_with_error() {
    #[derive(Boxes, Default)]
    struct Broken {
        /// in
        inbox: Inbox<String>,
        /// ctl
        control: Inbox<Control>,
        /// out
        outbox: Outbox<String>,
        /// sig
        signal: Outbox<Control>,
    }
    impl Component for Broken {
        async fn run(self, _: Context) -> Result<(), Error> {
            Err(Error::msg("no such file"))
        }
    }
    kamaelia::impl_stage!([] Broken, String => String);

    let mut system = System::deterministic();
    let carousel = Carousel::new(|_: String| Broken::default());
    let (mut next, mut signal, mut requests) = (Outbox::new(), Inbox::new(), Inbox::new());
    axon::link(&next, &carousel.next).unwrap();
    axon::link(&carousel.signal, &signal).unwrap();
    axon::link(&carousel.request_next, &requests).unwrap();
    system.spawn(carousel);
    next.try_send("missing.txt".to_string()).unwrap();
    system.run().unwrap();
    assert_eq!(signal.try_recv(), Ok(Control::Shutdown));
    assert!(requests.try_recv().is_err());
    let failures = system.failures();
    let carousel_failure = failures
        .iter()
        .find(|f| f.name.starts_with("Carousel"))
        .expect("the carousel failed");
    assert!(
        carousel_failure.what.contains("Broken") && carousel_failure.what.contains("no such file"),
        "{}",
        carousel_failure.what
    );
}

/// `requests_as` makes `request_next` carry another type made from `NextRequest`.
#[test]
fn request_type_can_be_chosen() {
    #[derive(Debug, PartialEq)]
    enum Cmd {
        More,
    }
    impl From<NextRequest> for Cmd {
        fn from(_: NextRequest) -> Self {
            Cmd::More
        }
    }
    let mut system = System::deterministic();
    let carousel = Carousel::new(mock_factory(Arc::default()))
        .requests_as::<Cmd>()
        .make_first_request();
    let mut requests = Inbox::new();
    axon::link(&carousel.request_next, &requests).unwrap();
    system.spawn(carousel);
    system.run_until_idle();
    assert_eq!(requests.try_recv(), Ok(Cmd::More));
}

// ---- JoinChooserToCarousel -----------------------------------------------------------------

/// A stand-in chooser: sends its first item at start and one more per request; on running out
/// (or on a control message) it signals and ends.
#[derive(Boxes)]
struct Items {
    /// Requests.
    inbox: Inbox<NextRequest>,
    /// Stop.
    control: Inbox<Control>,
    /// Items.
    outbox: Outbox<String>,
    /// ProducerFinished when out of items, or the control message.
    signal: Outbox<Control>,
    #[boxes(skip)]
    items: std::vec::IntoIter<String>,
}

impl Items {
    fn new(items: &[&str]) -> Self {
        Items {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            items: items
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter(),
        }
    }
}

impl Component for Items {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        for i in self.items.by_ref() {
            self.outbox.send(i).await?;
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(NextRequest) => {}
                Event::Control(c) => {
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
        self.signal.send(Control::ProducerFinished).await.ok();
        Ok(())
    }
}
kamaelia::impl_stage!([] Items, NextRequest => String);

/// Echoes its argument, then everything it is sent, until told to stop (at once when `arg` ends
/// with `!`); on `ProducerFinished` it first echoes what is queued.
#[derive(Boxes)]
struct Echo {
    /// in
    inbox: Inbox<String>,
    /// ctl
    control: Inbox<Control>,
    /// out
    outbox: Outbox<String>,
    /// sig
    signal: Outbox<Control>,
    #[boxes(skip)]
    arg: String,
}

impl Echo {
    fn new(arg: String) -> Self {
        Echo {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            arg,
        }
    }
}

impl Component for Echo {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        self.outbox.send(self.arg.clone()).await?;
        if self.arg.ends_with('!') {
            return Ok(());
        }
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => self.outbox.send(format!("{}:{m}", self.arg)).await?,
                Event::Control(c) => {
                    if c.is_producer_finished() {
                        while let Ok(m) = self.inbox.try_recv() {
                            self.outbox.send(format!("{}:{m}", self.arg)).await?;
                        }
                    }
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([] Echo, String => String);

/// The prefab turns each of the chooser's items into a child in turn, then ends with
/// `ProducerFinished` when the chooser runs out.
#[test]
fn join_plays_each_item_in_turn() {
    let mut system = System::deterministic();
    let playlist =
        JoinChooserToCarousel::new(Items::new(&["a!", "b!", "c!"]), Carousel::new(Echo::new));
    let (mut output, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&playlist.outbox, &output).unwrap();
    axon::link(&playlist.signal, &signal).unwrap();
    system.spawn(playlist);
    system.run().unwrap();
    assert_eq!(drain(&mut output), ["a!", "b!", "c!"]);
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
    assert!(system.failures().is_empty());
}

/// The prefab's `inbox` reaches the current child.
#[test]
fn join_inbox_reaches_current_child() {
    let mut system = System::deterministic();
    let playlist = JoinChooserToCarousel::new(Items::new(&["a"]), Carousel::new(Echo::new));
    let (mut input, mut output) = (Outbox::new(), Inbox::new());
    axon::link(&input, &playlist.inbox).unwrap();
    axon::link(&playlist.outbox, &output).unwrap();
    system.spawn(playlist);
    input.try_send("x".to_string()).unwrap();
    input.try_send("y".to_string()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut output), ["a", "a:x", "a:y"]);
}

/// A control message sent to the prefab goes to the chooser, then through the carousel to its
/// child, and everything ends with that message on the prefab's `signal`.
#[test]
fn join_control_stops_chooser_carousel_and_child() {
    for stop in [Control::ProducerFinished, Control::Shutdown] {
        let mut system = System::deterministic();
        let playlist =
            JoinChooserToCarousel::new(Items::new(&["a", "b"]), Carousel::new(Echo::new));
        let (mut control, mut output, mut signal) = (Outbox::new(), Inbox::new(), Inbox::new());
        axon::link(&control, &playlist.control).unwrap();
        axon::link(&playlist.outbox, &output).unwrap();
        axon::link(&playlist.signal, &signal).unwrap();
        system.spawn(playlist);
        system.run_until_idle();
        control.try_send(stop.clone()).unwrap();
        system.run().unwrap();
        assert_eq!(drain(&mut output), ["a"], "b was never played");
        assert_eq!(signal.try_recv(), Ok(stop));
        assert_eq!(system.live(), 0);
    }
}
