//! Chooser and ForwardIteratingChooser: stepping through items on command, their shutdown
//! behaviour, the looping fix (no silence after Prev at the start), and both as the chooser of a
//! JoinChooserToCarousel playlist.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use common::{
    drain, fails_saying_so_when_its_receiver_has_ended, stops_on_shutdown_while_waiting_for_room,
};
use kamaelia::chassis::carousel::{Carousel, NextRequest};
use kamaelia::chassis::join_chooser_to_carousel::JoinChooserToCarousel;
use kamaelia::util::flow::{Chooser, ChooserCommand, ForwardIteratingChooser};
use ChooserCommand::{First, Last, Next, Prev, Same};

/// A chooser (either kind) with its boxes linked to the test.
struct Rig<T: Send + 'static> {
    system: System,
    commands: Outbox<ChooserCommand>,
    control: Outbox<Control>,
    output: Inbox<T>,
    signal: Inbox<Control>,
}

impl<T: Clone + Send + 'static> Rig<T> {
    fn chooser(c: Chooser<T>) -> Self {
        let rig = Rig::boxes();
        axon::link(&rig.commands, &c.inbox).unwrap();
        axon::link(&rig.control, &c.control).unwrap();
        axon::link(&c.outbox, &rig.output).unwrap();
        axon::link(&c.signal, &rig.signal).unwrap();
        rig.system.spawn(c);
        rig
    }

    fn forward(c: ForwardIteratingChooser<T>) -> Self {
        let rig = Rig::boxes();
        axon::link(&rig.commands, &c.inbox).unwrap();
        axon::link(&rig.control, &c.control).unwrap();
        axon::link(&c.outbox, &rig.output).unwrap();
        axon::link(&c.signal, &rig.signal).unwrap();
        rig.system.spawn(c);
        rig
    }

    fn boxes() -> Self {
        Rig {
            system: System::deterministic(),
            commands: Outbox::new(),
            control: Outbox::new(),
            output: Inbox::new(),
            signal: Inbox::new(),
        }
    }

    /// Sends the commands, runs until idle, and returns what came out.
    fn step(&mut self, commands: &[ChooserCommand]) -> Vec<T> {
        for &c in commands {
            self.commands.try_send(c).unwrap();
        }
        self.system.run_until_idle();
        self.output()
    }

    fn output(&mut self) -> Vec<T> {
        drain(&mut self.output)
    }

    fn signals(&mut self) -> Vec<Control> {
        drain(&mut self.signal)
    }

    fn running(&self) -> bool {
        self.system.live() > 0
    }
}

const FRUIT: [&str; 3] = ["apple", "banana", "cherry"];

// ---- Chooser ---------------------------------------------------------------------------------

/// When it starts, a Chooser sends its first item.
#[test]
fn chooser_sends_first_item_at_start() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    assert_eq!(rig.step(&[]), ["apple"]);
    assert!(rig.running());
}

/// A Chooser over nothing never sends anything, whatever it is told.
#[test]
fn chooser_with_no_items_sends_nothing() {
    let mut rig = Rig::chooser(Chooser::<String>::new([]));
    assert!(rig.step(&[Next, Prev, First, Last, Same]).is_empty());
    let mut rig = Rig::chooser(Chooser::<String>::new([]).looping());
    assert!(rig.step(&[Next, Prev, First, Last, Same]).is_empty());
}

/// `Next` steps forwards and sends the item; at the last item it sends nothing and stays.
#[test]
fn chooser_next_stops_at_the_end() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    rig.step(&[]);
    assert_eq!(rig.step(&[Next, Next]), ["banana", "cherry"]);
    assert!(rig.step(&[Next]).is_empty());
    assert_eq!(rig.step(&[Same]), ["cherry"]);
}

/// `Prev` steps backwards and sends the item; at the first item it sends nothing and stays.
#[test]
fn chooser_prev_stops_at_the_start() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    rig.step(&[]);
    assert!(rig.step(&[Prev]).is_empty());
    assert_eq!(rig.step(&[Same]), ["apple"]);
    assert_eq!(rig.step(&[Last, Prev, Prev]), ["cherry", "banana", "apple"]);
}

/// Forwards, backwards and forwards again visit the items in the expected order.
#[test]
fn chooser_forwards_backwards_forwards() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    assert_eq!(
        rig.step(&[Next, Next, Prev, Prev, Next]),
        ["apple", "banana", "cherry", "banana", "apple", "banana"]
    );
}

/// `First` and `Last` send the first / last item, even when already there.
#[test]
fn chooser_first_and_last_always_send() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    rig.step(&[]);
    assert_eq!(
        rig.step(&[Last, Last, First, First]),
        ["cherry", "cherry", "apple", "apple"]
    );
}

/// `Same` sends the current item again.
#[test]
fn chooser_same_resends_current() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    assert_eq!(
        rig.step(&[Same, Next, Same]),
        ["apple", "apple", "banana", "banana"]
    );
}

/// Looping, `Next` on the last item sends the first.
#[test]
fn looping_chooser_next_wraps_to_first() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT).looping());
    assert_eq!(
        rig.step(&[Next, Next, Next, Next]),
        ["apple", "banana", "cherry", "apple", "banana"]
    );
}

/// Looping, `Prev` on the first item sends the last, and the chooser keeps working afterwards
/// (Kamaelia's went silent for good here).
#[test]
fn looping_chooser_prev_at_start_wraps_to_last() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT).looping());
    assert_eq!(rig.step(&[Prev]), ["apple", "cherry"]);
    assert_eq!(
        rig.step(&[Prev, Next, Next, Same]),
        ["banana", "cherry", "apple", "apple"]
    );
}

/// Any iterable can be given; its items are kept in order.
#[test]
fn chooser_takes_any_iterable() {
    let mut rig = Rig::chooser(Chooser::new(0..5));
    assert_eq!(rig.step(&[Last, Prev]), [0, 4, 3]);
}

/// On `ProducerFinished` a Chooser carries out the commands already queued, then passes it on
/// and ends.
#[test]
fn chooser_producer_finished_carries_out_queued_commands() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    rig.commands.try_send(Next).unwrap();
    rig.commands.try_send(Last).unwrap();
    rig.control.try_send(Control::ProducerFinished).unwrap();
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["apple", "banana", "cherry"]);
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// On `Shutdown` a Chooser ends at once, ignoring queued commands, and passes it on.
#[test]
fn chooser_shutdown_ends_at_once() {
    let mut rig = Rig::chooser(Chooser::new(FRUIT));
    rig.system.run_until_idle();
    rig.commands.try_send(Next).unwrap();
    rig.commands.try_send(Next).unwrap();
    rig.control.try_send(Control::Shutdown).unwrap();
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["apple"]);
    assert_eq!(rig.signals(), [Control::Shutdown]);
}

/// A receiver that takes nothing does not hide a `Shutdown` from a Chooser waiting to send.
#[test]
fn chooser_stops_on_shutdown_while_waiting_for_room() {
    stops_on_shutdown_while_waiting_for_room(Chooser::new(FRUIT), [Next, Next]);
}

/// A Chooser whose receiver has ended says `Failed` on `signal` and fails.
#[test]
fn chooser_says_failed_when_its_receiver_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("slides", Chooser::new(FRUIT), [Next]);
}

/// A carousel's request for the next item is the command `Next`.
#[test]
fn next_request_is_the_next_command() {
    assert_eq!(ChooserCommand::from(NextRequest), Next);
}

// ---- ForwardIteratingChooser -----------------------------------------------------------------

/// It sends the first item at start and one more for each `Next`.
#[test]
fn forward_chooser_sends_first_then_one_per_next() {
    let mut rig = Rig::forward(ForwardIteratingChooser::new(FRUIT));
    assert_eq!(rig.step(&[]), ["apple"]);
    assert_eq!(rig.step(&[Next]), ["banana"]);
    assert_eq!(rig.step(&[Next]), ["cherry"]);
    assert!(rig.running());
}

/// When `Next` finds the sequence run out, it sends `ProducerFinished` and ends, ignoring the
/// commands still queued.
#[test]
fn forward_chooser_running_dry_says_producer_finished() {
    let mut rig = Rig::forward(ForwardIteratingChooser::new(FRUIT));
    assert_eq!(
        rig.step(&[Next, Next, Next, Same, Next]),
        ["apple", "banana", "cherry"]
    );
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
    assert!(!rig.running());
}

/// Over an empty sequence it sends `ProducerFinished` at once and ends.
#[test]
fn forward_chooser_with_no_items_ends_at_once() {
    let mut rig = Rig::forward(ForwardIteratingChooser::<u8>::new([]));
    rig.system.run().unwrap();
    assert!(rig.output().is_empty());
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// `Same` resends the current item; `Prev`, `First` and `Last` are ignored.
#[test]
fn forward_chooser_same_resends_and_cannot_go_back() {
    let mut rig = Rig::forward(ForwardIteratingChooser::new(FRUIT));
    rig.step(&[]);
    assert_eq!(
        rig.step(&[Same, Next, Prev, First, Last, Same]),
        ["apple", "banana", "banana"]
    );
}

/// Items are taken from the iterator only when asked for, so endless sequences work.
#[test]
fn forward_chooser_is_lazy() {
    let taken = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&taken);
    let endless = (0u64..).map(move |n| {
        counter.fetch_add(1, Ordering::SeqCst);
        n * 10
    });
    let mut rig = Rig::forward(ForwardIteratingChooser::new(endless));
    assert_eq!(rig.step(&[]), [0]);
    assert_eq!(taken.load(Ordering::SeqCst), 1);
    assert_eq!(rig.step(&[Next, Next]), [10, 20]);
    assert_eq!(taken.load(Ordering::SeqCst), 3);
}

/// On `ProducerFinished` it carries out queued commands and passes it on once, even if the
/// sequence runs out on the way.
#[test]
fn forward_chooser_producer_finished_carries_out_queued_commands() {
    let mut rig = Rig::forward(ForwardIteratingChooser::new(FRUIT));
    for c in [Next, Next, Next, Next] {
        rig.commands.try_send(c).unwrap();
    }
    rig.control.try_send(Control::ProducerFinished).unwrap();
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["apple", "banana", "cherry"]);
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// On `Shutdown` it ends at once, ignoring queued commands, and passes it on.
#[test]
fn forward_chooser_shutdown_ends_at_once() {
    let mut rig = Rig::forward(ForwardIteratingChooser::new(FRUIT));
    rig.system.run_until_idle();
    rig.commands.try_send(Next).unwrap();
    rig.control.try_send(Control::Shutdown).unwrap();
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["apple"]);
    assert_eq!(rig.signals(), [Control::Shutdown]);
}

/// A receiver that takes nothing does not hide a `Shutdown` from it while it waits to send.
#[test]
fn forward_chooser_stops_on_shutdown_while_waiting_for_room() {
    stops_on_shutdown_while_waiting_for_room(ForwardIteratingChooser::new(FRUIT), [Next, Same]);
}

/// One whose receiver has ended says `Failed` on `signal` and fails.
#[test]
fn forward_chooser_says_failed_when_its_receiver_has_ended() {
    fails_saying_so_when_its_receiver_has_ended(
        "playlist",
        ForwardIteratingChooser::new(FRUIT),
        [Next],
    );
}

// ---- In a playlist ---------------------------------------------------------------------------

/// Echoes its argument and then one input as "arg:input", then ends; on a control message it
/// ends (after echoing what is queued, on `ProducerFinished`).
#[derive(Boxes)]
struct Clip {
    /// Input.
    inbox: Inbox<String>,
    /// Stop.
    control: Inbox<Control>,
    /// Echoes.
    outbox: Outbox<String>,
    /// Unused.
    signal: Outbox<Control>,
    #[boxes(skip)]
    arg: String,
    #[boxes(skip)]
    wants_input: bool,
}

impl Clip {
    fn new(arg: &str, wants_input: bool) -> Clip {
        Clip {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            arg: arg.to_string(),
            wants_input,
        }
    }
}

impl Component for Clip {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        self.outbox.send(self.arg.clone()).await?;
        if !self.wants_input {
            return Ok(());
        }
        match next_event(&mut self.control, &mut self.inbox).await {
            Event::Message(m) => self.outbox.send(format!("{}:{m}", self.arg)).await?,
            Event::Control(c) => {
                if c.is_producer_finished() {
                    if let Ok(m) = self.inbox.try_recv() {
                        self.outbox.send(format!("{}:{m}", self.arg)).await?;
                    }
                }
            }
        }
        Ok(())
    }
}
kamaelia::impl_stage!([] Clip, String => String);

/// A ForwardIteratingChooser joined to a carousel plays each item once, then everything ends
/// with `ProducerFinished`.
#[test]
fn playlist_plays_each_item_once() {
    let mut system = System::deterministic();
    let playlist = JoinChooserToCarousel::new(
        ForwardIteratingChooser::new(["one", "two", "three"]),
        Carousel::new(|name: &str| Clip::new(name, false)),
    );
    let (mut output, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&playlist.outbox, &output).unwrap();
    axon::link(&playlist.signal, &signal).unwrap();
    system.spawn(playlist);
    system.run().unwrap();
    let got: Vec<String> = drain(&mut output);
    assert_eq!(got, ["one", "two", "three"]);
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
    assert!(system.failures().is_empty());
}

/// A looping Chooser joined to a carousel goes round the items for as long as it runs, and
/// `ProducerFinished` sent to the playlist lets the current item finish, then ends everything.
#[test]
fn looping_playlist_wraps_around_until_finished() {
    let mut system = System::deterministic();
    let playlist = JoinChooserToCarousel::new(
        Chooser::new(["a", "b"]).looping(),
        Carousel::new(|name: &str| Clip::new(name, true)),
    );
    let (mut input, mut control) = (Outbox::new(), Outbox::new());
    let (mut output, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &playlist.inbox).unwrap();
    axon::link(&control, &playlist.control).unwrap();
    axon::link(&playlist.outbox, &output).unwrap();
    axon::link(&playlist.signal, &signal).unwrap();
    system.spawn(playlist);
    for m in ["x", "y", "z"] {
        input.try_send(m.to_string()).unwrap();
        system.run_until_idle();
    }
    control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let got: Vec<String> = drain(&mut output);
    assert_eq!(got, ["a", "a:x", "b", "b:y", "a", "a:z", "b"]);
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
    assert_eq!(system.live(), 0);
}
