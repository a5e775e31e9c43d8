//! Network simulation components (Duplicate, Throwaway, Reorder): reproducible from a seed,
//! damage as documented, and the control convention. All on the deterministic scheduler.

mod common;

use axon::{Control, Outbox, System, TrySendError};
use common::{drain, harness, only_failure};
use kamaelia::catalogue::Family;
use kamaelia::chassis::Pipeline;
use kamaelia::net::simulate::{Duplicate, Reorder, Throwaway};
use kamaelia::util::sources::NullSink;
use kamaelia::Stage;

/// Feeds `input` to `stage` (running the system whenever its inbox is full), then `end`;
/// returns what came out and the signals.
fn run_through<S>(
    stage: S,
    input: impl IntoIterator<Item = u32>,
    end: Control,
) -> (Vec<u32>, Vec<Control>)
where
    S: Stage<In = u32, Out = u32>,
{
    let mut system = System::deterministic();
    let mut h = harness(&system, stage);
    for n in input {
        let mut m = n;
        loop {
            match h.input.try_send(m) {
                Ok(()) => break,
                Err(TrySendError::Full(back)) => {
                    m = back;
                    system.run_until_idle();
                }
                Err(e) => panic!("cannot feed {n}: {e:?}"),
            }
        }
    }
    h.control.try_send(end).unwrap();
    system.run().unwrap();
    (drain(&mut h.output), drain(&mut h.signal))
}

fn through<S: Stage<In = u32, Out = u32>>(stage: S, n: u32) -> Vec<u32> {
    let (out, signals) = run_through(stage, 0..n, Control::ProducerFinished);
    assert_eq!(signals, [Control::ProducerFinished]);
    out
}

/// Removes consecutive repeats.
fn deduped(v: &[u32]) -> Vec<u32> {
    let mut d = v.to_vec();
    d.dedup();
    d
}

// ---------------------------------------------------------------------------------------------
// Duplicate

/// The same seed and input give the same duplicates on every run.
#[test]
fn duplicate_same_seed_same_output() {
    assert_eq!(
        through(Duplicate::new(0.2, 5), 500),
        through(Duplicate::new(0.2, 5), 500)
    );
}

/// Different seeds duplicate different messages.
#[test]
fn duplicate_different_seeds_differ() {
    assert_ne!(
        through(Duplicate::new(0.2, 5), 500),
        through(Duplicate::new(0.2, 6), 500)
    );
}

/// Every message is passed on in order; a duplicate follows its original directly.
#[test]
fn duplicate_keeps_every_message_in_order() {
    let out = through(Duplicate::new(0.3, 1), 500);
    assert_eq!(deduped(&out), (0..500).collect::<Vec<_>>());
    assert!(out.len() > 500);
}

/// About `probability` of the messages are duplicated (deterministic for the seed).
#[test]
fn duplicate_rate_follows_the_probability() {
    let extra = through(Duplicate::new(0.1, 99), 10_000).len() - 10_000;
    assert!((800..=1200).contains(&extra), "{extra} duplicates in 10000");
}

/// Probability 0 passes the stream unchanged; probability 1 doubles every message.
#[test]
fn duplicate_probability_bounds() {
    assert_eq!(
        through(Duplicate::new(0.0, 3), 50),
        (0..50).collect::<Vec<_>>()
    );
    let all_twice: Vec<u32> = (0..50).flat_map(|n| [n, n]).collect();
    assert_eq!(through(Duplicate::new(1.0, 3), 50), all_twice);
    assert_eq!(through(Duplicate::new(7.5, 3), 50), all_twice); // clamped
}

/// Shutdown ends it at once: queued messages are discarded and Shutdown is passed on.
#[test]
fn duplicate_shutdown_discards_queued_and_passes_it_on() {
    let mut system = System::deterministic();
    let mut h = harness(&system, Duplicate::<u32>::new(0.5, 1));
    h.input.try_send(1).unwrap();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), Vec::<u32>::new());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Failed is passed on unchanged.
#[test]
fn duplicate_passes_failed_on_unchanged() {
    let (out, signals) = run_through(
        Duplicate::new(0.5, 1),
        [],
        Control::failed("upstream broke"),
    );
    assert!(out.is_empty());
    assert_eq!(signals, [Control::failed("upstream broke")]);
}

/// If the component its outbox leads to has ended, it fails naming itself.
#[test]
fn duplicate_fails_when_its_consumer_has_ended() {
    let mut system = System::deterministic();
    let dup = Duplicate::<u32>::new(0.0, 1);
    let sink = NullSink::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    axon::link(&input, &dup.inbox).unwrap();
    axon::link(&dup.outbox, &sink.inbox).unwrap();
    axon::link(&stop, &sink.control).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn_named("sink", sink);
    system.run_until_idle();
    system.spawn_named("dup", dup);
    input.try_send(1).unwrap();
    system.run().unwrap();
    let failure = only_failure(&system);
    assert!(
        failure.contains("dup") && failure.contains("outbox"),
        "{failure}"
    );
}

// ---------------------------------------------------------------------------------------------
// Throwaway

/// The same seed and input lose the same messages on every run.
#[test]
fn throwaway_same_seed_same_output() {
    assert_eq!(
        through(Throwaway::new(0.2, 11), 500),
        through(Throwaway::new(0.2, 11), 500)
    );
}

/// Different seeds lose different messages.
#[test]
fn throwaway_different_seeds_differ() {
    assert_ne!(
        through(Throwaway::new(0.2, 11), 500),
        through(Throwaway::new(0.2, 12), 500)
    );
}

/// What survives is in the original order, and about `1 - probability` of it survives.
#[test]
fn throwaway_keeps_order_and_loses_about_the_probability() {
    let out = through(Throwaway::new(0.1, 4), 10_000);
    assert!(out.windows(2).all(|w| w[0] < w[1]), "order kept");
    let lost = 10_000 - out.len();
    assert!((800..=1200).contains(&lost), "{lost} lost of 10000");
}

/// Probability 0 loses nothing; probability 1 loses everything (and still ends properly).
#[test]
fn throwaway_probability_bounds() {
    assert_eq!(
        through(Throwaway::new(0.0, 3), 50),
        (0..50).collect::<Vec<_>>()
    );
    assert_eq!(through(Throwaway::new(1.0, 3), 50), Vec::<u32>::new());
    assert_eq!(through(Throwaway::new(f64::NAN, 3), 50).len(), 50);
}

/// Shutdown ends it at once and is passed on; Failed is passed on unchanged.
#[test]
fn throwaway_shutdown_and_failed_are_passed_on() {
    let (out, signals) = run_through(Throwaway::new(0.0, 1), [], Control::Shutdown);
    assert!(out.is_empty());
    assert_eq!(signals, [Control::Shutdown]);
    let (_, signals) = run_through(Throwaway::new(0.0, 1), [], Control::failed("why"));
    assert_eq!(signals, [Control::failed("why")]);
}

/// Messages queued before ProducerFinished are all decided on and passed on.
#[test]
fn throwaway_producer_finished_drains_the_queue() {
    let mut system = System::deterministic();
    let mut h = harness(&system, Throwaway::<u32>::new(0.0, 1));
    for n in 0..10 {
        h.input.try_send(n).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), (0..10).collect::<Vec<_>>());
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

// ---------------------------------------------------------------------------------------------
// Reorder

/// The same seed and input give the same order on every run.
#[test]
fn reorder_same_seed_same_output() {
    assert_eq!(
        through(Reorder::new(7, 21), 500),
        through(Reorder::new(7, 21), 500)
    );
}

/// Different seeds give different orders.
#[test]
fn reorder_different_seeds_differ() {
    assert_ne!(
        through(Reorder::new(7, 21), 500),
        through(Reorder::new(7, 22), 500)
    );
}

/// Every message comes out exactly once, and none overtakes more than `window` others.
#[test]
fn reorder_is_a_permutation_within_the_window() {
    let window = 5;
    let out = through(Reorder::new(window, 8), 500);
    assert_ne!(out, (0..500).collect::<Vec<_>>());
    let mut sorted = out.clone();
    sorted.sort();
    assert_eq!(sorted, (0..500).collect::<Vec<_>>());
    for (position, &n) in out.iter().enumerate() {
        assert!(
            position + window >= n as usize,
            "{n} came out at {position}"
        );
    }
}

/// ProducerFinished delivers the messages it holds (Kamaelia's lost them).
#[test]
fn reorder_producer_finished_delivers_what_it_holds() {
    let mut out = through(Reorder::new(100, 2), 10);
    out.sort();
    assert_eq!(out, (0..10).collect::<Vec<_>>());
}

/// Shutdown discards what it holds and is passed on.
#[test]
fn reorder_shutdown_discards_what_it_holds() {
    let mut system = System::deterministic();
    let mut h = harness(&system, Reorder::<u32>::new(100, 2));
    for n in 0..10 {
        h.input.try_send(n).unwrap();
    }
    system.run_until_idle();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), Vec::<u32>::new());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Together

/// A broken network built from all three is reproducible from its seeds, and a pipeline of
/// them shuts down in order.
#[test]
fn broken_network_pipeline_is_reproducible() {
    let net = |seed: u64| {
        Pipeline::new(Duplicate::new(0.1, seed))
            .then(Throwaway::new(0.1, seed))
            .then(Reorder::new(7, seed))
    };
    let a = through(net(1), 1000);
    assert_eq!(a, through(net(1), 1000));
    assert_ne!(a, through(net(2), 1000));
    assert_ne!(a, (0..1000).collect::<Vec<_>>());
}

/// All three are in the catalogue, as Internet components with their Kamaelia names.
#[test]
fn simulation_components_are_catalogued() {
    let all = kamaelia::catalogue::all();
    for name in ["Duplicate", "Throwaway", "Reorder"] {
        let e = all
            .iter()
            .find(|e| e.kamaelia_name == format!("Kamaelia.Internet.Simulate.BrokenNetwork.{name}"))
            .unwrap_or_else(|| panic!("{name} not catalogued"));
        assert_eq!(e.name, name);
        assert_eq!(e.family, Family::Internet);
        assert!(e.parameters.iter().any(|p| p.name == "seed"));
    }
}
