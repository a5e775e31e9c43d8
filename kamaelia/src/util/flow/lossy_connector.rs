//! LossyConnector: passes messages on, dropping those the destination has no room for
//! (Kamaelia: `Kamaelia.Util.LossyConnector.lossyConnector`).
//!
//! Put it in front of a consumer that may fall behind when losing messages is better than
//! slowing the producer down (live video frames, progress updates): it never waits. Each
//! message is offered to the destination once; if the destination inbox is full the message is
//! dropped and counted ([`LossyStats::dropped`]). Its own inbox is drained as fast as messages
//! arrive, so the producer never waits for it either. An unlinked outbox holds messages up to its
//! hold capacity like any outbox; beyond that they are dropped and counted too, and so is
//! everything once the destination's component has ended.
//!
//! Choose the destination inbox's capacity ([`Inbox::with_capacity`]) to set how far the
//! consumer may fall behind before messages are dropped.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::LossyConnector;
//!
//! let mut system = System::deterministic();
//! let lossy = LossyConnector::new();
//! let stats = lossy.stats();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let mut slow = Inbox::with_capacity(2); // nobody reads it in this example
//! axon::link(&input, &lossy.inbox).unwrap();
//! axon::link(&stop, &lossy.control).unwrap();
//! axon::link(&lossy.outbox, &slow).unwrap();
//! system.spawn(lossy);
//! for frame in 0..5u32 {
//!     input.try_send(frame).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!((slow.try_recv(), slow.try_recv()), (Ok(0), Ok(1)));
//! assert_eq!((stats.passed(), stats.dropped()), (2, 3));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to pass on |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the messages the destination had room for |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! None; [`LossyConnector::stats`] gives a handle on its figures, readable while it runs.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it offers everything already queued (dropping what does not fit, as
//! always), then sends `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once,
//! discarding what is queued (not counted as dropped), and sends `Shutdown` on `signal`. It keeps
//! no partial state.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axon::{
    next_batch, Batch, Boxes, Component, Context, Control, Error, Inbox, Outbox, TrySendError,
};

use super::watch::{pass_on, BATCH};

/// Figures a [`LossyConnector`] keeps, readable while it runs.
#[derive(Debug, Clone, Default)]
pub struct LossyStats(Arc<StatsInner>);

#[derive(Debug, Default)]
struct StatsInner {
    passed: AtomicU64,
    dropped: AtomicU64,
}

impl LossyStats {
    /// Messages passed on (delivered, or held by an unlinked outbox).
    pub fn passed(&self) -> u64 {
        self.0.passed.load(Ordering::Relaxed)
    }

    /// Messages dropped because the destination had no room (or had ended).
    pub fn dropped(&self) -> u64 {
        self.0.dropped.load(Ordering::Relaxed)
    }
}

/// Passes messages on, dropping those that do not fit. See the [module docs](self).
#[derive(Boxes)]
pub struct LossyConnector<T: Send + 'static> {
    /// Messages to pass on.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (pass on what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The messages the destination had room for.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    stats: LossyStats,
}

impl<T: Send + 'static> LossyConnector<T> {
    /// A lossy connector.
    pub fn new() -> Self {
        LossyConnector {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            stats: LossyStats::default(),
        }
    }

    /// A handle on its figures.
    pub fn stats(&self) -> LossyStats {
        self.stats.clone()
    }
}

impl<T: Send + 'static> Default for LossyConnector<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> std::fmt::Debug for LossyConnector<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LossyConnector")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Offers each message once; counts what went through and what did not.
fn offer<T: Send + 'static>(outbox: &mut Outbox<T>, buf: &mut Vec<T>, stats: &StatsInner) {
    let (mut passed, mut dropped) = (0, 0);
    for msg in buf.drain(..) {
        match outbox.try_send(msg) {
            Ok(()) => passed += 1,
            Err(TrySendError::Full(_) | TrySendError::Unlinked(_) | TrySendError::Closed(_)) => {
                dropped += 1
            }
        }
    }
    stats.passed.fetch_add(passed, Ordering::Relaxed);
    stats.dropped.fetch_add(dropped, Ordering::Relaxed);
}

impl<T: Send + 'static> Component for LossyConnector<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let stats = Arc::clone(&self.stats.0);
        let mut buf = Vec::new();
        loop {
            match next_batch(&mut self.control, &mut self.inbox, &mut buf, BATCH).await {
                Batch::Messages(_) => offer(&mut self.outbox, &mut buf, &stats),
                Batch::Control(c) => {
                    if c.is_producer_finished() {
                        while self.inbox.recv_many(&mut buf, BATCH) > 0 {
                            offer(&mut self.outbox, &mut buf, &stats);
                        }
                    }
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            }
        }
    }
}

crate::impl_stage!([T: Send + 'static] LossyConnector<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let l: LossyConnector<Msg> = LossyConnector::new();
    Entry::new(
        "LossyConnector",
        "Kamaelia.Util.LossyConnector.lossyConnector",
        Family::Util,
        "Passes messages on without ever waiting: a message the destination has no room for is dropped and counted.",
        axon::box_infos(&l),
    )
    .parameter("stats", "LossyStats", "LossyConnector::stats(): messages passed and dropped, readable while it runs")
});
