//! Throwaway: passes messages on but loses some, chosen at random with a given probability from
//! a seed (Kamaelia: `Kamaelia.Internet.Simulate.BrokenNetwork.Throwaway`).
//!
//! Kamaelia lost one message in ten (`Throwaway::new(0.1, seed)`). The same seed and input
//! lose the same messages on every run (see [`crate::net::simulate`]). It runs
//! [`axon::testing::Discard`] as its child, deciding with a seeded coin.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::simulate::Throwaway;
//!
//! fn survivors(seed: u64) -> Vec<u32> {
//!     let mut system = System::deterministic();
//!     let lossy = Throwaway::new(0.3, seed);
//!     let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//!     let mut output = Inbox::unbounded();
//!     axon::link(&input, &lossy.inbox).unwrap();
//!     axon::link(&stop, &lossy.control).unwrap();
//!     axon::link(&lossy.outbox, &output).unwrap();
//!     system.spawn(lossy);
//!     for n in 0..50u32 {
//!         input.try_send(n).unwrap();
//!     }
//!     stop.try_send(Control::ProducerFinished).unwrap();
//!     system.run().unwrap();
//!     std::iter::from_fn(|| output.try_recv().ok()).collect()
//! }
//!
//! let got = survivors(1);
//! assert!(got.len() < 50 && got.windows(2).all(|w| w[0] < w[1])); // some lost, order kept
//! assert_eq!(got, survivors(1));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to pass on |
//! | `control` | [`Control`] | `ProducerFinished`: pass on what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | `T` | the messages that were not lost, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `probability` ([`Throwaway::new`]): the chance that a message is lost (clamped to 0..=1);
//! * `seed` ([`Throwaway::new`]): the generator's seed.
//!
//! # Shutdown
//!
//! `ProducerFinished`: passes on (or loses, as chosen) everything already queued, sends
//! `ProducerFinished` on `signal`, ends. `Shutdown`/`Failed`: discards what is queued, passes
//! the message on unchanged, ends. It holds nothing between messages. If the component its
//! `outbox` leads to has ended, it fails.

use axon::testing::Discard;
use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{clamp, run_as_child, Coin, Relay};

/// Passes messages on, losing some. See the [module docs](self).
#[derive(Boxes)]
pub struct Throwaway<T: Send + 'static> {
    /// Messages to pass on.
    pub inbox: Inbox<T>,
    /// `ProducerFinished`: pass on what is queued, then end; `Shutdown`/`Failed`: end now.
    pub control: Inbox<Control>,
    /// The messages that were not lost, in order.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    probability: f64,
    #[boxes(skip)]
    seed: u64,
}

impl<T: Send + 'static> std::fmt::Debug for Throwaway<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throwaway")
            .field("probability", &self.probability)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Throwaway<T> {
    /// Loses each message with `probability` (clamped to 0..=1), choosing with a generator
    /// seeded with `seed`.
    pub fn new(probability: f64, seed: u64) -> Self {
        Throwaway {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            probability: clamp(probability),
            seed,
        }
    }
}

impl<T: Send + 'static> Component for Throwaway<T> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let mut coin = Coin::new(self.probability, self.seed);
        let child = Discard::when(move |_: &T| coin.toss());
        let own = Relay {
            inbox: &self.inbox,
            control: &self.control,
            outbox: &self.outbox,
            signal: &self.signal,
        };
        run_as_child(&mut ctx, own, child, |c| Relay {
            inbox: &c.inbox,
            control: &c.control,
            outbox: &c.outbox,
            signal: &c.signal,
        })
        .await
    }
}

crate::impl_stage!([T: Send + 'static] Throwaway<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "Throwaway",
        "Kamaelia.Internet.Simulate.BrokenNetwork.Throwaway",
        Family::Internet,
        "Network simulation: passes messages on in order but loses some, chosen at random with a probability from a seed (reproducible).",
        axon::box_infos(&Throwaway::<Msg>::new(0.1, 0)),
    )
    .parameter("probability", "f64", "Throwaway::new(probability, seed): chance a message is lost (Kamaelia: 0.1)")
    .parameter("seed", "u64", "Throwaway::new(probability, seed): the generator's seed")
});
