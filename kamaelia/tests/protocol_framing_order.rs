//! RecoverOrder and simple reliable multicast (srm_sender, srm_receiver) of
//! `kamaelia::protocol::framing`: the reorder buffer (property tests: any permutation is
//! restored, the output is ordered and accounted for), RecoverOrder as a component (what it
//! sends, how it shuts down), and srm through simulated links that duplicate, reorder, lose or
//! damage chunks.

mod common;

use axon::testing::{Discard, Duplicate, Harness, Reorder};
use axon::{Control, Inbox, Outbox, System};
use common::framing::{collect, feed, run};
use common::{drain, stops_on_shutdown_while_waiting_for_room};
use kamaelia::protocol::framing::codec::{encode_frame, ChunkFormat};
use kamaelia::protocol::framing::{
    srm_receiver, srm_sender, Gap, OrderStats, RecoverOrder, Released, ReorderBuffer,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// RecoverOrder
// ---------------------------------------------------------------------------------------------

/// Everything a buffer releases for `seqs`, then the end.
fn reorder(seqs: &[u64], window: usize) -> (Vec<Released<u64>>, OrderStats) {
    let mut b = ReorderBuffer::new(0, window);
    let mut got = Vec::new();
    for &s in seqs {
        b.push(s, s);
        assert!(b.held() <= window);
        got.extend(std::iter::from_fn(|| b.pop()));
    }
    b.finish();
    got.extend(std::iter::from_fn(|| b.pop()));
    (got, b.stats())
}

/// Numbers at the top of the range do not overflow the counts: the count of lost numbers
/// saturates, and a gap spanning every number has `u64::MAX` as its length.
#[test]
fn recover_order_counts_gaps_at_the_top_of_the_range_without_overflow() {
    let (got, stats) = reorder(&[u64::MAX - 1, u64::MAX, 5, 6], 1);
    assert_eq!(
        got[..3],
        [
            Released::Gap(Gap {
                first: 0,
                last: u64::MAX - 2
            }),
            Released::Item(u64::MAX - 1, u64::MAX - 1),
            Released::Item(u64::MAX, u64::MAX),
        ]
    );
    assert_eq!(stats.lost, u64::MAX, "saturated");
    assert_eq!(
        Gap {
            first: 0,
            last: u64::MAX
        }
        .len(),
        u64::MAX
    );
}

proptest! {
    /// With a window as large as the disorder, any permutation of 0..n with duplicates comes
    /// out as exactly 0..n, the duplicates counted and nothing lost.
    #[test]
    fn recover_order_restores_any_permutation(
        perm in (0u64..40).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle()),
        dups in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let mut seqs = perm.clone();
        if !perm.is_empty() {
            for d in &dups {
                let i = d.index(seqs.len());
                seqs.insert(i, perm[d.index(perm.len())]);
            }
        }
        let (got, stats) = reorder(&seqs, 40);
        let want: Vec<Released<u64>> = (0..perm.len() as u64).map(|s| Released::Item(s, s)).collect();
        prop_assert_eq!(got, want);
        let extra = if perm.is_empty() { 0 } else { dups.len() as u64 };
        prop_assert_eq!(stats, OrderStats { delivered: perm.len() as u64, duplicates: extra, lost: 0 });
    }

    /// With any window and any numbers, what comes out is in strictly increasing order, gaps and
    /// items together cover 0..=last exactly once, and every pair is delivered or counted.
    #[test]
    fn recover_order_output_is_ordered_and_accounted(
        seqs in prop::collection::vec(0u64..30, 0..60),
        window in 0usize..8,
    ) {
        let (got, stats) = reorder(&seqs, window);
        let mut next = 0;
        for r in &got {
            match r {
                Released::Item(s, v) => {
                    prop_assert_eq!(*s, next);
                    prop_assert_eq!(s, v);
                    next += 1;
                }
                Released::Gap(g) => {
                    prop_assert_eq!(g.first, next);
                    prop_assert!(g.last >= g.first);
                    next = g.last + 1;
                }
            }
        }
        prop_assert_eq!(stats.delivered + stats.duplicates, seqs.len() as u64);
    }
}

/// A gap larger than the window: RecoverOrder reports it on `gaps`, skips it, delivers on, drops
/// the missing pair when it turns up late, and counts it all in `stats`.
#[test]
fn recover_order_gives_up_on_a_gap_larger_than_the_window() {
    let r = RecoverOrder::new().window(2);
    let (mut gaps, mut stats) = (collect(&r.gaps), collect(&r.stats));
    let (out, signal) = run(
        r,
        [(0, 'a'), (2, 'c'), (3, 'd'), (4, 'e'), (1, 'b'), (4, 'e')],
        Control::ProducerFinished,
    );
    assert_eq!(out, [(0, 'a'), (2, 'c'), (3, 'd'), (4, 'e')]);
    assert_eq!(drain(&mut gaps), [Gap { first: 1, last: 1 }]);
    assert_eq!(
        drain(&mut stats),
        [OrderStats {
            delivered: 4,
            duplicates: 2,
            lost: 1
        }]
    );
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Pairs in order go out at once, without waiting for the window to fill.
#[test]
fn recover_order_sends_in_order_pairs_at_once() {
    let mut h = Harness::new(RecoverOrder::<u32>::new().starting_at(5));
    h.put("inbox", (5u64, 50u32)).unwrap();
    h.put("inbox", (7u64, 70u32)).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<(u64, u32)>("outbox"), [(5, 50)]);
    h.put("inbox", (6u64, 60u32)).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<(u64, u32)>("outbox"), [(6, 60), (7, 70)]);
}

/// At the end of the stream RecoverOrder sends what it holds in order, with the gaps; on
/// Shutdown it discards it.
#[test]
fn recover_order_flushes_at_end_and_discards_on_shutdown() {
    let r = RecoverOrder::new();
    let mut gaps = collect(&r.gaps);
    let (out, _) = run(r, [(3, 'd'), (1, 'b')], Control::ProducerFinished);
    assert_eq!(out, [(1, 'b'), (3, 'd')]);
    assert_eq!(
        drain(&mut gaps),
        [Gap { first: 0, last: 0 }, Gap { first: 2, last: 2 }]
    );
    let mut h = Harness::new(RecoverOrder::<char>::new());
    h.put("inbox", (3u64, 'd')).unwrap();
    h.run_until_idle();
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert!(h.take::<(u64, char)>("outbox").is_empty());
    assert_eq!(h.take::<OrderStats>("stats").len(), 1);
    assert_eq!(h.take::<Control>("signal"), [Control::Shutdown]);
    assert!(h.is_finished());
}

/// A RecoverOrder whose receiver takes nothing still stops on Shutdown, and passes it on.
#[test]
fn recover_order_waiting_for_room_still_stops_on_shutdown() {
    let pairs = [(0u64, 'a'), (1, 'b'), (2, 'c')];
    stops_on_shutdown_while_waiting_for_room(RecoverOrder::new(), pairs);
}

/// A RecoverOrder whose `gaps` receiver takes nothing still stops on Shutdown.
#[test]
fn recover_order_waiting_for_room_on_gaps_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let r = RecoverOrder::<char>::new().window(0);
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (output, mut signal) = (Inbox::<(u64, char)>::unbounded(), Inbox::new());
    let full = Inbox::<Gap>::with_capacity(1);
    axon::link(&input, &r.inbox).unwrap();
    axon::link(&stop, &r.control).unwrap();
    axon::link(&r.outbox, &output).unwrap();
    axon::link(&r.signal, &signal).unwrap();
    axon::link(&r.gaps, &full).unwrap();
    let id = system.spawn(r);
    // Window 0: each pair after a missing number reports a gap at once.
    for pair in [(1u64, 'b'), (3, 'd'), (5, 'f')] {
        input.try_send(pair).unwrap();
    }
    system.run_until_idle();
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room on gaps"
    );
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(full.len(), 1);
}

/// A RecoverOrder whose `stats` receiver takes nothing still stops on Shutdown once the stream
/// has finished, and passes the Shutdown on.
#[test]
fn recover_order_waiting_for_room_for_its_stats_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let r = RecoverOrder::<char>::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
    let full = Inbox::<OrderStats>::with_capacity(1);
    let mut filler = Outbox::new();
    axon::link(&filler, &full).unwrap();
    filler.try_send(OrderStats::default()).unwrap();
    axon::link(&input, &r.inbox).unwrap();
    axon::link(&stop, &r.control).unwrap();
    axon::link(&r.outbox, &output).unwrap();
    axon::link(&r.signal, &signal).unwrap();
    axon::link(&r.stats, &full).unwrap();
    let id = system.spawn(r);
    input.try_send((0, 'a')).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut output), [(0, 'a')]);
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room for its stats"
    );
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A RecoverOrder whose receiver has ended fails, and says why on `signal` first.
#[test]
fn recover_order_whose_receiver_ended_fails_and_says_so_on_signal() {
    common::fails_saying_so_when_its_receiver_has_ended(
        "recover",
        RecoverOrder::<char>::new(),
        [(0, 'a')],
    );
}

// ---------------------------------------------------------------------------------------------
// Simple reliable multicast
// ---------------------------------------------------------------------------------------------

/// The boxes between srm_sender and srm_receiver that a simulated link connects.
struct Ends<'a> {
    sender_out: &'a Outbox<Vec<u8>>,
    sender_signal: &'a Outbox<Control>,
    receiver_in: &'a Inbox<Vec<u8>>,
    receiver_control: &'a Inbox<Control>,
}

/// A relay of the fault injectors: four standard boxes.
macro_rules! relay_ends {
    ($c:expr) => {
        (&$c.inbox, &$c.control, &$c.outbox, &$c.signal)
    };
}

/// Feeds `n` messages to srm_sender, whose chunks reach srm_receiver through the link `wire`
/// builds (it links the ends and spawns its components); returns what the receiver sent.
fn srm_through(
    n: u64,
    wire: impl FnOnce(&mut System, Ends<'_>),
) -> (Vec<(u64, Vec<u8>)>, Vec<Control>) {
    let mut system = System::deterministic();
    let sender = srm_sender();
    let receiver = srm_receiver();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&input, &sender.inbox).unwrap();
    axon::link(&stop, &sender.control).unwrap();
    axon::link(&receiver.outbox, &output).unwrap();
    axon::link(&receiver.signal, &signal).unwrap();
    wire(
        &mut system,
        Ends {
            sender_out: &sender.outbox,
            sender_signal: &sender.signal,
            receiver_in: &receiver.inbox,
            receiver_control: &receiver.control,
        },
    );
    system.spawn(sender);
    system.spawn(receiver);
    for i in 0..n {
        feed(&mut system, &mut input, message(i));
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().expect("everything should end");
    (drain(&mut output), drain(&mut signal))
}

fn message(i: u64) -> Vec<u8> {
    format!("message {i}").into_bytes()
}

/// Messages sent through srm_sender, a link that duplicates and reorders them
/// (`axon::testing::Duplicate` then `Reorder`), and srm_receiver come out once each, in order.
#[test]
fn srm_recovers_order_through_duplication_and_reordering() {
    let (out, signal) = srm_through(200, |system, ends| {
        let dup = Duplicate::<Vec<u8>>::new();
        let reorder = Reorder::<Vec<u8>>::new(5, 42);
        let (d_in, d_ctl, d_out, d_sig) = relay_ends!(dup);
        let (r_in, r_ctl, r_out, r_sig) = relay_ends!(reorder);
        axon::link(ends.sender_out, d_in).unwrap();
        axon::link(ends.sender_signal, d_ctl).unwrap();
        axon::link(d_out, r_in).unwrap();
        axon::link(d_sig, r_ctl).unwrap();
        axon::link(r_out, ends.receiver_in).unwrap();
        axon::link(r_sig, ends.receiver_control).unwrap();
        system.spawn(dup);
        system.spawn(reorder);
    });
    let want: Vec<(u64, Vec<u8>)> = (0..200).map(|i| (i, message(i))).collect();
    assert_eq!(out, want);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Through a link that loses every fifth chunk, srm_receiver delivers the other messages in
/// order, and still ends.
#[test]
fn srm_delivers_the_survivors_of_a_lossy_link_in_order() {
    let (out, signal) = srm_through(100, |system, ends| {
        let lossy = Discard::<Vec<u8>>::every(5);
        let (l_in, l_ctl, l_out, l_sig) = relay_ends!(lossy);
        axon::link(ends.sender_out, l_in).unwrap();
        axon::link(ends.sender_signal, l_ctl).unwrap();
        axon::link(l_out, ends.receiver_in).unwrap();
        axon::link(l_sig, ends.receiver_control).unwrap();
        system.spawn(lossy);
    });
    let want: Vec<(u64, Vec<u8>)> = (0..100)
        .filter(|i| (i + 1) % 5 != 0)
        .map(|i| (i, message(i)))
        .collect();
    assert_eq!(out, want);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// srm_receiver skips a chunk damaged on the way and carries on with the next.
#[test]
fn srm_receiver_skips_a_damaged_chunk() {
    let mut chunks = Vec::new();
    for (seq, text) in [(0u64, "a"), (1, "b"), (2, "c")] {
        let mut frame = Vec::new();
        encode_frame(seq, text.as_bytes(), &mut frame);
        let mut chunk = Vec::new();
        ChunkFormat::default().encode(&frame, &mut chunk);
        chunks.push(chunk);
    }
    let short = chunks[1].len() - 1;
    chunks[1].truncate(short); // the frame is one byte short
    let (out, signal) = run(srm_receiver(), chunks, Control::ProducerFinished);
    assert_eq!(out, [(0, b"a".to_vec()), (2, b"c".to_vec())]);
    assert_eq!(signal, [Control::ProducerFinished]);
}
