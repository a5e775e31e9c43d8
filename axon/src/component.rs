//! Components: a type that owns its boxes and has an async body.
//!
//! The body is the Rust form of Kamaelia's generator `main()`: every `.await` is a place where
//! the component yields to the scheduler, and waiting for a message replaces `pause()`. A
//! sub-routine (Kamaelia's `WaitComplete`) is just an `async fn` you `.await`.
//!
//! ```
//! use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
//!
//! /// Doubles every number; stops on any `Control`, passing it on.
//! #[derive(Boxes, Default)]
//! struct Doubler {
//!     /// Numbers to double.
//!     inbox: Inbox<u64>,
//!     /// Stop requests.
//!     control: Inbox<Control>,
//!     /// Doubled numbers.
//!     outbox: Outbox<u64>,
//!     /// The control message that stopped it.
//!     signal: Outbox<Control>,
//! }
//!
//! impl Component for Doubler {
//!     async fn run(mut self, _ctx: Context) -> Result<(), Error> {
//!         loop {
//!             tokio::select! {
//!                 biased; // control first: a stop request is seen before more data
//!                 Some(c) = self.control.recv() => {
//!                     // Producer-finished means "drain, then stop": take what is left first.
//!                     while let Ok(n) = self.inbox.try_recv() { self.outbox.send(n * 2).await?; }
//!                     self.signal.send(c).await?;
//!                     return Ok(());
//!                 }
//!                 Some(n) = self.inbox.recv() => self.outbox.send(n * 2).await?,
//!             }
//!         }
//!     }
//! }
//!
//! let mut system = System::deterministic();
//! let doubler = Doubler::default();
//! let mut results = axon::Inbox::new();
//! let mut input = axon::Outbox::new();
//! let mut stop = axon::Outbox::new();
//! axon::link(&input, &doubler.inbox).unwrap();
//! axon::link(&stop, &doubler.control).unwrap();
//! axon::link(&doubler.outbox, &results).unwrap();
//! system.spawn(doubler);
//! input.try_send(21).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(results.try_recv(), Ok(42));
//! ```

use std::borrow::Cow;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::boxes::meta::{BoxRegistrar, Boxes, ErasedBox, Listing};
use crate::boxes::InboxRef;
use crate::context::Context;
use crate::error::Error;
use crate::model::{Activity, ComponentCell, ComponentId};
use crate::system::SystemShared;

/// A component: boxes (listed by [`Boxes`]) plus an async body.
///
/// `run` takes the component by value: the body owns its boxes. Return `Ok(())` to finish,
/// `Err` to fail; either way the component's parent is told how it ended ([`Exit`]), the links
/// it made are removed and its inboxes are closed. A panic in the body is caught and reported
/// as [`Exit::Panicked`]; other components keep running.
pub trait Component: Boxes + Send + Sized + 'static {
    /// The component's body.
    fn run(self, ctx: Context) -> impl Future<Output = Result<(), Error>> + Send;
}

/// A component whose body runs on its own OS thread, for blocking work (Kamaelia's
/// `threadedcomponent`). It uses the same boxes with their blocking methods
/// ([`Inbox::recv_blocking`](crate::Inbox::recv_blocking),
/// [`Outbox::send_blocking`](crate::Outbox::send_blocking)). Everything it sent is in its
/// destinations when it ends: sends deliver directly, there is no internal queue to flush.
pub trait ThreadedComponent: Boxes + Send + Sized + 'static {
    /// The component's body, run on a dedicated thread.
    fn run(self, ctx: Context) -> Result<(), Error>;
}

/// How a component ended.
#[derive(Debug)]
pub enum Exit {
    /// Its body returned `Ok`.
    Finished,
    /// Its body returned an error.
    Failed(Error),
    /// Its body panicked; the panic message.
    Panicked(String),
    /// It was stopped from outside (system shutdown past its deadline, or never activated).
    Cancelled,
}

impl Exit {
    /// True for [`Exit::Finished`].
    pub fn is_finished(&self) -> bool {
        matches!(self, Exit::Finished)
    }
}

/// A child's end, as its parent hears of it.
#[derive(Debug)]
pub struct ChildExit {
    /// The child's id.
    pub id: ComponentId,
    /// The child's name.
    pub name: String,
    /// How it ended.
    pub exit: Exit,
}

/// A component that is registered (it has an id and its boxes have names, so link errors can
/// name them) but not yet running. Link its boxes through `Deref`, then activate it.
pub struct Child<C> {
    pub(crate) component: C,
    pub(crate) guard: ExitGuard,
    pub(crate) sched: usize,
}

impl<C> Child<C> {
    /// The child's id.
    pub fn id(&self) -> ComponentId {
        self.guard.cell.id
    }

    /// The child's name.
    pub fn name(&self) -> String {
        self.guard.cell.name()
    }
}

impl<C> std::ops::Deref for Child<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.component
    }
}

impl<C> std::ops::DerefMut for Child<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.component
    }
}

impl<C> std::fmt::Debug for Child<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish()
    }
}

/// The short name of a type: `PassThrough` for `kamaelia::util::PassThrough<u64>`.
pub(crate) fn short_type_name_of(full: &'static str) -> &'static str {
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

/// Registers `component` in `system`: gives it an id and a name, and names its boxes.
pub(crate) fn adopt<C: Boxes>(
    system: &Arc<SystemShared>,
    component: C,
    name: Option<String>,
    parent: Option<(ComponentId, InboxRef<ChildExit>)>,
    sched: usize,
) -> Child<C> {
    let id = system.next_id();
    let cell = Arc::new(ComponentCell::new(
        id,
        name,
        std::any::type_name::<C>(),
        parent.as_ref().map(|p| p.0),
        Arc::clone(&system.hub),
        crate::scheduler::TaskLink::new(Arc::clone(&system.scheds[sched])),
    ));
    component.register_boxes(&mut BoxRegistrar {
        to: Listing::Register(&cell),
    });
    system.registry.insert(Arc::clone(&cell));
    cell.announce();
    let guard = ExitGuard {
        cell,
        system: Arc::clone(system),
        parent: parent.map(|p| p.1),
        activated: None,
        ended: false,
    };
    Child {
        component,
        guard,
        sched,
    }
}

/// Marks an adopted child as started (counted as live, shown as running) and builds its context.
fn start<C>(child: Child<C>, threaded: bool) -> (C, ExitGuard, Context, usize) {
    let Child {
        component,
        mut guard,
        sched,
    } = child;
    guard.activated = Some(threaded);
    guard.system.component_started(threaded);
    guard.cell.set_activity(Activity::Running);
    let ctx = Context::new(Arc::clone(&guard.cell), Arc::clone(&guard.system), sched);
    (component, guard, ctx, sched)
}

/// Starts an adopted component on its scheduler.
pub(crate) fn activate<C: Component>(child: Child<C>) -> ComponentId {
    let (component, guard, ctx, sched) = start(child, false);
    let id = guard.cell.id;
    let system = Arc::clone(&guard.system);
    let span = crate::trace::component_span(&guard.cell);
    let cell = Arc::clone(&guard.cell);
    let task: crate::scheduler::TaskFuture = Box::pin(ComponentTask {
        body: Some(component.run(ctx)),
        guard,
    });
    system.scheds[sched].spawn((
        match span {
            // Only a component started while a subscriber listens pays for entering a span.
            Some(span) => crate::trace::in_span(span, task),
            None => task,
        },
        cell,
    ));
    id
}

/// Starts an adopted threaded component on a new OS thread.
pub(crate) fn activate_threaded<C: ThreadedComponent>(child: Child<C>) -> ComponentId {
    let (component, guard, ctx, _) = start(child, true);
    let id = guard.cell.id;
    let name = guard.cell.name();
    let span = crate::trace::component_span(&guard.cell);
    let spawned = std::thread::Builder::new().name(name).spawn(move || {
        let _in = span.as_ref().map(crate::trace::Span::enter);
        let mut guard = guard;
        guard.cell.enter_thread();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| component.run(ctx)));
        ComponentCell::leave_thread();
        guard.end(match result {
            Ok(Ok(())) => Exit::Finished,
            Ok(Err(e)) => Exit::Failed(e),
            Err(p) => Exit::Panicked(panic_message(p.as_ref())),
        });
    });
    if let Err(e) = spawned {
        // The guard moved into the closure was dropped with it and reported Cancelled.
        eprintln!("axon: could not start a thread for component {id}: {e}");
    }
    id
}

pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(panic with a non-string payload)".to_string()
    }
}

pin_project_lite::pin_project! {
    /// A component's task: its body, then the guard that reports how it ended. A plain struct
    /// rather than an `async` block, so the component and its context are stored once (an
    /// `async` block would keep them both as captured values and inside the body's future).
    struct ComponentTask<F> {
        // The body is dropped (with the boxes it owns) before the guard reports the end: on
        // completion `poll` empties it first; a task dropped unfinished drops its fields in
        // declaration order.
        #[pin]
        body: Option<F>,
        guard: ExitGuard,
    }
}

impl<F: Future<Output = Result<(), Error>>> Future for ComponentTask<F> {
    type Output = ();

    /// Polls the body, catching panics and keeping the live model's state up to date.
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let mut this = self.project();
        let cell = &this.guard.cell;
        let Some(fut) = this.body.as_mut().as_pin_mut() else {
            return Poll::Ready(()); // polled again after it ended
        };
        let exit = if cell.cancel.load(std::sync::atomic::Ordering::SeqCst) {
            Exit::Cancelled
        } else {
            match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(Ok(()))) => Exit::Finished,
                Ok(Poll::Ready(Err(e))) => Exit::Failed(e),
                Err(p) => Exit::Panicked(panic_message(p.as_ref())),
            }
        };
        // Running until the end is recorded (which ends the poll's "running" too).
        this.body.set(None);
        this.guard.end(exit);
        Poll::Ready(())
    }
}

/// Does everything that must happen when a component ends, however it ends (including being
/// dropped unfinished): records the state, closes its inboxes, removes it from the live model
/// and the services registry, and tells its parent and the system.
pub(crate) struct ExitGuard {
    pub(crate) cell: Arc<ComponentCell>,
    pub(crate) system: Arc<SystemShared>,
    parent: Option<InboxRef<ChildExit>>,
    /// `Some(threaded)` once activated.
    activated: Option<bool>,
    /// Set by [`end`](Self::end); a guard dropped without it reports the component cancelled.
    ended: bool,
}

impl Drop for ExitGuard {
    fn drop(&mut self) {
        if !self.ended {
            self.end(Exit::Cancelled);
        }
    }
}

impl ExitGuard {
    /// Reports that the component ended with `exit` (once; later calls do nothing).
    pub(crate) fn end(&mut self, exit: Exit) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        let (activity, failure): (Activity, Option<Cow<'_, str>>) = match &exit {
            Exit::Finished => (Activity::Finished, None),
            Exit::Failed(e) => (Activity::Failed, Some(Cow::Owned(e.to_string()))),
            Exit::Panicked(m) => (Activity::Panicked, Some(Cow::Borrowed(m))),
            Exit::Cancelled => (Activity::Cancelled, None),
        };
        if let Some(f) = failure {
            // Set only here, and a guard ends once: it cannot have been set before.
            self.cell.failure.set(f.into()).ok();
        }
        self.cell.set_activity(activity);
        self.cell.announce_end();
        // Close the boxes and release them (breaking the box → owner → box cycle), keeping
        // their names for labels and error messages. They are taken out under one lock and
        // closed outside it; a component's handful fit in an array on the stack.
        let mut first: [Option<Arc<dyn ErasedBox>>; 8] = Default::default();
        let mut rest = Vec::new();
        {
            let mut slots = self.cell.boxes.lock().unwrap_or_else(|p| p.into_inner());
            for (k, handle) in slots.iter_mut().filter_map(|s| s.handle.take()).enumerate() {
                match first.get_mut(k) {
                    Some(place) => *place = Some(handle),
                    None => rest.push(handle),
                }
            }
        }
        for handle in first.iter().flatten().chain(&rest) {
            handle.close();
        }
        drop((first, rest));
        if self
            .cell
            .owns_services
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            self.system.services.remove_owner(self.cell.id);
        }
        self.system.registry.remove(&self.cell);
        if self.activated.is_some() {
            self.system.registry.record_end(Arc::clone(&self.cell));
        }
        self.system.report_exit(&self.cell, &exit);
        if let Some(parent) = self.parent.take() {
            // The parent's exit inbox is unbounded; it fails only if the parent has ended.
            parent
                .try_send(ChildExit {
                    id: self.cell.id,
                    name: self.cell.name(),
                    exit,
                })
                .ok();
        }
        if let Some(threaded) = self.activated {
            self.system.component_ended(threaded);
        }
    }
}
