//! Testing one component in isolation: a [`Harness`] on the deterministic scheduler with
//! virtual time, transcripts that read like a script, and fault-injection components.
//!
//! ```
//! use axon::control::{next_event, Event};
//! use axon::testing::Harness;
//! use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//!
//! /// Doubles numbers.
//! #[derive(Boxes, Default)]
//! struct Doubler {
//!     /// Numbers to double.
//!     inbox: Inbox<u32>,
//!     /// `ProducerFinished` or `Shutdown`.
//!     control: Inbox<Control>,
//!     /// The doubled numbers.
//!     outbox: Outbox<u32>,
//!     /// The control message that ended it.
//!     signal: Outbox<Control>,
//! }
//!
//! impl Component for Doubler {
//!     async fn run(mut self, _ctx: Context) -> Result<(), Error> {
//!         loop {
//!             match next_event(&mut self.control, &mut self.inbox).await {
//!                 Event::Message(n) => self.outbox.send(n * 2).await?,
//!                 Event::Control(c) => {
//!                     self.signal.send(c).await?;
//!                     return Ok(());
//!                 }
//!             }
//!         }
//!     }
//! }
//!
//! let mut h = Harness::new(Doubler::default());
//! h.put::<u32>("inbox", 5)?;
//! h.run_until_idle();
//! assert_eq!(h.take::<u32>("outbox"), [10]);
//! h.put("control", Control::ProducerFinished)?;
//! h.run_until_idle();
//! assert!(h.is_finished());
//! assert_eq!(
//!     h.transcript(),
//!     "\
//! > inbox: 5
//! < outbox: 10
//! > control: ProducerFinished
//! < signal: ProducerFinished
//! = finished
//! "
//! );
//! # Ok::<(), axon::testing::HarnessError>(())
//! ```
//!
//! # The harness
//!
//! [`Harness::new`] adopts the component as the only top-level component of its own
//! [`System::deterministic`](crate::System::deterministic) and activates it; nothing runs
//! until the test says so ([`step`](Harness::step),
//! [`run_until_idle`](Harness::run_until_idle), [`advance`](Harness::advance) — virtual
//! time, so timers fire without waiting).
//!
//! * **Inputs** — [`put`](Harness::put) sends a message to any inbox by name. The first put to
//!   an inbox links a fresh [`Outbox`](crate::Outbox) of the type asked for to it, checking the
//!   name and the message type at run time (a mismatch is a [`HarnessError`] naming the box
//!   and both types).
//!   Messages go in like any other sender's: a full inbox refuses them with
//!   [`HarnessError::Full`] rather than waiting, so the test decides when the component runs.
//! * **Outputs** — every outbox of the component that is *watched* is linked to an unbounded
//!   inbox of the harness (so the component never waits on it), from which
//!   [`take`](Harness::take) and [`next`](Harness::next) read. Outboxes carrying
//!   [`Control`](crate::Control), `String`, `&'static str`, `Vec<u8>`, `bool`, `char`, `()` or
//!   a primitive number are watched from the start; others are watched by
//!   [`watch`](Harness::watch) or by the first `take`/`next` of them. Messages sent before an
//!   outbox is watched are held by it (up to its hold capacity) and arrive when it is watched.
//! * **Ending** — [`exit`](Harness::exit) says whether and how the component ended
//!   ([`Ended`]); [`is_finished`](Harness::is_finished) and [`has_ended`](Harness::has_ended)
//!   are the short forms. [`cancel`](Harness::cancel) stops a component that will not stop.
//!
//! # Transcripts
//!
//! [`transcript`](Harness::transcript) is everything that happened, one line per event, with
//! messages in `Debug` form: `> inbox: 5` for a message put in, `< outbox: 10` for one sent
//! out on a watched outbox, `~ advance 1s` for virtual time moving on, `# text` for a
//! [`note`](Harness::note), and a last line `= finished`, `= failed: error`,
//! `= panicked: message` or `= cancelled`. Compare it with an expected multi-line string: when
//! behaviour changes, the diff says what changed in terms a reviewer can read.
//!
//! Outputs are collected after every poll of a component while the harness
//! [steps](Harness::step) or runs until idle, so they appear in the order the component's polls
//! sent them; within one poll — and within one [`advance`](Harness::advance) — they are listed
//! by outbox in declaration order, each outbox's messages in the order sent.
//!
//! # Fault injection
//!
//! Small components with the four standard boxes (`inbox`, `control`, `outbox`, `signal`) to
//! put between a component and its neighbours: [`Duplicate`], [`Discard`], [`Delay`],
//! [`Reorder`] (seeded, so reproducible), [`FailAt`] and [`PanicAt`]. Each follows the
//! [control convention](crate::control): on `ProducerFinished` it passes on what it still
//! holds, then sends `ProducerFinished` on `signal` and ends; on `Shutdown` it discards what it
//! holds, sends `Shutdown` on `signal` and ends.

mod faults;
mod harness;

pub use faults::{Delay, Discard, Duplicate, FailAt, PanicAt, Reorder, SplitMix};
pub use harness::{Ended, Harness, HarnessError};
