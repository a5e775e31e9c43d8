//! TriggeredOneShot: waits for anything to arrive on its inbox, then sends one message and
//! finishes (Kamaelia: `Kamaelia.Util.OneShot.TriggeredOneShot`).
//!
//! The trigger's value is ignored. Only the first trigger counts: the component ends right after
//! sending, so later triggers are never read.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::TriggeredOneShot;
//!
//! let mut system = System::deterministic();
//! let once = TriggeredOneShot::new("fire");
//! let mut trigger = Outbox::new();
//! let (mut out, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&trigger, &once.inbox).unwrap();
//! axon::link(&once.outbox, &out).unwrap();
//! axon::link(&once.signal, &signal).unwrap();
//! system.spawn(once);
//! system.run_until_idle();
//! assert!(out.try_recv().is_err()); // nothing until triggered
//! trigger.try_send(()).unwrap();
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok("fire"));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | the trigger: the first message (whatever its value) sends the message |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `T` | the message |
//! | `signal` | [`Control`] | `ProducerFinished` after the message, or the stop request |
//!
//! # Parameters
//!
//! * `message` ([`TriggeredOneShot::new`]): what to send when triggered.
//!
//! # Shutdown
//!
//! * After sending the message it sends `ProducerFinished` on `signal` and ends.
//! * `ProducerFinished` on `control`: if a trigger is already waiting in the inbox it still
//!   counts (the message is sent); otherwise nothing is sent. Then `ProducerFinished` goes on
//!   `signal` and it ends.
//! * `Shutdown` (looked at first, also while the send waits for room): it ends without sending
//!   (or finishing the send) and sends `Shutdown` on `signal`.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself;
//!   the same text goes on `signal` first, as [`Control::Failed`], so what listens there learns
//!   why.

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};

use super::{pass_on, send_watching, Sent};
use crate::support::fail_gone;

/// Sends one message when first triggered. See the [module docs](self).
#[derive(Boxes)]
pub struct TriggeredOneShot<I: Send + 'static, T: Send + 'static> {
    /// The trigger: the first message, whatever its value, sends the message.
    pub inbox: Inbox<I>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// The message.
    pub outbox: Outbox<T>,
    /// `ProducerFinished` after the message, or the stop request that ended it.
    pub signal: Outbox<Control>,
    message: T,
}

impl<I: Send + 'static, T: Send + 'static> std::fmt::Debug for TriggeredOneShot<I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TriggeredOneShot").finish_non_exhaustive()
    }
}

impl<I: Send + 'static, T: Send + 'static> TriggeredOneShot<I, T> {
    /// Sends `message` when the first trigger arrives.
    pub fn new(message: T) -> Self {
        TriggeredOneShot {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            message,
        }
    }
}

impl<I: Send + 'static, T: Send + 'static> Component for TriggeredOneShot<I, T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        match next_event(&mut self.control, &mut self.inbox).await {
            Event::Message(_) => {}
            Event::Control(Control::ProducerFinished) if self.inbox.try_recv().is_ok() => {}
            Event::Control(c) => {
                pass_on(&mut self.signal, c).await;
                return Ok(());
            }
        }
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

crate::impl_stage!([I: Send + 'static, T: Send + 'static] TriggeredOneShot<I, T>, I => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "TriggeredOneShot",
        "Kamaelia.Util.OneShot.TriggeredOneShot",
        Family::Util,
        "Waits for anything to arrive on its inbox, then sends one message and ProducerFinished.",
        axon::box_infos(&TriggeredOneShot::<Msg, Msg>::new(Msg)),
    )
    .parameter(
        "message",
        "T",
        "TriggeredOneShot::new(message): what to send when triggered",
    )
});
