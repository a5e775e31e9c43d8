//! MiniAxon step 4: a postman carries messages from a producer's outbox to a consumer's inbox,
//! so neither needs to know about the other.
//!
//! `cargo run -p mini-axon --example 04_postman`

use mini_axon::component::Component;
use mini_axon::postman::Postman;
use mini_axon::scheduler::Scheduler;
use mini_axon::step0::yield_now;

fn main() {
    let producer = Component::new("producer", &[], &["outbox"]);
    let consumer = Component::new("consumer", &["inbox"], &[]);
    let mut scheduler = Scheduler::new();

    let p = producer.clone();
    scheduler.activate(producer.microprocess(async move {
        for i in 0..5 {
            p.send("outbox", format!("Hello World {i}"));
            yield_now().await;
        }
    }));
    let c = consumer.clone();
    scheduler.activate(consumer.microprocess(async move {
        let mut got = 0;
        let mut loops = 0;
        while got < 5 {
            loops += 1;
            if let Some(m) = c.recv("inbox") {
                got += 1;
                println!("consumer got {m:?} (loop {loops})");
            }
            yield_now().await;
        }
    }));
    scheduler.activate(Postman::new(&producer, "outbox", &consumer, "inbox").microprocess());
    scheduler.run_rounds(20);
}
