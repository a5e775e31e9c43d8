//! Par: children running side by side, their output merged (Kamaelia: `Kamaelia.Chassis.PAR.PAR`).
//!
//! Every child's `outbox` is published as the `Par`'s own `outbox` (fan-in: messages from the
//! children interleave in the order they were sent). Every message on the `Par`'s `inbox` is
//! given to **every** child (a copy each, so `I: Clone`), and every message on its `control` is
//! passed to every child's `control`. All children take the same input type `I` and produce the
//! same output type `O`, checked by the compiler.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::par::Par;
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
//! # kamaelia::impl_stage!([] Map, u32 => u32);
//!
//! let par = Par::new(Map::new(|n| n * 10)).with(Map::new(|n| n + 1));
//! let mut system = System::deterministic();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &par.inbox).unwrap();
//! axon::link(&stop, &par.control).unwrap();
//! axon::link(&par.outbox, &output).unwrap();
//! axon::link(&par.signal, &signal).unwrap();
//! system.spawn(par);
//! input.try_send(4).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let mut got = vec![output.try_recv().unwrap(), output.try_recv().unwrap()];
//! got.sort();
//! assert_eq!(got, [5, 40]); // both children saw the 4
//! // One message on signal, once both children have ended.
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! assert!(signal.try_recv().is_err());
//! ```
//!
//! Children whose types disagree are refused by the compiler:
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
//! #   inbox: Inbox<u32>, /// c
//! #   control: Inbox<Control>, /// o
//! #   outbox: Outbox<String>, /// s
//! #   signal: Outbox<Control> }
//! # impl Component for Text { async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! # kamaelia::impl_stage!([] Text, u32 => String);
//! use kamaelia::chassis::par::Par;
//! // Numbers sends u32, Text sends String: they cannot share one outbox.
//! let _ = Par::new(Numbers::default()).with(Text::default());
//! ```
//!
//! # Inbox policy
//!
//! Kamaelia's `PAR` documented that it forwarded its inbox but in fact discarded everything that
//! arrived there. Here the policy is **broadcast**: each message on `inbox` is cloned to every
//! child still running, in the order the children were added, before the next message is taken
//! (so a slow child slows the others down; nothing queues without bound). Use a fan-out or
//! round-robin component in front of the children for any other policy.
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | each message is copied to every child's `inbox` |
//! | `control` | [`Control`] | each message is passed to every child's `control` |
//! | `outbox` | `O` | every child's `outbox`, merged |
//! | `signal` | [`Control`] | one message, once every child has ended (see Shutdown) |
//!
//! # Parameters
//!
//! * the children, given to [`Par::new`] and [`Par::with`] (any [`Stage`] with the same input
//!   and output types).
//!
//! # Shutdown
//!
//! Children are adopted, linked and activated only when the `Par` runs; it ends only when
//! **every** child has ended (it never abandons a running child).
//!
//! * `ProducerFinished` on `control`: the `Par` first hands every message already waiting in its
//!   `inbox` to the children, then passes `ProducerFinished` to every child, so each child drains
//!   and ends. It stops reading its `inbox` (anything sent after the `ProducerFinished` is
//!   discarded when the `Par` ends) but keeps passing later control messages on, so a
//!   `Shutdown` can still cut the drain short.
//! * `Shutdown` on `control`: passed to every child at once; queued input is not forwarded.
//! * `signal`: unlike Kamaelia's `PAR`, the children's own `signal`s are **not** passed through
//!   one by one (there, the first child to finish told whoever was downstream to stop while
//!   the others were still producing). The `Par` collects them and, after the last child has
//!   ended, sends exactly one message: [`Control::Shutdown`] if it was sent `Shutdown`, if a
//!   child signalled `Shutdown` or if a child failed; otherwise [`Control::ProducerFinished`]
//!   (the children finished, by themselves or after a `ProducerFinished`).
//! * If a child fails, panics or is cancelled, the `Par` sends `Shutdown` to every other child,
//!   waits for them, sends `Shutdown` on `signal` and ends with an error naming the child.
//! * If every child ends by itself, the `Par` ends too; messages still waiting in its `inbox`
//!   have nobody to go to and are discarded.
//!
//! Partial state: the `Par` holds none; its children document their own.

use axon::{Boxes, Component, Context, Control, Error, Exit, Inbox, InboxRef, Outbox, OutboxRef};

use super::{activation, Activation};
use crate::Stage;

/// A child, adopted: its boxes and how to start it.
struct Adopted<I, O> {
    inbox: InboxRef<I>,
    control: InboxRef<Control>,
    outbox: OutboxRef<O>,
    signal: OutboxRef<Control>,
    activate: Activation,
}

type Adopt<I, O> = Box<dyn FnOnce(&mut Context) -> Adopted<I, O> + Send>;

fn adopter<S: Stage>(stage: S) -> Adopt<S::In, S::Out> {
    Box::new(move |ctx: &mut Context| {
        let child = ctx.adopt(stage);
        Adopted {
            inbox: child.inbox().handle(),
            control: child.control().handle(),
            outbox: child.outbox().handle(),
            signal: child.signal().handle(),
            activate: activation(child),
        }
    })
}

/// Children side by side. See the [module docs](self).
#[derive(Boxes)]
pub struct Par<I: Send + 'static, O: Send + 'static> {
    /// Each message is copied to every child's inbox.
    pub inbox: Inbox<I>,
    /// Each message is passed to every child's control.
    pub control: Inbox<Control>,
    /// Every child's outbox, merged.
    pub outbox: Outbox<O>,
    /// One message once every child has ended: `Shutdown` if there was one, else
    /// `ProducerFinished`.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    children: Vec<Adopt<I, O>>,
}

impl<I: Send + 'static, O: Send + 'static> std::fmt::Debug for Par<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Par")
            .field("children", &self.children.len())
            .finish_non_exhaustive()
    }
}

impl<I: Clone + Send + 'static, O: Send + 'static> Par<I, O> {
    /// A `Par` of one child.
    pub fn new<S: Stage<In = I, Out = O>>(first: S) -> Self {
        Par {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            children: vec![adopter(first)],
        }
    }

    /// Adds a child.
    pub fn with<S: Stage<In = I, Out = O>>(mut self, child: S) -> Self {
        self.children.push(adopter(child));
        self
    }

    /// How many children it has.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// True if it has no children (never, when built with [`Par::new`]).
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

/// Gives `msg` to every inbox in `to` (a copy each; the last gets the original). Children that
/// have ended are skipped.
async fn broadcast<T: Clone + Send + 'static>(to: &[InboxRef<T>], msg: T) {
    if let Some((last, rest)) = to.split_last() {
        for inbox in rest {
            inbox.send(msg.clone()).await.ok();
        }
        last.send(msg).await.ok();
    }
}

impl<I: Clone + Send + 'static, O: Send + 'static> Component for Par<I, O> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let Par {
            mut inbox,
            mut control,
            outbox,
            mut signal,
            children,
        } = self;
        // The children's signals come here, not straight out (see the module docs).
        let mut child_signals: Inbox<Control> = Inbox::new();
        let mut inboxes = Vec::with_capacity(children.len());
        let mut controls = Vec::with_capacity(children.len());
        let mut activations = Vec::with_capacity(children.len());
        for adopt in children {
            let child = adopt(&mut ctx);
            ctx.forward_outbox(&child.outbox, &outbox)?;
            ctx.link(&child.signal, &child_signals)?;
            inboxes.push(child.inbox);
            controls.push(child.control);
            activations.push(child.activate);
        }
        for activate in activations {
            activate(&mut ctx);
        }

        let mut reading = true;
        let mut control_open = true;
        let mut shutdown = false;
        let mut failure: Option<String> = None;
        loop {
            tokio::select! {
                biased;
                c = control.recv(), if control_open => {
                    let c = c.unwrap_or_else(|| {
                        control_open = false;
                        Control::Shutdown
                    });
                    if c == Control::Shutdown {
                        shutdown = true;
                    } else if reading {
                        // Drain: everything sent before the ProducerFinished goes first.
                        while let Ok(m) = inbox.try_recv() {
                            broadcast(&inboxes, m).await;
                        }
                    }
                    reading = false;
                    broadcast(&controls, c).await;
                }
                Some(m) = inbox.recv(), if reading => broadcast(&inboxes, m).await,
                Some(c) = child_signals.recv() => shutdown |= c == Control::Shutdown,
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
                            for c in &controls {
                                c.try_send(Control::Shutdown).ok();
                            }
                            reading = false;
                            failure = Some(format!("child {} {what}", exit.name));
                        }
                    }
                },
            }
        }
        // Signals sent just before their senders ended.
        while let Ok(c) = child_signals.try_recv() {
            shutdown |= c == Control::Shutdown;
        }
        let last = if shutdown || failure.is_some() {
            Control::Shutdown
        } else {
            Control::ProducerFinished
        };
        // If the receiver has ended there is nobody left to tell.
        signal.send(last).await.ok();
        // The outbox must outlive the forwards made to it.
        drop(outbox);
        match failure {
            None => Ok(()),
            Some(f) => Err(Error::msg(f)),
        }
    }
}

crate::impl_stage!([I: Clone + Send + 'static, O: Send + 'static] Par<I, O>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    // Only the boxes are read.
    let p: Par<Msg, Msg> = Par {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        children: Vec::new(),
    };
    Entry::new(
        "Par",
        "Kamaelia.Chassis.PAR.PAR",
        Family::Chassis,
        "Children side by side: each inbox message goes to every child, each control message to every child's control; their outboxes are merged; one signal once all have ended.",
        axon::box_infos(&p),
    )
    .parameter("children", "Stage, ...", "Par::new(first).with(second)...; all children share the input and output types")
});
