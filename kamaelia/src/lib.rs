//! # Kamaelia for Rust: the component library
//!
//! Small reusable components that link like programs in a Unix pipeline, and the chassis that
//! hold them, built on the [`axon`] core.
//!
//! ```
//! use kamaelia::chassis::Pipeline;
//! # use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//! # #[derive(Boxes, Default)] struct Id { /// i
//! #   inbox: Inbox<u8>, /// c
//! #   control: Inbox<Control>, /// o
//! #   outbox: Outbox<u8>, /// s
//! #   signal: Outbox<Control> }
//! # impl Component for Id { async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! # kamaelia::impl_stage!([] Id, u8 => u8);
//! let _pipeline = Pipeline::new(Id::default()).then(Id::default());
//! ```
//!
//! Every component we ship has the four standard boxes (`inbox`, `control`, `outbox`,
//! `signal`), implements [`Stage`], follows the control/signal convention of
//! [`axon::control`], and documents its boxes, parameters and shutdown behaviour.
//!
//! ## How every component here is written
//!
//! * One component per file, in a folder per family (`chassis/`, `util/sources/`,
//!   `util/transforms/`, `util/flow/`, `file/`, `marshal/`, `process/`).
//! * The file opens with user documentation: what it does and its Kamaelia name
//!   (`Kamaelia: Kamaelia.Util.PureTransformer.PureTransformer`); a runnable example on
//!   `axon::System::deterministic()`; a `# Boxes` table (box, type, meaning); `# Parameters`;
//!   `# Shutdown` saying what it does on `ProducerFinished`, on `Shutdown`, what it sends on
//!   `signal`, and what happens to partial state at end of stream (by default it is delivered).
//! * Names follow Rust conventions (`PureTransformer::new(|x| ...)`, builder methods for
//!   options); the Kamaelia name is in the docs and the [`catalogue`](mod@catalogue).
//! * It registers itself in the [`catalogue`](mod@catalogue) with [`catalogue!`](macro@catalogue) next to its code.
//! * The control convention: `control` is looked at first ([`axon::next_event`] /
//!   [`axon::next_batch`]); `ProducerFinished` drains what is queued, flushes partial state,
//!   passes the message on `signal` and ends; `Shutdown` ends at once and passes it on; a
//!   source that runs dry sends `ProducerFinished`. Nothing sent before a `ProducerFinished`
//!   is lost.

pub mod catalogue;
pub mod chassis;
pub mod file;
pub mod inspect;
pub mod marshal;
pub mod net;
pub mod process;
pub mod protocol;
mod stage;
mod support;
pub mod util;

#[doc(hidden)]
pub use inventory;

pub use stage::Stage;
