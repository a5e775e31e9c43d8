//! Cooperative scheduling: a per-poll budget, and [`yield_now`].
//!
//! A component that never has to wait — its inbox always has data, its destination always has
//! room — would otherwise keep its scheduler thread forever and starve every other component on
//! it. So each time the scheduler polls a component it grants a budget of box operations; the
//! async receive and send operations spend one unit each, and when the budget is spent the next
//! one yields (the component is queued again behind the others) before going on. Blocking and
//! `try_` operations, and code outside a scheduler (threaded components, plain code), are never
//! budgeted.
//!
//! ```
//! # use axon::{Boxes, Component, Context, Error, System};
//! # #[derive(Boxes)] struct Polite;
//! # impl Component for Polite {
//! async fn run(self, _ctx: Context) -> Result<(), Error> {
//!     for _ in 0..3 {
//!         // ... a long computation ...
//!         axon::yield_now().await; // let the other components on this thread run
//!     }
//!     Ok(())
//! }
//! # }
//! let mut system = System::deterministic();
//! system.spawn(Polite);
//! system.run().unwrap();
//! ```

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Box operations a component may do in one poll before it yields.
pub(crate) const BUDGET: u32 = 512;

thread_local! {
    static REMAINING: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// Grants a fresh budget (the scheduler calls this before polling a component).
pub(crate) fn grant() {
    REMAINING.with(|r| r.set(BUDGET));
}

/// Lifts the budget (after the poll, so code outside a component is never budgeted).
pub(crate) fn lift() {
    REMAINING.with(|r| r.set(u32::MAX));
}

/// Spends one unit; false if the budget is spent (the caller should yield first).
#[inline]
fn spend() -> bool {
    REMAINING.with(|r| {
        let left = r.get();
        if left == 0 {
            return false;
        }
        r.set(left - 1);
        true
    })
}

/// Yields if this poll's budget is spent; otherwise spends one unit and returns at once.
#[inline]
pub(crate) async fn consume() {
    if !spend() {
        yield_now().await;
        spend();
    }
}

/// One unit of the budget, taken inside a hand-written future's `poll`: the rule of [`consume`]
/// (ready at once if there is budget left; else it yields once, and takes the unit when polled
/// again). `consume` keeps its own `async` form: built on this, every receive in W3 took five
/// more instructions.
#[derive(Default)]
pub(crate) struct Share {
    yielded: bool,
}

impl Share {
    /// Takes the unit, or yields once if the budget is spent.
    #[inline]
    pub(crate) fn poll_take(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            spend();
            return Poll::Ready(());
        }
        if spend() {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Gives the other components on this scheduler thread a turn: the component is queued again
/// behind everything already runnable. Use this rather than `tokio::task::yield_now`, which
/// defers its wake-up to tokio's own scheduler.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
