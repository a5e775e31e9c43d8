//! The live model of a running system: every component with its boxes, links and state,
//! readable at any time with [`System::snapshot`](crate::System::snapshot).
//!
//! Keeping it costs next to nothing on the message path: box figures are plain counters updated
//! under the lock a delivery takes anyway, and a component's state is one relaxed store when it
//! starts or stops waiting.
//!
//! ```
//! use axon::{System, ComponentState};
//! # use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//! # #[derive(Boxes, Default)]
//! # struct Idle { /// in
//! #   inbox: Inbox<u8>, /// ctl
//! #   control: Inbox<Control> }
//! # impl Component for Idle {
//! #   async fn run(mut self, _ctx: Context) -> Result<(), Error> { self.control.recv().await; Ok(()) }
//! # }
//! let mut system = System::deterministic();
//! system.spawn(Idle::default());
//! system.run_until_idle();
//! let snap = system.snapshot();
//! assert_eq!(snap.components[0].name, "Idle#1");
//! assert!(matches!(snap.components[0].state, ComponentState::Receiving { .. }));
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::boxes::meta::{BoxInfo, BoxStats, Direction, ErasedBox};

/// A component's unique id within its system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId(pub(crate) u64);

impl ComponentId {
    /// The number behind the id.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a component is doing, packed into one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Activity {
    Created = 0,
    Running = 1,
    Receiving = 2,
    Sending = 3,
    Waiting = 4,
    Finished = 5,
    Failed = 6,
    Panicked = 7,
    Cancelled = 8,
}

const ACTIVITIES: [Activity; 9] = [
    Activity::Created,
    Activity::Running,
    Activity::Receiving,
    Activity::Sending,
    Activity::Waiting,
    Activity::Finished,
    Activity::Failed,
    Activity::Panicked,
    Activity::Cancelled,
];

/// A component's entry in the live model.
pub(crate) struct ComponentCell {
    pub(crate) id: ComponentId,
    pub(crate) name: String,
    pub(crate) type_name: &'static str,
    pub(crate) parent: Option<ComponentId>,
    /// Low byte: [`Activity`]; the rest: index of the box it waits on.
    activity: AtomicU64,
    pub(crate) boxes: Mutex<Vec<Arc<dyn ErasedBox>>>,
    next_box: std::sync::atomic::AtomicUsize,
    pub(crate) failure: Mutex<Option<String>>,
}

impl ComponentCell {
    pub(crate) fn new(
        id: ComponentId,
        name: String,
        type_name: &'static str,
        parent: Option<ComponentId>,
    ) -> Self {
        ComponentCell {
            id,
            name,
            type_name,
            parent,
            activity: AtomicU64::new(Activity::Created as u64),
            boxes: Mutex::new(Vec::new()),
            next_box: std::sync::atomic::AtomicUsize::new(0),
            failure: Mutex::new(None),
        }
    }

    pub(crate) fn set_activity(&self, activity: Activity, box_index: usize) {
        self.activity.store(
            activity as u64 | ((box_index as u64) << 8),
            Ordering::Relaxed,
        );
    }

    pub(crate) fn activity(&self) -> (Activity, usize) {
        let w = self.activity.load(Ordering::Relaxed);
        (ACTIVITIES[(w & 0xff) as usize], (w >> 8) as usize)
    }

    /// Names `b` as one of this component's boxes and lists it.
    pub(crate) fn add_box(
        self: &Arc<Self>,
        b: Arc<dyn ErasedBox>,
        name: Cow<'static, str>,
        doc: Cow<'static, str>,
    ) {
        let index = self.next_box.fetch_add(1, Ordering::Relaxed);
        b.meta().set_owner(crate::boxes::meta::Owner {
            cell: Arc::clone(self),
            name,
            doc,
            index,
        });
        self.boxes.lock().unwrap_or_else(|p| p.into_inner()).push(b);
    }

    /// Stops listing `b` (a dynamic box being removed).
    pub(crate) fn remove_box(&self, b: &Arc<dyn ErasedBox>) {
        self.boxes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|x| !std::ptr::addr_eq(Arc::as_ptr(x), Arc::as_ptr(b)));
    }

    /// True while registered but not yet activated.
    pub(crate) fn is_created(&self) -> bool {
        self.activity().0 == Activity::Created
    }

    pub(crate) fn boxes(&self) -> Vec<Arc<dyn ErasedBox>> {
        self.boxes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Finds a box by name and direction, with the error naming what exists.
    pub(crate) fn find_box(
        &self,
        name: &str,
        direction: Direction,
    ) -> Result<Arc<dyn ErasedBox>, crate::LinkError> {
        let boxes = self.boxes();
        boxes
            .iter()
            .find(|b| {
                b.meta().direction == direction && b.meta().owner().is_some_and(|o| o.name == name)
            })
            .cloned()
            .ok_or_else(|| crate::LinkError::NoSuchBox {
                component: self.name.clone(),
                name: name.to_string(),
                direction,
                available: boxes
                    .iter()
                    .filter(|b| b.meta().direction == direction)
                    .filter_map(|b| b.meta().owner().map(|o| o.name.to_string()))
                    .collect(),
            })
    }

    pub(crate) fn find_any_box(&self, name: &str) -> Result<Arc<dyn ErasedBox>, crate::LinkError> {
        self.find_box(name, Direction::Outbox)
            .or_else(|_| self.find_box(name, Direction::Inbox))
    }

    fn state(&self) -> ComponentState {
        let (activity, index) = self.activity();
        let box_name = || {
            self.boxes()
                .iter()
                .find_map(|b| {
                    b.meta()
                        .owner()
                        .filter(|o| o.index == index)
                        .map(|o| o.name.to_string())
                })
                .unwrap_or_default()
        };
        match activity {
            Activity::Created => ComponentState::Created,
            Activity::Running => ComponentState::Running,
            Activity::Receiving => ComponentState::Receiving { inbox: box_name() },
            Activity::Sending => ComponentState::Sending { outbox: box_name() },
            Activity::Waiting => ComponentState::Waiting,
            Activity::Finished => ComponentState::Finished,
            Activity::Failed => ComponentState::Failed {
                error: self
                    .failure
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
                    .unwrap_or_default(),
            },
            Activity::Panicked => ComponentState::Panicked {
                message: self
                    .failure
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
                    .unwrap_or_default(),
            },
            Activity::Cancelled => ComponentState::Cancelled,
        }
    }
}

/// What a component is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ComponentState {
    /// Registered, not yet activated.
    Created,
    /// Runnable or being polled.
    Running,
    /// Waiting for a message on this inbox (the last one it waited on, when it waits on several).
    Receiving {
        /// The inbox.
        inbox: String,
    },
    /// Blocked sending: the destination of this outbox is full.
    Sending {
        /// The outbox.
        outbox: String,
    },
    /// Waiting on something other than a box (a timer, I/O, a child).
    Waiting,
    /// Ended normally.
    Finished,
    /// Ended with an error.
    Failed {
        /// The error's message.
        error: String,
    },
    /// Panicked.
    Panicked {
        /// The panic's message.
        message: String,
    },
    /// Stopped from outside before it ended.
    Cancelled,
}

/// One box in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxSnapshot {
    /// Name, direction, type and doc.
    pub info: BoxInfo,
    /// Depth, capacity and counters.
    pub stats: BoxStats,
}

/// One component in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSnapshot {
    /// Its id.
    pub id: ComponentId,
    /// Its label (`Type#id` unless named).
    pub name: String,
    /// Its Rust type.
    pub type_name: &'static str,
    /// The component that created it, if any.
    pub parent: Option<ComponentId>,
    /// What it is doing.
    pub state: ComponentState,
    /// Its boxes, in declaration order (dynamic boxes last).
    pub boxes: Vec<BoxSnapshot>,
}

/// One end of a link in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoxAddress {
    /// The owning component (`None` for boxes owned by plain code, such as bridges).
    pub component: Option<ComponentId>,
    /// The box name.
    pub name: String,
}

/// One link in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LinkSnapshot {
    /// The source box.
    pub from: BoxAddress,
    /// The destination box.
    pub to: BoxAddress,
}

/// The whole system at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Every live component, by id.
    pub components: Vec<ComponentSnapshot>,
    /// Every link whose source belongs to a live component.
    pub links: Vec<LinkSnapshot>,
}

/// The registry of live components behind [`Snapshot`].
#[derive(Default)]
pub(crate) struct Registry {
    components: Mutex<BTreeMap<ComponentId, Arc<ComponentCell>>>,
}

impl Registry {
    pub(crate) fn insert(&self, cell: Arc<ComponentCell>) {
        self.components
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(cell.id, cell);
    }

    pub(crate) fn remove(&self, id: ComponentId) {
        self.components
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    pub(crate) fn get(&self, id: ComponentId) -> Option<Arc<ComponentCell>> {
        self.components
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    pub(crate) fn all(&self) -> Vec<Arc<ComponentCell>> {
        self.components
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        for cell in self.all() {
            let boxes = cell.boxes();
            for b in &boxes {
                if let Some(to) = b.target() {
                    snap.links.push(LinkSnapshot {
                        from: address(b.meta()),
                        to: address(to.meta()),
                    });
                }
            }
            snap.components.push(ComponentSnapshot {
                id: cell.id,
                name: cell.name.clone(),
                type_name: cell.type_name,
                parent: cell.parent,
                state: cell.state(),
                boxes: boxes
                    .iter()
                    .map(|b| {
                        let o = b.meta().owner();
                        BoxSnapshot {
                            info: BoxInfo {
                                name: o.map_or(Cow::Borrowed("?"), |o| o.name.clone()),
                                direction: b.meta().direction,
                                type_name: b.meta().type_name,
                                doc: o.map_or(Cow::Borrowed(""), |o| o.doc.clone()),
                            },
                            stats: b.stats(),
                        }
                    })
                    .collect(),
            });
        }
        snap.links.sort();
        snap
    }
}

fn address(meta: &crate::boxes::meta::BoxMeta) -> BoxAddress {
    match meta.owner() {
        Some(o) => BoxAddress {
            component: Some(o.cell.id),
            name: o.name.to_string(),
        },
        None => BoxAddress {
            component: None,
            name: format!("(unregistered {})", meta.direction),
        },
    }
}
