//! [`Line`]: the component that runs a chain of transforms.

use super::chain::Chain;
use super::view::Hosting;
use crate::control::{next_batch, Batch};
use crate::{
    Boxes, Component, Context, Control, Error, Inbox, Outbox, TryRecvError, DEFAULT_CAPACITY,
};

/// Runs a [`Chain`] of transforms inside its own task (see the [module docs](super) for its
/// boxes, how it shuts down and what a transform can and cannot do).
///
/// Parameters: the chain, and the capacity of its `inbox` ([`with_capacity`](Self::with_capacity);
/// [`DEFAULT_CAPACITY`] otherwise). It takes up to that many messages at a time and hands them
/// down the chain as one batch.
#[derive(Boxes)]
pub struct Line<In: Send + 'static, Out: Send + 'static> {
    /// Messages for the first transform.
    pub inbox: Inbox<In>,
    /// `ProducerFinished`: drain, finish each transform in order, then stop; `Shutdown`: stop
    /// now (also while draining or waiting to send).
    pub control: Inbox<Control>,
    /// What the last transform emits.
    pub outbox: Outbox<Out>,
    /// The control message the line ended on, or `Failed` naming the transform at fault.
    pub signal: Outbox<Control>,
    chain: Chain<In, Out>,
    batch: usize,
}

impl<In: Send + 'static, Out: Send + 'static> Line<In, Out> {
    /// A line running `chain`, with an inbox of [`DEFAULT_CAPACITY`].
    pub fn new(chain: Chain<In, Out>) -> Self {
        Self::with_capacity(chain, DEFAULT_CAPACITY)
    }

    /// A line running `chain`, with an inbox of `capacity` (at least 1) messages; it hands
    /// batches of up to that many down the chain.
    pub fn with_capacity(chain: Chain<In, Out>, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Line {
            inbox: Inbox::with_capacity(capacity),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            chain,
            batch: capacity,
        }
    }
}

impl<In: Send + 'static, Out: Send + 'static> std::fmt::Debug for Line<In, Out> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Line")
            .field("transforms", &self.chain.len())
            .finish()
    }
}

impl<In: Send + 'static, Out: Send + 'static> Component for Line<In, Out> {
    async fn run(self, ctx: Context) -> Result<(), Error> {
        let Line {
            mut inbox,
            mut control,
            mut outbox,
            mut signal,
            chain,
            batch: max,
        } = self;
        let hosting = Hosting::start(&ctx, chain.nodes);
        let (mut batch, mut out) = (Vec::<In>::new(), Vec::<Out>::new());
        let mut finishing = false;
        let end = loop {
            if finishing {
                // Draining after `ProducerFinished`: a stop still counts, and other components
                // still get their turn.
                crate::coop::consume().await;
                match control.try_recv() {
                    Ok(Control::ProducerFinished) | Err(TryRecvError::Empty) => {}
                    Ok(stop) => break stop,
                    Err(TryRecvError::Closed) => break Control::Shutdown,
                }
            } else {
                match next_batch(&mut control, &mut inbox, &mut batch, max).await {
                    Batch::Messages(_) => {}
                    Batch::Control(c) if c.is_producer_finished() => {
                        finishing = true;
                        continue;
                    }
                    Batch::Control(c) => break c,
                }
            }
            // Once finishing, everything still queued goes down the chain before the
            // transforms are finished.
            let last = finishing && inbox.recv_many(&mut batch, max) == 0;
            let ran = if last {
                hosting.finish_all(&mut out)
            } else {
                hosting.pass(&mut batch, &mut out)
            };
            // A fault is recorded at once (a snapshot shows it, and it survives the task being
            // dropped), but what came out still goes on: it was handled.
            let fault = ran.err().map(|fault| hosting.failed(fault));
            let sent = send_watching(&mut outbox, &mut control, &mut out, &mut finishing).await;
            if let Some(text) = fault {
                return fail(&mut signal, text).await;
            }
            match sent {
                Ok(Some(stop)) => break stop,
                Ok(None) if last => break Control::ProducerFinished,
                Ok(None) => {}
                Err(()) => {
                    let text = format!("{}: the destination of its outbox has ended", ctx.name());
                    return fail(&mut signal, text).await;
                }
            }
        };
        hosting.stopped();
        signal.send(end).await.ok();
        Ok(())
    }
}

/// Passes `Failed` with `text` on `signal` and fails with it.
async fn fail(signal: &mut Outbox<Control>, text: String) -> Result<(), Error> {
    signal.send(Control::failed(text.as_str())).await.ok();
    Err(Error::msg(text))
}

/// Sends everything in `out`, watching `control` meanwhile: `Some` with the message if told
/// to stop (a `ProducerFinished` only sets `finishing`: what is being sent still goes), `Err`
/// if the destination has ended.
async fn send_watching<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    control: &mut Inbox<Control>,
    out: &mut Vec<T>,
    finishing: &mut bool,
) -> Result<Option<Control>, ()> {
    while !out.is_empty() {
        tokio::select! {
            biased;
            c = control.recv() => match c.unwrap_or(Control::Shutdown) {
                Control::ProducerFinished => *finishing = true,
                stop => return Ok(Some(stop)),
            },
            sent = outbox.send_all(out) => sent.map_err(|_| ())?,
        }
    }
    Ok(None)
}
