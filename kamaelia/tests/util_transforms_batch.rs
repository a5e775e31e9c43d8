//! The transforms of `kamaelia::util::transforms` that regroup or thin a stream: Chunkifier,
//! FirstOnly, UnseenOnly and SyncBatch — what each sends, and how each shuts down.

mod common;

use axon::{Control, Inbox, Outbox, System};
use common::transforms::{finished_with_queue, shut_down_with_queue, through, Harness};
use common::{drain, strings};
use kamaelia::util::transforms::{Chunkifier, FirstOnly, SyncBatch, UnseenOnly};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Chunkifier
// ---------------------------------------------------------------------------------------------

/// The stream is regrouped into chunks of exactly the size, whatever the input pieces.
#[test]
fn chunkifier_regroups_into_fixed_size_chunks() {
    let out = through(
        Chunkifier::new(3),
        [vec![1, 2], vec![3, 4, 5, 6, 7, 8, 9], vec![]],
    );
    assert_eq!(out, [vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]]);
}

/// The partial last chunk is delivered at end of stream.
#[test]
fn chunkifier_delivers_the_partial_last_chunk_at_end_of_stream() {
    let out = through(Chunkifier::new(4), [vec![1u8, 2, 3, 4, 5, 6]]);
    assert_eq!(out, [vec![1, 2, 3, 4], vec![5, 6]]);
}

/// Text is counted in characters, and a character is never split.
#[test]
fn chunkifier_counts_text_in_chars() {
    let out = through(Chunkifier::new(2), strings(&["héllo", "€"]));
    assert_eq!(out, strings(&["hé", "ll", "o€"]));
}

/// With `no_delay`, what is buffered goes out as soon as the inbox has been emptied.
#[test]
fn chunkifier_no_delay_sends_short_chunks_when_idle() {
    let mut h = Harness::new(Chunkifier::new(4).no_delay());
    h.send(b"abcdef".to_vec());
    assert_eq!(h.idle(), [b"abcd".to_vec(), b"ef".to_vec()]);
    h.send(b"g".to_vec());
    assert_eq!(h.idle(), [b"g".to_vec()]);
    h.stop(Control::ProducerFinished);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Without `no_delay`, a short chunk waits for more input.
#[test]
fn chunkifier_holds_a_short_chunk_until_more_arrives() {
    let mut h = Harness::new(Chunkifier::new(4));
    h.send(b"ab".to_vec());
    assert!(h.idle().is_empty());
    h.send(b"cd".to_vec());
    assert_eq!(h.idle(), [b"abcd".to_vec()]);
}

/// Data queued with `ProducerFinished` is chunked and the partial chunk flushed before the end.
#[test]
fn chunkifier_producer_finished_drains_and_flushes() {
    let (out, signal) = finished_with_queue(Chunkifier::new(2), strings(&["abc"]));
    assert_eq!(out, strings(&["ab", "c"]));
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` discards queued input and the buffered partial chunk and passes `Shutdown` on.
#[test]
fn chunkifier_shutdown_discards_queue_and_buffer() {
    let mut h = Harness::new(Chunkifier::new(4));
    h.send(b"abcdef".to_vec());
    assert_eq!(h.idle(), [b"abcd".to_vec()]);
    h.send(b"gh".to_vec());
    h.stop(Control::Shutdown);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

/// A chunk size of 0 is refused, naming the component.
#[test]
#[should_panic(expected = "Chunkifier chunk size must be at least 1")]
fn chunkifier_refuses_size_zero() {
    let _ = Chunkifier::<Vec<u8>>::new(0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Bytes: the chunks join to the input, and all but the last are exactly the size.
    #[test]
    fn chunkifier_bytes_join_to_the_input_in_exact_chunks(
        pieces in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 0..20),
        size in 1usize..9,
    ) {
        let all: Vec<u8> = pieces.concat();
        let out = through(Chunkifier::new(size), pieces);
        prop_assert_eq!(out.concat(), all.clone());
        if let Some((last, full)) = out.split_last() {
            prop_assert!(full.iter().all(|c| c.len() == size));
            prop_assert!(!last.is_empty() && last.len() <= size);
        }
        prop_assert_eq!(out.len(), all.len().div_ceil(size));
    }

    /// Text: the chunks join to the input, and all but the last have exactly `size` chars.
    #[test]
    fn chunkifier_text_join_to_the_input_in_exact_chunks(
        pieces in prop::collection::vec("[a-zé€😀]{0,10}", 0..15),
        size in 1usize..7,
    ) {
        let all: String = pieces.concat();
        let out = through(Chunkifier::new(size), pieces);
        prop_assert_eq!(out.concat(), all.clone());
        if let Some((last, full)) = out.split_last() {
            prop_assert!(full.iter().all(|c| c.chars().count() == size));
            prop_assert!(!last.is_empty() && last.chars().count() <= size);
        }
        prop_assert_eq!(out.len(), all.chars().count().div_ceil(size));
    }
}

// ---------------------------------------------------------------------------------------------
// FirstOnly
// ---------------------------------------------------------------------------------------------

/// Only the first message is sent on.
#[test]
fn first_only_passes_only_the_first_message() {
    assert_eq!(through(FirstOnly::new(), [3, 1, 4, 1, 5]), [3]);
}

/// After the first message it keeps running and reads the rest, so the producer is never held
/// up, until a control message arrives.
#[test]
fn first_only_keeps_reading_after_the_first_message() {
    let mut h = Harness::new(FirstOnly::new());
    h.send_all(0..500u32); // more than an inbox holds: it must keep reading
    assert_eq!(h.idle(), [0]);
    assert_eq!(h.system.live(), 1);
    h.stop(Control::ProducerFinished);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// A first message queued with `ProducerFinished` is still sent on; with no message, nothing is.
#[test]
fn first_only_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(FirstOnly::new(), ["first", "second"]);
    assert_eq!(out, ["first"]);
    assert_eq!(signal, [Control::ProducerFinished]);
    let (out, _) = finished_with_queue(FirstOnly::<u8>::new(), []);
    assert!(out.is_empty());
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn first_only_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(FirstOnly::new(), [1u8]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// UnseenOnly
// ---------------------------------------------------------------------------------------------

/// Each distinct message is sent once, at its first arrival.
#[test]
fn unseen_only_passes_each_distinct_message_once() {
    let out = through(UnseenOnly::new(), strings(&["a", "b", "a", "c", "b", "a"]));
    assert_eq!(out, strings(&["a", "b", "c"]));
}

/// With a capacity, the oldest remembered message is forgotten first and may pass again.
#[test]
fn unseen_only_capacity_forgets_the_oldest_first() {
    // Remembers 2: after 1, 2, 3 it has forgotten 1 (but not 3).
    let out = through(UnseenOnly::new().capacity(2), [1, 2, 3, 3, 1, 2]);
    assert_eq!(out, [1, 2, 3, 1, 2]);
}

/// `unbounded` never forgets.
#[test]
fn unseen_only_unbounded_never_forgets() {
    let items: Vec<u32> = (0..1000).chain(0..1000).collect();
    let out = through(UnseenOnly::new().unbounded(), items);
    assert_eq!(out, (0..1000).collect::<Vec<_>>());
}

/// A capacity of 0 is refused, naming the component.
#[test]
#[should_panic(expected = "UnseenOnly::capacity must be at least 1")]
fn unseen_only_refuses_capacity_zero() {
    let _ = UnseenOnly::<u8>::new().capacity(0);
}

/// A `ProducerFinished` queued with data is seen after all of that data is checked.
#[test]
fn unseen_only_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(UnseenOnly::new(), [1, 1, 2]);
    assert_eq!(out, [1, 2]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn unseen_only_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(UnseenOnly::new(), [1, 1, 2]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// With room for every distinct item, the output is the input without repeats, in
    /// first-seen order.
    #[test]
    fn unseen_only_output_is_the_input_without_repeats(
        items in prop::collection::vec(0u8..20, 0..200),
    ) {
        let mut expected = Vec::new();
        for x in &items {
            if !expected.contains(x) {
                expected.push(*x);
            }
        }
        prop_assert_eq!(through(UnseenOnly::new().capacity(20), items), expected);
    }
}

// ---------------------------------------------------------------------------------------------
// SyncBatch
// ---------------------------------------------------------------------------------------------

/// The first message of each batch of `n` is sent when the batch is complete.
#[test]
fn sync_batch_sends_the_first_of_each_batch() {
    let mut h = Harness::new(SyncBatch::new(3));
    h.send_all([10, 11]);
    assert!(h.idle().is_empty(), "a batch is sent only when complete");
    h.send(12);
    assert_eq!(h.idle(), [10]);
}

/// `emit_last` sends the last message of each batch instead (what Kamaelia's code did).
#[test]
fn sync_batch_emit_last_sends_the_last_of_each_batch() {
    assert_eq!(through(SyncBatch::new(2).emit_last(), [1, 2, 3, 4]), [2, 4]);
}

/// Messages beyond a batch roll over into the next; none is ignored.
#[test]
fn sync_batch_excess_messages_roll_over() {
    assert_eq!(through(SyncBatch::new(2), [1, 2, 3, 4, 5, 6]), [1, 3, 5]);
}

/// The incomplete batch at end of stream is delivered (its first message) by default.
#[test]
fn sync_batch_delivers_the_partial_batch_at_end_of_stream() {
    assert_eq!(through(SyncBatch::new(3), [1, 2, 3, 4, 5]), [1, 4]);
    assert_eq!(
        through(SyncBatch::new(3).emit_last(), [1, 2, 3, 4, 5]),
        [3, 5]
    );
}

/// With `drop_partial`, the incomplete batch at end of stream is discarded.
#[test]
fn sync_batch_drop_partial_discards_the_incomplete_batch() {
    assert_eq!(
        through(SyncBatch::new(3).drop_partial(), [1, 2, 3, 4, 5]),
        [1]
    );
}

/// Several producers linked into one inbox are synchronised: one message once all have sent.
#[test]
fn sync_batch_waits_for_every_linked_producer() {
    let system = System::deterministic();
    let sync = SyncBatch::new(3);
    let mut producers: Vec<Outbox<Control>> = (0..3).map(|_| Outbox::new()).collect();
    for p in &producers {
        axon::link(p, &sync.inbox).unwrap();
    }
    let mut output = Inbox::unbounded();
    axon::link(&sync.outbox, &output).unwrap();
    let mut stop = Outbox::new();
    axon::link(&stop, &sync.control).unwrap();
    system.spawn(sync);
    let mut system = system;
    for (i, p) in producers.iter_mut().enumerate() {
        assert!(
            drain(&mut output).is_empty(),
            "sent after only {i} producers"
        );
        p.try_send(Control::ProducerFinished).unwrap();
        system.run_until_idle();
    }
    assert_eq!(drain(&mut output), [Control::ProducerFinished]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A batch size of 0 is refused, naming the component.
#[test]
#[should_panic(expected = "SyncBatch batch size n must be at least 1")]
fn sync_batch_refuses_size_zero() {
    let _ = SyncBatch::<u8>::new(0);
}

/// Data queued with `ProducerFinished` is counted and the partial batch delivered before the end.
#[test]
fn sync_batch_producer_finished_drains_and_flushes() {
    let (out, signal) = finished_with_queue(SyncBatch::new(2), [1, 2, 3]);
    assert_eq!(out, [1, 3]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` discards queued input and the incomplete batch and passes `Shutdown` on.
#[test]
fn sync_batch_shutdown_discards_the_incomplete_batch() {
    let mut h = Harness::new(SyncBatch::new(2));
    h.send_all([1, 2, 3]);
    assert_eq!(h.idle(), [1]);
    h.stop(Control::Shutdown);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// One message per batch of `n` (the partial one included), and it is the batch's first.
    #[test]
    fn sync_batch_sends_one_first_message_per_batch(
        items in prop::collection::vec(any::<u16>(), 0..300),
        n in 1usize..7,
    ) {
        let expected: Vec<u16> = items.chunks(n).map(|batch| batch[0]).collect();
        prop_assert_eq!(through(SyncBatch::new(n), items), expected);
    }
}
