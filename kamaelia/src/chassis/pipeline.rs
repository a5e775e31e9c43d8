//! Pipeline: children in a row, each one's output feeding the next (Kamaelia:
//! `Kamaelia.Chassis.Pipeline.Pipeline`).
//!
//! Between neighbours it links `outbox → inbox` and `signal → control`; the pipeline's own
//! `inbox` and `control` are forwarded to the first child, and the last child's `outbox` and
//! `signal` leave as the pipeline's own. Adjacent stages must agree on the message type: that is
//! checked by the compiler. Messages sent to the pipeline before it starts wait in its inbox and
//! move to the first child when it does.
//!
//! ```
//! use axon::{Inbox, Outbox, System};
//! use kamaelia::chassis::Pipeline;
//! # use axon::{next_event, Boxes, Component, Context, Control, Error, Event};
//! # #[derive(Boxes, Default)]
//! # struct Doubler { /// in
//! #   inbox: Inbox<u32>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<u32>, /// sig
//! #   signal: Outbox<Control> }
//! # impl Component for Doubler {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     loop { match next_event(&mut self.control, &mut self.inbox).await {
//! #       Event::Message(n) => self.outbox.send(n * 2).await?,
//! #       Event::Control(c) => { while let Ok(n) = self.inbox.try_recv() { self.outbox.send(n * 2).await?; }
//! #                              self.signal.send(c).await?; return Ok(()) } } } } }
//! # kamaelia::impl_stage!([] Doubler, u32 => u32);
//!
//! let mut system = System::deterministic();
//! let pipeline = Pipeline::new(Doubler::default()).then(Doubler::default());
//! let mut input = Outbox::new();
//! let mut output = Inbox::new();
//! axon::link(&input, &pipeline.inbox).unwrap();
//! axon::link(&pipeline.outbox, &output).unwrap();
//! let mut stop = Outbox::new();
//! axon::link(&stop, &pipeline.control).unwrap();
//! system.spawn(pipeline);
//! input.try_send(5).unwrap();
//! stop.try_send(axon::Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(20));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | forwarded to the first child's `inbox` |
//! | `control` | [`Control`] | forwarded to the first child's `control` |
//! | `outbox` | `O` | the last child's `outbox` |
//! | `signal` | [`Control`] | the last child's `signal` |
//!
//! # Parameters
//!
//! * the stages, given to [`Pipeline::new`] and [`Pipeline::then`];
//! * [`Pipeline::circular`]: link the last child back to the first instead of to the pipeline's
//!   own outboxes (Kamaelia's `circular=True`);
//! * [`Pipeline::capacity`]: the capacity of every child's `inbox` (Kamaelia's experimental
//!   bounded pipeline's `boxsize`); otherwise each child keeps its own (bounded) default.
//!
//! # Shutdown
//!
//! The pipeline never reads its own boxes: a [`Control`] sent to it reaches the first child and
//! travels down the chain through each child's `signal`, so `ProducerFinished` drains the whole
//! pipeline in order. It ends when every child has ended. If a child fails or panics, the
//! pipeline sends [`Control::Shutdown`] to every child still running (a failed stage can no longer
//! pass a stop message on) and then ends with an error naming the child. Tearing down is O(n).

use axon::{
    Boxes, Component, Context, Control, Error, Inbox, InboxRef, LinkError, Outbox, OutboxRef,
};

use super::{activation, wait_for_children, Activation};
use crate::Stage;

/// What wiring the stages so far produced.
struct Built<I, O> {
    first_inbox: InboxRef<I>,
    first_control: InboxRef<Control>,
    last_outbox: OutboxRef<O>,
    last_signal: OutboxRef<Control>,
    activations: Vec<Activation>,
    controls: Vec<InboxRef<Control>>,
    /// Each child's id, to size its inbox.
    ids: Vec<axon::ComponentId>,
}

type Build<I, O> = Box<dyn FnOnce(&mut Context) -> Result<Built<I, O>, LinkError> + Send>;

/// Children in a row. See the [module docs](self).
#[derive(Boxes)]
pub struct Pipeline<I: Send + 'static, O: Send + 'static> {
    /// Forwarded to the first child's inbox.
    pub inbox: Inbox<I>,
    /// Forwarded to the first child's control.
    pub control: Inbox<Control>,
    /// The last child's outbox.
    pub outbox: Outbox<O>,
    /// The last child's signal.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    build: Build<I, O>,
    #[boxes(skip)]
    circular: bool,
    /// Capacity of every child's `inbox`, if set.
    #[boxes(skip)]
    capacity: Option<usize>,
}

impl<I: Send + 'static, O: Send + 'static> std::fmt::Debug for Pipeline<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("circular", &self.circular)
            .finish_non_exhaustive()
    }
}

impl<I: Send + 'static, O: Send + 'static> Pipeline<I, O> {
    /// A pipeline of one stage.
    pub fn new<S: Stage<In = I, Out = O>>(first: S) -> Self {
        let build: Build<I, O> = Box::new(move |ctx: &mut Context| {
            let child = ctx.adopt(first);
            Ok(Built {
                first_inbox: child.inbox().handle(),
                first_control: child.control().handle(),
                last_outbox: child.outbox().handle(),
                last_signal: child.signal().handle(),
                controls: vec![child.control().handle()],
                ids: vec![child.id()],
                activations: vec![activation(child)],
            })
        });
        Pipeline {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            build,
            circular: false,
            capacity: None,
        }
    }

    /// Appends a stage whose input is this pipeline's output.
    pub fn then<S: Stage<In = O>>(self, next: S) -> Pipeline<I, S::Out> {
        let Pipeline {
            inbox,
            control,
            build,
            circular,
            capacity,
            ..
        } = self;
        let build: Build<I, S::Out> = Box::new(move |ctx: &mut Context| {
            let mut built = build(ctx)?;
            let child = ctx.adopt(next);
            ctx.link(&built.last_outbox, child.inbox())?;
            ctx.link(&built.last_signal, child.control())?;
            let mut activations = std::mem::take(&mut built.activations);
            let mut controls = std::mem::take(&mut built.controls);
            controls.push(child.control().handle());
            let mut ids = std::mem::take(&mut built.ids);
            ids.push(child.id());
            let (last_outbox, last_signal) = (child.outbox().handle(), child.signal().handle());
            activations.push(activation(child));
            Ok(Built {
                first_inbox: built.first_inbox,
                first_control: built.first_control,
                last_outbox,
                last_signal,
                activations,
                controls,
                ids,
            })
        });
        Pipeline {
            inbox,
            control,
            outbox: Outbox::new(),
            signal: Outbox::new(),
            build,
            circular,
            capacity,
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Pipeline<I, O> {
    /// Sets the capacity of every child's `inbox` (Kamaelia's experimental bounded `Pipeline`'s
    /// `boxsize`); each child's own choice applies otherwise. Applies to stages added before
    /// and after this call.
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = Some(capacity);
        self
    }
}

impl<T: Send + 'static> Pipeline<T, T> {
    /// Links the last child back to the first (`outbox → inbox`, `signal → control`) instead of
    /// to the pipeline's own `outbox` and `signal`, which then carry nothing.
    pub fn circular(self) -> Self {
        let Pipeline {
            inbox,
            control,
            outbox,
            signal,
            build,
            capacity,
            ..
        } = self;
        let build: Build<T, T> = Box::new(move |ctx: &mut Context| {
            let built = build(ctx)?;
            ctx.link(&built.last_outbox, &built.first_inbox)?;
            ctx.link(&built.last_signal, &built.first_control)?;
            Ok(built)
        });
        Pipeline {
            inbox,
            control,
            outbox,
            signal,
            build,
            circular: true,
            capacity,
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Component for Pipeline<I, O> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let Pipeline {
            inbox,
            control,
            outbox,
            signal,
            build,
            circular,
            capacity,
        } = self;
        let built = build(&mut ctx)?;
        if let Some(n) = capacity {
            for id in &built.ids {
                ctx.set_capacity(*id, "inbox", Some(n))?;
            }
        }
        ctx.forward_inbox(&inbox, &built.first_inbox)?;
        ctx.forward_inbox(&control, &built.first_control)?;
        if !circular {
            ctx.forward_outbox(&built.last_outbox, &outbox)?;
            ctx.forward_outbox(&built.last_signal, &signal)?;
        }
        for activate in built.activations {
            activate(&mut ctx);
        }
        // The boxes must outlive the forwards made from and to them.
        let _boxes = (inbox, control, outbox, signal);
        wait_for_children(&mut ctx, &built.controls).await
    }
}

crate::impl_stage!([I: Send + 'static, O: Send + 'static] Pipeline<I, O>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    // Only the boxes are read: the stages are irrelevant to the description.
    let p: Pipeline<Msg, Msg> = Pipeline {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        build: Box::new(|_| {
            Err(LinkError::Cycle {
                from: String::new(),
                to: String::new(),
            })
        }),
        circular: false,
        capacity: None,
    };
    Entry::new(
        "Pipeline",
        "Kamaelia.Chassis.Pipeline.Pipeline",
        Family::Chassis,
        "Children in a row: each one's outbox feeds the next one's inbox, signal feeds control; the first gets the pipeline's inbox and control, the last feeds its outbox and signal.",
        axon::box_infos(&p),
    )
    .parameter("stages", "Stage, ...", "Pipeline::new(first).then(second)...; adjacent stages must agree on the message type")
    .parameter("circular", "bool", "Pipeline::circular(): link the last child back to the first")
});
