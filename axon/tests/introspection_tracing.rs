//! The `tracing` integration (only with axon's `tracing` feature): a span per component and,
//! with DEBUG enabled, an event per send and receive.

#![cfg(feature = "tracing")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use axon::System;

mod common;
use common::{Consumer, Producer};

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
        "component id={} name=p type=introspection_tracing::common::Producer",
        p.get()
    );
    let c_span = format!(
        "component id={} name=c type=introspection_tracing::common::Consumer",
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
