//! The scheduler: when `run` returns, deterministic order and virtual time, what gets polled
//! when, batching of wake-ups, several scheduler threads, large systems and tokio timers.
//!
//! Ports these Kamaelia Axon unit-test behaviours (reference §6.2 `test_Scheduler`, semantics
//! §1.6):
//! * with no microprocesses the scheduler ends at once; with one or many it ends only after all
//!   have finished;
//! * a paused microprocess is not called again while others keep running, and waking one does
//!   not wake the others (here: a component waiting on an inbox is not polled until a message
//!   arrives; several wake-ups before it runs cost one poll);
//! * stepping the scheduler by hand never blocks when everything is waiting (`step`,
//!   `run_until_idle`);
//! * `listAllThreads` lists every activated microprocess, waiting or not (the snapshot, here
//!   through `RunError::Stalled`);
//! * round-robin order in activation/wake order (deterministic FIFO).
//!
//! Plus what the Rust design promises on top: identical event order on every deterministic run,
//! virtual time, stall detection instead of hanging, batched wake-ups, multi-threaded systems,
//! and §8.2's 10,000-component chain.
//!
//! Deliberately left out: `slowmo` (a debugging delay between cycles; there are no cycles to
//! delay), creating the singleton `scheduler.run` / `setSchedulerClass` (no process-wide
//! scheduler: each `System` owns its own), `pauseThread` / `wakeThread` on never-activated or
//! already-paused microprocesses and `isThreadPaused` (there is no pause/wake call to misuse:
//! waiting is awaiting), `immortalise` (panics are always contained, see `lifecycle.rs`), and
//! `runThreads` blocking briefly instead of busy-waiting (nothing here spins; not observable
//! without timing).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use axon::{
    Boxes, Component, ComponentState, Context, Control, Error, Inbox, Outbox, RunError, System,
};

type Log = Arc<Mutex<Vec<String>>>;
type Thread = Arc<Mutex<Option<std::thread::ThreadId>>>;

fn new_log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

fn push(log: &Log, line: impl Into<String>) {
    log.lock().unwrap().push(line.into());
}

/// Counts how often the scheduler polls the future it wraps.
struct CountPolls<F> {
    fut: Pin<Box<F>>,
    polls: Arc<AtomicUsize>,
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        self.fut.as_mut().poll(cx)
    }
}

/// Logs `name i` then yields, `turns` times; sleeps for `sleep`; logs `name end`.
#[derive(Boxes, Default)]
struct Turns {
    turns: usize,
    sleep: Duration,
    log: Log,
}

impl Turns {
    fn new(turns: usize, log: &Log) -> Self {
        let log = Arc::clone(log);
        Turns {
            turns,
            log,
            ..Turns::default()
        }
    }
}

impl Component for Turns {
    async fn run(self, ctx: Context) -> Result<(), Error> {
        for i in 0..self.turns {
            push(&self.log, format!("{}{i}", ctx.name()));
            axon::yield_now().await;
        }
        if !self.sleep.is_zero() {
            tokio::time::sleep(self.sleep).await;
        }
        push(&self.log, format!("{} end", ctx.name()));
        Ok(())
    }
}

/// `run` with no components returns at once, on every kind of system.
#[test]
fn run_with_no_components_returns_at_once() {
    System::deterministic().run().unwrap();
    System::new().run().unwrap();
    System::builder().threads(3).build().run().unwrap();
    let mut system = System::deterministic();
    assert_eq!(system.run_until_idle(), 0);
    assert!(!system.step());
}

/// `run` returns only once every component has finished, and leaves none behind.
#[test]
fn run_returns_only_after_every_component_has_finished() {
    let systems = [
        System::deterministic(),
        System::new(),
        System::builder().threads(2).build(),
    ];
    for mut system in systems {
        let log = new_log();
        for turns in 0..20 {
            let sleep = Duration::from_millis(1);
            let log = Arc::clone(&log);
            system.spawn_named(format!("w{turns}:"), Turns { turns, sleep, log });
        }
        system.run().unwrap();
        let ends = entries(&log).iter().filter(|l| l.ends_with("end")).count();
        assert_eq!(ends, 20, "{system:?}");
        assert_eq!(entries(&log).len(), 20 + (0..20).sum::<usize>());
        assert_eq!(system.live(), 0);
        assert!(system.snapshot().components.is_empty());
    }
}

/// Sends `from..to` with a pause of `gap` between messages, logging each send if it has a log;
/// notes the thread it ran on.
#[derive(Boxes, Default)]
struct Producer {
    /// Numbers.
    outbox: Outbox<u64>,
    from: u64,
    to: u64,
    gap: Duration,
    log: Option<Log>,
    thread: Thread,
}

impl Component for Producer {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        *self.thread.lock().unwrap() = Some(std::thread::current().id());
        for i in self.from..self.to {
            self.outbox.send(i).await?;
            if let Some(log) = &self.log {
                push(log, format!("{} sent {i}", ctx.name()));
            }
            if !self.gap.is_zero() {
                tokio::time::sleep(self.gap).await;
            }
        }
        Ok(())
    }
}

/// Receives `expect` numbers, logging each with the virtual time.
#[derive(Boxes)]
struct Consumer {
    /// Numbers.
    inbox: Inbox<u64>,
    expect: usize,
    log: Log,
}

impl Component for Consumer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let start = tokio::time::Instant::now();
        for _ in 0..self.expect {
            let n = self.inbox.recv().await.unwrap();
            push(&self.log, format!("got {n} at {:?}", start.elapsed()));
        }
        Ok(())
    }
}

/// Ticks `n` times every `every`, logging the virtual time of each tick.
#[derive(Boxes)]
struct Ticker {
    every: Duration,
    n: usize,
    log: Log,
}

impl Ticker {
    fn new(every: Duration, n: usize, log: &Log) -> Self {
        Ticker {
            every,
            n,
            log: Arc::clone(log),
        }
    }
}

impl Component for Ticker {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let start = tokio::time::Instant::now();
        let mut interval = tokio::time::interval(self.every);
        for k in 0..self.n {
            interval.tick().await;
            push(&self.log, format!("tick {k} at {:?}", start.elapsed()));
        }
        Ok(())
    }
}

/// Two producers (one paced by a timer) into a small consumer, plus a ticker.
fn busy_system(log: &Log) -> System {
    let system = System::deterministic();
    let consumer = system.adopt(Consumer {
        inbox: Inbox::with_capacity(3),
        expect: 30,
        log: Arc::clone(log),
    });
    for (from, to, gap) in [(0, 20, 0), (100, 110, 7)] {
        let (gap, log) = (Duration::from_millis(gap), Some(Arc::clone(log)));
        let producer = Producer {
            from,
            to,
            gap,
            log,
            ..Producer::default()
        };
        let producer = system.adopt(producer);
        axon::link(&producer.outbox, &consumer.inbox).unwrap();
        system.activate(producer);
    }
    system.activate(consumer);
    system.spawn(Ticker::new(Duration::from_millis(5), 10, log));
    system
}

/// A deterministic system gives exactly the same order of events on every run.
#[test]
fn deterministic_runs_give_the_same_event_order() {
    let runs: Vec<Vec<String>> = (0..3)
        .map(|_| {
            let log = new_log();
            busy_system(&log).run().unwrap();
            entries(&log)
        })
        .collect();
    assert_eq!(runs[0].len(), 70, "{:#?}", runs[0]);
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}

/// The event log of `turns_system` under FIFO round robin.
const FIFO: [&str; 9] = [
    "a0", "b0", "c0", "a1", "b end", "c1", "a2", "c end", "a end",
];

/// Components a (3 turns), b (1) and c (2), logging into `log`.
fn turns_system(log: &Log) -> System {
    let system = System::deterministic();
    for (name, turns) in [("a", 3), ("b", 1), ("c", 2)] {
        system.spawn_named(name, Turns::new(turns, log));
    }
    system
}

/// Deterministic scheduling is FIFO round robin: components run in activation order and one
/// that yields (or is woken) goes to the back of the queue.
#[test]
fn deterministic_scheduling_is_fifo_round_robin() {
    let log = new_log();
    turns_system(&log).run().unwrap();
    assert_eq!(entries(&log), FIFO);
}

/// Two deterministic systems stepped in lockstep on one thread do not disturb each other and
/// log the same events.
#[test]
fn deterministic_systems_stepped_in_lockstep_on_one_thread_are_independent() {
    let (log1, log2) = (new_log(), new_log());
    let (mut s1, mut s2) = (turns_system(&log1), turns_system(&log2));
    let mut steps = 0;
    loop {
        let (a, b) = (s1.step(), s2.step());
        assert_eq!(a, b, "systems diverged after {steps} steps");
        if !a {
            break;
        }
        steps += 1;
        assert!(steps < 100, "never went idle");
    }
    assert_eq!(entries(&log1), FIFO, "a system lost its queued components");
    assert_eq!(entries(&log2), FIFO);
    assert_eq!((s1.live(), s2.live()), (0, 0));
}

/// `step` polls exactly one runnable component, in FIFO order, and returns false (without
/// blocking) when none is runnable.
#[test]
fn step_polls_one_component_at_a_time() {
    let log = new_log();
    let mut system = turns_system(&log);
    let mut seen = Vec::new();
    for _ in 0..4 {
        assert!(system.step());
        seen.push(entries(&log).len());
    }
    assert_eq!(seen, [1, 2, 3, 4]);
    assert_eq!(entries(&log), FIFO[..4]);
    let mut more = 0;
    while system.step() {
        more += 1;
    }
    // Each component is polled once per turn plus once more to return: 4 + 2 + 3 polls.
    assert_eq!(more, 9 - 4);
    assert_eq!(system.live(), 0);
    assert!(!system.step());
}

/// Sleeps `n` times for `each`, logging `name: virtual time` after each sleep.
#[derive(Boxes)]
struct SleepLoop {
    each: Duration,
    n: usize,
    log: Log,
}

impl SleepLoop {
    fn new(each: Duration, n: usize, log: &Log) -> Self {
        SleepLoop {
            each,
            n,
            log: Arc::clone(log),
        }
    }
}

impl Component for SleepLoop {
    async fn run(self, ctx: Context) -> Result<(), Error> {
        let start = tokio::time::Instant::now();
        for _ in 0..self.n {
            tokio::time::sleep(self.each).await;
            push(&self.log, format!("{}: {:?}", ctx.name(), start.elapsed()));
        }
        Ok(())
    }
}

/// `run_until_idle` never moves virtual time (a sleeping component stays asleep however often
/// it is called); `advance` moves it and fires the tokio timers that fall due.
#[test]
fn run_until_idle_keeps_virtual_time_still_and_advance_fires_due_timers() {
    let mut system = System::deterministic();
    let log = new_log();
    system.spawn_named("sleeper", SleepLoop::new(Duration::from_secs(10), 1, &log));
    system.spawn(Ticker::new(Duration::from_secs(1), 4, &log));
    for _ in 0..5 {
        system.run_until_idle();
    }
    assert_eq!(entries(&log), ["tick 0 at 0ns"]);
    for _ in 0..3 {
        system.advance(Duration::from_secs(1));
    }
    let ticks = ["tick 1 at 1s", "tick 2 at 2s", "tick 3 at 3s"];
    assert_eq!(entries(&log)[1..], ticks);
    system.advance(Duration::from_secs(6));
    assert_eq!(entries(&log).len(), 4, "woke early: {:?}", entries(&log));
    system.advance(Duration::from_secs(1));
    assert_eq!(entries(&log)[4..], ["sleeper: 10s"]);
    assert_eq!(system.live(), 0);
}

/// `advance(d)` fires every timer that falls due within `d`, including timers set by wake-ups
/// earlier in the same interval: five one-second sleeps in a row all complete in
/// `advance(5 s)`, each at its own virtual time.
#[test]
fn advance_fires_timers_set_during_the_interval() {
    let mut system = System::deterministic();
    let log = new_log();
    system.spawn_named("s", SleepLoop::new(Duration::from_secs(1), 5, &log));
    system.run_until_idle();
    system.advance(Duration::from_secs(5));
    assert_eq!(entries(&log), ["s: 1s", "s: 2s", "s: 3s", "s: 4s", "s: 5s"]);
}

/// With virtual time, `run` completes a day of sleeps and timers without waiting for it.
#[test]
fn run_completes_hours_of_virtual_sleep_instantly() {
    let real = std::time::Instant::now();
    let mut system = System::deterministic();
    let log = new_log();
    let hour = Duration::from_secs(3600);
    system.spawn_named("nap", SleepLoop::new(5 * hour, 1, &log));
    system.spawn_named("day", SleepLoop::new(hour, 24, &log));
    system.run().unwrap();
    let log = entries(&log);
    assert!(log.contains(&"nap: 18000s".to_string()), "{log:?}");
    assert_eq!(log.last().unwrap(), "day: 86400s");
    assert_eq!(log.len(), 1 + 24);
    // Hours of virtual time must not take hours; a minute is a generous bound.
    assert!(real.elapsed() < Duration::from_secs(60));
}

/// Waits for one message, then sends one.
#[derive(Boxes, Default)]
struct Echo {
    /// Waited on first.
    inbox: Inbox<u32>,
    /// Sent to after.
    outbox: Outbox<u32>,
}

impl Component for Echo {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let n = self.inbox.recv().await.unwrap_or_default();
        self.outbox.send(n).await?;
        Ok(())
    }
}

/// `run` in deterministic mode returns `RunError::Stalled` naming every component still live
/// and what it waits on, when two components wait on each other, and its message names them.
#[test]
fn run_reports_a_stall_naming_the_components_waiting_on_each_other() {
    let mut system = System::deterministic();
    let alice = system.adopt_named("alice", Echo::default());
    let bob = system.adopt_named("bob", Echo::default());
    axon::link(&alice.outbox, &bob.inbox).unwrap();
    axon::link(&bob.outbox, &alice.inbox).unwrap();
    system.activate(alice);
    system.activate(bob);
    system.spawn_named("bystander", Turns::new(2, &new_log()));
    let err = system.run().unwrap_err();
    let waiting_on_inbox = ComponentState::Receiving {
        inbox: "inbox".into(),
    };
    let RunError::Stalled { waiting } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        waiting,
        &[
            ("alice".to_string(), waiting_on_inbox.clone()),
            ("bob".to_string(), waiting_on_inbox)
        ]
    );
    let text = err.to_string();
    assert!(text.contains("stalled"), "{text}");
    assert!(text.contains("alice") && text.contains("bob"), "{text}");
    assert!(!text.contains("bystander"), "{text}");
}

/// Waits on two inboxes, counting every poll; ends on 0.
#[derive(Boxes, Default)]
struct Watcher {
    /// One source of wake-ups.
    inbox: Inbox<u32>,
    /// Another.
    control: Inbox<Control>,
    #[boxes(skip)]
    polls: Arc<AtomicUsize>,
    #[boxes(skip)]
    got: Arc<AtomicUsize>,
}

impl Component for Watcher {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let polls = Arc::clone(&self.polls);
        let body = async move {
            loop {
                tokio::select! {
                    biased;
                    Some(_) = self.control.recv() => self.got.fetch_add(1, Ordering::SeqCst),
                    Some(n) = self.inbox.recv() => {
                        if n == 0 { return; }
                        self.got.fetch_add(1, Ordering::SeqCst)
                    }
                };
                while let Ok(n) = self.inbox.try_recv() {
                    if n == 0 {
                        return;
                    }
                    self.got.fetch_add(1, Ordering::SeqCst);
                }
            }
        };
        CountPolls {
            fut: Box::pin(body),
            polls,
        }
        .await;
        Ok(())
    }
}

/// A component waiting for a message is not polled again until something wakes it; wake-ups
/// that pile up before it runs cost one poll; waking one waiting component leaves the others
/// alone.
#[test]
fn a_waiting_component_is_polled_only_when_woken() {
    let mut system = System::deterministic();
    let (w1, w2) = (Watcher::default(), Watcher::default());
    let (polls1, polls2, got1) = (w1.polls.clone(), w2.polls.clone(), w1.got.clone());
    let (mut data, mut ctl, mut other) = (Outbox::new(), Outbox::new(), Outbox::new());
    axon::link(&data, &w1.inbox).unwrap();
    axon::link(&ctl, &w1.control).unwrap();
    axon::link(&other, &w2.inbox).unwrap();
    system.spawn(w1);
    system.spawn(w2);
    system.spawn(Turns::new(100, &new_log()));
    system.run_until_idle();
    let polls = || (polls1.load(Ordering::SeqCst), polls2.load(Ordering::SeqCst));
    assert_eq!(polls(), (1, 1), "polled while waiting");
    system.run_until_idle();
    assert_eq!(polls(), (1, 1));

    // Wake-ups from two boxes and ten messages before it runs: one poll takes them all.
    for i in 1..=10 {
        data.try_send(i).unwrap();
    }
    ctl.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(
        polls(),
        (2, 1),
        "the other watcher was woken too, or extra polls"
    );
    assert_eq!(got1.load(Ordering::SeqCst), 11);

    data.try_send(0).unwrap();
    other.try_send(0).unwrap();
    system.run().unwrap();
    assert_eq!(polls(), (3, 2));
}

/// Adds up `expect` numbers, counting loop turns that found its inbox empty (each one is a
/// wake-up to come); notes the thread it ran on.
#[derive(Boxes, Default)]
struct Counter {
    /// Numbers.
    inbox: Inbox<u64>,
    expect: u64,
    wakeups: Arc<AtomicUsize>,
    sum: Arc<AtomicU64>,
    thread: Thread,
}

impl Counter {
    fn new(capacity: usize, expect: u64) -> Self {
        let inbox = Inbox::with_capacity(capacity);
        Counter {
            inbox,
            expect,
            ..Counter::default()
        }
    }
}

impl Component for Counter {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        *self.thread.lock().unwrap() = Some(std::thread::current().id());
        let (mut seen, mut sum) = (0, 0);
        while seen < self.expect {
            let n = match self.inbox.try_recv() {
                Ok(n) => n,
                Err(_) => {
                    self.wakeups.fetch_add(1, Ordering::SeqCst);
                    self.inbox.recv().await.unwrap()
                }
            };
            seen += 1;
            sum += n;
        }
        self.sum.store(sum, Ordering::SeqCst);
        Ok(())
    }
}

/// Links `Producer(1..=n)` into `counter` and activates both; returns the producer's thread.
fn feed(system: &System, counter: Counter, n: u64) -> Thread {
    let counter = system.adopt(counter);
    let producer = Producer {
        from: 1,
        to: n + 1,
        ..Producer::default()
    };
    let producer = system.adopt(producer);
    let thread = Arc::clone(&producer.thread);
    axon::link(&producer.outbox, &counter.inbox).unwrap();
    system.activate(counter);
    system.activate(producer);
    thread
}

/// Wake-ups are batched: 1000 messages into a consumer whose inbox holds 128 cost that
/// consumer a handful of wake-ups, not one per message.
#[test]
fn wake_ups_are_batched() {
    for mut system in [System::deterministic(), System::new()] {
        let counter = Counter::new(128, 1000);
        let (wakeups, sum) = (Arc::clone(&counter.wakeups), Arc::clone(&counter.sum));
        feed(&system, counter, 1000);
        system.run().unwrap();
        assert_eq!(sum.load(Ordering::SeqCst), 500_500);
        let wakeups = wakeups.load(Ordering::SeqCst);
        let msg = format!("{wakeups} wake-ups for 1000 messages");
        assert!((1..=20).contains(&wakeups), "{msg}");
    }
}

/// A system with two scheduler threads runs a producer and a consumer placed on different
/// threads to completion, with the right sum.
#[test]
fn a_two_thread_system_runs_a_pipeline_to_completion() {
    const N: u64 = 100_000;
    let mut system = System::builder().threads(2).build();
    assert_eq!(system.threads(), 2);
    let counter = Counter::new(128, N);
    let (sum, consumer) = (Arc::clone(&counter.sum), Arc::clone(&counter.thread));
    let producer = feed(&system, counter, N);
    system.run().unwrap();
    assert_eq!(sum.load(Ordering::SeqCst), N * (N + 1) / 2);
    let threads = [producer, consumer].map(|t| t.lock().unwrap().unwrap());
    assert_ne!(
        threads[0], threads[1],
        "placed round robin: different threads"
    );
}

/// Adds one to what passes; on control, drains, passes the control on and ends.
#[derive(Boxes, Default)]
struct Relay {
    /// Numbers.
    inbox: Inbox<u64>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Numbers plus one.
    outbox: Outbox<u64>,
    /// The control message, passed on.
    signal: Outbox<Control>,
}

impl Component for Relay {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    while let Ok(n) = self.inbox.try_recv() {
                        self.outbox.send(n + 1).await?;
                    }
                    self.signal.send(c).await?;
                    return Ok(());
                }
                Some(n) = self.inbox.recv() => self.outbox.send(n + 1).await?,
            }
        }
    }
}

/// A chain of 10,000 components on a real system is created, carries one message end to end
/// and shuts down completely.
#[test]
fn a_chain_of_ten_thousand_components_carries_a_message_and_shuts_down() {
    const N: usize = 10_000;
    let mut system = System::new();
    let relays: Vec<_> = (0..N).map(|_| system.adopt(Relay::default())).collect();
    let (mut feed, mut stop) = (Outbox::new(), Outbox::new());
    let (mut result, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&feed, &relays[0].inbox).unwrap();
    axon::link(&stop, &relays[0].control).unwrap();
    for w in relays.windows(2) {
        axon::link(&w[0].outbox, &w[1].inbox).unwrap();
        axon::link(&w[0].signal, &w[1].control).unwrap();
    }
    axon::link(&relays[N - 1].outbox, &result).unwrap();
    axon::link(&relays[N - 1].signal, &signal).unwrap();
    for r in relays {
        system.activate(r);
    }
    assert_eq!(system.live(), N);
    feed.try_send(0).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(result.try_recv(), Ok(N as u64));
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
    assert_eq!(system.live(), 0);
    assert!(system.snapshot().components.is_empty());
}

/// Uses a tokio sleep, an interval and a timeout, and reports what happened.
#[derive(Boxes, Default)]
struct Timers {
    /// Never receives anything: the timeout must fire.
    inbox: Inbox<u32>,
    /// One line per timer.
    outbox: Outbox<String>,
}

impl Component for Timers {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let start = tokio::time::Instant::now();
        tokio::time::sleep(Duration::from_millis(1)).await;
        let slept = start.elapsed() >= Duration::from_millis(1);
        self.outbox.send(format!("slept {slept}")).await?;
        let mut interval = tokio::time::interval(Duration::from_millis(1));
        for _ in 0..3 {
            interval.tick().await;
        }
        let ticked = start.elapsed() >= Duration::from_millis(3);
        self.outbox.send(format!("ticked {ticked}")).await?;
        let waited = tokio::time::timeout(Duration::from_millis(1), self.inbox.recv()).await;
        self.outbox
            .send(format!("timed out {}", waited.is_err()))
            .await?;
        Ok(())
    }
}

/// tokio timers (sleep, interval, timeout) work inside components on real systems.
#[test]
fn tokio_timers_work_inside_components_on_a_real_system() {
    for mut system in [System::new(), System::builder().threads(2).build()] {
        let mut results = Inbox::new();
        for _ in 0..4 {
            let timers = system.adopt(Timers::default());
            axon::link(&timers.outbox, &results).unwrap(); // many-to-one
            system.activate(timers);
        }
        system.run().unwrap();
        let mut got = Vec::new();
        results.recv_many(&mut got, usize::MAX);
        got.sort();
        let want = ["slept true", "ticked true", "timed out true"].map(|s| [s; 4]);
        assert_eq!(got, want.concat());
    }
}

/// A component that never has to wait (an unbounded destination) still yields after its
/// per-poll budget, so `step()` returns and the other components on the thread get their turn.
#[test]
fn a_component_that_never_waits_still_yields_to_the_others() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[derive(Boxes)]
    struct Hog {
        /// Endless output.
        outbox: Outbox<u64>,
    }
    impl Component for Hog {
        async fn run(mut self, _ctx: Context) -> Result<(), Error> {
            loop {
                self.outbox.send(1).await?;
            }
        }
    }
    #[derive(Boxes)]
    struct Counter {
        ran: Arc<AtomicUsize>,
    }
    impl Component for Counter {
        async fn run(self, _ctx: Context) -> Result<(), Error> {
            self.ran.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    let mut system = System::deterministic();
    let hog = Hog {
        outbox: Outbox::new(),
    };
    let sink: Inbox<u64> = Inbox::unbounded();
    axon::link(&hog.outbox, &sink).unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    system.spawn(hog);
    system.spawn(Counter { ran: ran.clone() });
    assert!(system.step(), "the hog's first poll returns");
    assert!(system.step(), "the counter gets its turn");
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert!(
        !sink.is_empty() && sink.len() < 10_000,
        "the hog yielded after a bounded number of sends: {}",
        sink.len()
    );
    // Dropping the system cancels the hog (it never ends by itself).
    drop(system);
}

/// Wakes itself for ever without waiting for anything.
#[derive(Boxes, Default)]
struct Spinner {
    /// Never read.
    inbox: Inbox<u8>,
}

impl Component for Spinner {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::task::yield_now().await;
        }
    }
}

/// A component that keeps waking itself would keep `run_until_idle` busy for ever; after the
/// busy-poll limit it panics instead, naming the component, so the test fails rather than
/// hangs. A component waiting on its inbox is not named.
#[test]
fn run_until_idle_reports_a_component_that_never_stops_waking_itself() {
    let mut system = System::deterministic();
    system.set_busy_poll_limit(10_000);
    system.spawn_named("listener", Listener::default());
    system.spawn_named("spinner", Spinner::default());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        system.run_until_idle();
    }))
    .expect_err("a system that never becomes idle is reported");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("still busy after 10000 polls"),
        "{message}"
    );
    assert!(
        message.contains("not waiting on a box: spinner"),
        "{message}"
    );
    assert!(!message.contains("listener"), "{message}");
}

/// Waits on its inbox until it closes.
#[derive(Boxes, Default)]
struct Listener {
    /// Anything.
    inbox: Inbox<u8>,
}

impl Component for Listener {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}
