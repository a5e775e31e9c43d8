//! Start-up hooks: code in any linked crate that runs whenever a [`System`](crate::System) is
//! built, so a library can offer something for every program that uses it without the program
//! calling it — for example an inspector that serves the live model when an environment
//! variable asks for one.
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//!
//! static BUILT: AtomicUsize = AtomicUsize::new(0);
//!
//! fn count_systems(system: &axon::SystemHandle) {
//!     assert_eq!(system.live(), 0); // called before anything runs
//!     BUILT.fetch_add(1, Ordering::SeqCst);
//! }
//!
//! axon::system_hook!(count_systems);
//!
//! let before = BUILT.load(Ordering::SeqCst);
//! let _system = axon::System::deterministic();
//! assert_eq!(BUILT.load(Ordering::SeqCst), before + 1);
//! ```
//!
//! A hook runs on the thread that builds the system, once, after the system exists and before
//! anything is spawned into it. It gets a [`SystemHandle`], which is `Send + Sync + Clone`: a
//! hook that needs to keep working moves a clone to a thread of its own (and stops when
//! [`SystemHandle::is_alive`] turns false). A hook should return quickly and should not spawn
//! components unless that is its whole point (it would change every program, and every test's
//! deterministic run). Systems built inside a hook do not run hooks.

use std::cell::Cell;
use std::fmt;

use crate::system::SystemHandle;

/// A function called once for every [`System`](crate::System) built. Register one with
/// [`system_hook!`](crate::system_hook).
pub struct SystemHook {
    name: &'static str,
    run: fn(&SystemHandle),
}

impl SystemHook {
    /// A hook named `name` (for messages) that runs `run`.
    pub const fn new(name: &'static str, run: fn(&SystemHandle)) -> Self {
        SystemHook { name, run }
    }

    /// The hook's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Debug for SystemHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemHook")
            .field("name", &self.name)
            .finish()
    }
}

inventory::collect!(SystemHook);

/// Registers a function `fn(&axon::SystemHandle)` to be called once for every `System` built
/// (see [`mod@crate::hook`]). Use it at item level, once per function.
#[macro_export]
macro_rules! system_hook {
    ($f:path) => {
        $crate::inventory::submit! {
            $crate::SystemHook::new(::core::concat!(::core::module_path!(), "::", ::core::stringify!($f)), $f)
        }
    };
}

thread_local! {
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// Runs every registered hook for the system behind `handle` (unless called from a hook).
pub(crate) fn run_hooks(handle: &SystemHandle) {
    if IN_HOOK.with(Cell::get) {
        return;
    }
    IN_HOOK.with(|h| h.set(true));
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_HOOK.with(|h| h.set(false));
        }
    }
    let _reset = Reset;
    for hook in inventory::iter::<SystemHook> {
        (hook.run)(handle);
    }
}
