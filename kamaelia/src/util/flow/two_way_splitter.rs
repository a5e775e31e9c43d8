//! TwoWaySplitter: copies every message to `outbox` and `outbox2`, and the control message that
//! ends it to `signal` and `signal2` (Kamaelia: `Kamaelia.Util.TwoWaySplitter.TwoWaySplitter`).
//!
//! It puts two consumers side by side: link one to `outbox`/`signal` and the other to
//! `outbox2`/`signal2`, and both see the same messages and both are told when the stream ends.
//! A full destination holds everything up (backpressure), so neither consumer misses anything
//! and the faster one waits for the slower. A destination whose component has ended is dropped
//! and the other goes on.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::TwoWaySplitter;
//!
//! let mut system = System::deterministic();
//! let split = TwoWaySplitter::new();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut left, mut right, mut right_stop) = (Inbox::new(), Inbox::new(), Inbox::new());
//! axon::link(&input, &split.inbox).unwrap();
//! axon::link(&stop, &split.control).unwrap();
//! axon::link(&split.outbox, &left).unwrap();
//! axon::link(&split.outbox2, &right).unwrap();
//! axon::link(&split.signal2, &right_stop).unwrap();
//! system.spawn(split);
//! input.try_send(7u32).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!((left.try_recv(), right.try_recv()), (Ok(7), Ok(7)));
//! assert_eq!(right_stop.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to copy |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | first copy of every message |
//! | `outbox2` | `T` | second copy of every message |
//! | `signal` | [`Control`] | the control message that ended it |
//! | `signal2` | [`Control`] | the same control message, for the second consumer |
//!
//! # Parameters
//!
//! None.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it copies everything already queued to both outboxes, then sends
//! `ProducerFinished` on `signal` and `signal2` and ends. On `Shutdown` — also while it waits for
//! a full destination — it ends at once, discarding what is queued, and sends `Shutdown` on
//! `signal` and `signal2`. It keeps no partial state.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::watch::{pass_on, send_watching, Sent, Stopped, BATCH};
use crate::support::next_or_drain;

/// Copies every message to two outboxes. See the [module docs](self).
#[derive(Boxes)]
pub struct TwoWaySplitter<T: Clone + Send + 'static> {
    /// Messages to copy.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (copy what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// First copy of every message.
    pub outbox: Outbox<T>,
    /// Second copy of every message.
    pub outbox2: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    /// The same control message, for the consumer of `outbox2`.
    pub signal2: Outbox<Control>,
}

impl<T: Clone + Send + 'static> TwoWaySplitter<T> {
    /// A splitter.
    pub fn new() -> Self {
        TwoWaySplitter {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            outbox2: Outbox::new(),
            signal: Outbox::new(),
            signal2: Outbox::new(),
        }
    }
}

impl<T: Clone + Send + 'static> Default for TwoWaySplitter<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Send + 'static> std::fmt::Debug for TwoWaySplitter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoWaySplitter").finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> Component for TwoWaySplitter<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let TwoWaySplitter {
            mut inbox,
            mut control,
            mut outbox,
            mut outbox2,
            mut signal,
            mut signal2,
        } = self;
        let mut dests = [Some(&mut outbox), Some(&mut outbox2)];
        let mut buf = Vec::new();
        let mut finishing = false;
        let end = loop {
            if let Some(end) =
                next_or_drain(&mut control, &mut inbox, &mut buf, BATCH, &mut finishing)
                    .await
                    .end()
            {
                break end;
            }
            let mut stopped = None;
            'batch: for msg in buf.drain(..) {
                for slot in dests.iter_mut() {
                    let Some(dest) = slot else { continue };
                    match send_watching(dest, msg.clone(), &mut control, &mut finishing).await {
                        Ok(Sent::Delivered) => {}
                        Ok(Sent::Closed(_)) => *slot = None,
                        Err(Stopped(c)) => {
                            stopped = Some(c);
                            break 'batch;
                        }
                    }
                }
            }
            if let Some(c) = stopped {
                break c;
            }
        };
        pass_on(&mut signal, end.clone()).await;
        pass_on(&mut signal2, end).await;
        Ok(())
    }
}

crate::impl_stage!([T: Clone + Send + 'static] TwoWaySplitter<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let s: TwoWaySplitter<Msg> = TwoWaySplitter::new();
    Entry::new(
        "TwoWaySplitter",
        "Kamaelia.Util.TwoWaySplitter.TwoWaySplitter",
        Family::Util,
        "Copies every message to outbox and outbox2, and the control message that ends it to signal and signal2; a full destination holds the other up.",
        axon::box_infos(&s),
    )
});
