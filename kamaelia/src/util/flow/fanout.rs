//! Fanout: copies every message to a fixed list of named outboxes (Kamaelia:
//! `Kamaelia.Util.Fanout.Fanout`).
//!
//! The names are given when it is made; each becomes an outbox of the component, listed for
//! introspection and for wiring by name ([`Context::link_by_name`](axon::Context::link_by_name),
//! a Graphline), and reachable typed through [`Fanout::output`]. Every message that arrives on
//! `inbox` is sent to every named outbox, in the order the names were given. The standard
//! `outbox` carries copies only if `"outbox"` is one of the names, so `Fanout::new(["outbox",
//! "log"])` is a tee inside a pipeline.
//!
//! Unlike the original, data never goes to `signal` (Kamaelia's Fanout copied every item to
//! every outbox, `signal` included): `signal` only ever carries the control message that ended
//! the component.
//!
//! A destination that is full holds everything up (backpressure): the next message is not taken
//! until every destination has accepted the current one, so nothing is lost and every
//! destination sees the same sequence. A destination whose component has ended is dropped and
//! the others go on. An outbox nobody linked holds and then discards its copies, as unlinked
//! outboxes do (see [`axon::boxes`]).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::Fanout;
//!
//! let mut system = System::deterministic();
//! let fanout = Fanout::new(["console", "file"]);
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut console, mut file) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &fanout.inbox).unwrap();
//! axon::link(&stop, &fanout.control).unwrap();
//! axon::link(fanout.output("console").unwrap(), &console).unwrap();
//! axon::link(fanout.output("file").unwrap(), &file).unwrap();
//! system.spawn(fanout);
//! input.try_send("hello".to_string()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(console.try_recv().unwrap(), "hello");
//! assert_eq!(file.try_recv().unwrap(), "hello");
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to copy |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | a copy of every message if `"outbox"` is among the names, else unused |
//! | `signal` | [`Control`] | the control message that ended it (never data) |
//! | *each name* | `T` | a copy of every message |
//!
//! # Parameters
//!
//! * `names`, given to [`Fanout::new`]: the outboxes to copy to, in order. `"outbox"` means the
//!   standard outbox; `"inbox"`, `"control"`, `"signal"`, empty names and repeated names are
//!   refused.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it copies everything already queued to every destination, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` — also while it waits for a full
//! destination — it ends at once, discarding what is queued (the message being copied may have
//! reached only some destinations), and sends `Shutdown` on `signal`. It keeps no partial state.

use std::borrow::Cow;

use axon::{BoxRegistrar, Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::watch::{pass_on, send_watching, Sent, Stopped, BATCH};
use crate::support::next_or_drain;

/// The named outboxes other than the standard `outbox`.
struct Outputs<T> {
    boxes: Vec<(Cow<'static, str>, Outbox<T>)>,
}

impl<T: Send + 'static> Boxes for Outputs<T> {
    fn register_boxes(&self, boxes: &mut BoxRegistrar<'_>) {
        for (name, outbox) in &self.boxes {
            boxes.outbox(name.clone(), "a copy of every message", outbox);
        }
    }
}

/// Copies every message to a fixed list of named outboxes. See the [module docs](self).
#[derive(Boxes)]
pub struct Fanout<T: Clone + Send + 'static> {
    /// Messages to copy.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (copy what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// A copy of every message if `"outbox"` is among the names; otherwise unused.
    pub outbox: Outbox<T>,
    /// The control message that ended it (never data).
    pub signal: Outbox<Control>,
    #[boxes(flatten)]
    outputs: Outputs<T>,
    /// Every destination name, in order (`"outbox"` included if given).
    names: Vec<Cow<'static, str>>,
}

impl<T: Clone + Send + 'static> Fanout<T> {
    /// A fanout copying to the outboxes `names`, in that order.
    ///
    /// # Panics
    /// If a name is empty, repeated, or one of `inbox`, `control`, `signal` (the message names
    /// the offending box).
    pub fn new<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        let names: Vec<Cow<'static, str>> = names.into_iter().map(Into::into).collect();
        for (i, name) in names.iter().enumerate() {
            assert!(!name.is_empty(), "Fanout: outbox name {i} is empty");
            assert!(
                !matches!(name.as_ref(), "inbox" | "control" | "signal"),
                "Fanout: {name:?} cannot be an output (it is a standard box that carries no data copies)"
            );
            assert!(
                !names[..i].contains(name),
                "Fanout: the outbox name {name:?} is given twice"
            );
        }
        let boxes = names
            .iter()
            .filter(|n| *n != "outbox")
            .map(|n| (n.clone(), Outbox::new()))
            .collect();
        Fanout {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            outputs: Outputs { boxes },
            names,
        }
    }

    /// The outbox called `name` (the standard `outbox` for `"outbox"` if it is among the
    /// names), for linking; `None` if there is no such output.
    pub fn output(&self, name: &str) -> Option<&Outbox<T>> {
        if name == "outbox" {
            return self
                .names
                .iter()
                .any(|n| n == "outbox")
                .then_some(&self.outbox);
        }
        self.outputs
            .boxes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o)
    }

    /// The output names, in the order copies are sent.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| n.as_ref())
    }
}

impl<T: Clone + Send + 'static> std::fmt::Debug for Fanout<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fanout")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> Component for Fanout<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let Fanout {
            mut inbox,
            mut control,
            mut outbox,
            mut signal,
            mut outputs,
            names,
        } = self;
        // The destinations in name order; `None` once a destination's component has ended.
        let mut named = outputs.boxes.iter_mut().map(|(_, o)| o);
        let mut dests: Vec<Option<&mut Outbox<T>>> = Vec::with_capacity(names.len());
        let mut standard = Some(&mut outbox);
        for name in &names {
            dests.push(if name == "outbox" {
                standard.take()
            } else {
                named.next()
            });
        }
        let mut buf = Vec::new();
        let mut finishing = false;
        let end = 'run: loop {
            let next = next_or_drain(&mut control, &mut inbox, &mut buf, BATCH, &mut finishing);
            if let Some(end) = next.await.end() {
                break end;
            }
            for msg in buf.drain(..) {
                for slot in dests.iter_mut() {
                    let Some(dest) = slot else { continue };
                    match send_watching(dest, msg.clone(), &mut control, &mut finishing).await {
                        Ok(Sent::Delivered) => {}
                        Ok(Sent::Closed(_)) => *slot = None,
                        Err(Stopped(c)) => break 'run c,
                    }
                }
            }
        };
        pass_on(&mut signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([T: Clone + Send + 'static] Fanout<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let f: Fanout<Msg> = Fanout::new(["a", "b"]);
    Entry::new(
        "Fanout",
        "Kamaelia.Util.Fanout.Fanout",
        Family::Util,
        "Copies every message to a fixed list of named outboxes (never to signal); a full destination holds the rest up.",
        axon::box_infos(&f),
    )
    .parameter("names", "IntoIterator<Item = impl Into<Cow<str>>>", "Fanout::new([\"a\", \"b\"]): the outboxes to copy to; \"outbox\" means the standard outbox")
});
