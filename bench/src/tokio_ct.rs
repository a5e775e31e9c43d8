//! `impl=tokio-ct`: the hand-written baseline.
//!
//! One tokio task per component on a fresh tokio `current_thread` runtime per call; every link is a
//! `tokio::sync::mpsc::channel(LINK_CAPACITY)` (128). A component ends when its input closes, and
//! dropping its output closes the next component's input, so shutdown is plain channel closure.
//! Where several components feed one (the W2 merge), they share clones of one `Sender`.

use std::time::Instant;

use tokio::runtime::{Builder, Runtime};
use tokio::sync::mpsc::{self, Receiver, Sender};
use tokio::task::JoinHandle;

use crate::measure;
use crate::outcome::{ChainOutcome, FlowOutcome, RingOutcome, CHAIN_MESSAGE, LINK_CAPACITY};

/// W1: source → `stages` pass-through stages → summing sink, `n` messages.
pub fn w1_pipeline(n: u64, stages: usize) -> FlowOutcome {
    runtime().block_on(async move {
        let (source_tx, mut rx) = link();
        for _ in 0..stages {
            let (tx, next_rx) = link();
            tokio::spawn(pass_through(rx, tx));
            rx = next_rx;
        }
        let sink = tokio::spawn(summing_sink(rx));
        let source = tokio::spawn(counting_source(n, source_tx));
        finish_flow(source, sink).await
    })
}

/// W2: source → round-robin splitter → `workers` pass-through workers → merge → summing sink,
/// `n` messages.
pub fn w2_fan_out_in(n: u64, workers: usize) -> FlowOutcome {
    runtime().block_on(async move {
        let (source_tx, splitter_rx) = link();
        let (merge_tx, merge_rx) = link();
        let (sink_tx, sink_rx) = link();
        let mut worker_txs = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (tx, rx) = link();
            tokio::spawn(pass_through(rx, merge_tx.clone()));
            worker_txs.push(tx);
        }
        // The workers hold the only clones now, so the merge's input closes when they all end.
        drop(merge_tx);
        tokio::spawn(round_robin_splitter(splitter_rx, worker_txs));
        tokio::spawn(pass_through(merge_rx, sink_tx));
        let sink = tokio::spawn(summing_sink(sink_rx));
        let source = tokio::spawn(counting_source(n, source_tx));
        finish_flow(source, sink).await
    })
}

/// A message on the W3 ring.
#[derive(Debug, Clone, Copy)]
enum Token {
    /// The token, carrying the number of hops still to make.
    Count(u64),
    /// The stop value sent round the ring after completion.
    Stop,
}

/// W3: a ring of `ring_size` stages passing one token `hops` times (rules in
/// [`RingOutcome`]).
///
/// # Panics
///
/// If `ring_size` is 0.
pub fn w3_ring(hops: u64, ring_size: usize) -> RingOutcome {
    assert!(ring_size > 0, "a ring needs at least one stage");
    runtime().block_on(async move {
        let (done_tx, mut done_rx) = mpsc::channel(1);
        let (txs, rxs): (Vec<Sender<Token>>, Vec<Receiver<Token>>) =
            (0..ring_size).map(|_| link()).unzip();
        let stages: Vec<_> = rxs
            .into_iter()
            .enumerate()
            .map(|(index, rx)| {
                let next = txs[(index + 1) % ring_size].clone();
                tokio::spawn(ring_stage(index, rx, next, done_tx.clone()))
            })
            .collect();
        let first_tx = txs[0].clone();
        drop(txs);
        drop(done_tx);

        let start = Instant::now();
        first_tx
            .send(Token::Count(hops))
            .await
            .expect("ring stage 0 is running");
        drop(first_tx);
        let (finisher, end) = done_rx
            .recv()
            .await
            .expect("a ring stage signals completion");

        let mut total_hops = 0;
        let mut stages_ended = 0;
        for stage in stages {
            if let Ok(stage_hops) = stage.await {
                total_hops += stage_hops;
                stages_ended += 1;
            }
        }
        RingOutcome {
            elapsed: end - start,
            hops: total_hops,
            finisher,
            stages_ended,
        }
    })
}

/// W4: spawn and link a chain of `n` pass-through components, send one message through, then close
/// the head and wait until every component has ended (rules in [`ChainOutcome`]).
pub fn w4_spawn_chain(n: usize) -> ChainOutcome {
    runtime().block_on(async move {
        let before = measure::live_heap_bytes();
        let spawn_start = Instant::now();
        // Keeping a handle per component is how this baseline waits for every one to end, so its
        // memory counts as part of the per-component cost.
        let mut components = Vec::with_capacity(n);
        let (head, mut rx) = link();
        for _ in 0..n {
            let (tx, next_rx) = link();
            components.push(tokio::spawn(pass_through(rx, tx)));
            rx = next_rx;
        }
        let mut tail = rx;
        let spawn = spawn_start.elapsed();
        let bytes_spawned = measure::live_heap_bytes() - before;

        let traverse_start = Instant::now();
        head.send(CHAIN_MESSAGE).await.expect("the head is running");
        let delivered = tail.recv().await;
        let traverse = traverse_start.elapsed();

        let shutdown_start = Instant::now();
        drop(head);
        let mut ended = 0;
        for component in components {
            if component.await.is_ok() {
                ended += 1;
            }
        }
        let shutdown = shutdown_start.elapsed();
        // Every component has ended, so the tail must now be closed and empty.
        let extra = tail.recv().await;

        ChainOutcome {
            spawn,
            traverse,
            shutdown,
            bytes_spawned,
            delivered: delivered.filter(|_| extra.is_none()),
            ended,
        }
    })
}

/// W4 again, with each stage following the control convention the axon chain follows (the
/// reference line `impl=tokio-ct-control`, not the baseline): a data link and a control link
/// into every stage, control polled first; on "finished" a stage passes on what is still
/// waiting, then the signal, and ends. Two channels per stage where the baseline has one, which
/// is what the axon chain's `inbox`/`control` and `outbox`/`signal` pairs cost in tokio.
pub fn w4_spawn_chain_with_control(n: usize) -> ChainOutcome {
    runtime().block_on(async move {
        let before = measure::live_heap_bytes();
        let spawn_start = Instant::now();
        let mut components = Vec::with_capacity(n);
        let (head, mut rx) = link();
        let (head_control, mut control_rx) = link();
        for _ in 0..n {
            let (tx, next_rx) = link();
            let (signal, next_control_rx) = link();
            components.push(tokio::spawn(controlled_pass_through(
                rx, control_rx, tx, signal,
            )));
            (rx, control_rx) = (next_rx, next_control_rx);
        }
        let (mut tail, mut tail_control) = (rx, control_rx);
        let spawn = spawn_start.elapsed();
        let bytes_spawned = measure::live_heap_bytes() - before;

        let traverse_start = Instant::now();
        head.send(CHAIN_MESSAGE).await.expect("the head is running");
        let delivered = tail.recv().await;
        let traverse = traverse_start.elapsed();

        let shutdown_start = Instant::now();
        head_control
            .send(Finished)
            .await
            .expect("the head is running");
        let mut ended = 0;
        for component in components {
            if component.await.is_ok() {
                ended += 1;
            }
        }
        let shutdown = shutdown_start.elapsed();
        let finished = tail_control.recv().await.is_some();
        let extra = tail.try_recv().ok();
        ChainOutcome {
            spawn,
            traverse,
            shutdown,
            bytes_spawned,
            delivered: delivered.filter(|_| extra.is_none() && finished),
            ended,
        }
    })
}

/// The control message of [`w4_spawn_chain_with_control`]: the producer has finished.
#[derive(Debug, Clone, Copy)]
struct Finished;

/// A pass-through stage with a control input that takes priority: on [`Finished`] it passes
/// on what is waiting, then [`Finished`], and ends.
async fn controlled_pass_through<T>(
    mut rx: Receiver<T>,
    mut control: Receiver<Finished>,
    tx: Sender<T>,
    signal: Sender<Finished>,
) {
    loop {
        let event = std::future::poll_fn(|cx| match control.poll_recv(cx) {
            std::task::Poll::Ready(finished) => std::task::Poll::Ready(Err(finished)),
            std::task::Poll::Pending => rx.poll_recv(cx).map(Ok),
        })
        .await;
        match event {
            Ok(Some(message)) => {
                if tx.send(message).await.is_err() {
                    return;
                }
            }
            Err(Some(Finished)) => {
                while let Ok(message) = rx.try_recv() {
                    if tx.send(message).await.is_err() {
                        return;
                    }
                }
                // The next stage may have ended already; this one ends either way.
                signal.send(Finished).await.ok();
                return;
            }
            Ok(None) | Err(None) => return,
        }
    }
}

/// A fresh single-threaded runtime; only the task scheduler is needed (no I/O or time driver).
fn runtime() -> Runtime {
    Builder::new_current_thread()
        .build()
        .expect("building a tokio current_thread runtime")
}

/// One bounded link.
fn link<T>() -> (Sender<T>, Receiver<T>) {
    mpsc::channel(LINK_CAPACITY)
}

/// Awaits the source (which returns when it started) and the sink (count, sum and when it ended).
async fn finish_flow(
    source: JoinHandle<Instant>,
    sink: JoinHandle<(u64, u64, Instant)>,
) -> FlowOutcome {
    let start = source.await.expect("the source task completes");
    let (count, sum, end) = sink.await.expect("the sink task completes");
    FlowOutcome {
        elapsed: end - start,
        count,
        sum,
    }
}

/// Sends `0..n`, then ends (closing its output). Returns the instant just before the first send.
async fn counting_source(n: u64, tx: Sender<u64>) -> Instant {
    let start = Instant::now();
    for value in 0..n {
        if tx.send(value).await.is_err() {
            break;
        }
    }
    start
}

/// Forwards every message until its input closes or its output's receiver is gone.
async fn pass_through<T>(mut rx: Receiver<T>, tx: Sender<T>) {
    while let Some(message) = rx.recv().await {
        if tx.send(message).await.is_err() {
            break;
        }
    }
}

/// Deals messages to `outputs` in turn.
async fn round_robin_splitter(mut rx: Receiver<u64>, outputs: Vec<Sender<u64>>) {
    let mut next = 0;
    while let Some(message) = rx.recv().await {
        if outputs[next].send(message).await.is_err() {
            break;
        }
        next += 1;
        if next == outputs.len() {
            next = 0;
        }
    }
}

/// Counts and sums (wrapping) its input; returns them with the instant its input ended.
async fn summing_sink(mut rx: Receiver<u64>) -> (u64, u64, Instant) {
    let mut count = 0_u64;
    let mut sum = 0_u64;
    while let Some(value) = rx.recv().await {
        count += 1;
        sum = sum.wrapping_add(value);
    }
    (count, sum, Instant::now())
}

/// One W3 ring stage; returns the number of hops it made.
async fn ring_stage(
    index: usize,
    mut rx: Receiver<Token>,
    tx: Sender<Token>,
    done: Sender<(usize, Instant)>,
) -> u64 {
    let mut hops = 0;
    while let Some(token) = rx.recv().await {
        match token {
            Token::Count(0) => {
                let end = Instant::now();
                done.send((index, end))
                    .await
                    .expect("the driver waits for completion");
                // The next stage is alive: nothing has stopped yet.
                tx.send(Token::Stop)
                    .await
                    .expect("the next stage is running");
            }
            Token::Count(left) => {
                hops += 1;
                if tx.send(Token::Count(left - 1)).await.is_err() {
                    break;
                }
            }
            Token::Stop => {
                // The next stage has already ended if it started the stop lap; that is fine.
                let _forwarded = tx.send(Token::Stop).await.is_ok();
                break;
            }
        }
    }
    hops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::expected_sum;

    #[test]
    fn w1_small() {
        let out = w1_pipeline(1000, 10);
        assert_eq!((out.count, out.sum), (1000, expected_sum(1000)));
    }

    #[test]
    fn w2_small() {
        let out = w2_fan_out_in(1001, 8);
        assert_eq!((out.count, out.sum), (1001, expected_sum(1001)));
    }

    #[test]
    fn w3_small() {
        for (hops, ring) in [(0, 1), (5, 1), (2500, 100), (99, 100)] {
            let out = w3_ring(hops, ring);
            assert_eq!(out.hops, hops);
            assert_eq!(out.finisher, usize::try_from(hops).unwrap() % ring);
            assert_eq!(out.stages_ended, ring);
        }
    }

    #[test]
    fn w4_with_control_small() {
        let out = w4_spawn_chain_with_control(1000);
        assert_eq!(out.delivered, Some(CHAIN_MESSAGE));
        assert_eq!(out.ended, 1000);
        assert!(out.bytes_spawned > 0);
    }

    #[test]
    fn w4_small() {
        let out = w4_spawn_chain(1000);
        assert_eq!(out.delivered, Some(CHAIN_MESSAGE));
        assert_eq!(out.ended, 1000);
        assert!(out.bytes_spawned > 0);
    }
}
