//! OneShot: sends one message, then `ProducerFinished` (Kamaelia: `Kamaelia.Util.OneShot.OneShot`).
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::util::sources::OneShot;
//!
//! let mut system = System::deterministic();
//! let once = OneShot::new("go");
//! let (mut out, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&once.outbox, &out).unwrap();
//! axon::link(&once.signal, &signal).unwrap();
//! system.spawn(once);
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok("go"));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not used |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `T` | the message |
//! | `signal` | [`Control`] | `ProducerFinished` after the message, or the stop request |
//!
//! # Parameters
//!
//! * `message` ([`OneShot::new`]): what to send.
//!
//! # Shutdown
//!
//! * After sending the message it sends `ProducerFinished` on `signal` and ends.
//! * `ProducerFinished` on `control` before the message has gone: the message is its partial
//!   state, so it is still sent, then `ProducerFinished` on `signal`.
//! * `Shutdown` before the message has gone (looked at first, also while the send waits for
//!   room): the message is dropped, `Shutdown` goes on `signal`, and it ends.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself;
//!   the same text goes on `signal` first, as [`Control::Failed`], so what listens there learns
//!   why.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, send_watching, Sent};
use crate::support::fail_gone;

/// Sends one message, then `ProducerFinished`. See the [module docs](self).
#[derive(Boxes)]
pub struct OneShot<T: Send + 'static> {
    /// Not used.
    pub inbox: Inbox<()>,
    /// Stop requests: `Shutdown` before the message has gone drops it.
    pub control: Inbox<Control>,
    /// The message.
    pub outbox: Outbox<T>,
    /// `ProducerFinished` after the message, or the stop request that ended it.
    pub signal: Outbox<Control>,
    message: T,
}

impl<T: Send + 'static> std::fmt::Debug for OneShot<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneShot").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> OneShot<T> {
    /// Sends `message` once.
    pub fn new(message: T) -> Self {
        OneShot {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            message,
        }
    }
}

impl<T: Send + 'static> Component for OneShot<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut buf = vec![self.message];
        let mut finished = false;
        match send_watching(&mut self.outbox, &mut self.control, &mut buf, &mut finished).await {
            Ok(Sent::All) => pass_on(&mut self.signal, Control::ProducerFinished).await,
            Ok(Sent::Stopped(c)) => pass_on(&mut self.signal, c).await,
            Err(_) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
        }
        Ok(())
    }
}

crate::impl_stage!([T: Send + 'static] OneShot<T>, () => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "OneShot",
        "Kamaelia.Util.OneShot.OneShot",
        Family::Util,
        "Sends one message, then ProducerFinished.",
        axon::box_infos(&OneShot::new(Msg)),
    )
    .parameter("message", "T", "OneShot::new(message): what to send")
});
