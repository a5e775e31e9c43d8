//! A system: the schedulers, the live model and the services that a set of components share.
//!
//! There is no process-wide global: make as many systems as you like (each test its own).
//!
//! Three ways to run one:
//!
//! * [`System::run`] drives the schedulers on the calling thread (plus one OS thread per extra
//!   scheduler) until every component has ended — Kamaelia's `runThreads()`.
//! * [`System::start`] runs them in the background (Kamaelia's `Axon.background`), for driving
//!   components from ordinary code through the bridge in [`crate::bridge`].
//! * [`System::deterministic`] makes a single-threaded system driven by hand — [`step`],
//!   [`run_until_idle`], [`advance`] — on a virtual clock: the same system gives the same order
//!   of events on every run, timers fire without waiting, and [`run`](System::run) reports a
//!   stall instead of hanging.
//!
//! [`step`]: System::step
//! [`run_until_idle`]: System::run_until_idle
//! [`advance`]: System::advance
//!
//! ```
//! use axon::System;
//! # use axon::{Boxes, Component, Context, Error};
//! # #[derive(Boxes)] struct Sleeper;
//! # impl Component for Sleeper {
//! #   async fn run(self, _: Context) -> Result<(), Error> {
//! #     tokio::time::sleep(std::time::Duration::from_secs(3600)).await; Ok(()) } }
//! let mut system = System::deterministic();
//! system.spawn(Sleeper); // sleeps an hour of virtual time
//! system.run().unwrap(); // returns at once
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use crate::boxes::inbox::InboxCore;
use crate::boxes::meta::{Boxes, Direction};
use crate::component::{self, Child, Component, Exit, ThreadedComponent};
use crate::control::Control;
use crate::model::{
    BoxAddress, Clock, ComponentCell, ComponentId, ComponentState, Events, Hub, Registry, Snapshot,
    Tap, TapError,
};
use crate::scheduler::{runtime, Driver, SchedShared};
use crate::services::Services;

/// How many recent failures a system remembers for [`System::failures`].
const FAILURE_LOG: usize = 64;

pub(crate) struct SystemShared {
    next_id: AtomicU64,
    pub(crate) registry: Registry,
    /// The live model's clock and event subscribers.
    pub(crate) hub: Arc<Hub>,
    pub(crate) services: Services,
    pub(crate) scheds: Vec<Arc<SchedShared>>,
    live: Mutex<usize>,
    live_changed: Condvar,
    threaded_live: AtomicUsize,
    stop_when_empty: AtomicBool,
    placement: AtomicUsize,
    failures: Mutex<VecDeque<Failure>>,
}

impl SystemShared {
    pub(crate) fn next_id(&self) -> ComponentId {
        let id = self.reserve_ids(1);
        ComponentId(std::num::NonZeroU64::new(id).expect("ids count from 1 and never wrap"))
    }

    /// Reserves `n` consecutive ids (for components without a cell of their own, such as a
    /// line's transforms); returns the first.
    pub(crate) fn reserve_ids(&self, n: u64) -> u64 {
        self.next_id.fetch_add(n, Ordering::Relaxed)
    }

    pub(crate) fn component_started(&self, threaded: bool) {
        if threaded {
            self.threaded_live.fetch_add(1, Ordering::SeqCst);
        }
        *self.live.lock().unwrap_or_else(|p| p.into_inner()) += 1;
    }

    pub(crate) fn component_ended(&self, threaded: bool) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        *live -= 1;
        if *live == 0 {
            self.live_changed.notify_all();
            if self.stop_when_empty.load(Ordering::SeqCst) {
                self.scheds.iter().for_each(|s| s.stop());
            }
        }
        drop(live);
        if threaded {
            self.threaded_live.fetch_sub(1, Ordering::SeqCst);
            // A thread ending wakes no task: nudge the schedulers so that a driver waiting for
            // work (deterministic `run`) looks at the live count again.
            self.scheds.iter().for_each(|s| s.wake_idle());
        }
    }

    fn live(&self) -> usize {
        *self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until no component is live or `deadline` passes; true if none is live.
    fn wait_empty(&self, deadline: Option<Instant>) -> bool {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        while *live > 0 {
            match deadline {
                None => {
                    live = self
                        .live_changed
                        .wait(live)
                        .unwrap_or_else(|p| p.into_inner())
                }
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    live = self
                        .live_changed
                        .wait_timeout(live, d - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                }
            }
        }
        true
    }

    pub(crate) fn report_exit(&self, cell: &ComponentCell, exit: &Exit) {
        let what = match exit {
            Exit::Failed(e) => format!("failed: {e}"),
            Exit::Panicked(m) => format!("panicked: {m}"),
            _ => return,
        };
        let mut log = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() == FAILURE_LOG {
            log.pop_front();
        }
        log.push_back(Failure {
            id: cell.id,
            name: cell.name(),
            what,
        });
    }

    /// The live model now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        self.registry.snapshot(&self.hub)
    }

    fn tap(&self, at: &BoxAddress, capacity: usize) -> Result<Tap, TapError> {
        let no_component = || TapError::NoSuchComponent {
            component: at.component,
            name: at.name.clone(),
        };
        let cell = self
            .registry
            .get(at.component.ok_or_else(no_component)?)
            .ok_or_else(no_component)?;
        let slots = cell.slots();
        let handle = slots
            .iter()
            .find(|s| s.name() == at.name)
            .and_then(|s| s.handle.clone())
            .ok_or_else(|| TapError::NoSuchBox {
                component: cell.name(),
                name: at.name.clone(),
                available: slots.iter().map(|s| s.name().to_string()).collect(),
            })?;
        Ok(Tap::install(&self.hub, at.clone(), &handle, capacity))
    }

    fn place(&self) -> usize {
        self.placement.fetch_add(1, Ordering::Relaxed) % self.scheds.len()
    }

    /// Puts `Control::Shutdown` into the `control` inbox of every live component that has one,
    /// regardless of its capacity.
    fn broadcast_shutdown(&self) {
        for cell in self.registry.all() {
            for s in cell.slots() {
                if s.name() != "control" {
                    continue;
                }
                let Some(handle) = s.handle else { continue };
                if handle.meta().direction() != Direction::Inbox {
                    continue;
                }
                if let Ok(core) = handle.as_any_arc().downcast::<InboxCore<Control>>() {
                    core.final_inbox().append_flushed([Control::Shutdown]);
                }
            }
        }
    }
}

/// A component that failed or panicked, as remembered by [`System::failures`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The component.
    pub id: ComponentId,
    /// Its name.
    pub name: String,
    /// What happened.
    pub what: String,
}

/// Configures a [`System`].
#[derive(Debug, Clone)]
pub struct SystemBuilder {
    threads: usize,
}

impl SystemBuilder {
    /// How many scheduler threads (default 1). Top-level components are placed round-robin;
    /// children run on their parent's thread unless placed elsewhere, so components that talk a
    /// lot share a thread and their messages need no cross-thread hand-off.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }

    /// One scheduler per available core.
    pub fn all_cores(self) -> Self {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.threads(n)
    }

    /// Makes the system.
    pub fn build(self) -> System {
        System::make(self.threads, false)
    }
}

/// Why [`System::run`] returned early.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunError {
    /// Deterministic mode only: no component can make progress — nothing is runnable and no
    /// timer is pending — yet some have not ended. Lists each with what it waits on.
    Stalled {
        /// `(name, state)` of every component still live.
        waiting: Vec<(String, ComponentState)>,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Stalled { waiting } => {
                write!(f, "the system is stalled: ")?;
                for (i, (name, state)) in waiting.iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    write!(f, "{name} is {state:?}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RunError {}

/// What [`System::shutdown`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Names of components that had not ended by the deadline and were cancelled (or, for
    /// threaded components, abandoned: a thread cannot be killed).
    pub cancelled: Vec<String>,
}

/// A set of components and the schedulers that run them. See the [module docs](self).
pub struct System {
    shared: Arc<SystemShared>,
    drivers: Vec<Driver>,
    deterministic: Option<tokio::runtime::Runtime>,
    background: Vec<std::thread::JoinHandle<Driver>>,
    /// Deterministic mode: polls allowed before a busy system is reported (see
    /// [`System::set_busy_poll_limit`]).
    busy_poll_limit: usize,
}

impl fmt::Debug for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("System")
            .field("threads", &self.shared.scheds.len())
            .field("live", &self.shared.live())
            .field("deterministic", &self.deterministic.is_some())
            .finish()
    }
}

impl Default for System {
    fn default() -> Self {
        Self::new()
    }
}

impl System {
    /// A system with one scheduler thread.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Configures a system.
    pub fn builder() -> SystemBuilder {
        SystemBuilder { threads: 1 }
    }

    /// A single-threaded system driven by hand on a virtual clock, for tests.
    pub fn deterministic() -> Self {
        Self::make(1, true)
    }

    fn make(threads: usize, deterministic: bool) -> Self {
        let rt = deterministic.then(|| runtime(true));
        let clock = match &rt {
            Some(rt) => Clock::virtual_time(rt),
            None => Clock::real(),
        };
        let hub = Arc::new(Hub::new(clock));
        let scheds: Vec<_> = (0..threads)
            .map(|i| SchedShared::new(i, Arc::clone(&hub)))
            .collect();
        let shared = Arc::new(SystemShared {
            next_id: AtomicU64::new(1),
            registry: Registry::default(),
            hub,
            services: Services::default(),
            scheds: scheds.clone(),
            live: Mutex::new(0),
            live_changed: Condvar::new(),
            threaded_live: AtomicUsize::new(0),
            stop_when_empty: AtomicBool::new(false),
            placement: AtomicUsize::new(0),
            failures: Mutex::new(VecDeque::new()),
        });
        let system = System {
            shared,
            drivers: scheds.into_iter().map(Driver::new).collect(),
            deterministic: rt,
            background: Vec::new(),
            busy_poll_limit: BUSY_POLL_LIMIT,
        };
        crate::hook::run_hooks(&system.handle());
        system
    }

    /// How many scheduler threads this system has.
    pub fn threads(&self) -> usize {
        self.shared.scheds.len()
    }

    /// A cloneable handle to this system, usable from any thread.
    pub fn handle(&self) -> SystemHandle {
        SystemHandle::new(Arc::clone(&self.shared))
    }

    /// The system's services registry.
    pub fn services(&self) -> &Services {
        &self.shared.services
    }

    /// The live model: every component, its boxes with their figures, and the links.
    pub fn snapshot(&self) -> Snapshot {
        self.shared.snapshot()
    }

    /// Subscribes to the live model's change events, holding at most `capacity` unread ones
    /// (see [`Events`]). Costs the system nothing until called, and little after.
    pub fn events(&self, capacity: usize) -> Events {
        self.shared.hub.subscribe(capacity)
    }

    /// Installs a tap recording the last `capacity` messages that cross the box at `at` (see
    /// [`Tap`]); dropping the tap removes it.
    ///
    /// # Errors
    /// [`TapError`] naming what is missing if no live component has that box.
    pub fn tap(&self, at: &BoxAddress, capacity: usize) -> Result<Tap, TapError> {
        self.shared.tap(at, capacity)
    }

    /// Time since the system was built, on its clock (virtual for a deterministic system) —
    /// the clock of [`Snapshot::taken_at`] and of event and tap times.
    pub fn now(&self) -> Duration {
        self.shared.hub.now()
    }

    /// The most recent components that failed or panicked (up to 64), oldest first.
    pub fn failures(&self) -> Vec<Failure> {
        self.shared
            .failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// How many components are live (activated and not ended).
    pub fn live(&self) -> usize {
        self.shared.live()
    }

    /// Registers a top-level component without starting it, so its boxes can be linked first.
    pub fn adopt<C: Boxes>(&self, component: C) -> Child<C> {
        component::adopt(&self.shared, component, None, None, self.shared.place())
    }

    /// As [`adopt`](Self::adopt), with a name.
    pub fn adopt_named<C: Boxes>(&self, name: impl Into<String>, component: C) -> Child<C> {
        component::adopt(
            &self.shared,
            component,
            Some(name.into()),
            None,
            self.shared.place(),
        )
    }

    /// Starts an adopted component.
    pub fn activate<C: Component>(&self, child: Child<C>) -> ComponentId {
        component::activate(child)
    }

    /// Starts an adopted threaded component on its own OS thread.
    pub fn activate_threaded<C: ThreadedComponent>(&self, child: Child<C>) -> ComponentId {
        component::activate_threaded(child)
    }

    /// Adopts and starts a top-level component.
    pub fn spawn<C: Component>(&self, component: C) -> ComponentId {
        self.activate(self.adopt(component))
    }

    /// Adopts and starts a named top-level component.
    pub fn spawn_named<C: Component>(&self, name: impl Into<String>, component: C) -> ComponentId {
        self.activate(self.adopt_named(name, component))
    }

    /// Adopts and starts a threaded top-level component.
    pub fn spawn_threaded<C: ThreadedComponent>(&self, component: C) -> ComponentId {
        self.activate_threaded(self.adopt(component))
    }

    /// Runs until every component has ended.
    ///
    /// # Errors
    /// In deterministic mode, [`RunError::Stalled`] when components remain but none can make
    /// progress (instead of hanging). Real-time systems block until the end.
    pub fn run(&mut self) -> Result<(), RunError> {
        if self.deterministic.is_some() {
            return self.run_deterministic();
        }
        if !self.background.is_empty() {
            self.shared.wait_empty(None);
            return Ok(());
        }
        // Clear the schedulers' stop flags before arming "stop when empty" and looking at the
        // count: a threaded component ending in between then stops them for good, instead of
        // its stop being cleared by a reset that came after it.
        self.shared.scheds.iter().for_each(|s| s.reset());
        self.shared.stop_when_empty.store(true, Ordering::SeqCst);
        if self.shared.live() == 0 {
            return Ok(());
        }
        let mut drivers = std::mem::take(&mut self.drivers);
        let first = drivers.remove(0);
        let others: Vec<_> = drivers.into_iter().map(spawn_driver).collect();
        let mut first = drive(first);
        // The last component ending stops every scheduler; wait for the others.
        first.cancel_all();
        self.drivers.push(first);
        self.drivers.extend(
            others
                .into_iter()
                .map(|t| t.join().expect("scheduler thread panicked")),
        );
        self.shared.stop_when_empty.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Starts every scheduler on background threads and returns at once; components spawned
    /// later start immediately. End with [`shutdown`](Self::shutdown) (or wait with
    /// [`run`](Self::run)).
    ///
    /// # Panics
    /// If called on a deterministic system.
    pub fn start(&mut self) {
        assert!(
            self.deterministic.is_none(),
            "a deterministic system is driven by hand; it cannot start in the background"
        );
        if !self.background.is_empty() {
            return;
        }
        self.background = std::mem::take(&mut self.drivers)
            .into_iter()
            .map(spawn_driver)
            .collect();
    }

    /// Asks every component to stop ([`Control::Shutdown`] on its `control` inbox) and waits
    /// up to `timeout` for all to end; those still running are then cancelled and named in
    /// the report. In deterministic mode the timeout is virtual time.
    pub fn shutdown(&mut self, timeout: Duration) -> ShutdownReport {
        self.shared.broadcast_shutdown();
        if self.deterministic.is_some() {
            self.run_until_idle();
            if self.shared.live() > 0 {
                self.advance(timeout);
            }
            let cancelled = self.live_names();
            if let (Some(rt), Some(driver)) =
                (self.deterministic.as_ref(), self.drivers.first_mut())
            {
                rt.block_on(async { driver.cancel_all() });
            }
            return ShutdownReport { cancelled };
        }
        let ended = if self.background.is_empty() {
            // Not running: nothing can react to the request.
            self.shared.live() == 0
        } else {
            self.shared.wait_empty(Some(Instant::now() + timeout))
        };
        let cancelled = if ended { Vec::new() } else { self.live_names() };
        self.shared.scheds.iter().for_each(|s| s.stop());
        for t in std::mem::take(&mut self.background) {
            self.drivers
                .push(t.join().expect("scheduler thread panicked"));
        }
        for d in &mut self.drivers {
            d.cancel_all();
        }
        ShutdownReport { cancelled }
    }

    fn live_names(&self) -> Vec<String> {
        self.shared
            .registry
            .all()
            .iter()
            .filter(|c| !c.is_created())
            .map(|c| c.name())
            .collect()
    }

    fn det(&mut self) -> (&tokio::runtime::Runtime, &mut Driver) {
        let rt = self
            .deterministic
            .as_ref()
            .expect("only a deterministic system is driven by hand; use System::deterministic()");
        (rt, &mut self.drivers[0])
    }

    /// Deterministic mode: polls one runnable component; returns false if none was runnable.
    ///
    /// # Panics
    /// On a system not made with [`System::deterministic`].
    pub fn step(&mut self) -> bool {
        let (rt, driver) = self.det();
        rt.block_on(async { driver.tick(1) }) == 1
    }

    /// Deterministic mode: runs until no component is runnable without virtual time moving on.
    /// Returns how many times components were polled. A component that never waits (it always
    /// has input, sends into an unbounded box forever, or wakes itself in a loop) keeps the
    /// system busy; after [`BUSY_POLL_LIMIT`] polls without the system becoming idle (see
    /// [`set_busy_poll_limit`](Self::set_busy_poll_limit)) this panics, naming the components
    /// that were not waiting on a box, instead of hanging the test. Use [`step`](Self::step)
    /// to drive such a system a poll at a time.
    ///
    /// # Panics
    /// On a system not made with [`System::deterministic`], and when the system is still busy
    /// after the busy-poll limit.
    pub fn run_until_idle(&mut self) -> usize {
        let (shared, limit) = (Arc::clone(&self.shared), self.busy_poll_limit);
        let (rt, driver) = self.det();
        rt.block_on(idle(driver, &shared, limit))
    }

    /// Deterministic mode: how many polls [`run_until_idle`](Self::run_until_idle) (and
    /// [`run`](Self::run) and [`advance`](Self::advance), which use it) allow before deciding
    /// the system will never become idle; [`BUSY_POLL_LIMIT`] unless set.
    pub fn set_busy_poll_limit(&mut self, polls: usize) {
        self.busy_poll_limit = polls.max(1);
    }

    /// Deterministic mode: moves the virtual clock on by `by`, stopping at every timer that
    /// falls due on the way (including timers set by components woken on the way) and running
    /// components until idle at each, so that a component sleeping 10 ms in a loop runs ten
    /// times in `advance(100 ms)`.
    ///
    /// # Panics
    /// On a system not made with [`System::deterministic`].
    pub fn advance(&mut self, by: Duration) {
        let (shared, limit) = (Arc::clone(&self.shared), self.busy_poll_limit);
        let (rt, driver) = self.det();
        rt.block_on(async {
            let mut target = std::pin::pin!(tokio::time::sleep(by));
            loop {
                idle(driver, &shared, limit).await;
                // With the clock paused, tokio jumps straight to the earliest pending timer:
                // either a component's (which wakes it) or the target.
                let reached = std::future::poll_fn(|cx| {
                    if target.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(true);
                    }
                    driver.wait_for_work(cx).map(|()| false)
                })
                .await;
                if reached {
                    idle(driver, &shared, limit).await;
                    return;
                }
            }
        });
    }

    fn run_deterministic(&mut self) -> Result<(), RunError> {
        loop {
            self.run_until_idle();
            let live = self.shared.live();
            if live == 0 {
                return Ok(());
            }
            let shared = Arc::clone(&self.shared);
            let (rt, driver) = self.det();
            let woke = rt.block_on(async {
                // Virtual time jumps straight to the next pending timer; a sleep of a century
                // only completes if there is none, which means nothing can ever happen again —
                // unless a threaded component is still working, which the clock cannot see.
                let mut century = std::pin::pin!(tokio::time::sleep(Duration::from_secs(
                    100 * 365 * 24 * 3600
                )));
                std::future::poll_fn(|cx| {
                    if driver.wait_for_work(cx).is_ready() || shared.live() != live {
                        return Poll::Ready(true);
                    }
                    let threads_live = shared.threaded_live.load(Ordering::SeqCst) > 0;
                    if !threads_live && century.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(false);
                    }
                    Poll::Pending
                })
                .await
            });
            if !woke {
                let waiting = self
                    .snapshot()
                    .components
                    .into_iter()
                    .map(|c| (c.name, c.state))
                    .collect();
                return Err(RunError::Stalled { waiting });
            }
        }
    }
}

impl Drop for System {
    fn drop(&mut self) {
        if !self.background.is_empty() {
            self.shared.scheds.iter().for_each(|s| s.stop());
            for t in std::mem::take(&mut self.background) {
                t.join().ok();
            }
        }
        let drivers = std::mem::take(&mut self.drivers);
        match self.deterministic.take() {
            Some(rt) => rt.block_on(async move { drop(drivers) }),
            None => drop(drivers),
        }
        // Last, so that subscribers hear of the components cancelled above before the end.
        self.shared.hub.close();
    }
}

/// How many polls [`System::run_until_idle`] (and [`System::advance`] at each timer) allows
/// before it decides the system will never become idle and panics. Far more than any test
/// that ends needs, and reached within seconds by a component that wakes itself for ever.
pub const BUSY_POLL_LIMIT: usize = 100_000_000;

/// Runs `driver` until nothing is runnable without the clock moving; returns the polls made.
/// Panics after `limit` polls, naming the components that were not waiting on a box.
async fn idle(driver: &mut Driver, shared: &SystemShared, limit: usize) -> usize {
    let mut polled = 0;
    loop {
        polled += driver.tick(limit.min(1 << 20));
        // Let tokio fire timers that are already due and deliver I/O, then look again.
        tokio::task::yield_now().await;
        if !driver.has_work() {
            return polled;
        }
        if polled >= limit {
            let busy: Vec<String> = shared
                .registry
                .all()
                .iter()
                .filter(|c| matches!(c.state(), ComponentState::Running | ComponentState::Waiting))
                .map(|c| c.name())
                .collect();
            panic!(
                "the system is still busy after {polled} polls without becoming idle: a \
                 component keeps waking itself (or never runs out of input). Components not \
                 waiting on a box: {}",
                busy.join(", ")
            );
        }
    }
}

fn drive(mut driver: Driver) -> Driver {
    let rt = runtime(false);
    rt.block_on(driver.run_until_stopped());
    rt.block_on(async { driver.cancel_all() });
    driver
}

fn spawn_driver(driver: Driver) -> std::thread::JoinHandle<Driver> {
    let index = driver.shared.index;
    std::thread::Builder::new()
        .name(format!("axon-scheduler-{index}"))
        .spawn(move || drive(driver))
        .expect("cannot start a scheduler thread")
}

/// A cloneable, thread-safe handle to a [`System`].
#[derive(Clone)]
pub struct SystemHandle {
    shared: Arc<SystemShared>,
}

impl fmt::Debug for SystemHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemHandle")
            .field("live", &self.shared.live())
            .finish()
    }
}

impl SystemHandle {
    pub(crate) fn new(shared: Arc<SystemShared>) -> Self {
        SystemHandle { shared }
    }

    /// Starts a top-level component.
    pub fn spawn<C: Component>(&self, component: C) -> ComponentId {
        component::activate(component::adopt(
            &self.shared,
            component,
            None,
            None,
            self.shared.place(),
        ))
    }

    /// Starts a top-level threaded component.
    pub fn spawn_threaded<C: ThreadedComponent>(&self, component: C) -> ComponentId {
        component::activate_threaded(component::adopt(
            &self.shared,
            component,
            None,
            None,
            self.shared.place(),
        ))
    }

    /// The live model.
    pub fn snapshot(&self) -> Snapshot {
        self.shared.snapshot()
    }

    /// Subscribes to change events, as [`System::events`].
    pub fn events(&self, capacity: usize) -> Events {
        self.shared.hub.subscribe(capacity)
    }

    /// Installs a tap, as [`System::tap`].
    ///
    /// # Errors
    /// As [`System::tap`].
    pub fn tap(&self, at: &BoxAddress, capacity: usize) -> Result<Tap, TapError> {
        self.shared.tap(at, capacity)
    }

    /// Time since the system was built, as [`System::now`].
    pub fn now(&self) -> Duration {
        self.shared.hub.now()
    }

    /// True until the [`System`] this handle belongs to is dropped: a thread started by a
    /// [`SystemHook`](crate::SystemHook) stops when it turns false.
    pub fn is_alive(&self) -> bool {
        self.shared.hub.is_alive()
    }

    /// The services registry.
    pub fn services(&self) -> &Services {
        &self.shared.services
    }

    /// Asks every component to stop: puts [`Control::Shutdown`] on each `control` inbox
    /// (Kamaelia's `scheduler.stop()`, done by convention rather than by force).
    pub fn request_shutdown(&self) {
        self.shared.broadcast_shutdown();
    }

    /// How many components are live.
    pub fn live(&self) -> usize {
        self.shared.live()
    }
}
