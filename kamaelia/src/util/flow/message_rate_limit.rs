//! MessageRateLimit: passes messages on at no more than a given rate (Kamaelia:
//! `Kamaelia.Util.RateFilter.MessageRateLimit`).
//!
//! Messages are released one at a time, at least one interval (`1 s / rate`) apart, on tokio
//! time: at 10 messages per second one goes at once and the next 100 ms later. It sets a
//! maximum, not a minimum: when nothing is waiting nothing is sent, and a quiet spell does not
//! earn a burst later. Optionally it first waits until a number of messages have arrived
//! ([`MessageRateLimit::buffer`], Kamaelia's `buffer` argument) so that a player has something in
//! hand before it starts.
//!
//! Waiting messages stay in its bounded `inbox` (plus the initial buffer, if any), so a producer
//! far ahead of the rate waits (backpressure). A full destination delays the release; the next
//! release is then one interval after the late one.
//!
//! ```
//! use std::time::Duration;
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::MessageRateLimit;
//!
//! let mut system = System::deterministic();
//! let limit = MessageRateLimit::new(10); // 10 per second: one every 100 ms
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let mut output = Inbox::new();
//! axon::link(&input, &limit.inbox).unwrap();
//! axon::link(&stop, &limit.control).unwrap();
//! axon::link(&limit.outbox, &output).unwrap();
//! system.spawn(limit);
//! for frame in 0..5u32 {
//!     input.try_send(frame).unwrap();
//! }
//! system.run_until_idle();
//! assert_eq!(output.len(), 1); // the first goes at once
//! system.advance(Duration::from_millis(200));
//! assert_eq!(output.len(), 3); // then one per 100 ms
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.advance(Duration::from_millis(200));
//! assert_eq!(output.len(), 5); // the rest, still at the rate
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to pass on |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the same messages, in order, no faster than the rate |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `messages_per_second`, given to [`MessageRateLimit::new`]; or the interval itself, given to
//!   [`MessageRateLimit::with_interval`].
//! * [`MessageRateLimit::buffer`]: how many messages to collect before the first is released
//!   (default 0: start at once; Kamaelia's default was 60).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it releases everything already queued — the initial buffer too, even if
//! it never filled — still no faster than the rate, then sends `ProducerFinished` on `signal`
//! and ends. On `Shutdown` — also while it waits for the next release time or for a full
//! destination — it ends at once, discarding what is queued, and sends `Shutdown` on `signal`.
//! If the component its `outbox` leads to has ended, it sends `Shutdown` on `signal` and fails
//! with an error saying so.

use std::collections::VecDeque;
use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::time::Instant;

use super::watch::{note, pass_on, send_watching, watching, Sent, Stopped};

/// Passes messages on at no more than a given rate. See the [module docs](self).
#[derive(Boxes)]
pub struct MessageRateLimit<T: Send + 'static> {
    /// Messages to pass on.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (release what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The same messages, in order, no faster than the rate.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    interval: Duration,
    buffer: usize,
}

impl<T: Send + 'static> MessageRateLimit<T> {
    /// At most `messages_per_second` messages per second.
    ///
    /// # Panics
    /// If `messages_per_second` is 0.
    pub fn new(messages_per_second: u32) -> Self {
        assert!(
            messages_per_second > 0,
            "MessageRateLimit: messages_per_second must be at least 1"
        );
        Self::with_interval(Duration::from_secs(1) / messages_per_second)
    }

    /// At most one message per `interval`.
    ///
    /// # Panics
    /// If `interval` is zero.
    pub fn with_interval(interval: Duration) -> Self {
        assert!(
            !interval.is_zero(),
            "MessageRateLimit: the interval must be longer than zero"
        );
        MessageRateLimit {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            interval,
            buffer: 0,
        }
    }

    /// Collects `messages` messages before releasing the first (0: start at once).
    pub fn buffer(mut self, messages: usize) -> Self {
        self.buffer = messages;
        self
    }

    /// The minimum time between two releases.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The body: returns the control message to pass on, or an error.
    async fn serve(&mut self) -> Result<Control, Error> {
        let mut finishing = false;
        // The initial buffer: filled before anything is released.
        let mut pending: VecDeque<T> = VecDeque::with_capacity(self.buffer);
        while pending.len() < self.buffer && !finishing {
            tokio::select! {
                biased;
                c = self.control.recv() => {
                    if let Err(Stopped(c)) = note(c, &mut finishing) {
                        return Ok(c);
                    }
                }
                Some(m) = self.inbox.recv() => pending.push_back(m),
            }
        }
        let mut next_release: Option<Instant> = None;
        loop {
            let msg = if let Some(m) = pending.pop_front() {
                m
            } else if finishing {
                match self.inbox.try_recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(Control::ProducerFinished),
                }
            } else {
                tokio::select! {
                    biased;
                    c = self.control.recv() => {
                        if let Err(Stopped(c)) = note(c, &mut finishing) {
                            return Ok(c);
                        }
                        continue;
                    }
                    Some(m) = self.inbox.recv() => m,
                }
            };
            if let Some(at) = next_release {
                let wait = tokio::time::sleep_until(at);
                if let Err(Stopped(c)) = watching(&mut self.control, &mut finishing, wait).await {
                    return Ok(c);
                }
            }
            match send_watching(&mut self.outbox, msg, &mut self.control, &mut finishing).await {
                Ok(Sent::Delivered) => next_release = Some(Instant::now() + self.interval),
                Ok(Sent::Closed(_)) => {
                    return Err(Error::msg(
                        "MessageRateLimit: the component its outbox leads to has ended",
                    ))
                }
                Err(Stopped(c)) => return Ok(c),
            }
        }
    }
}

impl<T: Send + 'static> std::fmt::Debug for MessageRateLimit<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageRateLimit")
            .field("interval", &self.interval)
            .field("buffer", &self.buffer)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Component for MessageRateLimit<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let end = self.serve().await;
        pass_on(
            &mut self.signal,
            end.as_ref().cloned().unwrap_or(Control::Shutdown),
        )
        .await;
        end.map(|_| ())
    }
}

crate::impl_stage!([T: Send + 'static] MessageRateLimit<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let l: MessageRateLimit<Msg> = MessageRateLimit::new(10);
    Entry::new(
        "MessageRateLimit",
        "Kamaelia.Util.RateFilter.MessageRateLimit",
        Family::Util,
        "Passes messages on no faster than a given rate (one per interval, on tokio time), optionally after collecting an initial buffer.",
        axon::box_infos(&l),
    )
    .parameter("messages_per_second", "u32", "MessageRateLimit::new(n); MessageRateLimit::with_interval(d) for the interval itself")
    .parameter("buffer", "usize", "messages to collect before the first is released (default 0)")
});
