//! Waiting on something while keeping an eye on `control` (shared by the flow components).
//!
//! Flow components wait for long stretches — for a slow consumer, a prompt, a timer — and must
//! still stop promptly on [`Control::Shutdown`] without losing data on
//! [`Control::ProducerFinished`]. [`watching`] runs a future to completion unless a `Shutdown`
//! arrives first; a `ProducerFinished` that arrives meanwhile is remembered (the caller drains
//! and ends later) and the wait goes on.

use std::future::Future;

use axon::{Control, Inbox, Outbox, TrySendError};

/// How many messages are taken from an inbox at once.
pub(super) const BATCH: usize = 64;

/// What ended a component early: the stop request, to be passed on unchanged (a `Failed`
/// keeps its reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stopped(pub(super) Control);

/// Records `c` (just received on `control`): `ProducerFinished` sets `finishing`; anything else
/// (`Shutdown`, `Failed`, or a closed `control`, seen as `None` and taken as `Shutdown`) means
/// stop now.
pub(super) fn note(c: Option<Control>, finishing: &mut bool) -> Result<(), Stopped> {
    match c.unwrap_or(Control::Shutdown) {
        Control::ProducerFinished => {
            *finishing = true;
            Ok(())
        }
        c => Err(Stopped(c)),
    }
}

/// Runs `fut` to completion while watching `control` (looked at first). A `Shutdown` (or a
/// closed `control`) abandons `fut` and returns `Err(Stopped)`; a `ProducerFinished` sets
/// `finishing` and the wait continues.
pub(super) async fn watching<F: Future>(
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

/// What became of a message sent with [`send_watching`].
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Sent<T> {
    /// Delivered (or held/discarded by an unlinked outbox, as [`Outbox::send`] does).
    Delivered,
    /// The destination's component has ended; the message is handed back.
    Closed(T),
}

/// Sends `msg` on `out`, waiting while the destination is full, while watching `control` as
/// [`watching`] does (a `Shutdown` drops the message and returns `Err(Stopped)`).
pub(super) async fn send_watching<T: Send + 'static>(
    out: &mut Outbox<T>,
    msg: T,
    control: &mut Inbox<Control>,
    finishing: &mut bool,
) -> Result<Sent<T>, Stopped> {
    // Fast path: room now, no select.
    let msg = match out.try_send(msg) {
        Ok(()) => return Ok(Sent::Delivered),
        Err(TrySendError::Closed(m)) => return Ok(Sent::Closed(m)),
        Err(TrySendError::Full(m)) | Err(TrySendError::Unlinked(m)) => m,
    };
    Ok(match watching(control, finishing, out.send(msg)).await? {
        Ok(()) => Sent::Delivered,
        Err(e) => Sent::Closed(e.into_inner()),
    })
}

pub(super) use crate::support::pass_on;
