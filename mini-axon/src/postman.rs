//! Step 4: a postman — a microprocess that moves messages between components.
//!
//! Components only touch their own boxes, so something else must carry messages from one's
//! outbox to another's inbox. Kamaelia's first answer was a postman: one more microprocess that,
//! each time it runs, moves whatever it finds. (The real Axon later dropped the postman: a link
//! makes `send` deliver straight into the destination inbox, saving a hop per message.)
//!
//! ```
//! use mini_axon::{component::Component, postman::Postman, scheduler::Scheduler};
//! let a = Component::new("a", &[], &["outbox"]);
//! let b = Component::new("b", &["inbox"], &[]);
//! a.send("outbox", "x".to_string());
//! let mut s = Scheduler::new();
//! s.activate(Postman::new(&a, "outbox", &b, "inbox").microprocess());
//! s.run_round();
//! assert_eq!(b.recv("inbox").as_deref(), Some("x"));
//! ```

use crate::component::Component;
use crate::microprocess::Microprocess;
use crate::step0::yield_now;

/// Carries messages from `(source, outbox)` to `(sink, inbox)` for as long as it runs.
#[derive(Debug)]
pub struct Postman {
    source: Component,
    outbox: String,
    sink: Component,
    inbox: String,
}

impl Postman {
    /// A postman for one route.
    pub fn new(source: &Component, outbox: &str, sink: &Component, inbox: &str) -> Self {
        Postman {
            source: source.clone(),
            outbox: outbox.into(),
            sink: sink.clone(),
            inbox: inbox.into(),
        }
    }

    /// The postman's body: every round, move everything waiting, then yield. It never ends on
    /// its own (the toy scheduler is run for a number of rounds).
    pub fn microprocess(self) -> Microprocess {
        let name = format!(
            "postman {}.{} -> {}.{}",
            self.source.name(),
            self.outbox,
            self.sink.name(),
            self.inbox
        );
        Microprocess::new(name, async move {
            loop {
                while let Some(m) = self.source.collect(&self.outbox) {
                    self.sink.deliver(&self.inbox, m);
                }
                yield_now().await;
            }
        })
    }
}
