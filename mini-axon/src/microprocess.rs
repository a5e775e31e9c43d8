//! Step 1: a microprocess — a resumable body plus the context it runs in.
//!
//! In Kamaelia a microprocess is an object whose `main()` is a generator, so the body can keep
//! state in `self`. Here it is a boxed future with a name; the state it needs is captured by the
//! `async move` block (or shared through `Rc<RefCell<..>>` when something outside must see it).
//!
//! ```
//! use mini_axon::microprocess::Microprocess;
//! use mini_axon::step0::yield_now;
//! let mut mp = Microprocess::new("counter", async {
//!     for _ in 0..2 { yield_now().await; }
//! });
//! assert!(!mp.step()); // not finished yet
//! assert!(!mp.step());
//! assert!(mp.step()); // finished
//! ```

use std::future::Future;
use std::pin::Pin;

use crate::step0::poll_once;

/// A named resumable body.
pub struct Microprocess {
    name: String,
    body: Pin<Box<dyn Future<Output = ()>>>,
}

impl std::fmt::Debug for Microprocess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Microprocess")
            .field("name", &self.name)
            .finish()
    }
}

impl Microprocess {
    /// A microprocess named `name` running `body`.
    pub fn new(name: impl Into<String>, body: impl Future<Output = ()> + 'static) -> Self {
        Microprocess {
            name: name.into(),
            body: Box::pin(body),
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the body until its next `.await` that is not ready; true once the body has ended.
    pub fn step(&mut self) -> bool {
        poll_once(self.body.as_mut()).is_ready()
    }
}
