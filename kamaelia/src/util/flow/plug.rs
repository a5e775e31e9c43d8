//! Plug: subscribes a component to a [`PlugSplitter`](super::PlugSplitter) for as long as the
//! component runs (Kamaelia: `Kamaelia.Util.Splitter.Plug`).
//!
//! A plug wraps one component (its child, any [`Stage`] whose input is the splitter's message
//! type). When the plug starts it adopts and starts the child, forwards its own `inbox` and
//! `control` to the child's and publishes the child's `outbox` and `signal` as its own, and asks
//! the splitter — through its `splitter_config` outbox — to add the plug as a sink: from then on
//! the child gets a copy of every message the splitter handles, and the splitter's control
//! messages. When the child ends, the plug asks the splitter to remove it, and ends too.
//!
//! Give the plug the splitter's `configuration` inbox (or an [`InboxRef`] to it, taken with
//! `splitter.configuration.handle()` before the splitter is moved into a system or a chassis).
//! Plugs can be started and stopped at any time while the splitter runs.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::{Plug, PlugSplitter};
//! # use axon::{next_event, Boxes, Component, Context, Error, Event};
//! # /// Passes messages on until told to stop.
//! # #[derive(Boxes, Default)]
//! # struct Relay { /// in
//! #   inbox: Inbox<String>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<String>, /// sig
//! #   signal: Outbox<Control> }
//! # impl Component for Relay {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     loop { match next_event(&mut self.control, &mut self.inbox).await {
//! #       Event::Message(m) => self.outbox.send(m).await?,
//! #       Event::Control(c) => { while let Ok(m) = self.inbox.try_recv() { self.outbox.send(m).await?; }
//! #                              self.signal.send(c).await?; return Ok(()) } } } } }
//! # kamaelia::impl_stage!([] Relay, String => String);
//!
//! let mut system = System::deterministic();
//! let splitter = PlugSplitter::new();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&input, &splitter.inbox).unwrap();
//! axon::link(&stop, &splitter.control).unwrap();
//! let plug = Plug::new(&splitter.configuration, Relay::default());
//! let mut got = Inbox::new();
//! axon::link(&plug.outbox, &got).unwrap();
//! system.spawn(splitter);
//! system.spawn(plug);
//! system.run_until_idle(); // the plug has joined
//! input.try_send("hello".to_string()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap(); // reaches the relay through the splitter
//! system.run().unwrap();
//! assert_eq!(got.try_recv().unwrap(), "hello");
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `S::In` | forwarded to the child's `inbox` (the splitter sends here) |
//! | `control` | [`Control`] | forwarded to the child's `control` (the splitter sends here too) |
//! | `outbox` | `S::Out` | the child's `outbox` |
//! | `signal` | [`Control`] | the child's `signal` |
//! | `splitter_config` | [`SplitterConfig<S::In>`] | the add and remove requests, linked to the splitter's `configuration` |
//!
//! # Parameters
//!
//! * the splitter's `configuration` inbox and the child, given to [`Plug::new`].
//!
//! # Shutdown
//!
//! While the child runs the plug reads none of its own boxes: a [`Control`] sent to it, or passed
//! on by the splitter, reaches the child, which stops as it documents and says so on the plug's
//! `signal`. The plug ends when the child ends, after asking the splitter to remove it. If the
//! splitter has already ended when the plug starts, nothing will ever arrive, so the plug sends
//! `ProducerFinished` to the child.
//!
//! A splitter that takes no requests cannot hide a stop: the plug watches its own `control` while
//! its request to join or to leave waits for room in the splitter's `configuration` inbox.
//!
//! * Waiting to join (the child has not started): `ProducerFinished` is only noted and the wait
//!   goes on; once the plug has joined, the child is told it first, so nothing given to the plug
//!   is dropped. `Shutdown` or `Failed` ends the wait at once: the request to join is dropped and
//!   the child starts with that message on its `control`, so it stops and passes it on the plug's
//!   `signal`.
//! * Waiting to leave (the child has ended and said so on `signal`): `Shutdown` or `Failed` ends
//!   the wait and the plug ends (saying nothing more, unless the child failed: see below);
//!   `ProducerFinished` changes nothing.
//!
//! If the child fails, panics or is cancelled, the plug unplugs, sends [`Control::Failed`] on
//! `signal` with a reason naming the child and what happened, and ends with an error carrying the
//! same text. (A child that reports its own failure on `signal`, as the components here do, has
//! said `Failed` there already; the plug's comes after it.)

use axon::{
    AsInbox, Boxes, Component, Context, Control, Error, Exit, Inbox, InboxRef, LinkError, Outbox,
};

use super::plug_splitter::{SinkId, SplitterConfig};
use crate::support::{fail, watching_if_it_waits, Stopped};
use crate::Stage;

/// Subscribes a component to a [`PlugSplitter`](super::PlugSplitter) while it runs. See the
/// [module docs](self).
#[derive(Boxes)]
pub struct Plug<S: Stage> {
    /// Forwarded to the child's inbox (the splitter sends here).
    pub inbox: Inbox<S::In>,
    /// Forwarded to the child's control (the splitter sends here too).
    pub control: Inbox<Control>,
    /// The child's outbox.
    pub outbox: Outbox<S::Out>,
    /// The child's signal.
    pub signal: Outbox<Control>,
    /// Add and remove requests, linked to the splitter's `configuration` when the plug starts.
    pub splitter_config: Outbox<SplitterConfig<S::In>>,
    child: S,
    splitter: InboxRef<SplitterConfig<S::In>>,
}

impl<S: Stage> Plug<S> {
    /// A plug that will subscribe `child` to the splitter whose `configuration` inbox is
    /// `splitter`.
    pub fn new(splitter: &impl AsInbox<SplitterConfig<S::In>>, child: S) -> Self {
        Plug {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            splitter_config: Outbox::new(),
            child,
            splitter: splitter.inbox_ref(),
        }
    }
}

impl<S: Stage> std::fmt::Debug for Plug<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plug")
            .field("splitter", &self.splitter)
            .finish_non_exhaustive()
    }
}

impl<S: Stage> Component for Plug<S> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let Plug {
            inbox,
            mut control,
            outbox,
            mut signal,
            mut splitter_config,
            child,
            splitter,
        } = self;
        let child = ctx.adopt(child);
        let name = child.name();
        ctx.forward_inbox(&inbox, child.inbox())?;
        ctx.forward_outbox(child.outbox(), &outbox)?;
        ctx.forward_outbox(child.signal(), &signal)?;
        let id = SinkId::new();
        // Until the child starts, `control` is the plug's own and watched while the splitter is
        // asked to add it, so a splitter that takes no requests cannot hide a stop.
        let mut finishing = false;
        let (plugged, stopped) = match ctx.link(&splitter_config, &splitter) {
            Ok(_) => {
                let add = splitter_config.send(SplitterConfig::Add {
                    id,
                    inbox: inbox.handle(),
                    control: Some(control.handle()),
                });
                match watching_if_it_waits(&mut control, &mut finishing, add).await {
                    Ok(sent) => (sent.is_ok(), None),
                    // The request is dropped unsent: the plug never joined.
                    Err(Stopped(c)) => (false, Some(c)),
                }
            }
            // The splitter has ended already.
            Err(LinkError::Closed { .. }) => (false, None),
            Err(e) => return Err(e.into()),
        };
        // What the child must hear before anything sent to the plug later: the stop that ended
        // the wait, a `ProducerFinished` noted meanwhile, or — if the splitter has ended —
        // that nothing will arrive.
        let first = match stopped {
            Some(c) => Some(c),
            None if finishing || !plugged => Some(Control::ProducerFinished),
            None => None,
        };
        if let Some(c) = first {
            child.control().handle().try_send(c).ok();
        }
        let forward_control = ctx.forward_inbox(&control, child.control())?;
        ctx.activate(child);
        let exit = ctx.next_child_exit().await;
        if plugged {
            // The child has ended and said so on `signal`: `control` is the plug's own again,
            // watched while the splitter is asked to remove it. A stop only ends that wait.
            ctx.unlink(forward_control);
            let remove = splitter_config.send(SplitterConfig::Remove(id));
            watching_if_it_waits(&mut control, &mut finishing, remove)
                .await
                .ok();
        }
        let failure = match exit.map(|e| e.exit) {
            None | Some(Exit::Finished) => None,
            Some(Exit::Failed(e)) => Some(format!("plugged child {name} failed: {e}")),
            Some(Exit::Panicked(m)) => Some(format!("plugged child {name} panicked: {m}")),
            Some(Exit::Cancelled) => Some(format!("plugged child {name} was cancelled")),
        };
        let end = match failure {
            None => Ok(()),
            // A child that fails, panics or is cancelled may have said nothing on signal.
            Some(reason) => fail(&mut signal, reason).await,
        };
        // The boxes must outlive the forwards made from and to them.
        drop((inbox, control, outbox, signal));
        end
    }
}

crate::impl_stage!([S: Stage] Plug<S>, S::In => S::Out);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    /// Stands for the wrapped component.
    #[derive(Boxes, Default)]
    struct Child {
        /// in
        inbox: Inbox<Msg>,
        /// ctl
        control: Inbox<Control>,
        /// out
        outbox: Outbox<Msg>,
        /// sig
        signal: Outbox<Control>,
    }
    impl Component for Child {
        async fn run(self, _: Context) -> Result<(), Error> {
            Ok(())
        }
    }
    crate::impl_stage!([] Child, Msg => Msg);
    let target: Inbox<SplitterConfig<Msg>> = Inbox::new();
    let p = Plug::new(&target, Child::default());
    Entry::new(
        "Plug",
        "Kamaelia.Util.Splitter.Plug",
        Family::Util,
        "Wraps a component and subscribes it to a PlugSplitter while it runs: joins when it starts, leaves when the child ends.",
        axon::box_infos(&p),
    )
    .parameter("splitter", "&impl AsInbox<SplitterConfig<T>>", "the splitter's configuration inbox")
    .parameter("child", "Stage<In = T>", "the subscribing component")
});
