//! Taps on boxes (`System::tap`): the last messages through a box as bounded text, how messages
//! without `Debug` are shown, and taps removed when dropped or refused for boxes that do not exist.
//!
//! Every test runs `System::deterministic()`, so each observation is made where nothing else can
//! happen.

use axon::model::TAP_TEXT_LIMIT;
use axon::{Boxes, Component, Context, Error, Inbox, System};

mod common;
use common::{address, Consumer, Listener, Producer, Reading};

/// A message type without `Debug`.
struct Opaque;

/// Carries messages of several kinds, to check how taps show them.
#[derive(Boxes)]
struct Shapes<T: Send + 'static> {
    /// Text (Debug).
    text: Inbox<String>,
    /// Not Debug.
    opaque: Inbox<Opaque>,
    /// Generic without a Debug bound.
    generic: Inbox<T>,
    /// Generic, made debuggable by the constructor.
    generic_debuggable: Inbox<T>,
}

impl<T: Send + std::fmt::Debug + 'static> Shapes<T> {
    fn new() -> Self {
        Shapes {
            text: Inbox::new(),
            opaque: Inbox::new(),
            generic: Inbox::new(),
            generic_debuggable: Inbox::new().debuggable(),
        }
    }
}

impl<T: Send + 'static> Component for Shapes<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// A tap on an inbox keeps the last N messages delivered into it, oldest first, as their Debug
/// text, numbered among all it has seen; a tap on an outbox sees what that outbox sent.
#[test]
fn a_tap_shows_the_last_messages_in_order_as_debug_text() {
    let mut system = System::deterministic();
    let producer = system.adopt(Producer::new(10));
    let consumer = system.adopt(Consumer::new(10));
    axon::link(&producer.outbox, &consumer.inbox).unwrap();
    let inbox_tap = system.tap(&address(consumer.id(), "inbox"), 3).unwrap();
    let outbox_tap = system.tap(&address(producer.id(), "outbox"), 100).unwrap();
    system.activate(producer);
    system.activate(consumer);
    system.run().unwrap();
    let recent = inbox_tap.recent();
    let seen: Vec<(u64, &str)> = recent.iter().map(|r| (r.seq, r.text.as_str())).collect();
    assert_eq!(
        seen,
        [
            (7, "Reading { n: 8 }"),
            (8, "Reading { n: 9 }"),
            (9, "Reading { n: 10 }")
        ]
    );
    assert_eq!(inbox_tap.seen(), 10);
    assert_eq!(outbox_tap.recent().len(), 10);
    assert_eq!(outbox_tap.recent()[0].text, "Reading { n: 1 }");
}

/// Tap text is the message's Debug form cut at the limit, the type's name for a message type
/// that is not Debug (or a generic one not known to be), and Debug again where the component
/// opted in with `debuggable()`.
#[test]
fn tap_text_is_bounded_and_falls_back_to_the_type_name() {
    let system = System::deterministic();
    let shapes = system.adopt(Shapes::<Reading>::new());
    let id = shapes.id();
    let taps: Vec<_> = ["text", "opaque", "generic", "generic_debuggable"]
        .iter()
        .map(|b| system.tap(&address(id, b), 4).unwrap())
        .collect();
    shapes.text.handle().try_send("x".repeat(1000)).unwrap();
    shapes.opaque.handle().try_send(Opaque).unwrap();
    shapes.generic.handle().try_send(Reading { n: 1 }).unwrap();
    shapes
        .generic_debuggable
        .handle()
        .try_send(Reading { n: 2 })
        .unwrap();
    let text = &taps[0].recent()[0].text;
    assert!(text.starts_with("\"xxx"));
    assert!(text.ends_with('…'));
    assert_eq!(text.len(), TAP_TEXT_LIMIT + '…'.len_utf8());
    assert!(taps[1].recent()[0].text.ends_with("Opaque"));
    assert!(taps[2].recent()[0].text.ends_with("Reading"));
    assert_eq!(taps[3].recent()[0].text, "Reading { n: 2 }");
    system.activate(shapes);
}

/// Dropping a tap removes it from its box (the snapshot counts the taps on each box), and a
/// tap asked for a box that does not exist is refused with the boxes that do.
#[test]
fn dropping_a_tap_removes_it() {
    let mut system = System::deterministic();
    let id = system.spawn(Listener {
        inbox: Inbox::new(),
    });
    let taps_on_inbox = |s: &System| s.snapshot().component(id).unwrap().boxes[0].taps;
    assert_eq!(taps_on_inbox(&system), 0);
    let tap = system.tap(&address(id, "inbox"), 4).unwrap();
    let second = system.tap(&address(id, "inbox"), 4).unwrap();
    assert_eq!(taps_on_inbox(&system), 2);
    drop(tap);
    assert_eq!(taps_on_inbox(&system), 1);
    drop(second);
    assert_eq!(taps_on_inbox(&system), 0);
    let err = system.tap(&address(id, "nope"), 4).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot tap Listener#1.nope: Listener#1 has no box \"nope\" (its boxes: inbox)"
    );
    system.run_until_idle();
}
