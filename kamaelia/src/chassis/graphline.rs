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
use std::collections::{HashMap, HashSet};
use std::fmt;

use axon::{
    BoxInfo, BoxRegistrar, Boxes, Component, ComponentId, Context, Control, Direction,
    DynamicOutboxes, Error, Exit, Inbox, InboxRef, Outbox, OutboxRef, ThreadedComponent,
};

/// The name that means "the graphline itself" in a linkage.
pub const SELF: &str = "self";

/// The base name of the internal outboxes that carry control messages to children.
const CONTROL_FAN: &str = "_cs";

/// Why a graph could not be built (or an own box looked up). Every variant names the child
/// and box at fault; boxes are written `child.box`, the graphline's own as `self.box`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// Two children were given the same name.
    DuplicateChild {
        /// The name.
        name: String,
    },
    /// A child was given the reserved name `"self"`.
    ReservedName {
        /// The name.
        name: String,
    },
    /// A linkage names a child that was not added.
    UnknownChild {
        /// The name used.
        name: String,
        /// The linkage, `from.box -> to.box`.
        linkage: String,
        /// The children there are.
        children: Vec<String>,
    },
    /// A linkage names a box the child does not have in the direction needed (a linkage
    /// starts at a child's outbox and ends at a child's inbox).
    NoSuchBox {
        /// The child.
        child: String,
        /// The box name used.
        name: String,
        /// The direction needed.
        direction: Direction,
        /// The child's boxes of that direction.
        available: Vec<String>,
    },
    /// A linkage names a box of the graphline itself that it does not have in the direction
    /// needed (a linkage starts at one of its inboxes and ends at one of its outboxes). Declare
    /// extra boxes with [`GraphlineBuilder::self_inbox`] / [`GraphlineBuilder::self_outbox`].
    NoSuchSelfBox {
        /// The box name used.
        name: String,
        /// The direction needed.
        direction: Direction,
        /// The graphline's boxes of that direction.
        available: Vec<String>,
    },
    /// A linkage joins boxes carrying different message types.
    TypeMismatch {
        /// The source box.
        from: String,
        /// Its message type.
        from_type: &'static str,
        /// The destination box.
        to: String,
        /// Its message type.
        to_type: &'static str,
    },
    /// Two linkages start at the same box (one-to-many is not allowed).
    AlreadyLinked {
        /// The source box.
        from: String,
        /// Where the first linkage goes.
        first: String,
        /// Where the second linkage would go.
        second: String,
    },
    /// A linkage goes from the graphline to itself.
    SelfToSelf {
        /// The source box.
        from: String,
        /// The destination box.
        to: String,
    },
    /// An extra box of the graphline repeats a name it already has, or uses a reserved one.
    DuplicateBox {
        /// The name.
        name: String,
    },
    /// [`Graphline::inbox_named`] / [`Graphline::outbox_named`] asked for a box with the wrong
    /// message type.
    WrongBoxType {
        /// The box, `self.name`.
        name: String,
        /// Its message type.
        has: &'static str,
        /// The type asked for.
        asked: &'static str,
    },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::DuplicateChild { name } => {
                write!(f, "two children are named {name:?}: child names must be unique")
            }
            GraphError::ReservedName { name } => write!(
                f,
                "a child cannot be named {name:?}: that name means the graphline itself"
            ),
            GraphError::UnknownChild {
                name,
                linkage,
                children,
            } => write!(
                f,
                "linkage {linkage} names no child {name:?} (children: {}; use \"self\" for the graphline itself)",
                children.join(", ")
            ),
            GraphError::NoSuchBox {
                child,
                name,
                direction,
                available,
            } => write!(
                f,
                "child {child} has no {direction} named {name:?} (its {direction}es: {}; a linkage starts at an outbox and ends at an inbox)",
                available.join(", ")
            ),
            GraphError::NoSuchSelfBox {
                name,
                direction,
                available,
            } => write!(
                f,
                "the graphline has no {direction} named {name:?} (its {direction}es: {}; declare others with self_{direction})",
                available.join(", ")
            ),
            GraphError::TypeMismatch {
                from,
                from_type,
                to,
                to_type,
            } => write!(
                f,
                "cannot link {from} (carries {from_type}) to {to} (carries {to_type}): message types differ"
            ),
            GraphError::AlreadyLinked {
                from,
                first,
                second,
            } => write!(
                f,
                "cannot link {from} to {second}: it is already linked to {first} (one-to-many is not allowed; use a fan-out component)"
            ),
            GraphError::SelfToSelf { from, to } => write!(
                f,
                "cannot link {from} to {to}: a linkage must start or end at a child"
            ),
            GraphError::DuplicateBox { name } => write!(
                f,
                "the graphline cannot have another box named {name:?}: the name is taken or reserved"
            ),
            GraphError::WrongBoxType { name, has, asked } => {
                write!(f, "{name} carries {has}, not {asked}")
            }
        }
    }
}

impl std::error::Error for GraphError {}

/// One extra box of the graphline, with its message type erased.
trait OwnBox: Any + Send {
    fn list(&self, name: String, doc: String, boxes: &mut BoxRegistrar<'_>);
    fn direction(&self) -> Direction;
    fn type_name(&self) -> &'static str;
    fn as_any(&self) -> &dyn Any;
}

impl<T: Send + 'static> OwnBox for Inbox<T> {
    fn list(&self, name: String, doc: String, boxes: &mut BoxRegistrar<'_>) {
        boxes.inbox(name, doc, self);
    }
    fn direction(&self) -> Direction {
        Direction::Inbox
    }
    fn type_name(&self) -> &'static str {
        type_name::<T>()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl<T: Send + 'static> OwnBox for Outbox<T> {
    fn list(&self, name: String, doc: String, boxes: &mut BoxRegistrar<'_>) {
        boxes.outbox(name, doc, self);
    }
    fn direction(&self) -> Direction {
        Direction::Outbox
    }
    fn type_name(&self) -> &'static str {
        type_name::<T>()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct ExtraBox {
    name: String,
    doc: String,
    b: Box<dyn OwnBox>,
}

/// The extra boxes declared on one graphline (each graphline has its own).
#[derive(Default)]
struct ExtraBoxes(Vec<ExtraBox>);

impl Boxes for ExtraBoxes {
    fn register_boxes(&self, boxes: &mut BoxRegistrar<'_>) {
        for e in &self.0 {
            e.b.list(e.name.clone(), e.doc.clone(), boxes);
        }
    }
}

/// Starts one adopted child.
type Activation = Box<dyn FnOnce(&mut Context) + Send>;
/// Adopts a child (under its name) and returns its id and how to start it.
type Adopt = Box<dyn FnOnce(&mut Context, String) -> (ComponentId, Activation) + Send>;

struct ChildSpec {
    name: String,
    boxes: Vec<BoxInfo>,
    adopt: Adopt,
}

/// One end of a checked linkage.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Me,
    Child(usize),
}

struct Link {
    from: End,
    from_box: String,
    to: End,
    to_box: String,
}

/// A child as the graphline will run it.
struct PlannedChild {
    name: String,
    adopt: Adopt,
    /// It has a `control` inbox carrying [`Control`].
    has_control: bool,
    /// Some linkage ends at its `control`.
    control_linked: bool,
}

/// What the graphline does when it runs, checked when it was built.
struct Plan {
    children: Vec<PlannedChild>,
    links: Vec<Link>,
    /// A linkage starts at `("self", "control")`.
    control_wired: bool,
    /// A linkage ends at `("self", "signal")`.
    signal_wired: bool,
    /// Inbox capacities to set before linking.
    capacities: Vec<(End, String, usize)>,
}

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

/// Builds a [`Graphline`]: add children and linkages, then [`build`](Self::build), which checks
/// them all.
pub struct GraphlineBuilder<I, O> {
    children: Vec<ChildSpec>,
    links: Vec<((String, String), (String, String))>,
    extra: Vec<ExtraBox>,
    capacities: Vec<((String, String), usize)>,
    _types: std::marker::PhantomData<fn(I) -> O>,
}

impl<I, O> fmt::Debug for GraphlineBuilder<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphlineBuilder")
            .field(
                "children",
                &self
                    .children
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("links", &self.links)
            .finish_non_exhaustive()
    }
}

impl<I: Send + 'static, O: Send + 'static> Graphline<I, O> {
    /// Starts building a graphline whose own `inbox` carries `I` and `outbox` carries `O`.
    pub fn builder() -> GraphlineBuilder<I, O> {
        GraphlineBuilder {
            children: Vec::new(),
            links: Vec::new(),
            extra: Vec::new(),
            capacities: Vec::new(),
            _types: std::marker::PhantomData,
        }
    }

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

/// `_cs` followed by digits: the internal control outboxes' names.
fn is_reserved_box_name(name: &str) -> bool {
    name.strip_prefix(CONTROL_FAN)
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

impl<I: Send + 'static, O: Send + 'static> GraphlineBuilder<I, O> {
    /// Adds a child under `name`. It is adopted and started only when the graphline runs.
    pub fn child<C: Component>(self, name: impl Into<String>, component: C) -> Self {
        let boxes = axon::box_infos(&component);
        let adopt: Adopt = Box::new(move |ctx: &mut Context, name: String| {
            let child = ctx.adopt_named(name, component);
            let id = child.id();
            let activate: Activation = Box::new(move |ctx: &mut Context| {
                ctx.activate(child);
            });
            (id, activate)
        });
        self.push_child(name, boxes, adopt)
    }

    /// Adds a child whose body runs on its own OS thread ([`ThreadedComponent`]).
    pub fn threaded_child<C: ThreadedComponent>(
        self,
        name: impl Into<String>,
        component: C,
    ) -> Self {
        let boxes = axon::box_infos(&component);
        let adopt: Adopt = Box::new(move |ctx: &mut Context, name: String| {
            let child = ctx.adopt_named(name, component);
            let id = child.id();
            let activate: Activation = Box::new(move |ctx: &mut Context| {
                ctx.activate_threaded(child);
            });
            (id, activate)
        });
        self.push_child(name, boxes, adopt)
    }

    /// Adds the child `name`, whose boxes are `boxes`, adopted by `adopt`.
    fn push_child(mut self, name: impl Into<String>, boxes: Vec<BoxInfo>, adopt: Adopt) -> Self {
        self.children.push(ChildSpec {
            name: name.into(),
            boxes,
            adopt,
        });
        self
    }

    /// Sets the capacity of a child's inbox when wiring (Kamaelia's experimental bounded
    /// Graphline's `boxsizes`): `.capacity(("RFA", "inbox"), 4)`. Checked when the graph is
    /// built, like linkages.
    pub fn capacity(mut self, inbox: (&str, &str), capacity: usize) -> Self {
        self.capacities
            .push(((inbox.0.to_string(), inbox.1.to_string()), capacity));
        self
    }

    /// Adds a linkage from `(name, box)` to `(name, box)`; `"self"` means the graphline.
    pub fn link(mut self, from: (&str, &str), to: (&str, &str)) -> Self {
        self.links.push((
            (from.0.to_string(), from.1.to_string()),
            (to.0.to_string(), to.1.to_string()),
        ));
        self
    }

    /// Declares an extra inbox of the graphline itself, carrying `T`, for linkages from
    /// `("self", name)`.
    pub fn self_inbox<T: Send + 'static>(
        self,
        name: impl Into<String>,
        doc: impl Into<String>,
    ) -> Self {
        self.extra_box(name, doc, Box::new(Inbox::<T>::new()))
    }

    /// Declares an extra outbox of the graphline itself, carrying `T`, for linkages to
    /// `("self", name)`.
    pub fn self_outbox<T: Send + 'static>(
        self,
        name: impl Into<String>,
        doc: impl Into<String>,
    ) -> Self {
        self.extra_box(name, doc, Box::new(Outbox::<T>::new()))
    }

    /// Declares the extra box `b` of the graphline itself.
    fn extra_box(
        mut self,
        name: impl Into<String>,
        doc: impl Into<String>,
        b: Box<dyn OwnBox>,
    ) -> Self {
        self.extra.push(ExtraBox {
            name: name.into(),
            doc: doc.into(),
            b,
        });
        self
    }

    /// Checks every child and linkage and makes the graphline.
    ///
    /// # Errors
    /// The first problem found, in this order: child names (duplicate, reserved), extra box
    /// names, then each linkage in the order given (unknown child, unknown box or wrong
    /// direction, a `"self"` box the graphline does not have, self to self, message types that
    /// differ, a source used twice). See [`GraphError`].
    pub fn build(self) -> Result<Graphline<I, O>, GraphError> {
        let GraphlineBuilder {
            children,
            links,
            extra,
            capacities,
            ..
        } = self;

        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, c) in children.iter().enumerate() {
            if c.name == SELF {
                return Err(GraphError::ReservedName {
                    name: c.name.clone(),
                });
            }
            if index.insert(c.name.as_str(), i).is_some() {
                return Err(GraphError::DuplicateChild {
                    name: c.name.clone(),
                });
            }
        }

        let mut taken: HashSet<&str> = ["inbox", "control", "outbox", "signal"].into();
        for e in &extra {
            if is_reserved_box_name(&e.name) || !taken.insert(e.name.as_str()) {
                return Err(GraphError::DuplicateBox {
                    name: e.name.clone(),
                });
            }
        }
        let own = own_boxes::<I, O>(&extra);

        // Finds the box at one end of a linkage: which end, its label and its message type.
        let find = |who: &str,
                    name: &str,
                    direction: Direction,
                    linkage: &str|
         -> Result<(End, String, &'static str), GraphError> {
            if who == SELF {
                return own
                    .iter()
                    .find(|(n, d, _)| n == name && *d == direction)
                    .map(|(_, _, t)| (End::Me, format!("{SELF}.{name}"), *t))
                    .ok_or_else(|| GraphError::NoSuchSelfBox {
                        name: name.to_string(),
                        direction,
                        available: own
                            .iter()
                            .filter(|(_, d, _)| *d == direction)
                            .map(|(n, _, _)| n.clone())
                            .collect(),
                    });
            }
            let &i = index.get(who).ok_or_else(|| GraphError::UnknownChild {
                name: who.to_string(),
                linkage: linkage.to_string(),
                children: children.iter().map(|c| c.name.clone()).collect(),
            })?;
            let boxes = &children[i].boxes;
            boxes
                .iter()
                .find(|b| b.name == name && b.direction == direction)
                .map(|b| (End::Child(i), format!("{who}.{name}"), b.type_name))
                .ok_or_else(|| GraphError::NoSuchBox {
                    child: who.to_string(),
                    name: name.to_string(),
                    direction,
                    available: boxes
                        .iter()
                        .filter(|b| b.direction == direction)
                        .map(|b| b.name.to_string())
                        .collect(),
                })
        };

        // Source box (who, name) -> where its linkage goes.
        let mut sources: HashMap<(&str, &str), String> = HashMap::new();
        let mut planned = Vec::with_capacity(links.len());
        let mut control_linked = vec![false; children.len()];
        let (mut control_wired, mut signal_wired) = (false, false);
        for ((from_name, from_box), (to_name, to_box)) in &links {
            let linkage = format!("{from_name}.{from_box} -> {to_name}.{to_box}");
            // A linkage starts at a child's outbox or one of our inboxes, and ends at a child's
            // inbox or one of our outboxes.
            let from_dir = if from_name == SELF {
                Direction::Inbox
            } else {
                Direction::Outbox
            };
            let to_dir = if to_name == SELF {
                Direction::Outbox
            } else {
                Direction::Inbox
            };
            let (from, from_label, from_type) = find(from_name, from_box, from_dir, &linkage)?;
            let (to, to_label, to_type) = find(to_name, to_box, to_dir, &linkage)?;
            if from == End::Me && to == End::Me {
                return Err(GraphError::SelfToSelf {
                    from: from_label,
                    to: to_label,
                });
            }
            if from_type != to_type {
                return Err(GraphError::TypeMismatch {
                    from: from_label,
                    from_type,
                    to: to_label,
                    to_type,
                });
            }
            if let Some(first) = sources.get(&(from_name.as_str(), from_box.as_str())) {
                return Err(GraphError::AlreadyLinked {
                    from: from_label,
                    first: first.clone(),
                    second: to_label,
                });
            }
            sources.insert((from_name, from_box), to_label);
            control_wired |= from == End::Me && from_box == "control";
            signal_wired |= to == End::Me && to_box == "signal";
            if let (End::Child(i), "control") = (to, to_box.as_str()) {
                control_linked[i] = true;
            }
            planned.push(Link {
                from,
                from_box: from_box.clone(),
                to,
                to_box: to_box.clone(),
            });
        }

        let mut sized = Vec::with_capacity(capacities.len());
        for ((who, name), n) in &capacities {
            let what = format!("capacity of {who}.{name}");
            let (end, _, _) = find(who, name, Direction::Inbox, &what)?;
            sized.push((end, name.clone(), *n));
        }

        let control_type = type_name::<Control>();
        let children = children
            .into_iter()
            .zip(control_linked)
            .map(|(c, control_linked)| PlannedChild {
                has_control: c.boxes.iter().any(|b| {
                    b.name == "control"
                        && b.direction == Direction::Inbox
                        && b.type_name == control_type
                }),
                control_linked,
                name: c.name,
                adopt: c.adopt,
            })
            .collect();

        Ok(Graphline {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            extra: ExtraBoxes(extra),
            fan: new_fan(),
            plan: Plan {
                children,
                links: planned,
                control_wired,
                signal_wired,
                capacities: sized,
            },
        })
    }
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
