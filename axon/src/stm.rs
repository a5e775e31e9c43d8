//! A small software transactional memory: a versioned key/value [`Store`]
//! with optimistic, all-or-nothing commits.
//!
//! ```
//! use axon::stm::{ConcurrentUpdate, Store};
//!
//! let store: Store<&str, u32> = Store::new();
//!
//! // Check out two values at once; missing keys read as `None` at version 0.
//! let mut tx = store.using_all(["left", "right"]);
//! assert_eq!(tx.get("left"), None);
//! assert_eq!(tx.version("left"), 0);
//! tx.set("left", 1);
//! tx.set("right", 2);
//!
//! // Meanwhile somebody else checks out "right" from the same snapshot...
//! let mut other = store.using("right");
//! other.set("right", 20);
//!
//! // ...the first commit wins and bumps the version of every value it held,
//! tx.commit().expect("nobody committed in between");
//! assert_eq!(store.get("left"), Some(1));
//! assert_eq!(store.version("left"), 1);
//!
//! // ...and the stale one is refused without changing anything.
//! let err = other.commit().unwrap_err();
//! assert_eq!(err, ConcurrentUpdate { keys: vec!["right"] });
//! assert_eq!(store.get("right"), Some(2));
//!
//! // `transact` re-runs a closure on a fresh snapshot until its commit succeeds.
//! let total = store
//!     .transact(["left", "right"], 10, |tx| {
//!         let left = tx.get("left").copied().unwrap_or(0);
//!         let sum = left + tx.get("right").copied().unwrap_or(0);
//!         tx.set("left", None);
//!         tx.set("right", sum);
//!         sum
//!     })
//!     .unwrap();
//! assert_eq!(total, 3);
//! assert_eq!(store.get("right"), Some(3));
//! ```
//!
//! # Relation to Kamaelia's `Axon.STM`
//!
//! Kamaelia's store maps keys to `(version, value)` pairs. This module keeps
//! that model and its vocabulary:
//!
//! | Kamaelia                        | here                                          |
//! |---------------------------------|-----------------------------------------------|
//! | `store.usevar(key)`             | [`Store::using`] (a one-key [`Transaction`])  |
//! | `store.using(k1, k2, ...)`      | [`Store::using_all`]                          |
//! | `value.value` / `value.set(v)`  | [`Transaction::get`] / [`Transaction::set`]   |
//! | `value.commit()`, `collection.commit()` | [`Transaction::commit`]       |
//! | `ConcurrentUpdate`              | [`ConcurrentUpdate`]: redo the transaction    |
//! | `BusyRetry`                     | none (see below)                              |
//! | `store.dump()`                  | the [`Debug`] output of [`Store`]             |
//!
//! A checkout copies (clones) each value together with its version; a key
//! that has never been committed reads as `None` at version 0, the
//! counterpart of Kamaelia's `Value(0, None)`. Values are `Option<V>`, so
//! `None` also serves to "unset" a key, as the philosophers example does
//! with its forks. Changes are local to the transaction until
//! [`Transaction::commit`], which succeeds only if no checked-out value has
//! been committed by anybody else since it was checked out. On success every
//! value of the transaction is written and its version goes up by one — also
//! the values that were only read, as in Kamaelia, so a transaction that
//! reads `a` and writes `b` is invalidated by, and invalidates, any
//! concurrent commit of `a`. Use [`Store::get`] for a plain read that takes
//! part in no transaction. After a successful commit the transaction holds
//! the new versions and may be modified and committed again, as a Kamaelia
//! `Value` can; after a failed one it is stale, and the work has to be redone
//! on a fresh checkout ([`Store::transact`] does that in a loop).
//!
//! Kamaelia takes its store lock without blocking and raises `BusyRetry`
//! when it is held. Here the lock is an ordinary blocking [`Mutex`] held
//! only for the version check and the write of an already prepared change
//! (values are cloned outside of it), so there is no `BusyRetry`: a commit
//! either succeeds or reports a [`ConcurrentUpdate`].

use std::borrow::Borrow;
use std::collections::HashMap;
use std::error::Error;
use std::fmt::{self, Debug};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// One committed value and the number of commits it has seen.
#[derive(Clone)]
struct Versioned<V> {
    version: u64,
    value: Option<V>,
}

impl<V: Debug> Debug for Versioned<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{} {:?}", self.version, self.value)
    }
}

/// A shared, versioned key/value store with optimistic transactions.
///
/// Cloning a `Store` is cheap and yields a handle to the same data, so it can
/// be handed to as many threads as needed. Keys that were never committed
/// read as `None` at version 0.
pub struct Store<K, V> {
    cells: Arc<Mutex<HashMap<K, Versioned<V>>>>,
}

impl<K, V> Clone for Store<K, V> {
    fn clone(&self) -> Self {
        Store {
            cells: Arc::clone(&self.cells),
        }
    }
}

impl<K, V> Default for Store<K, V> {
    fn default() -> Self {
        Store {
            cells: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

impl<K, V> Store<K, V> {
    /// Creates an empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Locks the cells. No user code that could break the map's consistency
    /// runs while the lock is held, so a poisoned lock is simply taken over.
    fn lock(&self) -> MutexGuard<'_, HashMap<K, Versioned<V>>> {
        self.cells.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K, V> Store<K, V>
where
    K: Eq + Hash + Clone + Debug,
    V: Clone,
{
    /// Checks out a single value as a transaction (Kamaelia's `usevar`).
    #[must_use = "a transaction does nothing until it is committed"]
    pub fn using(&self, key: K) -> Transaction<K, V> {
        self.using_all([key])
    }

    /// Checks out several values at once as one transaction (Kamaelia's
    /// `using`). All values come from the same consistent snapshot; a key
    /// listed twice is checked out once.
    #[must_use = "a transaction does nothing until it is committed"]
    pub fn using_all(&self, keys: impl IntoIterator<Item = K>) -> Transaction<K, V> {
        let keys: Vec<K> = keys.into_iter().collect();
        let mut snapshot = Vec::with_capacity(keys.len());
        {
            let cells = self.lock();
            for key in &keys {
                snapshot.push(
                    cells
                        .get(key)
                        .map_or((0, None), |cell| (cell.version, cell.value.clone())),
                );
            }
        }
        let mut slots = Vec::with_capacity(keys.len());
        let mut index = HashMap::with_capacity(keys.len());
        for (key, (version, value)) in keys.into_iter().zip(snapshot) {
            if !index.contains_key(&key) {
                index.insert(key.clone(), slots.len());
                slots.push(Slot {
                    key,
                    version,
                    value,
                });
            }
        }
        Transaction {
            store: self.clone(),
            slots,
            index,
        }
    }

    /// Runs `body` as a transaction over `keys` and commits it, redoing the
    /// whole transaction on a fresh checkout whenever the commit reports a
    /// [`ConcurrentUpdate`].
    ///
    /// At most `max_attempts` attempts are made (at least one, even if
    /// `max_attempts` is 0); if the last one still conflicts its error is
    /// returned. `body` may therefore run several times and should have no
    /// effects outside the transaction. Every attempt that ends in a conflict
    /// means another transaction touching one of `keys` committed, so the
    /// store as a whole always makes progress.
    ///
    /// # Errors
    ///
    /// The [`ConcurrentUpdate`] of the last attempt if all `max_attempts`
    /// attempts conflicted; that attempt's changes were not written.
    pub fn transact<R>(
        &self,
        keys: impl IntoIterator<Item = K>,
        max_attempts: usize,
        mut body: impl FnMut(&mut Transaction<K, V>) -> R,
    ) -> Result<R, ConcurrentUpdate<K>> {
        let keys: Vec<K> = keys.into_iter().collect();
        let mut attempt = 1;
        loop {
            let mut tx = self.using_all(keys.iter().cloned());
            let result = body(&mut tx);
            match tx.commit() {
                Ok(()) => return Ok(result),
                Err(conflict) if attempt >= max_attempts => return Err(conflict),
                Err(_) => attempt += 1,
            }
        }
    }

    /// Returns a copy of the committed value of `key` (`None` if unset),
    /// without taking part in any transaction.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().get(key).and_then(|cell| cell.value.clone())
    }

    /// Returns the committed version of `key`: the number of successful
    /// commits that included it, 0 if none did.
    pub fn version<Q>(&self, key: &Q) -> u64
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().get(key).map_or(0, |cell| cell.version)
    }
}

impl<K: Clone + Debug, V: Clone + Debug> Debug for Store<K, V> {
    /// Shows every committed key with its version and value (Kamaelia's
    /// `dump`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Copy first so that no user `Debug` code runs under the lock.
        let cells: Vec<(K, Versioned<V>)> = self
            .lock()
            .iter()
            .map(|(key, cell)| (key.clone(), cell.clone()))
            .collect();
        f.debug_map().entries(cells).finish()
    }
}

/// One checked-out value inside a [`Transaction`].
struct Slot<K, V> {
    key: K,
    version: u64,
    value: Option<V>,
}

/// Local copies of values checked out of a [`Store`], with the versions they
/// had at checkout.
///
/// Reading and changing the copies affects nobody else until
/// [`commit`](Transaction::commit). Dropping a transaction without
/// committing abandons its changes. Accessing a key that the transaction did
/// not check out is a programming error and panics.
pub struct Transaction<K, V> {
    store: Store<K, V>,
    slots: Vec<Slot<K, V>>,
    index: HashMap<K, usize>,
}

impl<K, V> Transaction<K, V>
where
    K: Eq + Hash + Clone + Debug,
    V: Clone,
{
    #[track_caller]
    fn slot<Q>(&self, key: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.index.get(key) {
            Some(&slot) => slot,
            None => panic!(
                "STM key not checked out by this transaction (it holds {:?})",
                self.keys().collect::<Vec<_>>()
            ),
        }
    }

    /// The local value of `key` (`None` if unset).
    ///
    /// # Panics
    ///
    /// If `key` was not checked out by this transaction.
    #[track_caller]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.slots[self.slot(key)].value.as_ref()
    }

    /// Mutable access to the local value of `key`, e.g. to change it in place
    /// or to fill it in with [`Option::get_or_insert`].
    ///
    /// # Panics
    ///
    /// If `key` was not checked out by this transaction.
    #[track_caller]
    pub fn get_mut<Q>(&mut self, key: &Q) -> &mut Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.slot(key);
        &mut self.slots[slot].value
    }

    /// Replaces the local value of `key`; pass `None` to unset it.
    ///
    /// # Panics
    ///
    /// If `key` was not checked out by this transaction.
    #[track_caller]
    pub fn set<Q>(&mut self, key: &Q, value: impl Into<Option<V>>)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        *self.get_mut(key) = value.into();
    }

    /// The version `key` had when it was checked out, or that this
    /// transaction's last successful commit gave it.
    ///
    /// # Panics
    ///
    /// If `key` was not checked out by this transaction.
    #[track_caller]
    pub fn version<Q>(&self, key: &Q) -> u64
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.slots[self.slot(key)].version
    }

    /// Whether this transaction checked out `key`.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index.contains_key(key)
    }

    /// The checked-out keys, in checkout order.
    pub fn keys(&self) -> impl Iterator<Item = &K> + '_ {
        self.slots.iter().map(|slot| &slot.key)
    }

    /// Writes all values of this transaction to the store, or none of them.
    ///
    /// Succeeds if none of the checked-out values has been committed by
    /// anybody else since this transaction checked it out (or last committed
    /// it). Then every value is stored with its version increased by one,
    /// and this transaction takes over the new versions, so it can be
    /// changed and committed again.
    ///
    /// # Errors
    ///
    /// [`ConcurrentUpdate`] naming every key whose version moved on; nothing
    /// is written. The transaction is stale from then on: check out afresh
    /// and redo the work.
    pub fn commit(&mut self) -> Result<(), ConcurrentUpdate<K>> {
        // Clone outside the lock, so that the locked section cannot panic
        // half-way through the writes because of user code.
        let staged: Vec<(K, Versioned<V>)> = self
            .slots
            .iter()
            .map(|slot| {
                let cell = Versioned {
                    version: slot.version + 1,
                    value: slot.value.clone(),
                };
                (slot.key.clone(), cell)
            })
            .collect();
        let mut cells = self.store.lock();
        let stale: Vec<K> = self
            .slots
            .iter()
            .filter(|slot| cells.get(&slot.key).map_or(0, |cell| cell.version) != slot.version)
            .map(|slot| slot.key.clone())
            .collect();
        if !stale.is_empty() {
            return Err(ConcurrentUpdate { keys: stale });
        }
        cells.extend(staged);
        drop(cells);
        for slot in &mut self.slots {
            slot.version += 1;
        }
        Ok(())
    }
}

impl<K: Debug, V: Debug> Debug for Transaction<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.slots.iter().map(|slot| {
                (
                    &slot.key,
                    Versioned {
                        version: slot.version,
                        value: slot.value.as_ref(),
                    },
                )
            }))
            .finish()
    }
}

/// A commit was refused because other commits changed some of the values the
/// transaction had checked out; nothing was written. Check the values out
/// again and redo the transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcurrentUpdate<K> {
    /// The keys whose versions had moved on, in checkout order.
    pub keys: Vec<K>,
}

impl<K: Debug> fmt::Display for ConcurrentUpdate<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "concurrent update: STM value(s) {:?} changed since checkout; redo the transaction",
            self.keys
        )
    }
}

impl<K: Debug> Error for ConcurrentUpdate<K> {}
