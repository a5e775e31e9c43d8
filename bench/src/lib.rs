//! Side-by-side benchmarks for Kamaelia for Rust: workloads W1–W5 of
//! `shared/reference/performance.md` §1, each run by two implementations in the same process.
//!
//! - `impl=tokio-ct` ([`tokio_ct`]): the hand-written baseline, one tokio task per component on a
//!   tokio `current_thread` runtime, every link a `tokio::sync::mpsc::channel(128)`.
//! - `impl=axon` ([`axon_impl`]): the same workloads written with our framework.
//! - `impl=tokio-ct-control` (W4 only, [`tokio_ct::w4_spawn_chain_with_control`]): tokio again,
//!   with every stage following the control convention the axon chain follows, to show what the
//!   convention itself costs.
//!
//! Both implementations return the same outcome types ([`outcome`]); the [`harness`] runs each a few
//! times (interleaved, so load drift on the shared machine hits both alike), checks every result,
//! reports the median rate and the ratio of axon to tokio-ct, and [`measure`] supplies live heap bytes
//! (a counting global allocator), CPU time, peak RSS and the load average.
//!
//! W5 (TCP echo over loopback, [`w5`]) compares a hand-written tokio current_thread echo server
//! (`impl=tokio-ct`) with Kamaelia's `ServerCore` + `EchoProtocol` (`impl=kamaelia`), driven by the
//! same tokio client; it runs only when named.
//!
//! Run it with `bench/run [--only tokio-ct|axon|tokio-ct-control] [--reps N] [--n N] [W1 W2 W3 W4 W5]`; see
//! `bench/run --help` for every flag.

pub mod axon_impl;
pub mod harness;
pub mod measure;
pub mod outcome;
pub mod tokio_ct;
pub mod w5;
