//! Step 0: resumable functions.
//!
//! Kamaelia started from Python generators: a function that can stop part-way (`yield`) and be
//! resumed later. In Rust an `async` block is such a function: each `.await` on something that
//! is not ready gives control back to whoever is polling it, and the next poll resumes it
//! exactly there. Poll several in turn and they run concurrently, interleaved, on one thread.
//!
//! ```
//! use mini_axon::step0::{poll_once, yield_now};
//! let mut count = Box::pin(async {
//!     for i in 0..3 {
//!         println!("tick {i}");
//!         yield_now().await; // Kamaelia's `yield 1`: "I can carry on later"
//!     }
//! });
//! assert!(poll_once(count.as_mut()).is_pending()); // prints "tick 0", then stops
//! assert!(poll_once(count.as_mut()).is_pending()); // resumes: "tick 1"
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A future that is not ready the first time it is polled and ready the second: awaiting it
/// hands control back to the poller once, like `yield 1` in a Kamaelia generator.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// See [`yield_now`].
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            Poll::Pending
        }
    }
}

struct Nobody;

impl Wake for Nobody {
    fn wake(self: Arc<Self>) {}
}

/// Resumes `f` once. The toy scheduler polls everything every round, so nobody needs waking.
pub fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(Nobody));
    f.poll(&mut Context::from_waker(&waker))
}
