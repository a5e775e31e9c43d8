//! Network simulation for tests (Kamaelia's `Kamaelia.Internet.Simulate.BrokenNetwork`):
//! components that damage a stream of messages the way an unreliable network damages
//! datagrams — duplicating, losing and reordering them.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`Duplicate`] | `Internet.Simulate.BrokenNetwork.Duplicate` | passes every message on, some twice |
//! | [`Throwaway`] | `Internet.Simulate.BrokenNetwork.Throwaway` | passes messages on, losing some |
//! | [`Reorder`] | `Internet.Simulate.BrokenNetwork.Reorder` | passes every message on, in a shuffled order |
//!
//! Put them in a pipeline between a sender and a receiver (or between any two stages) to test
//! how a protocol copes: sequence numbering, duplicate suppression, retransmission.
//!
//! # Reproducible randomness
//!
//! Kamaelia used Python's global random generator, so a failing run could not be repeated.
//! Here every component takes a `u64` **seed**: the same seed and the same input give the same
//! output on every run and every machine; different seeds give different damage. Each
//! component draws from its own generator (SplitMix64), one draw per decision, so its choices
//! do not depend on timing or on other components.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::net::simulate::{Duplicate, Reorder, Throwaway};
//!
//! fn damaged(seed: u64) -> Vec<u32> {
//!     let mut system = System::deterministic();
//!     let network = Pipeline::new(Duplicate::new(0.1, seed))
//!         .then(Throwaway::new(0.1, seed + 1))
//!         .then(Reorder::new(7, seed + 2));
//!     let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//!     let mut output = Inbox::unbounded();
//!     axon::link(&input, &network.inbox).unwrap();
//!     axon::link(&stop, &network.control).unwrap();
//!     axon::link(&network.outbox, &output).unwrap();
//!     system.spawn(network);
//!     for n in 0..100u32 {
//!         input.try_send(n).unwrap();
//!         system.run_until_idle();
//!     }
//!     stop.try_send(Control::ProducerFinished).unwrap();
//!     system.run().unwrap();
//!     std::iter::from_fn(|| output.try_recv().ok()).collect()
//! }
//!
//! assert_eq!(damaged(7), damaged(7)); // reproducible
//! assert_ne!(damaged(7), damaged(8));
//! assert_ne!(damaged(7), (0..100).collect::<Vec<u32>>()); // and damaged
//! ```
//!
//! # Sharing with `axon::testing`
//!
//! [`Throwaway`] and [`Reorder`] run [`axon::testing::Discard`] and [`axon::testing::Reorder`]
//! as their only child, with their own boxes forwarded to it, so the relay loop and its control
//! handling are the core's; they add Kamaelia's names, probabilities and defaults, the
//! catalogue entries and the [`Stage`](crate::Stage) form chassis need. [`Duplicate`] runs its
//! own short loop: [`axon::testing::Duplicate`] copies every message a fixed number of times.

pub mod duplicate;
pub mod reorder;
pub mod throwaway;

pub use duplicate::Duplicate;
pub use reorder::Reorder;
pub use throwaway::Throwaway;

use axon::testing::SplitMix;
use axon::{Boxes, ChildExit, Context, Control, Error, Exit, Inbox, Outbox};

/// A seeded generator (SplitMix64): the same seed gives the same draws on every run.
#[derive(Debug, Clone)]
pub(crate) struct Coin {
    rng: SplitMix,
    /// `probability` scaled to 2^53.
    threshold: u64,
}

impl Coin {
    /// A coin that comes up true with `probability` (clamped to 0..=1; NaN counts as 0).
    pub(crate) fn new(probability: f64, seed: u64) -> Self {
        let p = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        Coin {
            rng: SplitMix::new(seed),
            threshold: (p * (1u64 << 53) as f64) as u64,
        }
    }

    /// One toss.
    pub(crate) fn toss(&mut self) -> bool {
        (self.rng.next_u64() >> 11) < self.threshold
    }
}

/// The probability given to a constructor, clamped to 0..=1 (NaN counts as 0), for `Debug`.
pub(crate) fn clamp(probability: f64) -> f64 {
    if probability.is_nan() {
        0.0
    } else {
        probability.clamp(0.0, 1.0)
    }
}

/// The four standard boxes of a relay child, borrowed.
pub(crate) struct Relay<'a, T: Send + 'static> {
    pub(crate) inbox: &'a Inbox<T>,
    pub(crate) control: &'a Inbox<Control>,
    pub(crate) outbox: &'a Outbox<T>,
    pub(crate) signal: &'a Outbox<Control>,
}

/// Runs `child` — a relay from [`axon::testing`] — in place of the component `ctx` runs: the
/// component's own boxes (`own`) are forwarded to the child's (`inner`), so messages go
/// straight to and from the child; ends when the child ends, as it ended.
pub(crate) async fn run_as_child<T, C>(
    ctx: &mut Context,
    own: Relay<'_, T>,
    child: C,
    inner: impl FnOnce(&C) -> Relay<'_, T>,
) -> Result<(), Error>
where
    T: Send + 'static,
    C: axon::Component + Boxes,
{
    let child = ctx.adopt(child);
    {
        let b = inner(&child);
        ctx.forward_inbox(own.inbox, b.inbox)?;
        ctx.forward_inbox(own.control, b.control)?;
        ctx.forward_outbox(b.outbox, own.outbox)?;
        ctx.forward_outbox(b.signal, own.signal)?;
    }
    ctx.activate(child);
    match ctx.next_child_exit().await {
        None => Ok(()),
        Some(ChildExit { name, exit, .. }) => match exit {
            Exit::Finished => Ok(()),
            Exit::Failed(e) => Err(e),
            Exit::Panicked(m) => Err(Error::msg(format!("{name} panicked: {m}"))),
            Exit::Cancelled => Err(Error::msg(format!("{name} was cancelled"))),
        },
    }
}
