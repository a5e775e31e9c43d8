//! The lock that guards each box: a spin lock whose release is a plain store.
//!
//! Box critical sections are a handful of instructions (push or pop a `VecDeque`, take a
//! waker), and the common case is uncontended: a component and its neighbour run on the same
//! scheduler thread. An uncontended `parking_lot` or `std` mutex costs two locked
//! read-modify-write instructions per lock/unlock pair; this one costs one (the acquire), the
//! release being an ordinary store. Under contention it yields the thread instead of burning
//! its time slice, so a holder that was preempted gets to run.
//!
//! Under `--cfg axon_loom` it is instead a thin wrapper over `loom::sync::Mutex` with the same
//! `new`/`lock` API, so that the loom model checker sees every box lock (see
//! `tests/loom_boxes.rs`). A spin lock would be invisible to loom and spin forever.

#[cfg(not(axon_loom))]
pub(crate) type Mutex<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;
#[cfg(not(axon_loom))]
pub(crate) type MutexGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;

#[cfg(axon_loom)]
pub(crate) use self::loom_lock::{Mutex, MutexGuard};

#[cfg(axon_loom)]
mod loom_lock {
    pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    /// `loom::sync::Mutex` behind the spin lock's API: `lock()` returns the guard directly.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            // Box critical sections never panic half-way, so poisoning carries no information.
            self.0.lock().unwrap_or_else(|p| p.into_inner())
        }
    }
}
