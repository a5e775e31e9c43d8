//! The live model of a running system: every component with its boxes, links and state,
//! readable at any time with [`System::snapshot`](crate::System::snapshot) — Kamaelia's
//! `Introspector`, plus what it lacked:
//!
//! * **Time.** [`Snapshot::taken_at`] and [`ComponentSnapshot::state_since`] are on the
//!   system's clock (virtual for [`System::deterministic`](crate::System::deterministic), so
//!   tests are exact).
//! * **Change events.** [`System::events`](crate::System::events) subscribes to a bounded,
//!   lossy stream of [`ModelEvent`]s: components added and ended, links made and removed,
//!   states changed. A slow reader misses events (and counts them) instead of slowing the
//!   system; with no subscriber nothing is built.
//! * **Stalls and deadlocks.** [`Snapshot::stalls`] lists components blocked sending (or
//!   waiting to receive) for longer than a threshold; [`Snapshot::deadlocks`] finds cycles of
//!   components each blocked sending into the full inbox of the next.
//! * **Taps.** [`System::tap`](crate::System::tap) keeps the last messages that crossed one
//!   box, as their `Debug` text (see [`Tap`] for which boxes can show `Debug`).
//! * **tracing.** With axon's `tracing` feature (on by default), each component runs in a
//!   span and, at DEBUG, every send and receive is an event.
//!
//! What keeping the model costs on the message path: box figures are plain counters updated
//! under the lock a delivery takes anyway; events, taps and tracing each cost one test of a
//! flag until someone uses them. What a component waits on is not recorded at all: a snapshot
//! reads it from the boxes (an inbox knows whether its reader waits, a full inbox which senders
//! wait for room), so a receive or a send costs the model nothing. Each poll of a task costs
//! two plain stores (its tick's time, and which task the scheduler polls). That is under 0.1%
//! of the instructions when a poll moves many messages and under 1% in the worst case, one
//! message per poll, at the edge of what wall time here can separate from noise
//! (`BENCHMARKS.md` measures it against a build with the tracking left out:
//! `RUSTFLAGS="--cfg axon_no_model"`, for measuring only). See [`ComponentState`] for what a
//! state shows and since when.
//!
//! ```
//! use std::time::Duration;
//! use axon::model::{BoxAddress, EventKind, StallKind};
//! use axon::{Boxes, Component, ComponentState, Context, Error, Inbox, Outbox, System};
//!
//! /// Sends 0, 1, 2, … for ever.
//! #[derive(Boxes, Default)]
//! struct Numbers {
//!     /// The numbers.
//!     outbox: Outbox<u32>,
//! }
//! impl Component for Numbers {
//!     async fn run(mut self, _ctx: Context) -> Result<(), Error> {
//!         for n in 0.. {
//!             self.outbox.send(n).await?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! /// Never reads its two-slot inbox.
//! #[derive(Boxes)]
//! struct Deaf {
//!     /// Never read.
//!     inbox: Inbox<u32>,
//! }
//! impl Component for Deaf {
//!     async fn run(self, _ctx: Context) -> Result<(), Error> {
//!         std::future::pending::<()>().await;
//!         Ok(())
//!     }
//! }
//!
//! let mut system = System::deterministic();
//! let mut events = system.events(100); // bounded: at most 100 unread
//! let numbers = system.adopt_named("numbers", Numbers::default());
//! let deaf = system.adopt_named("deaf", Deaf { inbox: Inbox::with_capacity(2) });
//! axon::link(&numbers.outbox, &deaf.inbox)?;
//! let inbox = BoxAddress { component: Some(deaf.id()), name: "inbox".into() };
//! let tap = system.tap(&inbox, 10)?; // the last 10 messages into deaf.inbox
//! system.activate(numbers);
//! system.activate(deaf);
//! system.run_until_idle();
//!
//! // Events: what happened, in order.
//! let first = events.try_next().unwrap();
//! assert!(matches!(first.kind, EventKind::ComponentAdded { ref name, .. } if name == "numbers"));
//! assert_eq!(events.missed(), 0);
//!
//! // Taps: the messages, as Debug text.
//! let texts: Vec<String> = tap.recent().into_iter().map(|r| r.text).collect();
//! assert_eq!(texts, ["0", "1"]);
//!
//! // Stalls: on the virtual clock, exactly.
//! system.advance(Duration::from_secs(5));
//! let snap = system.snapshot();
//! assert_eq!(snap.taken_at, Duration::from_secs(5));
//! let stalls = snap.stalls(Duration::from_secs(5));
//! assert_eq!(stalls.len(), 1);
//! assert!(matches!(&stalls[0].kind, StallKind::BlockedSending { outbox, to: Some(to) }
//!     if outbox == "outbox" && *to == inbox));
//! println!("{}", stalls[0]); // numbers has been blocked sending on outbox into the full inbox #2.inbox for 5s
//! assert!(snap.deadlocks().is_empty()); // deaf is not blocked sending: no cycle
//! assert!(matches!(snap.components[0].state, ComponentState::Sending { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use std::time::Duration;

use crate::boxes::meta::{BoxInfo, BoxStats, Direction, ErasedBox};

mod clock;
mod events;
mod stall;
mod state;
mod tap;

pub(crate) use clock::Clock;
pub(crate) use events::Hub;
pub use events::{EventKind, Events, ModelEvent};
pub use stall::{Deadlock, DeadlockStep, Stall, StallKind};
pub(crate) use state::{Activity, ThreadWait};
#[doc(hidden)]
pub use tap::__private;
pub(crate) use tap::{text_of, TapShared, Taps};
pub use tap::{MessageFormat, Tap, TapError, TapRecord, TAP_TEXT_LIMIT};

/// A component's unique id within its system. Ids count from 1, so an `Option<ComponentId>`
/// (a parent, for instance) is as small as the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId(pub(crate) std::num::NonZeroU64);

impl ComponentId {
    /// The number behind the id.
    pub fn get(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A component's entry in the live model.
pub(crate) struct ComponentCell {
    pub(crate) id: ComponentId,
    /// A given name; `None` means the default `Type#id`, made only when asked for.
    label: Option<Box<str>>,
    pub(crate) type_name: &'static str,
    pub(crate) parent: Option<ComponentId>,
    /// Its [`Activity`]: created, started, or how it ended.
    activity: AtomicU8,
    /// When it started or ended (a threaded component: when it last resumed), in nanoseconds on
    /// the system's clock.
    since: AtomicU64,
    /// 0 for a task (its waker is this cell); a threaded component's thread waker, by address.
    waker_id: AtomicUsize,
    /// The system's clock and event subscribers.
    pub(crate) hub: Arc<Hub>,
    /// Set once the component is announced, so boxes added later are announced one by one.
    announced: std::sync::atomic::AtomicBool,
    /// Its boxes. Room for four in place (a component's usual `inbox`, `control`, `outbox`
    /// and `signal`), so most components need no separate allocation for the list.
    pub(crate) boxes: Mutex<SmallVec<[BoxSlot; 4]>>,
    pub(crate) owns_services: std::sync::atomic::AtomicBool,
    /// Its place in the [`Registry`] while it is live.
    registry_slot: std::sync::atomic::AtomicU32,
    next_box: std::sync::atomic::AtomicUsize,
    /// The error or panic message it ended with (set once, as it ends).
    pub(crate) failure: std::sync::OnceLock<Box<str>>,
    /// Set by [`Context::cancel_child`](crate::Context::cancel_child); the component's task
    /// sees it at its next poll and ends as cancelled.
    pub(crate) cancel: std::sync::atomic::AtomicBool,
    /// How its task is woken (this entry is the task's waker).
    pub(crate) task: crate::scheduler::TaskLink,
}

impl ComponentCell {
    pub(crate) fn new(
        id: ComponentId,
        label: Option<String>,
        type_name: &'static str,
        parent: Option<ComponentId>,
        hub: Arc<Hub>,
        task: crate::scheduler::TaskLink,
    ) -> Self {
        ComponentCell {
            id,
            label: label.map(String::into_boxed_str),
            type_name,
            parent,
            activity: AtomicU8::new(Activity::Created as u8),
            since: AtomicU64::new(hub.clock.now_nanos()),
            waker_id: AtomicUsize::new(0),
            hub,
            announced: std::sync::atomic::AtomicBool::new(false),
            boxes: Mutex::new(SmallVec::new()),
            owns_services: std::sync::atomic::AtomicBool::new(false),
            registry_slot: std::sync::atomic::AtomicU32::new(u32::MAX),
            next_box: std::sync::atomic::AtomicUsize::new(0),
            failure: std::sync::OnceLock::new(),
            cancel: std::sync::atomic::AtomicBool::new(false),
            task,
        }
    }

    /// Announces the component (and the links its boxes already have) to subscribers; boxes
    /// added from now on are announced one by one.
    pub(crate) fn announce(&self) {
        self.announced.store(true, Ordering::SeqCst);
        self.hub.emit(|| EventKind::ComponentAdded {
            id: self.id,
            name: self.name(),
            type_name: self.type_name,
            parent: self.parent,
            boxes: self.box_infos(),
        });
        if self.hub.watched() {
            for (from, to) in self.links_from() {
                self.hub.emit(|| EventKind::LinkMade { from, to });
            }
        }
    }

    /// Tells subscribers the links from this component's boxes are gone, then that it ended.
    pub(crate) fn announce_end(&self) {
        if !self.hub.watched() {
            return;
        }
        for (from, to) in self.links_from() {
            self.hub.emit(|| EventKind::LinkRemoved { from, to });
        }
        self.hub.emit(|| EventKind::ComponentEnded {
            id: self.id,
            state: self.state(),
        });
    }

    /// Every link whose source is one of this component's boxes.
    fn links_from(&self) -> Vec<(BoxAddress, BoxAddress)> {
        self.slots()
            .iter()
            .filter_map(|s| {
                let h = s.handle.as_ref()?;
                Some((address(h.meta()), address(h.target()?.meta())))
            })
            .collect()
    }

    /// Descriptions of this component's boxes.
    fn box_infos(&self) -> Vec<BoxInfo> {
        self.slots()
            .iter()
            .filter_map(|s| Some(s.info(s.handle.as_ref()?)))
            .collect()
    }

    /// The component's name: the one it was given, or `Type#id`.
    pub(crate) fn name(&self) -> String {
        match &self.label {
            Some(l) => l.to_string(),
            None => format!(
                "{}{}",
                crate::component::short_type_name_of(self.type_name),
                self.id
            ),
        }
    }

    /// Names `b` as one of this component's boxes and lists it.
    pub(crate) fn add_box(self: &Arc<Self>, handle: Arc<dyn ErasedBox>, text: BoxText) {
        let index = self.next_box.fetch_add(1, Ordering::Relaxed);
        handle.meta().set_owner(crate::boxes::meta::Owner {
            cell: Arc::clone(self),
            index,
        });
        let slot = BoxSlot {
            handle: Some(handle),
            text,
            index,
        };
        if self.announced.load(Ordering::Relaxed) && self.hub.watched() {
            let info = slot.info(slot.handle.as_ref().expect("just set"));
            self.hub.emit(|| EventKind::BoxAdded {
                component: self.id,
                info,
            });
        }
        lock(&self.boxes).push(slot);
    }

    /// Stops listing `b` (a dynamic box being removed).
    pub(crate) fn remove_box(&self, b: &Arc<dyn ErasedBox>) {
        let mut removed = Vec::new();
        lock(&self.boxes).retain(|x| {
            let keep = !x
                .handle
                .as_ref()
                .is_some_and(|h| std::ptr::addr_eq(Arc::as_ptr(h), Arc::as_ptr(b)));
            if !keep {
                removed.push(x.name().to_string());
            }
            keep
        });
        for name in removed {
            self.hub.emit(|| EventKind::BoxRemoved {
                component: self.id,
                name,
            });
        }
    }

    /// The name of the box registered with `index`.
    pub(crate) fn box_name(&self, index: usize) -> Option<String> {
        lock(&self.boxes)
            .iter()
            .find(|s| s.index == index)
            .map(|s| s.name().to_string())
    }

    /// Asks the component's task to end as cancelled at its next poll, and wakes it.
    pub(crate) fn request_cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        self.task.wake();
    }

    pub(crate) fn slots(&self) -> Vec<BoxSlot> {
        lock(&self.boxes).to_vec()
    }

    /// Finds a box by name and direction, with the error naming what exists.
    pub(crate) fn find_box(
        &self,
        name: &str,
        direction: Direction,
    ) -> Result<Arc<dyn ErasedBox>, crate::LinkError> {
        let slots = self.slots();
        slots
            .iter()
            .filter_map(|s| Some((s.handle.as_ref()?, s)))
            .find(|(h, s)| h.meta().direction() == direction && s.name() == name)
            .map(|(h, _)| Arc::clone(h))
            .ok_or_else(|| crate::LinkError::NoSuchBox {
                component: self.name(),
                name: name.to_string(),
                direction,
                available: slots
                    .iter()
                    .filter(|s| {
                        s.handle
                            .as_ref()
                            .is_some_and(|h| h.meta().direction() == direction)
                    })
                    .map(|s| s.name().to_string())
                    .collect(),
            })
    }

    pub(crate) fn find_any_box(&self, name: &str) -> Result<Arc<dyn ErasedBox>, crate::LinkError> {
        // A source is normally an outbox: if neither exists, say which outboxes there are.
        self.find_box(name, Direction::Outbox)
            .or_else(|e| self.find_box(name, Direction::Inbox).map_err(|_| e))
    }

    /// The error or panic message it ended with; empty if none.
    pub(crate) fn failure(&self) -> &str {
        self.failure.get().map_or("", |f| f)
    }
}

impl BoxSlot {
    fn info(&self, handle: &Arc<dyn ErasedBox>) -> BoxInfo {
        BoxInfo {
            name: self.text.name_cow(),
            direction: handle.meta().direction(),
            type_name: handle.meta().type_name(),
            doc: self.text.doc_cow(),
        }
    }

    pub(crate) fn name(&self) -> &str {
        self.text.name()
    }
}

/// One of a component's boxes, as the live model lists it.
#[derive(Clone)]
pub(crate) struct BoxSlot {
    /// `None` once the component has ended: the box is released (which breaks the reference
    /// cycle box → owner → box) but its name stays for labels and error messages.
    pub(crate) handle: Option<Arc<dyn ErasedBox>>,
    pub(crate) text: BoxText,
    pub(crate) index: usize,
}

/// A box's name and doc string. `#[derive(Boxes)]` knows both at compile time, so it hands
/// over one pointer to a static pair (every instance of a component type shares it); boxes
/// named at run time (dynamic boxes, hand-written [`Boxes`](crate::Boxes) impls) own theirs.
#[derive(Clone)]
pub(crate) enum BoxText {
    Static(&'static (&'static str, &'static str)),
    Given(Arc<(Cow<'static, str>, Cow<'static, str>)>),
}

impl BoxText {
    pub(crate) fn given(name: Cow<'static, str>, doc: Cow<'static, str>) -> Self {
        BoxText::Given(Arc::new((name, doc)))
    }

    pub(crate) fn name(&self) -> &str {
        match self {
            BoxText::Static((name, _)) => name,
            BoxText::Given(text) => &text.0,
        }
    }

    pub(crate) fn name_cow(&self) -> Cow<'static, str> {
        match self {
            BoxText::Static((name, _)) => Cow::Borrowed(name),
            BoxText::Given(text) => text.0.clone(),
        }
    }

    pub(crate) fn doc_cow(&self) -> Cow<'static, str> {
        match self {
            BoxText::Static((_, doc)) => Cow::Borrowed(doc),
            BoxText::Given(text) => text.1.clone(),
        }
    }
}

fn lock<X>(m: &Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a component is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ComponentState {
    /// Registered, not yet activated.
    Created,
    /// Being polled (since its scheduler's tick began), or woken and queued to be (since its
    /// last poll); a threaded component whose thread is not blocked on a box (since it last
    /// was).
    Running,
    /// Waiting for a message on this inbox, since the tick of its last poll (a threaded
    /// component: since it blocked). When it waits on several, one other than `control` is
    /// named. An inbox it stopped waiting on without receiving (the other branch of a
    /// `select!` won, and it now waits on something else) still counts until a message comes.
    Receiving {
        /// The inbox.
        inbox: String,
    },
    /// Blocked sending: the destination of this outbox is full. Since the send first found
    /// it full: wake-ups that free no room do not restart it. A send given up on (dropped) no
    /// longer counts. Only sends on an [`Outbox`](crate::Outbox) show here, not sends through
    /// an [`InboxRef`](crate::InboxRef).
    Sending {
        /// The outbox.
        outbox: String,
    },
    /// Waiting on something other than a box (a timer, I/O, another future), since the tick of
    /// its last poll.
    Waiting,
    /// Ended normally.
    Finished,
    /// Ended with an error.
    Failed {
        /// The error's message.
        error: String,
    },
    /// Panicked.
    Panicked {
        /// The panic's message.
        message: String,
    },
    /// Stopped from outside before it ended.
    Cancelled,
}

/// One box in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxSnapshot {
    /// Name, direction, type and doc.
    pub info: BoxInfo,
    /// Depth, capacity and counters.
    pub stats: BoxStats,
    /// How many [`Tap`]s watch it.
    pub taps: usize,
}

/// One component in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSnapshot {
    /// Its id.
    pub id: ComponentId,
    /// Its label (`Type#id` unless named).
    pub name: String,
    /// Its Rust type.
    pub type_name: &'static str,
    /// The component that created it, if any.
    pub parent: Option<ComponentId>,
    /// What it is doing.
    pub state: ComponentState,
    /// When it started doing it (for an ended component: when it ended), on the system's clock
    /// like [`Snapshot::taken_at`]; `taken_at - state_since` is how long it has been at it.
    pub state_since: Duration,
    /// Its boxes, in declaration order (dynamic boxes last).
    pub boxes: Vec<BoxSnapshot>,
}

/// One end of a link in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoxAddress {
    /// The owning component (`None` for boxes owned by plain code, such as bridges).
    pub component: Option<ComponentId>,
    /// The box name.
    pub name: String,
}

impl fmt::Display for BoxAddress {
    /// `#3.outbox`, or the name alone for a box that belongs to no component.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.component {
            Some(id) => write!(f, "{id}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// One link in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LinkSnapshot {
    /// The source box.
    pub from: BoxAddress,
    /// The destination box.
    pub to: BoxAddress,
}

/// The whole system at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// When it was taken, on the system's clock: time since the system was built (virtual time
    /// for [`System::deterministic`](crate::System::deterministic)).
    pub taken_at: Duration,
    /// Every live component, by id.
    pub components: Vec<ComponentSnapshot>,
    /// Every link whose source belongs to a live component.
    pub links: Vec<LinkSnapshot>,
    /// The most recent components to end (up to [`RECENTLY_ENDED`]), oldest first, with how
    /// they ended (`Finished`, `Failed`, `Panicked` or `Cancelled`) and no boxes.
    pub ended: Vec<ComponentSnapshot>,
}

/// How many ended components a [`Snapshot`] remembers.
pub const RECENTLY_ENDED: usize = 64;

/// The registry of live components behind [`Snapshot`].
#[derive(Default)]
pub(crate) struct Registry {
    components: Mutex<Live>,
    ended: Mutex<std::collections::VecDeque<Arc<ComponentCell>>>,
    /// Components that run inside another's task (a line's transforms), asked when a
    /// snapshot is taken.
    hosted: Mutex<Vec<Arc<dyn Hosted>>>,
}

/// Components without a task or a cell of their own, which their host lists on demand (see
/// [`crate::line`]).
pub(crate) trait Hosted: Send + Sync {
    /// Adds the live components it hosts, with their boxes and links, to `snap`, unless its
    /// host is not among `live` (the ids of the components `snap` lists, in order).
    fn add_to(&self, snap: &mut Snapshot, live: &[ComponentId]);
}

/// The live components, in a slab: a component is added and removed in constant time (it
/// knows its slot), which is what creating and ending 100,000 of them needs. Finding one by id
/// ([`Registry::get`]: wiring by id to a component that is not a child) is a scan, and
/// [`Registry::all`] sorts by id; both serve rare, slow paths.
#[derive(Default)]
struct Live {
    slots: Vec<Option<Arc<ComponentCell>>>,
    /// Empty slots, reused before the slab grows (so it is as long as the most components
    /// that were ever live at once).
    free: Vec<u32>,
}

impl Registry {
    pub(crate) fn insert(&self, cell: Arc<ComponentCell>) {
        let mut live = lock(&self.components);
        let slot = match live.free.pop() {
            Some(slot) => slot,
            None => {
                live.slots.push(None);
                u32::try_from(live.slots.len() - 1).expect("fewer than 4 billion live components")
            }
        };
        cell.registry_slot.store(slot, Ordering::Relaxed);
        live.slots[slot as usize] = Some(cell);
    }

    /// Remembers an ended component for [`Snapshot::ended`] (bounded).
    pub(crate) fn record_end(&self, cell: Arc<ComponentCell>) {
        let mut ended = lock(&self.ended);
        if ended.len() == RECENTLY_ENDED {
            ended.pop_front();
        }
        ended.push_back(cell);
    }

    pub(crate) fn remove(&self, cell: &ComponentCell) {
        let slot = cell.registry_slot.swap(u32::MAX, Ordering::Relaxed);
        let mut live = lock(&self.components);
        let taken = match live.slots.get_mut(slot as usize) {
            Some(place) if place.as_ref().is_some_and(|c| c.id == cell.id) => place.take(),
            _ => None,
        };
        if taken.is_some() {
            live.free.push(slot);
        }
        drop(live);
        drop(taken);
    }

    /// Lists `hosted`'s components in snapshots until [`unhost`](Self::unhost).
    pub(crate) fn host(&self, hosted: Arc<dyn Hosted>) {
        lock(&self.hosted).push(hosted);
    }

    pub(crate) fn unhost(&self, hosted: &Arc<dyn Hosted>) {
        lock(&self.hosted).retain(|h| !Arc::ptr_eq(h, hosted));
    }

    pub(crate) fn get(&self, id: ComponentId) -> Option<Arc<ComponentCell>> {
        lock(&self.components)
            .slots
            .iter()
            .flatten()
            .find(|c| c.id == id)
            .cloned()
    }

    /// Every live component, in id order.
    pub(crate) fn all(&self) -> Vec<Arc<ComponentCell>> {
        let mut all: Vec<_> = lock(&self.components)
            .slots
            .iter()
            .flatten()
            .cloned()
            .collect();
        all.sort_unstable_by_key(|c| c.id);
        all
    }

    pub(crate) fn snapshot(&self, hub: &Hub) -> Snapshot {
        let mut snap = Snapshot {
            taken_at: hub.now(),
            ..Snapshot::default()
        };
        let all = self.all();
        // Ids in order (`all` is sorted): a link into a component that has ended is left out,
        // as the links from it are — its inboxes are closed, so nothing can cross it.
        let live: Vec<ComponentId> = all.iter().map(|c| c.id).collect();
        for cell in all {
            let listed = cell.slots();
            let slots: Vec<(&Arc<dyn ErasedBox>, &BoxSlot)> = listed
                .iter()
                .filter_map(|s| Some((s.handle.as_ref()?, s)))
                .collect();
            for (h, _) in &slots {
                if let Some(to) = h.target() {
                    let to = address(to.meta());
                    if to
                        .component
                        .is_none_or(|id| live.binary_search(&id).is_ok())
                    {
                        snap.links.push(LinkSnapshot {
                            from: address(h.meta()),
                            to,
                        });
                    }
                }
            }
            let (state, state_since) = cell.state_with(Some(&listed));
            snap.components.push(ComponentSnapshot {
                id: cell.id,
                name: cell.name(),
                type_name: cell.type_name,
                parent: cell.parent,
                state,
                state_since,
                boxes: slots
                    .iter()
                    .map(|(h, s)| BoxSnapshot {
                        info: s.info(h),
                        stats: h.stats(),
                        taps: h.tap_count(),
                    })
                    .collect(),
            });
        }
        let hosted = lock(&self.hosted).clone();
        if !hosted.is_empty() {
            for h in hosted {
                h.add_to(&mut snap, &live);
            }
            snap.components.sort_by_key(|c| c.id);
        }
        snap.links.sort();
        for cell in lock(&self.ended).iter() {
            let (state, state_since) = cell.state_since();
            snap.ended.push(ComponentSnapshot {
                id: cell.id,
                name: cell.name(),
                type_name: cell.type_name,
                parent: cell.parent,
                state,
                state_since,
                boxes: Vec::new(),
            });
        }
        snap
    }
}

/// The address of a box: its owner and name.
pub(crate) fn address(meta: &crate::boxes::meta::BoxMeta) -> BoxAddress {
    match meta.owner() {
        Some(o) => BoxAddress {
            component: Some(o.cell.id),
            name: o.cell.box_name(o.index).unwrap_or_default(),
        },
        None => BoxAddress {
            component: None,
            name: format!("(unregistered {})", meta.direction()),
        },
    }
}
