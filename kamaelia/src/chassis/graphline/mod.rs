//! Graphline: named children wired by an explicit list of linkages, packaged as one component
//! (Kamaelia: `Kamaelia.Chassis.Graphline.Graphline`).
//!
//! Children are given names; each linkage joins `(name, box)` to `(name, box)`. The name
//! `"self"` means the graphline itself: `("self", "inbox") → (child, box)` forwards one of the
//! graphline's inboxes into a child, `(child, box) → ("self", "outbox")` publishes a child's
//! outbox as one of the graphline's. A linkage always starts at a child's **outbox** or one of
//! the graphline's own **inboxes**, and ends at a child's **inbox** or one of the graphline's own
//! **outboxes**.
//!
//! The whole graph is checked when it is **built**, before anything runs:
//! [`GraphlineBuilder::build`] refuses unknown children, unknown boxes, boxes of the wrong
//! direction, message types that differ, a box used as the source of two linkages, duplicate or
//! reserved child names, and linkages naming a `"self"` box the graphline does not have — each
//! with a [`GraphError`] that names the child, the box and (for a mismatch) both types.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::graphline::Graphline;
//! # use axon::{next_event, Boxes, Component, Context, Error, Event};
//! # #[derive(Boxes)]
//! # struct Map { /// in
//! #   inbox: Inbox<u32>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<u32>, /// sig
//! #   signal: Outbox<Control>, f: fn(u32) -> u32 }
//! # impl Map { fn new(f: fn(u32) -> u32) -> Self {
//! #   Map { inbox: Inbox::new(), control: Inbox::new(), outbox: Outbox::new(), signal: Outbox::new(), f } } }
//! # impl Component for Map {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     loop { match next_event(&mut self.control, &mut self.inbox).await {
//! #       Event::Message(n) => self.outbox.send((self.f)(n)).await?,
//! #       Event::Control(c) => { while let Ok(n) = self.inbox.try_recv() { self.outbox.send((self.f)(n)).await?; }
//! #                              self.signal.send(c).await?; return Ok(()) } } } } }
//!
//! let graph: Graphline<u32, u32> = Graphline::builder()
//!     .child("DOUBLE", Map::new(|n| n * 2))
//!     .child("INC", Map::new(|n| n + 1))
//!     .link(("self", "inbox"), ("DOUBLE", "inbox"))
//!     .link(("DOUBLE", "outbox"), ("INC", "inbox"))
//!     .link(("DOUBLE", "signal"), ("INC", "control"))
//!     .link(("INC", "outbox"), ("self", "outbox"))
//!     .build()
//!     .unwrap();
//!
//! let mut system = System::deterministic();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &graph.inbox).unwrap();
//! axon::link(&stop, &graph.control).unwrap();
//! axon::link(&graph.outbox, &output).unwrap();
//! axon::link(&graph.signal, &signal).unwrap();
//! system.spawn(graph);
//! input.try_send(5).unwrap();
//! // ("self", "control") is not wired: the graphline passes this to DOUBLE, the only child
//! // whose control no linkage feeds; DOUBLE drains and passes it on to INC.
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(11));
//! // ("self", "signal") is not wired either: the graphline says itself that it has finished.
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Typing: Pipeline at compile time, Graphline when built
//!
//! A [`Pipeline`](crate::chassis::Pipeline) (and a [`Par`](crate::chassis::par::Par)) knows its
//! stages' types, so joining stages whose types differ does not compile:
//!
//! ```compile_fail,E0271
//! # use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//! # #[derive(Boxes, Default)] struct Numbers { /// i
//! #   inbox: Inbox<u32>, /// c
//! #   control: Inbox<Control>, /// o
//! #   outbox: Outbox<u32>, /// s
//! #   signal: Outbox<Control> }
//! # impl Component for Numbers { async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! # kamaelia::impl_stage!([] Numbers, u32 => u32);
//! # #[derive(Boxes, Default)] struct Text { /// i
//! #   inbox: Inbox<String>, /// c
//! #   control: Inbox<Control>, /// o
//! #   outbox: Outbox<String>, /// s
//! #   signal: Outbox<Control> }
//! # impl Component for Text { async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! # kamaelia::impl_stage!([] Text, String => String);
//! use kamaelia::chassis::Pipeline;
//! // Numbers sends u32, Text reads String: rejected by the compiler.
//! let _ = Pipeline::new(Numbers::default()).then(Text::default());
//! ```
//!
//! A graphline links boxes by name, so the same mistake is found by [`GraphlineBuilder::build`]
//! from the children's box metadata ([`axon::box_infos`]), before anything runs:
//!
//! ```
//! # use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//! # #[derive(Boxes, Default)] struct Numbers { /// i
//! #   inbox: Inbox<u32>, /// c
//! #   control: Inbox<Control>, /// o
//! #   outbox: Outbox<u32>, /// s
//! #   signal: Outbox<Control> }
//! # impl Component for Numbers { async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! # #[derive(Boxes, Default)] struct Text { /// i
//! #   inbox: Inbox<String>, /// c
//! #   control: Inbox<Control>, /// o
//! #   outbox: Outbox<String>, /// s
//! #   signal: Outbox<Control> }
//! # impl Component for Text { async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! use kamaelia::chassis::graphline::{GraphError, Graphline};
//! let err = Graphline::<(), ()>::builder()
//!     .child("N", Numbers::default())
//!     .child("T", Text::default())
//!     .link(("N", "outbox"), ("T", "inbox"))
//!     .build()
//!     .unwrap_err();
//! assert!(matches!(err, GraphError::TypeMismatch { .. }));
//! assert_eq!(
//!     err.to_string(),
//!     "cannot link N.outbox (carries u32) to T.inbox (carries alloc::string::String): message types differ"
//! );
//! ```
//!
//! The check compares the type names the boxes report. The links themselves are made when the
//! graphline runs, with [`Context::link_by_name`], which compares the exact types again; so even
//! two distinct types that happen to share a name cannot be joined (the graphline would then end
//! with that link error).
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | not read by the graphline; forwarded where a linkage from `("self", "inbox")` says |
//! | `control` | [`Control`] | forwarded where a linkage from `("self", "control")` says; if there is none, read by the graphline and passed to every child whose `control` no linkage feeds |
//! | `outbox` | `O` | whatever the child linked to `("self", "outbox")` sends |
//! | `signal` | [`Control`] | whatever the child linked to `("self", "signal")` sends; if there is none, the graphline's own end-of-run message |
//! | any other | declared | boxes declared with [`GraphlineBuilder::self_inbox`] / [`GraphlineBuilder::self_outbox`] |
//!
//! The four standard boxes always exist; their data types are the generic parameters
//! `Graphline<I, O>` (use `()` for a box you do not use). Further boxes of any type are declared
//! on the builder — `.self_inbox::<String>("text", "lines to show")` — and are then listed with
//! the others (introspection, the catalogue, [`Context::link_by_name`] from a parent) and reached
//! from plain code with [`Graphline::inbox_named`] / [`Graphline::outbox_named`]. Each graphline
//! has its own set: declaring a box on one never gives it to another (Kamaelia added such boxes
//! to the class, so they leaked into every later graphline). While it runs, the graphline also
//! has one internal outbox per child with a `control` inbox, named `_cs1`, `_cs2`, …
//! (Kamaelia's `_cs`), through which it passes control messages on.
//!
//! # Parameters
//!
//! * [`GraphlineBuilder::child`] / [`GraphlineBuilder::threaded_child`]: a named child (any
//!   component; its boxes are read with [`axon::box_infos`] when it is added). The name
//!   `"self"` is reserved; names must be unique. The child runs under that name, so errors and
//!   introspection use it.
//! * [`GraphlineBuilder::link`]: a linkage `(from_name, from_box) → (to_name, to_box)`.
//!   Many linkages may end at the same box; no box may start two (use a fan-out component).
//!   A linkage from `"self"` to `"self"` is refused.
//! * [`GraphlineBuilder::self_inbox`] / [`GraphlineBuilder::self_outbox`]: extra boxes of the
//!   graphline itself. Names must not repeat a box the graphline has, and `_cs` followed by
//!   digits is reserved.
//!
//! # Shutdown
//!
//! Children are adopted, linked and activated only when the graphline runs, and it ends only
//! after **every** child has ended; it never stops a child that is still running unless a sibling
//! failed.
//!
//! * If no linkage starts at `("self", "control")`, every message arriving on the graphline's
//!   `control` is passed, in order, to the `control` of every child that has a [`Control`] inbox
//!   named `control` that no linkage feeds. A [`Control::Shutdown`] among them is remembered.
//!   If such a linkage exists, the graphline never reads its `control`.
//! * If no linkage ends at `("self", "signal")`, the graphline sends one message on `signal`
//!   when its last child has ended: [`Control::Shutdown`] if it was sent one (or a child failed),
//!   otherwise [`Control::ProducerFinished`]. If such a linkage exists, the graphline sends
//!   nothing on `signal` itself.
//! * The graphline does not read its own `inbox` or extra inboxes: what arrives on a box that
//!   no linkage forwards waits there (and blocks its sender once full) and is discarded when the
//!   graphline ends. Messages sent before the graphline starts wait in its boxes and move on
//!   in order when the linkages are made.
//! * If a child fails, panics or is cancelled, the graphline sends [`Control::Shutdown`] to
//!   every child's `control` (linked or not), waits for all of them, sends `Shutdown` on `signal`
//!   (unless wired) and ends with an error naming the child (`child RC failed: ...`).
//!
//! Partial state: the graphline holds none; its children document their own.

use std::any::{type_name, Any};
use std::fmt;

use axon::{
    Boxes, Component, Context, Control, Direction, DynamicOutboxes, Error, Exit, Inbox, InboxRef,
    Outbox, OutboxRef,
};

mod build;
mod error;
mod own_box;

pub use build::GraphlineBuilder;
pub use error::GraphError;

use build::{End, Plan};
use own_box::{ExtraBox, ExtraBoxes};

/// The name that means "the graphline itself" in a linkage.
pub const SELF: &str = "self";

/// The base name of the internal outboxes that carry control messages to children.
const CONTROL_FAN: &str = "_cs";

/// Named children wired by name. Build one with [`Graphline::builder`]; see the
/// [module docs](self).
#[derive(Boxes)]
pub struct Graphline<I: Send + 'static, O: Send + 'static> {
    /// Forwarded to the child a linkage from `("self", "inbox")` names; not read otherwise.
    pub inbox: Inbox<I>,
    /// Forwarded where a linkage from `("self", "control")` says; otherwise passed to every
    /// child whose control no linkage feeds.
    pub control: Inbox<Control>,
    /// What the child linked to `("self", "outbox")` sends.
    pub outbox: Outbox<O>,
    /// What the child linked to `("self", "signal")` sends; otherwise `ProducerFinished` (or
    /// `Shutdown`) once every child has ended.
    pub signal: Outbox<Control>,
    /// Extra boxes declared on the builder.
    #[boxes(flatten)]
    extra: ExtraBoxes,
    /// One outbox per child with a control inbox, for passing control messages on.
    #[boxes(flatten)]
    fan: DynamicOutboxes<Control>,
    #[boxes(skip)]
    plan: Plan,
}

impl<I: Send + 'static, O: Send + 'static> fmt::Debug for Graphline<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graphline")
            .field("children", &self.children())
            .field("links", &self.plan.links.len())
            .field(
                "extra_boxes",
                &self
                    .extra
                    .0
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl<I: Send + 'static, O: Send + 'static> Graphline<I, O> {
    /// One of the graphline's own inboxes, by name (`inbox`, `control`, or a declared extra
    /// inbox), to link to or send into from outside.
    ///
    /// # Errors
    /// [`GraphError::NoSuchSelfBox`] if there is no such inbox, [`GraphError::WrongBoxType`] if
    /// it does not carry `T`.
    pub fn inbox_named<T: Send + 'static>(&self, name: &str) -> Result<InboxRef<T>, GraphError> {
        let standard: [(&str, &dyn Any, &'static str); 2] = [
            ("inbox", &self.inbox, type_name::<I>()),
            ("control", &self.control, type_name::<Control>()),
        ];
        self.own_box::<Inbox<T>>(name, Direction::Inbox, standard, type_name::<T>())
            .map(Inbox::handle)
    }

    /// One of the graphline's own outboxes, by name (`outbox`, `signal`, or a declared extra
    /// outbox), to link from outside.
    ///
    /// # Errors
    /// [`GraphError::NoSuchSelfBox`] if there is no such outbox, [`GraphError::WrongBoxType`]
    /// if it does not carry `T`.
    pub fn outbox_named<T: Send + 'static>(&self, name: &str) -> Result<OutboxRef<T>, GraphError> {
        let standard: [(&str, &dyn Any, &'static str); 2] = [
            ("outbox", &self.outbox, type_name::<O>()),
            ("signal", &self.signal, type_name::<Control>()),
        ];
        self.own_box::<Outbox<T>>(name, Direction::Outbox, standard, type_name::<T>())
            .map(Outbox::handle)
    }

    /// The graphline's own box `name` going `direction`, as a `B` carrying `asked`: one of the
    /// `standard` boxes (`(name, box, message type)`), or else a declared extra box.
    fn own_box<'a, B: Any>(
        &'a self,
        name: &str,
        direction: Direction,
        standard: [(&str, &'a dyn Any, &'static str); 2],
        asked: &'static str,
    ) -> Result<&'a B, GraphError> {
        let found = match standard.into_iter().find(|(n, _, _)| *n == name) {
            Some((_, any, has)) => Some((any, has)),
            None => self
                .extra
                .0
                .iter()
                .find(|e| e.name == name && e.b.direction() == direction)
                .map(|e| (e.b.as_any(), e.b.type_name())),
        };
        let (any, has) = found.ok_or_else(|| GraphError::NoSuchSelfBox {
            name: name.to_string(),
            direction,
            available: self.own_names(direction),
        })?;
        any.downcast_ref::<B>()
            .ok_or_else(|| GraphError::WrongBoxType {
                name: format!("{SELF}.{name}"),
                has,
                asked,
            })
    }

    fn own_names(&self, direction: Direction) -> Vec<String> {
        own_boxes::<I, O>(&self.extra.0)
            .into_iter()
            .filter(|(_, d, _)| *d == direction)
            .map(|(n, _, _)| n)
            .collect()
    }

    /// The names of the children, in the order they were added.
    pub fn children(&self) -> Vec<&str> {
        self.plan.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// The graphline's own boxes: `(name, direction, message type)`.
fn own_boxes<I, O>(extra: &[ExtraBox]) -> Vec<(String, Direction, &'static str)> {
    let mut all = vec![
        ("inbox".to_string(), Direction::Inbox, type_name::<I>()),
        (
            "control".to_string(),
            Direction::Inbox,
            type_name::<Control>(),
        ),
        ("outbox".to_string(), Direction::Outbox, type_name::<O>()),
        (
            "signal".to_string(),
            Direction::Outbox,
            type_name::<Control>(),
        ),
    ];
    all.extend(
        extra
            .iter()
            .map(|e| (e.name.clone(), e.b.direction(), e.b.type_name())),
    );
    all
}

fn new_fan() -> DynamicOutboxes<Control> {
    DynamicOutboxes::new(
        CONTROL_FAN,
        "passes control messages on to one child's control",
    )
}

impl<I: Send + 'static, O: Send + 'static> Component for Graphline<I, O> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let Graphline {
            inbox,
            mut control,
            outbox,
            mut signal,
            extra,
            mut fan,
            plan,
        } = self;
        let me = ctx.id();

        // Adopt every child under its name; nothing starts yet.
        let mut ids = Vec::with_capacity(plan.children.len());
        let mut activations = Vec::with_capacity(plan.children.len());
        let mut with_control = Vec::new();
        for (i, child) in plan.children.into_iter().enumerate() {
            let (id, activate) = (child.adopt)(&mut ctx, child.name);
            ids.push(id);
            activations.push(activate);
            if child.has_control {
                with_control.push((i, child.control_linked));
            }
        }
        let id_of = |end: End| match end {
            End::Me => me,
            End::Child(i) => ids[i],
        };

        for (end, name, n) in &plan.capacities {
            ctx.set_capacity(id_of(*end), name, Some(*n))?;
        }

        // The linkages, exactly as given (checked again, by exact type, as they are made).
        for l in &plan.links {
            ctx.link_by_name(id_of(l.from), &l.from_box, id_of(l.to), &l.to_box)?;
        }

        // One internal outbox per child with a control inbox: control messages are passed on
        // through it, and a sibling's failure reaches every child through it.
        let keys: Vec<_> = with_control.iter().map(|_| fan.add().0).collect();
        // Listed in the order they were added.
        let names: Vec<String> = axon::box_infos(&fan)
            .into_iter()
            .map(|b| b.name.into_owned())
            .collect();
        let mut pass_on = Vec::new();
        for ((&(i, linked), &key), name) in with_control.iter().zip(&keys).zip(&names) {
            ctx.link_by_name(me, name, ids[i], "control")?;
            if !linked {
                pass_on.push(key);
            }
        }

        for activate in activations {
            activate(&mut ctx);
        }

        let mut read_control = !plan.control_wired;
        let mut told_shutdown = false;
        let mut failure: Option<String> = None;
        loop {
            tokio::select! {
                biased;
                c = control.recv(), if read_control => match c {
                    Some(c) => {
                        told_shutdown |= c == Control::Shutdown;
                        for &key in &pass_on {
                            // A child that has ended no longer needs it.
                            fan.send(key, c.clone()).await.ok();
                        }
                    }
                    None => read_control = false,
                },
                exit = ctx.next_child_exit() => match exit {
                    None => break,
                    Some(exit) => {
                        let what = match &exit.exit {
                            Exit::Finished => continue,
                            Exit::Failed(e) => format!("failed: {e}"),
                            Exit::Panicked(m) => format!("panicked: {m}"),
                            Exit::Cancelled => "was cancelled".to_string(),
                        };
                        if failure.is_none() {
                            for &key in &keys {
                                fan.try_send(key, Control::Shutdown).ok();
                            }
                            failure = Some(format!("child {} {what}", exit.name));
                        }
                    }
                },
            }
        }

        if !plan.signal_wired {
            let last = if told_shutdown || failure.is_some() {
                Control::Shutdown
            } else {
                Control::ProducerFinished
            };
            // If the receiver has ended there is nobody left to tell.
            signal.send(last).await.ok();
        }
        // The boxes must outlive the forwards made from and to them.
        let _boxes = (inbox, outbox, extra);
        match failure {
            None => Ok(()),
            Some(f) => Err(Error::msg(f)),
        }
    }
}

crate::impl_stage!([I: Send + 'static, O: Send + 'static] Graphline<I, O>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    // Only the boxes are read: an empty graph has the four standard ones.
    let g: Graphline<Msg, Msg> = Graphline {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        extra: ExtraBoxes::default(),
        fan: new_fan(),
        plan: Plan {
            children: Vec::new(),
            links: Vec::new(),
            control_wired: false,
            signal_wired: false,
            capacities: Vec::new(),
        },
    };
    Entry::new(
        "Graphline",
        "Kamaelia.Chassis.Graphline.Graphline",
        Family::Chassis,
        "Named children wired by explicit linkages between (name, box) pairs, \"self\" meaning the graphline's own boxes; checked when built. Passes control on to children whose control is not linked, and signals once all have ended.",
        axon::box_infos(&g),
    )
    .parameter("child", "(&str, Component)", "Graphline::builder().child(\"NAME\", component): a named child")
    .parameter("link", "((&str, &str), (&str, &str))", ".link((\"A\", \"outbox\"), (\"B\", \"inbox\")); \"self\" is the graphline itself")
    .parameter("self_inbox / self_outbox", "<T>(name, doc)", "extra boxes of the graphline itself, of any message type")
});
