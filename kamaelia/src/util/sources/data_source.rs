//! DataSource: sends a list of messages, one after another, then `ProducerFinished` (Kamaelia:
//! `Kamaelia.Util.DataSource.DataSource`).
//!
//! The messages are given when the component is made, as anything iterable: a `Vec`, an array,
//! a range, a lazy iterator. They belong to the component — the caller's own collection is never
//! emptied (Kamaelia's DataSource popped the items out of the list it was handed, so the caller's
//! list was empty afterwards); to keep yours, pass a clone or `items.iter().cloned()`. A lazy
//! iterator is read only as fast as the messages are taken downstream, so
//! `DataSource::new(0..u64::MAX)` costs no memory. It sends in batches of up to 128 and lets
//! the other components on its thread run after each.
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::util::sources::DataSource;
//!
//! let mut system = System::deterministic();
//! let words = vec!["hello", "world"];
//! let source = DataSource::new(words.clone()); // `words` stays as it is
//! let (mut out, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&source.outbox, &out).unwrap();
//! axon::link(&source.signal, &signal).unwrap();
//! system.spawn(source);
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok("hello"));
//! assert_eq!(out.try_recv(), Ok("world"));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! assert_eq!(words, ["hello", "world"]);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not used |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `T` | the messages, in order |
//! | `signal` | [`Control`] | `ProducerFinished` after the last message, or the stop request |
//!
//! # Parameters
//!
//! * `items` ([`DataSource::new`]): what to send, anything `IntoIterator<Item = T>` that is
//!   `Send + 'static`.
//!
//! # Shutdown
//!
//! * When the messages run out it sends `ProducerFinished` on `signal` and ends.
//! * `ProducerFinished` on `control`: it has no input to drain; the messages it still holds are
//!   its partial state, so it sends them all, then `ProducerFinished` on `signal`, and ends.
//! * `Shutdown` on `control` (looked at before every batch, and while a send waits for room):
//!   it ends at once — the messages not yet sent are dropped — and sends `Shutdown` on `signal`.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself;
//!   the same text goes on `signal` first, as [`Control::Failed`], so what listens there learns
//!   why.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, send_watching, yield_now, Sent, BATCH};
use crate::support::fail_gone;

/// Sends a list of messages, then `ProducerFinished`. See the [module docs](self).
#[derive(Boxes)]
pub struct DataSource<T: Send + 'static> {
    /// Not used.
    pub inbox: Inbox<()>,
    /// Stop requests: `Shutdown` stops at once, `ProducerFinished` lets it send the rest.
    pub control: Inbox<Control>,
    /// The messages, in order.
    pub outbox: Outbox<T>,
    /// `ProducerFinished` after the last message, or the stop request that ended it.
    pub signal: Outbox<Control>,
    items: Box<dyn Iterator<Item = T> + Send>,
}

impl<T: Send + 'static> std::fmt::Debug for DataSource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataSource")
            .field("remaining", &self.items.size_hint())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> DataSource<T> {
    /// A source of `items`, sent in order.
    pub fn new<I>(items: I) -> Self
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
    {
        DataSource {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            items: Box::new(items.into_iter()),
        }
    }
}

impl<T: Send + 'static> Component for DataSource<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(BATCH);
        let mut finished = false;
        loop {
            if buf.is_empty() {
                buf.extend(self.items.by_ref().take(BATCH));
                if buf.is_empty() {
                    break;
                }
            }
            match send_watching(&mut self.outbox, &mut self.control, &mut buf, &mut finished).await
            {
                // Every send may have found room at once: let the other components run.
                Ok(Sent::All) => yield_now().await,
                Ok(Sent::Stopped(c)) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
                Err(_) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
            }
        }
        pass_on(&mut self.signal, Control::ProducerFinished).await;
        Ok(())
    }
}

crate::impl_stage!([T: Send + 'static] DataSource<T>, () => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "DataSource",
        "Kamaelia.Util.DataSource.DataSource",
        Family::Util,
        "Sends a list of messages in order, then ProducerFinished; the caller's collection is not emptied.",
        axon::box_infos(&DataSource::<Msg>::new(Vec::new())),
    )
    .parameter("items", "IntoIterator<Item = T>", "DataSource::new(items): what to send; a lazy iterator is read only as fast as downstream takes")
});
