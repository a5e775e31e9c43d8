//! Helpers for the tests of the util sources and sinks (`util_sources.rs`, `sources_sinks.rs`).

use axon::{Inbox, System};

use super::drain;

/// Runs `system` to the end while emptying `out` as it fills; returns all `out` received.
pub(crate) fn run_collecting<T: Send + 'static>(system: &mut System, out: &mut Inbox<T>) -> Vec<T> {
    let mut got = Vec::new();
    loop {
        system.run_until_idle();
        let more = drain(out);
        if more.is_empty() && system.live() == 0 {
            return got;
        }
        assert!(
            !more.is_empty() || system.live() == 0,
            "stalled with {} live",
            system.live()
        );
        got.extend(more);
    }
}
