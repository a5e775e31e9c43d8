//! MiniAxon step 3: components have named boxes; a body reads its inboxes and writes its
//! outboxes, never anyone else's.
//!
//! `cargo run -p mini-axon --example 03_component`

use mini_axon::component::Component;
use mini_axon::scheduler::Scheduler;
use mini_axon::step0::yield_now;

fn main() {
    let shouter = Component::new("shouter", &["inbox"], &["outbox"]);
    for word in ["hello", "component", "world"] {
        shouter.deliver("inbox", word.to_string());
    }
    let me = shouter.clone();
    let mut scheduler = Scheduler::new();
    scheduler.activate(shouter.microprocess(async move {
        while me.data_ready("inbox") {
            let word = me.recv("inbox").expect("data was ready");
            me.send("outbox", word.to_uppercase());
            yield_now().await;
        }
    }));
    scheduler.run_rounds(10);
    while let Some(m) = shouter.collect("outbox") {
        println!("{m}");
    }
}
