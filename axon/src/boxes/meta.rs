//! Box metadata: names, directions, message types and doc strings, available at run time for
//! introspection and for wiring by name.
//!
//! Components list their boxes by implementing [`Boxes`], normally with `#[derive(Boxes)]`,
//! which uses the field names as box names and the fields' doc comments as box docs:
//!
//! ```
//! use axon::{Boxes, Control, Inbox, Outbox};
//!
//! #[derive(Boxes)]
//! struct Doubler {
//!     /// Numbers to double.
//!     inbox: Inbox<u64>,
//!     /// Shutdown requests.
//!     control: Inbox<Control>,
//!     /// Doubled numbers.
//!     outbox: Outbox<u64>,
//!     /// Says how this component ended.
//!     signal: Outbox<Control>,
//! }
//!
//! let d = Doubler { inbox: Inbox::new(), control: Inbox::new(), outbox: Outbox::new(), signal: Outbox::new() };
//! let infos = axon::box_infos(&d);
//! assert_eq!(infos[0].name, "inbox");
//! assert_eq!(infos[0].doc, "Numbers to double.");
//! assert_eq!(infos[0].type_name, "u64");
//! ```

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use super::inbox::{Inbox, InboxCore};
use super::outbox::{Outbox, OutboxCore};
use crate::link::LinkError;
use crate::model::{BoxText, ComponentCell, TapShared};

/// Whether a box receives or sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Messages arrive here.
    Inbox,
    /// Messages leave from here.
    Outbox,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Inbox => "inbox",
            Direction::Outbox => "outbox",
        })
    }
}

/// A description of one box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxInfo {
    /// The box name (`inbox`, `control`, `outbox`, `signal`, or any other).
    pub name: Cow<'static, str>,
    /// Inbox or outbox.
    pub direction: Direction,
    /// The Rust type of the messages it carries.
    pub type_name: &'static str,
    /// What the box is for.
    pub doc: Cow<'static, str>,
}

/// Implemented by every component to list its boxes. Derive it with `#[derive(Boxes)]`.
pub trait Boxes {
    /// Calls [`BoxRegistrar::inbox`] / [`BoxRegistrar::outbox`] once per box.
    fn register_boxes(&self, boxes: &mut BoxRegistrar<'_>);
}

/// The boxes of `component`, in declaration order.
pub fn box_infos<C: Boxes + ?Sized>(component: &C) -> Vec<BoxInfo> {
    let mut infos = Vec::new();
    component.register_boxes(&mut BoxRegistrar {
        to: Listing::Describe(&mut infos),
    });
    infos
}

/// Collects the boxes of a component; handed to [`Boxes::register_boxes`].
pub struct BoxRegistrar<'a> {
    pub(crate) to: Listing<'a>,
}

/// Where a [`BoxRegistrar`] puts what it is told.
pub(crate) enum Listing<'a> {
    /// Only describing the boxes ([`box_infos`]).
    Describe(&'a mut Vec<BoxInfo>),
    /// Registering them as the boxes of this component, straight into its live-model entry.
    Register(&'a Arc<ComponentCell>),
}

impl fmt::Debug for BoxRegistrar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mode, id) = match &self.to {
            Listing::Describe(_) => ("describe", None),
            Listing::Register(cell) => ("register", Some(cell.id)),
        };
        f.debug_struct("BoxRegistrar")
            .field("mode", &mode)
            .field("component", &id)
            .finish()
    }
}

impl BoxRegistrar<'_> {
    /// Lists an inbox.
    pub fn inbox<T: Send + 'static>(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        doc: impl Into<Cow<'static, str>>,
        inbox: &Inbox<T>,
    ) {
        self.push(
            BoxText::given(name.into(), doc.into()),
            Direction::Inbox,
            std::any::type_name::<T>(),
            inbox.core.clone(),
        );
    }

    /// Lists an inbox whose name and doc are a static pair: what `#[derive(Boxes)]` calls, so
    /// that every instance of a component type shares one copy of its boxes' text.
    #[doc(hidden)]
    pub fn static_inbox<T: Send + 'static>(
        &mut self,
        text: &'static (&'static str, &'static str),
        inbox: &Inbox<T>,
    ) {
        self.push(
            BoxText::Static(text),
            Direction::Inbox,
            std::any::type_name::<T>(),
            inbox.core.clone(),
        );
    }

    /// Lists an outbox whose name and doc are a static pair (see
    /// [`static_inbox`](Self::static_inbox)).
    #[doc(hidden)]
    pub fn static_outbox<T: Send + 'static>(
        &mut self,
        text: &'static (&'static str, &'static str),
        outbox: &Outbox<T>,
    ) {
        self.push(
            BoxText::Static(text),
            Direction::Outbox,
            std::any::type_name::<T>(),
            outbox.core.clone(),
        );
    }

    /// Lists an outbox.
    pub fn outbox<T: Send + 'static>(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        doc: impl Into<Cow<'static, str>>,
        outbox: &Outbox<T>,
    ) {
        self.push(
            BoxText::given(name.into(), doc.into()),
            Direction::Outbox,
            std::any::type_name::<T>(),
            outbox.core.clone(),
        );
    }

    /// The component whose boxes are being listed, if it is being registered (used by
    /// [`DynamicInboxes`](crate::DynamicInboxes) to register boxes it adds later).
    pub(crate) fn component(&self) -> Option<&Arc<ComponentCell>> {
        match &self.to {
            Listing::Describe(_) => None,
            Listing::Register(cell) => Some(cell),
        }
    }

    fn push(
        &mut self,
        text: BoxText,
        direction: Direction,
        type_name: &'static str,
        handle: Arc<dyn ErasedBox>,
    ) {
        match &mut self.to {
            Listing::Describe(infos) => infos.push(BoxInfo {
                name: text.name_cow(),
                direction,
                type_name,
                doc: text.doc_cow(),
            }),
            Listing::Register(cell) => cell.add_box(handle, text),
        }
    }
}

/// Figures for one box, read at any time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoxStats {
    /// Messages waiting in this box (an outbox counts those held while it is unlinked).
    pub depth: usize,
    /// The most it holds; `None` if unbounded.
    pub capacity: Option<usize>,
    /// Messages that entered this box (delivered into an inbox; sent from an outbox).
    pub messages_in: u64,
    /// Messages that left it (taken from an inbox; for an outbox, the same as `messages_in` less
    /// what is held or was discarded).
    pub messages_out: u64,
    /// Messages discarded: sent to an unlinked outbox whose hold buffer was full, or left waiting
    /// in an inbox when its component ended.
    pub discarded: u64,
}

/// Type-erased operations on a box core, for wiring by name and for introspection.
pub(crate) trait ErasedBox: Send + Sync {
    fn as_any_arc(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    fn message_type(&self) -> TypeId;
    fn meta(&self) -> &BoxMeta;
    fn stats(&self) -> BoxStats;
    /// Called when the owning component ends.
    fn close(&self);
    /// Links this box (the source) to `dst`, checking that both carry the same message type.
    fn link_erased(
        self: Arc<Self>,
        dst: Arc<dyn ErasedBox>,
    ) -> Result<crate::link::Linkage, LinkError>;
    /// Where this box forwards or links to, if anywhere.
    fn target(&self) -> Option<Arc<dyn ErasedBox>>;
    /// Removes the link (or forward) from this box to `dst`, if it is still there.
    fn unlink_from(&self, dst: &Arc<dyn ErasedBox>);
    /// Sets the capacity (an inbox's bound; an outbox's hold buffer). `None`: unbounded.
    fn set_capacity(&self, capacity: Option<usize>);
    /// Starts showing the messages that cross this box to `tap`.
    fn add_tap(&self, tap: Arc<TapShared>);
    /// Stops showing them to `tap`.
    fn remove_tap(&self, tap: &Arc<TapShared>);
    /// How many taps watch this box.
    fn tap_count(&self) -> usize;
    /// True if this is an inbox whose reader waits for a message on it.
    fn receiver_waits(&self) -> bool {
        false
    }
    /// True if this is an outbox with a send waiting for room.
    fn sending(&self) -> bool {
        false
    }
    /// If this is a full inbox and the waker with data pointer `waker` waits for room: when
    /// it began to wait, in nanoseconds on the system's clock (`u64::MAX` if not known).
    fn sender_waits(&self, _waker: *const ()) -> Option<u64> {
        None
    }
}

/// Who owns a box, set once when its component is registered.
pub(crate) struct Owner {
    pub(crate) cell: Arc<ComponentCell>,
    /// The box's index in the component's list (names and docs live there, once).
    pub(crate) index: usize,
}

/// The metadata every box core carries.
pub(crate) struct BoxMeta {
    /// Direction and message type, behind one function pointer (both are fixed by the core's
    /// type, so each box pays 8 bytes for them instead of 24).
    kind: fn() -> (Direction, &'static str),
    /// Set once (a spin `Once`: setting it is a compare-and-swap, where `OnceLock` takes a
    /// slower general path, and reading it is one load either way).
    owner: spin::Once<Owner>,
}

/// [`BoxMeta`]'s kind for an inbox of `T`.
pub(crate) fn inbox_kind<T>() -> (Direction, &'static str) {
    (Direction::Inbox, std::any::type_name::<T>())
}

/// [`BoxMeta`]'s kind for an outbox of `T`.
pub(crate) fn outbox_kind<T>() -> (Direction, &'static str) {
    (Direction::Outbox, std::any::type_name::<T>())
}

impl BoxMeta {
    /// `kind` is [`inbox_kind::<T>`] or [`outbox_kind::<T>`].
    pub(crate) fn new(kind: fn() -> (Direction, &'static str)) -> Self {
        BoxMeta {
            kind,
            owner: spin::Once::new(),
        }
    }

    /// Inbox or outbox.
    pub(crate) fn direction(&self) -> Direction {
        (self.kind)().0
    }

    /// The Rust type of the messages the box carries.
    pub(crate) fn type_name(&self) -> &'static str {
        (self.kind)().1
    }

    pub(crate) fn set_owner(&self, owner: Owner) {
        // A box belongs to the first component that registers it; later claims are ignored.
        self.owner.call_once(|| owner);
    }

    pub(crate) fn owner(&self) -> Option<&Owner> {
        self.owner.get()
    }

    /// Now on the clock of the system its owner belongs to, if it has an owner.
    pub(crate) fn now(&self) -> Option<u64> {
        self.owner().map(|o| o.cell.hub.clock.now_nanos())
    }

    /// `component.box`, for error messages and logs.
    pub(crate) fn label(&self) -> String {
        match self.owner.get() {
            Some(o) => format!(
                "{}.{}",
                o.cell.name(),
                o.cell.box_name(o.index).unwrap_or_default()
            ),
            None => format!("(unregistered {})", self.direction()),
        }
    }
}

impl<T: Send + 'static> ErasedBox for InboxCore<T> {
    fn as_any_arc(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
    fn message_type(&self) -> TypeId {
        TypeId::of::<T>()
    }
    fn meta(&self) -> &BoxMeta {
        &self.meta
    }
    fn stats(&self) -> BoxStats {
        let st = self.lock();
        BoxStats {
            depth: st.queue.len(),
            capacity: (st.capacity != usize::MAX).then_some(st.capacity),
            messages_in: st.pushed,
            messages_out: st.popped,
            discarded: st.discarded,
        }
    }
    fn close(&self) {
        InboxCore::close(self);
    }
    fn set_capacity(&self, capacity: Option<usize>) {
        crate::boxes::inbox::set_capacity(self, capacity);
    }
    fn target(&self) -> Option<Arc<dyn ErasedBox>> {
        self.lock().forward.clone().map(|f| f as Arc<dyn ErasedBox>)
    }
    fn unlink_from(&self, dst: &Arc<dyn ErasedBox>) {
        crate::link::unlink_inbox(self, dst);
    }
    fn add_tap(&self, tap: Arc<TapShared>) {
        self.lock().taps.add(tap);
    }
    fn remove_tap(&self, tap: &Arc<TapShared>) {
        self.lock().taps.remove(tap);
    }
    fn tap_count(&self) -> usize {
        self.lock().taps.len()
    }
    fn receiver_waits(&self) -> bool {
        self.lock().rx_parked
    }
    fn sender_waits(&self, waker: *const ()) -> Option<u64> {
        self.lock().tx_waiters.since(waker)
    }
    fn link_erased(
        self: Arc<Self>,
        dst: Arc<dyn ErasedBox>,
    ) -> Result<crate::link::Linkage, LinkError> {
        let dst_any = dst.clone().as_any_arc();
        match dst_any.downcast::<InboxCore<T>>() {
            Ok(d) => crate::link::forward_inbox_cores(&self, &d),
            Err(_) => Err(LinkError::mismatch(&self.meta, dst.meta())),
        }
    }
}

impl<T: Send + 'static> ErasedBox for OutboxCore<T> {
    fn as_any_arc(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
    fn message_type(&self) -> TypeId {
        TypeId::of::<T>()
    }
    fn meta(&self) -> &BoxMeta {
        &self.meta
    }
    fn stats(&self) -> BoxStats {
        self.stats()
    }
    fn close(&self) {
        OutboxCore::close(self);
    }
    fn set_capacity(&self, capacity: Option<usize>) {
        self.lock().hold_capacity = capacity.unwrap_or(usize::MAX);
    }
    fn add_tap(&self, tap: Arc<TapShared>) {
        OutboxCore::add_tap(self, tap);
    }
    fn remove_tap(&self, tap: &Arc<TapShared>) {
        OutboxCore::remove_tap(self, tap);
    }
    fn tap_count(&self) -> usize {
        self.lock().taps.len()
    }
    fn target(&self) -> Option<Arc<dyn ErasedBox>> {
        self.lock().target.as_ref().map(crate::link::Target::erased)
    }
    fn sending(&self) -> bool {
        self.is_blocked()
    }
    fn unlink_from(&self, dst: &Arc<dyn ErasedBox>) {
        crate::link::unlink_outbox(self, dst);
    }
    fn link_erased(
        self: Arc<Self>,
        dst: Arc<dyn ErasedBox>,
    ) -> Result<crate::link::Linkage, LinkError> {
        let dst_any = dst.clone().as_any_arc();
        let dst_any = match dst_any.downcast::<InboxCore<T>>() {
            Ok(d) => return crate::link::link_cores(&self, crate::link::Target::Inbox(d)),
            Err(other) => other,
        };
        match dst_any.downcast::<OutboxCore<T>>() {
            Ok(d) => crate::link::link_cores(&self, crate::link::Target::Outbox(d)),
            Err(_) => Err(LinkError::mismatch(&self.meta, dst.meta())),
        }
    }
}
