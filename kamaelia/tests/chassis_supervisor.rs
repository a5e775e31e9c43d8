//! Tests of the `Supervisor` chassis, on a deterministic system with virtual time.
//!
//! Every worker records when each incarnation starts and ends in a shared log, so the tests can
//! check which children were restarted, in which order, when, and that no two incarnations of a
//! child ever overlapped. Failures are triggered from the test through a watch channel that every
//! incarnation subscribes to when it is made.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Exit, Inbox, Outbox, System};
use common::strings;
use kamaelia::chassis::supervisor::{Backoff, Restart, Strategy, Supervisor};
use tokio::sync::watch;
use tokio::time::Instant;

/// What a triggered worker does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Fail,
    Panic,
    Finish,
}

type Trigger = Option<(&'static str, Act)>;
type Log = Arc<Mutex<Vec<(String, Instant)>>>;

fn record(log: &Log, what: String) {
    log.lock().unwrap().push((what, Instant::now()));
}

/// How one incarnation of a worker behaves.
#[derive(Debug, Clone, Copy, Default)]
struct Opts {
    /// Fail as soon as it starts.
    fail_at_start: bool,
    /// Take this long to stop after a control message.
    slow_stop: Option<Duration>,
    /// Ignore `Shutdown`.
    stubborn: bool,
    /// Never read the inbox (except to drain it on `ProducerFinished`).
    deaf: bool,
}

/// Options for incarnation `n` of a worker that does not read its inbox the first time.
fn deaf_at_first(n: u32) -> Opts {
    Opts {
        deaf: n == 1,
        ..Opts::default()
    }
}

/// Logs `end <name>` however the worker ends (a panic included).
struct EndLog(&'static str, Log);

impl Drop for EndLog {
    fn drop(&mut self) {
        record(&self.1, format!("end {}", self.0));
    }
}

/// Tags each number with its name; fails on 0; fails, panics or finishes when triggered.
#[derive(Boxes)]
struct Worker {
    /// Numbers.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// `name:number`.
    outbox: Outbox<String>,
    /// The control message that stopped it.
    signal: Outbox<Control>,
    #[boxes(skip)]
    name: &'static str,
    #[boxes(skip)]
    log: Log,
    #[boxes(skip)]
    trigger: watch::Receiver<Trigger>,
    #[boxes(skip)]
    opts: Opts,
}

impl Worker {
    /// Sends `name:n`; fails on 0.
    async fn handle(&mut self, n: u32) -> Result<(), Error> {
        if n == 0 {
            return Err(Error::msg(format!("{} got the poisoned 0", self.name)));
        }
        self.outbox.send(format!("{}:{n}", self.name)).await?;
        Ok(())
    }
}

impl Component for Worker {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        record(&self.log, format!("start {}", self.name));
        let _end = EndLog(self.name, Arc::clone(&self.log));
        if self.opts.fail_at_start {
            return Err(Error::msg(format!("{} cannot start", self.name)));
        }
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    if c == Control::Shutdown && self.opts.stubborn {
                        continue;
                    }
                    if c.is_producer_finished() {
                        while let Ok(n) = self.inbox.try_recv() {
                            self.handle(n).await?;
                        }
                    }
                    if let Some(d) = self.opts.slow_stop {
                        tokio::time::sleep(d).await;
                    }
                    self.signal.send(c).await?;
                    return Ok(());
                }
                Ok(()) = self.trigger.changed() => {
                    let t = *self.trigger.borrow_and_update();
                    match t {
                        Some((who, Act::Fail)) if who == self.name => {
                            return Err(Error::msg(format!("{} was told to fail", self.name)));
                        }
                        Some((who, Act::Panic)) if who == self.name => {
                            panic!("{} was told to panic", self.name);
                        }
                        Some((who, Act::Finish)) if who == self.name => {
                            self.signal.send(Control::ProducerFinished).await?;
                            return Ok(());
                        }
                        _ => {}
                    }
                }
                Some(n) = self.inbox.recv(), if !self.opts.deaf => self.handle(n).await?,
            }
        }
    }
}

kamaelia::impl_stage!([] Worker, u32 => String);

/// Runs a component as its only child and records how that child ended.
#[derive(Boxes)]
struct Parent<C: Component> {
    #[boxes(skip)]
    child: Option<C>,
    #[boxes(skip)]
    result: Arc<Mutex<Option<String>>>,
}

impl<C: Component> Component for Parent<C> {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        if let Some(c) = self.child.take() {
            ctx.spawn(c);
        }
        if let Some(exit) = ctx.next_child_exit().await {
            *self.result.lock().unwrap() = Some(match exit.exit {
                Exit::Finished => "finished".to_string(),
                Exit::Failed(e) => format!("failed: {e}"),
                Exit::Panicked(m) => format!("panicked: {m}"),
                Exit::Cancelled => "cancelled".to_string(),
            });
        }
        Ok(())
    }
}

/// A factory of workers called `name` logging to `log`; `opts(n)` says how incarnation `n`
/// (from 1) behaves.
fn worker_factory(
    name: &'static str,
    log: Log,
    trigger: Arc<watch::Sender<Trigger>>,
    opts: impl Fn(u32) -> Opts + Send + 'static,
) -> impl FnMut() -> Worker + Send + 'static {
    let mut incarnation = 0;
    move || {
        incarnation += 1;
        Worker {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            name,
            log: Arc::clone(&log),
            trigger: trigger.subscribe(),
            opts: opts(incarnation),
        }
    }
}

/// A deterministic system, the shared log and trigger, and boxes linked to the supervisor.
struct Rig {
    system: System,
    log: Log,
    trigger: Arc<watch::Sender<Trigger>>,
    input: Outbox<u32>,
    stop: Outbox<Control>,
    output: Inbox<String>,
    signal: Inbox<Control>,
    result: Arc<Mutex<Option<String>>>,
}

impl Rig {
    fn new() -> Rig {
        Rig {
            system: System::deterministic(),
            log: Arc::new(Mutex::new(Vec::new())),
            trigger: Arc::new(watch::channel(None).0),
            input: Outbox::new(),
            stop: Outbox::new(),
            output: Inbox::new(),
            signal: Inbox::new(),
            result: Arc::new(Mutex::new(None)),
        }
    }

    /// A factory of well-behaved workers called `name`.
    fn worker(&self, name: &'static str) -> impl FnMut() -> Worker + Send + 'static {
        self.worker_with(name, |_| Opts::default())
    }

    /// A factory of workers called `name`; `opts(n)` says how incarnation `n` (from 1) behaves.
    fn worker_with(
        &self,
        name: &'static str,
        opts: impl Fn(u32) -> Opts + Send + 'static,
    ) -> impl FnMut() -> Worker + Send + 'static {
        worker_factory(name, Arc::clone(&self.log), Arc::clone(&self.trigger), opts)
    }

    /// Links the supervisor to the rig's boxes, starts it under a recording parent and runs
    /// until idle.
    fn spawn(&mut self, sup: Supervisor<u32, String>) {
        axon::link(&self.input, &sup.inbox).unwrap();
        axon::link(&self.stop, &sup.control).unwrap();
        axon::link(&sup.outbox, &self.output).unwrap();
        axon::link(&sup.signal, &self.signal).unwrap();
        self.system.spawn(Parent {
            child: Some(sup),
            result: Arc::clone(&self.result),
        });
        self.system.run_until_idle();
    }

    /// Tells the worker `who` to act, then runs until idle.
    fn trigger(&mut self, who: &'static str, act: Act) {
        self.trigger.send_replace(Some((who, act)));
        self.system.run_until_idle();
    }

    fn send(&mut self, n: u32) {
        self.input.try_send(n).unwrap();
    }

    fn control(&mut self, c: Control) {
        self.stop.try_send(c).unwrap();
    }

    fn events(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.0.clone())
            .collect()
    }

    /// The events from index `from` on.
    fn events_from(&self, from: usize) -> Vec<String> {
        self.events()[from..].to_vec()
    }

    /// When each incarnation of `name` started, in order.
    fn starts(&self, name: &str) -> Vec<Instant> {
        let label = format!("start {name}");
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.0 == label)
            .map(|e| e.1)
            .collect()
    }

    /// When `event` was first logged.
    fn time_of(&self, event: &str) -> Instant {
        self.log
            .lock()
            .unwrap()
            .iter()
            .find(|e| e.0 == event)
            .map(|e| e.1)
            .unwrap_or_else(|| panic!("no {event:?} in the log"))
    }

    fn outputs(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(s) = self.output.try_recv() {
            out.push(s);
        }
        out
    }

    fn signals(&mut self) -> Vec<Control> {
        let mut out = Vec::new();
        while let Ok(c) = self.signal.try_recv() {
            out.push(c);
        }
        out
    }

    fn result(&self) -> Option<String> {
        self.result.lock().unwrap().clone()
    }
}

/// Panics unless every child's starts and ends alternate, beginning with a start: no two
/// incarnations of a child ever ran at the same time.
fn assert_no_overlap(events: &[String]) {
    let mut running: HashMap<&str, bool> = HashMap::new();
    for e in events {
        let (what, name) = e.split_once(' ').unwrap();
        let up = running.entry(name).or_insert(false);
        match what {
            "start" => assert!(!*up, "{name} started while running: {events:?}"),
            _ => assert!(*up, "{name} ended while not running: {events:?}"),
        }
        *up = what == "start";
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// With one-for-one, only the child that failed is restarted; its siblings keep running.
#[test]
fn one_for_one_restarts_only_the_failed_child() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    assert_eq!(rig.events(), strings(&["start a", "start b", "start c"]));
    rig.trigger("b", Act::Fail);
    assert_eq!(rig.events_from(3), strings(&["end b", "start b"]));
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_no_overlap(&rig.events());
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// With one-for-all, a failure stops every sibling, waits for all of them to end, then starts
/// all the children again in their declared order.
#[test]
fn one_for_all_stops_every_sibling_then_restarts_all_in_order() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    rig.trigger("b", Act::Fail);
    let after = rig.events_from(3);
    assert_eq!(after.len(), 6, "{after:?}");
    assert_eq!(after[0], "end b");
    assert_eq!(sorted(after[1..3].to_vec()), strings(&["end a", "end c"]));
    assert_eq!(after[3..], strings(&["start a", "start b", "start c"]));
    assert_no_overlap(&rig.events());
}

/// With rest-for-one, a failure restarts the failed child and those declared after it, in
/// order, after the later ones have ended; earlier children are untouched.
#[test]
fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::RestForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"))
        .child("d", rig.worker("d"));
    rig.spawn(sup);
    rig.trigger("b", Act::Fail);
    let after = rig.events_from(4);
    assert_eq!(after.len(), 6, "{after:?}");
    assert_eq!(after[0], "end b");
    assert_eq!(sorted(after[1..3].to_vec()), strings(&["end c", "end d"]));
    assert_eq!(after[3..], strings(&["start b", "start c", "start d"]));
    assert!(!after.iter().any(|e| e.ends_with(" a")), "{after:?}");
    assert_no_overlap(&rig.events());
}

/// With rest-for-one, a failure of the last child restarts only that child.
#[test]
fn rest_for_one_failure_of_the_last_child_restarts_only_it() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::RestForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("b", Act::Fail);
    assert_eq!(rig.events_from(2), strings(&["end b", "start b"]));
}

/// A group restart waits for a sibling that is slow to stop: no child starts again until every
/// affected incarnation has ended, so no two incarnations ever overlap.
#[test]
fn group_restart_waits_for_a_slow_sibling_to_end() {
    let mut rig = Rig::new();
    let slow = |_| Opts {
        slow_stop: Some(Duration::from_secs(1)),
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker_with("b", slow));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    assert_eq!(
        rig.events_from(2),
        strings(&["end a"]),
        "b is still stopping"
    );
    rig.system.advance(Duration::from_secs(1));
    assert_eq!(
        rig.events_from(2),
        strings(&["end a", "end b", "start a", "start b"])
    );
    assert_eq!(
        rig.starts("a")[1] - rig.time_of("end a"),
        Duration::from_secs(1)
    );
    assert_no_overlap(&rig.events());
}

/// More failures than the intensity allows within the window make the supervisor stop its other
/// children and fail with an error naming the child and the count, which its parent sees.
#[test]
fn exceeding_the_restart_intensity_escalates_to_the_parent() {
    let mut rig = Rig::new();
    let always_fails = |_| Opts {
        fail_at_start: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(3, Duration::from_secs(5))
        .child("steady", rig.worker("steady"))
        .child("flaky", rig.worker_with("flaky", always_fails));
    rig.spawn(sup);
    rig.system.run().unwrap();
    assert_eq!(
        rig.starts("flaky").len(),
        4,
        "the first start and 3 restarts"
    );
    assert_eq!(rig.events().last().map(String::as_str), Some("end steady"));
    let result = rig.result().unwrap();
    assert!(result.starts_with("failed: "), "{result}");
    assert!(result.contains("child \"flaky\" failed"), "{result}");
    assert!(result.contains("4 restarts within 5s"), "{result}");
    assert!(result.contains("limit of 3"), "{result}");
    assert_eq!(
        rig.signals(),
        [],
        "an escalating supervisor sends nothing on signal"
    );
    assert_no_overlap(&rig.events());
}

/// An intensity of zero escalates the first failure.
#[test]
fn zero_intensity_escalates_the_first_failure() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(0, Duration::from_secs(5))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.system.run().unwrap();
    assert_eq!(rig.starts("a").len(), 1);
    assert!(rig.result().unwrap().contains("1 restarts within 5s"));
}

/// Only restarts inside the window count: failures spaced wider than the window allows never
/// escalate, however many there are.
#[test]
fn restarts_older_than_the_window_do_not_count() {
    let mut rig = Rig::new();
    let first_five_fail = |n| Opts {
        fail_at_start: n <= 5,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(2, Duration::from_secs(5))
        .backoff(Backoff::Fixed(Duration::from_secs(3)))
        .child("a", rig.worker_with("a", first_five_fail));
    rig.spawn(sup);
    rig.system.advance(Duration::from_secs(20));
    let starts = rig.starts("a");
    assert_eq!(starts.len(), 6);
    for w in starts.windows(2) {
        assert_eq!(w[1] - w[0], Duration::from_secs(3));
    }
    assert_eq!(rig.result(), None, "still running");
    rig.control(Control::Shutdown);
    rig.system.run().unwrap();
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// The same spacing escalates when the window is wide enough to hold more restarts than
/// allowed.
#[test]
fn restarts_inside_a_wider_window_escalate() {
    let mut rig = Rig::new();
    let always_fails = |_| Opts {
        fail_at_start: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(2, Duration::from_secs(7))
        .backoff(Backoff::Fixed(Duration::from_secs(3)))
        .child("a", rig.worker_with("a", always_fails));
    rig.spawn(sup);
    rig.system.run().unwrap();
    // Failures at 0, 3 and 6 s: the third is the third restart within 7 s.
    assert_eq!(rig.starts("a").len(), 3);
    assert!(rig.result().unwrap().contains("3 restarts within 7s"));
}

/// Exponential backoff doubles the delay for each recent restart of the same child, up to the
/// cap, measured in virtual time from the failure to the next start.
#[test]
fn backoff_delays_grow_exponentially_up_to_the_cap() {
    let mut rig = Rig::new();
    let first_five_fail = |n| Opts {
        fail_at_start: n <= 5,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(60))
        .backoff(Backoff::exponential(
            Duration::from_millis(100),
            Duration::from_millis(500),
        ))
        .child("a", rig.worker_with("a", first_five_fail));
    rig.spawn(sup);
    rig.system.advance(Duration::from_secs(10));
    let starts = rig.starts("a");
    let gaps: Vec<u128> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis())
        .collect();
    assert_eq!(gaps, [100, 200, 400, 500, 500]);
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// A child that has not failed for a whole window starts its backoff again from the first
/// delay.
#[test]
fn backoff_starts_again_after_a_quiet_window() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(5))
        .backoff(Backoff::exponential(
            Duration::from_millis(100),
            Duration::from_secs(10),
        ))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(100));
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(200));
    rig.system.advance(Duration::from_secs(6)); // quiet for longer than the window
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(100));
    let starts = rig.starts("a");
    assert_eq!(starts.len(), 4);
    assert_eq!((starts[1] - starts[0]).as_millis(), 100);
    assert_eq!((starts[2] - starts[1]).as_millis(), 200);
    assert_eq!((starts[3] - rig.log.lock().unwrap()[5].1).as_millis(), 100);
    assert_no_overlap(&rig.events());
}

/// A transient child (the default) that finishes normally is not restarted; the others carry
/// on and take all the input.
#[test]
fn a_child_that_finishes_normally_is_not_restarted() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("a", Act::Finish);
    assert_eq!(rig.events_from(2), strings(&["end a"]));
    rig.send(1);
    rig.send(2);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["b:1", "b:2"]));
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_eq!(rig.starts("a").len(), 1);
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// A permanent child is restarted even when it finishes normally.
#[test]
fn a_permanent_child_is_restarted_after_finishing_normally() {
    let mut rig = Rig::new();
    let sup =
        Supervisor::new(Strategy::OneForOne).child_with("a", Restart::Permanent, rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Finish);
    assert_eq!(rig.events(), strings(&["start a", "end a", "start a"]));
}

/// A temporary child is never restarted, and its failure leaves its siblings alone even under
/// one-for-all.
#[test]
fn a_temporary_child_is_never_restarted() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child_with("t", Restart::Temporary, rig.worker("t"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("t", Act::Fail);
    assert_eq!(rig.events(), strings(&["start t", "start b", "end t"]));
}

/// A panicking child is restarted like a failing one.
#[test]
fn a_panicking_child_is_restarted() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne).child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Panic);
    assert_eq!(rig.events(), strings(&["start a", "end a", "start a"]));
    rig.send(5);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["a:5"]));
}

/// Input is handed to the running children round robin.
#[test]
fn input_is_handed_to_the_children_round_robin() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    for n in 1..=6 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        sorted(rig.outputs()),
        strings(&["a:1", "a:4", "b:2", "b:5", "c:3", "c:6"])
    );
}

/// While a child waits to be restarted, input goes to the children that are running.
#[test]
fn input_goes_to_the_running_children_while_one_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(1)))
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    for n in 1..=3 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["b:1", "b:2", "b:3"]));
}

/// With no child running, input waits in the supervisor and goes to the next incarnation once
/// the backoff is over.
#[test]
fn input_waits_while_the_only_child_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(1)))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.send(7);
    rig.system.advance(Duration::from_millis(999));
    assert_eq!(rig.outputs(), Vec::<String>::new());
    rig.system.advance(Duration::from_millis(1));
    assert_eq!(rig.outputs(), strings(&["a:7"]));
    assert_eq!(rig.starts("a").len(), 2);
}

/// `ProducerFinished` hands every queued message to the children, passes the message on to
/// each, waits for them to end, then sends `ProducerFinished` on `signal`.
#[test]
fn producer_finished_drains_the_input_through_the_children_then_ends() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    for n in 1..=6 {
        rig.send(n);
    }
    rig.control(Control::ProducerFinished);
    rig.spawn(sup);
    rig.system.run().unwrap();
    assert_eq!(
        sorted(rig.outputs()),
        strings(&["a:1", "a:3", "a:5", "b:2", "b:4", "b:6"])
    );
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
    assert_eq!(
        sorted(rig.events()),
        strings(&["end a", "end b", "start a", "start b"])
    );
}

/// A child that fails while the supervisor drains is still restarted, and the new incarnation
/// is passed `ProducerFinished` too.
#[test]
fn a_child_failing_during_the_drain_is_restarted_and_finished() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne).child("a", rig.worker("a"));
    rig.send(0); // poisoned: a fails while draining it after ProducerFinished
    rig.control(Control::ProducerFinished);
    rig.spawn(sup);
    rig.system.run().unwrap();
    assert_eq!(
        rig.events(),
        strings(&["start a", "end a", "start a", "end a"])
    );
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// Whatever the children's inbox capacity, a failed child loses only the message it failed
/// on (the poisoned 0, which is not handed to anyone again): what was waiting in its inbox goes
/// to the next incarnation.
#[test]
fn a_failed_child_loses_only_the_message_it_failed_on_whatever_its_capacity() {
    for capacity in [None, Some(1), Some(2)] {
        let mut rig = Rig::new();
        let mut sup = Supervisor::new(Strategy::OneForOne).child("a", rig.worker("a"));
        if let Some(c) = capacity {
            sup = sup.child_capacity(c);
        }
        for n in [1, 0, 2, 3, 4] {
            rig.send(n);
        }
        rig.control(Control::ProducerFinished);
        rig.spawn(sup);
        rig.system.run().unwrap();
        assert_eq!(
            rig.outputs(),
            strings(&["a:1", "a:2", "a:3", "a:4"]),
            "capacity {capacity:?}"
        );
        assert_eq!(rig.starts("a").len(), 2, "capacity {capacity:?}");
        assert_eq!(rig.signals(), [Control::ProducerFinished]);
    }
}

/// What a failed child left unread in its inbox goes to its next incarnation first, in order,
/// ahead of input the supervisor held or received while the child waited to restart.
#[test]
fn input_a_failed_child_left_unread_goes_to_its_next_incarnation_ahead_of_later_input() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(1)))
        .child("a", rig.worker("a"));
    for n in [1, 0, 2, 3] {
        rig.send(n);
    }
    rig.spawn(sup);
    assert_eq!(
        rig.outputs(),
        strings(&["a:1"]),
        "2 and 3 wait in a's inbox"
    );
    assert_eq!(rig.events(), strings(&["start a", "end a"]));
    rig.send(4); // held by the supervisor during the backoff
    rig.send(5); // still in the supervisor's inbox
    rig.system.advance(Duration::from_secs(1));
    assert_eq!(rig.starts("a").len(), 2);
    assert_eq!(rig.outputs(), strings(&["a:2", "a:3", "a:4", "a:5"]));
}

/// With one-for-all, a sibling stopped because another child failed gets the input it had not
/// read back on its restart, before anything else.
#[test]
fn one_for_all_hands_a_stopped_sibling_its_unread_input_when_it_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child("a", rig.worker("a"))
        .child("b", rig.worker_with("b", deaf_at_first));
    rig.spawn(sup);
    for n in 1..=4 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        rig.outputs(),
        strings(&["a:1", "a:3"]),
        "b has 2 and 4 unread"
    );
    rig.trigger("a", Act::Fail);
    assert_eq!(
        rig.events_from(2),
        strings(&["end a", "end b", "start a", "start b"])
    );
    assert_eq!(rig.outputs(), strings(&["b:2", "b:4"]));
    rig.send(5);
    rig.send(6);
    rig.control(Control::ProducerFinished);
    rig.system.run().unwrap();
    assert_eq!(sorted(rig.outputs()), strings(&["a:5", "b:6"]));
    assert_no_overlap(&rig.events());
}

/// With rest-for-one, a later sibling stopped because an earlier one failed gets the input it
/// had not read back on its restart; the sibling declared before the failed one is not touched.
#[test]
fn rest_for_one_hands_a_stopped_later_sibling_its_unread_input_when_it_restarts() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::RestForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"))
        .child("c", rig.worker_with("c", deaf_at_first));
    rig.spawn(sup);
    for n in 1..=6 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        sorted(rig.outputs()),
        strings(&["a:1", "a:4", "b:2", "b:5"]),
        "c has 3 and 6 unread"
    );
    rig.trigger("b", Act::Fail);
    assert_eq!(
        rig.events_from(3),
        strings(&["end b", "end c", "start b", "start c"])
    );
    assert_eq!(rig.outputs(), strings(&["c:3", "c:6"]));
}

/// A child that ends for good (here a temporary one that fails) while its siblings run leaves
/// its unread input to them, ahead of later input; it is not restarted for it.
#[test]
fn input_a_child_that_ends_for_good_left_unread_goes_to_the_running_children() {
    let mut rig = Rig::new();
    let deaf = |_| Opts {
        deaf: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForOne)
        .child_with("t", Restart::Temporary, rig.worker_with("t", deaf))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    for n in 1..=4 {
        rig.send(n);
    }
    rig.system.run_until_idle();
    assert_eq!(
        rig.outputs(),
        strings(&["b:2", "b:4"]),
        "t has 1 and 3 unread"
    );
    rig.trigger("t", Act::Fail);
    rig.send(5);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["b:1", "b:3", "b:5"]));
    assert_eq!(rig.starts("t").len(), 1);
}

/// A message the supervisor could not hand over because the child failed first is kept and
/// given to the next incarnation; the message the child failed on is not handed over again.
#[test]
fn a_message_waiting_for_a_failed_child_goes_to_the_next_incarnation() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child_capacity(1)
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.send(0);
    rig.send(5);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["a:5"]));
    assert_eq!(rig.starts("a").len(), 2);
}

/// `Shutdown` stops every child (permanent ones included, without restarting them), then the
/// supervisor ends and sends `Shutdown` on `signal`.
#[test]
fn shutdown_stops_every_child_and_restarts_none() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForAll)
        .child_with("a", Restart::Permanent, rig.worker("a"))
        .child_with("b", Restart::Permanent, rig.worker("b"))
        .child("c", rig.worker("c"));
    rig.spawn(sup);
    rig.control(Control::Shutdown);
    rig.system.run().unwrap();
    assert_eq!(
        rig.events(),
        strings(&["start a", "start b", "start c", "end a", "end b", "end c"])
    );
    assert_eq!(rig.signals(), [Control::Shutdown]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// `Shutdown` during a backoff cancels the pending restart.
#[test]
fn shutdown_cancels_a_pending_restart() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .backoff(Backoff::Fixed(Duration::from_secs(10)))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.control(Control::Shutdown);
    rig.system.run().unwrap();
    assert_eq!(rig.events(), strings(&["start a", "end a"]));
    assert_eq!(rig.signals(), [Control::Shutdown]);
}

/// When every child has ended for good by itself, the supervisor ends and sends
/// `ProducerFinished` on `signal`.
#[test]
fn the_supervisor_ends_when_every_child_has_finished() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("b", rig.worker("b"));
    rig.spawn(sup);
    rig.trigger("a", Act::Finish);
    rig.trigger("b", Act::Finish);
    rig.system.run().unwrap();
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
    assert_eq!(rig.result().as_deref(), Some("finished"));
}

/// A child that ignores `Shutdown` cannot be killed: after the shutdown timeout the supervisor
/// fails with an error naming it instead of starting a second copy beside it.
#[test]
fn a_child_that_ignores_shutdown_makes_the_supervisor_fail_after_the_timeout() {
    let mut rig = Rig::new();
    let stubborn = |_| Opts {
        stubborn: true,
        ..Opts::default()
    };
    let sup = Supervisor::new(Strategy::OneForAll)
        .shutdown_timeout(Duration::from_secs(2))
        .child("a", rig.worker("a"))
        .child("b", rig.worker_with("b", stubborn));
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    rig.system.advance(Duration::from_millis(1999));
    assert_eq!(rig.result(), None);
    rig.system.advance(Duration::from_millis(1));
    let result = rig.result().unwrap();
    assert!(
        result.contains("child \"b\" did not stop within 2s"),
        "{result}"
    );
    assert_eq!(rig.starts("a").len(), 1, "nothing was restarted");
}

/// A supervisor is a stage, so it can supervise supervisors: an inner one that escalates is
/// restarted by the outer one.
#[test]
fn a_supervisor_restarts_an_escalating_inner_supervisor() {
    let mut rig = Rig::new();
    let log = Arc::clone(&rig.log);
    let trigger = Arc::clone(&rig.trigger);
    let inner = move || {
        let worker = worker_factory("a", Arc::clone(&log), Arc::clone(&trigger), |_| {
            Opts::default()
        });
        Supervisor::new(Strategy::OneForOne)
            .intensity(0, Duration::from_secs(1))
            .child("a", worker)
    };
    let sup = Supervisor::new(Strategy::OneForOne).child("inner", inner);
    rig.spawn(sup);
    rig.trigger("a", Act::Fail);
    assert_eq!(rig.events(), strings(&["start a", "end a", "start a"]));
    rig.send(3);
    rig.system.run_until_idle();
    assert_eq!(rig.outputs(), strings(&["a:3"]));
}

/// A supervisor with no children fails at once, saying so.
#[test]
fn a_supervisor_without_children_fails() {
    let mut rig = Rig::new();
    rig.spawn(Supervisor::new(Strategy::OneForOne));
    rig.system.run().unwrap();
    assert!(rig.result().unwrap().contains("no children"));
}

/// Two children with the same name are refused, naming it.
#[test]
fn duplicate_child_names_are_refused() {
    let mut rig = Rig::new();
    let sup = Supervisor::new(Strategy::OneForOne)
        .child("a", rig.worker("a"))
        .child("a", rig.worker("a"));
    rig.spawn(sup);
    rig.system.run().unwrap();
    let result = rig.result().unwrap();
    assert!(result.contains("two children named \"a\""), "{result}");
    assert_eq!(rig.events(), Vec::<String>::new());
}

/// The supervisor is in the catalogue with its four boxes.
#[test]
fn the_supervisor_is_catalogued() {
    let entries = kamaelia::catalogue::all();
    let e = entries.iter().find(|e| e.name == "Supervisor").unwrap();
    let boxes: Vec<&str> = e.boxes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(boxes, ["inbox", "control", "outbox", "signal"]);
    assert!(e.parameters.iter().any(|p| p.name == "strategy"));
}
