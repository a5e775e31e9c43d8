//! Boxes: typed inboxes and outboxes.
//!
//! ```
//! use axon::{Inbox, Outbox};
//! let mut inbox = Inbox::with_capacity(2);
//! let mut outbox = Outbox::new();
//! axon::link(&outbox, &inbox).unwrap();
//! outbox.try_send('a').unwrap();
//! assert_eq!(inbox.len(), 1);
//! assert_eq!(inbox.try_recv(), Ok('a'));
//! ```

pub(crate) mod inbox;
pub(crate) mod meta;
pub(crate) mod outbox;
mod queue;
mod senders;

pub use inbox::{Inbox, InboxRef, DEFAULT_CAPACITY};
pub use meta::{box_infos, BoxInfo, BoxRegistrar, BoxStats, Boxes, Direction};
pub use outbox::{Outbox, OutboxRef};
