//! The lock that guards each box: a spin lock whose release is a plain store.
//!
//! Box critical sections are a handful of instructions (push or pop a `VecDeque`, take a
//! waker), and the common case is uncontended: a component and its neighbour run on the same
//! scheduler thread. An uncontended `parking_lot` or `std` mutex costs two locked
//! read-modify-write instructions per lock/unlock pair; this one costs one (the acquire), the
//! release being an ordinary store. Under contention it yields the thread instead of burning
//! its time slice, so a holder that was preempted gets to run.

pub(crate) type Mutex<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;
pub(crate) type MutexGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;
