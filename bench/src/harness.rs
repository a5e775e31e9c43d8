//! Runs the workloads, checks every result and prints one `key=value` line per fact.
//!
//! For each workload the selected implementations run `reps` times each, interleaved
//! (tokio-ct, axon, tokio-ct, axon, …) so that load changes on the shared machine affect both alike.
//! Each run is checked (count and sum, hops, delivered message, components ended); a panic or a wrong
//! result ends that implementation's runs for the workload and is reported with `ok=false`. Otherwise
//! the line shows the run with the median rate, and when both implementations succeeded a ratio line
//! follows.
//!
//! Output, per workload (`…` marks extra keys):
//!
//! ```text
//! workload=W1 impl=tokio-ct msgs_per_s=<n> n=<N> secs=<s> ok=true cpu_ns_per_msg=<c> reps=<r> load1=<l>
//! workload=W1 impl=axon msgs_per_s=<n> n=<N> secs=<s> ok=true …
//! workload=W1 ratio_vs_tokio_ct=<axon msgs/s ÷ tokio-ct msgs/s>
//! workload=W1 cpu_ratio_vs_tokio_ct=<tokio-ct CPU ns/msg ÷ axon CPU ns/msg>
//! workload=W3 impl=tokio-ct msgs_per_s=<n> hops_per_s=<n> n=<N> secs=<s> ok=true ring=<size> …
//! workload=W4 impl=tokio-ct n=<n> secs=<total> us_per_component=<x> bytes_per_component=<y> spawn_s=<s> traverse_s=<s> shutdown_s=<s> ok=true …
//! workload=W4 ratio_vs_tokio_ct=<tokio-ct µs per component ÷ axon µs per component>
//! workload=W4 memory_ratio_vs_tokio_ct=<axon bytes per component ÷ tokio-ct bytes per component>
//! workload=W4 impl=tokio-ct-control n=<n> secs=<total> us_per_component=<x> …
//! workload=W4 ratio_vs_tokio_ct_control=<tokio-ct-control µs per component ÷ axon µs per component>
//! workload=W4 memory_ratio_vs_tokio_ct_control=<axon bytes ÷ tokio-ct-control bytes per component>
//! workload=W5 impl=tokio-ct rt_per_s=<n> p99_ms=<x> p50_ms=<x> p999_ms=<x> round_trips=<n> conns=<c> rounds=<r> secs=<s> ok=true …
//! workload=W5 impl=kamaelia rt_per_s=<n> p99_ms=<x> …
//! workload=W5 ratio_vs_tokio_ct=<kamaelia rt/s ÷ tokio-ct rt/s>
//! ```
//!
//! W5 (TCP echo, [`crate::w5`]) names the second implementation `kamaelia` (the `axon` slot: the
//! Kamaelia `ServerCore` + `EchoProtocol` on an axon `System`) and prints no CPU ratio, since the
//! client shares the process. It runs only when named (`W5`); the default is W1–W4.
//!
//! W4 also runs `tokio-ct-control`, tokio written with the control convention the axon chain
//! follows (two links per stage; see
//! [`w4_spawn_chain_with_control`](crate::tokio_ct::w4_spawn_chain_with_control)): a reference
//! line beside the baseline, which stays the one the goals are set against. It also runs
//! `axon-line`, the same chain as one axon [`Line`](axon::line::Line) of pass-through
//! transforms (components that share the line's task), with its own ratio lines:
//!
//! ```text
//! workload=W4 impl=axon-line n=<n> secs=<total> us_per_component=<x> …
//! workload=W4 line_ratio_vs_tokio_ct=<tokio-ct µs per component ÷ axon-line µs per component>
//! workload=W4 line_memory_ratio_vs_tokio_ct=<axon-line bytes ÷ tokio-ct bytes per component>
//! ```
//!
//! Both ratios are "higher is better" except the memory ratio, where lower is better. A run that
//! failed prints `ok=false error=<panic|wrong_result>` and the details go to standard error.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::str::FromStr;
use std::time::Duration;

use crate::measure;
use crate::outcome::{
    expected_sum, ChainOutcome, FlowOutcome, RingOutcome, CHAIN_MESSAGE, W1_N, W1_STAGES, W2_N,
    W2_WORKERS, W3_HOPS, W3_RING_SIZE, W4_N,
};
use crate::w5::{self, EchoOutcome, W5_CONNS, W5_ROUNDS};
use crate::{axon_impl, tokio_ct};

/// One of the benchmark workloads of performance.md §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Pipeline: source → pass-through stages → summing sink.
    W1,
    /// Fan-out/fan-in: source → splitter → workers → merge → sink.
    W2,
    /// Ring of stages passing one token.
    W3,
    /// Spawn and link a long chain, send one message, shut down.
    W4,
    /// TCP echo over loopback: many connections, sequential 64-byte round trips.
    W5,
}

impl Workload {
    /// All workloads, in order.
    pub const ALL: [Workload; 5] = [
        Workload::W1,
        Workload::W2,
        Workload::W3,
        Workload::W4,
        Workload::W5,
    ];
    /// What runs when no workload is named: W1–W4 (W5 only when asked for).
    pub const DEFAULT: [Workload; 4] = [Workload::W1, Workload::W2, Workload::W3, Workload::W4];
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Workload::W1 => "W1",
            Workload::W2 => "W2",
            Workload::W3 => "W3",
            Workload::W4 => "W4",
            Workload::W5 => "W5",
        })
    }
}

impl FromStr for Workload {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Workload::ALL
            .into_iter()
            .find(|workload| workload.to_string().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("unknown workload {name:?} (expected W1, W2, W3, W4 or W5)"))
    }
}

/// An implementation of the workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impl {
    /// Hand-written tokio current_thread baseline ([`crate::tokio_ct`]).
    TokioCt,
    /// Our framework ([`crate::axon_impl`]).
    Axon,
    /// W4 only: tokio current_thread with the control convention the axon chain follows, a
    /// reference line beside the baseline
    /// ([`w4_spawn_chain_with_control`](crate::tokio_ct::w4_spawn_chain_with_control)).
    TokioCtControl,
    /// W1 and W4 only: the pass-through stages as one axon [`Line`](axon::line::Line) of
    /// transforms ([`w1_line`](crate::axon_impl::w1_line),
    /// [`w4_spawn_line`](crate::axon_impl::w4_spawn_line)).
    AxonLine,
}

impl Impl {
    /// Every implementation, baseline first; `tokio-ct-control` runs only W4, `axon-line` W1
    /// and W4.
    pub const ALL: [Impl; 4] = [
        Impl::TokioCt,
        Impl::Axon,
        Impl::TokioCtControl,
        Impl::AxonLine,
    ];

    /// Whether this implementation has a version of `workload`.
    pub fn runs(self, workload: Workload) -> bool {
        match self {
            Impl::TokioCt | Impl::Axon => true,
            Impl::TokioCtControl => workload == Workload::W4,
            Impl::AxonLine => matches!(workload, Workload::W1 | Workload::W4),
        }
    }
}

impl fmt::Display for Impl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impl::TokioCt => "tokio-ct",
            Impl::Axon => "axon",
            Impl::TokioCtControl => "tokio-ct-control",
            Impl::AxonLine => "axon-line",
        })
    }
}

impl Impl {
    /// The name printed for this implementation in `workload`'s lines: `kamaelia` for the axon
    /// slot of W5 (the Kamaelia server), otherwise the [`Display`](fmt::Display) name.
    pub fn label(self, workload: Workload) -> &'static str {
        match (self, workload) {
            (Impl::TokioCt, _) => "tokio-ct",
            (Impl::TokioCtControl, _) => "tokio-ct-control",
            (Impl::AxonLine, _) => "axon-line",
            (Impl::Axon, Workload::W5) => "kamaelia",
            (Impl::Axon, _) => "axon",
        }
    }
}

impl FromStr for Impl {
    type Err = String;

    /// `tokio-ct`, `axon`, `tokio-ct-control` or `axon-line`; `kamaelia` is accepted for the axon slot (the
    /// W5 name).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        if name == "kamaelia" {
            return Ok(Impl::Axon);
        }
        Impl::ALL
            .into_iter()
            .find(|imp| imp.to_string() == name)
            .ok_or_else(|| {
                format!(
                    "unknown implementation {name:?} (expected tokio-ct, axon, kamaelia, \
                     tokio-ct-control or axon-line)"
                )
            })
    }
}

/// What to run, and how big.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Workloads to run, in order.
    pub workloads: Vec<Workload>,
    /// Implementations to run for each workload.
    pub impls: Vec<Impl>,
    /// Runs of each implementation per workload; the median is reported.
    pub reps: usize,
    /// W1 message count.
    pub w1_n: u64,
    /// W1 number of pass-through stages.
    pub w1_stages: usize,
    /// W2 message count.
    pub w2_n: u64,
    /// W2 number of workers.
    pub w2_workers: usize,
    /// W3 number of hops.
    pub w3_hops: u64,
    /// W3 number of stages in the ring.
    pub w3_ring_size: usize,
    /// W4 number of components in the chain.
    pub w4_n: usize,
    /// W5 number of connections.
    pub w5_conns: usize,
    /// W5 sequential round trips per connection.
    pub w5_rounds: u64,
}

impl Default for Config {
    /// Workloads W1–W4, both implementations, 3 reps, the sizes of performance.md §1.
    fn default() -> Self {
        Config {
            workloads: Workload::DEFAULT.to_vec(),
            impls: Impl::ALL.to_vec(),
            reps: 3,
            w1_n: W1_N,
            w1_stages: W1_STAGES,
            w2_n: W2_N,
            w2_workers: W2_WORKERS,
            w3_hops: W3_HOPS,
            w3_ring_size: W3_RING_SIZE,
            w4_n: W4_N,
            w5_conns: W5_CONNS,
            w5_rounds: W5_ROUNDS,
        }
    }
}

/// Runs every configured workload and prints the results; returns `true` if every run was correct.
pub fn run(config: &Config) -> bool {
    let mut all_ok = true;
    for &workload in &config.workloads {
        all_ok &= run_workload(config, workload);
    }
    all_ok
}

/// One checked run of one implementation.
#[derive(Debug, Clone, Copy)]
enum Measured {
    /// W1–W3: `n` messages (or hops) in `elapsed`.
    Flow { n: u64, elapsed: Duration },
    /// W4.
    Chain { n: usize, outcome: ChainOutcome },
    /// W5: `conns` connections of `rounds` round trips each.
    Echo {
        conns: usize,
        rounds: u64,
        outcome: EchoOutcome,
    },
}

impl Measured {
    /// Higher is better; the median run is chosen by this.
    fn speed(&self) -> f64 {
        match self {
            Measured::Flow { n, elapsed } => per_second(*n as f64, *elapsed),
            Measured::Chain { n, outcome } => per_second(*n as f64, outcome.total()),
            Measured::Echo { outcome, .. } => {
                per_second(outcome.round_trips as f64, outcome.elapsed)
            }
        }
    }
}

/// A run that produced numbers, with the CPU time it used.
#[derive(Debug, Clone, Copy)]
struct Sample {
    measured: Measured,
    cpu_ns: Option<u64>,
}

/// Why an implementation's runs were abandoned.
#[derive(Debug, Clone)]
struct Failure {
    /// `panic` or `wrong_result`.
    kind: &'static str,
    /// Human-readable details, printed to standard error.
    detail: String,
    /// The numbers of the failing run, if it produced any.
    sample: Option<Sample>,
}

/// Runs one workload for every configured implementation; returns `true` if all runs were correct.
fn run_workload(config: &Config, workload: Workload) -> bool {
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); config.impls.len()];
    let mut failures: Vec<Option<Box<Failure>>> = vec![None; config.impls.len()];
    for _ in 0..config.reps.max(1) {
        for (slot, &imp) in config.impls.iter().enumerate() {
            if failures[slot].is_some() || !imp.runs(workload) {
                continue;
            }
            match run_once(config, workload, imp) {
                Ok(sample) => samples[slot].push(sample),
                Err(failure) => failures[slot] = Some(failure),
            }
        }
    }

    let mut medians = Vec::new();
    for (slot, &imp) in config.impls.iter().enumerate() {
        if !imp.runs(workload) {
            continue;
        }
        match &failures[slot] {
            Some(failure) => {
                let label = imp.label(workload);
                eprintln!(
                    "workload={workload} impl={label} failed: {}",
                    failure.detail
                );
                print_result(config, workload, imp, failure.sample, Some(failure.kind), 0);
            }
            None => {
                let median = median_by_speed(&samples[slot]);
                print_result(config, workload, imp, median, None, samples[slot].len());
                if let Some(median) = median {
                    medians.push((imp, median));
                }
            }
        }
    }

    let baseline = medians.iter().find(|(imp, _)| *imp == Impl::TokioCt);
    let axon = medians.iter().find(|(imp, _)| *imp == Impl::Axon);
    if let (Some((_, baseline)), Some((_, axon))) = (baseline, axon) {
        print_ratios(workload, "", baseline, axon);
    }
    let reference = medians.iter().find(|(imp, _)| *imp == Impl::TokioCtControl);
    if let (Some((_, reference)), Some((_, axon))) = (reference, axon) {
        print_chain_ratios(workload, "", "tokio_ct_control", reference, axon);
    }
    let line = medians.iter().find(|(imp, _)| *imp == Impl::AxonLine);
    if let (Some((_, baseline)), Some((_, line))) = (baseline, line) {
        print_ratios(workload, "line_", baseline, line);
    }
    failures.iter().all(Option::is_none)
}

/// Runs one implementation once, timing its CPU use, catching a panic and checking the result.
fn run_once(config: &Config, workload: Workload, imp: Impl) -> Result<Sample, Box<Failure>> {
    let cpu_before = measure::cpu_time_ns();
    let result = panic::catch_unwind(AssertUnwindSafe(|| execute(config, workload, imp)));
    let cpu_after = measure::cpu_time_ns();
    let cpu_ns = cpu_before
        .zip(cpu_after)
        .map(|(before, after)| after.saturating_sub(before));
    let checked = result.map_err(|payload| {
        Box::new(Failure {
            kind: "panic",
            detail: format!("panicked: {}", panic_message(payload.as_ref())),
            sample: None,
        })
    })?;
    match checked {
        Ok(measured) => Ok(Sample { measured, cpu_ns }),
        Err((measured, problem)) => Err(Box::new(Failure {
            kind: "wrong_result",
            detail: problem,
            sample: Some(Sample { measured, cpu_ns }),
        })),
    }
}

/// A measured run, or the measured run together with what was wrong with its result.
type Checked = Result<Measured, (Measured, String)>;

/// Calls the implementation's function for `workload` and checks what it returns.
fn execute(config: &Config, workload: Workload, imp: Impl) -> Checked {
    match workload {
        Workload::W1 => {
            let (n, stages) = (config.w1_n, config.w1_stages);
            let outcome = match imp {
                Impl::TokioCt => tokio_ct::w1_pipeline(n, stages),
                Impl::TokioCtControl => unreachable!("{imp} runs only W4"),
                Impl::Axon => axon_impl::w1_pipeline(n, stages),
                Impl::AxonLine => axon_impl::w1_line(n, stages),
            };
            check_flow(n, outcome)
        }
        Workload::W2 => {
            let (n, workers) = (config.w2_n, config.w2_workers);
            let outcome = match imp {
                Impl::TokioCt => tokio_ct::w2_fan_out_in(n, workers),
                Impl::TokioCtControl | Impl::AxonLine => unreachable!("{imp} does not run it"),
                Impl::Axon => axon_impl::w2_fan_out_in(n, workers),
            };
            check_flow(n, outcome)
        }
        Workload::W3 => {
            let (hops, ring_size) = (config.w3_hops, config.w3_ring_size);
            let outcome = match imp {
                Impl::TokioCt => tokio_ct::w3_ring(hops, ring_size),
                Impl::TokioCtControl | Impl::AxonLine => unreachable!("{imp} does not run it"),
                Impl::Axon => axon_impl::w3_ring(hops, ring_size),
            };
            check_ring(hops, ring_size, outcome)
        }
        Workload::W4 => {
            let n = config.w4_n;
            let outcome = match imp {
                Impl::TokioCt => tokio_ct::w4_spawn_chain(n),
                Impl::Axon => axon_impl::w4_spawn_chain(n),
                Impl::TokioCtControl => tokio_ct::w4_spawn_chain_with_control(n),
                Impl::AxonLine => axon_impl::w4_spawn_line(n),
            };
            check_chain(n, outcome)
        }
        Workload::W5 => {
            let (conns, rounds) = (config.w5_conns, config.w5_rounds);
            let outcome = match imp {
                Impl::TokioCt => w5::tokio_ct_echo(conns, rounds),
                Impl::TokioCtControl | Impl::AxonLine => unreachable!("{imp} does not run it"),
                Impl::Axon => w5::kamaelia_echo(conns, rounds),
            };
            check_echo(conns, rounds, outcome)
        }
    }
}

/// W5: every round trip completed and every echo matched what was sent.
fn check_echo(conns: usize, rounds: u64, outcome: EchoOutcome) -> Checked {
    let measured = Measured::Echo {
        conns,
        rounds,
        outcome,
    };
    let expected = (conns as u64).saturating_mul(rounds);
    if outcome.round_trips == expected && outcome.mismatches == 0 {
        Ok(measured)
    } else {
        Err((
            measured,
            format!(
                "echo round_trips={} mismatches={}, expected round_trips={expected} mismatches=0",
                outcome.round_trips, outcome.mismatches
            ),
        ))
    }
}

/// W1/W2: the sink must have seen `n` messages summing to `n·(n−1)/2`.
fn check_flow(n: u64, outcome: FlowOutcome) -> Checked {
    let measured = Measured::Flow {
        n,
        elapsed: outcome.elapsed,
    };
    let expected = (n, expected_sum(n));
    if (outcome.count, outcome.sum) == expected {
        Ok(measured)
    } else {
        Err((
            measured,
            format!(
                "sink saw count={} sum={}, expected count={} sum={}",
                outcome.count, outcome.sum, expected.0, expected.1
            ),
        ))
    }
}

/// W3: `hops` hops in total, the right stage saw 0, and every stage ended.
fn check_ring(hops: u64, ring_size: usize, outcome: RingOutcome) -> Checked {
    let measured = Measured::Flow {
        n: hops,
        elapsed: outcome.elapsed,
    };
    let expected_finisher = usize::try_from(hops % ring_size.max(1) as u64).unwrap_or(usize::MAX);
    if outcome.hops == hops
        && outcome.finisher == expected_finisher
        && outcome.stages_ended == ring_size
    {
        Ok(measured)
    } else {
        Err((
            measured,
            format!(
                "ring saw hops={} finisher={} stages_ended={}, expected hops={hops} \
                 finisher={expected_finisher} stages_ended={ring_size}",
                outcome.hops, outcome.finisher, outcome.stages_ended
            ),
        ))
    }
}

/// W4: the tail received exactly the one message and every component ended.
fn check_chain(n: usize, outcome: ChainOutcome) -> Checked {
    let measured = Measured::Chain { n, outcome };
    if outcome.delivered == Some(CHAIN_MESSAGE) && outcome.ended == n {
        Ok(measured)
    } else {
        Err((
            measured,
            format!(
                "chain delivered={:?} ended={}, expected delivered=Some({CHAIN_MESSAGE}) ended={n}",
                outcome.delivered, outcome.ended
            ),
        ))
    }
}

/// The sample with the median speed (the upper median for an even count).
fn median_by_speed(samples: &[Sample]) -> Option<Sample> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.measured.speed().total_cmp(&b.measured.speed()));
    sorted.get(sorted.len() / 2).copied()
}

/// Prints one implementation's result line.
fn print_result(
    config: &Config,
    workload: Workload,
    imp: Impl,
    sample: Option<Sample>,
    failed: Option<&str>,
    reps: usize,
) {
    let ok = failed.is_none();
    let mut line = format!("workload={workload} impl={}", imp.label(workload));
    match sample.map(|sample| sample.measured) {
        Some(Measured::Flow { n, elapsed }) => {
            let rate = per_second(n as f64, elapsed);
            line += &format!(" msgs_per_s={rate:.0}");
            if workload == Workload::W3 {
                line += &format!(" hops_per_s={rate:.0}");
            }
            line += &format!(" n={n} secs={:.6} ok={ok}", elapsed.as_secs_f64());
            if workload == Workload::W3 {
                line += &format!(" ring={}", config.w3_ring_size);
            }
            if let Some(cpu_ns) = sample.and_then(|sample| sample.cpu_ns) {
                line += &format!(" cpu_ns_per_msg={:.0}", cpu_ns as f64 / n.max(1) as f64);
            }
        }
        Some(Measured::Chain { n, outcome }) => {
            let total = outcome.total().as_secs_f64();
            line += &format!(
                " n={n} secs={total:.6} us_per_component={:.3} bytes_per_component={:.0} \
                 spawn_s={:.6} traverse_s={:.6} shutdown_s={:.6} ok={ok}",
                us_per_component(n, &outcome),
                bytes_per_component(n, &outcome),
                outcome.spawn.as_secs_f64(),
                outcome.traverse.as_secs_f64(),
                outcome.shutdown.as_secs_f64(),
            );
            if let Some(cpu_ns) = sample.and_then(|sample| sample.cpu_ns) {
                line += &format!(" cpu_s={:.6}", cpu_ns as f64 / 1e9);
            }
        }
        Some(Measured::Echo {
            conns,
            rounds,
            outcome,
        }) => {
            let ms = |us: u32| f64::from(us) / 1e3;
            line += &format!(
                " rt_per_s={:.0} p99_ms={:.3} p50_ms={:.3} p999_ms={:.3} round_trips={} \
                 conns={conns} rounds={rounds} secs={:.6} ok={ok}",
                per_second(outcome.round_trips as f64, outcome.elapsed),
                ms(outcome.p99_us),
                ms(outcome.p50_us),
                ms(outcome.p999_us),
                outcome.round_trips,
                outcome.elapsed.as_secs_f64(),
            );
        }
        None if workload == Workload::W5 => {
            line += &format!(
                " conns={} rounds={} ok={ok}",
                config.w5_conns, config.w5_rounds
            );
        }
        None => {
            let n = match workload {
                Workload::W1 => config.w1_n,
                Workload::W2 => config.w2_n,
                Workload::W3 => config.w3_hops,
                Workload::W4 => config.w4_n as u64,
                Workload::W5 => config.w5_rounds.saturating_mul(config.w5_conns as u64),
            };
            line += &format!(" n={n} ok={ok}");
        }
    }
    if let Some(kind) = failed {
        line += &format!(" error={kind}");
    } else {
        line += &format!(" reps={reps}");
    }
    if let Some(load) = measure::load_average_1m() {
        line += &format!(" load1={load:.2}");
    }
    println!("{line}");
}

/// Prints the ratio lines comparing axon with the tokio-ct baseline.
fn print_ratios(workload: Workload, prefix: &str, baseline: &Sample, axon: &Sample) {
    match (baseline.measured, axon.measured) {
        (Measured::Chain { .. }, Measured::Chain { .. }) => {
            print_chain_ratios(workload, prefix, "tokio_ct", baseline, axon);
        }
        (baseline_measured, axon_measured) => {
            let speed = axon_measured.speed() / baseline_measured.speed();
            println!("workload={workload} {prefix}ratio_vs_tokio_ct={speed:.2}");
            if workload == Workload::W5 {
                // The client runs in the same process, so CPU time says little about the server.
                return;
            }
            if let (Some(b), Some(a)) = (baseline.cpu_ns, axon.cpu_ns) {
                let cpu = b as f64 / a as f64;
                println!("workload={workload} {prefix}cpu_ratio_vs_tokio_ct={cpu:.2}");
            }
        }
    }
}

/// Prints W4's speed and memory ratios of `axon` against `reference` (named `name` in the keys,
/// which start with `prefix`).
fn print_chain_ratios(
    workload: Workload,
    prefix: &str,
    name: &str,
    reference: &Sample,
    axon: &Sample,
) {
    if let (Measured::Chain { n: bn, outcome: b }, Measured::Chain { n: an, outcome: a }) =
        (reference.measured, axon.measured)
    {
        let speed = us_per_component(bn, &b) / us_per_component(an, &a);
        let memory = bytes_per_component(an, &a) / bytes_per_component(bn, &b);
        println!("workload={workload} {prefix}ratio_vs_{name}={speed:.2}");
        println!("workload={workload} {prefix}memory_ratio_vs_{name}={memory:.2}");
    }
}

/// `count` per second of `elapsed` (infinite for a zero duration).
fn per_second(count: f64, elapsed: Duration) -> f64 {
    count / elapsed.as_secs_f64()
}

/// W4 total time per component, in microseconds.
fn us_per_component(n: usize, outcome: &ChainOutcome) -> f64 {
    outcome.total().as_secs_f64() * 1e6 / n.max(1) as f64
}

/// W4 live heap growth per component, in bytes.
fn bytes_per_component(n: usize, outcome: &ChainOutcome) -> f64 {
    outcome.bytes_spawned as f64 / n.max(1) as f64
}

/// The message of a caught panic, if it was a string.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for workload in Workload::ALL {
            assert_eq!(workload.to_string().parse::<Workload>(), Ok(workload));
        }
        assert_eq!("w3".parse::<Workload>(), Ok(Workload::W3));
        for imp in Impl::ALL {
            assert_eq!(imp.to_string().parse::<Impl>(), Ok(imp));
        }
        assert_eq!("w5".parse::<Workload>(), Ok(Workload::W5));
        assert!("W6".parse::<Workload>().is_err());
        assert_eq!("kamaelia".parse::<Impl>(), Ok(Impl::Axon));
        assert_eq!(Impl::Axon.label(Workload::W5), "kamaelia");
        assert_eq!(Impl::Axon.label(Workload::W1), "axon");
    }

    #[test]
    fn the_control_convention_reference_runs_only_w4_and_the_line_w1_and_w4() {
        for workload in Workload::ALL {
            assert!(Impl::TokioCt.runs(workload) && Impl::Axon.runs(workload));
            assert_eq!(
                Impl::TokioCtControl.runs(workload),
                workload == Workload::W4
            );
            assert_eq!(
                Impl::AxonLine.runs(workload),
                matches!(workload, Workload::W1 | Workload::W4)
            );
        }
    }

    #[test]
    fn wrong_results_are_caught() {
        let elapsed = Duration::from_millis(1);
        let good = FlowOutcome {
            elapsed,
            count: 10,
            sum: 45,
        };
        assert!(check_flow(10, good).is_ok());
        assert!(check_flow(10, FlowOutcome { sum: 44, ..good }).is_err());
        assert!(check_flow(10, FlowOutcome { count: 9, ..good }).is_err());

        let ring = RingOutcome {
            elapsed,
            hops: 2500,
            finisher: 500,
            stages_ended: 1000,
        };
        assert!(check_ring(2500, 1000, ring).is_ok());
        assert!(check_ring(
            2500,
            1000,
            RingOutcome {
                finisher: 0,
                ..ring
            }
        )
        .is_err());
        assert!(check_ring(2500, 1000, RingOutcome { hops: 2499, ..ring }).is_err());

        let chain = ChainOutcome {
            spawn: elapsed,
            traverse: elapsed,
            shutdown: elapsed,
            bytes_spawned: 1000,
            delivered: Some(CHAIN_MESSAGE),
            ended: 10,
        };
        assert!(check_chain(10, chain).is_ok());
        assert!(check_chain(10, ChainOutcome { ended: 9, ..chain }).is_err());
        assert!(check_chain(
            10,
            ChainOutcome {
                delivered: None,
                ..chain
            }
        )
        .is_err());
    }

    #[test]
    fn a_panicking_impl_is_a_failure_not_a_crash() {
        let config = Config {
            workloads: vec![Workload::W1],
            impls: vec![Impl::Axon],
            reps: 1,
            w1_n: 10,
            ..Config::default()
        };
        // While axon_impl is a placeholder this panics; once written it must pass.
        let result = run_once(&config, Workload::W1, Impl::Axon);
        if let Err(failure) = result {
            assert_eq!(failure.kind, "panic");
        }
    }

    #[test]
    fn median_picks_the_middle_rate() {
        let sample = |millis| Sample {
            measured: Measured::Flow {
                n: 1000,
                elapsed: Duration::from_millis(millis),
            },
            cpu_ns: None,
        };
        let median = median_by_speed(&[sample(30), sample(10), sample(20)]).unwrap();
        assert!(matches!(
            median.measured,
            Measured::Flow { elapsed, .. } if elapsed == Duration::from_millis(20)
        ));
        assert!(median_by_speed(&[]).is_none());
    }
}
