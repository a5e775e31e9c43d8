//! Why a graph could not be built.

use std::fmt;

use axon::Direction;

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
    /// extra boxes with [`GraphlineBuilder::self_inbox`](super::GraphlineBuilder::self_inbox) / [`GraphlineBuilder::self_outbox`](super::GraphlineBuilder::self_outbox).
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
    /// [`Graphline::inbox_named`](super::Graphline::inbox_named) / [`Graphline::outbox_named`](super::Graphline::outbox_named) asked for a box with the wrong
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
