//! Lines: chains of small synchronous components that share one task.
//!
//! A [`Transform`] is a component whose body is a function called once per message: it takes
//! one message and emits any number (none, one, several) on its way out. A [`Line`] runs a
//! [`Chain`] of them, in order, inside one component's task: a message that enters the line's
//! `inbox` is handed from transform to transform by plain calls, and what the last one emits
//! leaves by the line's `outbox`. Kamaelia ran every component of a system on one scheduler
//! thread; a line does that for the stretch of a pipeline where nothing waits. GStreamer's
//! elements inside one streaming thread and Vector's function transforms work the same way.
//!
//! ```
//! use axon::line::{map, Chain, Line, PassThrough};
//! use axon::{Control, Inbox, Outbox, System};
//!
//! let chain = Chain::new()
//!     .then(map(|n: u32| n * 10))
//!     .then(PassThrough::new())
//!     .then(map(|n: u32| format!("<{n}>")));
//! let mut system = System::deterministic();
//! let line = system.adopt_named("line", Line::new(chain));
//! let (mut head, mut head_control) = (Outbox::new(), Outbox::new());
//! let (mut tail, mut tail_control) = (Inbox::<String>::new(), Inbox::new());
//! axon::link(&head, &line.inbox)?;
//! axon::link(&head_control, &line.control)?;
//! axon::link(&line.outbox, &tail)?;
//! axon::link(&line.signal, &tail_control)?;
//! system.activate(line);
//!
//! head.try_send(1)?;
//! head.try_send(2)?;
//! head_control.try_send(Control::ProducerFinished)?;
//! system.run_until_idle();
//! assert_eq!(tail.try_recv()?, "<10>");
//! assert_eq!(tail.try_recv()?, "<20>");
//! assert_eq!(tail_control.try_recv()?, Control::ProducerFinished);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## What a transform is, and is not
//!
//! Each transform is a component of its own in the live model: it has an id, a name
//! (`Type#id`), its line as parent, the four standard boxes and links between them
//! ([`System::snapshot`](crate::System::snapshot) lists them once the line has started). It
//! follows the [control convention](crate::control): on `ProducerFinished` the line first
//! passes on everything already queued, then calls each transform's [`Transform::finish`] in
//! order (what a transform emits there still goes through the ones after it), and only then
//! passes `ProducerFinished` on. On `Shutdown` (or `Failed`) it stops at once and calls no
//! `finish`: like every component following the convention it looks at `control` first, so
//! what is still queued, and output of the current batch not yet sent, is dropped.
//!
//! What a transform gives up for that: it cannot wait. It has no `.await`, no timers, no
//! `select!`, and its inbox holds nothing: the line hands each message straight to it, so its
//! inbox shows a depth and a capacity of 0. The queue, and the backpressure, are the line's:
//! while its `outbox` waits for room downstream, the line takes nothing more from its own
//! `inbox`, which fills and stops the senders. On top of its inbox the line holds what one batch
//! produced until it is sent: at most the line's capacity of messages times what the
//! transforms emit per message (so a transform that multiplies messages multiplies that too),
//! and when finishing, what the `finish` calls emit. Anything that waits belongs in an
//! ordinary [`Component`](crate::Component).
//!
//! ## Failure
//!
//! A transform that returns an error, or panics, ends its line. What it emitted before the
//! fault still goes down the rest of the chain and out (it was handled); the message it failed
//! on and the rest of its batch are lost with it, as a failed component's inbox is. Then the
//! line passes [`Control::Failed`](crate::Control::Failed) on `signal`, naming the transform
//! (`transform Map#12 failed: …`), and ends failed with the same text; in the live model's
//! events that transform ends `Failed` (or `Panicked`) and the others `Cancelled`. The panic
//! is contained like any component's; other components keep running.
//!
//! ## What it costs, and its limits
//!
//! A transform is one allocation of its own state plus two counters, with no task, no queue
//! and no waker; a message crosses it with one indirect call. `BENCHMARKS.md` has a chain of
//! 100,000 of them (workload W4) against tokio tasks.
//!
//! * A batch goes down the whole chain before the line yields to other components: a long
//!   chain handed big batches makes long pauses for whatever shares its scheduler thread. The
//!   line's capacity ([`Line::with_capacity`]) bounds a batch.
//! * A snapshot taken while a batch goes down the chain waits for it (the counters it reads
//!   are the chain's own). A transform must not take a snapshot of its own system.
//! * A transform's boxes cannot be tapped ([`System::tap`](crate::System::tap) answers
//!   `NoSuchComponent`); tap the line's.
//!
//! ## Boxes of the [`Line`]
//!
//! * `inbox` — messages for the first transform (`In`); bounded like any inbox.
//! * `control` — [`Control`](crate::Control): `ProducerFinished` drains and finishes the
//!   transforms, `Shutdown` stops at once; looked at before `inbox` and while waiting to send.
//! * `outbox` — what the last transform emits (`Out`).
//! * `signal` — the control message it ended on, or `Failed` naming the transform at fault.

mod chain;
mod host;
mod transforms;
mod view;

pub use chain::Chain;
pub use host::Line;
pub use transforms::{filter, filter_map, map, FilterMap, Map, PassThrough};

use crate::Error;

/// A component whose body is called once per message (see the [module docs](self)). Run it in
/// a [`Line`].
pub trait Transform: Send + 'static {
    /// What it takes.
    type In: Send + 'static;
    /// What it emits.
    type Out: Send + 'static;

    /// Handles one message, emitting any number of messages into `out`.
    ///
    /// # Errors
    /// An error ends the line (see [Failure](self#failure)).
    fn handle(&mut self, msg: Self::In, out: &mut Emit<'_, Self::Out>) -> Result<(), Error>;

    /// Called once, in chain order, when the line was told `ProducerFinished` and everything
    /// before it was handled: flush what it keeps. Not called when the line stops on
    /// `Shutdown` or because a transform failed. The default does nothing.
    ///
    /// # Errors
    /// As for [`handle`](Self::handle).
    fn finish(&mut self, out: &mut Emit<'_, Self::Out>) -> Result<(), Error> {
        let _ = out;
        Ok(())
    }
}

/// Where a [`Transform`] puts what it emits: straight into the next transform's batch (or the
/// line's output).
#[derive(Debug)]
pub struct Emit<'a, T> {
    buf: &'a mut Vec<T>,
}

impl<T> Emit<'_, T> {
    /// Emits `msg`.
    #[inline]
    pub fn send(&mut self, msg: T) {
        self.buf.push(msg);
    }

    /// Emits every message of `msgs`, in order.
    pub fn send_all(&mut self, msgs: impl IntoIterator<Item = T>) {
        self.buf.extend(msgs);
    }
}
