//! Small helpers every component family here shares.

use std::future::Future;
use std::task::Poll;

use axon::{next_batch, Batch, Control, Error, Inbox, Outbox};

/// Sends the control message that ended a component on `signal`. If nobody listens any more the
/// message is dropped: that is not an error for a component that is ending anyway.
pub(crate) async fn pass_on(signal: &mut Outbox<Control>, c: Control) {
    signal.send(c).await.ok();
}

/// What ended a wait early: the stop request, to be passed on unchanged (a `Failed` keeps its
/// reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stopped(pub(crate) Control);

/// Records `c` (just received on `control`): `ProducerFinished` sets `finishing`; anything else
/// (`Shutdown`, `Failed`, or a closed `control`, seen as `None` and taken as `Shutdown`) means
/// stop now.
pub(crate) fn note(c: Option<Control>, finishing: &mut bool) -> Result<(), Stopped> {
    match c.unwrap_or(Control::Shutdown) {
        Control::ProducerFinished => {
            *finishing = true;
            Ok(())
        }
        c => Err(Stopped(c)),
    }
}

/// Runs `fut` to completion while watching `control` (looked at first), so that a long wait —
/// for room downstream, a slow peer, a timer — cannot hide a stop. A `Shutdown`, a `Failed` or
/// a closed `control` abandons `fut` and is returned; a `ProducerFinished` sets `finishing`
/// and the wait goes on (nothing already accepted is dropped).
pub(crate) async fn watching<F: Future>(
    control: &mut Inbox<Control>,
    finishing: &mut bool,
    fut: F,
) -> Result<F::Output, Stopped> {
    let mut fut = std::pin::pin!(fut);
    loop {
        tokio::select! {
            biased;
            c = control.recv() => note(c, finishing)?,
            out = &mut fut => return Ok(out),
        }
    }
}

/// As [`watching`], but gives `fut` one try first: when it completes at once (room downstream,
/// the usual case) `control` is not looked at, which keeps a busy component's path short.
pub(crate) async fn watching_if_it_waits<F: Future>(
    control: &mut Inbox<Control>,
    finishing: &mut bool,
    fut: F,
) -> Result<F::Output, Stopped> {
    let mut fut = std::pin::pin!(fut);
    if let Poll::Ready(out) = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
        return Ok(out);
    }
    watching(control, finishing, fut).await
}

/// What [`next_or_drain`] found.
pub(crate) enum Next {
    /// Messages are in the buffer.
    Batch,
    /// `ProducerFinished` has come and nothing is queued any more: flush, pass it on, end.
    Drained,
    /// A stop request other than `ProducerFinished` (a closed `control` as `Shutdown`).
    Stop(Control),
}

impl Next {
    /// What ends the component, if this does: `None` for a batch, `ProducerFinished` once
    /// drained, or the stop request.
    pub(crate) fn end(self) -> Option<Control> {
        match self {
            Next::Batch => None,
            Next::Drained => Some(Control::ProducerFinished),
            Next::Stop(c) => Some(c),
        }
    }
}

/// The next batch (up to `max` messages, into `buf`) of a component that works a batch at a
/// time: waits for messages or a control message (looked at first) until `ProducerFinished`
/// has come (`finishing`, which it sets), then takes only what is already queued.
pub(crate) async fn next_or_drain<T: Send + 'static>(
    control: &mut Inbox<Control>,
    inbox: &mut Inbox<T>,
    buf: &mut Vec<T>,
    max: usize,
    finishing: &mut bool,
) -> Next {
    loop {
        if *finishing {
            return match inbox.recv_many(buf, max) {
                0 => Next::Drained,
                _ => Next::Batch,
            };
        }
        match next_batch(control, inbox, buf, max).await {
            Batch::Messages(_) => return Next::Batch,
            Batch::Control(Control::ProducerFinished) => *finishing = true,
            Batch::Control(c) => return Next::Stop(c),
        }
    }
}

/// The failure path of a component whose reason is plain text: `Failed(reason)` on `signal`,
/// so whatever listens there learns why, then the same text as the component's error.
pub(crate) async fn fail(signal: &mut Outbox<Control>, reason: String) -> Result<(), Error> {
    Err(failure(signal, reason).await)
}

/// As [`fail`], giving the error itself (for a caller whose own result is not `()`).
pub(crate) async fn failure(signal: &mut Outbox<Control>, reason: String) -> Error {
    pass_on(signal, Control::failed(reason.as_str())).await;
    Error::msg(reason)
}

/// The failure path of a component whose `outbox` leads to a component that has ended:
/// [`fail`] with the reason [`gone`] gives.
pub(crate) async fn fail_gone(
    signal: &mut Outbox<Control>,
    component: &str,
    outbox: &str,
) -> Result<(), Error> {
    fail(signal, gone(component, outbox).to_string()).await
}

/// The error of a component whose outbox leads to a component that has ended.
pub(crate) fn gone(component: &str, outbox: &str) -> Error {
    Error::msg(format!(
        "{component}: cannot send on {outbox}: the component it leads to has ended"
    ))
}

/// Where [`send_in_order`] sends error reports.
pub(crate) enum Reports<'a, E> {
    /// To this box; if the component it leads to has ended, that is an error.
    To(&'a mut Outbox<E>),
    /// To this box if anyone still listens there; if not, the report is dropped.
    IfHeard(&'a mut Outbox<E>),
    /// Nowhere: each report is dropped (for a conversion that makes none).
    Nowhere,
}

/// Sends `results` in the order they were made, emptying it: each `Ok` value on `outbox`
/// (consecutive values together, through `run`, which is left empty) and each `Err` report
/// through `reports`, after the values made before it and before those made after it — so a
/// consumer that takes one value at a time sees each report in its place in the stream.
///
/// # Errors
/// If the component `outbox` (or, for [`Reports::To`], the error box) leads to has ended.
pub(crate) async fn send_in_order<T: Send + 'static, E: Send + 'static>(
    name: &str,
    results: &mut Vec<Result<T, E>>,
    run: &mut Vec<T>,
    outbox: &mut Outbox<T>,
    mut reports: Reports<'_, E>,
) -> Result<(), Error> {
    for r in results.drain(..) {
        match r {
            Ok(value) => run.push(value),
            Err(report) => {
                outbox
                    .send_all(run)
                    .await
                    .map_err(|_| gone(name, "outbox"))?;
                match &mut reports {
                    Reports::To(errors) => {
                        errors
                            .send(report)
                            .await
                            .map_err(|_| gone(name, "errors"))?;
                    }
                    Reports::IfHeard(errors) => {
                        errors.send(report).await.ok();
                    }
                    Reports::Nowhere => {}
                }
            }
        }
    }
    outbox.send_all(run).await.map_err(|_| gone(name, "outbox"))
}
