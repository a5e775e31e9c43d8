//! A component's state, learnt when someone looks.
//!
//! Nothing on the message path records what a component waits on. The boxes already know it:
//! an inbox whose reader waits has its reader parked, and a full inbox lists the wakers of the
//! senders waiting for room (with when each began to wait, `boxes/senders.rs`). A snapshot
//! reads those, so a receive, or a send that finds room, costs the live model nothing. What
//! the model keeps itself is small:
//!
//! * the component's life: created, started, or how it ended (written once or twice);
//! * its *poll word* (kept in its task link, on the cache line its scheduler writes anyway):
//!   the time of the scheduler tick that last polled its task, one plain store per poll, with
//!   one more for the scheduler's note of which task it polls (see `Driver::tick`). For a
//!   threaded component: [`POLLING`] while its thread is not blocked on a box, else when it
//!   blocked;
//! * each outbox's *blocked* flag, set by a send that finds its destination full and cleared
//!   when that send ends or is dropped (only on that rare path).
//!
//! From those, a started component is `Running` while its task is being polled or queued (it
//! has been woken; since its last poll, at the latest), else it waits: `Sending` if one of its
//! outboxes is blocked, else `Receiving` if one of its inboxes has its reader parked, else
//! `Waiting` (a timer, I/O, another future). A send's wait counts from when it first found the
//! inbox full (the full inbox keeps that time beside the sender's waker, which it finds by the
//! waker's data pointer); other waits from the tick of its last poll.
//!
//! What that costs in exactness, and why it is acceptable:
//! * A box that a poll stopped looking at stays parked until a message comes (the futures do
//!   not unregister when dropped), so a component that waited on `control` and a data box,
//!   and now waits on a timer alone, still shows `Receiving` on `control`. Components that
//!   follow the control convention watch `control` in every wait, so for them it is true.
//! * A send's start time is found by the sender's waker: one polled through another executor's
//!   machinery (a `FuturesUnordered` inside the body, say) counts from the tick of its last
//!   poll instead. A caller of [`Outbox::poll_send`](crate::Outbox::poll_send) that gives a
//!   send up shows it until its next `poll_send` on that outbox completes. Sends through an
//!   [`InboxRef`](crate::InboxRef) are not shown as `Sending` at all.
//! * On a multi-threaded system, a component whose poll has just ended may still show as
//!   running until its scheduler polls the next task: a snapshot is read component by
//!   component while the system runs, and is exact only on a deterministic one.

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::{BoxSlot, ComponentCell, ComponentState, EventKind};
use crate::boxes::meta::ErasedBox;

/// How far along its life a component is (its state when not derived from its boxes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Activity {
    Created = 0,
    /// Started: what it does now is read from its poll word and its boxes.
    Running = 1,
    Finished = 2,
    Failed = 3,
    Panicked = 4,
    Cancelled = 5,
}

const ACTIVITIES: [Activity; 6] = [
    Activity::Created,
    Activity::Running,
    Activity::Finished,
    Activity::Failed,
    Activity::Panicked,
    Activity::Cancelled,
];

impl Activity {
    pub(crate) fn from_u8(v: u8) -> Activity {
        ACTIVITIES[usize::from(v)]
    }
}

/// A threaded component's poll word while its thread is not blocked on a box.
pub(crate) const POLLING: u64 = u64::MAX;

/// The most links a snapshot follows from an outbox to the inbox at the end of its chain.
const CHAIN_LIMIT: usize = 64;

thread_local! {
    /// The threaded component whose body runs on this thread, if any.
    static THREAD_CELL: RefCell<Option<Arc<ComponentCell>>> = const { RefCell::new(None) };
}

impl ComponentCell {
    /// Records its start or its end, from now; tells subscribers of a start, while
    /// [`EventKind::ComponentEnded`] reports an end.
    pub(crate) fn set_activity(&self, activity: Activity) {
        let now = self.hub.clock.now_nanos();
        self.since.store(now, Ordering::Relaxed);
        self.task.set_polled(now);
        self.activity.store(activity as u8, Ordering::Release);
        if activity == Activity::Running && self.hub.watched() {
            self.state_changed();
        }
    }

    /// How far along its life it is.
    pub(crate) fn activity(&self) -> Activity {
        Activity::from_u8(self.activity.load(Ordering::Acquire))
    }

    /// True while registered but not yet activated.
    pub(crate) fn is_created(&self) -> bool {
        self.activity() == Activity::Created
    }

    /// Tells subscribers that the component ran and what it waits on now (called after a poll
    /// that did not end it, while someone subscribes).
    #[cold]
    #[inline(never)]
    pub(crate) fn poll_told(&self) {
        self.hub.emit(|| EventKind::StateChanged {
            id: self.id,
            state: ComponentState::Running,
        });
        self.state_changed();
    }

    /// Tells subscribers the component's state now.
    #[cold]
    #[inline(never)]
    pub(crate) fn state_changed(&self) {
        self.hub.emit(|| EventKind::StateChanged {
            id: self.id,
            state: self.state(),
        });
    }

    /// What the component is doing.
    pub(crate) fn state(&self) -> ComponentState {
        self.state_since().0
    }

    /// What the component is doing and since when.
    pub(crate) fn state_since(&self) -> (ComponentState, Duration) {
        self.state_with(None)
    }

    /// [`state_since`](Self::state_since), given its box slots if the caller has them.
    pub(crate) fn state_with(&self, slots: Option<&[BoxSlot]>) -> (ComponentState, Duration) {
        let at = Duration::from_nanos;
        let activity = self.activity();
        if activity != Activity::Running {
            return (self.life_state(activity), at(self.since()));
        }
        let threaded = self.waker_id.load(Ordering::Relaxed) != 0;
        // Queued before polled: the scheduler marks a task polled before it clears its queued
        // flag, so a task between the two is seen by one test or the other.
        let queued = !threaded && self.task.is_scheduled();
        let polling = !threaded && self.task.is_polling(self);
        let polled = self.task.polled();
        if threaded && polled == POLLING {
            // Its thread is not blocked on a box: running since it last resumed.
            return (ComponentState::Running, at(self.since()));
        }
        if queued {
            // Woken and queued: runnable (since its last poll, at the latest).
            return (ComponentState::Running, at(polled));
        }
        if polling {
            return (ComponentState::Running, at(self.task.tick_started()));
        }
        let (state, since) = match slots {
            Some(slots) => self.waits_on(slots, polled),
            None => self.waits_on(&self.slots(), polled),
        };
        match self.activity() {
            // It ended while we looked: show the end.
            Activity::Running => (state, at(since)),
            ended => (self.life_state(ended), at(self.since())),
        }
    }

    /// The state of a component not started, or ended.
    fn life_state(&self, activity: Activity) -> ComponentState {
        let failure = || self.failure().to_string();
        match activity {
            Activity::Created | Activity::Running => ComponentState::Created,
            Activity::Finished => ComponentState::Finished,
            Activity::Failed => ComponentState::Failed { error: failure() },
            Activity::Panicked => ComponentState::Panicked { message: failure() },
            Activity::Cancelled => ComponentState::Cancelled,
        }
    }

    /// When it started, ended or (a threaded component) last resumed: read after the words that
    /// say which, since it is written before them.
    fn since(&self) -> u64 {
        self.since.load(Ordering::Acquire)
    }

    /// What the component waits on, read from its boxes, and since when (`polled`: the time of
    /// the tick of its last poll, when its other waits began). A send waiting for room outranks
    /// a receive and counts from when it first found the destination full, across wake-ups that
    /// freed no room; of several inboxes waited on, one other than `control` is named.
    fn waits_on(&self, slots: &[BoxSlot], polled: u64) -> (ComponentState, u64) {
        let boxes = || {
            slots
                .iter()
                .filter_map(|s| Some((s.handle.as_ref()?, s.name())))
        };
        if let Some((h, name)) = boxes().find(|(h, _)| h.sending()) {
            let began = end_of_chain(h).sender_waits(self.waker_ptr());
            let outbox = name.to_string();
            return (
                ComponentState::Sending { outbox },
                began.map_or(polled, |b| b.min(polled)),
            );
        }
        let mut parked = boxes().filter(|(h, _)| h.receiver_waits()).map(|(_, n)| n);
        let first = parked.next();
        let named = match first {
            Some("control") => parked.next().or(first),
            other => other,
        };
        let state = match named {
            Some(name) => ComponentState::Receiving {
                inbox: name.to_string(),
            },
            None => ComponentState::Waiting,
        };
        (state, polled)
    }

    /// The data pointer of the waker its waits register: the cell itself for a task, the
    /// thread's waker for a threaded component.
    fn waker_ptr(&self) -> *const () {
        match self.waker_id.load(Ordering::Relaxed) {
            0 => self as *const ComponentCell as *const (),
            id => id as *const (),
        }
    }

    /// Makes this thread the one that runs this threaded component's body: its blocking waits
    /// are shown from now on (see [`ThreadWait`]).
    pub(crate) fn enter_thread(self: &Arc<Self>) {
        let waker = crate::blocking::thread_waker_ptr();
        self.waker_id.store(waker as usize, Ordering::Relaxed);
        self.task.set_polled(POLLING);
        THREAD_CELL.with(|c| *c.borrow_mut() = Some(Arc::clone(self)));
    }

    /// Undoes [`enter_thread`](Self::enter_thread) as the body returns.
    pub(crate) fn leave_thread() {
        THREAD_CELL.with(|c| c.borrow_mut().take());
    }
}

/// The inbox at the end of the chain that starts at `b` (or the last box found).
fn end_of_chain(b: &Arc<dyn ErasedBox>) -> Arc<dyn ErasedBox> {
    let mut at = Arc::clone(b);
    for _ in 0..CHAIN_LIMIT {
        match at.target() {
            Some(next) => at = next,
            None => break,
        }
    }
    at
}

/// A threaded component blocked on a box, from [`begin`](Self::begin) until dropped; nothing
/// on a thread that runs no component.
pub(crate) struct ThreadWait(Option<Arc<ComponentCell>>);

impl ThreadWait {
    /// The component on this thread, if any, waits from now.
    pub(crate) fn begin() -> ThreadWait {
        let cell = THREAD_CELL.with(|c| c.borrow().clone());
        if let Some(cell) = &cell {
            let now = cell.hub.clock.now_nanos();
            cell.task.set_polled(now);
            if cell.hub.watched() {
                cell.poll_told();
            }
        }
        ThreadWait(cell)
    }
}

impl Drop for ThreadWait {
    /// It runs again, from now.
    fn drop(&mut self) {
        if let Some(cell) = &self.0 {
            let now = cell.hub.clock.now_nanos();
            cell.since.store(now, Ordering::Relaxed);
            cell.task.set_polled(POLLING);
        }
    }
}
