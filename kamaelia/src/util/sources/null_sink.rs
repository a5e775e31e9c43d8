//! NullSink: takes everything sent to it and throws it away (Kamaelia:
//! `Kamaelia.Util.NullSink.nullSinkComponent`) — the end of a pipeline whose output nobody needs,
//! so that upstream is never held up by a full inbox.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::NullSink;
//!
//! let mut system = System::deterministic();
//! let sink = NullSink::new();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let mut signal = Inbox::new();
//! axon::link(&input, &sink.inbox).unwrap();
//! axon::link(&stop, &sink.control).unwrap();
//! axon::link(&sink.signal, &signal).unwrap();
//! system.spawn(sink);
//! input.try_send("dropped").unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | anything; discarded |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `()` | not used |
//! | `signal` | [`Control`] | the stop request, passed on |
//!
//! # Parameters
//!
//! None.
//!
//! # Shutdown
//!
//! * `ProducerFinished`: it takes (and discards) everything already waiting in its inbox, then
//!   sends `ProducerFinished` on `signal` and ends. It holds no state.
//! * `Shutdown`: it ends at once, leaving what waits in its inbox, and sends `Shutdown` on
//!   `signal`.

use axon::{next_batch, Batch, Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, BATCH};

/// Discards everything. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct NullSink<T: Send + 'static> {
    /// Anything; discarded.
    pub inbox: Inbox<T>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// Not used.
    pub outbox: Outbox<()>,
    /// The stop request, passed on.
    pub signal: Outbox<Control>,
}

impl<T: Send + 'static> Default for NullSink<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> NullSink<T> {
    /// A sink.
    pub fn new() -> Self {
        NullSink {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static> Component for NullSink<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(BATCH);
        loop {
            match next_batch(&mut self.control, &mut self.inbox, &mut buf, BATCH).await {
                Batch::Messages(_) => buf.clear(),
                Batch::Control(c) => {
                    if c.is_producer_finished() {
                        while self.inbox.recv_many(&mut buf, BATCH) > 0 {
                            buf.clear();
                        }
                    }
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            }
        }
    }
}

crate::impl_stage!([T: Send + 'static] NullSink<T>, T => ());

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "NullSink",
        "Kamaelia.Util.NullSink.nullSinkComponent",
        Family::Util,
        "Takes everything sent to it and discards it.",
        axon::box_infos(&NullSink::<Msg>::new()),
    )
});
