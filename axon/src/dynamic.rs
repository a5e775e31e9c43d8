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
use crate::model::ComponentCell;

/// The key of one dynamic box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoxKey(u64);

impl std::fmt::Display for BoxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "box{}", self.0)
    }
}

struct Naming {
    base: Cow<'static, str>,
    doc: Cow<'static, str>,
    next: u64,
    owner: OnceLock<Arc<ComponentCell>>,
}

impl Naming {
    fn next_key(&mut self) -> BoxKey {
        self.next += 1;
        BoxKey(self.next)
    }

    fn register(&self, key: BoxKey, b: Arc<dyn ErasedBox>) {
        if let Some(cell) = self.owner.get() {
            cell.add_box(
                b,
                Cow::Owned(format!("{}{}", self.base, key.0)),
                self.doc.clone(),
            );
        }
    }

    fn unregister(&self, b: Arc<dyn ErasedBox>) {
        if let Some(cell) = self.owner.get() {
            cell.remove_box(&b);
        }
    }
}

/// A growable set of inboxes of one message type. See the [module docs](self).
pub struct DynamicInboxes<T> {
    naming: Naming,
    boxes: BTreeMap<BoxKey, Inbox<T>>,
    /// Where `recv_any` starts looking next, for fairness.
    cursor: Option<BoxKey>,
}

impl<T: Send + 'static> DynamicInboxes<T> {
    /// An empty set whose boxes will be named `base1`, `base2`, … and documented with `doc`.
    pub fn new(base: impl Into<Cow<'static, str>>, doc: impl Into<Cow<'static, str>>) -> Self {
        DynamicInboxes {
            naming: Naming {
                base: base.into(),
                doc: doc.into(),
                next: 0,
                owner: OnceLock::new(),
            },
            boxes: BTreeMap::new(),
            cursor: None,
        }
    }

    /// Adds an inbox with the default capacity; returns its key and a reference to link or send to.
    pub fn add(&mut self) -> (BoxKey, InboxRef<T>) {
        self.add_inbox(Inbox::new())
    }

    /// Adds a given inbox (for a custom capacity).
    pub fn add_inbox(&mut self, inbox: Inbox<T>) -> (BoxKey, InboxRef<T>) {
        let key = self.naming.next_key();
        self.naming.register(key, inbox.core.clone());
        let r = inbox.handle();
        self.boxes.insert(key, inbox);
        (key, r)
    }

    /// Removes an inbox: it is closed (later sends fail with `Closed`) and whatever waited in it
    /// is discarded. Returns false if there was no such box.
    pub fn remove(&mut self, key: BoxKey) -> bool {
        match self.boxes.remove(&key) {
            Some(inbox) => {
                inbox.core.close();
                self.naming.unregister(inbox.core.clone());
                true
            }
            None => false,
        }
    }

    /// The inbox for `key`.
    pub fn get_mut(&mut self, key: BoxKey) -> Option<&mut Inbox<T>> {
        self.boxes.get_mut(&key)
    }

    /// The keys of all boxes, in the order they were added.
    pub fn keys(&self) -> Vec<BoxKey> {
        self.boxes.keys().copied().collect()
    }

    /// How many boxes there are.
    pub fn len(&self) -> usize {
        self.boxes.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }

    fn order(&self) -> Vec<BoxKey> {
        let start = self.cursor.map_or(0, |c| self.boxes.range(..=c).count());
        let keys = self.keys();
        let n = keys.len();
        (0..n).map(|i| keys[(start + i) % n]).collect()
    }

    /// Takes a message from whichever box has one, fairly (round-robin over boxes).
    pub fn try_recv_any(&mut self) -> Option<(BoxKey, T)> {
        for key in self.order() {
            if let Ok(m) = self.boxes.get_mut(&key)?.try_recv() {
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
                let Some(inbox) = self.boxes.get_mut(&key) else {
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
        if let Some(cell) = boxes.component() {
            self.naming.owner.set(Arc::clone(cell)).ok();
        }
        for (key, inbox) in &self.boxes {
            let name = format!("{}{}", self.naming.base, key.0);
            boxes.inbox(name, self.naming.doc.clone(), inbox);
        }
    }
}

impl<T> std::fmt::Debug for DynamicInboxes<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicInboxes")
            .field("base", &self.naming.base)
            .field("boxes", &self.boxes.len())
            .finish()
    }
}

/// A growable set of outboxes of one message type. See the [module docs](self).
pub struct DynamicOutboxes<T> {
    naming: Naming,
    boxes: BTreeMap<BoxKey, Outbox<T>>,
}

impl<T: Send + 'static> DynamicOutboxes<T> {
    /// An empty set whose boxes will be named `base1`, `base2`, … and documented with `doc`.
    pub fn new(base: impl Into<Cow<'static, str>>, doc: impl Into<Cow<'static, str>>) -> Self {
        DynamicOutboxes {
            naming: Naming {
                base: base.into(),
                doc: doc.into(),
                next: 0,
                owner: OnceLock::new(),
            },
            boxes: BTreeMap::new(),
        }
    }

    /// Adds an outbox; returns its key and a reference to link it with.
    pub fn add(&mut self) -> (BoxKey, OutboxRef<T>) {
        let key = self.naming.next_key();
        let outbox = Outbox::new();
        self.naming.register(key, outbox.core.clone());
        let r = outbox.handle();
        self.boxes.insert(key, outbox);
        (key, r)
    }

    /// Removes an outbox (unlink it first; messages it holds are discarded). Returns false if
    /// there was no such box.
    pub fn remove(&mut self, key: BoxKey) -> bool {
        match self.boxes.remove(&key) {
            Some(outbox) => {
                self.naming.unregister(outbox.core.clone());
                true
            }
            None => false,
        }
    }

    /// The outbox for `key`.
    pub fn get_mut(&mut self, key: BoxKey) -> Option<&mut Outbox<T>> {
        self.boxes.get_mut(&key)
    }

    /// Sends on the outbox `key`, waiting while its destination is full. A missing key hands
    /// the message back as `Closed`.
    ///
    /// # Errors
    /// As [`Outbox::send`], or `Closed` if there is no such box.
    pub async fn send(&mut self, key: BoxKey, msg: T) -> Result<(), SendError<T>> {
        match self.boxes.get_mut(&key) {
            Some(o) => o.send(msg).await,
            None => Err(SendError::Closed(msg)),
        }
    }

    /// Sends on the outbox `key` if there is room now.
    ///
    /// # Errors
    /// As [`Outbox::try_send`], or `Closed` if there is no such box.
    pub fn try_send(&mut self, key: BoxKey, msg: T) -> Result<(), TrySendError<T>> {
        match self.boxes.get_mut(&key) {
            Some(o) => o.try_send(msg),
            None => Err(TrySendError::Closed(msg)),
        }
    }

    /// The keys of all boxes.
    pub fn keys(&self) -> Vec<BoxKey> {
        self.boxes.keys().copied().collect()
    }

    /// How many boxes there are.
    pub fn len(&self) -> usize {
        self.boxes.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }
}

impl<T: Send + 'static> Boxes for DynamicOutboxes<T> {
    fn register_boxes(&self, boxes: &mut BoxRegistrar<'_>) {
        if let Some(cell) = boxes.component() {
            self.naming.owner.set(Arc::clone(cell)).ok();
        }
        for (key, outbox) in &self.boxes {
            let name = format!("{}{}", self.naming.base, key.0);
            boxes.outbox(name, self.naming.doc.clone(), outbox);
        }
    }
}

impl<T> std::fmt::Debug for DynamicOutboxes<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicOutboxes")
            .field("base", &self.naming.base)
            .field("boxes", &self.boxes.len())
            .finish()
    }
}
