//! The [`Harness`]: one component run alone, its transcript, and how it [`Ended`].

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::boxes::meta::{Direction, ErasedBox};
use crate::boxes::outbox::OutboxCore;
use crate::boxes::{Inbox, Outbox};
use crate::component::Component;
use crate::control::Control;
use crate::error::TrySendError;
use crate::link::LinkError;
use crate::model::{Activity, ComponentCell, ComponentId};
use crate::system::System;

/// How a component under test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Its body returned `Ok`.
    Finished,
    /// Its body returned an error; the error's message.
    Failed(String),
    /// Its body panicked; the panic message.
    Panicked(String),
    /// It was stopped from outside ([`Harness::cancel`]).
    Cancelled,
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ended::Finished => f.write_str("finished"),
            Ended::Failed(e) => write!(f, "failed: {e}"),
            Ended::Panicked(m) => write!(f, "panicked: {m}"),
            Ended::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// Why a [`Harness`] could not reach a box.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HarnessError {
    /// The component has no box of that name and direction.
    NoSuchBox {
        /// The component's name.
        component: String,
        /// The box asked for.
        name: String,
        /// The direction asked for.
        direction: Direction,
        /// The boxes of that direction it does have.
        available: Vec<String>,
    },
    /// The box carries another message type than the one asked for.
    TypeMismatch {
        /// `component.box`.
        name: String,
        /// The type the box carries.
        box_type: &'static str,
        /// The type asked for.
        requested: &'static str,
    },
    /// The inbox is at capacity: run the component so that it takes something first.
    Full {
        /// `component.box`.
        name: String,
    },
    /// The inbox is closed: the component has ended.
    Closed {
        /// `component.box`.
        name: String,
    },
    /// Linking to the box failed (for example, the outbox was linked elsewhere before the
    /// component was handed to the harness).
    Link(LinkError),
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarnessError::NoSuchBox {
                component,
                name,
                direction,
                available,
            } => write!(
                f,
                "{component} has no {direction} named {name:?} (its {direction}es: {})",
                available.join(", ")
            ),
            HarnessError::TypeMismatch {
                name,
                box_type,
                requested,
            } => write!(f, "{name} carries {box_type}, not {requested}"),
            HarnessError::Full { name } => {
                write!(f, "{name} is full: run the component so it takes something")
            }
            HarnessError::Closed { name } => write!(f, "{name} is closed: the component has ended"),
            HarnessError::Link(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for HarnessError {}

impl From<LinkError> for HarnessError {
    fn from(e: LinkError) -> Self {
        HarnessError::Link(e)
    }
}

/// One of the component's boxes, kept from adoption (keeping its core alive, so an outbox can
/// still be watched after the component has ended).
struct Slot {
    name: String,
    index: usize,
    handle: Arc<dyn ErasedBox>,
}

/// A watched outbox.
trait Tap: Send {
    /// Moves what arrived into the queue, writing one transcript line per message.
    fn collect(&mut self, log: &mut Vec<String>);
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

struct TypedTap<T> {
    name: String,
    inbox: Inbox<T>,
    got: VecDeque<T>,
}

impl<T: fmt::Debug + Send + 'static> Tap for TypedTap<T> {
    fn collect(&mut self, log: &mut Vec<String>) {
        while let Ok(m) = self.inbox.try_recv() {
            log.push(format!("< {}: {m:?}", self.name));
            self.got.push_back(m);
        }
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Runs one component in isolation and records what goes in and out. See the
/// [module docs](super).
pub struct Harness {
    system: System,
    cell: Arc<ComponentCell>,
    slots: Vec<Slot>,
    /// Per inbox name: the `Outbox<T>` linked to it.
    inputs: HashMap<String, Box<dyn Any + Send>>,
    /// Per outbox index (declaration order): its tap.
    taps: BTreeMap<usize, Box<dyn Tap>>,
    log: Vec<String>,
    end_logged: bool,
}

impl fmt::Debug for Harness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("component", &self.cell.name())
            .field("ended", &self.exit())
            .field("events", &self.log.len())
            .finish_non_exhaustive()
    }
}

/// Tries to watch an outbox as each of the listed types.
macro_rules! auto_watch {
    ($h:expr, $index:expr, $handle:expr, $($t:ty),* $(,)?) => {
        $(
            if $handle.message_type() == TypeId::of::<$t>() {
                $h.watch_slot::<$t>($index).ok();
            }
        )*
    };
}

impl Harness {
    /// Adopts `component` into a new deterministic system, activates it (it runs only when
    /// the harness is driven) and watches its outboxes of common types.
    pub fn new<C: Component>(component: C) -> Self {
        Self::start(System::deterministic(), None, component)
    }

    /// As [`new`](Self::new), giving the component a name (used in error messages).
    pub fn named<C: Component>(name: impl Into<String>, component: C) -> Self {
        Self::start(System::deterministic(), Some(name.into()), component)
    }

    fn start<C: Component>(system: System, name: Option<String>, component: C) -> Self {
        let child = match name {
            Some(n) => system.adopt_named(n, component),
            None => system.adopt(component),
        };
        let cell = Arc::clone(&child.guard.cell);
        let slots: Vec<Slot> = cell
            .slots()
            .into_iter()
            .filter_map(|s| {
                Some(Slot {
                    name: s.name().to_string(),
                    index: s.index,
                    handle: s.handle?,
                })
            })
            .collect();
        let mut h = Harness {
            system,
            cell,
            slots,
            inputs: HashMap::new(),
            taps: BTreeMap::new(),
            log: Vec::new(),
            end_logged: false,
        };
        let outboxes: Vec<(usize, Arc<dyn ErasedBox>)> = h
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.handle.meta().direction() == Direction::Outbox)
            .map(|(i, s)| (i, Arc::clone(&s.handle)))
            .collect();
        for (i, handle) in outboxes {
            auto_watch!(
                h,
                i,
                handle,
                Control,
                String,
                &'static str,
                Vec<u8>,
                bool,
                char,
                (),
                u8,
                u16,
                u32,
                u64,
                u128,
                usize,
                i8,
                i16,
                i32,
                i64,
                i128,
                isize,
                f32,
                f64,
            );
        }
        h.system.activate(child);
        h
    }

    /// The component's id.
    pub fn id(&self) -> ComponentId {
        self.cell.id
    }

    /// The component's name (`Type#id` unless [named](Self::named)).
    pub fn name(&self) -> String {
        self.cell.name()
    }

    /// The system the component runs in (for its [snapshot](System::snapshot),
    /// [services](System::services) or [failures](System::failures)).
    pub fn system(&self) -> &System {
        &self.system
    }

    /// The system, mutably (to spawn collaborators or drive it directly; outputs sent while it
    /// is driven directly are recorded at the harness's next step).
    pub fn system_mut(&mut self) -> &mut System {
        &mut self.system
    }

    fn label(&self, name: &str) -> String {
        format!("{}.{name}", self.cell.name())
    }

    fn find(&self, name: &str, direction: Direction) -> Result<usize, HarnessError> {
        self.slots
            .iter()
            .position(|s| s.name == name && s.handle.meta().direction() == direction)
            .ok_or_else(|| HarnessError::NoSuchBox {
                component: self.cell.name(),
                name: name.to_string(),
                direction,
                available: self
                    .slots
                    .iter()
                    .filter(|s| s.handle.meta().direction() == direction)
                    .map(|s| s.name.clone())
                    .collect(),
            })
    }

    fn check_type<T: 'static>(&self, slot: usize) -> Result<(), HarnessError> {
        let s = &self.slots[slot];
        if s.handle.message_type() == TypeId::of::<T>() {
            Ok(())
        } else {
            Err(HarnessError::TypeMismatch {
                name: self.label(&s.name),
                box_type: s.handle.meta().type_name(),
                requested: std::any::type_name::<T>(),
            })
        }
    }

    /// Sends `msg` to the component's inbox `inbox`, as a linked sender would, and records
    /// `> inbox: msg`. The component does not run until the harness is driven.
    ///
    /// # Errors
    /// [`HarnessError::NoSuchBox`] (listing the inboxes there are),
    /// [`HarnessError::TypeMismatch`] naming the box and both types, [`HarnessError::Full`] if
    /// the inbox is at capacity, [`HarnessError::Closed`] if the component has ended.
    pub fn put<T: fmt::Debug + Send + 'static>(
        &mut self,
        inbox: &str,
        msg: T,
    ) -> Result<(), HarnessError> {
        let slot = self.find(inbox, Direction::Inbox)?;
        self.check_type::<T>(slot)?;
        let label = self.label(inbox);
        if !self.inputs.contains_key(inbox) {
            let out: Outbox<T> = Outbox::new();
            let dst = Arc::clone(&self.slots[slot].handle);
            match Arc::clone(&out.core).link_erased(dst) {
                Ok(_) => {}
                Err(LinkError::Closed { .. }) => return Err(HarnessError::Closed { name: label }),
                Err(e) => return Err(e.into()),
            }
            self.inputs.insert(inbox.to_string(), Box::new(out));
        }
        let out = self
            .inputs
            .get_mut(inbox)
            .and_then(|o| o.downcast_mut::<Outbox<T>>())
            .expect("the input outbox has the inbox's type");
        let line = format!("> {inbox}: {msg:?}");
        match out.try_send(msg) {
            Ok(()) => {
                self.log.push(line);
                Ok(())
            }
            Err(TrySendError::Full(_)) => Err(HarnessError::Full { name: label }),
            Err(TrySendError::Closed(_) | TrySendError::Unlinked(_)) => {
                Err(HarnessError::Closed { name: label })
            }
        }
    }

    fn watch_slot<T: fmt::Debug + Send + 'static>(
        &mut self,
        slot: usize,
    ) -> Result<&mut TypedTap<T>, HarnessError> {
        self.check_type::<T>(slot)?;
        let index = self.slots[slot].index;
        if !self.taps.contains_key(&index) {
            let tap = TypedTap::<T> {
                name: self.slots[slot].name.clone(),
                inbox: Inbox::unbounded(),
                got: VecDeque::new(),
            };
            let src = Arc::clone(&self.slots[slot].handle)
                .as_any_arc()
                .downcast::<OutboxCore<T>>()
                .map_err(|_| HarnessError::TypeMismatch {
                    name: self.label(&self.slots[slot].name),
                    box_type: self.slots[slot].handle.meta().type_name(),
                    requested: std::any::type_name::<T>(),
                })?;
            src.link_erased(Arc::clone(&tap.inbox.core) as Arc<dyn ErasedBox>)?;
            self.taps.insert(index, Box::new(tap));
        }
        let tap = self
            .taps
            .get_mut(&index)
            .and_then(|t| t.as_any_mut().downcast_mut::<TypedTap<T>>())
            .expect("the tap has the outbox's type");
        // Messages held while unwatched arrive at once: record them now.
        tap.collect(&mut self.log);
        Ok(tap)
    }

    /// Watches the outbox `outbox`: from now on what it sends is recorded in the transcript
    /// and kept for [`take`](Self::take) and [`next`](Self::next). Watching twice is harmless.
    ///
    /// # Errors
    /// [`HarnessError::NoSuchBox`], [`HarnessError::TypeMismatch`], or
    /// [`HarnessError::Link`] if the outbox was already linked elsewhere.
    pub fn watch<T: fmt::Debug + Send + 'static>(
        &mut self,
        outbox: &str,
    ) -> Result<(), HarnessError> {
        let slot = self.find(outbox, Direction::Outbox)?;
        self.watch_slot::<T>(slot).map(|_| ())
    }

    fn tap<T: fmt::Debug + Send + 'static>(&mut self, outbox: &str) -> &mut TypedTap<T> {
        match self
            .find(outbox, Direction::Outbox)
            .and_then(|slot| self.watch_slot::<T>(slot))
        {
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
        let index = self.slots[self.find(outbox, Direction::Outbox).unwrap_or_default()].index;
        self.taps
            .get_mut(&index)
            .and_then(|t| t.as_any_mut().downcast_mut::<TypedTap<T>>())
            .expect("the tap has the outbox's type")
    }

    /// Everything the outbox `outbox` has sent and that was not taken yet, oldest first
    /// (watching it if it was not watched).
    ///
    /// # Panics
    /// If the component has no such outbox or it carries another type (the message names the
    /// box and both types).
    pub fn take<T: fmt::Debug + Send + 'static>(&mut self, outbox: &str) -> Vec<T> {
        self.tap::<T>(outbox).got.drain(..).collect()
    }

    /// The oldest message sent on `outbox` and not taken yet, if any (watching it if it was not
    /// watched).
    ///
    /// # Panics
    /// As [`take`](Self::take).
    pub fn next<T: fmt::Debug + Send + 'static>(&mut self, outbox: &str) -> Option<T> {
        self.tap::<T>(outbox).got.pop_front()
    }

    /// Collects outputs and notes the component's end.
    fn record(&mut self) {
        for tap in self.taps.values_mut() {
            tap.collect(&mut self.log);
        }
        if !self.end_logged {
            if let Some(end) = self.exit() {
                self.log.push(format!("= {end}"));
                self.end_logged = true;
            }
        }
    }

    /// Polls one runnable component (the one under test or one of its children); false if
    /// none was runnable.
    pub fn step(&mut self) -> bool {
        let ran = self.system.step();
        self.record();
        ran
    }

    /// Runs until nothing is runnable without virtual time moving on, recording outputs after
    /// every poll. Returns how many polls there were. Like
    /// [`System::run_until_idle`], it does not return while the component never waits.
    pub fn run_until_idle(&mut self) -> usize {
        let mut polls = 0;
        loop {
            while self.system.step() {
                polls += 1;
                self.record();
            }
            // Lets timers that are already due fire, and runs what they woke.
            let more = self.system.run_until_idle();
            polls += more;
            self.record();
            if more == 0 {
                return polls;
            }
        }
    }

    /// Runs until idle, then moves virtual time on by `by`, firing every timer on the way
    /// ([`System::advance`]); records `~ advance {by:?}`.
    pub fn advance(&mut self, by: Duration) {
        self.run_until_idle();
        self.log.push(format!("~ advance {by:?}"));
        self.system.advance(by);
        self.record();
        self.run_until_idle();
    }

    /// Adds `# text` to the transcript.
    pub fn note(&mut self, text: impl fmt::Display) {
        self.log.push(format!("# {text}"));
    }

    /// Stops the component at its next poll (it ends as [`Ended::Cancelled`]), then runs until
    /// idle.
    pub fn cancel(&mut self) {
        self.cell.request_cancel();
        self.run_until_idle();
    }

    /// How the component ended, or `None` while it has not.
    pub fn exit(&self) -> Option<Ended> {
        let failure = || self.cell.failure().to_string();
        match self.cell.activity() {
            Activity::Finished => Some(Ended::Finished),
            Activity::Failed => Some(Ended::Failed(failure())),
            Activity::Panicked => Some(Ended::Panicked(failure())),
            Activity::Cancelled => Some(Ended::Cancelled),
            _ => None,
        }
    }

    /// True if the component has ended normally (its body returned `Ok`).
    pub fn is_finished(&self) -> bool {
        self.exit() == Some(Ended::Finished)
    }

    /// True if the component has ended in any way.
    pub fn has_ended(&self) -> bool {
        self.exit().is_some()
    }

    /// The transcript so far: one line per event, each ending in a newline. See the
    /// [module docs](super#transcripts).
    pub fn transcript(&self) -> String {
        self.log.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The transcript lines so far.
    pub fn lines(&self) -> &[String] {
        &self.log
    }
}
