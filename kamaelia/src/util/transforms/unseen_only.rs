//! UnseenOnly: passes on each distinct message once (Kamaelia: `Kamaelia.Util.UnseenOnly.UnseenOnly`).
//!
//! A message equal (by [`Eq`] and [`Hash`]) to one already passed on is dropped. Equality is the
//! message type's own: there is no mixing of types, so Kamaelia's confusion of `1`, `1.0` and
//! `True` cannot happen.
//!
//! **Memory is bounded**: it remembers at most [`capacity`](UnseenOnly::capacity) distinct
//! messages ([`DEFAULT_UNSEEN_CAPACITY`] unless set). When that many are remembered and a new one
//! arrives, the *oldest* remembered message is forgotten (first in, first out), so a message
//! seen long ago — more than `capacity` distinct messages ago — may pass again.
//! [`unbounded`](UnseenOnly::unbounded) removes the limit, and memory then grows with the
//! number of distinct messages for as long as the component runs.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::UnseenOnly;
//!
//! let mut system = System::deterministic();
//! let u = UnseenOnly::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &u.inbox).unwrap();
//! axon::link(&stop, &u.control).unwrap();
//! axon::link(&u.outbox, &output).unwrap();
//! system.spawn(u);
//! for x in [3, 1, 3, 2, 1] {
//!     input.try_send(x).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let mut got = Vec::new();
//! while let Ok(x) = output.try_recv() {
//!     got.push(x);
//! }
//! assert_eq!(got, [3, 1, 2]);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | each message not seen before (within the memory limit), in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * [`capacity`](UnseenOnly::capacity)`(n)`: how many distinct messages to remember (default
//!   [`DEFAULT_UNSEEN_CAPACITY`]); [`unbounded`](UnseenOnly::unbounded)`()` for no limit.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it checks everything already queued and sends the unseen ones, then
//! sends `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what
//! is queued, and sends `Shutdown` on `signal`. What it remembers is dropped when it ends.

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// How many distinct messages [`UnseenOnly`] remembers unless told otherwise.
pub const DEFAULT_UNSEEN_CAPACITY: usize = 65_536;

/// Passes on each distinct message once. See the [module docs](self).
#[derive(Boxes)]
pub struct UnseenOnly<T: Eq + Hash + Clone + Send + 'static> {
    /// Messages.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each message not seen before (within the memory limit), in order.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    capacity: Option<usize>,
}

impl<T: Eq + Hash + Clone + Send + 'static> UnseenOnly<T> {
    /// Remembers up to [`DEFAULT_UNSEEN_CAPACITY`] distinct messages.
    pub fn new() -> Self {
        UnseenOnly {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            capacity: Some(DEFAULT_UNSEEN_CAPACITY),
        }
    }

    /// Remembers up to `n` distinct messages, forgetting the oldest beyond that.
    ///
    /// # Panics
    /// If `n` is 0 (it could remember nothing; use [`unbounded`](Self::unbounded) for no limit).
    pub fn capacity(mut self, n: usize) -> Self {
        assert!(
            n > 0,
            "UnseenOnly::capacity must be at least 1 (use unbounded() for no limit)"
        );
        self.capacity = Some(n);
        self
    }

    /// Remembers every distinct message for as long as it runs: memory grows without limit.
    pub fn unbounded(mut self) -> Self {
        self.capacity = None;
        self
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Default for UnseenOnly<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> std::fmt::Debug for UnseenOnly<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnseenOnly")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

struct Seen<T> {
    set: HashSet<T>,
    /// Arrival order, for forgetting the oldest (only kept when bounded).
    order: VecDeque<T>,
    capacity: Option<usize>,
}

impl<T: Eq + Hash + Clone + Send + 'static> Step for Seen<T> {
    type In = T;
    type Out = T;
    fn step(&mut self, msg: T, out: &mut Vec<T>) {
        if self.set.contains(&msg) {
            return;
        }
        if let Some(cap) = self.capacity {
            if self.set.len() == cap {
                if let Some(oldest) = self.order.pop_front() {
                    self.set.remove(&oldest);
                }
            }
            self.order.push_back(msg.clone());
        }
        self.set.insert(msg.clone());
        out.push(msg);
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Component for UnseenOnly<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        let seen = Seen {
            set: HashSet::new(),
            order: VecDeque::new(),
            capacity: self.capacity,
        };
        step::drive(seen, boxes).await
    }
}

crate::impl_stage!([T: Eq + Hash + Clone + Send + 'static] UnseenOnly<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let u = UnseenOnly::<Msg>::new();
    Entry::new(
        "UnseenOnly",
        "Kamaelia.Util.UnseenOnly.UnseenOnly",
        Family::Util,
        "Passes on each distinct message (by Eq + Hash) once; remembers a bounded number, forgetting the oldest.",
        axon::box_infos(&u),
    )
    .parameter("capacity", "usize", "how many distinct messages to remember (default 65536); unbounded() for no limit")
});
