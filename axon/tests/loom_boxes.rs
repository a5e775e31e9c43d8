//! Model checking of the box and link protocols with [loom](https://docs.rs/loom).
//!
//! Built only with the `axon_loom` cfg, which swaps the box locks, the box atomics and the
//! topology lock for loom's (see `src/lock.rs` and `src/link.rs`). Run with
//!
//! ```text
//! RUSTFLAGS="--cfg axon_loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p axon --test loom_boxes --release
//! ```
//!
//! The scenarios with two threads are explored exhaustively. The three-thread one is bounded to
//! one preemption so that it finishes in seconds; `LOOM_MAX_PREEMPTIONS=2` explores it deeper
//! (about two million interleavings, a couple of minutes in release). Only boxes and links are
//! exercised: no `System`, no scheduler.
#![cfg(axon_loom)]

use axon::{forward_inbox, link, Inbox, Outbox, TryRecvError};
use loom::future::block_on;
use loom::thread;

/// Explores every interleaving of `f` with at most `preemptions` preemptions (`None`: no bound,
/// an exhaustive search). `LOOM_MAX_PREEMPTIONS` overrides the bound for a deeper run.
fn check(preemptions: Option<usize>, f: impl Fn() + Send + Sync + 'static) {
    let mut builder = loom::model::Builder::new();
    if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_none() {
        builder.preemption_bound = preemptions;
    }
    builder.check(f);
}

/// Everything waiting in `inbox`, in order.
fn drain(inbox: &mut Inbox<u32>) -> Vec<u32> {
    let mut got = Vec::new();
    loop {
        match inbox.try_recv() {
            Ok(m) => got.push(m),
            Err(TryRecvError::Empty) => return got,
            Err(TryRecvError::Closed) => panic!("inbox closed"),
        }
    }
}

/// Two producers sharing a one-slot inbox with one consumer: every message arrives exactly once,
/// each producer's in its send order, and no wake-up is lost (the model never deadlocks).
#[test]
fn two_producers_one_slot_inbox_deliver_each_message_once_in_order() {
    check(Some(1), || {
        let mut inbox = Inbox::with_capacity(1);
        let mut a = Outbox::new();
        let mut b = Outbox::new();
        link(&a, &inbox).unwrap();
        link(&b, &inbox).unwrap();
        let pa = thread::spawn(move || {
            block_on(async {
                a.send(1u32).await.unwrap();
                a.send(2).await.unwrap();
            })
        });
        let pb = thread::spawn(move || {
            block_on(async {
                b.send(11u32).await.unwrap();
                b.send(12).await.unwrap();
            })
        });
        let got: Vec<u32> = (0..4).map(|_| block_on(inbox.recv()).unwrap()).collect();
        pa.join().unwrap();
        pb.join().unwrap();
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [1, 2, 11, 12], "lost or duplicated: {got:?}");
        let from_a: Vec<u32> = got.iter().copied().filter(|&m| m < 10).collect();
        let from_b: Vec<u32> = got.iter().copied().filter(|&m| m > 10).collect();
        assert_eq!(from_a, [1, 2], "producer a reordered: {got:?}");
        assert_eq!(from_b, [11, 12], "producer b reordered: {got:?}");
        assert_eq!(inbox.try_recv(), Err(TryRecvError::Empty));
    });
}

/// A consumer waiting in `recv` on an empty inbox always gets a message sent with `try_send`
/// concurrently (no lost wake-up between parking and delivery).
#[test]
fn waiting_consumer_always_receives_racing_try_send() {
    check(None, || {
        let mut inbox = Inbox::with_capacity(1);
        let mut out = Outbox::new();
        link(&out, &inbox).unwrap();
        let consumer = thread::spawn(move || block_on(inbox.recv()));
        out.try_send(7u32).unwrap();
        assert_eq!(consumer.join().unwrap(), Some(7));
    });
}

/// While an outbox is moved from inbox A to inbox B under a sending producer, each message ends
/// up exactly once in A or B (held ones are flushed into B), and A's then B's messages are in
/// send order.
#[test]
fn relink_during_send_loses_nothing_and_keeps_order() {
    check(None, || {
        // A holds one message, so a second send may be waiting for space in A when the unlink
        // happens and must be woken to re-route; B has room for both.
        let mut a = Inbox::with_capacity(1);
        let mut b = Inbox::with_capacity(2);
        let mut out = Outbox::new();
        let to_a = link(&out, &a).unwrap();
        let out_ref = out.handle();
        let b_ref = b.handle();
        let producer = thread::spawn(move || {
            block_on(async {
                out.send(1u32).await.unwrap();
                out.send(2).await.unwrap();
            });
            out
        });
        to_a.unlink();
        link(&out_ref, &b_ref).unwrap();
        let out = producer.join().unwrap();
        let in_a = drain(&mut a);
        let in_b = drain(&mut b);
        let all: Vec<u32> = in_a.iter().chain(&in_b).copied().collect();
        assert_eq!(all, [1, 2], "A got {in_a:?}, B got {in_b:?}");
        assert_eq!(out.sent(), 2);
        assert_eq!(out.discarded(), 0);
        assert_eq!(out.backlog(), 0, "messages left held by the outbox");
    });
}

/// An inbox forwarded (`forward_inbox`) while a producer sends into it: both messages end up in
/// the inner inbox, in send order, whether they arrived before the forward (and were flushed)
/// or after it.
#[test]
fn forward_inbox_during_send_moves_everything_in_order() {
    check(None, || {
        // `outer` holds one message, so the second send may be waiting for space in it when
        // the forward happens and must be woken to re-route.
        let mut outer = Inbox::with_capacity(1);
        let mut inner = Inbox::with_capacity(2);
        let mut out = Outbox::new();
        link(&out, &outer).unwrap();
        let producer = thread::spawn(move || {
            block_on(async {
                out.send(1u32).await.unwrap();
                out.send(2).await.unwrap();
            })
        });
        forward_inbox(&outer, &inner).unwrap();
        producer.join().unwrap();
        assert_eq!(drain(&mut inner), [1, 2]);
        assert_eq!(outer.try_recv(), Err(TryRecvError::Empty));
    });
}

/// Two messages sent through an `InboxRef` while its inbox is being forwarded end up in the
/// inner inbox in send order.
///
/// This once found a real reordering: a send resolving to `inner` between the forward taking
/// `outer`'s waiting messages and appending them there landed first (`[2, 1]`). An `InboxRef`
/// now resolves a forwarded inbox's chain under the topology lock, as outboxes do.
#[test]
fn forward_inbox_during_inbox_ref_send_keeps_order() {
    check(None, || {
        let outer = Inbox::with_capacity(2);
        let mut inner = Inbox::with_capacity(2);
        let outer_ref = outer.handle();
        let producer = thread::spawn(move || {
            block_on(async {
                outer_ref.send(1u32).await.unwrap();
                outer_ref.send(2).await.unwrap();
            })
        });
        forward_inbox(&outer, &inner).unwrap();
        producer.join().unwrap();
        assert_eq!(drain(&mut inner), [1, 2]);
    });
}
