//! Change events: a bounded, lossy stream of what changes in the live model.
//!
//! Nothing is built unless someone subscribes: every place that could emit first reads one
//! relaxed atomic counter of subscribers. With subscribers, an event is built once, stamped with
//! a sequence number and the system's time under one lock, and copied into each subscriber's
//! queue; a full queue drops the event and counts it ([`Events::missed`]), so a slow reader
//! never slows or blocks the system.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use super::clock::Clock;
use super::{BoxAddress, ComponentId, ComponentState};
use crate::boxes::BoxInfo;

/// One change in the live model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEvent {
    /// Position in the system's event sequence, from 0. Only events emitted while someone
    /// subscribes are numbered, so a gap between two events one subscriber received means it
    /// missed the ones in between.
    pub seq: u64,
    /// When it happened, on the system's clock (see [`Snapshot::taken_at`](super::Snapshot)).
    pub at: Duration,
    /// What happened.
    pub kind: EventKind,
}

/// What changed. Replaying these on top of a [`Snapshot`](super::Snapshot) taken after
/// subscribing gives the live model; re-applying one the snapshot already shows is harmless.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A component was registered (adopted; it is `Created` until activated).
    ComponentAdded {
        /// Its id.
        id: ComponentId,
        /// Its name.
        name: String,
        /// Its Rust type.
        type_name: &'static str,
        /// The component that created it.
        parent: Option<ComponentId>,
        /// Its boxes, in declaration order.
        boxes: Vec<BoxInfo>,
    },
    /// A component ended. The links from its boxes went with it (a [`EventKind::LinkRemoved`]
    /// was sent for each just before).
    ComponentEnded {
        /// Its id.
        id: ComponentId,
        /// How it ended: `Finished`, `Failed`, `Panicked` or `Cancelled`.
        state: ComponentState,
    },
    /// A link was made (for a link made before its source's component was registered: when
    /// that component was registered).
    LinkMade {
        /// The source box.
        from: BoxAddress,
        /// The destination box.
        to: BoxAddress,
    },
    /// A link was removed.
    LinkRemoved {
        /// The source box.
        from: BoxAddress,
        /// The destination box.
        to: BoxAddress,
    },
    /// A live component's state changed. Each poll of a component's task is told when it ends,
    /// as two events: `Running` (it ran), then what it waits on now (`Receiving`, `Sending`,
    /// `Waiting`, or `Running` again if it was woken meanwhile); a busy component sends about
    /// two per poll, so size the subscription accordingly. A scheduler looks for subscribers
    /// as each tick begins, so polls in a tick already going on when someone subscribes are not
    /// told; nor is a poll still going on (a snapshot shows it running). A threaded component
    /// is told each time its thread blocks.
    StateChanged {
        /// The component.
        id: ComponentId,
        /// Its new state.
        state: ComponentState,
    },
    /// A box was added to a running component ([`DynamicInboxes`](crate::DynamicInboxes)).
    BoxAdded {
        /// The component.
        component: ComponentId,
        /// The box.
        info: BoxInfo,
    },
    /// A box was removed from a running component.
    BoxRemoved {
        /// The component.
        component: ComponentId,
        /// The box's name.
        name: String,
    },
}

/// The live model's shared parts: the clock and the subscribers.
pub(crate) struct Hub {
    pub(crate) clock: Clock,
    /// How many subscriptions exist: the one thing every emitter reads.
    watchers: AtomicUsize,
    subs: Mutex<Subscribers>,
    alive: AtomicBool,
}

#[derive(Default)]
struct Subscribers {
    next_seq: u64,
    list: Vec<Arc<Queue>>,
}

impl Hub {
    pub(crate) fn new(clock: Clock) -> Self {
        Hub {
            clock,
            watchers: AtomicUsize::new(0),
            subs: Mutex::new(Subscribers::default()),
            alive: AtomicBool::new(true),
        }
    }

    /// Time since the system was built.
    pub(crate) fn now(&self) -> Duration {
        self.clock.now()
    }

    /// True if anyone subscribes (one relaxed load).
    #[inline]
    pub(crate) fn watched(&self) -> bool {
        self.watchers.load(Ordering::Relaxed) != 0
    }

    /// Emits the event `make` builds, if anyone subscribes.
    #[inline]
    pub(crate) fn emit(&self, make: impl FnOnce() -> EventKind) {
        if self.watched() {
            self.emit_now(make());
        }
    }

    #[cold]
    fn emit_now(&self, kind: EventKind) {
        let mut wake = Vec::new();
        {
            let mut subs = self.subs.lock();
            if subs.list.is_empty() {
                return;
            }
            let event = ModelEvent {
                seq: subs.next_seq,
                at: Duration::from_nanos(self.clock.now_nanos()),
                kind,
            };
            subs.next_seq += 1;
            let (last, rest) = subs.list.split_last().expect("not empty");
            for q in rest {
                wake.extend(q.push(event.clone()));
            }
            wake.extend(last.push(event));
        }
        wake.into_iter().for_each(Waker::wake);
    }

    pub(crate) fn subscribe(self: &Arc<Self>, capacity: usize) -> Events {
        let queue = Arc::new(Queue {
            capacity: capacity.max(1),
            state: Mutex::new(QueueState {
                events: VecDeque::new(),
                missed: 0,
                waker: None,
                closed: !self.alive.load(Ordering::SeqCst),
            }),
            ready: Condvar::new(),
        });
        let mut subs = self.subs.lock();
        subs.list.push(Arc::clone(&queue));
        self.watchers.fetch_add(1, Ordering::SeqCst);
        drop(subs);
        Events {
            hub: Arc::clone(self),
            queue,
        }
    }

    /// The system was dropped: subscribers get what is queued, then `None`.
    pub(crate) fn close(&self) {
        self.alive.store(false, Ordering::SeqCst);
        let list = self.subs.lock().list.clone();
        for q in list {
            let waker = {
                let mut st = q.state.lock();
                st.closed = true;
                st.waker.take()
            };
            q.ready.notify_all();
            if let Some(w) = waker {
                w.wake();
            }
        }
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }
}

struct Queue {
    capacity: usize,
    state: Mutex<QueueState>,
    ready: Condvar,
}

struct QueueState {
    events: VecDeque<ModelEvent>,
    missed: u64,
    waker: Option<Waker>,
    closed: bool,
}

impl Queue {
    /// Queues `event` or counts it missed; returns the reader's waker to wake.
    fn push(&self, event: ModelEvent) -> Option<Waker> {
        let mut st = self.state.lock();
        if st.events.len() >= self.capacity {
            st.missed += 1;
            return None;
        }
        st.events.push_back(event);
        let waker = st.waker.take();
        drop(st);
        self.ready.notify_one();
        waker
    }
}

/// A subscription to a system's change events, from [`System::events`](crate::System::events).
///
/// Bounded and lossy: it holds at most its capacity of unread events; what arrives while it is
/// full is dropped and counted in [`missed`](Self::missed). Dropping it unsubscribes. When the
/// last subscription is dropped the system stops building events.
pub struct Events {
    hub: Arc<Hub>,
    queue: Arc<Queue>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.queue.state.lock();
        f.debug_struct("Events")
            .field("queued", &st.events.len())
            .field("capacity", &self.queue.capacity)
            .field("missed", &st.missed)
            .finish()
    }
}

impl Events {
    /// The next event if one is queued.
    pub fn try_next(&mut self) -> Option<ModelEvent> {
        self.queue.state.lock().events.pop_front()
    }

    /// Waits for the next event. Returns `None` once the system has been dropped and every
    /// queued event has been read.
    pub async fn next(&mut self) -> Option<ModelEvent> {
        poll_fn(|cx| {
            let mut st = self.queue.state.lock();
            if let Some(e) = st.events.pop_front() {
                return Poll::Ready(Some(e));
            }
            if st.closed {
                return Poll::Ready(None);
            }
            if !st.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                st.waker = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// Blocks the calling thread until an event arrives, for up to `timeout`. Returns `None`
    /// on timeout, or once the system has been dropped and every queued event has been read.
    /// For plain threads only: inside a component use [`next`](Self::next).
    pub fn next_timeout(&mut self, timeout: Duration) -> Option<ModelEvent> {
        let deadline = std::time::Instant::now() + timeout;
        let mut st = self.queue.state.lock();
        loop {
            if let Some(e) = st.events.pop_front() {
                return Some(e);
            }
            if st.closed || self.queue.ready.wait_until(&mut st, deadline).timed_out() {
                return st.events.pop_front();
            }
        }
    }

    /// How many events were dropped because this subscription was full.
    pub fn missed(&self) -> u64 {
        self.queue.state.lock().missed
    }

    /// The most unread events this subscription holds.
    pub fn capacity(&self) -> usize {
        self.queue.capacity
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let mut subs = self.hub.subs.lock();
        subs.list.retain(|q| !Arc::ptr_eq(q, &self.queue));
        self.hub.watchers.fetch_sub(1, Ordering::SeqCst);
    }
}
