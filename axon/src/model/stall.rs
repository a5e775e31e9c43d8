//! Stall and deadlock detection, computed from a [`Snapshot`].
//!
//! A *stall* is a component that has been blocked sending into a full inbox, or waiting to
//! receive, for at least a threshold of the system's time. A *deadlock* is a cycle of
//! components each blocked sending into the full inbox of the next — none of them can ever
//! move again unless something outside the cycle takes messages.
//!
//! Both read one snapshot, which is taken component by component while the system runs: on a
//! real-time system a component may have moved on between two readings, so confirm what a
//! busy system reports with a second snapshot (a deadlocked cycle is still there; a passing
//! jam is not). On a deterministic system driven to idle the snapshot is exact.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use super::{BoxAddress, ComponentId, ComponentSnapshot, ComponentState, Snapshot};
use crate::boxes::Direction;

/// A component blocked for at least the threshold given to [`Snapshot::stalls`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stall {
    /// The component.
    pub component: ComponentId,
    /// Its name.
    pub name: String,
    /// What it waits for.
    pub kind: StallKind,
    /// How long it has been waiting, on the system's clock.
    pub blocked_for: Duration,
}

/// What a stalled component waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StallKind {
    /// Blocked sending: the final inbox of this outbox's chain is full.
    BlockedSending {
        /// The outbox.
        outbox: String,
        /// The full inbox at the end of its chain, if the snapshot shows the chain.
        to: Option<BoxAddress>,
    },
    /// Waiting for a message on this inbox (one other than `control`, when it waits on
    /// several).
    WaitingReceive {
        /// The inbox.
        inbox: String,
    },
}

impl fmt::Display for Stall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StallKind::BlockedSending { outbox, to } => {
                write!(f, "{} has been blocked sending on {outbox}", self.name)?;
                if let Some(to) = to {
                    write!(f, " into the full inbox {to}")?;
                }
                write!(f, " for {:?}", self.blocked_for)
            }
            StallKind::WaitingReceive { inbox } => write!(
                f,
                "{} has been waiting for a message on {inbox} for {:?}",
                self.name, self.blocked_for
            ),
        }
    }
}

/// One component of a [`Deadlock`] cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlockStep {
    /// The component.
    pub component: ComponentId,
    /// Its name.
    pub name: String,
    /// The outbox it is blocked sending on.
    pub outbox: String,
    /// The full inbox that outbox leads to, owned by the next step's component.
    pub into: BoxAddress,
}

/// A cycle of components, each blocked sending into the full inbox of the next (the last
/// into the first's). Starts at the component with the smallest id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// The components in order.
    pub cycle: Vec<DeadlockStep>,
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "deadlock: ")?;
        for (i, s) in self.cycle.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{} blocked sending {} into {}", s.name, s.outbox, s.into)?;
        }
        if let Some(first) = self.cycle.first() {
            write!(f, " (back to {})", first.name)?;
        }
        Ok(())
    }
}

/// Lookups over one snapshot, built once per query (a snapshot may hold many components).
struct Index<'a> {
    snap: &'a Snapshot,
    next: HashMap<&'a BoxAddress, &'a BoxAddress>,
}

impl<'a> Index<'a> {
    fn new(snap: &'a Snapshot) -> Self {
        Index {
            snap,
            next: snap.links.iter().map(|l| (&l.from, &l.to)).collect(),
        }
    }

    fn final_destination(&self, from: &BoxAddress) -> Option<BoxAddress> {
        let mut at = self.next.get(from).copied()?;
        // A chain is acyclic (linking refuses cycles); the bound only guards a torn snapshot.
        for _ in 0..=self.snap.links.len() {
            match self.next.get(at) {
                Some(n) => at = n,
                None => break,
            }
        }
        let b = self.snap.box_at(at)?;
        (b.info.direction == Direction::Inbox).then(|| at.clone())
    }
}

impl Snapshot {
    /// The live component with this id.
    pub fn component(&self, id: ComponentId) -> Option<&ComponentSnapshot> {
        // Snapshots list components in id order; look it up by halves, checking the answer in
        // case a snapshot was put together by hand in another order.
        match self.components.binary_search_by_key(&id, |c| c.id) {
            Ok(i) => Some(&self.components[i]),
            Err(_) => self.components.iter().find(|c| c.id == id),
        }
    }

    /// The box at `at`, if its component is live.
    fn box_at(&self, at: &BoxAddress) -> Option<&super::BoxSnapshot> {
        self.component(at.component?)?
            .boxes
            .iter()
            .find(|b| b.info.name == at.name)
    }

    /// Where a message sent from `from` ends up: follows links (outbox pass-throughs and
    /// inbox forwards) to the final inbox. `None` if the chain ends at an unlinked outbox or
    /// leaves what the snapshot shows.
    pub fn final_destination(&self, from: &BoxAddress) -> Option<BoxAddress> {
        Index::new(self).final_destination(from)
    }

    fn is_full(&self, at: &BoxAddress) -> bool {
        self.box_at(at)
            .is_some_and(|b| b.stats.capacity.is_some_and(|cap| b.stats.depth >= cap))
    }

    /// Components that have been blocked sending, or waiting to receive, for at least
    /// `threshold` (on the system's clock, so on a deterministic system exactly after
    /// [`advance`](crate::System::advance) has moved it on that far), in id order.
    pub fn stalls(&self, threshold: Duration) -> Vec<Stall> {
        let index = Index::new(self);
        self.components
            .iter()
            .filter_map(|c| {
                let blocked_for = self.taken_at.saturating_sub(c.state_since);
                if blocked_for < threshold {
                    return None;
                }
                let kind = match &c.state {
                    ComponentState::Sending { outbox } => StallKind::BlockedSending {
                        outbox: outbox.clone(),
                        to: index.final_destination(&BoxAddress {
                            component: Some(c.id),
                            name: outbox.clone(),
                        }),
                    },
                    ComponentState::Receiving { inbox } => StallKind::WaitingReceive {
                        inbox: inbox.clone(),
                    },
                    _ => return None,
                };
                Some(Stall {
                    component: c.id,
                    name: c.name.clone(),
                    kind,
                    blocked_for,
                })
            })
            .collect()
    }

    /// Cycles of components each blocked sending into the full inbox of the next, each cycle
    /// once, starting at its smallest id; in order of that id.
    pub fn deadlocks(&self) -> Vec<Deadlock> {
        let index = Index::new(self);
        // Each blocked sender waits on exactly one inbox, so each has at most one successor:
        // following successors from any component either ends or enters a cycle.
        let mut next: BTreeMap<ComponentId, DeadlockStep> = BTreeMap::new();
        for c in &self.components {
            let ComponentState::Sending { outbox } = &c.state else {
                continue;
            };
            let from = BoxAddress {
                component: Some(c.id),
                name: outbox.clone(),
            };
            let Some(into) = index.final_destination(&from) else {
                continue;
            };
            if into.component.is_none() || !self.is_full(&into) {
                continue;
            }
            next.insert(
                c.id,
                DeadlockStep {
                    component: c.id,
                    name: c.name.clone(),
                    outbox: outbox.clone(),
                    into,
                },
            );
        }
        let mut found = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for &start in next.keys() {
            if seen.contains(&start) {
                continue;
            }
            let mut path = Vec::new();
            let mut at = start;
            while let Some(step) = next.get(&at) {
                if seen.contains(&at) {
                    break;
                }
                seen.insert(at);
                path.push(at);
                at = step.into.component.expect("checked above");
            }
            if let Some(pos) = path.iter().position(|&id| id == at) {
                let ids = &path[pos..];
                let min = ids
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, id)| **id)
                    .map(|x| x.0);
                let min = min.expect("a cycle is not empty");
                let cycle = ids[min..]
                    .iter()
                    .chain(&ids[..min])
                    .map(|id| next[id].clone())
                    .collect();
                found.push(Deadlock { cycle });
            }
        }
        found.sort_by_key(|d| d.cycle[0].component);
        found
    }
}
