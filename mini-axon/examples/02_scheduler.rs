//! MiniAxon step 2: a scheduler steps every active microprocess each round and forgets those
//! that have finished.
//!
//! `cargo run -p mini-axon --example 02_scheduler`

use mini_axon::microprocess::Microprocess;
use mini_axon::scheduler::Scheduler;
use mini_axon::step0::yield_now;

fn counter(name: &'static str, n: u32) -> Microprocess {
    Microprocess::new(name, async move {
        for i in 0..n {
            println!("{name}: {i}");
            yield_now().await;
        }
        println!("{name}: done");
    })
}

fn main() {
    let mut scheduler = Scheduler::new();
    scheduler.activate(counter("short", 2));
    scheduler.activate(counter("long", 4));
    let mut round = 0;
    loop {
        round += 1;
        let left = scheduler.run_round();
        println!("-- round {round}: {left} still active");
        if left == 0 {
            break;
        }
    }
}
