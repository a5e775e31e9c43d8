//! SequentialTransformer: a chain of functions applied in order inside one component (Kamaelia:
//! `Kamaelia.Util.SequentialTransformer.SequentialTransformer`).
//!
//! Each message goes through every step in turn and the last step's result is sent on. The steps
//! are built with [`SequentialTransformer::new`] and [`then`](SequentialTransformer::then); each
//! step may change the type, checked by the compiler. A step added with
//! [`then_maybe`](SequentialTransformer::then_maybe) may drop the message by returning `None`,
//! and the later steps are then not called. Kamaelia's list-of-functions form, where every step
//! has the same type, is [`SequentialTransformer::from_steps`].
//!
//! Use it instead of a [`Pipeline`](crate::chassis::Pipeline) of
//! [`PureTransformer`](super::PureTransformer)s when the steps are cheap: one component, no
//! message hops between steps.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::SequentialTransformer;
//!
//! let mut system = System::deterministic();
//! let t = SequentialTransformer::new(|s: String| s.trim().to_string())
//!     .then_maybe(|s| s.parse::<i64>().ok()) // not a number: dropped
//!     .then(|n| n * 10);
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &t.inbox).unwrap();
//! axon::link(&stop, &t.control).unwrap();
//! axon::link(&t.outbox, &output).unwrap();
//! system.spawn(t);
//! for s in [" 4 ", "four", "-2"] {
//!     input.try_send(s.to_string()).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(40));
//! assert_eq!(output.try_recv(), Ok(-20));
//! assert!(output.try_recv().is_err());
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | messages to transform |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `O` | the last step's result for each message no step dropped |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * the steps: [`SequentialTransformer::new`]`(first)`, then [`then`](SequentialTransformer::then)
//!   (`FnMut(A) -> B`) or [`then_maybe`](SequentialTransformer::then_maybe)
//!   (`FnMut(A) -> Option<B>`, `None` drops), or [`SequentialTransformer::from_steps`] for a list
//!   of `FnMut(T) -> T`.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it transforms everything already queued, sends the results, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what is
//! queued, and sends `Shutdown` on `signal`. It keeps no partial state.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// The composed steps.
type Chain<I, O> = Box<dyn FnMut(I) -> Option<O> + Send>;

/// A chain of functions applied in order. See the [module docs](self).
#[derive(Boxes)]
pub struct SequentialTransformer<I: Send + 'static, O: Send + 'static> {
    /// Messages to transform.
    pub inbox: Inbox<I>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The last step's result for each message no step dropped.
    pub outbox: Outbox<O>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    chain: Chain<I, O>,
    steps: usize,
}

impl<I: Send + 'static, O: Send + 'static> SequentialTransformer<I, O> {
    /// A chain whose first step is `first`.
    pub fn new(first: impl FnMut(I) -> O + Send + 'static) -> Self {
        let mut first = first;
        Self::with_chain(Box::new(move |x| Some(first(x))), 1)
    }

    /// A chain whose first step may drop a message by returning `None`.
    pub fn new_maybe(first: impl FnMut(I) -> Option<O> + Send + 'static) -> Self {
        Self::with_chain(Box::new(first), 1)
    }

    fn with_chain(chain: Chain<I, O>, steps: usize) -> Self {
        SequentialTransformer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            chain,
            steps,
        }
    }

    /// Appends a step applied to the previous step's result.
    pub fn then<P: Send + 'static>(
        self,
        next: impl FnMut(O) -> P + Send + 'static,
    ) -> SequentialTransformer<I, P> {
        let mut next = next;
        self.then_maybe(move |x| Some(next(x)))
    }

    /// Appends a step that may drop the message by returning `None` (later steps are then not
    /// called for it).
    pub fn then_maybe<P: Send + 'static>(
        self,
        next: impl FnMut(O) -> Option<P> + Send + 'static,
    ) -> SequentialTransformer<I, P> {
        let (mut chain, mut next) = (self.chain, next);
        SequentialTransformer {
            inbox: self.inbox,
            control: self.control,
            outbox: Outbox::new(),
            signal: self.signal,
            chain: Box::new(move |x| chain(x).and_then(&mut next)),
            steps: self.steps + 1,
        }
    }

    /// How many steps the chain has.
    pub fn steps(&self) -> usize {
        self.steps
    }
}

impl<T: Send + 'static> SequentialTransformer<T, T> {
    /// A chain of same-typed steps applied in the order given (Kamaelia's list of functions).
    /// With no steps, messages pass through unchanged.
    ///
    /// ```
    /// use kamaelia::util::transforms::SequentialTransformer;
    /// type Step = Box<dyn FnMut(i32) -> i32 + Send>;
    /// let steps: Vec<Step> = vec![Box::new(|x| x + 1), Box::new(|x| x * 3)];
    /// let t = SequentialTransformer::from_steps(steps);
    /// assert_eq!(t.steps(), 2);
    /// ```
    pub fn from_steps(steps: Vec<Box<dyn FnMut(T) -> T + Send>>) -> Self {
        let n = steps.len();
        let mut steps = steps;
        Self::with_chain(
            Box::new(move |x| Some(steps.iter_mut().fold(x, |acc, f| f(acc)))),
            n,
        )
    }
}

impl<I: Send + 'static, O: Send + 'static> std::fmt::Debug for SequentialTransformer<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SequentialTransformer")
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

struct Run<I, O>(Chain<I, O>);

impl<I: Send + 'static, O: Send + 'static> Step for Run<I, O> {
    type In = I;
    type Out = O;
    fn step(&mut self, msg: I, out: &mut Vec<O>) {
        out.extend((self.0)(msg));
    }
}

impl<I: Send + 'static, O: Send + 'static> Component for SequentialTransformer<I, O> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Run(self.chain), boxes).await
    }
}

crate::impl_stage!([I: Send + 'static, O: Send + 'static] SequentialTransformer<I, O>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let t = SequentialTransformer::new(|m: Msg| m);
    Entry::new(
        "SequentialTransformer",
        "Kamaelia.Util.SequentialTransformer.SequentialTransformer",
        Family::Util,
        "Applies a chain of functions in order to every message inside one component; a step returning None drops the message.",
        axon::box_infos(&t),
    )
    .parameter("steps", "FnMut(A) -> B, ...", "SequentialTransformer::new(f).then(g).then_maybe(h); from_steps(vec) for same-typed steps")
});
