//! The producers waiting for room in a full inbox.
//!
//! Each is kept once, however often it tries again, with the time it began to wait: the live
//! model finds a blocked sender here by its waker, and reports how long it has been blocked,
//! even across wake-ups that freed no room (see `model::state`).

use std::task::Waker;

/// Producers waiting for room in one inbox, each with when it began to wait.
#[derive(Default)]
pub(crate) struct Senders {
    waiting: Vec<(Waker, u64)>,
}

/// A wait that began at an unknown time (the inbox belongs to no component, so no clock).
const UNKNOWN: u64 = u64::MAX;

impl Senders {
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Adds `waker` unless it waits already (its wait then keeps the time it began). `now`
    /// reads the system's clock, if the inbox has one.
    pub(crate) fn add(&mut self, waker: &Waker, now: impl FnOnce() -> Option<u64>) {
        if !self.waiting.iter().any(|(w, _)| w.will_wake(waker)) {
            self.waiting.push((waker.clone(), now().unwrap_or(UNKNOWN)));
        }
    }

    /// Takes every waiting producer, leaving none.
    pub(crate) fn take(&mut self) -> Senders {
        std::mem::take(self)
    }

    /// Wakes them all (call outside the inbox's lock).
    pub(crate) fn wake(self) {
        for (w, _) in self.waiting {
            w.wake();
        }
    }

    /// When the producer whose waker has data pointer `waker` began to wait, if it waits
    /// (`u64::MAX` if that is not known).
    pub(crate) fn since(&self, waker: *const ()) -> Option<u64> {
        self.waiting
            .iter()
            .find(|(w, _)| w.data() == waker)
            .map(|&(_, since)| since)
    }
}
