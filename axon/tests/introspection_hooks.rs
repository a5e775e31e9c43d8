//! Start-up hooks (`axon::system_hook!`): a registered function runs for every system built,
//! before anything is spawned.

use std::cell::Cell;

use axon::System;

thread_local! {
    static HOOK_RUNS: Cell<u32> = const { Cell::new(0) };
    static HOOK_LIVE: Cell<Option<usize>> = const { Cell::new(None) };
}

fn count_on_this_thread(system: &axon::SystemHandle) {
    HOOK_RUNS.with(|r| r.set(r.get() + 1));
    HOOK_LIVE.with(|l| l.set(Some(system.live())));
}

axon::system_hook!(count_on_this_thread);

/// A registered hook runs once for every system built, real or deterministic, on the building
/// thread, before anything is spawned.
#[test]
fn a_registered_hook_runs_once_when_each_system_is_built() {
    let before = HOOK_RUNS.with(Cell::get);
    let real = System::new();
    assert_eq!(HOOK_RUNS.with(Cell::get), before + 1);
    let handle = real.handle();
    assert!(handle.is_alive());
    drop(real);
    assert!(!handle.is_alive());
    let _det = System::deterministic();
    assert_eq!(HOOK_RUNS.with(Cell::get), before + 2);
    assert_eq!(HOOK_LIVE.with(Cell::get), Some(0));
}
