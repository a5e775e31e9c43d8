//! Waiting on something while keeping an eye on `control` (shared by the flow components).
//!
//! Flow components wait for long stretches — for a slow consumer, a prompt, a timer — and must
//! still stop promptly on [`Control::Shutdown`] without losing data on
//! [`Control::ProducerFinished`]. [`watching`] (shared with the other families, in
//! `crate::support`) runs a future to completion unless a `Shutdown` arrives first; a
//! `ProducerFinished` that arrives meanwhile is remembered (the caller drains and ends later)
//! and the wait goes on. [`send_watching`] is a send done that way.

use axon::{Control, Inbox, Outbox, TrySendError};

/// How many messages are taken from an inbox at once.
pub(super) const BATCH: usize = 64;

pub(super) use crate::support::{note, watching, Stopped};

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
