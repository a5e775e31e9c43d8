//! Live introspection built on the live model (`axon::model`): change events, times in
//! snapshots, stall and deadlock detection, taps, start-up hooks and `tracing` spans and events.
//!
//! Kamaelia's `Introspector` streamed `ADD NODE` / `ADD LINK` lines by diffing the scheduler's
//! state; these tests state what replaces it: an event stream that is bounded and lossy (it
//! never slows the system), costs nothing without subscribers, and carries the system's own
//! (virtual, in tests) time. Every test runs `System::deterministic()`, so each observation is
//! made where nothing else can happen and times are exact.

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Duration;

use axon::model::{BoxAddress, Deadlock, EventKind, StallKind, TAP_TEXT_LIMIT};
use axon::{Boxes, Component, ComponentId, ComponentState, Context, Error, Inbox, Outbox, System};

/// A message with a `Debug` form.
#[derive(Debug, Clone, PartialEq)]
struct Reading {
    n: u32,
}

/// A message type without `Debug`.
struct Opaque;

/// Sends `Reading { n }` for n in 1..=count, then ends.
#[derive(Boxes)]
struct Producer {
    /// The readings.
    outbox: Outbox<Reading>,
    /// Never used; linked and unlinked by tests.
    spare: Outbox<u32>,
    count: u32,
}

impl Producer {
    fn new(count: u32) -> Self {
        Producer {
            outbox: Outbox::new(),
            spare: Outbox::new(),
            count,
        }
    }
}

impl Component for Producer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 1..=self.count {
            self.outbox.send(Reading { n }).await?;
        }
        Ok(())
    }
}

/// Takes `count` readings, then ends.
#[derive(Boxes)]
struct Consumer {
    /// Readings.
    inbox: Inbox<Reading>,
    /// Never used; linked and unlinked by tests.
    extra: Inbox<u32>,
    count: u32,
}

impl Consumer {
    fn new(count: u32) -> Self {
        Consumer {
            inbox: Inbox::new(),
            extra: Inbox::new(),
            count,
        }
    }
}

impl Component for Consumer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for _ in 0..self.count {
            if self.inbox.recv().await.is_none() {
                break;
            }
        }
        Ok(())
    }
}

/// Sends 0, 1, 2, … for ever without reading anything.
#[derive(Boxes)]
struct Jam {
    /// Where it never stops sending.
    inbox: Inbox<u64>,
    /// Numbers.
    outbox: Outbox<u64>,
}

impl Jam {
    fn new() -> Self {
        Jam {
            inbox: Inbox::with_capacity(1),
            outbox: Outbox::new(),
        }
    }
}

impl Component for Jam {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 0.. {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Holds a two-slot inbox it never reads, and never ends.
#[derive(Boxes)]
struct Deaf {
    /// Never read.
    inbox: Inbox<u64>,
}

impl Component for Deaf {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Waits on its inbox until it closes.
#[derive(Boxes)]
struct Listener {
    /// Anything.
    inbox: Inbox<u64>,
}

impl Component for Listener {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

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

fn address(id: ComponentId, name: &str) -> BoxAddress {
    BoxAddress {
        component: Some(id),
        name: name.to_string(),
    }
}

/// A compact form of an event, naming components by their names.
fn describe(kind: &EventKind, names: &HashMap<ComponentId, String>) -> String {
    let n = |id: &ComponentId| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let a = |b: &BoxAddress| {
        format!(
            "{}.{}",
            b.component.as_ref().map(n).unwrap_or_default(),
            b.name
        )
    };
    match kind {
        EventKind::ComponentAdded { name, .. } => format!("added {name}"),
        EventKind::ComponentEnded { id, state } => format!("ended {} {state:?}", n(id)),
        EventKind::LinkMade { from, to } => format!("link {} -> {}", a(from), a(to)),
        EventKind::LinkRemoved { from, to } => format!("unlink {} -> {}", a(from), a(to)),
        EventKind::StateChanged { id, state } => format!("state {} {state:?}", n(id)),
        other => format!("{other:?}"),
    }
}

/// Events arrive numbered without gaps and in the order things happened: components added,
/// links made and removed, state changes while running, and each end (after the links from
/// the ended component's boxes are reported removed).
#[test]
fn events_report_additions_links_states_ends_and_unlinks_in_order() {
    let mut system = System::deterministic();
    let mut events = system.events(10_000);
    let producer = system.adopt_named("p", Producer::new(2));
    let consumer = system.adopt_named("c", Consumer::new(2));
    let names: HashMap<_, _> = [
        (producer.id(), "p".to_string()),
        (consumer.id(), "c".to_string()),
    ]
    .into();
    axon::link(&producer.outbox, &consumer.inbox).unwrap();
    let spare = axon::link(&producer.spare, &consumer.extra).unwrap();
    spare.unlink();
    system.activate(consumer);
    system.activate(producer);
    system.run().unwrap();

    let mut all = Vec::new();
    while let Some(e) = events.try_next() {
        all.push(e);
    }
    assert_eq!(events.missed(), 0);
    let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..all.len() as u64).collect::<Vec<_>>());
    let lines: Vec<String> = all.iter().map(|e| describe(&e.kind, &names)).collect();
    let structural: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| !l.starts_with("state"))
        .collect();
    assert_eq!(
        structural,
        [
            "added p",
            "added c",
            "link p.outbox -> c.inbox",
            "link p.spare -> c.extra",
            "unlink p.spare -> c.extra",
            "unlink p.outbox -> c.inbox",
            "ended p Finished",
            "ended c Finished",
        ],
        "all events: {lines:#?}"
    );
    let first_state = lines.iter().position(|l| l.starts_with("state")).unwrap();
    assert_eq!(lines[first_state], "state c Running", "{lines:#?}");
    assert!(
        lines.contains(&"state c Receiving { inbox: \"inbox\" }".to_string()),
        "{lines:#?}"
    );
    let p_end = lines.iter().position(|l| l == "ended p Finished").unwrap();
    assert!(
        lines[..p_end]
            .iter()
            .filter(|l| l.starts_with("state p"))
            .count()
            >= 1,
        "{lines:#?}"
    );
}

/// A subscription that is full drops further events and counts them, and the system runs to
/// its end regardless.
#[test]
fn a_full_subscription_counts_what_it_missed_and_never_blocks_the_system() {
    let mut system = System::deterministic();
    let mut events = system.events(2);
    let producer = system.adopt(Producer::new(500));
    let consumer = system.adopt(Consumer::new(500));
    axon::link(&producer.outbox, &consumer.inbox).unwrap();
    system.activate(producer);
    system.activate(consumer);
    system.run().unwrap();
    assert!(events.missed() > 10, "missed {}", events.missed());
    let first = events.try_next().unwrap();
    let second = events.try_next().unwrap();
    assert_eq!((first.seq, second.seq), (0, 1));
    assert!(events.try_next().is_none());
    assert_eq!(events.capacity(), 2);
}

/// Without a subscriber nothing is built: the first event after subscribing is number 0, even
/// after a busy run.
#[test]
fn without_subscribers_no_events_are_made() {
    let mut system = System::deterministic();
    let producer = system.adopt(Producer::new(300));
    let consumer = system.adopt(Consumer::new(300));
    axon::link(&producer.outbox, &consumer.inbox).unwrap();
    system.activate(producer);
    system.activate(consumer);
    system.run().unwrap();

    let mut events = system.events(16);
    assert!(events.try_next().is_none());
    let id = system.spawn_named("late", Consumer::new(0));
    let e = events.try_next().unwrap();
    assert_eq!(e.seq, 0);
    assert!(matches!(e.kind, EventKind::ComponentAdded { id: i, .. } if i == id));
    drop(events);
    let mut again = system.events(16);
    system.run().unwrap();
    let ended = std::iter::from_fn(|| again.try_next()).last().unwrap();
    assert!(matches!(ended.kind, EventKind::ComponentEnded { .. }));
}

/// A blocking reader wakes when an event arrives from another thread, and gets `None` once the
/// system is dropped and the queue is empty.
#[test]
fn a_blocking_reader_gets_events_then_none_when_the_system_is_dropped() {
    let mut system = System::new();
    let mut events = system.events(64);
    let reader = std::thread::spawn(move || {
        let mut kinds = Vec::new();
        while let Some(e) = events.next_timeout(Duration::from_secs(30)) {
            kinds.push(e.kind);
        }
        kinds
    });
    system.spawn(Consumer::new(0));
    system.run().unwrap();
    drop(system);
    let kinds = reader.join().unwrap();
    assert!(matches!(
        kinds.first(),
        Some(EventKind::ComponentAdded { .. })
    ));
    assert!(matches!(
        kinds.last(),
        Some(EventKind::ComponentEnded { .. })
    ));
}

/// Snapshots carry the system's time: `taken_at` follows the virtual clock, and `state_since`
/// says when each component entered its state.
#[test]
fn snapshots_say_when_they_were_taken_and_since_when_each_state_holds() {
    let mut system = System::deterministic();
    let listener = system.spawn(Listener {
        inbox: Inbox::new(),
    });
    system.run_until_idle();
    assert_eq!(system.snapshot().taken_at, Duration::ZERO);
    system.advance(Duration::from_millis(1500));
    let snap = system.snapshot();
    assert_eq!(snap.taken_at, Duration::from_millis(1500));
    assert_eq!(system.now(), Duration::from_millis(1500));
    let c = snap.component(listener).unwrap();
    assert!(matches!(c.state, ComponentState::Receiving { .. }));
    assert_eq!(c.state_since, Duration::ZERO);
}

/// A component blocked sending into a full inbox is reported once it has been blocked for the
/// threshold (on virtual time, exactly), not a moment before, naming its outbox and the full
/// inbox; a component waiting to receive is reported likewise.
#[test]
fn stalls_are_reported_after_the_threshold_and_not_before() {
    let mut system = System::deterministic();
    let jam = system.adopt_named("jam", Jam::new());
    let deaf = system.adopt_named(
        "deaf",
        Deaf {
            inbox: Inbox::with_capacity(2),
        },
    );
    let listener = system.adopt_named(
        "listener",
        Listener {
            inbox: Inbox::new(),
        },
    );
    axon::link(&jam.outbox, &deaf.inbox).unwrap();
    let (jam_id, deaf_id, listener_id) = (jam.id(), deaf.id(), listener.id());
    system.activate(jam);
    system.activate(deaf);
    system.activate(listener);
    system.run_until_idle();
    let threshold = Duration::from_secs(1);
    assert!(system.snapshot().stalls(threshold).is_empty());
    system.advance(Duration::from_millis(999));
    assert!(system.snapshot().stalls(threshold).is_empty());
    system.advance(Duration::from_millis(1));
    let stalls = system.snapshot().stalls(threshold);
    assert_eq!(stalls.len(), 2, "{stalls:#?}");
    assert_eq!(stalls[0].component, jam_id);
    assert_eq!(stalls[0].name, "jam");
    assert_eq!(stalls[0].blocked_for, threshold);
    assert_eq!(
        stalls[0].kind,
        StallKind::BlockedSending {
            outbox: "outbox".into(),
            to: Some(address(deaf_id, "inbox")),
        }
    );
    assert_eq!(
        stalls[0].to_string(),
        format!(
            "jam has been blocked sending on outbox into the full inbox {deaf_id}.inbox for 1s"
        )
    );
    assert_eq!(stalls[1].component, listener_id);
    assert_eq!(
        stalls[1].kind,
        StallKind::WaitingReceive {
            inbox: "inbox".into()
        }
    );
}

/// Three components each blocked sending into the full inbox of the next form a deadlock,
/// reported once, naming each component, the outbox it is stuck on and the inbox it feeds.
#[test]
fn a_cycle_of_three_blocked_senders_is_reported_as_a_deadlock() {
    let mut system = System::deterministic();
    let a = system.adopt_named("a", Jam::new());
    let b = system.adopt_named("b", Jam::new());
    let c = system.adopt_named("c", Jam::new());
    let d = system.adopt_named("d", Jam::new()); // blocked into the cycle, not part of it
    axon::link(&a.outbox, &b.inbox).unwrap();
    axon::link(&b.outbox, &c.inbox).unwrap();
    axon::link(&c.outbox, &a.inbox).unwrap();
    axon::link(&d.outbox, &a.inbox).unwrap();
    let ids = [a.id(), b.id(), c.id()];
    system.activate(c);
    system.activate(a);
    system.activate(b);
    system.activate(d);
    system.run_until_idle();
    let snap = system.snapshot();
    assert!(snap
        .components
        .iter()
        .all(|c| matches!(c.state, ComponentState::Sending { .. })));
    let deadlocks: Vec<Deadlock> = snap.deadlocks();
    assert_eq!(deadlocks.len(), 1, "{deadlocks:#?}");
    let steps: Vec<(ComponentId, &str, &str, BoxAddress)> = deadlocks[0]
        .cycle
        .iter()
        .map(|s| {
            (
                s.component,
                s.name.as_str(),
                s.outbox.as_str(),
                s.into.clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (ids[0], "a", "outbox", address(ids[1], "inbox")),
            (ids[1], "b", "outbox", address(ids[2], "inbox")),
            (ids[2], "c", "outbox", address(ids[0], "inbox")),
        ]
    );
    assert_eq!(
        deadlocks[0].to_string(),
        format!(
            "deadlock: a blocked sending outbox into {}.inbox, b blocked sending outbox into {}.inbox, c blocked sending outbox into {}.inbox (back to a)",
            ids[1], ids[2], ids[0]
        )
    );
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

thread_local! {
    static HOOK_RUNS: Cell<u32> = const { Cell::new(0) };
    static HOOK_LIVE: Cell<Option<usize>> = const { Cell::new(None) };
}

fn count_on_this_thread(system: &axon::SystemHandle) {
    HOOK_RUNS.with(|r| r.set(r.get() + 1));
    HOOK_LIVE.with(|l| l.set(Some(system.live())));
}

axon::system_hook!(count_on_this_thread);

/// A registered hook runs once for every system built, real or deterministic, on the building
/// thread, before anything is spawned.
#[test]
fn a_registered_hook_runs_once_when_each_system_is_built() {
    let before = HOOK_RUNS.with(Cell::get);
    let real = System::new();
    assert_eq!(HOOK_RUNS.with(Cell::get), before + 1);
    let handle = real.handle();
    assert!(handle.is_alive());
    drop(real);
    assert!(!handle.is_alive());
    let _det = System::deterministic();
    assert_eq!(HOOK_RUNS.with(Cell::get), before + 2);
    assert_eq!(HOOK_LIVE.with(Cell::get), Some(0));
}

/// The `tracing` integration (only with axon's `tracing` feature).
#[cfg(feature = "tracing")]
mod with_tracing {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    use super::*;

    /// What the test subscriber saw on one thread.
    #[derive(Default)]
    struct Seen {
        /// Span id → `name field=value ...`, for spans made on this thread.
        spans: HashMap<u64, String>,
        /// Entered spans, innermost last.
        stack: Vec<u64>,
        /// `innermost span | message field=value ...` per event.
        events: Vec<String>,
    }

    /// A minimal `tracing` subscriber that records spans and events as text, per thread.
    ///
    /// It is installed as the global default, once for this test binary: a scoped default
    /// (`with_default`) races with tests on other threads that register tracing's callsites
    /// while no subscriber listens there (tracing then caches "never" for the callsite). A
    /// deterministic system runs on its test's thread, so each test reads its own thread's record.
    #[derive(Default)]
    struct Recorder {
        seen: Mutex<HashMap<std::thread::ThreadId, Seen>>,
        span_names: Mutex<HashMap<u64, String>>,
        next: AtomicU64,
    }

    impl Recorder {
        fn with<R>(&self, f: impl FnOnce(&mut Seen) -> R) -> R {
            let mut seen = self.seen.lock().unwrap();
            f(seen.entry(std::thread::current().id()).or_default())
        }

        /// The recorder installed as the global default.
        fn global() -> &'static Recorder {
            static RECORDER: std::sync::OnceLock<&'static Recorder> = std::sync::OnceLock::new();
            RECORDER.get_or_init(|| {
                let recorder: &'static Recorder = Box::leak(Box::default());
                tracing::subscriber::set_global_default(Forward(recorder))
                    .expect("only this test sets a global subscriber");
                recorder
            })
        }
    }

    /// Hands everything to the leaked [`Recorder`].
    struct Forward(&'static Recorder);

    struct Fields(String);

    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                self.0.push_str(&format!(" {value:?}"));
            } else {
                self.0.push_str(&format!(" {}={value:?}", field.name()));
            }
        }
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            self.0.push_str(&format!(" {}={value}", field.name()));
        }
    }

    impl tracing::Subscriber for Forward {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            let id = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
            let mut fields = Fields(span.metadata().name().to_string());
            span.record(&mut fields);
            self.0
                .span_names
                .lock()
                .unwrap()
                .insert(id, fields.0.clone());
            self.0.with(|s| s.spans.insert(id, fields.0));
            tracing::span::Id::from_u64(id)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            let names = self.0.span_names.lock().unwrap();
            self.0.with(|s| {
                let span = s
                    .stack
                    .last()
                    .and_then(|id| names.get(id))
                    .cloned()
                    .unwrap_or_default();
                s.events.push(format!("{span} |{}", fields.0));
            });
        }
        fn enter(&self, span: &tracing::span::Id) {
            self.0.with(|s| s.stack.push(span.into_u64()));
        }
        fn exit(&self, _: &tracing::span::Id) {
            self.0.with(|s| s.stack.pop());
        }
    }

    /// Each component runs inside a span naming its id, name and type, and with DEBUG enabled each
    /// send and receive is an event inside the sender's or receiver's span, the message shown with
    /// Debug.
    #[test]
    fn tracing_sees_a_span_per_component_and_an_event_per_send_and_receive() {
        let recorder = Recorder::global();
        let mut system = System::deterministic();
        let producer = system.adopt_named("p", Producer::new(2));
        let consumer = system.adopt_named("c", Consumer::new(2));
        let (p, c) = (producer.id(), consumer.id());
        axon::link(&producer.outbox, &consumer.inbox).unwrap();
        system.activate(producer);
        system.activate(consumer);
        system.run().unwrap();
        let (spans, events) = recorder.with(|s| {
            let mut spans: Vec<String> = s.spans.values().cloned().collect();
            spans.sort();
            (spans, std::mem::take(&mut s.events))
        });
        let p_span = format!(
            "component id={} name=p type=introspection::Producer",
            p.get()
        );
        let c_span = format!(
            "component id={} name=c type=introspection::Consumer",
            c.get()
        );
        assert!(
            spans.contains(&p_span) && spans.contains(&c_span),
            "{spans:#?}"
        );
        let expected_send = format!("{p_span} | send outbox=p.outbox message=Reading {{ n: 1 }}");
        let expected_recv = format!("{c_span} | recv inbox=c.inbox count=1");
        assert!(events.contains(&expected_send), "{events:#?}");
        assert!(events.contains(&expected_recv), "{events:#?}");
        assert_eq!(events.iter().filter(|e| e.contains("| send")).count(), 2);
        assert_eq!(events.iter().filter(|e| e.contains("| recv")).count(), 2);
    }
}

/// Sends 0, 1, 2, … while watching `control` in the same `select!` (the send polled first, so
/// the inbox is the last box it waits on); a control message wakes it without unblocking the
/// send.
#[derive(Boxes)]
struct WatchfulJam {
    /// Control messages, noted and otherwise ignored.
    control: Inbox<axon::Control>,
    /// Numbers.
    outbox: Outbox<u64>,
}

impl Component for WatchfulJam {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut n = 0;
        loop {
            tokio::select! {
                biased;
                sent = self.outbox.send(n) => { sent?; n += 1; }
                c = self.control.recv() => { if c.is_none() { return Ok(()); } }
            }
        }
    }
}

/// A component blocked on a send while also watching its `control` inbox is reported as
/// sending (not receiving on `control`), and a control message that wakes it without freeing
/// room does not restart the time it has been blocked.
#[test]
fn a_send_blocked_while_watching_control_is_a_stall_whose_time_survives_wakeups() {
    let mut system = System::deterministic();
    let jam = system.adopt_named(
        "jam",
        WatchfulJam {
            control: Inbox::new(),
            outbox: Outbox::new(),
        },
    );
    let deaf = system.adopt_named(
        "deaf",
        Deaf {
            inbox: Inbox::with_capacity(2),
        },
    );
    axon::link(&jam.outbox, &deaf.inbox).unwrap();
    let mut poke = Outbox::new();
    axon::link(&poke, &jam.control).unwrap();
    let jam_id = jam.id();
    system.activate(jam);
    system.activate(deaf);
    system.run_until_idle();
    system.advance(Duration::from_millis(600));
    poke.try_send(axon::Control::ProducerFinished).unwrap();
    system.run_until_idle();
    system.advance(Duration::from_millis(400));
    let snapshot = system.snapshot();
    let state = &snapshot.component(jam_id).unwrap().state;
    assert_eq!(
        *state,
        ComponentState::Sending {
            outbox: "outbox".into()
        }
    );
    let stalls = snapshot.stalls(Duration::from_secs(1));
    assert_eq!(stalls.len(), 1, "{stalls:#?}");
    assert_eq!(stalls[0].component, jam_id);
    assert_eq!(stalls[0].blocked_for, Duration::from_secs(1));
}

/// Watches `control` first, then its inbox, ignoring what comes on `control`. `control` is
/// declared first too, so the model has to pass over it to name the data inbox.
#[derive(Boxes)]
struct ControlFirst {
    /// Looked at first; anything that comes is ignored.
    control: Inbox<axon::Control>,
    /// Numbers, taken and dropped.
    inbox: Inbox<u32>,
}

impl Component for ControlFirst {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                c = self.control.recv() => if c.is_none() { return Ok(()) },
                m = self.inbox.recv() => if m.is_none() { return Ok(()) },
            }
        }
    }
}

/// A component waiting on `control` and an inbox is shown receiving on the inbox. A receive
/// wait is counted from the end of the component's last poll, even a poll that brought nothing
/// for that inbox: the model learns waits from the boxes when someone looks, and an inbox does
/// not record when its reader began to wait (that would cost every receive a clock reading).
/// Blocked sends do keep their start (see the test above).
#[test]
fn a_receive_wait_is_shown_on_the_data_inbox_and_counted_from_the_last_poll() {
    let mut system = System::deterministic();
    let waiter = ControlFirst {
        inbox: Inbox::new(),
        control: Inbox::new(),
    };
    let mut poke = Outbox::new();
    axon::link(&poke, &waiter.control).unwrap();
    let id = system.spawn_named("waiter", waiter);
    system.run_until_idle();
    system.advance(Duration::from_secs(5));
    let before = system.snapshot();
    assert_eq!(before.stalls(Duration::from_secs(5)).len(), 1);
    poke.try_send(axon::Control::ProducerFinished).unwrap();
    system.run_until_idle();
    system.advance(Duration::from_secs(1));
    let snapshot = system.snapshot();
    let me = snapshot.component(id).unwrap();
    assert_eq!(
        me.state,
        ComponentState::Receiving {
            inbox: "inbox".into()
        }
    );
    assert_eq!(me.state_since, Duration::from_secs(5));
    let stalls = snapshot.stalls(Duration::from_secs(1));
    assert_eq!(stalls.len(), 1, "{stalls:#?}");
    assert_eq!(stalls[0].blocked_for, Duration::from_secs(1));
}

/// Keeps an outbox it never uses, and never ends.
#[derive(Boxes)]
struct Idle {
    /// Linked by the test, never sent on.
    outbox: Outbox<Reading>,
}

impl Component for Idle {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// A link from a live component into one that has ended is not shown: the ended component is
/// gone from the snapshot and its inboxes are closed, so the link leads nowhere (the links from
/// an ended component's outboxes go the same way).
#[test]
fn a_snapshot_leaves_out_links_into_a_component_that_has_ended() {
    let mut system = System::deterministic();
    let idle = Idle {
        outbox: Outbox::new(),
    };
    let consumer = Consumer::new(0);
    axon::link(&idle.outbox, &consumer.inbox).unwrap();
    let idle = system.spawn(idle);
    let consumer = system.spawn(consumer);
    let before = system.snapshot();
    assert_eq!(before.links.len(), 1, "{:?}", before.links);
    assert_eq!(before.links[0].from, address(idle, "outbox"));
    assert_eq!(before.links[0].to, address(consumer, "inbox"));

    system.run_until_idle();
    let after = system.snapshot();
    assert!(after.component(consumer).is_none());
    assert!(after.component(idle).is_some());
    assert_eq!(after.links, [], "no link into the ended consumer");
}

/// Tries to send one number, watching `control` meanwhile; when anything comes on `control` it
/// gives the send up and waits on its inbox for ever.
#[derive(Boxes)]
struct Impatient {
    /// Any message makes it give up the send.
    control: Inbox<axon::Control>,
    /// Waited on after giving up.
    inbox: Inbox<u32>,
    /// The number it tries to send.
    outbox: Outbox<u64>,
}

impl Component for Impatient {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        tokio::select! {
            biased;
            _ = self.control.recv() => {}
            sent = self.outbox.send(1) => sent?,
        }
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// A send that a component gave up on (the other branch of its `select!` won) is not shown as
/// blocked, although the full inbox still lists its waker: no false stall, no false deadlock.
#[test]
fn a_send_given_up_on_is_not_shown_as_blocked() {
    let mut system = System::deterministic();
    let impatient = Impatient {
        control: Inbox::new(),
        inbox: Inbox::new(),
        outbox: Outbox::new(),
    };
    let full = Inbox::<u64>::with_capacity(1);
    let mut filler = Outbox::new();
    axon::link(&filler, &full).unwrap();
    filler.try_send(0).unwrap();
    axon::link(&impatient.outbox, &full).unwrap();
    let mut poke = Outbox::new();
    axon::link(&poke, &impatient.control).unwrap();
    let id = system.spawn_named("impatient", impatient);
    system.run_until_idle();
    let sending = ComponentState::Sending {
        outbox: "outbox".into(),
    };
    assert_eq!(system.snapshot().component(id).unwrap().state, sending);
    poke.try_send(axon::Control::ProducerFinished).unwrap();
    system.run_until_idle();
    system.advance(Duration::from_secs(10));
    let snapshot = system.snapshot();
    assert_eq!(
        snapshot.component(id).unwrap().state,
        ComponentState::Receiving {
            inbox: "inbox".into()
        }
    );
    let stalls = snapshot.stalls(Duration::from_secs(5));
    assert!(
        stalls
            .iter()
            .all(|s| !matches!(s.kind, StallKind::BlockedSending { .. })),
        "{stalls:#?}"
    );
}
