//! # MiniAxon: build your own Axon
//!
//! The Europython '09 tutorial started by building a toy Axon in about a hundred lines, so that
//! nothing in the real one is magic. This crate is that toy, in Rust and with no dependencies,
//! built up in the same steps. Read the modules in order; each has a runnable example in
//! `mini-axon/examples/` (`cargo run -p mini-axon --example 03_component`).
//!
//! | step | module | example | idea |
//! |---|---|---|---|
//! | 0 | [`step0`] | `00_resumable` | an `async` block is a resumable function; polling several in turn is concurrency |
//! | 1 | [`microprocess`] | `01_microprocess` | a microprocess: a resumable body plus its own state |
//! | 2 | [`scheduler`] | `02_scheduler` | a scheduler: a loop that polls every microprocess until each is done |
//! | 3 | [`component`] | `03_component` | a component: a microprocess with named inboxes and outboxes (queues) |
//! | 4 | [`postman`] | `04_postman` | a postman: a microprocess that moves messages from an outbox to an inbox |
//! | 5 | — | `05_file_sender` | real I/O: a file reader and a UDP sender joined by a postman |
//!
//! The real `axon` replaces each piece with a faster, safer one — the postman by links that
//! deliver straight into the final inbox, polling everything by waking only what has work,
//! unbounded lists by bounded boxes — but the shape is the same.
//!
//! ```
//! use mini_axon::{component::Component, postman::Postman, scheduler::Scheduler};
//!
//! let producer = Component::new("producer", &[], &["outbox"]);
//! let consumer = Component::new("consumer", &["inbox"], &[]);
//! let mut scheduler = Scheduler::new();
//! let (p, c) = (producer.clone(), consumer.clone());
//! scheduler.activate(producer.microprocess(async move {
//!     p.send("outbox", "hello".to_string());
//! }));
//! scheduler.activate(Postman::new(&producer, "outbox", &consumer, "inbox").microprocess());
//! scheduler.run_rounds(10);
//! assert_eq!(c.recv("inbox").as_deref(), Some("hello"));
//! ```

pub mod component;
pub mod microprocess;
pub mod postman;
pub mod scheduler;
pub mod step0;
