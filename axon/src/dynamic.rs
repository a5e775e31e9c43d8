//! Dynamic boxes (Kamaelia's `AdaptiveCommsComponent`): inboxes and outboxes added and removed
//! while a component runs, each keyed by a generated [`BoxKey`] and listed under a unique
//! generated name (`base1`, `base2`, …) so introspection and wiring by name see them.
//!
//! Declare the collection as a field with `#[boxes(flatten)]`:
//!
//! ```
//! use axon::{Boxes, DynamicInboxes, Outbox};
//! #[derive(Boxes)]
//! struct Mux {
//!     /// One inbox per connection.
//!     #[boxes(flatten)]
//!     inputs: DynamicInboxes<String>,
//! }
//! let mut mux = Mux { inputs: DynamicInboxes::new("conn", "data from one connection") };
//! let (key, inbox) = mux.inputs.add();
//! let mut out = Outbox::new();
//! axon::link(&out, &inbox).unwrap();
//! out.try_send("hi".to_string()).unwrap();
//! assert_eq!(mux.inputs.try_recv_any(), Some((key, "hi".to_string())));
//! assert!(mux.inputs.remove(key));
//! assert!(!mux.inputs.remove(key)); // removing twice is reported, not a panic
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::poll_fn;
use std::sync::{Arc, OnceLock};
use std::task::Poll;

use crate::boxes::meta::{BoxRegistrar, Boxes, ErasedBox};
use crate::boxes::{Inbox, InboxRef, Outbox, OutboxRef};
use crate::error::{SendError, TrySendError};
use crate::model::{BoxText, ComponentCell};

/// The key of one dynamic box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoxKey(u64);

impl std::fmt::Display for BoxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "box{}", self.0)
    }
}

/// What a dynamic set needs from its boxes.
trait Member {
    fn erased(&self) -> Arc<dyn ErasedBox>;
    fn list(&self, boxes: &mut BoxRegistrar<'_>, name: String, doc: Cow<'static, str>);
    /// Called when the box is removed from its set.
    fn retire(&self) {}
}

impl<T: Send + 'static> Member for Inbox<T> {
    fn erased(&self) -> Arc<dyn ErasedBox> {
        self.core.clone()
    }
    fn list(&self, boxes: &mut BoxRegistrar<'_>, name: String, doc: Cow<'static, str>) {
        boxes.inbox(name, doc, self);
    }
    fn retire(&self) {
        self.core.close();
    }
}

impl<T: Send + 'static> Member for Outbox<T> {
    fn erased(&self) -> Arc<dyn ErasedBox> {
        self.core.clone()
    }
    fn list(&self, boxes: &mut BoxRegistrar<'_>, name: String, doc: Cow<'static, str>) {
        boxes.outbox(name, doc, self);
    }
}

/// The keyed, named set of boxes behind [`DynamicInboxes`] and [`DynamicOutboxes`].
struct Set<B> {
    base: Cow<'static, str>,
    doc: Cow<'static, str>,
    next: u64,
    /// The component the set belongs to, known once it is registered.
    owner: OnceLock<Arc<ComponentCell>>,
    boxes: BTreeMap<BoxKey, B>,
}

impl<B: Member> Set<B> {
    fn new(base: Cow<'static, str>, doc: Cow<'static, str>) -> Self {
        Set {
            base,
            doc,
            next: 0,
            owner: OnceLock::new(),
            boxes: BTreeMap::new(),
        }
    }

    fn name(&self, key: BoxKey) -> String {
        format!("{}{}", self.base, key.0)
    }

    fn insert(&mut self, b: B) -> BoxKey {
        self.next += 1;
        let key = BoxKey(self.next);
        if let Some(cell) = self.owner.get() {
            cell.add_box(
                b.erased(),
                BoxText::given(Cow::Owned(self.name(key)), self.doc.clone()),
            );
        }
        self.boxes.insert(key, b);
        key
    }

    fn remove(&mut self, key: BoxKey) -> bool {
        let Some(b) = self.boxes.remove(&key) else {
            return false;
        };
        b.retire();
        if let Some(cell) = self.owner.get() {
            cell.remove_box(&b.erased());
        }
        true
    }

    fn keys(&self) -> Vec<BoxKey> {
        self.boxes.keys().copied().collect()
    }

    fn register(&self, boxes: &mut BoxRegistrar<'_>) {
        if let Some(cell) = boxes.component() {
            self.owner.set(Arc::clone(cell)).ok();
        }
        for (key, b) in &self.boxes {
            b.list(boxes, self.name(*key), self.doc.clone());
        }
    }

    fn debug(&self, what: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(what)
            .field("base", &self.base)
            .field("boxes", &self.boxes.len())
            .finish()
    }
}

/// A growable set of inboxes of one message type. See the [module docs](self).
pub struct DynamicInboxes<T> {
    set: Set<Inbox<T>>,
    /// Where `recv_any` starts looking next, for fairness.
    cursor: Option<BoxKey>,
}

impl<T: Send + 'static> DynamicInboxes<T> {
    /// An empty set whose boxes will be named `base1`, `base2`, … and documented with `doc`.
    pub fn new(base: impl Into<Cow<'static, str>>, doc: impl Into<Cow<'static, str>>) -> Self {
        DynamicInboxes {
            set: Set::new(base.into(), doc.into()),
            cursor: None,
        }
    }

    /// Adds an inbox with the default capacity; returns its key and a reference to link or send to.
    pub fn add(&mut self) -> (BoxKey, InboxRef<T>) {
        self.add_inbox(Inbox::new())
    }

    /// Adds a given inbox (for a custom capacity).
    pub fn add_inbox(&mut self, inbox: Inbox<T>) -> (BoxKey, InboxRef<T>) {
        let r = inbox.handle();
        (self.set.insert(inbox), r)
    }

    /// Removes an inbox: it is closed (later sends fail with `Closed`) and whatever waited in it
    /// is discarded. Returns false if there was no such box.
    pub fn remove(&mut self, key: BoxKey) -> bool {
        self.set.remove(key)
    }

    /// The inbox for `key`.
    pub fn get_mut(&mut self, key: BoxKey) -> Option<&mut Inbox<T>> {
        self.set.boxes.get_mut(&key)
    }

    /// The keys of all boxes, in the order they were added.
    pub fn keys(&self) -> Vec<BoxKey> {
        self.set.keys()
    }

    /// How many boxes there are.
    pub fn len(&self) -> usize {
        self.set.boxes.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.set.boxes.is_empty()
    }

    fn order(&self) -> Vec<BoxKey> {
        let start = self
            .cursor
            .map_or(0, |c| self.set.boxes.range(..=c).count());
        let keys = self.keys();
        let n = keys.len();
        (0..n).map(|i| keys[(start + i) % n]).collect()
    }

    /// Takes a message from whichever box has one, fairly (round-robin over boxes).
    pub fn try_recv_any(&mut self) -> Option<(BoxKey, T)> {
        for key in self.order() {
            if let Ok(m) = self.set.boxes.get_mut(&key)?.try_recv() {
                self.cursor = Some(key);
                return Some((key, m));
            }
        }
        None
    }

    /// Waits for a message on any box (fairly); waits forever while there are no boxes.
    pub async fn recv_any(&mut self) -> (BoxKey, T) {
        poll_fn(|cx| {
            for key in self.order() {
                let Some(inbox) = self.set.boxes.get_mut(&key) else {
                    continue;
                };
                if let Poll::Ready(Some(m)) = inbox.poll_recv(cx) {
                    self.cursor = Some(key);
                    return Poll::Ready((key, m));
                }
            }
            Poll::Pending
        })
        .await
    }
}

impl<T: Send + 'static> Boxes for DynamicInboxes<T> {
    fn register_boxes(&self, boxes: &mut BoxRegistrar<'_>) {
        self.set.register(boxes);
    }
}

impl<T: Send + 'static> std::fmt::Debug for DynamicInboxes<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.set.debug("DynamicInboxes", f)
    }
}

/// A growable set of outboxes of one message type. See the [module docs](self).
pub struct DynamicOutboxes<T> {
    set: Set<Outbox<T>>,
}

impl<T: Send + 'static> DynamicOutboxes<T> {
    /// An empty set whose boxes will be named `base1`, `base2`, … and documented with `doc`.
    pub fn new(base: impl Into<Cow<'static, str>>, doc: impl Into<Cow<'static, str>>) -> Self {
        DynamicOutboxes {
            set: Set::new(base.into(), doc.into()),
        }
    }

    /// Adds an outbox; returns its key and a reference to link it with.
    pub fn add(&mut self) -> (BoxKey, OutboxRef<T>) {
        let outbox = Outbox::new();
        let r = outbox.handle();
        (self.set.insert(outbox), r)
    }

    /// Removes an outbox (unlink it first; messages it holds are discarded). Returns false if
    /// there was no such box.
    pub fn remove(&mut self, key: BoxKey) -> bool {
        self.set.remove(key)
    }

    /// The outbox for `key`.
    pub fn get_mut(&mut self, key: BoxKey) -> Option<&mut Outbox<T>> {
        self.set.boxes.get_mut(&key)
    }

    /// Sends on the outbox `key`, waiting while its destination is full. A missing key hands
    /// the message back as `Closed`.
    ///
    /// # Errors
    /// As [`Outbox::send`], or `Closed` if there is no such box.
    pub async fn send(&mut self, key: BoxKey, msg: T) -> Result<(), SendError<T>> {
        match self.set.boxes.get_mut(&key) {
            Some(o) => o.send(msg).await,
            None => Err(SendError::Closed(msg)),
        }
    }

    /// Sends on the outbox `key` if there is room now.
    ///
    /// # Errors
    /// As [`Outbox::try_send`], or `Closed` if there is no such box.
    pub fn try_send(&mut self, key: BoxKey, msg: T) -> Result<(), TrySendError<T>> {
        match self.set.boxes.get_mut(&key) {
            Some(o) => o.try_send(msg),
            None => Err(TrySendError::Closed(msg)),
        }
    }

    /// The keys of all boxes.
    pub fn keys(&self) -> Vec<BoxKey> {
        self.set.keys()
    }

    /// How many boxes there are.
    pub fn len(&self) -> usize {
        self.set.boxes.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.set.boxes.is_empty()
    }
}

impl<T: Send + 'static> Boxes for DynamicOutboxes<T> {
    fn register_boxes(&self, boxes: &mut BoxRegistrar<'_>) {
        self.set.register(boxes);
    }
}

impl<T: Send + 'static> std::fmt::Debug for DynamicOutboxes<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.set.debug("DynamicOutboxes", f)
    }
}
