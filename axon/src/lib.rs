//! # Axon: the core of Kamaelia for Rust
//!
//! Components with named, typed inboxes and outboxes; parents link their children's boxes; a
//! scheduler runs them. Messages go straight from a sender's outbox into the final inbox of the
//! resolved chain. Every inbox is bounded by default, so a fast producer waits for a slow
//! consumer instead of filling memory.
//!
//! ## Axon in five minutes
//!
//! ```
//! use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
//!
//! /// Sends 1..=n, then says it has finished.
//! #[derive(Boxes)]
//! struct Count {
//!     /// The numbers.
//!     outbox: Outbox<u64>,
//!     /// `ProducerFinished` once done.
//!     signal: Outbox<Control>,
//!     n: u64,
//! }
//!
//! impl Component for Count {
//!     async fn run(mut self, _ctx: Context) -> Result<(), Error> {
//!         for i in 1..=self.n {
//!             self.outbox.send(i).await?; // waits while the consumer's inbox is full
//!         }
//!         self.signal.send(Control::ProducerFinished).await?;
//!         Ok(())
//!     }
//! }
//!
//! /// Adds up what arrives until the producer has finished.
//! #[derive(Boxes, Default)]
//! struct Add {
//!     /// Numbers to add.
//!     inbox: Inbox<u64>,
//!     /// Stop requests.
//!     control: Inbox<Control>,
//!     /// The total, sent once at the end.
//!     outbox: Outbox<u64>,
//! }
//!
//! impl Component for Add {
//!     async fn run(mut self, _ctx: Context) -> Result<(), Error> {
//!         let mut total = 0;
//!         loop {
//!             tokio::select! {
//!                 biased;
//!                 Some(_) = self.control.recv() => break,
//!                 Some(n) = self.inbox.recv() => total += n,
//!             }
//!         }
//!         while let Ok(n) = self.inbox.try_recv() { total += n; } // drain: nothing is lost
//!         self.outbox.send(total).await?;
//!         Ok(())
//!     }
//! }
//!
//! let mut system = System::new();
//! let count = system.adopt(Count { outbox: Outbox::new(), signal: Outbox::new(), n: 1000 });
//! let add = system.adopt(Add::default());
//! axon::link(&count.outbox, &add.inbox)?;      // types checked by the compiler
//! axon::link(&count.signal, &add.control)?;
//! let mut result = Inbox::new();
//! axon::link(&add.outbox, &result)?;
//! system.activate(count);
//! system.activate(add);
//! system.run()?;
//! assert_eq!(result.try_recv(), Ok(500_500));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Kamaelia to Axon
//!
//! | Kamaelia (Python) | here |
//! |---|---|
//! | `class C(component)` with `Inboxes`/`Outboxes` dicts | a struct with [`Inbox`]/[`Outbox`] fields, `#[derive(Boxes)]`, doc comments as box docs |
//! | generator `main()`, `yield 1` | `async fn run(self, ctx: Context)` ([`Component`]); every `.await` yields |
//! | `self.pause(); yield 1` until data | `inbox.recv().await` |
//! | `dataReady("inbox")` + `recv("inbox")` | [`Inbox::try_recv`] |
//! | `anyReady()` | `tokio::select! { biased; ... }` over the inboxes, `control` first |
//! | `send(x, "outbox")` | [`Outbox::send`] (waits while full) |
//! | size-limited inbox, `noSpaceInBox` | [`Inbox::with_capacity`], [`TrySendError::Full`] from [`Outbox::try_send`] |
//! | `len(self.outboxes["outbox"])` | [`Outbox::backlog`] |
//! | `link((a,"outbox"),(b,"inbox"))` | [`link()`]`(&a.outbox, &b.inbox)` or [`Context::link`] (owned) |
//! | `passthrough=1` / `passthrough=2` | [`forward_inbox`] / [`forward_outbox`] |
//! | linking by strings (Graphline) | [`Context::link_by_name`], checked at link time |
//! | `addChildren` + `activate()` | [`Context::adopt`] + [`Context::activate`] (or [`Context::spawn`]) |
//! | parent woken when a child ends | [`Context::next_child_exit`], with [`Exit`] saying how |
//! | `removeChild` | [`Context::remove_child`] |
//! | `producerFinished` / `shutdownMicroprocess` | [`Control::ProducerFinished`] / [`Control::Shutdown`] (see [`control`]) |
//! | `WaitComplete(subgenerator)` | `some_async_fn().await` |
//! | `newComponent` yield | [`Context::spawn`] |
//! | `threadedcomponent` | [`ThreadedComponent`], with `recv_blocking` / `send_blocking` |
//! | `PureTransformer`, a pipeline of small components that never wait | a [`line::Line`] of [`line::Transform`]s: components that share one task, a call per message |
//! | `AdaptiveCommsComponent.addInbox` | [`DynamicInboxes`] |
//! | `getcat().registerService(...)` | [`Services::register`] with a typed [`ServiceKey`] |
//! | `trackValue` / `retrieveValue` | [`Services::track_value`] / [`Services::value`] |
//! | `Backplane`, `PublishTo`, `SubscribeTo` | [`backplane`] |
//! | `Axon.STM` | [`stm`] |
//! | `scheduler.run.runThreads()` | [`System::run`] |
//! | `Axon.background` + `Handle`/`likefile` | [`System::start`] + [`bridge`] |
//! | `Introspector` | [`System::snapshot`], [`System::events`], [`System::tap`], stalls and deadlocks ([`model`]) |
//!
//! ## Where things are
//!
//! * [`boxes`] — inboxes and outboxes, and what a send to an unlinked outbox does.
//! * [`mod@link`] — the three link forms, chain resolution and the delivery guarantees.
//! * [`component`], [`context`] — components, children, lifecycle and failure containment.
//! * [`system`], [`scheduler`] — running systems, real-time or deterministic.
//! * [`services`], [`backplane`], [`stm`], [`bridge`], [`dynamic`], [`model`].
//! * [`mod@line`] — components whose body is a function per message, run in a chain by one task.
//! * [`model`] also has change events, stall and deadlock detection and taps; [`mod@hook`] runs
//!   code from any linked crate whenever a system is built. Cargo feature `tracing` (default):
//!   a span per component and DEBUG events per send and receive.

extern crate self as axon;

pub mod backplane;
pub mod blocking;
pub mod boxes;
pub mod bridge;
pub mod component;
pub mod context;
pub mod control;
pub mod coop;
pub mod dynamic;
mod error;
pub mod export;
pub mod hook;
pub mod line;
pub mod link;
mod lock;
pub mod model;
pub mod scheduler;
pub mod services;
pub mod stm;
pub mod system;
pub mod testing;
mod trace;

pub use axon_macros::Boxes;
pub use boxes::{
    box_infos, BoxInfo, BoxRegistrar, BoxStats, Boxes, Direction, Inbox, InboxRef, Outbox,
    OutboxRef, DEFAULT_CAPACITY,
};
pub use component::{Child, ChildExit, Component, Exit, ThreadedComponent};
pub use context::Context;
pub use control::{next_batch, next_event, Batch, Control, Event};
pub use coop::yield_now;
pub use dynamic::{DynamicInboxes, DynamicOutboxes};
pub use error::{Error, SendError, TryRecvError, TrySendError};
pub use hook::SystemHook;
pub use link::{
    forward_inbox, forward_outbox, link, AsInbox, AsOutbox, LinkError, LinkId, Linkage,
};
pub use model::{ComponentId, ComponentState, Snapshot};
pub use services::{ServiceError, ServiceKey, Services, ValueKey};
pub use system::{
    Failure, RunError, ShutdownReport, System, SystemBuilder, SystemHandle, BUSY_POLL_LIMIT,
};

/// Re-exported so components can use `Boxes` derive paths and tokio's `select!` without adding
/// tokio themselves.
#[doc(hidden)]
pub use tokio;

/// Re-exported for [`system_hook!`], so crates registering hooks need not depend on it.
#[doc(hidden)]
pub use inventory;
