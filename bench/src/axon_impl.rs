//! `impl=axon`: workloads W1–W4 written with our framework.
//!
//! **NOT WRITTEN YET.** Every function below is a placeholder that panics with `unimplemented!()`
//! until the axon API it needs exists; the harness catches the panic and reports `ok=false` for
//! `impl=axon` (run with `--only tokio-ct` to skip it). Fill each one in following the rules on its
//! outcome type in [`crate::outcome`] and mirroring [`crate::tokio_ct`]: build a fresh scheduler per
//! call, one component per stage, links bounded at [`LINK_CAPACITY`](crate::outcome::LINK_CAPACITY)
//! if axon's boxes are bounded, run until every component has ended, then return.

use crate::outcome::{ChainOutcome, FlowOutcome, RingOutcome};

/// W1: source → `stages` pass-through stages → summing sink, `n` messages (rules in
/// [`FlowOutcome`]).
pub fn w1_pipeline(n: u64, stages: usize) -> FlowOutcome {
    // TODO(axon): write W1 with axon components.
    let _ = (n, stages);
    unimplemented!("impl=axon W1 pipeline is not written yet (bench/src/axon_impl.rs)")
}

/// W2: source → round-robin splitter → `workers` pass-through workers → merge (its own component)
/// → summing sink, `n` messages (rules in [`FlowOutcome`]).
pub fn w2_fan_out_in(n: u64, workers: usize) -> FlowOutcome {
    // TODO(axon): write W2 with axon components.
    let _ = (n, workers);
    unimplemented!("impl=axon W2 fan-out/fan-in is not written yet (bench/src/axon_impl.rs)")
}

/// W3: a ring of `ring_size` stages passing one token `hops` times, then a stop lap (rules in
/// [`RingOutcome`]).
pub fn w3_ring(hops: u64, ring_size: usize) -> RingOutcome {
    // TODO(axon): write W3 with axon components.
    let _ = (hops, ring_size);
    unimplemented!("impl=axon W3 ring is not written yet (bench/src/axon_impl.rs)")
}

/// W4: spawn and link a chain of `n` pass-through components, send one message through, then close
/// the head and wait until every component has ended (rules in [`ChainOutcome`]; read
/// [`crate::measure::live_heap_bytes`] before the first component and after the last link).
pub fn w4_spawn_chain(n: usize) -> ChainOutcome {
    // TODO(axon): write W4 with axon components.
    let _ = n;
    unimplemented!("impl=axon W4 spawn + chain is not written yet (bench/src/axon_impl.rs)")
}
