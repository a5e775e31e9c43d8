//! Testing one component in isolation: a [`Harness`] on the deterministic scheduler with
//! virtual time, transcripts that read like a script, and fault-injection components.
//!
//! ```
//! use axon::control::{next_event, Event};
//! use axon::testing::Harness;
//! use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//!
//! /// Doubles numbers.
//! #[derive(Boxes, Default)]
//! struct Doubler {
//!     /// Numbers to double.
//!     inbox: Inbox<u32>,
//!     /// `ProducerFinished` or `Shutdown`.
//!     control: Inbox<Control>,
//!     /// The doubled numbers.
//!     outbox: Outbox<u32>,
//!     /// The control message that ended it.
//!     signal: Outbox<Control>,
//! }
//!
//! impl Component for Doubler {
//!     async fn run(mut self, _ctx: Context) -> Result<(), Error> {
//!         loop {
//!             match next_event(&mut self.control, &mut self.inbox).await {
//!                 Event::Message(n) => self.outbox.send(n * 2).await?,
//!                 Event::Control(c) => {
//!                     self.signal.send(c).await?;
//!                     return Ok(());
//!                 }
//!             }
//!         }
//!     }
//! }
//!
//! let mut h = Harness::new(Doubler::default());
//! h.put::<u32>("inbox", 5)?;
//! h.run_until_idle();
//! assert_eq!(h.take::<u32>("outbox"), [10]);
//! h.put("control", Control::ProducerFinished)?;
//! h.run_until_idle();
//! assert!(h.is_finished());
//! assert_eq!(
//!     h.transcript(),
//!     "\
//! > inbox: 5
//! < outbox: 10
//! > control: ProducerFinished
//! < signal: ProducerFinished
//! = finished
//! "
//! );
//! # Ok::<(), axon::testing::HarnessError>(())
//! ```
//!
//! # The harness
//!
//! [`Harness::new`] adopts the component as the only top-level component of its own
//! [`System::deterministic`] and activates it; nothing runs until the test says so
//! ([`step`](Harness::step), [`run_until_idle`](Harness::run_until_idle),
//! [`advance`](Harness::advance) — virtual time, so timers fire without waiting).
//!
//! * **Inputs** — [`put`](Harness::put) sends a message to any inbox by name. The first put to
//!   an inbox links a fresh [`Outbox`] of the type asked for to it, checking the name and the
//!   message type at run time (a mismatch is a [`HarnessError`] naming the box and both types).
//!   Messages go in like any other sender's: a full inbox refuses them with
//!   [`HarnessError::Full`] rather than waiting, so the test decides when the component runs.
//! * **Outputs** — every outbox of the component that is *watched* is linked to an unbounded
//!   inbox of the harness (so the component never waits on it), from which
//!   [`take`](Harness::take) and [`next`](Harness::next) read. Outboxes carrying [`Control`],
//!   `String`, `&'static str`, `Vec<u8>`, `bool`, `char`, `()` or a primitive number are watched
//!   from the start; others are watched by [`watch`](Harness::watch) or by the first
//!   `take`/`next` of them. Messages sent before an outbox is watched are held by it (up to its
//!   hold capacity) and arrive when it is watched.
//! * **Ending** — [`exit`](Harness::exit) says whether and how the component ended
//!   ([`Ended`]); [`is_finished`](Harness::is_finished) and [`has_ended`](Harness::has_ended)
//!   are the short forms. [`cancel`](Harness::cancel) stops a component that will not stop.
//!
//! # Transcripts
//!
//! [`transcript`](Harness::transcript) is everything that happened, one line per event, with
//! messages in `Debug` form: `> inbox: 5` for a message put in, `< outbox: 10` for one sent
//! out on a watched outbox, `~ advance 1s` for virtual time moving on, `# text` for a
//! [`note`](Harness::note), and a last line `= finished`, `= failed: error`,
//! `= panicked: message` or `= cancelled`. Compare it with an expected multi-line string: when
//! behaviour changes, the diff says what changed in terms a reviewer can read.
//!
//! Outputs are collected after every poll of a component while the harness
//! [steps](Harness::step) or runs until idle, so they appear in the order the component's polls
//! sent them; within one poll — and within one [`advance`](Harness::advance) — they are listed
//! by outbox in declaration order, each outbox's messages in the order sent.
//!
//! # Fault injection
//!
//! Small components with the four standard boxes (`inbox`, `control`, `outbox`, `signal`) to
//! put between a component and its neighbours: [`Duplicate`], [`Discard`], [`Delay`],
//! [`Reorder`] (seeded, so reproducible), [`FailAt`] and [`PanicAt`]. Each follows the
//! [control convention](crate::control): on `ProducerFinished` it passes on what it still
//! holds, then sends `ProducerFinished` on `signal` and ends; on `Shutdown` it discards what it
//! holds, sends `Shutdown` on `signal` and ends.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::boxes::meta::{Direction, ErasedBox};
use crate::boxes::outbox::OutboxCore;
use crate::boxes::{Inbox, Outbox};
use crate::component::Component;
use crate::context::Context;
use crate::control::{next_event, Control, Event};
use crate::error::{Error, TrySendError};
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
/// [module docs](self).
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
            .filter(|(_, s)| s.handle.meta().direction == Direction::Outbox)
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
            .position(|s| s.name == name && s.handle.meta().direction == direction)
            .ok_or_else(|| HarnessError::NoSuchBox {
                component: self.cell.name(),
                name: name.to_string(),
                direction,
                available: self
                    .slots
                    .iter()
                    .filter(|s| s.handle.meta().direction == direction)
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
                box_type: s.handle.meta().type_name,
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
                    box_type: self.slots[slot].handle.meta().type_name,
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
        let failure = || {
            self.cell
                .failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_default()
        };
        match self.cell.activity().0 {
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
    /// [module docs](self#transcripts).
    pub fn transcript(&self) -> String {
        self.log.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The transcript lines so far.
    pub fn lines(&self) -> &[String] {
        &self.log
    }
}

// ---------------------------------------------------------------------------------------------
// Fault injection
// ---------------------------------------------------------------------------------------------

/// What a relay component does with each message.
trait Rule<T>: Send {
    /// Decides what to pass on for `msg`, appending it to `out`.
    fn on_message(&mut self, msg: T, out: &mut Vec<T>);
    /// Called at the start and after each message's output was sent: fail or panic here.
    fn check(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// On `ProducerFinished`, after the last message: pass on what is still held.
    fn on_finish(&mut self, _out: &mut Vec<T>) {}
}

async fn send_out<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    out: &mut Vec<T>,
) -> Result<(), Error> {
    for m in out.drain(..) {
        outbox.send(m).await?;
    }
    Ok(())
}

/// The loop every relay component shares: the control convention around a [`Rule`].
async fn relay<T: Send + 'static, R: Rule<T>>(
    mut inbox: Inbox<T>,
    mut control: Inbox<Control>,
    mut outbox: Outbox<T>,
    mut signal: Outbox<Control>,
    mut rule: R,
) -> Result<(), Error> {
    let mut out = Vec::new();
    rule.check()?;
    loop {
        match next_event(&mut control, &mut inbox).await {
            Event::Message(m) => {
                rule.on_message(m, &mut out);
                send_out(&mut outbox, &mut out).await?;
                rule.check()?;
            }
            Event::Control(c) if c.is_producer_finished() => {
                while let Ok(m) = inbox.try_recv() {
                    rule.on_message(m, &mut out);
                    send_out(&mut outbox, &mut out).await?;
                    rule.check()?;
                }
                rule.on_finish(&mut out);
                send_out(&mut outbox, &mut out).await?;
                signal.send(c).await?;
                return Ok(());
            }
            Event::Control(c) => {
                signal.send(c).await?;
                return Ok(());
            }
        }
    }
}

/// Declares a fault-injection component's four boxes and its `Debug`.
macro_rules! relay_boxes {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(axon_macros::Boxes)]
        pub struct $name<T: Send + 'static> {
            /// Messages to pass on.
            pub inbox: Inbox<T>,
            /// `ProducerFinished` (pass on what is held, then stop) or `Shutdown` (stop now).
            pub control: Inbox<Control>,
            /// The messages passed on, with the fault applied.
            pub outbox: Outbox<T>,
            /// The control message that ended it.
            pub signal: Outbox<Control>,
            $($field: $ty,)*
        }

        impl<T: Send + 'static> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

fn boxes4<T: Send + 'static>() -> (Inbox<T>, Inbox<Control>, Outbox<T>, Outbox<Control>) {
    (Inbox::new(), Inbox::new(), Outbox::new(), Outbox::new())
}

relay_boxes! {
    /// Passes every message on `times` times (twice by default): a link that duplicates.
    Duplicate { times: usize }
}

impl<T: Clone + Send + 'static> Duplicate<T> {
    /// Passes every message on twice.
    pub fn new() -> Self {
        Self::times(2)
    }

    /// Passes every message on `times` times (0 passes nothing on).
    pub fn times(times: usize) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Duplicate {
            inbox,
            control,
            outbox,
            signal,
            times,
        }
    }
}

impl<T: Clone + Send + 'static> Default for Duplicate<T> {
    fn default() -> Self {
        Self::new()
    }
}

struct DuplicateRule(usize);

impl<T: Clone + Send> Rule<T> for DuplicateRule {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        if self.0 > 0 {
            out.extend(std::iter::repeat_n(msg, self.0));
        }
    }
}

impl<T: Clone + Send + 'static> Component for Duplicate<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        relay(
            self.inbox,
            self.control,
            self.outbox,
            self.signal,
            DuplicateRule(self.times),
        )
        .await
    }
}

/// A boxed predicate, printed as `<predicate>`.
struct Predicate<T>(Box<dyn FnMut(&T) -> bool + Send>);

impl<T> fmt::Debug for Predicate<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<predicate>")
    }
}

relay_boxes! {
    /// Loses messages: every `n`-th one ([`every`](Discard::every)), or those a predicate picks
    /// ([`when`](Discard::when)). (Named `Discard` rather than `Drop`, which would shadow the
    /// standard trait.)
    Discard { lose: Predicate<T> }
}

impl<T: Send + 'static> Discard<T> {
    /// Loses the `n`-th message, the `2n`-th and so on (counting from 1); `n` = 0 loses none.
    pub fn every(n: usize) -> Self {
        let mut seen = 0usize;
        Self::when(move |_| {
            seen += 1;
            n != 0 && seen % n == 0
        })
    }

    /// Loses the messages for which `lose` returns true.
    pub fn when(lose: impl FnMut(&T) -> bool + Send + 'static) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Discard {
            inbox,
            control,
            outbox,
            signal,
            lose: Predicate(Box::new(lose)),
        }
    }
}

struct DiscardRule<T>(Predicate<T>);

impl<T: Send> Rule<T> for DiscardRule<T> {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        if !(self.0 .0)(&msg) {
            out.push(msg);
        }
    }
}

impl<T: Send + 'static> Component for Discard<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        relay(
            self.inbox,
            self.control,
            self.outbox,
            self.signal,
            DiscardRule(self.lose),
        )
        .await
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same choices on every run.
/// [`Reorder`] uses it; fault injectors elsewhere (such as kamaelia's network simulation) use it
/// too, so a seed means the same thing everywhere.
///
/// ```
/// let (mut a, mut b) = (axon::testing::SplitMix::new(7), axon::testing::SplitMix::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` must not be 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

relay_boxes! {
    /// Reorders messages reproducibly: it holds up to `window` messages and, when one more
    /// arrives, passes on one of those held, chosen by a generator seeded with `seed` — the same
    /// seed and input give the same order on every run. On `ProducerFinished` it passes on the
    /// rest, in an order chosen the same way.
    Reorder { window: usize, seed: u64 }
}

impl<T: Send + 'static> Reorder<T> {
    /// Holds up to `window` messages (at least 1), choosing with the given seed.
    pub fn new(window: usize, seed: u64) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Reorder {
            inbox,
            control,
            outbox,
            signal,
            window: window.max(1),
            seed,
        }
    }
}

struct ReorderRule<T> {
    held: Vec<T>,
    window: usize,
    rng: SplitMix,
}

impl<T: Send> Rule<T> for ReorderRule<T> {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        self.held.push(msg);
        if self.held.len() > self.window {
            let i = self.rng.below(self.held.len());
            out.push(self.held.remove(i));
        }
    }

    fn on_finish(&mut self, out: &mut Vec<T>) {
        while !self.held.is_empty() {
            let i = self.rng.below(self.held.len());
            out.push(self.held.remove(i));
        }
    }
}

impl<T: Send + 'static> Component for Reorder<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let rule = ReorderRule {
            held: Vec::with_capacity(self.window + 1),
            window: self.window,
            rng: SplitMix(self.seed),
        };
        relay(self.inbox, self.control, self.outbox, self.signal, rule).await
    }
}

relay_boxes! {
    /// Passes the first `n` messages on, then fails with an error (at once if `n` is 0),
    /// without a `signal`: a component that breaks mid-stream.
    FailAt { n: usize }
}

impl<T: Send + 'static> FailAt<T> {
    /// Fails after passing on `n` messages.
    pub fn new(n: usize) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        FailAt {
            inbox,
            control,
            outbox,
            signal,
            n,
        }
    }
}

/// Counts messages passed on; `panic` chooses panicking over failing.
struct FaultRule {
    n: usize,
    seen: usize,
    panic: bool,
}

impl<T: Send> Rule<T> for FaultRule {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        self.seen += 1;
        out.push(msg);
    }

    fn check(&mut self) -> Result<(), Error> {
        if self.seen < self.n {
            return Ok(());
        }
        let what = format!("injected fault after {} messages", self.n);
        if self.panic {
            panic!("PanicAt: {what}");
        }
        Err(Error::msg(format!("FailAt: {what}")))
    }
}

impl<T: Send + 'static> Component for FailAt<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let rule = FaultRule {
            n: self.n,
            seen: 0,
            panic: false,
        };
        relay(self.inbox, self.control, self.outbox, self.signal, rule).await
    }
}

relay_boxes! {
    /// Passes the first `n` messages on, then panics (at once if `n` is 0): the panic is caught
    /// and the component ends as panicked, like any component that panics.
    PanicAt { n: usize }
}

impl<T: Send + 'static> PanicAt<T> {
    /// Panics after passing on `n` messages.
    pub fn new(n: usize) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        PanicAt {
            inbox,
            control,
            outbox,
            signal,
            n,
        }
    }
}

impl<T: Send + 'static> Component for PanicAt<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let rule = FaultRule {
            n: self.n,
            seen: 0,
            panic: true,
        };
        relay(self.inbox, self.control, self.outbox, self.signal, rule).await
    }
}

relay_boxes! {
    /// Holds each message for `delay` (tokio time: virtual under the deterministic scheduler)
    /// before passing it on, in order. On `ProducerFinished` it takes what is queued, passes
    /// everything on when due, then stops; `Shutdown` discards what it holds.
    Delay { delay: Duration }
}

impl<T: Send + 'static> Delay<T> {
    /// Delays every message by `delay`.
    pub fn new(delay: Duration) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Delay {
            inbox,
            control,
            outbox,
            signal,
            delay,
        }
    }
}

impl<T: Send + 'static> Component for Delay<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        use tokio::time::Instant;
        let mut held: VecDeque<(Instant, T)> = VecDeque::new();
        let mut finishing = false;
        loop {
            let due = held.front().map(|(at, _)| *at);
            if finishing && due.is_none() {
                self.signal.send(Control::ProducerFinished).await?;
                return Ok(());
            }
            tokio::select! {
                biased;
                c = self.control.recv() => match c {
                    Some(c) if c.is_producer_finished() => {
                        if !finishing {
                            finishing = true;
                            let at = Instant::now() + self.delay;
                            while let Ok(m) = self.inbox.try_recv() {
                                held.push_back((at, m));
                            }
                        }
                    }
                    stop => {
                        // `Shutdown` and `Failed` pass on unchanged; a closed `control` is a
                        // `Shutdown`.
                        self.signal.send(stop.unwrap_or(Control::Shutdown)).await?;
                        return Ok(());
                    }
                },
                () = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                    if let Some((_, m)) = held.pop_front() {
                        self.outbox.send(m).await?;
                    }
                }
                Some(m) = self.inbox.recv(), if !finishing => {
                    held.push_back((Instant::now() + self.delay, m));
                }
            }
        }
    }
}
