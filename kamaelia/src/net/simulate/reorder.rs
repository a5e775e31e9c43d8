//! Reorder: passes every message on, in a shuffled order chosen at random from a seed
//! (Kamaelia: `Kamaelia.Internet.Simulate.BrokenNetwork.Reorder`).
//!
//! It holds up to `window` messages; each time one more arrives it passes on one of those it
//! holds, picked at random, so a message can be overtaken by up to `window` later ones.
//! Kamaelia held 7 (`Reorder::new(7, seed)`). At the end of the stream it passes on the rest,
//! also in a random order — Kamaelia's lost them. The same seed and input give the same order
//! on every run (see [`crate::net::simulate`]). It runs [`axon::testing::Reorder`] as its
//! child.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::simulate::Reorder;
//!
//! let mut system = System::deterministic();
//! let shuffle = Reorder::new(4, 9);
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
//! axon::link(&input, &shuffle.inbox).unwrap();
//! axon::link(&stop, &shuffle.control).unwrap();
//! axon::link(&shuffle.outbox, &output).unwrap();
//! axon::link(&shuffle.signal, &signal).unwrap();
//! system.spawn(shuffle);
//! for n in 0..20u32 {
//!     input.try_send(n).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let got: Vec<u32> = std::iter::from_fn(|| output.try_recv().ok()).collect();
//! assert_ne!(got, (0..20).collect::<Vec<_>>()); // shuffled ...
//! let mut sorted = got.clone();
//! sorted.sort();
//! assert_eq!(sorted, (0..20).collect::<Vec<_>>()); // ... but nothing lost
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to pass on |
//! | `control` | [`Control`] | `ProducerFinished`: pass on what is queued and held, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | `T` | every message, shuffled |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `window` ([`Reorder::new`]): how many messages it holds (at least 1); the larger, the
//!   further a message can move;
//! * `seed` ([`Reorder::new`]): the generator's seed.
//!
//! # Shutdown
//!
//! `ProducerFinished`: takes everything queued, then passes on every message it holds, in a
//! random order (its partial state is delivered), sends `ProducerFinished` on `signal`, ends.
//! `Shutdown`/`Failed`: discards what is queued and held, passes the message on unchanged,
//! ends. If the component its `outbox` leads to has ended, it fails.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{run_as_child, Relay};

/// Passes messages on in a shuffled order. See the [module docs](self).
#[derive(Boxes)]
pub struct Reorder<T: Send + 'static> {
    /// Messages to pass on.
    pub inbox: Inbox<T>,
    /// `ProducerFinished`: pass on what is queued and held, then end; `Shutdown`/`Failed`: end
    /// now.
    pub control: Inbox<Control>,
    /// Every message, shuffled.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    window: usize,
    #[boxes(skip)]
    seed: u64,
}

impl<T: Send + 'static> std::fmt::Debug for Reorder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reorder")
            .field("window", &self.window)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Reorder<T> {
    /// Holds up to `window` messages (at least 1), choosing which to pass on with a generator
    /// seeded with `seed`.
    pub fn new(window: usize, seed: u64) -> Self {
        Reorder {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            window: window.max(1),
            seed,
        }
    }
}

impl<T: Send + 'static> Component for Reorder<T> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let child = axon::testing::Reorder::<T>::new(self.window, self.seed);
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

crate::impl_stage!([T: Send + 'static] Reorder<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "Reorder",
        "Kamaelia.Internet.Simulate.BrokenNetwork.Reorder",
        Family::Internet,
        "Network simulation: holds a window of messages and passes on a random one as each arrives, so order is shuffled but nothing is lost (reproducible from a seed).",
        axon::box_infos(&Reorder::<Msg>::new(7, 0)),
    )
    .parameter("window", "usize", "Reorder::new(window, seed): messages held (Kamaelia: 7)")
    .parameter("seed", "u64", "Reorder::new(window, seed): the generator's seed")
});
