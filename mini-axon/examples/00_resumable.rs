//! MiniAxon step 0: resumable functions, and concurrency from polling several in turn.
//!
//! `cargo run -p mini-axon --example 00_resumable`

use mini_axon::step0::{poll_once, yield_now};

async fn printer(tag: &'static str, times: u32) {
    for i in 0..times {
        println!("{tag} {i}");
        yield_now().await; // give the others a turn
    }
}

fn main() {
    // A Fibonacci "generator": state kept across resumptions, one value per step.
    let fib = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let out = fib.clone();
    let mut gen = Box::pin(async move {
        let (mut a, mut b) = (0u64, 1u64);
        loop {
            out.set(a);
            (a, b) = (b, a + b);
            yield_now().await;
        }
    });
    for _ in 0..10 {
        assert!(
            poll_once(gen.as_mut()).is_pending(),
            "the generator never ends"
        );
        print!("{} ", fib.get());
    }
    println!();

    // A list of resumable functions stepped round-robin: they interleave.
    let mut running = vec![Box::pin(printer("hello", 3)), Box::pin(printer("world", 3))];
    while !running.is_empty() {
        running.retain_mut(|p| poll_once(p.as_mut()).is_pending());
    }
}
