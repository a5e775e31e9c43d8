//! The shared body of the transforms: a message-at-a-time rule run with the control convention.
//!
//! Each transform says what one message turns into ([`Step::step`]) and what its partial state
//! turns into at end of stream ([`Step::finish`]); [`drive`] does the rest: `control` first
//! (also while results wait for room downstream), batches in and out, `ProducerFinished` drains
//! and flushes, `Shutdown` stops at once, and the control message that ended it leaves on
//! `signal` (or, if the receiver of its results has ended, `Failed` with the reason).
//!
//! Results go out through a [`Deliver`]: normally the component's `outbox`, but a transform
//! with more than one output box (ChunksToLines: lines and too-long reports) supplies its own,
//! which sends each result to its box in the order the results were made.

use std::future::Future;

use axon::{Control, Error, Inbox, Outbox};

/// How many messages are taken from the inbox at once.
pub(crate) const BATCH: usize = 64;

/// A transform's per-message rule.
pub(crate) trait Step: Send {
    /// What arrives.
    type In: Send + 'static;
    /// What leaves.
    type Out: Send + 'static;
    /// Turns one message into zero or more outputs, pushed onto `out` in order.
    fn step(&mut self, msg: Self::In, out: &mut Vec<Self::Out>);
    /// After each batch of messages (e.g. to send a partial chunk at once).
    fn after_batch(&mut self, _out: &mut Vec<Self::Out>) {}
    /// At end of stream (`ProducerFinished`): pushes whatever partial state is left.
    fn finish(&mut self, _out: &mut Vec<Self::Out>) {}
}

/// Where a transform's results go.
pub(crate) trait Deliver<T>: Send {
    /// Sends every result in `out`, in order, emptying it.
    fn deliver(&mut self, out: &mut Vec<T>) -> impl Future<Output = Result<(), Error>> + Send;
}

impl<T: Send + 'static> Deliver<T> for Outbox<T> {
    async fn deliver(&mut self, out: &mut Vec<T>) -> Result<(), Error> {
        self.send_all(out).await?;
        Ok(())
    }
}

/// The four standard boxes, borrowed; `outbox` is usually the `outbox` itself.
pub(crate) struct Boxes<'a, I: Send + 'static, D> {
    pub(crate) inbox: &'a mut Inbox<I>,
    pub(crate) control: &'a mut Inbox<Control>,
    pub(crate) outbox: &'a mut D,
    pub(crate) signal: &'a mut Outbox<Control>,
}

/// Runs `step` over the boxes until a [`Control`] arrives (see the module docs).
///
/// # Errors
/// If a component the results go to has ended, so they can no longer be delivered; the
/// error's text goes on `signal` first, as [`Control::Failed`].
pub(crate) async fn drive<S: Step, D: Deliver<S::Out>>(
    mut step: S,
    boxes: Boxes<'_, S::In, D>,
) -> Result<(), Error> {
    let Boxes {
        inbox,
        control,
        outbox,
        signal,
    } = boxes;
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut finishing = false;
    let stop = loop {
        // After ProducerFinished: drain what is queued (no `after_batch`), and once nothing is
        // (`last`), flush the partial state and pass it on.
        let last = match next_or_drain(control, inbox, &mut buf, BATCH, &mut finishing).await {
            Next::Batch => false,
            Next::Drained => true,
            Next::Stop(c) => break c,
        };
        // A batch taken after ProducerFinished came is a drained one.
        let draining = finishing;
        for msg in buf.drain(..) {
            step.step(msg, &mut out);
        }
        if last {
            step.finish(&mut out);
        } else if !draining {
            step.after_batch(&mut out);
        }
        match deliver_watching(outbox, control, &mut out, &mut finishing).await {
            Ok(Ok(())) if last => break Control::ProducerFinished,
            Ok(Ok(())) => {}
            Ok(Err(e)) => return fail(signal, e).await,
            Err(Stopped(c)) => break c,
        }
    };
    pass_on(signal, stop).await;
    Ok(())
}

/// Delivers `out`, watching `control` if it has to wait for room (see
/// [`watching_if_it_waits`]): `Ok(Err(_))` if the receiver has ended, `Err(Stopped)` for a stop
/// that came first.
async fn deliver_watching<T, D: Deliver<T>>(
    outbox: &mut D,
    control: &mut Inbox<Control>,
    out: &mut Vec<T>,
    finishing: &mut bool,
) -> Result<Result<(), Error>, Stopped> {
    if out.is_empty() {
        return Ok(Ok(()));
    }
    watching_if_it_waits(control, finishing, outbox.deliver(out)).await
}

/// Fails the transform: the error's text on `signal` as [`Control::Failed`], then the error.
async fn fail(signal: &mut Outbox<Control>, e: Error) -> Result<(), Error> {
    pass_on(signal, Control::failed(e.to_string())).await;
    Err(e)
}

pub(crate) use crate::support::pass_on;
use crate::support::{next_or_drain, watching_if_it_waits, Next, Stopped};
