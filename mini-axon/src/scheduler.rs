//! Step 2: a scheduler — a loop that steps every microprocess in turn.
//!
//! Kamaelia's first scheduler kept an `active` list; each round it stepped every microprocess
//! and kept those that had not finished for the next round. That is all concurrency needs.
//! (The real scheduler only steps microprocesses that something has woken; this one steps all
//! of them every round, which is simple and wasteful.)
//!
//! ```
//! use mini_axon::{microprocess::Microprocess, scheduler::Scheduler, step0::yield_now};
//! let mut s = Scheduler::new();
//! s.activate(Microprocess::new("a", async { yield_now().await }));
//! s.activate(Microprocess::new("b", async {}));
//! assert_eq!(s.run_round(), 1); // b finished in round one, a is still active
//! assert_eq!(s.run_round(), 0);
//! ```

use crate::microprocess::Microprocess;

/// Steps microprocesses round-robin until they finish.
#[derive(Debug, Default)]
pub struct Scheduler {
    active: Vec<Microprocess>,
}

impl Scheduler {
    /// An empty scheduler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a microprocess; it runs from the next round.
    pub fn activate(&mut self, mp: Microprocess) {
        self.active.push(mp);
    }

    /// Steps every active microprocess once; returns how many are still active.
    pub fn run_round(&mut self) -> usize {
        self.active.retain_mut(|mp| !mp.step());
        self.active.len()
    }

    /// Runs up to `rounds` rounds, stopping early when nothing is left.
    pub fn run_rounds(&mut self, rounds: usize) {
        for _ in 0..rounds {
            if self.run_round() == 0 {
                return;
            }
        }
    }
}
