//! Driving components from ordinary code (Kamaelia's `background`, `Handle` and `likefile`).
//!
//! Start a system in the background with [`System::start`](crate::System::start), attach a
//! [`Handle`] to a component's four standard boxes, then send and receive from plain
//! synchronous code — a `main`, a `#[test]`, a thread — with blocking calls, or from async code
//! with the async ones. Nothing polls: a blocked call parks its thread until a message arrives.
//!
//! ```
//! use axon::{bridge::Handle, Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
//! # #[derive(Boxes, Default)]
//! # struct Upper { /// in
//! #   inbox: Inbox<String>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<String>, /// sig
//! #   signal: Outbox<Control> }
//! # impl Component for Upper {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     loop { tokio::select! { biased;
//! #       Some(c) = self.control.recv() => { self.signal.send(c).await?; return Ok(()) }
//! #       Some(s) = self.inbox.recv() => self.outbox.send(s.to_uppercase()).await? } } } }
//! let mut system = System::new();
//! let upper = Upper::default();
//! let mut handle = Handle::attach(&upper.inbox, &upper.control, &upper.outbox, &upper.signal).unwrap();
//! system.spawn(upper);
//! system.start();
//! handle.send_blocking("hello".to_string()).unwrap();
//! assert_eq!(handle.recv_blocking().unwrap(), "HELLO");
//! handle.shutdown();
//! assert_eq!(handle.wait_signal(), Some(axon::Control::Shutdown));
//! system.run().unwrap(); // returns once every component has ended
//! ```

use std::future::poll_fn;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use crate::boxes::{Inbox, Outbox, OutboxRef};
use crate::control::Control;
use crate::error::{SendError, TryRecvError, TrySendError};
use crate::link::{link, AsInbox, AsOutbox, LinkError};

/// Plain code's end of a component: an outbox feeding its `inbox` and `control`, and inboxes fed
/// by its `outbox` and `signal`. See the [module docs](self).
///
/// Dropping it closes its inboxes: the component's later sends on `outbox` and `signal` fail
/// as closed (as if a component reading them had ended) rather than wait for ever.
#[derive(Debug)]
pub struct Handle<I, O> {
    input: Outbox<I>,
    control: Outbox<Control>,
    output: Inbox<O>,
    signal: Inbox<Control>,
    /// The component's boxes that feed `output` and `signal`: when their owner ends, a wait on
    /// them returns instead of waiting for ever.
    output_source: OutboxRef<O>,
    signal_source: OutboxRef<Control>,
}

impl<I, O> Drop for Handle<I, O> {
    /// Nobody will read what the component sends any more: its sends on `outbox` and
    /// `signal` fail as `Closed` from now on, instead of filling the handle's inboxes and then
    /// waiting for ever.
    fn drop(&mut self) {
        self.output.core.close();
        self.signal.core.close();
    }
}

impl<I: Send + 'static, O: Send + 'static> Handle<I, O> {
    /// Links a new handle to a component's `inbox`, `control`, `outbox` and `signal` (or any
    /// boxes of those types).
    ///
    /// # Errors
    /// If the component's outboxes are already linked elsewhere.
    pub fn attach(
        inbox: &impl AsInbox<I>,
        control: &impl AsInbox<Control>,
        outbox: &impl AsOutbox<O>,
        signal: &impl AsOutbox<Control>,
    ) -> Result<Self, LinkError> {
        let h = Handle {
            input: Outbox::new(),
            control: Outbox::new(),
            output: Inbox::new(),
            signal: Inbox::new(),
            output_source: outbox.outbox_ref(),
            signal_source: signal.outbox_ref(),
        };
        link(&h.input, inbox)?;
        link(&h.control, control)?;
        link(outbox, &h.output)?;
        link(signal, &h.signal)?;
        Ok(h)
    }

    /// Sends into the component's inbox, waiting while it is full.
    ///
    /// # Errors
    /// `Closed` with the message if the component has ended.
    pub async fn send(&mut self, msg: I) -> Result<(), SendError<I>> {
        self.input.send(msg).await
    }

    /// Blocking form of [`send`](Self::send).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_blocking(&mut self, msg: I) -> Result<(), SendError<I>> {
        self.input.send_blocking(msg)
    }

    /// Sends if there is room now.
    ///
    /// # Errors
    /// As [`Outbox::try_send`].
    pub fn try_send(&mut self, msg: I) -> Result<(), TrySendError<I>> {
        self.input.try_send(msg)
    }

    /// Waits for the next message from the component's outbox. `None` once the component
    /// has ended and everything it sent has been received.
    pub async fn recv(&mut self) -> Option<O> {
        let (output, source) = (&mut self.output, &self.output_source);
        poll_fn(|cx| poll_from(output, source, cx)).await
    }

    /// Blocks until the next message from the component's outbox; `None` as for
    /// [`recv`](Self::recv).
    pub fn recv_blocking(&mut self) -> Option<O> {
        crate::blocking::block_on(self.recv())
    }

    /// Blocks up to `timeout` for the next message.
    ///
    /// # Errors
    /// `Empty` if nothing came in time; `Closed` if the component has ended and everything it
    /// sent has been received.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<O, TryRecvError> {
        match crate::blocking::block_on_timeout(self.recv(), timeout) {
            Some(Some(msg)) => Ok(msg),
            Some(None) => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Takes a message if one is waiting.
    ///
    /// # Errors
    /// `Empty` if none is.
    pub fn try_recv(&mut self) -> Result<O, TryRecvError> {
        self.output.try_recv()
    }

    /// Asks the component to finish (drain, then stop).
    pub fn finish(&mut self) {
        self.control.try_send(Control::ProducerFinished).ok();
    }

    /// Asks the component to stop now.
    pub fn shutdown(&mut self) {
        self.control.try_send(Control::Shutdown).ok();
    }

    /// Blocks until the component says something on `signal` (normally as it ends). `None` if
    /// it ended without saying anything.
    pub fn wait_signal(&mut self) -> Option<Control> {
        let (signal, source) = (&mut self.signal, &self.signal_source);
        crate::blocking::block_on(poll_fn(|cx| poll_from(signal, source, cx)))
    }

    /// Takes a signal if one is waiting.
    pub fn try_signal(&mut self) -> Option<Control> {
        self.signal.try_recv().ok()
    }
}

/// Polls `inbox`, fed by `source`: a message if one is waiting; `None` once `source`'s
/// component has ended and nothing is left. Its end wakes the waiting reader (see
/// `OutboxCore::close`); the check comes after registering for that wake-up, under the inbox's
/// lock, so an end between the two is never missed.
fn poll_from<T: Send + 'static>(
    inbox: &mut Inbox<T>,
    source: &OutboxRef<T>,
    cx: &mut TaskContext<'_>,
) -> Poll<Option<T>> {
    match inbox.poll_recv(cx) {
        Poll::Ready(msg) => Poll::Ready(msg),
        Poll::Pending if source.core.has_ended() => Poll::Ready(inbox.try_recv().ok()),
        Poll::Pending => Poll::Pending,
    }
}
