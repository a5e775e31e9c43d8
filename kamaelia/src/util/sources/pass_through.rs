//! PassThrough: sends on everything it receives, unchanged and in order (Kamaelia:
//! `Kamaelia.Util.PassThrough.PassThrough`).
//!
//! It moves messages in batches — everything waiting, up to 128 at a time, is taken under one
//! lock and sent under one lock — so a chain of pass-throughs costs little per message. It is
//! the stage the pipeline throughput benchmark uses.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::PassThrough;
//!
//! let mut system = System::deterministic();
//! let pass = PassThrough::new();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut out, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &pass.inbox).unwrap();
//! axon::link(&stop, &pass.control).unwrap();
//! axon::link(&pass.outbox, &out).unwrap();
//! axon::link(&pass.signal, &signal).unwrap();
//! system.spawn(pass);
//! input.try_send(1).unwrap();
//! input.try_send(2).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok(1));
//! assert_eq!(out.try_recv(), Ok(2));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | anything |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `T` | what arrived on `inbox`, unchanged, in order |
//! | `signal` | [`Control`] | the stop request, passed on |
//!
//! # Parameters
//!
//! None.
//!
//! # Shutdown
//!
//! * `ProducerFinished`: everything already waiting in the inbox is sent on, then
//!   `ProducerFinished` goes on `signal` and it ends. It holds no other state.
//! * `Shutdown` (looked at first, also while a send waits for room): it ends at once, dropping
//!   what waits in its inbox and what of the current batch has not gone, and sends `Shutdown`
//!   on `signal`.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself;
//!   the same text goes on `signal` first, as [`Control::Failed`], so what listens there learns
//!   why.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, send_watching, Sent, BATCH};
use crate::support::{fail_gone, next_or_drain};

/// Passes everything on unchanged. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct PassThrough<T: Send + 'static> {
    /// Anything.
    pub inbox: Inbox<T>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// What arrived on `inbox`, unchanged, in order.
    pub outbox: Outbox<T>,
    /// The stop request, passed on.
    pub signal: Outbox<Control>,
}

impl<T: Send + 'static> Default for PassThrough<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> PassThrough<T> {
    /// A pass-through.
    pub fn new() -> Self {
        PassThrough {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static> Component for PassThrough<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut buf = Vec::new();
        let mut finished = false;
        let end = loop {
            let next = next_or_drain(
                &mut self.control,
                &mut self.inbox,
                &mut buf,
                BATCH,
                &mut finished,
            );
            if let Some(end) = next.await.end() {
                break end;
            }
            match send_watching(&mut self.outbox, &mut self.control, &mut buf, &mut finished).await
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

crate::impl_stage!([T: Send + 'static] PassThrough<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "PassThrough",
        "Kamaelia.Util.PassThrough.PassThrough",
        Family::Util,
        "Sends on everything it receives, unchanged and in order, in batches; passes control messages on to signal.",
        axon::box_infos(&PassThrough::<Msg>::new()),
    )
});
