//! TriggeredSource: sends a fixed message each time anything arrives on its inbox (Kamaelia:
//! `Kamaelia.Util.DataSource.TriggeredSource`, a prefab there; a component here).
//!
//! What arrives is only a trigger: its value is ignored and dropped. Every trigger gives one
//! clone of the message, in order.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::TriggeredSource;
//!
//! let mut system = System::deterministic();
//! let source = TriggeredSource::new("tick");
//! let (mut triggers, mut stop) = (Outbox::new(), Outbox::new());
//! let mut out = Inbox::new();
//! axon::link(&triggers, &source.inbox).unwrap();
//! axon::link(&stop, &source.control).unwrap();
//! axon::link(&source.outbox, &out).unwrap();
//! system.spawn(source);
//! triggers.try_send(1u32).unwrap();
//! triggers.try_send(2).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok("tick"));
//! assert_eq!(out.try_recv(), Ok("tick"));
//! assert!(out.try_recv().is_err());
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | triggers: each one (whatever its value) sends the message once |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `T` | one clone of the message per trigger |
//! | `signal` | [`Control`] | the stop request, passed on |
//!
//! # Parameters
//!
//! * `message` ([`TriggeredSource::new`]): what to send, cloned for each trigger.
//!
//! # Shutdown
//!
//! * `ProducerFinished`: the triggers already waiting in the inbox still each send the message;
//!   then it sends `ProducerFinished` on `signal` and ends. It holds no other state.
//! * `Shutdown` (looked at first, also while a send waits for room): it ends at once, dropping
//!   the waiting triggers, and sends `Shutdown` on `signal`.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself;
//!   the same text goes on `signal` first, as [`Control::Failed`], so what listens there learns
//!   why.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, send_watching, Sent, BATCH};
use crate::support::{fail_gone, next_or_drain};

/// Sends a fixed message for every message it receives. See the [module docs](self).
#[derive(Boxes)]
pub struct TriggeredSource<I: Send + 'static, T: Clone + Send + 'static> {
    /// Triggers: each one, whatever its value, sends the message once.
    pub inbox: Inbox<I>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// One clone of the message per trigger.
    pub outbox: Outbox<T>,
    /// The stop request, passed on.
    pub signal: Outbox<Control>,
    message: T,
}

impl<I: Send + 'static, T: Clone + Send + 'static> std::fmt::Debug for TriggeredSource<I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TriggeredSource").finish_non_exhaustive()
    }
}

impl<I: Send + 'static, T: Clone + Send + 'static> TriggeredSource<I, T> {
    /// Sends `message` once per trigger.
    pub fn new(message: T) -> Self {
        TriggeredSource {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            message,
        }
    }
}

impl<I: Send + 'static, T: Clone + Send + 'static> Component for TriggeredSource<I, T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut triggers = Vec::with_capacity(BATCH);
        let mut out = Vec::with_capacity(BATCH);
        let mut finished = false;
        let end = loop {
            let next = next_or_drain(
                &mut self.control,
                &mut self.inbox,
                &mut triggers,
                BATCH,
                &mut finished,
            );
            if let Some(end) = next.await.end() {
                break end;
            }
            let n = triggers.len();
            triggers.clear();
            out.extend(std::iter::repeat_n(&self.message, n).cloned());
            match send_watching(&mut self.outbox, &mut self.control, &mut out, &mut finished).await
            {
                Ok(Sent::All) => {}
                Ok(Sent::Stopped(c)) => break c,
                Err(_) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
            }
        };
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([I: Send + 'static, T: Clone + Send + 'static] TriggeredSource<I, T>, I => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "TriggeredSource",
        "Kamaelia.Util.DataSource.TriggeredSource",
        Family::Util,
        "Sends a fixed message each time anything arrives on its inbox.",
        axon::box_infos(&TriggeredSource::<Msg, Msg>::new(Msg)),
    )
    .parameter(
        "message",
        "T: Clone",
        "TriggeredSource::new(message): what to send, once per trigger",
    )
});
