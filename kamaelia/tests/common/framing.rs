//! Helpers for the framing tests (`protocol_framing.rs`, `protocol_framing_chunks.rs`,
//! `protocol_framing_order.rs`): cutting a stream and decoding the pieces, running a component
//! to the end, collecting its extra outboxes and reports, and byte strategies for the property
//! tests.

use axon::{Control, Inbox, Outbox, System, TrySendError};
use kamaelia::protocol::framing::codec::Decoder;
use kamaelia::Stage;
use proptest::prelude::*;

use super::{drain, harness};

/// `bytes` cut at `points` (each taken modulo the length + 1).
pub(crate) fn cut<'a>(bytes: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = points.iter().map(|p| p % (bytes.len() + 1)).collect();
    at.sort_unstable();
    let mut pieces = Vec::new();
    let mut from = 0;
    for p in at {
        pieces.push(&bytes[from..p]);
        from = p;
    }
    pieces.push(&bytes[from..]);
    pieces
}

/// Everything `decoder` gives for `pieces` then the end of the stream, checking after every
/// push that it holds no more than its limit.
pub(crate) fn decode_all<D: Decoder>(
    mut decoder: D,
    pieces: &[&[u8]],
) -> Vec<Result<D::Item, D::Error>> {
    let mut got = Vec::new();
    for piece in pieces {
        decoder.push(piece);
        assert!(
            decoder.buffered() <= decoder.buffer_limit(),
            "holds {} bytes, limit {}",
            decoder.buffered(),
            decoder.buffer_limit()
        );
        got.extend(std::iter::from_fn(|| decoder.pop()));
    }
    decoder.finish();
    got.extend(std::iter::from_fn(|| decoder.pop()));
    got
}

/// Sends `msg` to `out`, letting the system run while the destination is full.
pub(crate) fn feed<T: Send + 'static>(system: &mut System, out: &mut Outbox<T>, msg: T) {
    let mut msg = msg;
    loop {
        match out.try_send(msg) {
            Ok(()) => return,
            Err(TrySendError::Full(back)) => {
                msg = back;
                system.run_until_idle();
            }
            Err(e) => panic!("cannot feed the component: {e}"),
        }
    }
}

/// Runs `stage` on a deterministic system: sends `items`, then `end`, and runs until everything
/// has ended; returns what it sent on `outbox` and `signal`.
pub(crate) fn run<S: Stage>(
    stage: S,
    items: impl IntoIterator<Item = S::In>,
    end: Control,
) -> (Vec<S::Out>, Vec<Control>) {
    let mut system = System::deterministic();
    let mut h = harness(&system, stage);
    for item in items {
        feed(&mut system, &mut h.input, item);
    }
    h.control.try_send(end).unwrap();
    system.run().expect("the component should end");
    assert_eq!(system.live(), 0);
    (drain(&mut h.output), drain(&mut h.signal))
}

/// A collector for an extra outbox, linked before the component runs.
pub(crate) fn collect<T: Send + 'static>(outbox: &Outbox<T>) -> Inbox<T> {
    let inbox = Inbox::unbounded();
    axon::link(outbox, &inbox).unwrap();
    inbox
}

/// The one `Failed` reason in `signal`.
pub(crate) fn failure(signal: &[Control]) -> String {
    assert_eq!(signal.len(), 1, "signal: {signal:?}");
    signal[0]
        .failure()
        .unwrap_or_else(|| panic!("expected Failed, got {:?}", signal[0]))
        .to_string()
}

pub(crate) fn bytes(v: &[&str]) -> Vec<Vec<u8>> {
    v.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// Runs `stage` with its `outbox` read through a one-message inbox, one message at a time, and
/// `reports` (linked to its `errors`, see [`collect`]) read after every step. All of `items` are
/// queued before it runs, then `ProducerFinished`. Returns what arrived, outputs as `Ok` and
/// reports as `Err`, in the order the test saw them: a report sent after an output cannot be
/// seen before it.
pub(crate) fn outputs_and_reports_as_seen<S: Stage, E: Send + 'static>(
    stage: S,
    mut reports: Inbox<E>,
    items: impl IntoIterator<Item = S::In>,
) -> Vec<Result<S::Out, E>> {
    let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::with_capacity(1));
    axon::link(&input, stage.inbox()).unwrap();
    axon::link(&stop, stage.control()).unwrap();
    axon::link(stage.outbox(), &output).unwrap();
    let mut system = System::deterministic();
    system.spawn(stage);
    for item in items {
        assert!(input.try_send(item).is_ok(), "cannot queue an item");
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    let mut seen = Vec::new();
    for _ in 0..100 {
        system.run_until_idle();
        let out = output.try_recv().ok();
        let done = out.is_none() && system.live() == 0;
        seen.extend(out.map(Ok));
        seen.extend(drain(&mut reports).into_iter().map(Err));
        if done {
            return seen;
        }
    }
    panic!("the component did not end ({} messages seen)", seen.len());
}

/// Up to `max` bytes, about half of them taken from `special` (cheap to generate: one `u8`
/// per byte).
pub(crate) fn rich_bytes(special: &'static [u8], max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(move |v| {
        v.into_iter()
            .map(|b| match b {
                0..=127 => special[usize::from(b) % special.len()],
                _ => b,
            })
            .collect()
    })
}
