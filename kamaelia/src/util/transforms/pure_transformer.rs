//! PureTransformer: applies a function to every message (Kamaelia:
//! `Kamaelia.Util.PureTransformer.PureTransformer`).
//!
//! Each message that arrives is passed to the function; `Some(result)` is sent on, `None` drops
//! the message (Kamaelia dropped a `None` result the same way). The function may keep state
//! (`FnMut`), and it is called once per message, in arrival order.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::PureTransformer;
//!
//! let mut system = System::deterministic();
//! // Doubles odd numbers, drops even ones.
//! let t = PureTransformer::new(|x: u32| (x % 2 == 1).then_some(x * 2));
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &t.inbox).unwrap();
//! axon::link(&stop, &t.control).unwrap();
//! axon::link(&t.outbox, &output).unwrap();
//! system.spawn(t);
//! for x in 1..=4 {
//!     input.try_send(x).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(2));
//! assert_eq!(output.try_recv(), Ok(6));
//! assert!(output.try_recv().is_err());
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | messages to transform |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `O` | each `Some` result, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `f: FnMut(I) -> Option<O> + Send + 'static`, given to [`PureTransformer::new`]; use
//!   [`PureTransformer::map`] for a function that never drops.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it transforms everything already queued, sends the results, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what is
//! queued, and sends `Shutdown` on `signal`. It keeps no partial state.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// Applies a function to every message. See the [module docs](self).
#[derive(Boxes)]
pub struct PureTransformer<I: Send + 'static, O: Send + 'static, F> {
    /// Messages to transform.
    pub inbox: Inbox<I>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each `Some` result of the function, in order.
    pub outbox: Outbox<O>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    f: F,
}

impl<I, O, F> PureTransformer<I, O, F>
where
    I: Send + 'static,
    O: Send + 'static,
    F: FnMut(I) -> Option<O> + Send + 'static,
{
    /// A transformer sending `f(msg)` for every message, or nothing when `f` returns `None`.
    pub fn new(f: F) -> Self {
        PureTransformer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            f,
        }
    }
}

impl<I, O, G> PureTransformer<I, O, Map<G>>
where
    I: Send + 'static,
    O: Send + 'static,
    G: FnMut(I) -> O + Send + 'static,
{
    /// A transformer sending `g(msg)` for every message (never drops).
    ///
    /// ```
    /// let _t = kamaelia::util::transforms::PureTransformer::map(|x: u8| x + 1);
    /// ```
    pub fn map(g: G) -> Self {
        PureTransformer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            f: Map(g),
        }
    }
}

/// A function that always produces a result, as used by [`PureTransformer::map`].
pub struct Map<G>(G);

impl<G> std::fmt::Debug for Map<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Map(..)")
    }
}

/// What [`PureTransformer`] calls for each message.
pub trait Transform<I, O>: Send + 'static {
    /// The result for `msg`; `None` drops it.
    fn apply(&mut self, msg: I) -> Option<O>;
}

impl<I, O, F: FnMut(I) -> Option<O> + Send + 'static> Transform<I, O> for F {
    fn apply(&mut self, msg: I) -> Option<O> {
        self(msg)
    }
}

impl<I, O, G: FnMut(I) -> O + Send + 'static> Transform<I, O> for Map<G> {
    fn apply(&mut self, msg: I) -> Option<O> {
        Some((self.0)(msg))
    }
}

impl<I: Send + 'static, O: Send + 'static, F> std::fmt::Debug for PureTransformer<I, O, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PureTransformer").finish_non_exhaustive()
    }
}

struct Apply<I, O, F>(F, std::marker::PhantomData<fn(I) -> O>);

impl<I: Send + 'static, O: Send + 'static, F: Transform<I, O>> Step for Apply<I, O, F> {
    type In = I;
    type Out = O;
    fn step(&mut self, msg: I, out: &mut Vec<O>) {
        out.extend(self.0.apply(msg));
    }
}

impl<I, O, F> Component for PureTransformer<I, O, F>
where
    I: Send + 'static,
    O: Send + 'static,
    F: Transform<I, O>,
{
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Apply(self.f, std::marker::PhantomData), boxes).await
    }
}

crate::impl_stage!([I: Send + 'static, O: Send + 'static, F: Transform<I, O>] PureTransformer<I, O, F>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let t = PureTransformer::new(|m: Msg| Some(m));
    Entry::new(
        "PureTransformer",
        "Kamaelia.Util.PureTransformer.PureTransformer",
        Family::Util,
        "Applies a function to every message and sends the result; a None result drops the message.",
        axon::box_infos(&t),
    )
    .parameter("f", "FnMut(I) -> Option<O>", "PureTransformer::new(f); PureTransformer::map(g) for a function that never drops")
});
