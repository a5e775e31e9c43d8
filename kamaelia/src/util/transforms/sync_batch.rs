//! SyncBatch: waits for `n` messages, then sends one of them on (Kamaelia: `Kamaelia.Util.Sync.Sync`).
//!
//! Messages are counted in batches of `n`. When the `n`th message of a batch arrives, the
//! **first** message of that batch is sent on and the next batch begins; messages beyond a batch
//! roll over into the next one, none is ignored. [`emit_last`](SyncBatch::emit_last) sends the
//! last message of each batch instead. (Kamaelia's documentation promised the first while its
//! code sent the last; here the default is the documented first, and the other is an option.)
//!
//! Its typical use is to wait until `n` things have happened: link the `signal` outboxes of `n`
//! components to one `SyncBatch` inbox (many outboxes may feed one inbox) and it passes on one
//! message once all `n` have said they finished.
//!
//! The Rust name is not `Sync`, which would clash with [`std::marker::Sync`] wherever the
//! transforms are imported with `*`.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::SyncBatch;
//!
//! let mut system = System::deterministic();
//! let s = SyncBatch::new(3);
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &s.inbox).unwrap();
//! axon::link(&stop, &s.control).unwrap();
//! axon::link(&s.outbox, &output).unwrap();
//! system.spawn(s);
//! for x in 1..=7 {
//!     input.try_send(x).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(1)); // batch 1, 2, 3
//! assert_eq!(output.try_recv(), Ok(4)); // batch 4, 5, 6
//! assert_eq!(output.try_recv(), Ok(7)); // the partial batch 7, delivered at the end
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to count |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the first (or last) message of each batch of `n` |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `n`: messages per batch, given to [`SyncBatch::new`]; at least 1 (Kamaelia's default was
//!   2, which is [`SyncBatch::default`]).
//! * [`emit_last`](SyncBatch::emit_last)`()`: send the last message of each batch instead of the
//!   first.
//! * [`drop_partial`](SyncBatch::drop_partial)`()`: at end of stream, discard an incomplete batch
//!   instead of delivering it.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it counts everything already queued and sends for each completed batch;
//! then, if a batch is incomplete, it **delivers** that batch's first (or last) message as if the
//! batch were complete — unless [`drop_partial`](SyncBatch::drop_partial) was chosen, when it is
//! discarded — then sends `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at
//! once, discarding what is queued and any incomplete batch, and sends `Shutdown` on `signal`.
//! It holds at most one message between batches.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// Sends one message for every `n` received. See the [module docs](self).
#[derive(Boxes)]
pub struct SyncBatch<T: Send + 'static> {
    /// Messages to count.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, deliver an incomplete batch, then stop) or `Shutdown` (stop
    /// now).
    pub control: Inbox<Control>,
    /// The first (or last) message of each batch of `n`.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    n: usize,
    emit_last: bool,
    deliver_partial: bool,
}

impl<T: Send + 'static> SyncBatch<T> {
    /// Sends the first message of every batch of `n`.
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn new(n: usize) -> Self {
        assert!(n > 0, "SyncBatch batch size n must be at least 1");
        SyncBatch {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            n,
            emit_last: false,
            deliver_partial: true,
        }
    }

    /// Sends the last message of each batch instead of the first.
    pub fn emit_last(mut self) -> Self {
        self.emit_last = true;
        self
    }

    /// At end of stream, discards an incomplete batch instead of delivering it.
    pub fn drop_partial(mut self) -> Self {
        self.deliver_partial = false;
        self
    }
}

impl<T: Send + 'static> Default for SyncBatch<T> {
    /// Batches of 2, as Kamaelia's default.
    fn default() -> Self {
        Self::new(2)
    }
}

impl<T: Send + 'static> std::fmt::Debug for SyncBatch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncBatch")
            .field("n", &self.n)
            .field("emit_last", &self.emit_last)
            .field("deliver_partial", &self.deliver_partial)
            .finish_non_exhaustive()
    }
}

struct Count<T> {
    n: usize,
    emit_last: bool,
    deliver_partial: bool,
    /// Messages of the current batch so far.
    count: usize,
    /// The message to send for the current batch.
    held: Option<T>,
}

impl<T: Send + 'static> Step for Count<T> {
    type In = T;
    type Out = T;
    fn step(&mut self, msg: T, out: &mut Vec<T>) {
        if self.count == 0 || self.emit_last {
            self.held = Some(msg);
        }
        self.count += 1;
        if self.count == self.n {
            self.count = 0;
            out.extend(self.held.take());
        }
    }

    fn finish(&mut self, out: &mut Vec<T>) {
        if self.deliver_partial {
            out.extend(self.held.take());
        }
    }
}

impl<T: Send + 'static> Component for SyncBatch<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        let count = Count {
            n: self.n,
            emit_last: self.emit_last,
            deliver_partial: self.deliver_partial,
            count: 0,
            held: None,
        };
        step::drive(count, boxes).await
    }
}

crate::impl_stage!([T: Send + 'static] SyncBatch<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let s = SyncBatch::<Msg>::default();
    Entry::new(
        "SyncBatch",
        "Kamaelia.Util.Sync.Sync",
        Family::Util,
        "Counts messages in batches of n and sends the first (or last) of each batch; an incomplete batch is delivered at end of stream.",
        axon::box_infos(&s),
    )
    .parameter("n", "usize", "messages per batch, at least 1 (default 2)")
    .parameter("emit_last", "bool", "emit_last(): send the last message of each batch instead of the first")
    .parameter("drop_partial", "bool", "drop_partial(): discard an incomplete batch at end of stream")
});
