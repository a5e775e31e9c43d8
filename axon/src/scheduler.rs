//! The scheduler: runs component bodies (futures) on one OS thread, Kamaelia-style.
//!
//! Each scheduler owns a local FIFO run queue of tasks. A task is polled only after something
//! woke it, and it is queued at most once however many wake-ups arrive before it runs: the
//! first wake of a batch pays, the rest are a flag test. A woken component drains everything
//! available before it yields, so scheduling is paid per batch of messages rather than per
//! message. Wake-ups from the same thread go straight onto the local queue; wake-ups from other
//! threads (threaded components, I/O on another scheduler, plain code) go through a small
//! injection queue.
//!
//! A scheduler runs inside a tokio current-thread runtime, as the one future that runtime
//! drives, so components can use tokio's timers, sockets and processes; when no component is
//! runnable the scheduler returns `Pending` and tokio parks the thread until I/O, a timer or an
//! injected wake-up arrives. Nothing spins: a waiting component costs no CPU.
//!
//! ```
//! use axon::System;
//! // The scheduler is internal; systems own them. One per thread:
//! let system = System::builder().threads(2).build();
//! assert_eq!(system.threads(), 2);
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::model::ComponentCell;

pub(crate) type TaskFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A task to start: its future and the live-model entry of the component it runs, which is
/// also the task's waker (see [`TaskLink`]).
pub(crate) type NewTask = (TaskFuture, Arc<ComponentCell>);

/// How many tasks one scheduler polls before it lets tokio look at I/O and timers.
const BUDGET: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TaskKey {
    slot: u32,
    gen: u32,
}

impl TaskKey {
    /// No key yet: the task has not reached its scheduler's slots.
    const NONE: u64 = u64::MAX;

    fn pack(self) -> u64 {
        (u64::from(self.slot) << 32) | u64::from(self.gen)
    }

    fn unpack(word: u64) -> Option<TaskKey> {
        (word != Self::NONE).then_some(TaskKey {
            slot: (word >> 32) as u32,
            gen: word as u32,
        })
    }
}

enum Injected {
    Wake(TaskKey),
    Spawn(NewTask),
}

/// The part of a scheduler that other threads and wakers may touch.
pub(crate) struct SchedShared {
    id: u64,
    pub(crate) index: usize,
    injected: Mutex<Vec<Injected>>,
    has_injected: AtomicBool,
    /// Set when a task is spawned onto the local queue (only ever by the scheduler's own
    /// thread), so that the driver's check after every poll is one load, not a thread-local
    /// access.
    has_spawned: AtomicBool,
    idle_waker: Mutex<Option<Waker>>,
    stop: AtomicBool,
    /// The system's live model: its clock is read once per tick for state timestamps.
    hub: Arc<crate::model::Hub>,
    /// That reading, for the model: when the current tick began, which is when a component
    /// being polled now started running (to the clock's precision within a tick).
    tick_started: AtomicU64,
    /// For the live model: the address of the component cell whose task is being polled, or
    /// was polled last in the tick going on; 0 between ticks (see `model::state`).
    polling: AtomicUsize,
}

thread_local! {
    static LOCAL: RefCell<Option<Local>> = const { RefCell::new(None) };
}

/// The run queue of the scheduler that owns this thread.
struct Local {
    sched: u64,
    queue: VecDeque<TaskKey>,
    spawned: Vec<NewTask>,
    idle: bool,
}

impl SchedShared {
    pub(crate) fn new(index: usize, hub: Arc<crate::model::Hub>) -> Arc<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Arc::new(SchedShared {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            index,
            injected: Mutex::new(Vec::new()),
            has_injected: AtomicBool::new(false),
            has_spawned: AtomicBool::new(false),
            idle_waker: Mutex::new(None),
            stop: AtomicBool::new(false),
            hub,
            tick_started: AtomicU64::new(0),
            polling: AtomicUsize::new(0),
        })
    }

    /// Runs `f` on this scheduler's local queue if the current thread is this scheduler's.
    fn with_local<R>(&self, f: impl FnOnce(&mut Local) -> R) -> Option<R> {
        LOCAL
            .try_with(|l| match l.try_borrow_mut() {
                Ok(mut l) => match &mut *l {
                    Some(local) if local.sched == self.id => Some(f(local)),
                    _ => None,
                },
                Err(_) => None,
            })
            .ok()
            .flatten()
    }

    fn schedule(&self, key: TaskKey) {
        match self.with_local(|l| {
            l.queue.push_back(key);
            std::mem::replace(&mut l.idle, false)
        }) {
            Some(true) => self.wake_idle(),
            Some(false) => {}
            None => self.inject(Injected::Wake(key)),
        }
    }

    /// Queues a new task on this scheduler.
    pub(crate) fn spawn(&self, task: NewTask) {
        let mut fut = Some(task);
        match self.with_local(|l| {
            l.spawned.push(fut.take().expect("taken once"));
            self.has_spawned.store(true, Ordering::Relaxed);
            std::mem::replace(&mut l.idle, false)
        }) {
            Some(true) => self.wake_idle(),
            Some(false) => {}
            None => self.inject(Injected::Spawn(fut.take().expect("not taken"))),
        }
    }

    fn inject(&self, item: Injected) {
        self.injected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(item);
        self.has_injected.store(true, Ordering::SeqCst);
        self.wake_idle();
    }

    /// Wakes the scheduler's driver if it is parked (it then looks again at what to do).
    pub(crate) fn wake_idle(&self) {
        let w = self
            .idle_waker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(w) = w {
            w.wake();
        }
    }

    /// Asks the scheduler's driver to return.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake_idle();
    }

    /// Clears a previous stop request so the scheduler can be driven again.
    pub(crate) fn reset(&self) {
        self.stop.store(false, Ordering::SeqCst);
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// How a component's task is woken: kept inside its live-model entry, which serves as the
/// task's waker, so starting a task allocates nothing for waking it.
pub(crate) struct TaskLink {
    sched: Arc<SchedShared>,
    /// The task's [`TaskKey`] once its scheduler has taken it in ([`TaskKey::NONE`] before).
    key: AtomicU64,
    /// The two words a poll writes, kept on one cache line.
    hot: Hot,
}

/// The words of a [`TaskLink`] that every poll writes: 16 bytes, 16-aligned, so never split
/// across cache lines (the live model's word on a line of its own made a ring of 1,000
/// components a few percent slower, with the same instructions).
#[repr(C, align(16))]
struct Hot {
    /// Queued (or about to be polled): further wake-ups until the poll are a flag test.
    scheduled: AtomicBool,
    /// For the live model: when the tick that last polled the task began (nanoseconds on the
    /// system's clock); a threaded component's thread uses it instead (see `model::state`).
    polled: AtomicU64,
}

impl TaskLink {
    /// For a component that will run on `sched`.
    pub(crate) fn new(sched: Arc<SchedShared>) -> Self {
        TaskLink {
            sched,
            key: AtomicU64::new(TaskKey::NONE),
            hot: Hot {
                scheduled: AtomicBool::new(true),
                polled: AtomicU64::new(0),
            },
        }
    }

    /// When the tick that polls the task now began, on the system's clock (nanoseconds).
    pub(crate) fn tick_started(&self) -> u64 {
        self.sched.tick_started.load(Ordering::Relaxed)
    }

    /// True while its scheduler polls the task of `cell` (or, within a tick, has just polled
    /// it: a reader on another thread may see a poll that has just ended as going on).
    pub(crate) fn is_polling(&self, cell: &ComponentCell) -> bool {
        self.sched.polling.load(Ordering::Acquire) == cell as *const ComponentCell as usize
    }

    /// The live model's poll word (see `model::state`).
    pub(crate) fn polled(&self) -> u64 {
        self.hot.polled.load(Ordering::Acquire)
    }

    /// Sets the live model's poll word: one plain store.
    #[inline(always)]
    pub(crate) fn set_polled(&self, word: u64) {
        self.hot.polled.store(word, Ordering::Release);
    }

    /// True while the task is queued to be polled (it has been woken since its last poll began).
    pub(crate) fn is_scheduled(&self) -> bool {
        self.hot.scheduled.load(Ordering::Acquire)
    }

    /// Queues the task unless it is queued already. Before the scheduler has taken the task in
    /// there is nothing to queue: it is polled as soon as it is taken in.
    pub(crate) fn wake(&self) {
        if !self.hot.scheduled.swap(true, Ordering::AcqRel) {
            if let Some(key) = TaskKey::unpack(self.key.load(Ordering::SeqCst)) {
                self.sched.schedule(key);
            }
        }
    }
}

impl Wake for ComponentCell {
    fn wake(self: Arc<Self>) {
        self.task.wake();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.task.wake();
    }
}

struct TaskEntry {
    future: TaskFuture,
    /// Made from `cell`.
    waker: Waker,
    cell: Arc<ComponentCell>,
}

struct Slot {
    gen: u32,
    task: Option<TaskEntry>,
}

/// The thread-owned half of a scheduler: the tasks themselves. Exactly one thread drives it.
pub(crate) struct Driver {
    pub(crate) shared: Arc<SchedShared>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// This scheduler's run queue while it is not installed on the current thread.
    local: Option<Local>,
    /// Whatever run queue the thread had before this one was installed (several deterministic
    /// systems may be driven in turn on one thread).
    outer: Option<Local>,
    entered: u32,
}

impl Driver {
    pub(crate) fn new(shared: Arc<SchedShared>) -> Self {
        let local = Local {
            sched: shared.id,
            queue: VecDeque::new(),
            spawned: Vec::new(),
            idle: false,
        };
        Driver {
            shared,
            slots: Vec::new(),
            free: Vec::new(),
            local: Some(local),
            outer: None,
            entered: 0,
        }
    }

    /// Installs this scheduler's run queue on the current thread, so that wake-ups here go
    /// straight onto it. Re-entrant; undone by [`leave`](Self::leave).
    fn enter(&mut self) {
        if self.entered == 0 {
            let mine = self
                .local
                .take()
                .expect("a scheduler's run queue is either here or installed");
            self.outer = LOCAL.with(|l| l.borrow_mut().replace(mine));
        }
        self.entered += 1;
    }

    fn leave(&mut self) {
        self.entered -= 1;
        if self.entered == 0 {
            let outer = self.outer.take();
            self.local = LOCAL.with(|l| std::mem::replace(&mut *l.borrow_mut(), outer));
        }
    }

    fn with_queue<R>(&mut self, f: impl FnOnce(&mut Local) -> R) -> R {
        match self.local.as_mut() {
            Some(l) => f(l),
            None => LOCAL.with(|l| f(l.borrow_mut().as_mut().expect("installed"))),
        }
    }

    fn pop(&mut self) -> Option<TaskKey> {
        self.with_queue(|l| l.queue.pop_front())
    }

    #[inline(never)]
    fn take_spawned(&mut self) -> Vec<NewTask> {
        self.with_queue(|l| std::mem::take(&mut l.spawned))
    }

    fn insert(&mut self, (future, cell): NewTask) {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(Slot { gen: 0, task: None });
                (self.slots.len() - 1) as u32
            }
        };
        let key = TaskKey {
            slot,
            gen: self.slots[slot as usize].gen,
        };
        cell.task.hot.scheduled.store(true, Ordering::SeqCst);
        cell.task.key.store(key.pack(), Ordering::SeqCst);
        let waker = Waker::from(Arc::clone(&cell));
        self.slots[slot as usize].task = Some(TaskEntry {
            future,
            waker,
            cell,
        });
        self.with_queue(|l| l.queue.push_back(key));
    }

    fn take_injected(&mut self) {
        if !self.shared.has_injected.swap(false, Ordering::SeqCst) {
            return;
        }
        let items = std::mem::take(
            &mut *self
                .shared
                .injected
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        for item in items {
            match item {
                Injected::Wake(key) => self.with_queue(|l| l.queue.push_back(key)),
                Injected::Spawn(f) => self.insert(f),
            }
        }
    }

    /// Takes in the tasks spawned since the last call. Called after every poll, so the usual
    /// case — nothing spawned — is one flag load: no thread-local access, and no vector taken,
    /// iterated or dropped.
    #[inline]
    fn adopt_spawned(&mut self) {
        if !self.shared.has_spawned.load(Ordering::Relaxed) {
            return;
        }
        self.shared.has_spawned.store(false, Ordering::Relaxed);
        for f in self.take_spawned() {
            self.insert(f);
        }
    }

    /// Polls up to `budget` runnable tasks; returns how many were polled.
    pub(crate) fn tick(&mut self, budget: usize) -> usize {
        self.enter();
        let now = self.shared.hub.clock.cache();
        self.shared
            .tick_started
            .store(now.nanos(), Ordering::Relaxed);
        self.take_injected();
        self.adopt_spawned();
        // Subscribers to the live model's events hear of every poll: a tick that begins while
        // someone subscribes tells them (one test of a flag per tick, not per poll).
        let told = !cfg!(axon_no_model) && self.shared.hub.watched();
        let mut polled = 0;
        while polled < budget {
            let Some(key) = self.pop() else { break };
            let Some(slot) = self.slots.get_mut(key.slot as usize) else {
                continue;
            };
            if slot.gen != key.gen {
                continue;
            }
            let Some(TaskEntry {
                future,
                waker,
                cell,
            }) = slot.task.as_mut()
            else {
                continue;
            };
            if !cfg!(axon_no_model) {
                // For the live model, before the task stops showing as queued: it runs, in
                // this tick (two plain stores).
                let cell: &ComponentCell = cell;
                cell.task.set_polled(now.nanos());
                self.shared
                    .polling
                    .store(cell as *const _ as usize, Ordering::Release);
            }
            cell.task.hot.scheduled.store(false, Ordering::Release);
            let mut cx = Context::from_waker(waker);
            polled += 1;
            crate::coop::grant();
            let ready = future.as_mut().poll(&mut cx).is_ready();
            crate::coop::lift();
            if told {
                self.shared.polling.store(0, Ordering::Release);
                if !ready {
                    cell.poll_told();
                }
            }
            if ready {
                // Its cell's address may be reused by a component made from now on.
                self.shared.polling.store(0, Ordering::Release);
                let done = slot.task.take();
                slot.gen = slot.gen.wrapping_add(1);
                self.free.push(key.slot);
                drop(done);
            }
            self.adopt_spawned();
            if polled % 64 == 0 {
                self.take_injected();
            }
        }
        self.shared.polling.store(0, Ordering::Release);
        self.leave();
        polled
    }

    /// True if something is runnable now.
    pub(crate) fn has_work(&mut self) -> bool {
        self.shared.has_injected.load(Ordering::SeqCst)
            || self.with_queue(|l| !l.queue.is_empty() || !l.spawned.is_empty())
    }

    /// Ready when something is runnable; otherwise registers to be woken when something is.
    pub(crate) fn wait_for_work(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.has_work() {
            return Poll::Ready(());
        }
        *self
            .shared
            .idle_waker
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
        self.set_idle(true);
        if self.has_work() {
            self.set_idle(false);
            return Poll::Ready(());
        }
        Poll::Pending
    }

    fn set_idle(&mut self, idle: bool) {
        self.with_queue(|l| l.idle = idle);
    }

    /// Drops every task (cancelling them). Wake-ups caused by the drops are discarded.
    pub(crate) fn cancel_all(&mut self) {
        self.enter();
        self.take_injected();
        self.adopt_spawned();
        let tasks: Vec<TaskEntry> = self
            .slots
            .iter_mut()
            .filter_map(|s| s.task.take())
            .collect();
        drop(tasks);
        // Tasks spawned by destructors (there should be none) are dropped too.
        drop(self.take_spawned());
        self.take_injected();
        let rest: Vec<TaskEntry> = self
            .slots
            .iter_mut()
            .filter_map(|s| s.task.take())
            .collect();
        drop(rest);
        self.with_queue(|l| l.queue.clear());
        self.leave();
    }

    /// Runs tasks until the scheduler is asked to stop, parking (returning `Pending` to tokio)
    /// whenever nothing is runnable. The run queue stays installed on this thread throughout,
    /// so wake-ups from I/O and timers on this thread go straight onto it.
    pub(crate) async fn run_until_stopped(&mut self) {
        self.enter();
        std::future::poll_fn(|cx| loop {
            let polled = self.tick(BUDGET);
            if self.shared.is_stopping() {
                return Poll::Ready(());
            }
            if polled == BUDGET {
                // Busy: let tokio look at I/O and timers, then come straight back.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            *self
                .shared
                .idle_waker
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
            self.set_idle(true);
            if !self.has_work() && !self.shared.is_stopping() {
                return Poll::Pending;
            }
            self.set_idle(false);
        })
        .await;
        self.leave();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

/// Builds the tokio runtime a scheduler thread runs inside.
pub(crate) fn runtime(paused: bool) -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_current_thread();
    b.enable_all();
    if paused {
        b.start_paused(true);
    }
    b.build()
        .expect("cannot build the tokio runtime for a scheduler thread")
}
