//! Taps: the last messages that crossed a box, as text. See [`Tap`].

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;

use super::events::Hub;
use super::{BoxAddress, ComponentId};
use crate::boxes::meta::ErasedBox;

/// The most bytes of text a tap (or a tracing event) keeps of one message; longer text ends
/// with `…`.
pub const TAP_TEXT_LIMIT: usize = 256;

/// A writer that stops (with an error, which ends the formatting) at [`TAP_TEXT_LIMIT`].
pub(crate) struct Limited {
    text: String,
    cut: bool,
}

impl fmt::Write for Limited {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = TAP_TEXT_LIMIT - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
            return Ok(());
        }
        let mut end = room;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.text.push_str(&s[..end]);
        self.cut = true;
        Err(fmt::Error)
    }
}

type FormatFn<T> = fn(&T, &mut Limited) -> fmt::Result;

/// How a box turns its messages into text: with `Debug`, or by naming the type. Made by
/// `#[derive(Boxes)]` or [`Inbox::debuggable`](crate::Inbox::debuggable).
pub struct MessageFormat<T>(FormatFn<T>);

impl<T> Clone for MessageFormat<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for MessageFormat<T> {}

impl<T> fmt::Debug for MessageFormat<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageFormat")
    }
}

impl<T: fmt::Debug> MessageFormat<T> {
    /// Formats messages with `{:?}`.
    pub fn debug() -> Self {
        MessageFormat(|m, w| fmt::Write::write_fmt(w, format_args!("{m:?}")))
    }
}

/// Formats `msg` with `format` (or names its type), bounded by [`TAP_TEXT_LIMIT`].
pub(crate) fn text_of<T>(format: Option<MessageFormat<T>>, msg: &T) -> String {
    let Some(MessageFormat(f)) = format else {
        return std::any::type_name::<T>().to_string();
    };
    let mut w = Limited {
        text: String::new(),
        cut: false,
    };
    // An error here is the limit being reached (or a Debug impl failing): keep what there is.
    f(msg, &mut w).ok();
    if w.cut {
        w.text.push('…');
    }
    w.text
}

/// One message as a tap saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapRecord {
    /// Its number among the messages this tap has seen, from 0.
    pub seq: u64,
    /// When it crossed the box, on the system's clock.
    pub at: Duration,
    /// The message's `Debug` text (cut at [`TAP_TEXT_LIMIT`]), or its type's name.
    pub text: String,
}

/// The ring buffer behind a [`Tap`], shared with the box it watches.
pub(crate) struct TapShared {
    capacity: usize,
    hub: Arc<Hub>,
    seen: AtomicU64,
    ring: Mutex<VecDeque<TapRecord>>,
}

impl TapShared {
    fn record(&self, text: String) {
        let seq = self.seen.fetch_add(1, Ordering::Relaxed);
        let at = Duration::from_nanos(self.hub.clock.now_nanos());
        let mut ring = self.ring.lock();
        if ring.len() == self.capacity {
            ring.pop_front();
        }
        ring.push_back(TapRecord { seq, at, text });
    }
}

/// The taps installed on one box (kept by the box, normally none: one null pointer, no
/// allocation).
#[derive(Default)]
// A boxed `Vec`, not a boxed slice: one thin pointer in every box core instead of two words.
#[allow(clippy::box_collection)]
pub(crate) struct Taps(Option<Box<Vec<Arc<TapShared>>>>);

impl Taps {
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Records `text` in every tap.
    pub(crate) fn record(&self, text: &str) {
        for t in self.0.iter().flat_map(|list| list.iter()) {
            t.record(text.to_string());
        }
    }

    /// How many taps there are.
    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |list| list.len())
    }

    pub(crate) fn add(&mut self, tap: Arc<TapShared>) {
        self.0.get_or_insert_with(Box::default).push(tap);
    }

    /// Removes `tap`; true if none is left.
    pub(crate) fn remove(&mut self, tap: &Arc<TapShared>) -> bool {
        if let Some(list) = &mut self.0 {
            list.retain(|t| !Arc::ptr_eq(t, tap));
            if list.is_empty() {
                self.0 = None;
            }
        }
        self.0.is_none()
    }
}

/// A tap on one box: the last messages that crossed it.
///
/// [`System::tap`](crate::System::tap) installs a bounded ring buffer on one box. A tap on an
/// **inbox** records every message delivered into it (whichever outbox or `InboxRef` sent it);
/// a tap on an **outbox** records every message sent from that outbox itself (held ones
/// included; messages a child sends through it by a pass-through go straight to the final
/// inbox and are seen by a tap there). Dropping the [`Tap`] removes it.
///
/// A box without a tap pays nothing but a check of a flag it reads anyway (an inbox: a field
/// under the lock a delivery takes; an outbox: an atomic on the cache line its send counter
/// already writes).
///
/// # How messages become text
///
/// Boxes do not require their message type to be `Debug`. `#[derive(Boxes)]` records a Debug
/// formatter for each box whose message type is known to be `Debug` where the component is
/// defined (a concrete type such as `Inbox<u32>`, or a type parameter with a `Debug` bound on
/// the struct). Other boxes — notably `Inbox<T>` in a generic component without a `T: Debug`
/// bound — show the message type's name instead, unless the component's constructor opts in
/// with [`Inbox::debuggable`](crate::Inbox::debuggable) /
/// [`Outbox::debuggable`](crate::Outbox::debuggable) where `T: Debug` is known. Text is cut
/// at [`TAP_TEXT_LIMIT`] bytes (formatting stops there, so a huge message costs no more).
pub struct Tap {
    address: BoxAddress,
    shared: Arc<TapShared>,
    target: Weak<dyn ErasedBox>,
}

impl fmt::Debug for Tap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tap")
            .field("address", &self.address)
            .field("capacity", &self.shared.capacity)
            .field("seen", &self.seen())
            .finish()
    }
}

impl Tap {
    pub(crate) fn install(
        hub: &Arc<Hub>,
        address: BoxAddress,
        target: &Arc<dyn ErasedBox>,
        capacity: usize,
    ) -> Tap {
        let shared = Arc::new(TapShared {
            capacity: capacity.max(1),
            hub: Arc::clone(hub),
            seen: AtomicU64::new(0),
            ring: Mutex::new(VecDeque::new()),
        });
        target.add_tap(Arc::clone(&shared));
        Tap {
            address,
            shared,
            target: Arc::downgrade(target),
        }
    }

    /// The last messages seen (at most the tap's capacity), oldest first.
    pub fn recent(&self) -> Vec<TapRecord> {
        self.shared.ring.lock().iter().cloned().collect()
    }

    /// How many messages the tap has seen since it was installed (including those no longer
    /// in its buffer).
    pub fn seen(&self) -> u64 {
        self.shared.seen.load(Ordering::Relaxed)
    }

    /// The box it watches.
    pub fn address(&self) -> &BoxAddress {
        &self.address
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        if let Some(target) = self.target.upgrade() {
            target.remove_tap(&self.shared);
        }
    }
}

/// Why [`System::tap`](crate::System::tap) could not install a tap.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TapError {
    /// The address names no live component (it ended, or the box belongs to plain code).
    NoSuchComponent {
        /// The component asked for.
        component: Option<ComponentId>,
        /// The box asked for.
        name: String,
    },
    /// The component has no box of that name.
    NoSuchBox {
        /// The component's name.
        component: String,
        /// The box asked for.
        name: String,
        /// The boxes it has.
        available: Vec<String>,
    },
}

impl fmt::Display for TapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TapError::NoSuchComponent {
                component: Some(id),
                name,
            } => write!(
                f,
                "cannot tap {id}.{name}: no live component {id} (it may have ended)"
            ),
            TapError::NoSuchComponent {
                component: None,
                name,
            } => write!(
                f,
                "cannot tap {name}: the box belongs to no component, so it has no address"
            ),
            TapError::NoSuchBox {
                component,
                name,
                available,
            } => write!(
                f,
                "cannot tap {component}.{name}: {component} has no box {name:?} (its boxes: {})",
                available.join(", ")
            ),
        }
    }
}

impl std::error::Error for TapError {}

/// Support for `#[derive(Boxes)]`: picks a Debug formatter for a box when its message type is
/// `Debug`, by autoref-based method resolution on concrete types. Not public API.
#[doc(hidden)]
pub mod __private {
    use super::{MessageFormat, PhantomData};

    /// A box that carries messages of one type.
    pub trait Carrier {
        /// The message type.
        type Message;
        /// Records the format for messages, unless one is set already.
        fn set_message_format(&self, format: MessageFormat<Self::Message>);
    }

    /// Stands for the message type during method resolution.
    #[derive(Debug)]
    pub struct Probe<T>(PhantomData<fn() -> T>);

    /// The probe for the messages of `b`.
    pub fn probe<B: Carrier>(_b: &B) -> Probe<B::Message> {
        Probe(PhantomData)
    }

    /// Chosen when the message type is `Debug` (the receiver matches with one less autoref).
    pub trait ViaDebug {
        /// The message type.
        type Message;
        /// A Debug formatter.
        fn message_format(&self) -> Option<MessageFormat<Self::Message>>;
    }

    impl<T: std::fmt::Debug> ViaDebug for &Probe<T> {
        type Message = T;
        fn message_format(&self) -> Option<MessageFormat<T>> {
            Some(MessageFormat::debug())
        }
    }

    /// The fallback: no formatter; the type's name is shown.
    pub trait ViaName {
        /// The message type.
        type Message;
        /// No formatter.
        fn message_format(&self) -> Option<MessageFormat<Self::Message>>;
    }

    impl<T> ViaName for Probe<T> {
        type Message = T;
        fn message_format(&self) -> Option<MessageFormat<T>> {
            None
        }
    }

    /// Records `format` on `b` if there is one.
    pub fn describe<B: Carrier>(b: &B, format: Option<MessageFormat<B::Message>>) {
        if let Some(f) = format {
            b.set_message_format(f);
        }
    }
}
