//! Helpers shared by the integration tests (`mod common;` in each test file). Cargo does not
//! build `tests/common/mod.rs` as a test target of its own.
//!
//! Each test target uses only some of these, hence `dead_code` is allowed for the module.
#![allow(dead_code)]

pub(crate) mod flow;
pub(crate) mod framing;
pub(crate) mod http;
pub(crate) mod sources;
pub(crate) mod supervisor;
pub(crate) mod tcp;
pub(crate) mod transforms;

use std::sync::{Arc, Mutex};

use axon::{
    next_event, Boxes, Component, ComponentId, Context, Control, Error, Event, Inbox, Outbox,
    System,
};
use kamaelia::Stage;

// ---------------------------------------------------------------------------------------------
// Reading boxes and the system

/// Feeds `items`, then `ProducerFinished`, to `stage` while the receiver of its outbox has room
/// for one output and takes nothing; checks that it is still running (waiting for room) with
/// nothing on `signal`, and that a `Shutdown` then ends it at once and is passed on — a
/// receiver that takes nothing must not hide a stop.
pub(crate) fn stops_on_shutdown_while_waiting_for_room<S: Stage>(
    stage: S,
    items: impl IntoIterator<Item = S::In>,
) {
    let mut system = System::deterministic();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (full, mut signal) = (Inbox::<S::Out>::with_capacity(1), Inbox::new());
    axon::link(&input, stage.inbox()).unwrap();
    axon::link(&stop, stage.control()).unwrap();
    axon::link(stage.outbox(), &full).unwrap();
    axon::link(stage.signal(), &signal).unwrap();
    let id = system.spawn(stage);
    for item in items {
        assert!(input.try_send(item).is_ok(), "cannot queue an item");
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(
        system.snapshot().component(id).is_some(),
        "still waiting for room"
    );
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(full.len(), 1);
}

/// Spawns `stage` (named `name`) with its outbox linked to a component that has already ended,
/// feeds it `items` and, if it is still running then, `ProducerFinished`; checks that it fails
/// with an error naming it and its outbox, and that it said the same, as `Failed`, on `signal`
/// first — whatever listens there must learn that it ended and why.
pub(crate) fn fails_saying_so_when_its_receiver_has_ended<S: Stage>(
    name: &str,
    stage: S,
    items: impl IntoIterator<Item = S::In>,
) {
    let mut system = System::deterministic();
    let ended = kamaelia::util::sources::NullSink::<S::Out>::new();
    let mut stop_ended = Outbox::new();
    axon::link(&stop_ended, &ended.control).unwrap();
    axon::link(stage.outbox(), &ended.inbox).unwrap();
    stop_ended.try_send(Control::Shutdown).unwrap();
    system.spawn(ended);
    system.run_until_idle();
    let (mut input, mut stop, mut signal) = (Outbox::new(), Outbox::new(), Inbox::unbounded());
    axon::link(&input, stage.inbox()).unwrap();
    axon::link(&stop, stage.control()).unwrap();
    axon::link(stage.signal(), &signal).unwrap();
    let id = system.spawn_named(name, stage);
    for item in items {
        assert!(input.try_send(item).is_ok(), "cannot queue an item");
    }
    system.run_until_idle();
    if system.snapshot().component(id).is_some() {
        stop.try_send(Control::ProducerFinished).unwrap();
    }
    system.run().unwrap();
    failed_saying_so(&system, &mut signal, &[name, "outbox"]);
}

/// Checks that the system's only failure mentions each of `parts`, and that the component
/// said the same, as `Failed`, on `signal` (its one message there).
pub(crate) fn failed_saying_so(system: &System, signal: &mut Inbox<Control>, parts: &[&str]) {
    let what = only_failure(system);
    assert!(parts.iter().all(|p| what.contains(p)), "{what}");
    let said = drain(signal);
    assert_eq!(said.len(), 1, "{said:?}");
    let reason = said[0].failure().expect("Failed on signal");
    assert!(what.ends_with(reason), "{what} / {reason}");
}

/// Everything waiting in `inbox`, in order.
pub(crate) fn drain<T: Send + 'static>(inbox: &mut Inbox<T>) -> Vec<T> {
    std::iter::from_fn(|| inbox.try_recv().ok()).collect()
}

/// The one failure the system remembers, as text.
pub(crate) fn only_failure(system: &System) -> String {
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "failures: {failures:?}");
    failures[0].what.clone()
}

/// What the failure of the component named `name` says; panics if it did not fail.
pub(crate) fn failure_of(system: &System, name: &str) -> String {
    let failures = system.failures();
    let f = failures
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} failed"));
    f.what.clone()
}

/// The name of the `n`th child (from 0, in the order adopted) of the component `parent`.
pub(crate) fn nth_child_name(system: &System, parent: ComponentId, n: usize) -> String {
    let mut children: Vec<_> = system
        .snapshot()
        .components
        .into_iter()
        .filter(|c| c.parent == Some(parent))
        .collect();
    children.sort_by_key(|c| c.id);
    children[n].name.clone()
}

/// Whether a component of that name is still running.
pub(crate) fn is_live(system: &System, name: &str) -> bool {
    system.snapshot().components.iter().any(|c| c.name == name)
}

/// Owned copies of `v`.
pub(crate) fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// A stage wired to the test

/// A stage wired to test boxes: feed `input`, stop with `control`, collect `output` and
/// `signal` (collectors are unbounded, so the stage never waits for the test).
pub(crate) struct Harness<S: Stage> {
    pub(crate) input: Outbox<S::In>,
    pub(crate) control: Outbox<Control>,
    pub(crate) output: Inbox<S::Out>,
    pub(crate) signal: Inbox<Control>,
}

/// Wires `stage` to a fresh [`Harness`] and spawns it on `system`.
pub(crate) fn harness<S: Stage>(system: &System, stage: S) -> Harness<S> {
    let h = Harness {
        input: Outbox::new(),
        control: Outbox::new(),
        output: Inbox::unbounded(),
        signal: Inbox::unbounded(),
    };
    axon::link(&h.input, stage.inbox()).unwrap();
    axon::link(&h.control, stage.control()).unwrap();
    axon::link(stage.outbox(), &h.output).unwrap();
    axon::link(stage.signal(), &h.signal).unwrap();
    system.spawn(stage);
    h
}

/// Collects everything a stage's outbox and signal send.
pub(crate) struct Taps<T> {
    pub(crate) outbox: Inbox<T>,
    pub(crate) signal: Inbox<Control>,
}

impl<T: Send + 'static> Taps<T> {
    pub(crate) fn all(&mut self) -> Vec<T> {
        drain(&mut self.outbox)
    }
    pub(crate) fn signals(&mut self) -> Vec<Control> {
        drain(&mut self.signal)
    }
}

/// Taps on `stage`'s outbox and signal.
pub(crate) fn tap<S: Stage>(stage: &S) -> Taps<S::Out> {
    let t = Taps {
        outbox: Inbox::new(),
        signal: Inbox::new(),
    };
    axon::link(stage.outbox(), &t.outbox).unwrap();
    axon::link(stage.signal(), &t.signal).unwrap();
    t
}

/// Outboxes feeding a stage's inbox and control.
pub(crate) struct Feed<T> {
    pub(crate) inbox: Outbox<T>,
    pub(crate) control: Outbox<Control>,
}

/// Outboxes linked to `stage`'s inbox and control.
pub(crate) fn feed<S: Stage>(stage: &S) -> Feed<S::In> {
    let f = Feed {
        inbox: Outbox::new(),
        control: Outbox::new(),
    };
    axon::link(&f.inbox, stage.inbox()).unwrap();
    axon::link(&f.control, stage.control()).unwrap();
    f
}

/// The test's connections to all four of a stage's standard boxes.
pub(crate) struct Ends<I, O> {
    pub(crate) inbox: Outbox<I>,
    pub(crate) control: Outbox<Control>,
    pub(crate) outbox: Inbox<O>,
    pub(crate) signal: Inbox<Control>,
}

impl<I: Send + 'static, O: Send + 'static> Ends<I, O> {
    pub(crate) fn all(&mut self) -> Vec<O> {
        drain(&mut self.outbox)
    }
    pub(crate) fn signals(&mut self) -> Vec<Control> {
        drain(&mut self.signal)
    }
}

/// [`feed`] and [`tap`] together.
pub(crate) fn ends<S: Stage>(stage: &S) -> Ends<S::In, S::Out> {
    let Feed { inbox, control } = feed(stage);
    let Taps { outbox, signal } = tap(stage);
    Ends {
        inbox,
        control,
        outbox,
        signal,
    }
}

// ---------------------------------------------------------------------------------------------
// Chassis children: a puppet the test drives, and a mapping stage

/// What the children did, in order, as text ("A started", "A got 1", "A control Shutdown").
pub(crate) type Log = Arc<Mutex<Vec<String>>>;

pub(crate) fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// The entries that contain `part`.
pub(crate) fn entries_with(log: &Log, part: &str) -> Vec<String> {
    entries(log)
        .into_iter()
        .filter(|e| e.contains(part))
        .collect()
}

/// What the child `who` recorded after starting.
pub(crate) fn entries_of(log: &Log, who: &str) -> Vec<String> {
    entries(log)
        .into_iter()
        .filter(|e| e.starts_with(&format!("{who} ")) && !e.ends_with("started"))
        .collect()
}

/// A child driven by the test: it records what reaches its `inbox` and `control`, sends what it
/// is told to on `outbox` and `signal`, ends on `Shutdown` or when told, and fails when told.
#[derive(Boxes)]
pub(crate) struct Puppet {
    /// Recorded.
    pub(crate) inbox: Inbox<u32>,
    /// Recorded; `Shutdown` ends it.
    pub(crate) control: Inbox<Control>,
    /// What arrives on `say`.
    pub(crate) outbox: Outbox<u32>,
    /// What arrives on `say_signal`.
    pub(crate) signal: Outbox<Control>,
    /// Numbers to send on `outbox`.
    pub(crate) say: Inbox<u32>,
    /// Messages to send on `signal`.
    pub(crate) say_signal: Inbox<Control>,
    /// `Ok` ends it, `Err` fails it.
    pub(crate) end: Inbox<Result<(), String>>,
    #[boxes(skip)]
    name: &'static str,
    #[boxes(skip)]
    log: Log,
}

/// The test's end of a puppet's strings.
pub(crate) struct Strings {
    pub(crate) say: Outbox<u32>,
    pub(crate) say_signal: Outbox<Control>,
    pub(crate) end: Outbox<Result<(), String>>,
}

pub(crate) fn puppet(name: &'static str, log: &Log) -> (Puppet, Strings) {
    let p = Puppet {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        say: Inbox::new(),
        say_signal: Inbox::new(),
        end: Inbox::new(),
        name,
        log: Arc::clone(log),
    };
    let s = Strings {
        say: Outbox::new(),
        say_signal: Outbox::new(),
        end: Outbox::new(),
    };
    axon::link(&s.say, &p.say).unwrap();
    axon::link(&s.say_signal, &p.say_signal).unwrap();
    axon::link(&s.end, &p.end).unwrap();
    (p, s)
}

impl Component for Puppet {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        let log = |s: String| self.log.lock().unwrap().push(s);
        log(format!("{} started", self.name));
        loop {
            tokio::select! {
                biased;
                Some(end) = self.end.recv() => return end.map_err(Error::msg),
                Some(c) = self.control.recv() => {
                    log(format!("{} control {c:?}", self.name));
                    if c == Control::Shutdown {
                        return Ok(());
                    }
                }
                Some(m) = self.inbox.recv() => log(format!("{} got {m}", self.name)),
                Some(m) = self.say.recv() => self.outbox.send(m).await?,
                Some(c) = self.say_signal.recv() => self.signal.send(c).await?,
            }
        }
    }
}
kamaelia::impl_stage!([] Puppet, u32 => u32);

/// Applies a function; follows the control convention.
#[derive(Boxes)]
pub(crate) struct Map<A: Send + 'static, B: Send + 'static> {
    /// Input.
    pub(crate) inbox: Inbox<A>,
    /// Stop requests.
    pub(crate) control: Inbox<Control>,
    /// Results.
    pub(crate) outbox: Outbox<B>,
    /// The stop request, passed on.
    pub(crate) signal: Outbox<Control>,
    #[boxes(skip)]
    f: fn(A) -> B,
}

pub(crate) fn map<A: Send + 'static, B: Send + 'static>(f: fn(A) -> B) -> Map<A, B> {
    Map {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        f,
    }
}

impl<A: Send + 'static, B: Send + 'static> Component for Map<A, B> {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(n) => self.outbox.send((self.f)(n)).await?,
                Event::Control(c) => {
                    if c.is_producer_finished() {
                        while let Ok(n) = self.inbox.try_recv() {
                            self.outbox.send((self.f)(n)).await?;
                        }
                    }
                    self.signal.send(c).await?;
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([A: Send + 'static, B: Send + 'static] Map<A, B>, A => B);
