//! The graphline's own extra boxes, with their message types erased.

use std::any::{type_name, Any};

use axon::{BoxRegistrar, Boxes, Direction, Inbox, Outbox};

/// One extra box of the graphline, with its message type erased.
pub(super) trait OwnBox: Any + Send {
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

pub(super) struct ExtraBox {
    pub(super) name: String,
    pub(super) doc: String,
    pub(super) b: Box<dyn OwnBox>,
}

/// The extra boxes declared on one graphline (each graphline has its own).
#[derive(Default)]
pub(super) struct ExtraBoxes(pub(super) Vec<ExtraBox>);

impl Boxes for ExtraBoxes {
    fn register_boxes(&self, boxes: &mut BoxRegistrar<'_>) {
        for e in &self.0 {
            e.b.list(e.name.clone(), e.doc.clone(), boxes);
        }
    }
}
