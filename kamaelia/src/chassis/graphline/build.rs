//! Building a graphline: children, linkages and extra boxes, all checked by `build`.

use std::any::type_name;
use std::collections::{HashMap, HashSet};
use std::fmt;

use axon::{
    BoxInfo, Component, ComponentId, Context, Control, Direction, Inbox, Outbox, ThreadedComponent,
};

use super::own_box::{ExtraBox, ExtraBoxes, OwnBox};
use super::{new_fan, own_boxes, GraphError, Graphline, CONTROL_FAN, SELF};

/// Starts one adopted child.
pub(super) type Activation = Box<dyn FnOnce(&mut Context) + Send>;
/// Adopts a child (under its name) and returns its id and how to start it.
pub(super) type Adopt = Box<dyn FnOnce(&mut Context, String) -> (ComponentId, Activation) + Send>;

struct ChildSpec {
    name: String,
    boxes: Vec<BoxInfo>,
    adopt: Adopt,
}

/// One end of a checked linkage.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Me,
    Child(usize),
}

pub(super) struct Link {
    pub(super) from: End,
    pub(super) from_box: String,
    pub(super) to: End,
    pub(super) to_box: String,
}

/// A child as the graphline will run it.
pub(super) struct PlannedChild {
    pub(super) name: String,
    pub(super) adopt: Adopt,
    /// It has a `control` inbox carrying [`Control`].
    pub(super) has_control: bool,
    /// Some linkage ends at its `control`.
    pub(super) control_linked: bool,
}

/// What the graphline does when it runs, checked when it was built.
pub(super) struct Plan {
    pub(super) children: Vec<PlannedChild>,
    pub(super) links: Vec<Link>,
    /// A linkage starts at `("self", "control")`.
    pub(super) control_wired: bool,
    /// A linkage ends at `("self", "signal")`.
    pub(super) signal_wired: bool,
    /// Inbox capacities to set before linking.
    pub(super) capacities: Vec<(End, String, usize)>,
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

/// `_cs` followed by digits: the internal control outboxes' names.
fn is_reserved_box_name(name: &str) -> bool {
    name.strip_prefix(CONTROL_FAN)
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
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
