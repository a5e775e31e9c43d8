//! The control/signal convention: how components are asked to stop and say that they stopped.
//!
//! Every component we ship has a `control` inbox and a `signal` outbox carrying [`Control`],
//! and follows these rules (Kamaelia's convention, written down once):
//!
//! 1. **`ProducerFinished` means "drain, then stop"**: the sender will send no more. The
//!    receiver finishes everything already in its inboxes (a message sent before the
//!    `ProducerFinished` is never lost), flushes any partial state it documents, sends its
//!    own results, then sends `ProducerFinished` on `signal` and ends.
//! 2. **`Shutdown` means "stop now"**: the receiver stops as soon as it can without breaking
//!    invariants, discards queued input, sends `Shutdown` on `signal` and ends.
//! 3. **`control` is looked at first**: a component waiting on several boxes polls `control`
//!    before its data inboxes (`tokio::select! { biased; ... }`), so a stop is seen promptly;
//!    because of rule 1 that priority never loses data.
//! 4. **What arrives is passed on**: a component that ends because of a `Control` sends that
//!    same message on `signal`; one that ends by itself (a source that ran dry) sends
//!    `ProducerFinished`. Chassis link `signal` to the next component's `control`, so one
//!    message shuts a whole pipeline down in order.
//!
//! A system-wide stop ([`System::shutdown`](crate::System::shutdown)) puts `Shutdown` on every
//! component's `control` and cancels whoever has not ended by the deadline.
//!
//! [`next_event`] implements rule 3 for the common shape of one data inbox plus `control`.
//!
//! ```
//! use axon::Control;
//! assert!(Control::ProducerFinished.is_producer_finished());
//! assert!(!Control::Shutdown.is_producer_finished());
//! ```

/// What [`next_event`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<T> {
    /// A message arrived on `control`.
    Control(Control),
    /// A message arrived on the data inbox.
    Message(T),
}

/// Waits for the next message on `inbox` or `control`, looking at `control` first (rule 3).
///
/// This is the receive every data-processing component needs, and it is cheap: while
/// `control` is empty, checking it is a single load, so the per-message cost is that of the data
/// inbox alone. A closed `control` inbox counts as [`Control::Shutdown`].
///
/// ```
/// use axon::control::{next_event, Event};
/// use axon::{Control, Inbox, Outbox};
/// let (mut control, mut inbox) = (Inbox::new(), Inbox::new());
/// let (mut c, mut i) = (Outbox::new(), Outbox::new());
/// axon::link(&c, &control).unwrap();
/// axon::link(&i, &inbox).unwrap();
/// i.try_send(1).unwrap();
/// c.try_send(Control::Shutdown).unwrap();
/// let first = axon::blocking::block_on(next_event(&mut control, &mut inbox));
/// assert_eq!(first, Event::Control(Control::Shutdown)); // control first
/// ```
pub async fn next_event<T: Send + 'static>(
    control: &mut Inbox<Control>,
    inbox: &mut Inbox<T>,
) -> Event<T> {
    crate::coop::consume().await;
    std::future::poll_fn(|cx| {
        if control.core.len_hint() > 0 {
            if let Ok(c) = control.try_recv() {
                return Poll::Ready(Event::Control(c));
            }
        }
        if let Ok(m) = inbox.try_recv() {
            return Poll::Ready(Event::Message(m));
        }
        // Both looked empty: register for both (under their locks, so nothing is missed).
        if let Poll::Ready(c) = control.poll_recv(cx) {
            return Poll::Ready(Event::Control(c.unwrap_or(Control::Shutdown)));
        }
        match inbox.poll_recv(cx) {
            Poll::Ready(Some(m)) => Poll::Ready(Event::Message(m)),
            Poll::Ready(None) => Poll::Ready(Event::Control(Control::Shutdown)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// What [`next_batch`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    /// A message arrived on `control` (nothing was taken from the data inbox).
    Control(Control),
    /// This many messages were moved from the data inbox into the buffer (at least one).
    Messages(usize),
}

/// The batch form of [`next_event`]: waits for the next `control` message (looked at first) or
/// for data, then moves up to `max` waiting data messages into `buf` under one lock.
///
/// Pair it with [`Outbox::send_all`](crate::Outbox::send_all) and a busy component pays for
/// locking and wake-ups once per batch instead of once per message.
///
/// ```
/// use axon::control::{next_batch, Batch};
/// use axon::{Control, Inbox, Outbox};
/// let (mut control, mut inbox) = (Inbox::new(), Inbox::new());
/// let mut i = Outbox::new();
/// axon::link(&i, &inbox).unwrap();
/// for n in 0..5 { i.try_send(n).unwrap(); }
/// let mut buf = Vec::new();
/// let got = axon::blocking::block_on(next_batch(&mut control, &mut inbox, &mut buf, 64));
/// assert_eq!(got, Batch::Messages(5));
/// assert_eq!(buf, [0, 1, 2, 3, 4]);
/// ```
pub async fn next_batch<T: Send + 'static>(
    control: &mut Inbox<Control>,
    inbox: &mut Inbox<T>,
    buf: &mut Vec<T>,
    max: usize,
) -> Batch {
    crate::coop::consume().await;
    let max = max.max(1);
    std::future::poll_fn(|cx| {
        if control.core.len_hint() > 0 {
            if let Ok(c) = control.try_recv() {
                return Poll::Ready(Batch::Control(c));
            }
        }
        let n = inbox.recv_many(buf, max);
        if n > 0 {
            return Poll::Ready(Batch::Messages(n));
        }
        if let Poll::Ready(c) = control.poll_recv(cx) {
            return Poll::Ready(Batch::Control(c.unwrap_or(Control::Shutdown)));
        }
        match inbox.core.poll_pop_many(cx, buf, max) {
            Poll::Ready(0) => Poll::Ready(Batch::Control(Control::Shutdown)),
            Poll::Ready(n) => Poll::Ready(Batch::Messages(n)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// A message on a `control` inbox or `signal` outbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Control {
    /// The producer has finished: drain what is queued, then stop (Kamaelia's
    /// `producerFinished`).
    ProducerFinished,
    /// Stop now (Kamaelia's `shutdownMicroprocess`; also covers its `shutdown`).
    Shutdown,
    /// Stop now because something failed upstream; the text says what, naming the thing at
    /// fault (for example `TcpClient: cannot connect to 127.0.0.1:9: connection refused`).
    /// Components treat it exactly like [`Control::Shutdown`] and pass it on unchanged, so the
    /// reason reaches whoever listens at the end of a pipeline.
    Failed(std::sync::Arc<str>),
}

impl Control {
    /// True for [`Control::ProducerFinished`].
    pub fn is_producer_finished(&self) -> bool {
        matches!(self, Control::ProducerFinished)
    }

    /// A [`Control::Failed`] carrying `reason`.
    pub fn failed(reason: impl Into<std::sync::Arc<str>>) -> Self {
        Control::Failed(reason.into())
    }

    /// The reason of a [`Control::Failed`]; `None` for the other messages.
    pub fn failure(&self) -> Option<&str> {
        match self {
            Control::Failed(reason) => Some(reason),
            _ => None,
        }
    }
}

impl std::fmt::Display for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Control::ProducerFinished => "producer finished",
            Control::Shutdown => "shutdown",
            Control::Failed(reason) => return write!(f, "failed: {reason}"),
        })
    }
}

use crate::boxes::Inbox;
use std::task::Poll;
