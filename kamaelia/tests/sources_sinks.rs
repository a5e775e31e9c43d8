//! Util sinks and relays: NullSink, Collate, PassThrough — what each sends on, and how each
//! ends.

mod common;

use axon::{Control, Inbox, Outbox, System};
use common::sources::run_collecting;
use common::{drain, failed_saying_so, fails_saying_so_when_its_receiver_has_ended};
use kamaelia::chassis::Pipeline;
use kamaelia::util::sources::{Collate, DataSource, NullSink, PassThrough};

// ---------------------------------------------------------------------------------------------
// NullSink

/// A NullSink takes everything it is sent, so its producer never waits.
#[test]
fn null_sink_takes_everything() {
    let mut system = System::deterministic();
    let source = DataSource::new(0..10_000);
    let sink = NullSink::new();
    axon::link(&source.outbox, &sink.inbox).unwrap();
    axon::link(&source.signal, &sink.control).unwrap();
    system.spawn(source);
    system.spawn(sink);
    system.run().unwrap();
}

/// ProducerFinished: a NullSink drains what waits, passes ProducerFinished on and ends.
#[test]
fn null_sink_producer_finished_drains_then_passes_it_on() {
    let mut system = System::deterministic();
    let sink = NullSink::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut signal = Inbox::new();
    axon::link(&input, &sink.inbox).unwrap();
    axon::link(&stop, &sink.control).unwrap();
    axon::link(&sink.signal, &signal).unwrap();
    let inbox = sink.inbox.handle();
    for i in 0..100 {
        input.try_send(i).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(sink);
    system.step();
    assert_eq!(inbox.len(), 0, "drained before ending");
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown: a NullSink ends at once and passes Shutdown on.
#[test]
fn null_sink_shutdown_passes_it_on() {
    let mut system = System::deterministic();
    let sink = NullSink::<u8>::new();
    let mut stop = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&stop, &sink.control).unwrap();
    axon::link(&sink.signal, &signal).unwrap();
    system.spawn(sink);
    system.run_until_idle();
    assert_eq!(system.live(), 1);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Collate

/// Collate sends everything it received, in order, as one Vec when the stream ends.
#[test]
fn collate_sends_everything_as_one_vec_at_end_of_stream() {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(DataSource::new(0..1000)).then(Collate::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&pipeline.outbox, &out).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [(0..1000).collect::<Vec<_>>()]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Collate sends an empty Vec when nothing came before the end of the stream.
#[test]
fn collate_sends_an_empty_vec_when_nothing_came() {
    let mut system = System::deterministic();
    let collate = Collate::<u8>::new();
    let mut stop = Outbox::new();
    let mut out = Inbox::new();
    axon::link(&stop, &collate.control).unwrap();
    axon::link(&collate.outbox, &out).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(collate);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [Vec::<u8>::new()]);
}

/// Shutdown: Collate drops what it collected, sends nothing, and passes Shutdown on.
#[test]
fn collate_shutdown_drops_the_collection() {
    let mut system = System::deterministic();
    let collate = Collate::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &collate.inbox).unwrap();
    axon::link(&stop, &collate.control).unwrap();
    axon::link(&collate.outbox, &out).unwrap();
    axon::link(&collate.signal, &signal).unwrap();
    system.spawn(collate);
    input.try_send(1).unwrap();
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// Collate fails with an error naming itself and its limit when sent more than the limit, and
/// says the same on `signal` as `Failed`.
#[test]
fn collate_fails_naming_the_limit_when_over_it() {
    let mut system = System::deterministic();
    let collate = Collate::new().limit(10);
    let source = DataSource::new(0..11);
    let mut signal = Inbox::new();
    axon::link(&source.outbox, &collate.inbox).unwrap();
    axon::link(&source.signal, &collate.control).unwrap();
    axon::link(&collate.signal, &signal).unwrap();
    system.spawn(source);
    system.spawn_named("bucket", collate);
    system.run().unwrap();
    failed_saying_so(&system, &mut signal, &["bucket", "10"]);
}

/// A Collate whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn collate_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("bucket", Collate::new(), [1, 2]);
}

// ---------------------------------------------------------------------------------------------
// PassThrough

/// A chain of PassThroughs delivers everything, in order.
#[test]
fn pass_through_passes_everything_on_in_order() {
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(DataSource::new(0..5000))
        .then(PassThrough::new())
        .then(PassThrough::new())
        .then(PassThrough::new())
        .then(Collate::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&pipeline.outbox, &out).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert_eq!(drain(&mut out), [(0..5000).collect::<Vec<_>>()]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ProducerFinished: what waits in the inbox is sent on first, then ProducerFinished.
#[test]
fn pass_through_producer_finished_drains_then_passes_it_on() {
    let mut system = System::deterministic();
    let pass = PassThrough::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &pass.inbox).unwrap();
    axon::link(&stop, &pass.control).unwrap();
    axon::link(&pass.outbox, &out).unwrap();
    axon::link(&pass.signal, &signal).unwrap();
    for i in 0..100 {
        input.try_send(i).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(pass);
    system.run().unwrap();
    assert_eq!(drain(&mut out), (0..100).collect::<Vec<_>>());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ProducerFinished while a send waits for room: everything is still delivered.
#[test]
fn pass_through_producer_finished_while_blocked_still_delivers_everything() {
    let mut system = System::deterministic();
    let pass = PassThrough::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::with_capacity(3), Inbox::new());
    axon::link(&input, &pass.inbox).unwrap();
    axon::link(&stop, &pass.control).unwrap();
    axon::link(&pass.outbox, &out).unwrap();
    axon::link(&pass.signal, &signal).unwrap();
    for i in 0..20 {
        input.try_send(i).unwrap();
    }
    system.spawn(pass);
    system.run_until_idle();
    assert_eq!(system.live(), 1, "waits for room");
    stop.try_send(Control::ProducerFinished).unwrap();
    assert_eq!(
        run_collecting(&mut system, &mut out),
        (0..20).collect::<Vec<_>>()
    );
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown stops a PassThrough at once, even while a send waits for room, and is passed on.
#[test]
fn pass_through_shutdown_stops_it_even_while_blocked() {
    let mut system = System::deterministic();
    let pass = PassThrough::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::with_capacity(3), Inbox::new());
    axon::link(&input, &pass.inbox).unwrap();
    axon::link(&stop, &pass.control).unwrap();
    axon::link(&pass.outbox, &out).unwrap();
    axon::link(&pass.signal, &signal).unwrap();
    for i in 0..20 {
        input.try_send(i).unwrap();
    }
    system.spawn(pass);
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), [0, 1, 2]);
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A PassThrough whose consumer has ended says `Failed` on `signal` and fails.
#[test]
fn pass_through_says_failed_when_its_consumer_has_ended() {
    fails_saying_so_when_its_receiver_has_ended("relay", PassThrough::new(), [1, 2]);
}
