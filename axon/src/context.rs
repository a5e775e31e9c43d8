//! The context a running component gets: its identity, its children, the links it owns, and
//! the system's services.
//!
//! A parent creates children, links their boxes (and its own, with pass-throughs), then
//! activates them — Kamaelia's `addChildren` + `link` + `activate`. Links made through the
//! context belong to the component and are removed when it ends; a parent can remove a child
//! together with the links it made for that child.
//!
//! ```
//! use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
//! # #[derive(Boxes, Default)]
//! # struct Numbers { /// out
//! #   outbox: Outbox<u32>, /// sig
//! #   signal: Outbox<Control> }
//! # impl Component for Numbers {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     for i in 1..=3 { self.outbox.send(i).await?; }
//! #     self.signal.send(Control::ProducerFinished).await?; Ok(()) } }
//! # #[derive(Boxes, Default)]
//! # struct Sum { /// in
//! #   inbox: Inbox<u32>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<u32> }
//! # impl Component for Sum {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     let mut total = 0;
//! #     loop { tokio::select! { biased;
//! #       Some(_) = self.control.recv() => break,
//! #       Some(n) = self.inbox.recv() => total += n } }
//! #     while let Ok(n) = self.inbox.try_recv() { total += n; }
//! #     self.outbox.send(total).await?; Ok(()) } }
//!
//! /// Runs `Numbers` into `Sum` and publishes the total on its own outbox.
//! #[derive(Boxes, Default)]
//! struct Total {
//!     /// The total.
//!     outbox: Outbox<u32>,
//! }
//!
//! impl Component for Total {
//!     async fn run(self, mut ctx: Context) -> Result<(), Error> {
//!         let numbers = ctx.adopt(Numbers::default());
//!         let sum = ctx.adopt(Sum::default());
//!         ctx.link(&numbers.outbox, &sum.inbox)?;
//!         ctx.link(&numbers.signal, &sum.control)?;
//!         ctx.forward_outbox(&sum.outbox, &self.outbox)?; // child's outbox becomes ours
//!         ctx.activate(numbers);
//!         ctx.activate(sum);
//!         while let Some(exit) = ctx.next_child_exit().await {
//!             assert!(exit.exit.is_finished(), "{} ended with {:?}", exit.name, exit.exit);
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let mut system = System::deterministic();
//! let total = Total::default();
//! let mut result = Inbox::new();
//! axon::link(&total.outbox, &result).unwrap();
//! system.spawn(total);
//! system.run().unwrap();
//! assert_eq!(result.try_recv(), Ok(6));
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::boxes::meta::{Boxes, Direction};
use crate::boxes::Inbox;
use crate::component::{self, Child, ChildExit, Component, ThreadedComponent};
use crate::link::{AsInbox, AsOutbox, LinkError, LinkId, Linkage};
use crate::model::{ComponentCell, ComponentId, Snapshot};
use crate::services::Services;
use crate::system::{SystemHandle, SystemShared};

/// What a running component gets besides its boxes. See the [module docs](self).
pub struct Context {
    cell: Arc<ComponentCell>,
    system: Arc<SystemShared>,
    sched: usize,
    /// Made with the first link or child: most components (the leaves of a system) never
    /// need one, and a context is part of every component's task.
    family: Option<Box<Family>>,
}

/// The links a component made and the children it adopted.
#[derive(Default)]
struct Family {
    links: HashMap<LinkId, Linkage>,
    children: BTreeMap<ComponentId, Arc<ComponentCell>>,
    /// Created with the first child.
    exits: Option<Inbox<ChildExit>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.cell.id)
            .field("name", &self.cell.name())
            .field(
                "children",
                &self.family.as_ref().map_or(0, |f| f.children.len()),
            )
            .field("links", &self.family.as_ref().map_or(0, |f| f.links.len()))
            .finish()
    }
}

impl Context {
    pub(crate) fn new(cell: Arc<ComponentCell>, system: Arc<SystemShared>, sched: usize) -> Self {
        // Bounded in practice by the number of children: one message per child that ends.
        Context {
            cell,
            system,
            sched,
            family: None,
        }
    }

    fn family(&mut self) -> &mut Family {
        self.family.get_or_insert_with(Box::default)
    }

    pub(crate) fn system_shared(&self) -> &Arc<SystemShared> {
        &self.system
    }

    /// This component's id.
    pub fn id(&self) -> ComponentId {
        self.cell.id
    }

    /// This component's name.
    pub fn name(&self) -> String {
        self.cell.name()
    }

    /// The system's services registry.
    pub fn services(&self) -> &Services {
        &self.system.services
    }

    /// A handle to the whole system (spawn top-level components, read snapshots, stop it).
    pub fn system(&self) -> SystemHandle {
        SystemHandle::new(Arc::clone(&self.system))
    }

    /// The current live model of the system.
    pub fn snapshot(&self) -> Snapshot {
        self.system.snapshot()
    }

    /// Registers `component` as a child (named `Type#id`) without starting it, so its boxes can
    /// be linked first. It will run on this component's scheduler thread.
    pub fn adopt<C: Boxes>(&mut self, component: C) -> Child<C> {
        self.adopt_inner(None, component, self.sched)
    }

    /// As [`adopt`](Self::adopt), with a name for introspection and error messages.
    pub fn adopt_named<C: Boxes>(&mut self, name: impl Into<String>, component: C) -> Child<C> {
        self.adopt_inner(Some(name.into()), component, self.sched)
    }

    /// As [`adopt`](Self::adopt), placing the child on scheduler thread `thread` (modulo the
    /// number of threads) instead of this component's.
    pub fn adopt_on<C: Boxes>(&mut self, thread: usize, component: C) -> Child<C> {
        let sched = thread % self.system.scheds.len();
        self.adopt_inner(None, component, sched)
    }

    fn adopt_inner<C: Boxes>(
        &mut self,
        name: Option<String>,
        component: C,
        sched: usize,
    ) -> Child<C> {
        let exits = self
            .family()
            .exits
            .get_or_insert_with(Inbox::unbounded)
            .handle();
        let child = component::adopt(
            &self.system,
            component,
            name,
            Some((self.cell.id, exits)),
            sched,
        );
        self.family()
            .children
            .insert(child.guard.cell.id, Arc::clone(&child.guard.cell));
        child
    }

    /// Starts an adopted child.
    pub fn activate<C: Component>(&mut self, child: Child<C>) -> ComponentId {
        component::activate(child)
    }

    /// Starts an adopted child whose body runs on its own OS thread.
    pub fn activate_threaded<C: ThreadedComponent>(&mut self, child: Child<C>) -> ComponentId {
        component::activate_threaded(child)
    }

    /// Adopts and starts a child in one step.
    pub fn spawn<C: Component>(&mut self, component: C) -> ComponentId {
        let child = self.adopt(component);
        self.activate(child)
    }

    /// Adopts and starts a threaded child in one step.
    pub fn spawn_threaded<C: ThreadedComponent>(&mut self, component: C) -> ComponentId {
        let child = self.adopt(component);
        self.activate_threaded(child)
    }

    fn own(&mut self, link: Result<Linkage, LinkError>) -> Result<LinkId, LinkError> {
        let link = link?;
        let id = link.id();
        self.family().links.insert(id, link);
        Ok(id)
    }

    /// Links an outbox to an inbox; the link belongs to this component.
    ///
    /// # Errors
    /// As [`link`](crate::link()).
    pub fn link<T: Send + 'static>(
        &mut self,
        from: &impl AsOutbox<T>,
        to: &impl AsInbox<T>,
    ) -> Result<LinkId, LinkError> {
        self.own(crate::link::link(from, to))
    }

    /// Forwards an inbox (normally this component's own) to a child's inbox.
    ///
    /// # Errors
    /// As [`forward_inbox`](crate::forward_inbox).
    pub fn forward_inbox<T: Send + 'static>(
        &mut self,
        outer: &impl AsInbox<T>,
        inner: &impl AsInbox<T>,
    ) -> Result<LinkId, LinkError> {
        self.own(crate::link::forward_inbox(outer, inner))
    }

    /// Publishes a child's outbox as an outbox of this component.
    ///
    /// # Errors
    /// As [`forward_outbox`](crate::forward_outbox).
    pub fn forward_outbox<T: Send + 'static>(
        &mut self,
        inner: &impl AsOutbox<T>,
        outer: &impl AsOutbox<T>,
    ) -> Result<LinkId, LinkError> {
        self.own(crate::link::forward_outbox(inner, outer))
    }

    /// Links two boxes by component id and box name, checking at link time that they exist and
    /// carry the same message type. `from` is an outbox (or this component's inbox, to forward
    /// it); `to` is an inbox or, for an outbox→outbox pass-through, an outbox. Either id may be
    /// this component's own.
    ///
    /// # Errors
    /// [`LinkError::NoSuchBox`] naming the component and the boxes it has,
    /// [`LinkError::TypeMismatch`] naming both boxes and both types, or any error of the
    /// typed forms.
    pub fn link_by_name(
        &mut self,
        from: ComponentId,
        from_box: &str,
        to: ComponentId,
        to_box: &str,
    ) -> Result<LinkId, LinkError> {
        let from_cell = self.cell_of(from, from_box)?;
        let to_cell = self.cell_of(to, to_box)?;
        let src = from_cell.find_any_box(from_box)?;
        let dst = match src.meta().direction() {
            // An inbox can only forward to an inbox.
            Direction::Inbox => to_cell.find_box(to_box, Direction::Inbox)?,
            // An outbox goes to an inbox, or to an outbox (pass-through) if that is what exists.
            Direction::Outbox => to_cell
                .find_box(to_box, Direction::Inbox)
                .or_else(|e| to_cell.find_box(to_box, Direction::Outbox).map_err(|_| e))?,
        };
        self.own(crate::link::link_erased(&src, &dst))
    }

    /// Sets the capacity of a box by component id and box name (an inbox's bound, or an
    /// outbox's hold buffer; `None` = unbounded) — how chassis let their users size boxes when
    /// wiring (Kamaelia's experimental bounded chassis).
    ///
    /// # Errors
    /// [`LinkError::NoSuchComponent`] or [`LinkError::NoSuchBox`].
    pub fn set_capacity(
        &mut self,
        id: ComponentId,
        box_name: &str,
        capacity: Option<usize>,
    ) -> Result<(), LinkError> {
        self.cell_of(id, box_name)?
            .find_any_box(box_name)?
            .set_capacity(capacity);
        Ok(())
    }

    fn cell_of(&self, id: ComponentId, box_name: &str) -> Result<Arc<ComponentCell>, LinkError> {
        if id == self.cell.id {
            return Ok(Arc::clone(&self.cell));
        }
        self.family
            .as_ref()
            .and_then(|f| f.children.get(&id).cloned())
            .or_else(|| self.system.registry.get(id))
            .ok_or_else(|| LinkError::NoSuchComponent {
                component: id.to_string(),
                name: box_name.to_string(),
            })
    }

    /// Removes one link this component made. Returns false if it was not one of ours.
    pub fn unlink(&mut self, id: LinkId) -> bool {
        match self.family.as_mut().and_then(|f| f.links.remove(&id)) {
            Some(l) => {
                l.unlink();
                true
            }
            None => false,
        }
    }

    /// Forgets a child and removes every link this component made that touches it. The child
    /// keeps running if it has not ended (send it a [`Control`](crate::Control) to stop it).
    pub fn remove_child(&mut self, id: ComponentId) {
        let Some(family) = self.family.as_mut() else {
            return;
        };
        family.children.remove(&id);
        family.links.retain(|_, l| {
            let (a, b) = l.owners();
            let touches = a == Some(id) || b == Some(id);
            if touches {
                l.unlink();
            }
            !touches
        });
    }

    /// Stops a child that will not stop by itself: its body is dropped at its next chance (it
    /// is woken for that), and it ends as [`Exit::Cancelled`](crate::Exit::Cancelled) — its
    /// links and services are removed and its inboxes closed as for any end. Prefer sending
    /// [`Control::Shutdown`](crate::Control::Shutdown) first; this is for a child that ignores
    /// it. Returns false if `id` is not a live child of this component. A threaded child's
    /// thread cannot be stopped: the request is recorded but only async children obey it.
    pub fn cancel_child(&mut self, id: ComponentId) -> bool {
        match self.family.as_ref().and_then(|f| f.children.get(&id)) {
            Some(cell) => {
                cell.request_cancel();
                true
            }
            None => false,
        }
    }

    /// The ids of this component's children that have not ended (or whose end has not yet been
    /// collected with [`next_child_exit`](Self::next_child_exit)).
    pub fn children(&self) -> Vec<ComponentId> {
        self.family
            .as_ref()
            .map(|f| f.children.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Waits until a child ends and says how. Returns `None` at once if there are no children.
    /// (Kamaelia woke the parent when a child ended; this is that wake-up, with the reason.)
    ///
    /// The links this component made that touch the child stay in effect and recorded (a
    /// sender into its closed inbox keeps getting `Closed`) until
    /// [`remove_child`](Self::remove_child) or this component's end: a long-lived parent that
    /// keeps making children should remove each one it is done with, as `ServerCore` does for
    /// every finished connection.
    ///
    /// Memory: until its end is collected here (or it is removed), an ended child keeps its
    /// place among the children (its live-model entry, a few hundred bytes) and its
    /// [`ChildExit`] waits in a queue with no limit of its own. Both are bounded by the number
    /// of children adopted, so a parent that adopts children without end must collect or
    /// remove them as they end.
    pub async fn next_child_exit(&mut self) -> Option<ChildExit> {
        let family = self.family.as_mut()?;
        loop {
            if family.children.is_empty() {
                return None;
            }
            let exit = family.exits.as_mut()?.recv().await?;
            // Children removed with `remove_child` are no longer ours to hear about.
            if family.children.remove(&exit.id).is_some() {
                return Some(exit);
            }
        }
    }

    /// Returns a child's end if one is waiting.
    pub fn try_child_exit(&mut self) -> Option<ChildExit> {
        let family = self.family.as_mut()?;
        loop {
            let exit = family.exits.as_mut()?.try_recv().ok()?;
            if family.children.remove(&exit.id).is_some() {
                return Some(exit);
            }
        }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        if let Some(family) = self.family.take() {
            for (_, l) in family.links {
                l.unlink();
            }
        }
    }
}
