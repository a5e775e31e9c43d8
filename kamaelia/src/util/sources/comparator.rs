//! Comparator: compares what arrives on `inA` with what arrives on `inB`, pair by pair, and sends
//! whether each pair is equal (Kamaelia: `Kamaelia.Util.Comparator.Comparator`) — a test aid,
//! typically followed by a [`TestResult`](super::TestResult).
//!
//! The first message on `inA` is paired with the first on `inB`, the second with the second,
//! and so on; each pair sends one `bool` (`a == b`). At most one message per side is held while
//! it waits for its partner; the rest wait in the inboxes, so a fast side is held back by
//! backpressure.
//!
//! At end of stream nothing is lost (Kamaelia's Comparator dropped both the pairs that arrived
//! together with `producerFinished` and the unpaired items): the waiting pairs are all compared,
//! and each message left without a partner — the two streams had different lengths — sends
//! `false`.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::Comparator;
//!
//! let mut system = System::deterministic();
//! let compare = Comparator::new();
//! let (mut a, mut b, mut stop) = (Outbox::new(), Outbox::new(), Outbox::new());
//! let mut out = Inbox::new();
//! axon::link(&a, &compare.in_a).unwrap();
//! axon::link(&b, &compare.in_b).unwrap();
//! axon::link(&stop, &compare.control).unwrap();
//! axon::link(&compare.outbox, &out).unwrap();
//! system.spawn(compare);
//! for (x, y) in [(1, 1), (2, 3)] {
//!     a.try_send(x).unwrap();
//!     b.try_send(y).unwrap();
//! }
//! a.try_send(4).unwrap(); // no partner
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok(true));
//! assert_eq!(out.try_recv(), Ok(false));
//! assert_eq!(out.try_recv(), Ok(false)); // the unpaired 4
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not used |
//! | `inA` (field `in_a`) | `A` | the first stream |
//! | `inB` (field `in_b`) | `B` | the second stream |
//! | `control` | [`Control`] | end of stream, stop requests |
//! | `outbox` | `bool` | `a == b` for each pair, in order; `false` for each unpaired message at end of stream |
//! | `signal` | [`Control`] | the stop request, passed on |
//!
//! # Parameters
//!
//! None: [`Comparator::new`]; `A` and `B` are any types with `A: PartialEq<B>`.
//!
//! # Shutdown
//!
//! * `ProducerFinished`: every pair that can be made from what is held and what waits in `inA`
//!   and `inB` is compared and sent; then each message left over on either side sends `false`;
//!   then `ProducerFinished` goes on `signal` and it ends.
//! * `Shutdown` (looked at first, also while a send waits for room): it ends at once, dropping
//!   what is held and waiting, and sends `Shutdown` on `signal`.
//! * If the component its `outbox` leads to has ended, it fails with an error naming itself;
//!   the same text goes on `signal` first, as [`Control::Failed`], so what listens there learns
//!   why.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{gone, pass_on, send_watching, Sent, BATCH};
use crate::support::failure;

/// Compares pairs from `inA` and `inB`. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct Comparator<A: Send + 'static, B: Send + 'static = A> {
    /// Not used.
    pub inbox: Inbox<()>,
    /// The first stream.
    #[boxes(name = "inA")]
    pub in_a: Inbox<A>,
    /// The second stream.
    #[boxes(name = "inB")]
    pub in_b: Inbox<B>,
    /// End of stream, stop requests.
    pub control: Inbox<Control>,
    /// Whether each pair is equal, in order; `false` for each unpaired message at end of stream.
    pub outbox: Outbox<bool>,
    /// The stop request, passed on.
    pub signal: Outbox<Control>,
}

impl<A: PartialEq<B> + Send + 'static, B: Send + 'static> Default for Comparator<A, B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: PartialEq<B> + Send + 'static, B: Send + 'static> Comparator<A, B> {
    /// A comparator.
    pub fn new() -> Self {
        Comparator {
            inbox: Inbox::new(),
            in_a: Inbox::new(),
            in_b: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }

    /// Sends `out`; `Some` with the stop request if one other than `ProducerFinished` came.
    async fn flush(
        &mut self,
        name: &str,
        out: &mut Vec<bool>,
        finished: &mut bool,
    ) -> Result<Option<Control>, Error> {
        match send_watching(&mut self.outbox, &mut self.control, out, finished).await {
            Ok(Sent::All) => Ok(None),
            Ok(Sent::Stopped(c)) => Ok(Some(c)),
            Err(_) => Err(failure(&mut self.signal, gone(name, "outbox").to_string()).await),
        }
    }
}

impl<A: PartialEq<B> + Send + 'static, B: Send + 'static> Component for Comparator<A, B> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let mut a: Option<A> = None;
        let mut b: Option<B> = None;
        let mut out = Vec::with_capacity(BATCH);
        let mut finished = false;
        // Pairs as they come, until the end of the stream.
        while !finished {
            if a.is_some() && b.is_some() {
                if let (Some(x), Some(y)) = (a.take(), b.take()) {
                    out.push(x == y);
                }
                if let Some(c) = self.flush(&name, &mut out, &mut finished).await? {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
                continue;
            }
            tokio::select! {
                biased;
                c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                    Control::ProducerFinished => finished = true,
                    c => {
                        pass_on(&mut self.signal, c).await;
                        return Ok(());
                    }
                },
                Some(x) = self.in_a.recv(), if a.is_none() => a = Some(x),
                Some(y) = self.in_b.recv(), if b.is_none() => b = Some(y),
            }
        }
        // End of stream: every waiting pair, then the leftovers, each `false`.
        loop {
            if a.is_none() {
                a = self.in_a.try_recv().ok();
            }
            if b.is_none() {
                b = self.in_b.try_recv().ok();
            }
            match (a.take(), b.take()) {
                (None, None) => break,
                (Some(x), Some(y)) => out.push(x == y),
                _ => out.push(false),
            }
            if out.len() >= BATCH {
                if let Some(c) = self.flush(&name, &mut out, &mut finished).await? {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            }
        }
        if let Some(c) = self.flush(&name, &mut out, &mut finished).await? {
            pass_on(&mut self.signal, c).await;
            return Ok(());
        }
        pass_on(&mut self.signal, Control::ProducerFinished).await;
        Ok(())
    }
}

crate::impl_stage!(
    [A: PartialEq<B> + Send + 'static, B: Send + 'static] Comparator<A, B>, () => bool
);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "Comparator",
        "Kamaelia.Util.Comparator.Comparator",
        Family::Util,
        "Test aid: compares messages from inA and inB pair by pair and sends whether each pair is equal; at end of stream every waiting pair is compared and each unpaired message sends false.",
        axon::box_infos(&Comparator::<Msg>::new()),
    )
});
