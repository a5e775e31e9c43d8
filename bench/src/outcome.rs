//! What every implementation of a workload returns, and the rules it must follow.
//!
//! The harness checks these outcomes; an implementation only has to build the component graph the
//! workload describes, run it, time the part the workload says to time, and report what arrived.
//! Each implementation provides exactly these four functions (see [`crate::tokio_ct`] and
//! [`crate::axon_impl`]):
//!
//! ```text
//! pub fn w1_pipeline(n: u64, stages: usize) -> FlowOutcome
//! pub fn w2_fan_out_in(n: u64, workers: usize) -> FlowOutcome
//! pub fn w3_ring(hops: u64, ring_size: usize) -> RingOutcome
//! pub fn w4_spawn_chain(n: usize) -> ChainOutcome
//! ```
//!
//! Each call builds its own runtime or scheduler, runs to completion (every component ended) and
//! returns; it is called several times in one process, alternating with the other implementation.

use std::time::Duration;

/// W1 default: number of messages.
pub const W1_N: u64 = 1_000_000;
/// W1: number of pass-through stages between the source and the sink.
pub const W1_STAGES: usize = 10;
/// W2 default: number of messages.
pub const W2_N: u64 = 1_000_000;
/// W2: number of workers between the round-robin splitter and the merge.
pub const W2_WORKERS: usize = 8;
/// W3 default: number of hops the token makes.
pub const W3_HOPS: u64 = 1_000_000;
/// W3: number of stages in the ring.
pub const W3_RING_SIZE: usize = 1_000;
/// W4 default: number of pass-through components in the chain.
pub const W4_N: usize = 100_000;
/// Capacity of every link in the channel-based implementations (performance.md §1).
pub const LINK_CAPACITY: usize = 128;
/// W4: the single message sent through the chain; the tail must receive exactly this value.
pub const CHAIN_MESSAGE: u64 = 0x00C0_FFEE;

/// Result of a flow workload (W1 pipeline, W2 fan-out/fan-in).
///
/// Rules: the source sends the `u64` values `0..n` in order; the sink counts them and adds them up
/// (wrapping); `elapsed` runs from just before the source's first send to the moment the sink has
/// seen its input end (every upstream component finished).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowOutcome {
    /// From the source's first send to the sink's end.
    pub elapsed: Duration,
    /// Number of messages the sink received (must be `n`).
    pub count: u64,
    /// Wrapping sum of the messages the sink received (must be `n·(n−1)/2` mod 2⁶⁴).
    pub sum: u64,
}

/// Result of the W3 ring.
///
/// Rules: stages `0..ring_size`, stage `i` sends to stage `(i + 1) % ring_size`. The driver injects
/// the token carrying `hops` into stage 0 and starts the clock just before. A stage that receives a
/// counter `v > 0` sends `v − 1` to the next stage (one hop, counted by the sending stage). The stage
/// that receives 0 stops the clock (signals completion) and then sends a stop value round the ring;
/// every stage forwards the stop value (the next stage may already have ended) and ends. The call
/// returns only after every stage has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingOutcome {
    /// From injecting the token to the completion signal (the stop lap is not timed).
    pub elapsed: Duration,
    /// Sum over all stages of the hops each one made (must be `hops`).
    pub hops: u64,
    /// Index of the stage that saw 0 (must be `hops % ring_size`).
    pub finisher: usize,
    /// Number of stages that ended normally (must be `ring_size`).
    pub stages_ended: usize,
}

/// Result of the W4 spawn-and-chain workload.
///
/// Rules: `spawn` covers creating and linking all `n` pass-through components (head link to tail
/// link, the driver keeping the sending end of the head and the receiving end of the tail);
/// `bytes_spawned` is the live heap growth over that phase, read with
/// [`crate::measure::live_heap_bytes`] just before the first component is created and just after the
/// last one is linked. `traverse` covers sending [`CHAIN_MESSAGE`] into the head until the driver
/// receives it from the tail. `shutdown` covers closing the head until every component has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainOutcome {
    /// Creating and linking the `n` components.
    pub spawn: Duration,
    /// One message from the head to the tail.
    pub traverse: Duration,
    /// Closing the head until every component has ended.
    pub shutdown: Duration,
    /// Live heap bytes after spawning and linking all `n`, minus live heap bytes before.
    pub bytes_spawned: i64,
    /// What the tail received (must be `Some(CHAIN_MESSAGE)`).
    pub delivered: Option<u64>,
    /// Number of components that ended normally (must be `n`).
    pub ended: usize,
}

impl ChainOutcome {
    /// Sum of the three timed phases.
    pub fn total(&self) -> Duration {
        self.spawn + self.traverse + self.shutdown
    }
}

/// The wrapping sum of `0..n`, which W1 and W2 sinks must report.
pub fn expected_sum(n: u64) -> u64 {
    let n = u128::from(n);
    // Truncation is intended: the sinks add with wrapping arithmetic.
    #[allow(clippy::cast_possible_truncation)]
    let sum = (n * n.saturating_sub(1) / 2) as u64;
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_sum_matches_a_loop() {
        for n in [0_u64, 1, 2, 3, 10, 1000] {
            assert_eq!(expected_sum(n), (0..n).sum::<u64>());
        }
        assert_eq!(expected_sum(1_000_000), 499_999_500_000);
    }
}
