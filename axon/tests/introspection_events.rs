//! Change events from the live model (`axon::model`): what a subscription reports and in what
//! order, what it does when full, that nothing is made without subscribers, and a blocking reader.
//!
//! Kamaelia's `Introspector` streamed `ADD NODE` / `ADD LINK` lines by diffing the scheduler's
//! state; these tests state what replaces it: an event stream that is bounded and lossy (it
//! never slows the system), costs nothing without subscribers, and carries the system's own
//! (virtual, in tests) time. Every test but the blocking reader's (which needs a second thread)
//! runs `System::deterministic()`, so each observation is made where nothing else can happen and
//! times are exact.

use std::collections::HashMap;
use std::time::Duration;

use axon::model::{BoxAddress, EventKind};
use axon::{ComponentId, System};

mod common;
use common::{Consumer, Producer};

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
