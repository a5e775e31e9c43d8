//! Helpers for the `Supervisor` tests (`chassis_supervisor.rs`,
//! `chassis_supervisor_escalation.rs`, `chassis_supervisor_input.rs`,
//! `chassis_supervisor_shutdown.rs`), which run on a deterministic system with virtual time.
//!
//! Every worker records when each incarnation starts and ends in a shared log, so the tests can
//! check which children were restarted, in which order, when, and that no two incarnations of a
//! child ever overlapped. Failures are triggered from the test through a watch channel that every
//! incarnation subscribes to when it is made.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Exit, Inbox, Outbox, System};
use kamaelia::chassis::supervisor::Supervisor;
use tokio::sync::watch;
use tokio::time::Instant;

/// What a triggered worker does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    Fail,
    Panic,
    Finish,
}

pub(crate) type Trigger = Option<(&'static str, Act)>;
pub(crate) type Log = Arc<Mutex<Vec<(String, Instant)>>>;

fn record(log: &Log, what: String) {
    log.lock().unwrap().push((what, Instant::now()));
}

/// How one incarnation of a worker behaves.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Opts {
    /// Fail as soon as it starts.
    pub(crate) fail_at_start: bool,
    /// Take this long to stop after a control message.
    pub(crate) slow_stop: Option<Duration>,
    /// Ignore `Shutdown`.
    pub(crate) stubborn: bool,
    /// Never read the inbox (except to drain it on `ProducerFinished`).
    pub(crate) deaf: bool,
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
pub(crate) struct Worker {
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
pub(crate) fn worker_factory(
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
pub(crate) struct Rig {
    pub(crate) system: System,
    pub(crate) log: Log,
    pub(crate) trigger: Arc<watch::Sender<Trigger>>,
    pub(crate) input: Outbox<u32>,
    pub(crate) stop: Outbox<Control>,
    pub(crate) output: Inbox<String>,
    pub(crate) signal: Inbox<Control>,
    pub(crate) result: Arc<Mutex<Option<String>>>,
}

impl Rig {
    pub(crate) fn new() -> Rig {
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
    pub(crate) fn worker(&self, name: &'static str) -> impl FnMut() -> Worker + Send + 'static {
        self.worker_with(name, |_| Opts::default())
    }

    /// A factory of workers called `name`; `opts(n)` says how incarnation `n` (from 1) behaves.
    pub(crate) fn worker_with(
        &self,
        name: &'static str,
        opts: impl Fn(u32) -> Opts + Send + 'static,
    ) -> impl FnMut() -> Worker + Send + 'static {
        worker_factory(name, Arc::clone(&self.log), Arc::clone(&self.trigger), opts)
    }

    /// Links the supervisor to the rig's boxes, starts it under a recording parent and runs
    /// until idle.
    pub(crate) fn spawn(&mut self, sup: Supervisor<u32, String>) {
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
    pub(crate) fn trigger(&mut self, who: &'static str, act: Act) {
        self.trigger.send_replace(Some((who, act)));
        self.system.run_until_idle();
    }

    pub(crate) fn send(&mut self, n: u32) {
        self.input.try_send(n).unwrap();
    }

    pub(crate) fn control(&mut self, c: Control) {
        self.stop.try_send(c).unwrap();
    }

    pub(crate) fn events(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.0.clone())
            .collect()
    }

    /// The events from index `from` on.
    pub(crate) fn events_from(&self, from: usize) -> Vec<String> {
        self.events()[from..].to_vec()
    }

    /// When each incarnation of `name` started, in order.
    pub(crate) fn starts(&self, name: &str) -> Vec<Instant> {
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
    pub(crate) fn time_of(&self, event: &str) -> Instant {
        self.log
            .lock()
            .unwrap()
            .iter()
            .find(|e| e.0 == event)
            .map(|e| e.1)
            .unwrap_or_else(|| panic!("no {event:?} in the log"))
    }

    pub(crate) fn outputs(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(s) = self.output.try_recv() {
            out.push(s);
        }
        out
    }

    pub(crate) fn signals(&mut self) -> Vec<Control> {
        let mut out = Vec::new();
        while let Ok(c) = self.signal.try_recv() {
            out.push(c);
        }
        out
    }

    pub(crate) fn result(&self) -> Option<String> {
        self.result.lock().unwrap().clone()
    }
}

/// Panics unless every child's starts and ends alternate, beginning with a start: no two
/// incarnations of a child ever ran at the same time.
pub(crate) fn assert_no_overlap(events: &[String]) {
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

pub(crate) fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}
