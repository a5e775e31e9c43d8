//! Duplicate: passes every message on, and sends some of them twice, chosen at random with a
//! given probability from a seed (Kamaelia: `Kamaelia.Internet.Simulate.BrokenNetwork.Duplicate`).
//!
//! A duplicated message goes out twice in a row. Kamaelia duplicated one message in ten
//! (`Duplicate::new(0.1, seed)`). The same seed and input give the same output on every run
//! (see [`crate::net::simulate`]).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::simulate::Duplicate;
//!
//! let mut system = System::deterministic();
//! let dup = Duplicate::new(0.5, 42);
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
//! axon::link(&input, &dup.inbox).unwrap();
//! axon::link(&stop, &dup.control).unwrap();
//! axon::link(&dup.outbox, &output).unwrap();
//! axon::link(&dup.signal, &signal).unwrap();
//! system.spawn(dup);
//! for n in 0..20u32 {
//!     input.try_send(n).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let got: Vec<u32> = std::iter::from_fn(|| output.try_recv().ok()).collect();
//! let mut unique = got.clone();
//! unique.dedup();
//! assert_eq!(unique, (0..20).collect::<Vec<_>>()); // all there, in order
//! assert!(got.len() > 20); // some twice
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to pass on |
//! | `control` | [`Control`] | `ProducerFinished`: pass on what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | `T` | every message, some twice in a row |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `probability` ([`Duplicate::new`]): the chance that a message is sent twice (clamped to
//!   0..=1);
//! * `seed` ([`Duplicate::new`]): the generator's seed.
//!
//! # Shutdown
//!
//! `ProducerFinished`: passes on (and duplicates, as chosen) everything already queued, sends
//! `ProducerFinished` on `signal`, ends. `Shutdown`/`Failed`: discards what is queued, passes
//! the message on unchanged, ends. It holds nothing between messages. If the component its
//! `outbox` leads to has ended, it fails with an error naming itself.

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};

use super::{clamp, Coin};
use crate::support::{gone, pass_on};

/// Passes messages on, some twice. See the [module docs](self).
#[derive(Boxes)]
pub struct Duplicate<T: Clone + Send + 'static> {
    /// Messages to pass on.
    pub inbox: Inbox<T>,
    /// `ProducerFinished`: pass on what is queued, then end; `Shutdown`/`Failed`: end now.
    pub control: Inbox<Control>,
    /// Every message, some twice in a row.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    probability: f64,
    #[boxes(skip)]
    seed: u64,
}

impl<T: Clone + Send + 'static> std::fmt::Debug for Duplicate<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Duplicate")
            .field("probability", &self.probability)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> Duplicate<T> {
    /// Sends each message twice with `probability` (clamped to 0..=1), choosing with a
    /// generator seeded with `seed`.
    pub fn new(probability: f64, seed: u64) -> Self {
        Duplicate {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            probability: clamp(probability),
            seed,
        }
    }
}

/// Sends `m`, twice if the coin says so.
async fn pass<T: Clone + Send + 'static>(
    outbox: &mut Outbox<T>,
    coin: &mut Coin,
    m: T,
) -> Result<(), ()> {
    if coin.toss() {
        outbox.send(m.clone()).await.map_err(drop)?;
    }
    outbox.send(m).await.map_err(drop)
}

impl<T: Clone + Send + 'static> Component for Duplicate<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut coin = Coin::new(self.probability, self.seed);
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => {
                    if pass(&mut self.outbox, &mut coin, m).await.is_err() {
                        return Err(gone(&ctx.name(), "outbox"));
                    }
                }
                Event::Control(c) => {
                    if c.is_producer_finished() {
                        while let Ok(m) = self.inbox.try_recv() {
                            if pass(&mut self.outbox, &mut coin, m).await.is_err() {
                                return Err(gone(&ctx.name(), "outbox"));
                            }
                        }
                    }
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            }
        }
    }
}

crate::impl_stage!([T: Clone + Send + 'static] Duplicate<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "Duplicate",
        "Kamaelia.Internet.Simulate.BrokenNetwork.Duplicate",
        Family::Internet,
        "Network simulation: passes every message on, sending some twice in a row, chosen at random with a probability from a seed (reproducible).",
        axon::box_infos(&Duplicate::<Msg>::new(0.1, 0)),
    )
    .parameter("probability", "f64", "Duplicate::new(probability, seed): chance a message is sent twice (Kamaelia: 0.1)")
    .parameter("seed", "u64", "Duplicate::new(probability, seed): the generator's seed")
});
