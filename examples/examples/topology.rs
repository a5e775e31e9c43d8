//! Looking at a running system: its topology as Graphviz DOT and as Mermaid, the message rate
//! of every box, and a live change stream in the text format of Kamaelia's AxonVisualiser.
//!
//! ```text
//! cargo run -p examples --example topology                 # everything, on standard output
//! cargo run -p examples --example topology -- --dot > topology.dot
//! dot -Tsvg topology.dot > topology.svg                     # needs Graphviz; open the SVG
//! cargo run -p examples --example topology -- --mermaid     # paste into a ```mermaid block
//! ```
//!
//! The system watched is a pipeline of a clock (a tick every 50 ms, 40 ticks), a squarer and a
//! sink. The example takes two snapshots half a second apart and prints the DOT and Mermaid
//! drawings of the later one and the rates between them; then it runs
//! `Pipeline(Introspector, AxonVisualiserLines, ConsoleEchoer)` for a few seconds, which prints
//! the whole topology as `ADD NODE` / `ADD LINK` lines and then, when the clock's pipeline
//! finishes, the `DEL LINK` / `DEL NODE` lines of its departure.

use std::time::Duration;

use axon::System;
use kamaelia::chassis::Pipeline;
use kamaelia::util::flow::Clock;
use kamaelia::util::sources::{ConsoleEchoer, NullSink};
use kamaelia::util::transforms::PureTransformer;
use kamaelia::util::{AxonVisualiserLines, Introspector};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn main() {
    let only = std::env::args().nth(1);
    let mut system = System::new();
    system.spawn(
        Pipeline::new(Clock::new(ms(50)).limit(40))
            .then(PureTransformer::new(|n: u64| Some(n * n)))
            .then(NullSink::new()),
    );
    system.start();
    std::thread::sleep(ms(200));
    let before = system.snapshot();
    std::thread::sleep(ms(500));
    let after = system.snapshot();
    let rates = after.rates_since(&before);

    match only.as_deref() {
        Some("--dot") => print!("{}", after.to_dot()),
        Some("--mermaid") => print!("{}", after.to_mermaid()),
        _ => {
            println!("--- Graphviz DOT (render with: dot -Tsvg topology.dot > topology.svg)");
            print!("{}", after.to_dot());
            println!("--- Mermaid");
            print!("{}", after.to_mermaid());
            println!(
                "--- messages per second over {:.2?}, busy boxes",
                rates.elapsed
            );
            for b in rates.boxes.iter().filter(|b| b.messages_in > 0) {
                println!("{b}");
            }
            println!("--- Pipeline(Introspector, AxonVisualiserLines, ConsoleEchoer)");
            system.spawn(
                Pipeline::new(Introspector::new().interval(ms(500)).without_states())
                    .then(AxonVisualiserLines::new())
                    .then(ConsoleEchoer::new()),
            );
            std::thread::sleep(ms(2500));
        }
    }
    let report = system.shutdown(Duration::from_secs(2));
    if !report.cancelled.is_empty() {
        eprintln!("cancelled at shutdown: {:?}", report.cancelled);
    }
}
