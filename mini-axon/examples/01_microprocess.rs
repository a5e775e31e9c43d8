//! MiniAxon step 1: a microprocess is a resumable body plus its own context. Changing that
//! context between steps changes what the body does next.
//!
//! `cargo run -p mini-axon --example 01_microprocess`

use std::cell::RefCell;
use std::rc::Rc;

use mini_axon::microprocess::Microprocess;
use mini_axon::step0::yield_now;

fn main() {
    let tag = Rc::new(RefCell::new("first".to_string()));
    let seen = tag.clone();
    let mut mp = Microprocess::new("tagger", async move {
        for i in 0..4 {
            println!("{i}: tag is {}", seen.borrow());
            yield_now().await;
        }
    });
    mp.step();
    mp.step();
    *tag.borrow_mut() = "second".to_string(); // the context changed between steps
    while !mp.step() {}
}
