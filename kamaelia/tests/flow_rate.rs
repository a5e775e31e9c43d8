//! Pacing: PromptedTurnstile, MessageRateLimit, ByteRateRequestControl and Clock.
//!
//! Everything runs on `System::deterministic()`; time moves only with `advance`.

mod common;

use std::time::Duration;

use axon::{Control, System};
use common::flow::{feed, link_to_ended, ms, receiver, sender};
use common::{drain, only_failure};
use kamaelia::util::flow::{ByteRateRequestControl, Clock, MessageRateLimit, PromptedTurnstile};

// ---------------------------------------------------------------------------------------------
// PromptedTurnstile

/// Each prompt lets exactly one queued message through, oldest first.
#[test]
fn prompted_turnstile_releases_one_message_per_prompt() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut next = sender(&t.next);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    system.spawn(t);
    feed(&mut system, &mut input, [1, 2, 3, 4]);
    system.run_until_idle();
    assert!(drain(&mut out).is_empty());
    for expected in [1, 2, 3] {
        next.try_send(()).unwrap();
        system.run_until_idle();
        assert_eq!(drain(&mut out), [expected]);
    }
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// Prompts that arrive while nothing is queued are banked: that many messages pass at once.
#[test]
fn prompted_turnstile_banks_early_prompts() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut next = sender(&t.next);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    system.spawn(t);
    feed(&mut system, &mut next, [(), ()]);
    system.run_until_idle();
    feed(&mut system, &mut input, ['a', 'b', 'c']);
    system.run_until_idle();
    assert_eq!(drain(&mut out), ['a', 'b']);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// After `ProducerFinished` it still releases one message per prompt, and signals only once the
/// queue is empty.
#[test]
fn prompted_turnstile_producer_finished_serves_the_queue_then_signals() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut next = sender(&t.next);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    let mut signal = receiver(&t.signal, 4);
    system.spawn(t);
    feed(&mut system, &mut input, [1, 2]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(
        drain(&mut out).is_empty(),
        "ProducerFinished does not open the gate"
    );
    assert!(drain(&mut signal).is_empty());
    next.try_send(()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    assert!(drain(&mut signal).is_empty(), "one message is still queued");
    next.try_send(()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut out), [2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `ProducerFinished` with nothing queued ends it at once.
#[test]
fn prompted_turnstile_producer_finished_with_empty_queue_ends_at_once() {
    let mut system = System::deterministic();
    let t: PromptedTurnstile<u8> = PromptedTurnstile::new();
    let mut stop = sender(&t.control);
    let mut signal = receiver(&t.signal, 4);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(t);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` ends it while it waits for a prompt, discarding the queue.
#[test]
fn prompted_turnstile_shutdown_stops_while_waiting_for_a_prompt() {
    let mut system = System::deterministic();
    let t: PromptedTurnstile<u32> = PromptedTurnstile::new();
    let mut input = sender(&t.inbox);
    let mut stop = sender(&t.control);
    let mut out = receiver(&t.outbox, 64);
    let mut signal = receiver(&t.signal, 4);
    system.spawn(t);
    feed(&mut system, &mut input, [1, 2]);
    system.run_until_idle();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A Clock can prompt the turnstile: one message per tick.
#[test]
fn prompted_turnstile_paced_by_a_clock() {
    let mut system = System::deterministic();
    let t = PromptedTurnstile::new();
    let clock = Clock::new(Duration::from_secs(1));
    axon::link(&clock.outbox, &t.next).unwrap();
    axon::link(&clock.signal, &t.control).unwrap();
    let mut stop_clock = sender(&clock.control);
    let mut input = sender(&t.inbox);
    let mut out = receiver(&t.outbox, 64);
    let mut signal = receiver(&t.signal, 4);
    system.spawn(t);
    system.spawn(clock);
    feed(&mut system, &mut input, ["a", "b", "c"]);
    system.advance(ms(2500));
    assert_eq!(drain(&mut out), ["a", "b"]);
    // The clock's ProducerFinished reaches the turnstile, which still has "c" queued and no
    // prompts left: it waits (nothing is lost) until stopped.
    stop_clock.try_send(Control::ProducerFinished).unwrap();
    system.advance(ms(5000));
    assert!(drain(&mut out).is_empty());
    assert!(drain(&mut signal).is_empty());
    assert_eq!(system.live(), 1);
}

// ---------------------------------------------------------------------------------------------
// MessageRateLimit

/// Messages leave at most one per interval: the first at once, then one every 1/N second.
#[test]
fn message_rate_limit_spaces_messages_by_the_interval() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::new(4); // one per 250 ms
    assert_eq!(l.interval(), ms(250));
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    system.spawn(l);
    feed(&mut system, &mut input, 0..10u32);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [0]);
    system.advance(ms(249));
    assert!(drain(&mut out).is_empty());
    system.advance(ms(1));
    assert_eq!(drain(&mut out), [1]);
    system.advance(ms(1000));
    assert_eq!(drain(&mut out), [2, 3, 4, 5], "four per second");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A quiet spell does not earn a burst: after idling, messages are still an interval apart.
#[test]
fn message_rate_limit_quiet_spell_earns_no_burst() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::with_interval(ms(100));
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    system.spawn(l);
    feed(&mut system, &mut input, [0u32]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [0]);
    system.advance(Duration::from_secs(10));
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1], "one at once, not three");
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [2]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// With a buffer, nothing is released until that many messages have arrived.
#[test]
fn message_rate_limit_waits_for_the_initial_buffer() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::with_interval(ms(100)).buffer(3);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    system.spawn(l);
    feed(&mut system, &mut input, [1, 2]);
    system.advance(Duration::from_secs(5));
    assert!(drain(&mut out).is_empty());
    feed(&mut system, &mut input, [3]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    system.advance(ms(200));
    assert_eq!(drain(&mut out), [2, 3]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` during the initial buffer releases the partial buffer, still at the rate,
/// then signals.
#[test]
fn message_rate_limit_producer_finished_flushes_partial_buffer_at_the_rate() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::with_interval(ms(100)).buffer(10);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    system.spawn(l);
    feed(&mut system, &mut input, [1, 2, 3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    assert!(drain(&mut signal).is_empty());
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [2]);
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [3]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    system.run().unwrap();
}

/// `Shutdown` ends it while it waits for the next release time, discarding the queue.
#[test]
fn message_rate_limit_shutdown_stops_while_waiting() {
    let mut system = System::deterministic();
    let l = MessageRateLimit::new(1);
    let mut input = sender(&l.inbox);
    let mut stop = sender(&l.control);
    let mut out = receiver(&l.outbox, 64);
    let mut signal = receiver(&l.signal, 4);
    system.spawn(l);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [1]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(system.live(), 0, "ended without waiting for the timer");
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A rate of zero is refused with a message naming the parameter.
#[test]
#[should_panic(expected = "messages_per_second")]
fn message_rate_limit_refuses_a_zero_rate() {
    let _l: MessageRateLimit<u8> = MessageRateLimit::new(0);
}

// ---------------------------------------------------------------------------------------------
// ByteRateRequestControl

/// A request for one chunk goes out at once, then one every chunk / rate seconds.
#[test]
fn byte_rate_request_control_requests_chunks_at_the_rate() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0).chunk_size(250.0); // every 250 ms
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 64);
    system.spawn(c);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [250]);
    system.advance(ms(999));
    assert_eq!(drain(&mut out), [250, 250, 250]);
    system.advance(ms(1));
    assert_eq!(drain(&mut out), [250]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// Fractional chunk sizes average out: whole-byte requests add up to exactly the rate.
#[test]
fn byte_rate_request_control_fractional_chunks_add_up_exactly() {
    let mut system = System::deterministic();
    // 1000 bytes per second in 3 requests per second: chunks of 333.33… bytes.
    let c = ByteRateRequestControl::new(1000.0).chunk_rate(3.0);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 64);
    system.spawn(c);
    system.run_until_idle();
    system.advance(ms(2999)); // nine chunks: at 0, 1/3, 2/3, …, 8/3 s
    let got = drain(&mut out);
    assert_eq!(got.len(), 9);
    assert!(got.iter().all(|&n| n == 333 || n == 334), "{got:?}");
    assert_eq!(got.iter().sum::<usize>(), 3000);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// After a stall, non-aggregating catch-up sends several chunk-sized requests.
#[test]
fn byte_rate_request_control_catches_up_in_chunks() {
    let got = catch_up_after_stall(false);
    assert_eq!(got, [100; 11]);
}

/// After a stall, aggregating catch-up asks for everything owed in one request.
#[test]
fn byte_rate_request_control_aggregate_catches_up_in_one_request() {
    let got = catch_up_after_stall(true);
    assert_eq!(got, [100, 100, 900]);
}

/// 1000 bytes/s in 100-byte chunks to a one-slot consumer that reads nothing for a second, then
/// everything: the requests it gets up to t = 1 s.
fn catch_up_after_stall(aggregate: bool) -> Vec<usize> {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0)
        .chunk_size(100.0)
        .aggregate(aggregate);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 1);
    system.spawn(c);
    system.advance(Duration::from_secs(1));
    let mut got = Vec::new();
    loop {
        let more = drain(&mut out);
        if more.is_empty() {
            break;
        }
        got.extend(more);
        system.run_until_idle();
    }
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    got
}

/// A new rate on `inbox` takes effect at once; the bytes asked for follow the rates in force.
#[test]
fn byte_rate_request_control_changes_rate_from_inbox() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0).chunk_size(100.0);
    let mut rate = sender(&c.inbox);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 256);
    system.spawn(c);
    system.run_until_idle();
    system.advance(ms(250));
    rate.try_send(2000.0).unwrap();
    system.run_until_idle();
    system.advance(ms(1000));
    // 250 ms at 1000 B/s plus 1000 ms at 2000 B/s = 2250 bytes, plus at most one chunk paid
    // in advance.
    let total: usize = drain(&mut out).iter().sum();
    assert!((2250..=2350).contains(&total), "{total}");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A rate of 0 pauses the requests; a non-zero rate resumes them, keeping the account.
#[test]
fn byte_rate_request_control_zero_rate_pauses() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0).chunk_size(100.0);
    let mut rate = sender(&c.inbox);
    let mut stop = sender(&c.control);
    let mut out = receiver(&c.outbox, 256);
    system.spawn(c);
    system.run_until_idle();
    assert_eq!(drain(&mut out), [100]);
    rate.try_send(0.0).unwrap();
    system.advance(Duration::from_secs(10));
    assert!(drain(&mut out).is_empty());
    // The 100 bytes asked for just before the pause were not due yet: they count now.
    rate.try_send(1000.0).unwrap();
    system.run_until_idle();
    assert!(drain(&mut out).is_empty());
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [100]);
    system.advance(ms(100));
    assert_eq!(drain(&mut out), [100]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A negative rate on `inbox` makes it fail with an error naming the rate.
#[test]
fn byte_rate_request_control_refuses_a_negative_rate() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0);
    let mut rate = sender(&c.inbox);
    let mut signal = receiver(&c.signal, 4);
    system.spawn(c);
    system.run_until_idle();
    rate.try_send(-5.0).unwrap();
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(what.contains("rate -5"), "{what}");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// `ProducerFinished` and `Shutdown` both stop it at once and are passed on.
#[test]
fn byte_rate_request_control_stops_on_either_control_message() {
    for c in [Control::ProducerFinished, Control::Shutdown] {
        let mut system = System::deterministic();
        let b = ByteRateRequestControl::new(1000.0);
        let mut stop = sender(&b.control);
        let mut signal = receiver(&b.signal, 4);
        system.spawn(b);
        system.advance(ms(500));
        stop.try_send(c.clone()).unwrap();
        system.run_until_idle();
        assert_eq!(system.live(), 0);
        assert_eq!(drain(&mut signal), [c]);
    }
}

/// When the component it feeds has ended, it sends `ProducerFinished` and ends.
#[test]
fn byte_rate_request_control_ends_when_its_consumer_has_ended() {
    let mut system = System::deterministic();
    let c = ByteRateRequestControl::new(1000.0);
    link_to_ended(&mut system, &c.outbox);
    let mut signal = receiver(&c.signal, 4);
    system.spawn(c);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    assert!(system.failures().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Clock

/// The first tick comes one interval after the start, then one per interval, numbered from 1.
#[test]
fn clock_ticks_every_interval() {
    let mut system = System::deterministic();
    let clock = Clock::new(ms(100));
    let mut stop = sender(&clock.control);
    let mut ticks = receiver(&clock.outbox, 64);
    system.spawn(clock);
    system.advance(ms(99));
    assert!(drain(&mut ticks).is_empty());
    system.advance(ms(1));
    assert_eq!(drain(&mut ticks), [1]);
    system.advance(ms(500));
    assert_eq!(drain(&mut ticks), [2, 3, 4, 5, 6]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// With a limit it stops after that many ticks and sends `ProducerFinished`.
#[test]
fn clock_with_limit_runs_dry_and_signals() {
    let mut system = System::deterministic();
    let clock = Clock::new(ms(100)).limit(2);
    let mut ticks = receiver(&clock.outbox, 64);
    let mut signal = receiver(&clock.signal, 4);
    system.spawn(clock);
    system.run().unwrap(); // virtual time runs on by itself while timers are pending
    assert_eq!(drain(&mut ticks), [1, 2]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `ProducerFinished` and `Shutdown` both stop it at once and are passed on.
#[test]
fn clock_stops_on_either_control_message() {
    for c in [Control::ProducerFinished, Control::Shutdown] {
        let mut system = System::deterministic();
        let clock = Clock::new(Duration::from_secs(1));
        let mut stop = sender(&clock.control);
        let mut ticks = receiver(&clock.outbox, 64);
        let mut signal = receiver(&clock.signal, 4);
        system.spawn(clock);
        system.advance(ms(1500));
        stop.try_send(c.clone()).unwrap();
        system.run_until_idle();
        assert_eq!(system.live(), 0);
        assert_eq!(drain(&mut ticks), [1]);
        assert_eq!(drain(&mut signal), [c]);
    }
}

/// Ticks do not pile up behind a full consumer: those missed collapse into one late tick and the
/// beat resumes on the interval.
#[test]
fn clock_skips_ticks_missed_while_the_consumer_is_full() {
    let mut system = System::deterministic();
    let clock = Clock::new(Duration::from_secs(1));
    let mut stop = sender(&clock.control);
    let mut ticks = receiver(&clock.outbox, 1);
    system.spawn(clock);
    system.advance(ms(5500)); // ticks due at 1, 2, 3, 4, 5 s; room for one
    assert_eq!(drain(&mut ticks), [1]);
    system.run_until_idle();
    assert_eq!(drain(&mut ticks), [2], "the tick that was waiting for room");
    system.run_until_idle();
    assert_eq!(drain(&mut ticks), [3], "one late tick for all those missed");
    system.run_until_idle();
    assert!(drain(&mut ticks).is_empty());
    system.advance(ms(500));
    assert_eq!(drain(&mut ticks), [4], "back on the beat at 6 s");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}
