//! Process measurements: live heap bytes, CPU time, peak RSS and the load average.
//!
//! Live heap bytes come from a counting global allocator (`stats_alloc` wrapping the system
//! allocator), installed here so that every binary linking this crate counts allocations. The
//! counters are process-wide atomics, so a reading includes allocations by every thread; the
//! benchmarks run their components on the calling thread, so between two readings only the workload
//! allocates. Every allocation pays for two atomic increments, in both implementations alike.
//!
//! CPU time is the process CPU-time clock; peak RSS and the load average are read from `/proc`
//! (Linux); where a file cannot be read the functions return `None` and the harness leaves the
//! value out.

use std::alloc::System;
use std::fs;

use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes currently allocated on the heap by the whole process (allocated minus freed).
pub fn live_heap_bytes() -> i64 {
    let stats = GLOBAL.stats();
    let allocated = i128::try_from(stats.bytes_allocated).unwrap_or(i128::MAX);
    let freed = i128::try_from(stats.bytes_deallocated).unwrap_or(i128::MAX);
    i64::try_from(allocated - freed).unwrap_or(i64::MAX)
}

/// CPU time (user + system) used so far by every thread of this process, including threads
/// that have ended (a system's scheduler threads end before the run is sampled), in
/// nanoseconds: the process CPU-time clock.
pub fn cpu_time_ns() -> Option<u64> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    let secs = u64::try_from(t.tv_sec).ok()?;
    let nanos = u64::try_from(t.tv_nsec).ok()?;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Peak resident set size of this process so far, in KiB (`VmHWM` in `/proc/self/status`).
pub fn peak_rss_kib() -> Option<u64> {
    status_field_kib("VmHWM:")
}

/// One-minute load average (first field of `/proc/loadavg`).
pub fn load_average_1m() -> Option<f64> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Reads a `kB` field such as `VmHWM:` from `/proc/self/status`.
fn status_field_kib(field: &str) -> Option<u64> {
    let text = fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|line| line.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_heap_bytes_sees_an_allocation() {
        let before = live_heap_bytes();
        let block = vec![0_u8; 1 << 20];
        let during = live_heap_bytes();
        drop(block);
        // Other test threads may allocate concurrently, so only check the order of magnitude.
        assert!(during - before >= (1 << 20) - 4096, "{before} -> {during}");
    }

    #[test]
    fn proc_readings_are_available_on_linux() {
        assert!(peak_rss_kib().is_some_and(|kib| kib > 0));
        assert!(cpu_time_ns().is_some());
        assert!(load_average_1m().is_some());
    }
}
