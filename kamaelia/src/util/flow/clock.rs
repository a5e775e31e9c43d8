//! Clock: sends a tick every interval (Kamaelia: `Kamaelia.Util.Clock.CheapAndCheerfulClock`).
//!
//! The first tick goes one interval after it starts, then one every interval, on tokio time (so
//! a deterministic test moves it with [`System::advance`](axon::System::advance)). Each tick is
//! its number, counting from 1. Use it to prompt a
//! [`PromptedTurnstile`](super::PromptedTurnstile), to refresh a display, or anywhere a steady
//! beat is wanted. Kamaelia's version was a thread sending `True`; this one is an ordinary
//! component sleeping on the runtime's timer.
//!
//! Ticks never pile up: if the consumer is full when a tick falls due, the clock waits for room;
//! all the ticks that fell due meanwhile collapse into one, sent as soon as there is room, and
//! the beat then resumes on the next multiple of the interval. Tick numbers count the ticks
//! actually sent.
//!
//! ```
//! use std::time::Duration;
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::Clock;
//!
//! let mut system = System::deterministic();
//! let clock = Clock::new(Duration::from_secs(1)).limit(3);
//! let (mut ticks, mut done) = (Inbox::new(), Inbox::new());
//! axon::link(&clock.outbox, &ticks).unwrap();
//! axon::link(&clock.signal, &done).unwrap();
//! system.spawn(clock);
//! system.advance(Duration::from_millis(2500));
//! assert_eq!((ticks.try_recv(), ticks.try_recv()), (Ok(1), Ok(2)));
//! assert!(ticks.try_recv().is_err());
//! system.advance(Duration::from_secs(1));
//! assert_eq!(ticks.try_recv(), Ok(3));
//! assert_eq!(done.try_recv(), Ok(Control::ProducerFinished)); // the limit was reached
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | unused (nothing is read from it) |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown`: either stops it |
//! | `outbox` | `u64` | the ticks, numbered from 1 |
//! | `signal` | [`Control`] | the control message that stopped it, or `ProducerFinished` when it ran out |
//!
//! # Parameters
//!
//! * `interval`, given to [`Clock::new`].
//! * [`Clock::limit`]: stop after this many ticks (default: never).
//!
//! # Shutdown
//!
//! It is a source with nothing queued: `ProducerFinished` and `Shutdown` both stop it at once and
//! are passed on `signal`. After its [`limit`](Clock::limit), or if the component its `outbox`
//! leads to has ended, it sends `ProducerFinished` on `signal` and ends.

use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::time::{interval_at, Instant, MissedTickBehavior};

use super::watch::{pass_on, send_watching, Sent, Stopped};

/// Sends a tick every interval. See the [module docs](self).
#[derive(Boxes)]
pub struct Clock {
    /// Unused (nothing is read from it).
    pub inbox: Inbox<()>,
    /// `ProducerFinished` or `Shutdown`: either stops it.
    pub control: Inbox<Control>,
    /// The ticks, numbered from 1.
    pub outbox: Outbox<u64>,
    /// The control message that stopped it, or `ProducerFinished` when it ran out.
    pub signal: Outbox<Control>,
    interval: Duration,
    limit: Option<u64>,
}

impl Clock {
    /// A clock ticking every `interval`.
    ///
    /// # Panics
    /// If `interval` is zero.
    pub fn new(interval: Duration) -> Self {
        assert!(
            !interval.is_zero(),
            "Clock: the interval must be longer than zero"
        );
        Clock {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            interval,
            limit: None,
        }
    }

    /// Stops after `ticks` ticks, sending `ProducerFinished`.
    pub fn limit(mut self, ticks: u64) -> Self {
        self.limit = Some(ticks);
        self
    }

    /// The body: returns the control message to pass on.
    async fn serve(&mut self) -> Control {
        let mut ticker = interval_at(Instant::now() + self.interval, self.interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut finishing = false;
        let mut sent = 0u64;
        loop {
            if self.limit.is_some_and(|l| sent >= l) {
                return Control::ProducerFinished;
            }
            tokio::select! {
                biased;
                c = self.control.recv() => return c.unwrap_or(Control::Shutdown),
                _ = ticker.tick() => {}
            }
            sent += 1;
            match send_watching(&mut self.outbox, sent, &mut self.control, &mut finishing).await {
                Ok(Sent::Delivered) => {}
                Ok(Sent::Closed(_)) => return Control::ProducerFinished,
                Err(Stopped(c)) => return c,
            }
            if finishing {
                return Control::ProducerFinished;
            }
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("interval", &self.interval)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl Component for Clock {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let end = self.serve().await;
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([] Clock, () => u64);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let c = Clock::new(Duration::from_secs(1));
    Entry::new(
        "Clock",
        "Kamaelia.Util.Clock.CheapAndCheerfulClock",
        Family::Util,
        "Sends a numbered tick every interval on tokio time; ticks missed while the consumer is full collapse into one instead of piling up.",
        axon::box_infos(&c),
    )
    .parameter("interval", "Duration", "Clock::new(interval): time between ticks; the first comes one interval after it starts")
    .parameter("limit", "u64", "stop after this many ticks, sending ProducerFinished (default: never)")
});
