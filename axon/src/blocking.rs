//! Blocking on a future from a plain OS thread (threaded components, ordinary code, tests).
//!
//! ```
//! let v = axon::blocking::block_on(async { 1 + 1 });
//! assert_eq!(v, 2);
//! ```

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    /// This thread's waker, made once: a threaded component's waits are recognised by it.
    static WAKER: Waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
}

/// The data pointer of this thread's waker (how the live model recognises its waits).
pub(crate) fn thread_waker_ptr() -> *const () {
    WAKER.with(Waker::data)
}

/// Runs `fut` to completion on the calling thread, parking the thread while it is pending.
///
/// Only for futures made of axon boxes (or other executor-independent futures): a tokio timer
/// or socket needs a tokio runtime and is for async components. Never call it on a scheduler
/// thread (inside an async component): it would stop every component on that thread.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    match block_until(fut, None) {
        Some(v) => v,
        None => unreachable!("no deadline"),
    }
}

/// As [`block_on`], giving up (returning `None`) once `timeout` has passed.
pub fn block_on_timeout<F: Future>(fut: F, timeout: Duration) -> Option<F::Output> {
    block_until(fut, Some(Instant::now() + timeout))
}

/// Polls `fut` until it is ready or `deadline` passes. While the thread is parked, the
/// threaded component it runs (if any) shows as waiting.
fn block_until<F: Future>(fut: F, deadline: Option<Instant>) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let waker = WAKER.with(Waker::clone);
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        let _waiting = crate::model::ThreadWait::begin();
        match deadline {
            None => std::thread::park(),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    return None;
                }
                std::thread::park_timeout(deadline - now);
            }
        }
    }
}
