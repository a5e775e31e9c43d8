//! ByteRateRequestControl: asks for data at a steady byte rate by sending byte counts (Kamaelia:
//! `Kamaelia.Util.RateFilter.ByteRate_RequestControl`, and its `VariableByteRate_RequestControl`
//! through the `inbox`).
//!
//! It drives a prompted reader — one that reads as many bytes as each request on its inbox asks
//! for — so that a file is read at, say, 1 Mbit/s instead of as fast as the disk allows. Every
//! `chunk_size / rate` seconds (tokio time) it sends a request for `chunk_size` bytes; the first
//! request goes at once. Chunk sizes need not be whole numbers: requests are whole byte counts and
//! the fractions carry over, so over time exactly `rate` bytes per second are asked for.
//!
//! If it falls behind (its consumer was full, so a send waited) it catches up: with
//! [`aggregate`](ByteRateRequestControl::aggregate) it asks for everything owed in one request,
//! otherwise in several requests of at most `chunk_size` bytes each.
//!
//! A new rate (bytes per second, `f64`) can be sent to its `inbox` at any time: what was asked
//! for up to that moment matches the old rate, and the schedule restarts at once at the new rate
//! (a set chunk size is kept; with a chunk rate the chunk size follows the new rate). A rate of 0
//! pauses it until a non-zero rate arrives; the account is kept across the pause, so bytes asked
//! for just before it (and not yet due) are not asked for again when it resumes.
//!
//! ```
//! use std::time::Duration;
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::ByteRateRequestControl;
//!
//! let mut system = System::deterministic();
//! // 1000 bytes per second in chunks of 100: a request every 100 ms.
//! let control = ByteRateRequestControl::new(1000.0).chunk_size(100.0);
//! let (mut requests, mut stop) = (Inbox::new(), Outbox::new());
//! axon::link(&control.outbox, &requests).unwrap();
//! axon::link(&stop, &control.control).unwrap();
//! system.spawn(control);
//! system.run_until_idle();
//! system.advance(Duration::from_millis(250));
//! let mut got = Vec::new();
//! while let Ok(n) = requests.try_recv() { got.push(n); }
//! assert_eq!(got, [100, 100, 100]); // at 0, 100 and 200 ms
//! stop.try_send(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `f64` | a new rate in bytes per second (0 pauses) |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown`: either stops it |
//! | `outbox` | `usize` | requests: how many bytes to read next |
//! | `signal` | [`Control`] | the control message that stopped it, or `ProducerFinished` if its consumer ended |
//!
//! # Parameters
//!
//! * `rate`, bytes per second, given to [`ByteRateRequestControl::new`] (0 starts paused).
//! * [`chunk_size`](ByteRateRequestControl::chunk_size): bytes per request; or
//!   [`chunk_rate`](ByteRateRequestControl::chunk_rate): requests per second (default 10, so the
//!   chunk size is `rate / 10`). A chunk size below one byte still asks for one byte at a time.
//! * [`aggregate`](ByteRateRequestControl::aggregate): catch up in one request (default `false`).
//!
//! # Shutdown
//!
//! It is a source that never runs dry: `ProducerFinished` and `Shutdown` both stop it at once
//! (there is nothing queued to drain) and are passed on `signal`. The fraction of a byte owed at
//! that moment is dropped. If the component its `outbox` leads to ends (the reader reached the
//! end of its file), nobody needs requests any more: it sends `ProducerFinished` on `signal` and
//! ends. A rate on `inbox` that is negative or not a number is an error naming the rate; it sends
//! `Shutdown` on `signal` and fails.

use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::time::Instant;

use super::watch::{pass_on, send_watching, Sent, Stopped};

/// Sends byte-count requests at a steady rate. See the [module docs](self).
#[derive(Boxes)]
pub struct ByteRateRequestControl {
    /// A new rate in bytes per second (0 pauses).
    pub inbox: Inbox<f64>,
    /// `ProducerFinished` or `Shutdown`: either stops it.
    pub control: Inbox<Control>,
    /// Requests: how many bytes to read next.
    pub outbox: Outbox<usize>,
    /// The control message that stopped it, or `ProducerFinished` if its consumer ended.
    pub signal: Outbox<Control>,
    rate: f64,
    chunk: Chunk,
    aggregate: bool,
}

#[derive(Debug, Clone, Copy)]
enum Chunk {
    Size(f64),
    PerSecond(f64),
}

fn check_rate(rate: f64) -> Result<f64, String> {
    if rate >= 0.0 && rate.is_finite() {
        Ok(rate)
    } else {
        Err(format!(
            "ByteRateRequestControl: rate {rate} is not a number of bytes per second (0 or more)"
        ))
    }
}

impl ByteRateRequestControl {
    /// Requests `rate` bytes per second, in 10 requests per second unless set otherwise.
    ///
    /// # Panics
    /// If `rate` is negative or not finite.
    pub fn new(rate: f64) -> Self {
        if let Err(e) = check_rate(rate) {
            panic!("{e}");
        }
        ByteRateRequestControl {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            rate,
            chunk: Chunk::PerSecond(10.0),
            aggregate: false,
        }
    }

    /// Asks for `bytes` bytes per request (the request rate follows from the byte rate).
    ///
    /// # Panics
    /// If `bytes` is not a positive finite number.
    pub fn chunk_size(mut self, bytes: f64) -> Self {
        assert!(
            bytes > 0.0 && bytes.is_finite(),
            "ByteRateRequestControl: chunk_size {bytes} must be a positive number of bytes"
        );
        self.chunk = Chunk::Size(bytes);
        self
    }

    /// Sends `per_second` requests per second (the chunk size is `rate / per_second`).
    ///
    /// # Panics
    /// If `per_second` is not a positive finite number.
    pub fn chunk_rate(mut self, per_second: f64) -> Self {
        assert!(
            per_second > 0.0 && per_second.is_finite(),
            "ByteRateRequestControl: chunk_rate {per_second} must be a positive number of requests per second"
        );
        self.chunk = Chunk::PerSecond(per_second);
        self
    }

    /// When catching up, asks for everything owed in one request (`true`) or in requests of at
    /// most one chunk each (`false`, the default).
    pub fn aggregate(mut self, aggregate: bool) -> Self {
        self.aggregate = aggregate;
        self
    }

    /// The body: returns the control message to pass on, or an error.
    async fn serve(&mut self) -> Result<Control, Error> {
        let mut sched = Schedule::new(self.chunk, self.rate, Instant::now());
        let mut finishing = false;
        loop {
            sched.catch_up(Instant::now());
            while let Some(n) = sched.take(self.aggregate) {
                match send_watching(&mut self.outbox, n, &mut self.control, &mut finishing).await {
                    Ok(Sent::Delivered) => {}
                    Ok(Sent::Closed(_)) => return Ok(Control::ProducerFinished),
                    Err(Stopped(c)) => return Ok(c),
                }
            }
            if finishing {
                return Ok(Control::ProducerFinished);
            }
            let due = sched.due();
            tokio::select! {
                biased;
                c = self.control.recv() => return Ok(c.unwrap_or(Control::Shutdown)),
                Some(rate) = self.inbox.recv() => {
                    let rate = check_rate(rate).map_err(Error::msg)?;
                    sched.set_rate(rate, Instant::now());
                }
                () = sleep_until(due) => {}
            }
        }
    }
}

/// Sleeps until `at`, or forever for `None`.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// When requests fall due and how many bytes are owed.
#[derive(Debug)]
struct Schedule {
    /// How the chunk size is set.
    mode: Chunk,
    /// Bytes per second.
    rate: f64,
    /// When the next chunk is credited. Each credit pays for the time until the next one.
    next: Instant,
    /// Bytes owed and not yet requested (negative after a rate cut refunded prepaid time).
    owed: f64,
}

impl Schedule {
    fn new(mode: Chunk, rate: f64, now: Instant) -> Self {
        Schedule {
            mode,
            rate,
            next: now,
            owed: 0.0,
        }
    }

    /// Bytes per request.
    fn chunk(&self) -> f64 {
        match self.mode {
            Chunk::Size(s) => s,
            Chunk::PerSecond(n) => self.rate / n,
        }
    }

    /// Time between requests; `None` while paused (rate 0).
    fn step(&self) -> Option<Duration> {
        if self.rate <= 0.0 {
            return None;
        }
        let secs = match self.mode {
            Chunk::Size(s) => s / self.rate,
            Chunk::PerSecond(n) => 1.0 / n,
        };
        Some(
            Duration::try_from_secs_f64(secs)
                .unwrap_or(Duration::MAX)
                .max(Duration::from_nanos(1)),
        )
    }

    /// Credits every chunk that has fallen due by `now`.
    fn catch_up(&mut self, now: Instant) {
        let Some(step) = self.step() else { return };
        if now < self.next {
            return;
        }
        let due = (now - self.next).as_nanos() / step.as_nanos() + 1;
        let due = u32::try_from(due).unwrap_or(u32::MAX);
        self.owed += f64::from(due) * self.chunk();
        self.next = self
            .next
            .checked_add(step.saturating_mul(due))
            .unwrap_or(now + step);
    }

    /// The next request, if at least one whole byte is owed.
    fn take(&mut self, aggregate: bool) -> Option<usize> {
        // Chunk sizes like 1000/3 are not exact in binary: a sum that should be whole may fall
        // a hair short of it, which must not cost a byte.
        const EPSILON: f64 = 1e-6;
        if self.owed + EPSILON < 1.0 {
            return None;
        }
        let n = if aggregate {
            self.owed
        } else {
            // A fractional chunk size asks for its whole part or one more, so the fractions
            // never pile up into extra one-byte requests.
            self.owed.min((self.chunk() - EPSILON).ceil().max(1.0))
        };
        let n = (n + EPSILON).floor();
        self.owed -= n;
        Some(n as usize)
    }

    /// When the next chunk falls due (`None` while paused).
    fn due(&self) -> Option<Instant> {
        self.step().map(|_| self.next)
    }

    /// Changes the rate at `now`: the time already paid for beyond `now` is refunded at the old
    /// rate, and the schedule restarts at once at the new one.
    fn set_rate(&mut self, rate: f64, now: Instant) {
        if self.step().is_some() {
            let prepaid = self.next.saturating_duration_since(now);
            self.owed -= self.rate * prepaid.as_secs_f64();
        }
        self.rate = rate;
        self.next = now;
    }
}

impl std::fmt::Debug for ByteRateRequestControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteRateRequestControl")
            .field("rate", &self.rate)
            .field("chunk", &self.chunk)
            .field("aggregate", &self.aggregate)
            .finish_non_exhaustive()
    }
}

impl Component for ByteRateRequestControl {
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

crate::impl_stage!([] ByteRateRequestControl, f64 => usize);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let c = ByteRateRequestControl::new(100_000.0);
    Entry::new(
        "ByteRateRequestControl",
        "Kamaelia.Util.RateFilter.ByteRate_RequestControl",
        Family::Util,
        "Sends byte-count requests at a steady byte rate (tokio time) to drive a prompted reader; a new rate on inbox changes it, 0 pauses.",
        axon::box_infos(&c),
    )
    .parameter("rate", "f64", "bytes per second, ByteRateRequestControl::new(rate)")
    .parameter("chunk_size", "f64", "bytes per request; or chunk_rate: requests per second (default 10)")
    .parameter("aggregate", "bool", "catch up in one request instead of several (default false)")
});
