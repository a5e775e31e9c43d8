//! Behaviour of the small software transactional memory in `axon::stm`.

use std::collections::HashMap;
use std::error::Error;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use axon::stm::{ConcurrentUpdate, Store, Transaction};

#[test]
fn store_and_transaction_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store<String, Vec<u8>>>();
    assert_send_sync::<Transaction<String, Vec<u8>>>();
    assert_send_sync::<ConcurrentUpdate<String>>();
}

#[test]
fn missing_key_reads_as_none_at_version_zero() {
    let store: Store<&str, i32> = Store::new();
    let tx = store.using("nothing");
    assert_eq!(tx.get("nothing"), None);
    assert_eq!(tx.version("nothing"), 0);
    assert_eq!(store.get("nothing"), None);
    assert_eq!(store.version("nothing"), 0);
}

#[test]
fn commit_succeeds_on_fresh_keys() {
    let store: Store<&str, i32> = Store::new();
    let mut tx = store.using_all(["a", "b"]);
    tx.set("a", 1);
    tx.set("b", 2);
    assert_eq!(tx.commit(), Ok(()));
    assert_eq!(store.get("a"), Some(1));
    assert_eq!(store.get("b"), Some(2));
    assert_eq!(store.version("a"), 1);
    assert_eq!(store.version("b"), 1);
    assert_eq!(tx.version("a"), 1);
}

#[test]
fn changes_are_invisible_until_commit_and_dropped_transactions_change_nothing() {
    let store: Store<&str, i32> = Store::new();
    let mut tx = store.using("a");
    tx.set("a", 7);
    assert_eq!(store.get("a"), None);
    drop(tx);
    assert_eq!(store.get("a"), None);
    assert_eq!(store.version("a"), 0);
}

#[test]
fn stale_commit_fails_with_concurrent_update_naming_the_key_and_leaves_store_unchanged() {
    let store: Store<&str, i32> = Store::new();
    let mut first = store.using("x");
    let mut second = store.using("x");
    first.set("x", 1);
    first.commit().unwrap();

    second.set("x", 2);
    let err = second.commit().unwrap_err();
    assert_eq!(err, ConcurrentUpdate { keys: vec!["x"] });
    assert_eq!(store.get("x"), Some(1));
    assert_eq!(store.version("x"), 1);

    // Still stale on a second try: the transaction must be redone.
    assert!(second.commit().is_err());
    let mut redo = store.using("x");
    assert_eq!(redo.get("x"), Some(&1));
    redo.set("x", 2);
    redo.commit().unwrap();
    assert_eq!(store.get("x"), Some(2));
}

#[test]
fn multi_key_commit_is_all_or_nothing() {
    let store: Store<&str, i32> = Store::new();
    let mut both = store.using_all(["a", "b", "c"]);
    let mut only_b = store.using("b");
    only_b.set("b", 10);
    only_b.commit().unwrap();

    both.set("a", 1);
    both.set("b", 2);
    both.set("c", 3);
    let err = both.commit().unwrap_err();
    assert_eq!(err.keys, vec!["b"]);
    assert_eq!(store.get("a"), None);
    assert_eq!(store.get("b"), Some(10));
    assert_eq!(store.get("c"), None);
    assert_eq!(store.version("a"), 0);
    assert_eq!(store.version("b"), 1);
    assert_eq!(store.version("c"), 0);
}

#[test]
fn concurrent_update_names_every_changed_key_in_checkout_order() {
    let store: Store<&str, i32> = Store::new();
    let mut stale = store.using_all(["c", "a", "b"]);
    let mut other = store.using_all(["a", "c"]);
    other.set("a", 1);
    other.commit().unwrap();
    stale.set("b", 2);
    assert_eq!(stale.commit().unwrap_err().keys, vec!["c", "a"]);
    assert_eq!(store.get("b"), None);
}

#[test]
fn version_numbers_increase_by_one_per_commit() {
    let store: Store<&str, u64> = Store::new();
    for round in 1..=5u64 {
        let mut tx = store.using("v");
        assert_eq!(tx.version("v"), round - 1);
        tx.set("v", round);
        tx.commit().unwrap();
        assert_eq!(store.version("v"), round);
    }
    // Every checked-out value is bumped, including ones that were only read
    // or unset (as in Kamaelia).
    let mut tx = store.using_all(["v", "w"]);
    tx.set("v", None);
    tx.commit().unwrap();
    assert_eq!(store.version("v"), 6);
    assert_eq!(store.version("w"), 1);
    assert_eq!(store.get("v"), None);
}

#[test]
fn transaction_can_be_committed_again_after_success() {
    let store: Store<&str, i32> = Store::new();
    let mut tx = store.using("k");
    tx.set("k", 1);
    tx.commit().unwrap();
    tx.set("k", 2);
    tx.commit().unwrap();
    assert_eq!(tx.version("k"), 2);
    assert_eq!(store.get("k"), Some(2));
    assert_eq!(store.version("k"), 2);
}

#[test]
fn duplicate_keys_are_checked_out_once() {
    let store: Store<&str, i32> = Store::new();
    let mut tx = store.using_all(["k", "k"]);
    assert_eq!(tx.keys().collect::<Vec<_>>(), vec![&"k"]);
    *tx.get_mut("k") = Some(5);
    tx.commit().unwrap();
    assert_eq!(store.version("k"), 1);
}

#[test]
fn string_keys_can_be_looked_up_by_str() {
    let store: Store<String, String> = Store::new();
    let mut tx = store.using("fork.1".to_string());
    assert!(tx.contains_key("fork.1"));
    assert!(!tx.contains_key("fork.2"));
    tx.set("fork.1", "plato".to_string());
    tx.commit().unwrap();
    assert_eq!(store.get("fork.1").as_deref(), Some("plato"));
}

#[test]
#[should_panic(expected = "not checked out")]
fn accessing_a_key_not_checked_out_panics() {
    let store: Store<&str, i32> = Store::new();
    let tx = store.using("a");
    let _ = tx.get("b");
}

#[test]
fn concurrent_update_is_an_error_whose_message_names_the_keys() {
    let err = ConcurrentUpdate {
        keys: vec!["fork.1", "fork.2"],
    };
    let message = err.to_string();
    assert!(message.contains("\"fork.1\""), "{message}");
    assert!(message.contains("\"fork.2\""), "{message}");
    let boxed: Box<dyn Error + Send + Sync> = Box::new(err);
    assert!(boxed.source().is_none());
}

#[test]
fn debug_output_shows_keys_versions_and_values() {
    let store: Store<&str, i32> = Store::new();
    let mut tx = store.using("k");
    tx.set("k", 42);
    tx.commit().unwrap();
    let dump = format!("{store:?}");
    assert!(dump.contains("\"k\""), "{dump}");
    assert!(dump.contains("v1"), "{dump}");
    assert!(dump.contains("42"), "{dump}");
    assert!(format!("{tx:?}").contains("42"));
}

#[test]
fn clones_of_a_store_share_its_values() {
    let store: Store<&str, i32> = Store::new();
    let alias = store.clone();
    let mut tx = alias.using("shared");
    tx.set("shared", 3);
    tx.commit().unwrap();
    assert_eq!(store.get("shared"), Some(3));
}

#[test]
fn transact_redoes_the_transaction_after_a_concurrent_update() {
    let store: Store<&str, i32> = Store::new();
    let mut attempts = 0;
    let result = store.transact(["n"], 5, |tx| {
        attempts += 1;
        if attempts == 1 {
            // Somebody else commits between our checkout and our commit.
            let mut other = store.using("n");
            other.set("n", 100);
            other.commit().unwrap();
        }
        let n = tx.get_mut("n").get_or_insert(0);
        *n += 1;
        *n
    });
    assert_eq!(attempts, 2);
    assert_eq!(result, Ok(101));
    assert_eq!(store.get("n"), Some(101));
    assert_eq!(store.version("n"), 2);
}

#[test]
fn transact_gives_up_after_max_attempts_with_the_last_conflict() {
    let store: Store<&str, i32> = Store::new();
    let mut attempts = 0;
    let result = store.transact(["n", "m"], 3, |tx| {
        attempts += 1;
        let mut other = store.using("m");
        other.set("m", attempts);
        other.commit().unwrap();
        tx.set("n", -1);
    });
    assert_eq!(attempts, 3);
    assert_eq!(result, Err(ConcurrentUpdate { keys: vec!["m"] }));
    assert_eq!(store.get("n"), None);
    assert_eq!(store.get("m"), Some(3));
}

#[test]
fn transact_makes_one_attempt_even_when_zero_are_allowed() {
    let store: Store<&str, i32> = Store::new();
    assert_eq!(store.transact(["z"], 0, |tx| tx.set("z", 1)), Ok(()));
    assert_eq!(store.get("z"), Some(1));
}

/// Some work done while a philosopher holds its forks.
fn eat(seed: usize) -> usize {
    (0..500).fold(seed, |acc, i| {
        black_box(acc.wrapping_mul(31).wrapping_add(i))
    })
}

#[test]
fn dining_philosophers_all_eat_and_no_fork_is_ever_held_by_two() {
    const PHILOSOPHERS: usize = 5;
    const MEALS: usize = 200;

    let forks: Store<usize, usize> = Store::new();
    // Independent of the STM: how many philosophers believe they hold each fork.
    let holders: Arc<Vec<AtomicUsize>> =
        Arc::new((0..PHILOSOPHERS).map(|_| AtomicUsize::new(0)).collect());
    let start = Arc::new(Barrier::new(PHILOSOPHERS));

    let diners: Vec<_> = (0..PHILOSOPHERS)
        .map(|me| {
            let forks = forks.clone();
            let holders = Arc::clone(&holders);
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let (left, right) = (me, (me + 1) % PHILOSOPHERS);
                let mut meals = 0;
                let mut failed_grabs = 0usize;
                start.wait();
                while meals < MEALS {
                    // Grab both forks atomically, as Kamaelia's philosophers do.
                    let mut tx = forks.using_all([left, right]);
                    if tx.get(&left).is_some() || tx.get(&right).is_some() {
                        drop(tx);
                        thread::yield_now();
                        continue;
                    }
                    tx.set(&left, me);
                    tx.set(&right, me);
                    if tx.commit().is_err() {
                        failed_grabs += 1;
                        continue;
                    }
                    for fork in [left, right] {
                        assert_eq!(
                            holders[fork].fetch_add(1, Ordering::SeqCst),
                            0,
                            "fork {fork} grabbed by philosopher {me} while held"
                        );
                    }

                    let _ = black_box(eat(me + meals));
                    // While eating, any transaction sees both forks as ours.
                    let check = forks.using_all([left, right]);
                    assert_eq!(check.get(&left), Some(&me));
                    assert_eq!(check.get(&right), Some(&me));
                    drop(check);

                    for fork in [left, right] {
                        assert_eq!(holders[fork].fetch_sub(1, Ordering::SeqCst), 1);
                    }
                    forks
                        .transact([left, right], usize::MAX, |tx| {
                            assert_eq!(tx.get(&left), Some(&me), "left fork stolen");
                            assert_eq!(tx.get(&right), Some(&me), "right fork stolen");
                            tx.set(&left, None);
                            tx.set(&right, None);
                        })
                        .unwrap();
                    meals += 1;
                }
                (meals, failed_grabs)
            })
        })
        .collect();

    let results: Vec<(usize, usize)> = diners.into_iter().map(|d| d.join().unwrap()).collect();
    for (me, (meals, _)) in results.iter().enumerate() {
        assert_eq!(*meals, MEALS, "philosopher {me}");
    }
    for fork in 0..PHILOSOPHERS {
        assert_eq!(forks.get(&fork), None, "fork {fork} left on the table");
        assert_eq!(holders[fork].load(Ordering::SeqCst), 0);
        // Each fork is shared by two philosophers, each grabbing and
        // releasing it once per meal; failed grabs write nothing.
        assert_eq!(forks.version(&fork), (2 * 2 * MEALS) as u64);
    }
}

#[test]
fn concurrent_increments_via_transact_add_up_exactly() {
    const THREADS: usize = 8;
    const INCREMENTS: usize = 500;
    const BUCKETS: usize = 4;

    /// A deterministic pseudo-random bucket sequence per thread.
    fn buckets(thread: usize) -> impl Iterator<Item = usize> {
        let mut state = (thread as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) + 1;
        (0..INCREMENTS).map(move |_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % BUCKETS
        })
    }

    let store: Store<String, u64> = Store::new();
    let start = Arc::new(Barrier::new(THREADS));
    // A conflict means another transaction committed in between, and each
    // commit can spoil at most one attempt of a given thread, so this many
    // attempts always suffice.
    let max_attempts = THREADS * INCREMENTS + 1;

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = store.clone();
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                for bucket in buckets(t) {
                    let bucket = format!("bucket.{bucket}");
                    store
                        .transact(["total".to_string(), bucket.clone()], max_attempts, |tx| {
                            *tx.get_mut("total").get_or_insert(0) += 1;
                            *tx.get_mut(bucket.as_str()).get_or_insert(0) += 1;
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }

    let total = (THREADS * INCREMENTS) as u64;
    assert_eq!(store.get("total"), Some(total));
    assert_eq!(store.version("total"), total);

    let mut expected: HashMap<usize, u64> = HashMap::new();
    for t in 0..THREADS {
        for bucket in buckets(t) {
            *expected.entry(bucket).or_default() += 1;
        }
    }
    let mut sum = 0;
    for bucket in 0..BUCKETS {
        let count = store.get(format!("bucket.{bucket}").as_str()).unwrap_or(0);
        assert_eq!(
            count,
            expected.get(&bucket).copied().unwrap_or(0),
            "bucket {bucket}"
        );
        sum += count;
    }
    assert_eq!(sum, total);
}
