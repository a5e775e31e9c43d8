//! Fan-out and flow control: Fanout, TwoWaySplitter, LossyConnector and TwoWayBalancer, and the
//! catalogue entries of all of `util::flow` (PlugSplitter and Plug are tested in `flow_plug.rs`,
//! the pacing components in `flow_rate.rs`).
//!
//! Everything runs on `System::deterministic()`; time moves only with `advance`.

mod common;

use axon::{Control, Inbox, Outbox, System};
use common::flow::{feed, link_to_ended, receiver, sender, Relay};
use common::{drain, only_failure};
use kamaelia::util::flow::{
    Fanout, LossyConnector, MessageRateLimit, TwoWayBalancer, TwoWaySplitter,
};

// ---------------------------------------------------------------------------------------------
// Fanout

/// Every message reaches every named outbox, in the order it was sent.
#[test]
fn fanout_copies_every_message_to_every_named_outbox() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a", "b", "c"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut outs: Vec<Inbox<u32>> = ["a", "b", "c"]
        .iter()
        .map(|n| receiver(f.output(n).unwrap(), 1000))
        .collect();
    system.spawn(f);
    feed(&mut system, &mut input, 0..500);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    for out in &mut outs {
        assert_eq!(drain(out), (0..500).collect::<Vec<_>>());
    }
}

/// Data never goes to `signal`, nor to `outbox` unless `"outbox"` is one of the names.
#[test]
fn fanout_sends_no_data_on_signal_or_unnamed_outbox() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    assert!(f.output("outbox").is_none());
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut a = receiver(f.output("a").unwrap(), 64);
    let mut outbox = receiver(&f.outbox, 64);
    let mut signal = receiver(&f.signal, 64);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut a), [1, 2]);
    assert!(drain(&mut outbox).is_empty());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Naming `"outbox"` makes the standard outbox one of the destinations (a tee).
#[test]
fn fanout_outbox_among_the_names_is_the_standard_outbox() {
    let mut system = System::deterministic();
    let f = Fanout::new(["outbox", "log"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut main = receiver(f.output("outbox").unwrap(), 64);
    let mut log = receiver(f.output("log").unwrap(), 64);
    assert_eq!(f.names().collect::<Vec<_>>(), ["outbox", "log"]);
    system.spawn(f);
    feed(&mut system, &mut input, ["x"]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut main), ["x"]);
    assert_eq!(drain(&mut log), ["x"]);
}

/// The named outputs are listed as boxes of the component, so they can be wired by name.
#[test]
fn fanout_outputs_are_listed_by_name() {
    let f: Fanout<u8> = Fanout::new(["toConsole", "toFile"]);
    let names: Vec<String> = axon::box_infos(&f)
        .iter()
        .map(|b| b.name.to_string())
        .collect();
    for expected in [
        "inbox",
        "control",
        "outbox",
        "signal",
        "toConsole",
        "toFile",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
}

/// A standard box name other than `outbox` is refused as an output.
#[test]
#[should_panic(expected = "\"signal\" cannot be an output")]
fn fanout_refuses_signal_as_an_output() {
    let _f: Fanout<u8> = Fanout::new(["a", "signal"]);
}

/// A repeated output name is refused.
#[test]
#[should_panic(expected = "given twice")]
fn fanout_refuses_repeated_names() {
    let _f: Fanout<u8> = Fanout::new(["a", "a"]);
}

/// A full destination holds every destination up; once it drains, nothing has been lost.
#[test]
fn fanout_full_destination_holds_up_all_and_loses_nothing() {
    let mut system = System::deterministic();
    let f = Fanout::new(["slow", "fast"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut slow = receiver(f.output("slow").unwrap(), 1);
    let mut fast = receiver(f.output("fast").unwrap(), 64);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut fast), [1], "the fast one waits for the slow one");
    let mut got_slow = Vec::new();
    let mut got_fast = Vec::new();
    stop.try_send(Control::ProducerFinished).unwrap();
    for _ in 0..10 {
        got_slow.extend(drain(&mut slow));
        got_fast.extend(drain(&mut fast));
        system.run_until_idle();
    }
    assert_eq!(got_slow, [1, 2, 3]);
    assert_eq!(got_fast, [2, 3]);
    assert_eq!(system.live(), 0);
}

/// A destination whose component has ended is dropped; the others go on.
#[test]
fn fanout_drops_a_destination_that_has_ended() {
    let mut system = System::deterministic();
    let f = Fanout::new(["gone", "alive"]);
    link_to_ended(&mut system, f.output("gone").unwrap());
    let mut alive = receiver(f.output("alive").unwrap(), 64);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut alive), [1, 2]);
    assert!(system.failures().is_empty());
}

/// `ProducerFinished` copies everything queued before it, then goes out on `signal`.
#[test]
fn fanout_producer_finished_drains_then_signals() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let mut a = receiver(f.output("a").unwrap(), 64);
    let mut signal = receiver(&f.signal, 4);
    // Queued before it starts: control is looked at first, yet nothing is lost.
    input.try_send(1).unwrap();
    input.try_send(2).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(f);
    system.run().unwrap();
    assert_eq!(drain(&mut a), [1, 2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` stops it even while it waits for a full destination, and goes out on `signal`.
#[test]
fn fanout_shutdown_stops_while_blocked() {
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let _a = receiver(f.output("a").unwrap(), 1);
    let mut signal = receiver(&f.signal, 4);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(system.live(), 1, "blocked on the full destination");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A `Failed` that stops it is passed on unchanged, reason and all, whether it came while the
/// fanout was idle or while it waited for a full destination (so is one on a rate limiter
/// waiting for its next slot).
#[test]
fn flow_components_pass_failed_on_with_its_reason() {
    let failed = Control::failed("upstream: boom");
    // Waiting for room.
    let mut system = System::deterministic();
    let f = Fanout::new(["a"]);
    let mut input = sender(&f.inbox);
    let mut stop = sender(&f.control);
    let _a = receiver(f.output("a").unwrap(), 1);
    let mut signal = receiver(&f.signal, 4);
    system.spawn(f);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    stop.try_send(failed.clone()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), std::slice::from_ref(&failed));
    // Waiting for the next slot.
    let mut system = System::deterministic();
    let l = MessageRateLimit::new(1);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let _out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    system.spawn(l);
    feed(&mut system, &mut input, 0..3u32);
    system.run_until_idle();
    stop.try_send(failed.clone()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [failed]);
}

// ---------------------------------------------------------------------------------------------
// TwoWaySplitter

/// Every message goes to both `outbox` and `outbox2`.
#[test]
fn two_way_splitter_copies_to_both_outboxes() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut one = receiver(&s.outbox, 1000);
    let mut two = receiver(&s.outbox2, 1000);
    system.spawn(s);
    feed(&mut system, &mut input, 0..300u32);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut one), (0..300).collect::<Vec<_>>());
    assert_eq!(drain(&mut two), (0..300).collect::<Vec<_>>());
}

/// `ProducerFinished` drains the queue, then goes out on both `signal` and `signal2`.
#[test]
fn two_way_splitter_producer_finished_drains_then_signals_both() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut one = receiver(&s.outbox, 64);
    let mut two = receiver(&s.outbox2, 64);
    let mut sig = receiver(&s.signal, 4);
    let mut sig2 = receiver(&s.signal2, 4);
    input.try_send('a').unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(s);
    system.run().unwrap();
    assert_eq!((drain(&mut one), drain(&mut two)), (vec!['a'], vec!['a']));
    assert_eq!(drain(&mut sig), [Control::ProducerFinished]);
    assert_eq!(drain(&mut sig2), [Control::ProducerFinished]);
}

/// `Shutdown` discards the queue and goes out on both signals, also while blocked.
#[test]
fn two_way_splitter_shutdown_stops_and_signals_both() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut one = receiver(&s.outbox, 64);
    let _two = receiver(&s.outbox2, 1); // never read: blocks after one message
    let mut sig = receiver(&s.signal, 4);
    let mut sig2 = receiver(&s.signal2, 4);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut one), [1, 2]);
    assert_eq!(drain(&mut sig), [Control::Shutdown]);
    assert_eq!(drain(&mut sig2), [Control::Shutdown]);
}

/// If one side has ended, the other still gets everything.
#[test]
fn two_way_splitter_goes_on_when_one_side_has_ended() {
    let mut system = System::deterministic();
    let s = TwoWaySplitter::new();
    link_to_ended(&mut system, &s.outbox);
    let mut two = receiver(&s.outbox2, 64);
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut two), [1, 2, 3]);
}

// ---------------------------------------------------------------------------------------------
// LossyConnector

/// With room downstream, everything passes, in order, and nothing is counted as dropped.
#[test]
fn lossy_connector_passes_everything_when_there_is_room() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let stats = l.stats();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 1000);
    system.spawn(l);
    feed(&mut system, &mut input, 0..200u32);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), (0..200).collect::<Vec<_>>());
    assert_eq!((stats.passed(), stats.dropped()), (200, 0));
}

/// What does not fit downstream is dropped and counted, and the producer never waits.
#[test]
fn lossy_connector_drops_and_counts_what_does_not_fit() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let stats = l.stats();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 3);
    system.spawn(l);
    // 1000 messages through a 3-slot consumer that never reads: the producer is never stuck.
    feed(&mut system, &mut input, 0..1000u32);
    system.run_until_idle();
    assert_eq!(stats.passed(), 3);
    assert_eq!(stats.dropped(), 997);
    assert_eq!(drain(&mut out), [0, 1, 2]);
    // Once there is room again, new messages pass.
    feed(&mut system, &mut input, [1000]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1000]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` offers everything queued before it, then goes out on `signal`.
#[test]
fn lossy_connector_producer_finished_drains_then_signals() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    input.try_send(1).unwrap();
    input.try_send(2).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(l);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [1, 2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` discards what is queued (not counted as dropped) and goes out on `signal`.
#[test]
fn lossy_connector_shutdown_discards_queue_and_signals() {
    let mut system = System::deterministic();
    let l = LossyConnector::new();
    let stats = l.stats();
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    input.try_send(1).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(l);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!((stats.passed(), stats.dropped()), (0, 0));
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// TwoWayBalancer

/// The boxes a test drives a balancer through: two stand-in workers.
struct Bench {
    jobs: Outbox<u32>,
    stop: Outbox<Control>,
    work: [Inbox<u32>; 2],
    done: [Outbox<String>; 2],
    results: Inbox<String>,
    signals: [Inbox<Control>; 3],
}

fn bench(system: &mut System, balancer: TwoWayBalancer<u32, String>) -> Bench {
    let b = Bench {
        jobs: sender(&balancer.inbox),
        stop: sender(&balancer.control),
        work: [
            receiver(&balancer.outbox1, 64),
            receiver(&balancer.outbox2, 64),
        ],
        done: [sender(&balancer.done1), sender(&balancer.done2)],
        results: receiver(&balancer.outbox, 64),
        signals: [
            receiver(&balancer.signal1, 4),
            receiver(&balancer.signal2, 4),
            receiver(&balancer.signal, 4),
        ],
    };
    system.spawn(balancer);
    b
}

/// A request goes only to a free worker; while both are busy, requests wait.
#[test]
fn two_way_balancer_hands_requests_to_free_workers_only() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2, 3, 4]);
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [1]);
    assert_eq!(drain(&mut b.work[1]), [2]);
    b.done[0].try_send("one".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [3]);
    assert!(drain(&mut b.work[1]).is_empty());
    b.done[0].try_send("three".into()).unwrap();
    system.run_until_idle();
    assert_eq!(
        drain(&mut b.work[0]),
        [4],
        "worker 1 is free again; worker 2 is still busy"
    );
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// When both workers are free, the one free longest gets the request, so an even load
/// alternates.
#[test]
fn two_way_balancer_alternates_an_even_load() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    let mut seen = Vec::new();
    for job in 0..6 {
        feed(&mut system, &mut b.jobs, [job]);
        system.run_until_idle();
        for w in 0..2 {
            for j in drain(&mut b.work[w]) {
                seen.push((w, j));
                b.done[w].try_send(j.to_string()).unwrap();
            }
        }
        system.run_until_idle();
    }
    assert_eq!(seen, [(0, 0), (1, 1), (0, 2), (1, 3), (0, 4), (1, 5)]);
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// Done messages are the workers' results: they leave from `outbox` in the order they arrive.
#[test]
fn two_way_balancer_passes_results_on_in_arrival_order() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2]);
    system.run_until_idle();
    b.done[1].try_send("two".into()).unwrap();
    system.run_until_idle();
    b.done[0].try_send("one".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.results), ["two", "one"]);
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// With a credit of 2, each worker may hold two requests at once.
#[test]
fn two_way_balancer_credit_allows_several_requests_in_hand() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new().credit(2));
    feed(&mut system, &mut b.jobs, [1, 2, 3, 4, 5]);
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [1, 3]);
    assert_eq!(drain(&mut b.work[1]), [2, 4]);
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` hands out the queued requests, waits until every one is done, then goes to
/// both workers and out on `signal`.
#[test]
fn two_way_balancer_producer_finished_waits_for_outstanding_work() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2, 3]);
    b.stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[0]), [1]);
    assert_eq!(drain(&mut b.work[1]), [2]);
    b.done[1].try_send("2".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut b.work[1]), [3]);
    b.done[0].try_send("1".into()).unwrap();
    system.run_until_idle();
    assert!(
        b.signals.iter_mut().all(|s| drain(s).is_empty()),
        "request 3 is not done"
    );
    b.done[1].try_send("3".into()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut b.results), ["2", "1", "3"]);
    for s in &mut b.signals {
        assert_eq!(drain(s), [Control::ProducerFinished]);
    }
}

/// `Shutdown` ends it at once, discarding queued requests, and goes to both workers and out on
/// `signal`.
#[test]
fn two_way_balancer_shutdown_stops_and_tells_both_workers() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new());
    feed(&mut system, &mut b.jobs, [1, 2, 3]);
    system.run_until_idle();
    b.stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut b.work[0]), [1]);
    assert_eq!(drain(&mut b.work[1]), [2]);
    for s in &mut b.signals {
        assert_eq!(drain(s), [Control::Shutdown]);
    }
}

/// A worker that has ended is left out; its request goes to the other worker.
#[test]
fn two_way_balancer_leaves_out_a_worker_that_has_ended() {
    let mut system = System::deterministic();
    let balancer = TwoWayBalancer::<u32, String>::new();
    link_to_ended(&mut system, &balancer.outbox1);
    let mut jobs = sender(&balancer.inbox);
    let mut stop = sender(&balancer.control);
    let mut work2 = receiver(&balancer.outbox2, 64);
    let mut done2 = sender(&balancer.done2);
    system.spawn(balancer);
    feed(&mut system, &mut jobs, [1, 2]);
    system.run_until_idle();
    assert_eq!(
        drain(&mut work2),
        [1],
        "worker 1 refused request 1: worker 2 gets it"
    );
    done2.try_send("1".into()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut work2), [2]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(system.failures().is_empty());
}

/// If both workers have ended, it fails with an error saying so.
#[test]
fn two_way_balancer_fails_when_both_workers_have_ended() {
    let mut system = System::deterministic();
    let balancer = TwoWayBalancer::<u32, ()>::new();
    link_to_ended(&mut system, &balancer.outbox1);
    link_to_ended(&mut system, &balancer.outbox2);
    let mut jobs = sender(&balancer.inbox);
    let mut signal = receiver(&balancer.signal, 4);
    system.spawn(balancer);
    feed(&mut system, &mut jobs, [1]);
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(what.contains("both workers have ended"), "{what}");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// Round-robin mode alternates blindly, without waiting for done messages (Kamaelia's original).
#[test]
fn two_way_balancer_round_robin_alternates_without_waiting() {
    let mut system = System::deterministic();
    let mut b = bench(&mut system, TwoWayBalancer::new().round_robin());
    feed(&mut system, &mut b.jobs, [1, 2, 3, 4, 5]);
    b.stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut b.work[0]), [1, 3, 5]);
    assert_eq!(drain(&mut b.work[1]), [2, 4]);
    for s in &mut b.signals {
        assert_eq!(drain(s), [Control::ProducerFinished]);
    }
}

/// With real workers wired as documented (requests in, results to done, signal to control), a
/// whole batch is processed and one `ProducerFinished` shuts everything down.
#[test]
fn two_way_balancer_with_real_workers_processes_everything_and_stops() {
    let mut system = System::deterministic();
    let balancer = TwoWayBalancer::<u32, u32>::new();
    let (w1, w2) = (Relay::<u32>::new(), Relay::<u32>::new());
    axon::link(&balancer.outbox1, &w1.inbox).unwrap();
    axon::link(&balancer.signal1, &w1.control).unwrap();
    axon::link(&w1.outbox, &balancer.done1).unwrap();
    axon::link(&balancer.outbox2, &w2.inbox).unwrap();
    axon::link(&balancer.signal2, &w2.control).unwrap();
    axon::link(&w2.outbox, &balancer.done2).unwrap();
    let mut jobs = sender(&balancer.inbox);
    let mut stop = sender(&balancer.control);
    let mut results = receiver(&balancer.outbox, 1000);
    let mut signal = receiver(&balancer.signal, 4);
    system.spawn(balancer);
    system.spawn(w1);
    system.spawn(w2);
    feed(&mut system, &mut jobs, 0..300);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let mut got = drain(&mut results);
    got.sort_unstable();
    assert_eq!(got, (0..300).collect::<Vec<_>>());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

// ---------------------------------------------------------------------------------------------
// Catalogue

/// Every flow component is in the catalogue under its Kamaelia name, with its boxes.
#[test]
fn flow_components_are_catalogued() {
    let all = kamaelia::catalogue::all();
    for (name, kamaelia_name, extra_box) in [
        ("Fanout", "Kamaelia.Util.Fanout.Fanout", "inbox"),
        (
            "TwoWaySplitter",
            "Kamaelia.Util.TwoWaySplitter.TwoWaySplitter",
            "outbox2",
        ),
        (
            "PlugSplitter",
            "Kamaelia.Util.Splitter.PlugSplitter",
            "configuration",
        ),
        ("Plug", "Kamaelia.Util.Splitter.Plug", "splitter_config"),
        (
            "LossyConnector",
            "Kamaelia.Util.LossyConnector.lossyConnector",
            "outbox",
        ),
        (
            "PromptedTurnstile",
            "Kamaelia.Util.PromptedTurnstile.PromptedTurnstile",
            "next",
        ),
        (
            "MessageRateLimit",
            "Kamaelia.Util.RateFilter.MessageRateLimit",
            "outbox",
        ),
        (
            "ByteRateRequestControl",
            "Kamaelia.Util.RateFilter.ByteRate_RequestControl",
            "outbox",
        ),
        (
            "Clock",
            "Kamaelia.Util.Clock.CheapAndCheerfulClock",
            "outbox",
        ),
        (
            "TwoWayBalancer",
            "Kamaelia.Apps.Europython09.Util.TwoWayBalancer",
            "done2",
        ),
    ] {
        let e = all
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        for b in ["inbox", "control", "outbox", "signal", extra_box] {
            assert!(e.boxes.iter().any(|x| x.name == b), "{name} lacks {b}");
        }
    }
}
