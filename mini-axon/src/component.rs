//! Step 3: a component — a microprocess with named inboxes and outboxes.
//!
//! Kamaelia components declare their boxes by name; a box is just a queue. `send` appends to one
//! of the component's own outboxes, `recv` takes from the front of one of its inboxes, and
//! `data_ready` says whether anything is waiting. The component never knows who reads its
//! outboxes or fills its inboxes: that is what makes components reusable.
//!
//! ```
//! use mini_axon::component::Component;
//! let c = Component::new("echo", &["inbox"], &["outbox"]);
//! c.deliver("inbox", "hi".to_string());
//! assert!(c.data_ready("inbox"));
//! let m = c.recv("inbox").unwrap();
//! c.send("outbox", m);
//! assert_eq!(c.collect("outbox").as_deref(), Some("hi"));
//! ```

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::rc::Rc;

use crate::microprocess::Microprocess;

/// The messages of the toy: text.
pub type Message = String;

#[derive(Debug, Default)]
struct Boxes {
    inboxes: BTreeMap<String, VecDeque<Message>>,
    outboxes: BTreeMap<String, VecDeque<Message>>,
}

/// A named set of boxes, shared (cheaply cloned) between the component's body and whoever moves
/// its messages.
#[derive(Debug, Clone)]
pub struct Component {
    name: Rc<str>,
    boxes: Rc<RefCell<Boxes>>,
}

impl Component {
    /// A component with the given inbox and outbox names.
    pub fn new(name: &str, inboxes: &[&str], outboxes: &[&str]) -> Self {
        let boxes = Boxes {
            inboxes: inboxes
                .iter()
                .map(|b| (b.to_string(), VecDeque::new()))
                .collect(),
            outboxes: outboxes
                .iter()
                .map(|b| (b.to_string(), VecDeque::new()))
                .collect(),
        };
        Component {
            name: name.into(),
            boxes: Rc::new(RefCell::new(boxes)),
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Puts `msg` in one of its own outboxes.
    ///
    /// # Panics
    /// If there is no such outbox (the toy's version of Kamaelia's `KeyError`).
    pub fn send(&self, outbox: &str, msg: Message) {
        let mut b = self.boxes.borrow_mut();
        let q = b
            .outboxes
            .get_mut(outbox)
            .unwrap_or_else(|| panic!("{} has no outbox {outbox:?}", self.name));
        q.push_back(msg);
    }

    /// Takes the oldest message from one of its inboxes.
    pub fn recv(&self, inbox: &str) -> Option<Message> {
        self.boxes.borrow_mut().inboxes.get_mut(inbox)?.pop_front()
    }

    /// True if something waits in the inbox.
    pub fn data_ready(&self, inbox: &str) -> bool {
        self.boxes
            .borrow()
            .inboxes
            .get(inbox)
            .is_some_and(|q| !q.is_empty())
    }

    /// Puts `msg` into one of its inboxes (what a postman does).
    pub fn deliver(&self, inbox: &str, msg: Message) {
        if let Some(q) = self.boxes.borrow_mut().inboxes.get_mut(inbox) {
            q.push_back(msg);
        }
    }

    /// Takes the oldest message from one of its outboxes (what a postman does).
    pub fn collect(&self, outbox: &str) -> Option<Message> {
        self.boxes
            .borrow_mut()
            .outboxes
            .get_mut(outbox)?
            .pop_front()
    }

    /// A microprocess running `body` under this component's name.
    pub fn microprocess(&self, body: impl Future<Output = ()> + 'static) -> Microprocess {
        Microprocess::new(self.name.to_string(), body)
    }
}
