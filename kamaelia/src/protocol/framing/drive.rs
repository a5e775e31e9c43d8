//! The body every framing component shares: a message-at-a-time conversion run with the control
//! convention, an `errors` outbox and, for [`DataDeChunker`](super::DataDeChunker), a `flush`
//! inbox.
//!
//! `control` is looked at first, then `flush`, then the data; it is also watched while results
//! wait for room downstream, so a receiver that takes nothing cannot hide a `Shutdown` (a
//! `ProducerFinished` then is noted and carried out next). If the receiver of the results has
//! ended, the component fails, sending [`Control::Failed`] with the reason on `signal` first.
//! A batch of data is converted and
//! its results sent; a flush first converts what is queued, then ends the current message;
//! `ProducerFinished` converts what is queued, finishes (delivering partial state), and passes
//! the `ProducerFinished` on; `Shutdown` and `Failed` end at once and are passed on. When the
//! conversion reports a fatal error, what it produced before the error is delivered, the error
//! goes out on `errors`, and the component ends with [`Control::Failed`] naming itself and the
//! error.
//!
//! A conversion makes its outputs and error reports as one sequence, in stream order, and they
//! are sent in that order ([`send_in_order`]): a report goes out on `errors` after the outputs
//! before it and before those after it, even within one batch, so a component that carries on
//! after a fault (`OnMalformed::Skip`) never sends what follows a fault ahead of its report.

use std::fmt::Display;
use std::marker::PhantomData;

use axon::{Context, Control, Error, Inbox, Outbox};

use super::codec::Decoder;
use crate::support::{pass_on, send_in_order, watching_if_it_waits, Reports, Stopped};

/// How many messages are taken from the inbox at once.
const BATCH: usize = 64;

/// What a conversion makes, in stream order: an output (`Ok`, for `outbox`) or an error
/// report (`Err`, for `errors`).
pub(crate) type Made<C> = Vec<Result<<C as Convert>::Out, <C as Convert>::Err>>;

/// A framing component's per-message rule.
pub(crate) trait Convert: Send {
    /// What arrives.
    type In: Send + 'static;
    /// What leaves.
    type Out: Send + 'static;
    /// What goes to `errors`.
    type Err: Display + Send + 'static;
    /// Converts one message, appending outputs and error reports in stream order.
    fn feed(&mut self, msg: Self::In, out: &mut Made<Self>);
    /// A message arrived on `flush`.
    fn flush(&mut self, _out: &mut Made<Self>) {}
    /// The end of the stream (`ProducerFinished`).
    fn finish(&mut self, _out: &mut Made<Self>) {}
    /// True once a fatal error was appended: the component must stop.
    fn failed(&self) -> bool;
}

/// A stream [`Decoder`] as a [`Convert`]: each message is the next piece of the stream.
pub(crate) struct Decode<D, C> {
    decoder: D,
    _chunk: PhantomData<fn(C)>,
}

impl<D, C> Decode<D, C> {
    pub(crate) fn new(decoder: D) -> Self {
        Decode {
            decoder,
            _chunk: PhantomData,
        }
    }

    fn drain(&mut self, out: &mut Vec<Result<D::Item, D::Error>>)
    where
        D: Decoder,
    {
        out.extend(std::iter::from_fn(|| self.decoder.pop()));
    }
}

impl<D, C> Convert for Decode<D, C>
where
    D: Decoder + Send,
    D::Item: Send + 'static,
    D::Error: Display + Send + 'static,
    C: AsRef<[u8]> + Send + 'static,
{
    type In = C;
    type Out = D::Item;
    type Err = D::Error;

    fn feed(&mut self, msg: C, out: &mut Made<Self>) {
        self.decoder.push(msg.as_ref());
        self.drain(out);
    }

    fn flush(&mut self, out: &mut Made<Self>) {
        self.decoder.flush();
        self.drain(out);
    }

    fn finish(&mut self, out: &mut Made<Self>) {
        self.decoder.finish();
        self.drain(out);
    }

    fn failed(&self) -> bool {
        self.decoder.has_failed()
    }
}

/// The boxes [`drive`] works on, borrowed from the component.
pub(crate) struct Boxes<'a, C: Convert> {
    pub(crate) inbox: &'a mut Inbox<C::In>,
    pub(crate) control: &'a mut Inbox<Control>,
    pub(crate) outbox: &'a mut Outbox<C::Out>,
    pub(crate) signal: &'a mut Outbox<Control>,
    /// `None` for a conversion that cannot fail.
    pub(crate) errors: Option<&'a mut Outbox<C::Err>>,
    /// `Some` for a component with a `flush` inbox.
    pub(crate) flush: Option<&'a mut Inbox<()>>,
}

/// What woke the component.
enum Wake {
    Control(Control),
    Flush,
    Data,
}

async fn next_flush(flush: &mut Option<&mut Inbox<()>>) -> Option<()> {
    match flush {
        Some(f) => f.recv().await,
        None => std::future::pending().await,
    }
}

/// What one step made, and the outputs [`send_in_order`] is grouping.
struct Pending<C: Convert> {
    made: Made<C>,
    run: Vec<C::Out>,
    /// A `ProducerFinished` came while results waited for room.
    finishing: bool,
    /// A `Shutdown` or `Failed` came while results waited for room: carried out next.
    stop: Option<Control>,
}

/// Sends what a step made, in order; returns the fatal error's text if the conversion has
/// failed.
async fn deliver<C: Convert>(
    name: &str,
    conv: &C,
    p: &mut Pending<C>,
    boxes: &mut Boxes<'_, C>,
) -> Result<Option<String>, Error> {
    let fatal = conv.failed().then(
        || match p.made.iter().rev().find_map(|r| r.as_ref().err()) {
            Some(e) => format!("{name}: {e}"),
            None => format!("{name}: malformed input"),
        },
    );
    let reports = match boxes.errors.as_deref_mut() {
        // Nobody listening on `errors` is not a failure.
        Some(errors) => Reports::IfHeard(errors),
        None => Reports::Nowhere,
    };
    // `control` is watched while results wait for room, so a receiver that takes nothing
    // cannot hide a stop.
    let send = send_in_order(name, &mut p.made, &mut p.run, boxes.outbox, reports);
    match watching_if_it_waits(boxes.control, &mut p.finishing, send).await {
        Ok(sent) => sent?,
        Err(Stopped(c)) => p.stop = Some(c),
    }
    Ok(fatal)
}

/// Feeds everything queued in the inbox; returns the fatal error's text if it failed.
async fn drain_queued<C: Convert>(
    name: &str,
    conv: &mut C,
    buf: &mut Vec<C::In>,
    p: &mut Pending<C>,
    boxes: &mut Boxes<'_, C>,
) -> Result<Option<String>, Error> {
    while p.stop.is_none() && boxes.inbox.recv_many(buf, BATCH) > 0 {
        if let Some(fatal) = feed_all(name, conv, buf, p, boxes).await? {
            return Ok(Some(fatal));
        }
    }
    Ok(None)
}

/// Feeds the messages in `buf` (stopping at a fatal error) and sends the results.
async fn feed_all<C: Convert>(
    name: &str,
    conv: &mut C,
    buf: &mut Vec<C::In>,
    p: &mut Pending<C>,
    boxes: &mut Boxes<'_, C>,
) -> Result<Option<String>, Error> {
    for msg in buf.drain(..) {
        conv.feed(msg, &mut p.made);
        if conv.failed() {
            break;
        }
    }
    deliver(name, conv, p, boxes).await
}

/// Runs `conv` over the boxes until a [`Control`] arrives or it fails (see the module docs).
///
/// # Errors
/// If the component `outbox` leads to has ended, so results can no longer be delivered; the
/// error's text goes on `signal` first, as [`Control::Failed`].
pub(crate) async fn drive<C: Convert>(
    ctx: &Context,
    conv: C,
    mut boxes: Boxes<'_, C>,
) -> Result<(), Error> {
    let run = run(ctx, conv, &mut boxes).await;
    if let Err(e) = &run {
        pass_on(boxes.signal, Control::failed(e.to_string())).await;
    }
    run
}

/// The body of [`drive`].
async fn run<C: Convert>(
    ctx: &Context,
    mut conv: C,
    boxes: &mut Boxes<'_, C>,
) -> Result<(), Error> {
    let name = ctx.name();
    let mut buf = Vec::with_capacity(BATCH);
    let mut p = Pending::<C> {
        made: Vec::new(),
        run: Vec::new(),
        finishing: false,
        stop: None,
    };
    loop {
        if let Some(c) = p.stop.take() {
            pass_on(boxes.signal, c).await;
            return Ok(());
        }
        let wake = if p.finishing {
            Wake::Control(Control::ProducerFinished)
        } else {
            tokio::select! {
                biased;
                c = boxes.control.recv() => Wake::Control(c.unwrap_or(Control::Shutdown)),
                Some(()) = next_flush(&mut boxes.flush) => Wake::Flush,
                n = boxes.inbox.recv_batch(&mut buf, BATCH) => {
                    if n == 0 { Wake::Control(Control::Shutdown) } else { Wake::Data }
                }
            }
        };
        let fatal = match wake {
            Wake::Data => feed_all(&name, &mut conv, &mut buf, &mut p, boxes).await?,
            Wake::Flush => {
                match drain_queued(&name, &mut conv, &mut buf, &mut p, boxes).await? {
                    Some(fatal) => Some(fatal),
                    // A stop came while results waited: the loop carries it out.
                    None if p.stop.is_some() => None,
                    None => {
                        conv.flush(&mut p.made);
                        deliver(&name, &conv, &mut p, boxes).await?
                    }
                }
            }
            Wake::Control(Control::ProducerFinished) => {
                p.finishing = true;
                match drain_queued(&name, &mut conv, &mut buf, &mut p, boxes).await? {
                    Some(fatal) => Some(fatal),
                    None if p.stop.is_some() => None,
                    None => {
                        conv.finish(&mut p.made);
                        match deliver(&name, &conv, &mut p, boxes).await? {
                            Some(fatal) => Some(fatal),
                            None if p.stop.is_some() => None,
                            None => {
                                pass_on(boxes.signal, Control::ProducerFinished).await;
                                return Ok(());
                            }
                        }
                    }
                }
            }
            Wake::Control(other) => {
                pass_on(boxes.signal, other).await;
                return Ok(());
            }
        };
        if let Some(reason) = fatal {
            pass_on(boxes.signal, Control::failed(reason)).await;
            return Ok(());
        }
    }
}
