//! System-wide shutdown: `System::shutdown(timeout)` and `SystemHandle::request_shutdown` put
//! `Control::Shutdown` on every `control` inbox; components that honour it end and are not
//! reported, those that do not are cancelled at the deadline and named.
//!
//! Ports these Kamaelia behaviours (reference §1.2, §1.6, §1.8, §6.2):
//! * `scheduler.stop()` called from a component (simplegame-2's `Quitter`) stops the system —
//!   here by convention: `request_shutdown` from inside a component;
//! * `shutdownMicroprocess` on `control` means "stop now" (§1.8);
//! * "Rust should fix: stop of a sleeping task must still run close-down and remove it" (§1.2):
//!   a cancelled component that was waiting has its inboxes closed, leaves the live model and its
//!   parent is told `Exit::Cancelled`;
//! * "a component that ignores control keeps its parent alive forever" (§1.8) — here the
//!   deadline ends it and names it.
//!
//! Deliberately left out: the scheduler's stop-request queue and `stop()` being called on every
//! microprocess without `_closeDownMicroprocess` (Python implementation details; here cancelled
//! components always run their close-down), and the knock-on `shutdownMicroprocess` return value
//! (documented as broken in Kamaelia; there are no knock-on actions here).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axon::{
    Boxes, Component, Context, Control, Error, Exit, Inbox, InboxRef, Outbox, System,
    ThreadedComponent,
};

type Log = Arc<Mutex<Vec<String>>>;

fn new_log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn entries(log: &Log) -> Vec<String> {
    let mut v = log.lock().unwrap().clone();
    v.sort();
    v
}

/// A generous bound for waits that only fail if something is broken.
const PATIENCE: Duration = Duration::from_secs(30);

fn describe(exit: &Exit) -> String {
    match exit {
        Exit::Finished => "finished".into(),
        Exit::Failed(e) => format!("failed: {e}"),
        Exit::Panicked(m) => format!("panicked: {m}"),
        Exit::Cancelled => "cancelled".into(),
    }
}

/// Honours control: on any control message it logs it, takes `steps` sleeps of `each` to wind
/// down, passes the message on and ends.
#[derive(Boxes, Default)]
struct Polite {
    /// Data (never sent here).
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// The control message, passed on.
    signal: Outbox<Control>,
    steps: u32,
    each: Duration,
    log: Log,
}

impl Polite {
    fn new(log: &Log) -> Self {
        Polite {
            log: Arc::clone(log),
            ..Polite::default()
        }
    }

    fn winding_down(log: &Log, steps: u32, each: Duration) -> Self {
        Polite {
            steps,
            each,
            ..Polite::new(log)
        }
    }
}

impl Component for Polite {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let c = tokio::select! {
            biased;
            Some(c) = self.control.recv() => c,
            Some(_) = self.inbox.recv() => return Err(Error::msg("unexpected data")),
        };
        self.log
            .lock()
            .unwrap()
            .push(format!("{} got {c:?}", ctx.name()));
        for _ in 0..self.steps {
            tokio::time::sleep(self.each).await;
        }
        self.signal.send(c).await?;
        Ok(())
    }
}

/// Ignores control: waits for data that never comes.
#[derive(Boxes, Default)]
struct Stubborn {
    /// Waited on forever.
    inbox: Inbox<u32>,
    /// Never read.
    control: Inbox<Control>,
}

impl Component for Stubborn {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            self.inbox.recv().await;
        }
    }
}

/// Starts two `Polite` children (no `control` of its own) and logs how they ended; optionally
/// says "ready" once they exist, and optionally asks the system to shut down itself.
#[derive(Boxes)]
struct Boss {
    log: Log,
    ready: Option<InboxRef<String>>,
    quit: bool,
}

impl Component for Boss {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let c1 = ctx.adopt_named("c1", Polite::new(&self.log));
        let c2 = ctx.adopt_named("c2", Polite::new(&self.log));
        ctx.activate(c1);
        ctx.activate(c2);
        if let Some(ready) = &self.ready {
            ready.send("ready".into()).await?;
        }
        if self.quit {
            ctx.system().request_shutdown();
        }
        while let Some(exit) = ctx.next_child_exit().await {
            let line = format!(
                "{} heard {} {}",
                ctx.name(),
                exit.name,
                describe(&exit.exit)
            );
            self.log.lock().unwrap().push(line);
        }
        Ok(())
    }
}

/// `shutdown` puts `Shutdown` on every `control` inbox (children's included); components that
/// honour it within the timeout end normally and none is reported cancelled.
#[test]
fn shutdown_ends_components_that_honour_control_and_reports_none() {
    let mut system = System::deterministic();
    let log = new_log();
    system.spawn_named("p1", Polite::new(&log));
    let slow = Polite::winding_down(&log, 1, Duration::from_millis(100));
    system.spawn_named("p2", slow);
    let boss = Boss {
        log: Arc::clone(&log),
        ready: None,
        quit: false,
    };
    system.spawn_named("boss", boss);
    system.run_until_idle();
    assert_eq!(system.live(), 5);
    let report = system.shutdown(Duration::from_secs(1));
    assert_eq!(report.cancelled, Vec::<String>::new());
    assert_eq!(
        entries(&log),
        [
            "boss heard c1 finished",
            "boss heard c2 finished",
            "c1 got Shutdown",
            "c2 got Shutdown",
            "p1 got Shutdown",
            "p2 got Shutdown",
        ]
    );
    assert_eq!(system.live(), 0);
    assert!(system.failures().is_empty());
}

/// A component that ignores control is cancelled at the deadline and named in the report; its
/// close-down still runs (inbox closed, gone from the live model) and it is not a failure.
#[test]
fn a_component_ignoring_control_is_cancelled_and_named() {
    let mut system = System::deterministic();
    let log = new_log();
    let stubborn = system.adopt_named("stubborn", Stubborn::default());
    let stubborn_inbox = stubborn.inbox.handle();
    system.activate(stubborn);
    system.spawn_named("polite", Polite::new(&log));
    system.run_until_idle();
    let report = system.shutdown(Duration::from_secs(5));
    assert_eq!(report.cancelled, ["stubborn"]);
    assert_eq!(entries(&log), ["polite got Shutdown"]);
    assert!(stubborn_inbox.is_closed());
    assert_eq!(system.live(), 0);
    assert!(system.snapshot().components.is_empty());
    assert!(system.failures().is_empty());
}

/// In deterministic mode the timeout is virtual time: a component that needs five 100 ms steps
/// to wind down ends within a 1 s timeout, while one that needs 5 s is cancelled.
#[test]
fn the_shutdown_deadline_is_virtual_time_spent_step_by_step() {
    let mut system = System::deterministic();
    let log = new_log();
    let dawdler = Polite::winding_down(&log, 5, Duration::from_millis(100));
    system.spawn_named("dawdler", dawdler);
    let slowpoke = Polite::winding_down(&log, 1, Duration::from_secs(5));
    system.spawn_named("slowpoke", slowpoke);
    let report = system.shutdown(Duration::from_secs(1));
    assert_eq!(report.cancelled, ["slowpoke"]);
    assert_eq!(
        entries(&log),
        ["dawdler got Shutdown", "slowpoke got Shutdown"]
    );
}

/// Ignores control (it has none); starts a `Polite` child, says "ready", reports the child's
/// end, then waits forever.
#[derive(Boxes)]
struct StubbornParent {
    report: InboxRef<String>,
    log: Log,
}

impl Component for StubbornParent {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        ctx.spawn(Polite::new(&self.log));
        self.report.send("ready".into()).await?;
        let exit = ctx.next_child_exit().await.unwrap();
        self.report.send(describe(&exit.exit)).await?;
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// On a started real system, `shutdown` with a short real timeout cancels exactly the component
/// that ignores control, after the polite one has ended normally.
#[test]
fn shutdown_of_a_started_system_cancels_only_the_component_ignoring_control() {
    let mut system = System::builder().threads(2).build();
    let (log, mut report) = (new_log(), Inbox::unbounded());
    let parent = StubbornParent {
        report: report.handle(),
        log: Arc::clone(&log),
    };
    system.spawn_named("stubborn", parent);
    system.start();
    assert_eq!(report.recv_blocking_timeout(PATIENCE), Ok("ready".into()));
    system.handle().request_shutdown();
    assert_eq!(
        report.recv_blocking_timeout(PATIENCE),
        Ok("finished".into())
    );
    let report = system.shutdown(Duration::from_millis(200));
    assert_eq!(report.cancelled, ["stubborn"]);
    assert_eq!(log.lock().unwrap().len(), 1);
    assert_eq!(system.live(), 0);
}

/// A threaded parent (so it outlives the cancellation) that starts a `Stubborn` child and
/// reports how the child ended.
#[derive(Boxes)]
struct ThreadedWatcher {
    report: InboxRef<String>,
}

impl ThreadedComponent for ThreadedWatcher {
    fn run(self, mut ctx: Context) -> Result<(), Error> {
        ctx.spawn(Stubborn::default());
        self.report.send_blocking("spawned".into())?;
        let exit = axon::blocking::block_on(ctx.next_child_exit()).unwrap();
        self.report.send_blocking(describe(&exit.exit))?;
        Ok(())
    }
}

/// A component cancelled by shutdown is reported to its parent as `Exit::Cancelled`.
#[test]
fn a_cancelled_components_parent_hears_cancelled() {
    let mut system = System::deterministic();
    let mut report = Inbox::unbounded();
    system.spawn_threaded(ThreadedWatcher {
        report: report.handle(),
    });
    assert_eq!(report.recv_blocking_timeout(PATIENCE), Ok("spawned".into()));
    let cancelled = system.shutdown(Duration::from_secs(1)).cancelled;
    assert!(
        cancelled.iter().any(|n| n.starts_with("Stubborn")),
        "{cancelled:?}"
    );
    assert_eq!(
        report.recv_blocking_timeout(PATIENCE),
        Ok("cancelled".into())
    );
}

/// `SystemHandle::request_shutdown` asks every component of a running system to stop, and
/// `run` then returns once all have ended.
#[test]
fn request_shutdown_through_a_handle_stops_a_running_system() {
    let mut system = System::new();
    let (log, mut ready) = (new_log(), Inbox::unbounded());
    system.spawn_named("p1", Polite::new(&log));
    let boss = Boss {
        log: Arc::clone(&log),
        ready: Some(ready.handle()),
        quit: false,
    };
    system.spawn_named("boss", boss);
    let handle = system.handle();
    system.start();
    assert_eq!(ready.recv_blocking_timeout(PATIENCE), Ok("ready".into()));
    handle.request_shutdown();
    system.run().unwrap();
    assert_eq!(
        entries(&log),
        [
            "boss heard c1 finished",
            "boss heard c2 finished",
            "c1 got Shutdown",
            "c2 got Shutdown",
            "p1 got Shutdown",
        ]
    );
    assert_eq!(handle.live(), 0);
}

/// A component can stop the whole system by convention (Kamaelia's `scheduler.stop()` from a
/// component): `ctx.system().request_shutdown()` reaches every component and `run` returns.
#[test]
fn request_shutdown_from_inside_a_component_stops_the_system() {
    let mut system = System::deterministic();
    let log = new_log();
    system.spawn_named("p1", Polite::new(&log));
    let boss = Boss {
        log: Arc::clone(&log),
        ready: None,
        quit: true,
    };
    system.spawn_named("boss", boss);
    system.run().unwrap();
    assert_eq!(
        entries(&log),
        [
            "boss heard c1 finished",
            "boss heard c2 finished",
            "c1 got Shutdown",
            "c2 got Shutdown",
            "p1 got Shutdown",
        ]
    );
}

/// `shutdown` of a real system that was never started cannot wait for anyone to react: it
/// returns without waiting out the timeout and names every live component.
#[test]
fn shutdown_of_a_system_never_started_cancels_every_live_component() {
    let mut system = System::new();
    let log = new_log();
    system.spawn_named("a", Polite::new(&log));
    system.spawn_named("b", Stubborn::default());
    let unstarted = system.adopt_named("unstarted", Stubborn::default());
    let began = std::time::Instant::now();
    let report = system.shutdown(Duration::from_secs(3600));
    assert!(
        began.elapsed() < Duration::from_secs(600),
        "waited out the timeout"
    );
    assert_eq!(report.cancelled, ["a", "b"]);
    assert_eq!(system.live(), 0);
    assert!(log.lock().unwrap().is_empty());
    drop(unstarted);
}
