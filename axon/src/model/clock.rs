//! The system's clock for the live model: real time for real systems, tokio's paused virtual
//! time for deterministic ones, both measured from when the system was built.
//!
//! Reading it on every state change would cost a clock read per poll, so a scheduler reads it
//! once per run of ticks and leaves the value in a thread-local that state changes made during
//! that run pick up (in deterministic mode virtual time cannot move during a run, so this is
//! exact; in real time it is late by at most one run of the scheduler, microseconds).

use std::cell::Cell;
use std::time::Duration;

/// Where the time comes from.
pub(crate) enum Clock {
    /// Wall-clock time since `start`.
    Real(std::time::Instant),
    /// The virtual time of a deterministic system's runtime (readable from any thread by
    /// entering the runtime's context).
    Virtual {
        handle: tokio::runtime::Handle,
        start: tokio::time::Instant,
    },
}

impl Clock {
    pub(crate) fn real() -> Self {
        Clock::Real(std::time::Instant::now())
    }

    pub(crate) fn virtual_time(rt: &tokio::runtime::Runtime) -> Self {
        let _in = rt.enter();
        Clock::Virtual {
            handle: rt.handle().clone(),
            start: tokio::time::Instant::now(),
        }
    }

    /// Time since the system was built.
    pub(crate) fn now(&self) -> Duration {
        match self {
            Clock::Real(start) => start.elapsed(),
            Clock::Virtual { handle, start } => {
                let _in = handle.enter();
                tokio::time::Instant::now().saturating_duration_since(*start)
            }
        }
    }
}

thread_local! {
    /// `(clock address, nanoseconds)` cached by the scheduler running on this thread.
    static CACHED: Cell<(usize, u64)> = const { Cell::new((0, 0)) };
}

/// Nanoseconds in a duration, saturating (584 years).
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Clock {
    fn key(&self) -> usize {
        self as *const Clock as usize
    }

    /// Time since the system was built, in nanoseconds: the scheduler's cached value when this
    /// thread is running one of this system's schedulers, else a fresh read.
    #[inline]
    pub(crate) fn now_nanos(&self) -> u64 {
        let (key, t) = CACHED.with(Cell::get);
        if key == self.key() {
            t
        } else {
            self.read_nanos()
        }
    }

    #[cold]
    #[inline(never)]
    fn read_nanos(&self) -> u64 {
        nanos(self.now())
    }

    /// Reads the clock once and lets state changes on this thread use that value until the
    /// guard is dropped.
    pub(crate) fn cache(&self) -> CachedNow {
        let now = nanos(self.now());
        let previous = CACHED.with(|c| c.replace((self.key(), now)));
        CachedNow { now, previous }
    }
}

/// Restores the previous cached time (schedulers of several systems may nest on one thread).
pub(crate) struct CachedNow {
    now: u64,
    previous: (usize, u64),
}

impl CachedNow {
    /// The cached reading, in nanoseconds.
    pub(crate) fn nanos(&self) -> u64 {
        self.now
    }
}

impl Drop for CachedNow {
    fn drop(&mut self) {
        CACHED.with(|c| c.set(self.previous));
    }
}
