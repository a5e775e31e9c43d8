//! Collate: collects everything it receives and, at end of stream, sends it all as one `Vec`
//! (Kamaelia: `Kamaelia.Util.Collate.Collate`).
//!
//! Collecting is unbounded by nature, so it has a limit (1,048,576 messages unless set with
//! [`Collate::limit`]): one message more and it fails with an error naming the limit, instead of
//! filling memory.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::Collate;
//!
//! let mut system = System::deterministic();
//! let collate = Collate::new();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let mut out = Inbox::new();
//! axon::link(&input, &collate.inbox).unwrap();
//! axon::link(&stop, &collate.control).unwrap();
//! axon::link(&collate.outbox, &out).unwrap();
//! system.spawn(collate);
//! input.try_send('a').unwrap();
//! input.try_send('b').unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok(vec!['a', 'b']));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | the messages to collect |
//! | `control` | [`Control`] | `ProducerFinished` ends the stream |
//! | `outbox` | `Vec<T>` | everything collected, in order, once at end of stream |
//! | `signal` | [`Control`] | the stop request, passed on |
//!
//! # Parameters
//!
//! * [`Collate::limit`]: the most messages it collects (default 1,048,576).
//!
//! # Shutdown
//!
//! * `ProducerFinished`: it collects everything already waiting in its inbox, sends the whole
//!   collection as one `Vec` (an empty `Vec` if nothing came), then `ProducerFinished` on
//!   `signal`, and ends.
//! * `Shutdown` (looked at first, also while the `Vec` waits for room downstream): it ends at
//!   once; what it collected is dropped, not sent. `Shutdown` goes on `signal`.
//! * Going over the limit fails it with an error naming itself and the limit.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself.
//! * When it fails, the error's text goes on `signal` first, as [`Control::Failed`], so what
//!   listens there learns why.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, send_watching, Sent, BATCH};
use crate::support::{fail, fail_gone, next_or_drain, Next};

/// How many messages a [`Collate`] collects unless told otherwise.
pub const DEFAULT_LIMIT: usize = 1 << 20;

/// Collects everything and sends one `Vec` at end of stream. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct Collate<T: Send + 'static> {
    /// The messages to collect.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` ends the stream and sends the collection; `Shutdown` drops it.
    pub control: Inbox<Control>,
    /// Everything collected, in order, once at end of stream.
    pub outbox: Outbox<Vec<T>>,
    /// The stop request, passed on.
    pub signal: Outbox<Control>,
    limit: usize,
}

impl<T: Send + 'static> Default for Collate<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> Collate<T> {
    /// Collects up to [`DEFAULT_LIMIT`] messages.
    pub fn new() -> Self {
        Collate {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            limit: DEFAULT_LIMIT,
        }
    }

    /// Collects up to `limit` messages; one more fails the component.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }
}

impl<T: Send + 'static> Component for Collate<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut collected = Vec::new();
        let limit = self.limit;
        let over = || {
            format!(
                "{}: more than {limit} messages to collect (raise the limit with Collate::limit)",
                ctx.name()
            )
        };
        let mut finished = false;
        loop {
            let next = next_or_drain(
                &mut self.control,
                &mut self.inbox,
                &mut collected,
                BATCH,
                &mut finished,
            );
            match next.await {
                Next::Batch => {}
                Next::Drained => break,
                Next::Stop(c) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            }
            if collected.len() > limit {
                return fail(&mut self.signal, over()).await;
            }
        }
        let mut out = vec![collected];
        match send_watching(&mut self.outbox, &mut self.control, &mut out, &mut finished).await {
            Ok(Sent::All) => pass_on(&mut self.signal, Control::ProducerFinished).await,
            Ok(Sent::Stopped(c)) => pass_on(&mut self.signal, c).await,
            Err(_) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
        }
        Ok(())
    }
}

crate::impl_stage!([T: Send + 'static] Collate<T>, T => Vec<T>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "Collate",
        "Kamaelia.Util.Collate.Collate",
        Family::Util,
        "Collects everything it receives and sends it as one Vec when the stream ends (ProducerFinished).",
        axon::box_infos(&Collate::<Msg>::new()),
    )
    .parameter(
        "limit",
        "usize",
        "Collate::limit(n): the most messages it collects, one more fails it (default 1,048,576)",
    )
});
