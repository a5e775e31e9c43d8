//! Linkages: how boxes are joined, and how a chain of links resolves to one final inbox.
//!
//! Three forms, as in Kamaelia:
//!
//! | function | Kamaelia | joins |
//! |---|---|---|
//! | [`link`] | `link((a,"outbox"),(b,"inbox"))` | an outbox to an inbox (or to another outbox, see below) |
//! | [`forward_inbox`] | `passthrough=1` | a parent's inbox to a child's inbox |
//! | [`forward_outbox`] | `passthrough=2` | a child's outbox to its parent's outbox |
//!
//! ```
//! use axon::{Inbox, Outbox};
//! // child's outbox → parent's outbox → consumer's inbox: one chain, delivered directly.
//! let mut child_out = Outbox::new();
//! let parent_out: Outbox<i32> = Outbox::new();
//! let mut consumer = Inbox::new();
//! axon::forward_outbox(&child_out, &parent_out).unwrap();
//! axon::link(&parent_out, &consumer).unwrap();
//! child_out.try_send(7).unwrap();
//! assert_eq!(consumer.try_recv(), Ok(7));
//! ```
//!
//! # Guarantees
//!
//! * A send is delivered straight into the **final inbox** of the resolved chain, whatever order
//!   the links were made in; resolving costs O(chain length) when links change and nothing per
//!   message.
//! * **Many-to-one** is allowed: messages from several sources interleave in exact send order.
//!   **One-to-many** is refused with [`LinkError::AlreadyLinked`]; fan-out is a component or a
//!   backplane.
//! * **Unlink never moves or loses delivered messages**: what reached an inbox stays there.
//! * **Flush on link**: messages waiting in an inbox that becomes forwarded, or held by an
//!   unlinked outbox that gets linked, move onward in order. Such a flush may take the
//!   destination above its capacity by at most the flushed box's own bound; senders then wait
//!   until it drains.
//! * The capacity that counts is the final inbox's; a capacity on an inbox in the middle of a
//!   chain applies again as soon as it becomes the end of a chain.
//! * Cycles are refused with [`LinkError::Cycle`].

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
#[cfg(not(axon_loom))]
use std::sync::Mutex;

use crate::boxes::inbox::InboxCore;
use crate::boxes::meta::{BoxMeta, Direction, ErasedBox};
use crate::boxes::outbox::OutboxCore;
use crate::boxes::{Inbox, InboxRef, Outbox, OutboxRef};
use crate::model::address;

/// Serialises every change to the topology (rare) so that chain resolution sees a consistent
/// graph. The message path never takes it while a route is cached.
#[cfg(not(axon_loom))]
static TOPOLOGY: Mutex<()> = Mutex::new(());

#[cfg(not(axon_loom))]
fn topology() -> std::sync::MutexGuard<'static, ()> {
    TOPOLOGY.lock().unwrap_or_else(|p| p.into_inner())
}

// Under the loom model checker the lock must be loom's, and loom objects cannot live in a plain
// static: `loom::lazy_static!` makes a fresh one for every explored execution.
#[cfg(axon_loom)]
loom::lazy_static! {
    static ref TOPOLOGY: loom::sync::Mutex<()> = loom::sync::Mutex::new(());
}

#[cfg(axon_loom)]
fn topology() -> loom::sync::MutexGuard<'static, ()> {
    TOPOLOGY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where an outbox points.
pub(crate) enum Target<T> {
    Inbox(Arc<InboxCore<T>>),
    Outbox(Arc<OutboxCore<T>>),
}

impl<T: Send + 'static> Target<T> {
    /// The box this points at, type-erased.
    pub(crate) fn erased(&self) -> Arc<dyn ErasedBox> {
        match self {
            Target::Inbox(i) => Arc::clone(i) as Arc<dyn ErasedBox>,
            Target::Outbox(o) => Arc::clone(o) as Arc<dyn ErasedBox>,
        }
    }
}

impl<T> Clone for Target<T> {
    fn clone(&self) -> Self {
        match self {
            Target::Inbox(i) => Target::Inbox(Arc::clone(i)),
            Target::Outbox(o) => Target::Outbox(Arc::clone(o)),
        }
    }
}

/// The end of a chain: a final inbox, or an unlinked outbox holding messages.
enum Sink<T> {
    Inbox(Arc<InboxCore<T>>),
    Held(Arc<OutboxCore<T>>),
}

fn resolve<T>(from: &Arc<OutboxCore<T>>) -> Sink<T> {
    let mut at = Arc::clone(from);
    loop {
        let next = at.lock().target.clone();
        match next {
            None => return Sink::Held(at),
            Some(Target::Outbox(o)) => at = o,
            Some(Target::Inbox(i)) => return Sink::Inbox(i.final_inbox()),
        }
    }
}

/// The result of routing a message from an outbox whose cached route was missing or stale.
pub(crate) enum Route<T> {
    /// Deliver to this inbox, checking it is still at this epoch.
    Inbox(Arc<InboxCore<T>>, u64, T),
    /// The chain ends in an unlinked outbox, which took the message.
    Held,
    /// The chain ends in an unlinked outbox whose hold buffer is full.
    HoldFull(T),
}

pub(crate) fn route<T>(from: &Arc<OutboxCore<T>>, msg: T) -> Route<T> {
    let _g = topology();
    match resolve(from) {
        Sink::Inbox(i) => {
            let epoch = i.lock().epoch;
            Route::Inbox(i, epoch, msg)
        }
        Sink::Held(h) => {
            let mut st = h.lock();
            if st.held.len() < st.hold_capacity {
                st.held.push_back(msg);
                Route::Held
            } else {
                Route::HoldFull(msg)
            }
        }
    }
}

/// The end of the chain that starts at inbox `from`, and its epoch, resolved under the topology
/// lock (so never in the middle of a forward's flush).
pub(crate) fn resolve_inbox<T>(from: &Arc<InboxCore<T>>) -> (Arc<InboxCore<T>>, u64) {
    let _g = topology();
    let sink = from.final_inbox();
    let epoch = sink.lock().epoch;
    (sink, epoch)
}

pub(crate) fn backlog<T>(from: &Arc<OutboxCore<T>>) -> usize {
    let _g = topology();
    match resolve(from) {
        Sink::Inbox(i) => i.lock().queue.len(),
        Sink::Held(h) => h.lock().held.len(),
    }
}

fn invalidate<T>(sink: Sink<T>) {
    if let Sink::Inbox(i) = sink {
        i.invalidate_routes();
    }
}

fn flush_into<T>(sink: Sink<T>, msgs: std::collections::VecDeque<T>) {
    if msgs.is_empty() {
        return;
    }
    match sink {
        Sink::Inbox(i) => i.append_flushed(msgs),
        Sink::Held(h) => h.lock().held.extend(msgs),
    }
}

pub(crate) fn link_cores<T: Send + 'static>(
    src: &Arc<OutboxCore<T>>,
    dst: Target<T>,
) -> Result<Linkage, LinkError> {
    let _g = topology();
    let dst_meta: &BoxMeta = match &dst {
        Target::Inbox(i) => &i.meta,
        Target::Outbox(o) => &o.meta,
    };
    if let Some(existing) = &src.lock().target {
        let existing = match existing {
            Target::Inbox(i) => i.meta.label(),
            Target::Outbox(o) => o.meta.label(),
        };
        return Err(LinkError::AlreadyLinked {
            from: src.meta.label(),
            existing,
            requested: dst_meta.label(),
        });
    }
    if let Target::Outbox(d) = &dst {
        // Refuse if `src` is already on the outbox chain that `d` starts.
        let mut at = Some(Arc::clone(d));
        while let Some(o) = at {
            if Arc::ptr_eq(&o, src) {
                return Err(LinkError::Cycle {
                    from: src.meta.label(),
                    to: d.meta.label(),
                });
            }
            at = match &o.lock().target {
                Some(Target::Outbox(n)) => Some(Arc::clone(n)),
                _ => None,
            };
        }
    }
    let end = match &dst {
        Target::Inbox(i) => Sink::Inbox(i.final_inbox()),
        Target::Outbox(o) => resolve(o),
    };
    if let Sink::Inbox(i) = &end {
        if i.lock().closed {
            return Err(LinkError::Closed {
                from: src.meta.label(),
                to: i.meta.label(),
            });
        }
    }
    let linkage = Linkage::new(Arc::clone(src) as Arc<dyn ErasedBox>, dst.erased());
    let held = {
        let mut st = src.lock();
        st.target = Some(dst);
        st.held.take()
    };
    // `src` now leads where `dst` does: flush what it held there.
    flush_into(end, held);
    tell(&src.meta, linkage.dst.meta(), true);
    Ok(linkage)
}

pub(crate) fn forward_inbox_cores<T: Send + 'static>(
    outer: &Arc<InboxCore<T>>,
    inner: &Arc<InboxCore<T>>,
) -> Result<Linkage, LinkError> {
    let _g = topology();
    if let Some(existing) = &outer.lock().forward {
        return Err(LinkError::AlreadyLinked {
            from: outer.meta.label(),
            existing: existing.meta.label(),
            requested: inner.meta.label(),
        });
    }
    let mut at = Some(Arc::clone(inner));
    while let Some(i) = at {
        if Arc::ptr_eq(&i, outer) {
            return Err(LinkError::Cycle {
                from: outer.meta.label(),
                to: inner.meta.label(),
            });
        }
        at = i.lock().forward.clone();
    }
    let end = inner.final_inbox();
    if end.lock().closed {
        return Err(LinkError::Closed {
            from: outer.meta.label(),
            to: end.meta.label(),
        });
    }
    let waiting = {
        let mut st = outer.lock();
        st.forward = Some(Arc::clone(inner));
        let waiting = std::mem::take(&mut st.queue);
        outer.sync_len(&st);
        waiting
    };
    outer.invalidate_routes();
    inner.final_inbox().append_flushed(waiting);
    tell(&outer.meta, &inner.meta, true);
    Ok(Linkage::new(
        Arc::clone(outer) as Arc<dyn ErasedBox>,
        Arc::clone(inner) as Arc<dyn ErasedBox>,
    ))
}

/// Links `from` to `to` so that everything sent from `from` arrives in `to` (or at the end of
/// the chain `to` starts).
///
/// The compiler checks that both carry the same message type.
///
/// # Errors
/// [`LinkError::AlreadyLinked`] if `from` is linked already (no one-to-many).
pub fn link<T: Send + 'static>(
    from: &impl AsOutbox<T>,
    to: &impl AsInbox<T>,
) -> Result<Linkage, LinkError> {
    link_cores(&from.outbox_ref().core, Target::Inbox(to.inbox_ref().core))
}

/// Publishes a child's outbox as its parent's (Kamaelia's `passthrough=2`): whatever the child
/// sends leaves through `outer` — and goes straight to wherever `outer` leads.
///
/// # Errors
/// [`LinkError::AlreadyLinked`] if `inner` is linked already; [`LinkError::Cycle`] if `outer`
/// already leads back to `inner`.
pub fn forward_outbox<T: Send + 'static>(
    inner: &impl AsOutbox<T>,
    outer: &impl AsOutbox<T>,
) -> Result<Linkage, LinkError> {
    link_cores(
        &inner.outbox_ref().core,
        Target::Outbox(outer.outbox_ref().core),
    )
}

/// Forwards a parent's inbox to a child's inbox (Kamaelia's `passthrough=1`). Messages already
/// waiting in `outer` move on to `inner` in order; later ones go straight to the end of the chain.
///
/// # Errors
/// [`LinkError::AlreadyLinked`] if `outer` is forwarded already; [`LinkError::Cycle`] if
/// `inner` already forwards back to `outer`.
pub fn forward_inbox<T: Send + 'static>(
    outer: &impl AsInbox<T>,
    inner: &impl AsInbox<T>,
) -> Result<Linkage, LinkError> {
    forward_inbox_cores(&outer.inbox_ref().core, &inner.inbox_ref().core)
}

/// Anything that names an inbox: [`Inbox`] or [`InboxRef`].
pub trait AsInbox<T> {
    /// A shareable reference to the inbox.
    fn inbox_ref(&self) -> InboxRef<T>;
}

/// Anything that names an outbox: [`Outbox`] or [`OutboxRef`].
pub trait AsOutbox<T> {
    /// A shareable reference to the outbox.
    fn outbox_ref(&self) -> OutboxRef<T>;
}

impl<T> AsInbox<T> for Inbox<T> {
    fn inbox_ref(&self) -> InboxRef<T> {
        InboxRef {
            core: Arc::clone(&self.core),
        }
    }
}
impl<T> AsInbox<T> for InboxRef<T> {
    fn inbox_ref(&self) -> InboxRef<T> {
        self.clone()
    }
}
impl<T> AsOutbox<T> for Outbox<T> {
    fn outbox_ref(&self) -> OutboxRef<T> {
        OutboxRef {
            core: Arc::clone(&self.core),
        }
    }
}
impl<T> AsOutbox<T> for OutboxRef<T> {
    fn outbox_ref(&self) -> OutboxRef<T> {
        self.clone()
    }
}

/// Tells the live model's subscribers that `edge` was made or removed (nothing to do for
/// links between boxes that belong to no component, or when nobody subscribes).
fn tell(from: &BoxMeta, to: &BoxMeta, made: bool) {
    let Some(owner) = from.owner().or(to.owner()) else {
        return;
    };
    let hub = &owner.cell.hub;
    hub.emit(|| {
        let (from, to) = (address(from), address(to));
        if made {
            crate::model::EventKind::LinkMade { from, to }
        } else {
            crate::model::EventKind::LinkRemoved { from, to }
        }
    });
}

/// True if `a` and `b` are the same box.
fn same<X: ?Sized>(a: &Arc<X>, b: &Arc<dyn ErasedBox>) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

/// Removes the link from outbox `src` to `dst` if it is still there.
pub(crate) fn unlink_outbox<T: Send + 'static>(src: &OutboxCore<T>, dst: &Arc<dyn ErasedBox>) {
    let _g = topology();
    let target = src.lock().target.clone();
    let old = match target {
        Some(Target::Inbox(i)) if same(&i, dst) => Sink::Inbox(i.final_inbox()),
        Some(Target::Outbox(o)) if same(&o, dst) => resolve(&o),
        _ => return,
    };
    src.lock().target = None;
    invalidate(old);
    tell(&src.meta, dst.meta(), false);
}

/// Removes the forward from inbox `src` to `dst` if it is still there.
pub(crate) fn unlink_inbox<T: Send + 'static>(src: &InboxCore<T>, dst: &Arc<dyn ErasedBox>) {
    let _g = topology();
    let forward = src.lock().forward.clone();
    let Some(old) = forward.filter(|f| same(f, dst)).map(|f| f.final_inbox()) else {
        return;
    };
    src.lock().forward = None;
    old.invalidate_routes();
    src.invalidate_routes();
    tell(&src.meta, dst.meta(), false);
}

/// A unique link id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkId(u64);

impl fmt::Display for LinkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "link#{}", self.0)
    }
}

/// A handle to one link. Dropping it does **not** unlink; call [`unlink`](Self::unlink), or let
/// the component that made it (through its [`Context`](crate::Context)) end.
#[derive(Clone)]
pub struct Linkage {
    id: LinkId,
    /// The two boxes it joins (the boxes themselves: a link costs no allocation of its own).
    src: Arc<dyn ErasedBox>,
    dst: Arc<dyn ErasedBox>,
}

impl Linkage {
    fn new(src: Arc<dyn ErasedBox>, dst: Arc<dyn ErasedBox>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Linkage {
            id: LinkId(NEXT.fetch_add(1, Ordering::Relaxed)),
            src,
            dst,
        }
    }

    /// This link's id.
    pub fn id(&self) -> LinkId {
        self.id
    }

    /// Removes the link. Messages already delivered stay where they are; later sends from the
    /// source are held (outbox) or stay in the source (inbox). Unlinking twice is harmless.
    pub fn unlink(&self) {
        self.src.unlink_from(&self.dst);
    }

    /// `component.box` of the source.
    pub fn source(&self) -> String {
        self.src.meta().label()
    }

    /// `component.box` of the destination.
    pub fn sink(&self) -> String {
        self.dst.meta().label()
    }

    pub(crate) fn owners(&self) -> (Option<crate::ComponentId>, Option<crate::ComponentId>) {
        let (a, b) = (self.src.meta(), self.dst.meta());
        (a.owner().map(|o| o.cell.id), b.owner().map(|o| o.cell.id))
    }
}

impl fmt::Debug for Linkage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Link({} -> {})", self.source(), self.sink())
    }
}

/// Why a link could not be made. Every variant names the boxes involved as `component.box`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkError {
    /// The source is already linked (one-to-many is refused; use a fan-out component or a
    /// backplane).
    AlreadyLinked {
        /// The source box.
        from: String,
        /// Where it is linked now.
        existing: String,
        /// Where the refused link would have gone.
        requested: String,
    },
    /// The link would make a cycle of forwards.
    Cycle {
        /// The source box.
        from: String,
        /// The destination box.
        to: String,
    },
    /// Linking by name found boxes carrying different message types.
    TypeMismatch {
        /// The source box.
        from: String,
        /// Its message type.
        from_type: &'static str,
        /// The destination box.
        to: String,
        /// Its message type.
        to_type: &'static str,
    },
    /// Linking by name asked for a box that does not exist (or has the wrong direction).
    NoSuchBox {
        /// The component searched.
        component: String,
        /// The box name asked for.
        name: String,
        /// The direction needed.
        direction: Direction,
        /// The boxes of that direction it does have.
        available: Vec<String>,
    },
    /// The destination (the end of the chain it leads to) belongs to a component that has ended.
    Closed {
        /// The source box.
        from: String,
        /// The closed inbox.
        to: String,
    },
    /// Linking by name named a component that does not exist (or has ended).
    NoSuchComponent {
        /// The component id asked for.
        component: String,
        /// The box asked for on it.
        name: String,
    },
    /// Linking by name asked for a form that does not exist (e.g. inbox to outbox).
    WrongDirection {
        /// The source box.
        from: String,
        /// The destination box.
        to: String,
    },
}

impl LinkError {
    pub(crate) fn mismatch(from: &BoxMeta, to: &BoxMeta) -> Self {
        if from.direction() == Direction::Inbox && to.direction() == Direction::Outbox {
            return LinkError::WrongDirection {
                from: from.label(),
                to: to.label(),
            };
        }
        LinkError::TypeMismatch {
            from: from.label(),
            from_type: from.type_name(),
            to: to.label(),
            to_type: to.type_name(),
        }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::AlreadyLinked { from, existing, requested } => write!(
                f,
                "cannot link {from} to {requested}: it is already linked to {existing} (one-to-many is not allowed; use a fan-out component or a backplane)"
            ),
            LinkError::Cycle { from, to } => write!(f, "cannot link {from} to {to}: the link would make a cycle"),
            LinkError::TypeMismatch { from, from_type, to, to_type } => {
                write!(f, "cannot link {from} (carries {from_type}) to {to} (carries {to_type}): message types differ")
            }
            LinkError::NoSuchBox { component, name, direction, available } => {
                write!(f, "component {component} has no {direction} named {name:?} (its {direction}es: {})", available.join(", "))
            }
            LinkError::Closed { from, to } => {
                write!(f, "cannot link {from} to {to}: {to} belongs to a component that has ended")
            }
            LinkError::NoSuchComponent { component, name } => {
                write!(f, "no component {component} (asked for its box {name:?}); it may have ended")
            }
            LinkError::WrongDirection { from, to } => write!(f, "cannot link {from} to {to}: an inbox can only be forwarded to another inbox"),
        }
    }
}

impl std::error::Error for LinkError {}

/// Links the erased boxes `from` and `to` (used when wiring by name).
pub(crate) fn link_erased(
    from: &Arc<dyn ErasedBox>,
    to: &Arc<dyn ErasedBox>,
) -> Result<Linkage, LinkError> {
    if from.message_type() != to.message_type() {
        return Err(LinkError::mismatch(from.meta(), to.meta()));
    }
    Arc::clone(from).link_erased(Arc::clone(to))
}
