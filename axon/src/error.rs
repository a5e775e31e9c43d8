//! Errors. Every error from a send hands the message back.
//!
//! ```
//! use axon::{Inbox, Outbox, TrySendError};
//! let inbox: Inbox<u32> = Inbox::with_capacity(1);
//! let mut outbox: Outbox<u32> = Outbox::new();
//! axon::link(&outbox, &inbox).unwrap();
//! outbox.try_send(1).unwrap();
//! // The inbox is full: the message comes back inside the error.
//! assert_eq!(outbox.try_send(2), Err(TrySendError::Full(2)));
//! ```

use std::fmt;

/// Why [`Outbox::send`](crate::Outbox::send) failed. The message is handed back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum SendError<T> {
    /// The final destination inbox is closed: its component has ended (or the system stopped).
    Closed(T),
}

impl<T> SendError<T> {
    /// Takes the message back out of the error.
    pub fn into_inner(self) -> T {
        match self {
            SendError::Closed(m) => m,
        }
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Closed(_) => {
                f.write_str("the destination inbox is closed (its component has ended)")
            }
        }
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why [`Outbox::try_send`](crate::Outbox::try_send) failed. The message is handed back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// The final destination inbox is at capacity (Kamaelia's `noSpaceInBox`). Try again after the
    /// consumer has taken something, or use [`Outbox::send`](crate::Outbox::send) to wait.
    Full(T),
    /// The outbox is not linked and its hold buffer is full; [`Outbox::send`](crate::Outbox::send)
    /// would have discarded this message (and counted it).
    Unlinked(T),
    /// The final destination inbox is closed: its component has ended.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// Takes the message back out of the error.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(m) | TrySendError::Unlinked(m) | TrySendError::Closed(m) => m,
        }
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrySendError::Full(_) => "Full(..)",
            TrySendError::Unlinked(_) => "Unlinked(..)",
            TrySendError::Closed(_) => "Closed(..)",
        })
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrySendError::Full(_) => "no space in the destination inbox",
            TrySendError::Unlinked(_) => "the outbox is not linked and its hold buffer is full",
            TrySendError::Closed(_) => "the destination inbox is closed (its component has ended)",
        })
    }
}

impl<T> std::error::Error for TrySendError<T> {}

impl<T> From<SendError<T>> for TrySendError<T> {
    fn from(e: SendError<T>) -> Self {
        match e {
            SendError::Closed(m) => TrySendError::Closed(m),
        }
    }
}

/// Why [`Inbox::try_recv`](crate::Inbox::try_recv) returned nothing.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing is waiting in the inbox (Kamaelia: `dataReady()` was false).
    Empty,
    /// The inbox is closed and empty.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryRecvError::Empty => "the inbox is empty",
            TryRecvError::Closed => "the inbox is closed",
        })
    }
}

impl std::error::Error for TryRecvError {}

/// The error a component body returns when it fails; reported to its parent as
/// [`Exit::Failed`](crate::Exit::Failed).
///
/// Any `std::error::Error + Send` converts into it with `?`.
pub struct Error(Box<dyn std::error::Error + Send + 'static>);

impl Error {
    /// An error carrying a plain message.
    pub fn msg(message: impl Into<String>) -> Self {
        Error(Box::new(Message(message.into())))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<E: std::error::Error + Send + 'static> From<E> for Error {
    fn from(e: E) -> Self {
        Error(Box::new(e))
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}
