//! Filter: passes on the messages a predicate accepts (Kamaelia: `Kamaelia.Util.Filter.Filter`).
//!
//! Kamaelia's `Filter` took an object whose `filter(msg)` method returned a value to send or
//! `None`; that is [`PureTransformer`](super::PureTransformer) here. `Filter` is the plain
//! predicate form: a message is sent on unchanged when the predicate returns `true`, dropped when
//! it returns `false`.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::Filter;
//!
//! let mut system = System::deterministic();
//! let f = Filter::new(|word: &String| word.len() > 2);
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &f.inbox).unwrap();
//! axon::link(&stop, &f.control).unwrap();
//! axon::link(&f.outbox, &output).unwrap();
//! system.spawn(f);
//! for w in ["a", "cat", "on", "mat"] {
//!     input.try_send(w.to_string()).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv().as_deref(), Ok("cat"));
//! assert_eq!(output.try_recv().as_deref(), Ok("mat"));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to test |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the messages the predicate accepted, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `keep: FnMut(&T) -> bool + Send + 'static`, given to [`Filter::new`].
//!
//! # Shutdown
//!
//! On `ProducerFinished` it tests everything already queued, sends what passes, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what is
//! queued, and sends `Shutdown` on `signal`. It keeps no partial state.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// Passes on the messages a predicate accepts. See the [module docs](self).
#[derive(Boxes)]
pub struct Filter<T: Send + 'static, P> {
    /// Messages to test.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The messages the predicate accepted, in order.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    keep: P,
}

impl<T, P> Filter<T, P>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool + Send + 'static,
{
    /// A filter sending on each message for which `keep` returns `true`.
    pub fn new(keep: P) -> Self {
        Filter {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            keep,
        }
    }
}

impl<T: Send + 'static, P> std::fmt::Debug for Filter<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter").finish_non_exhaustive()
    }
}

struct Keep<T, P>(P, std::marker::PhantomData<fn(T)>);

impl<T, P> Step for Keep<T, P>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool + Send + 'static,
{
    type In = T;
    type Out = T;
    fn step(&mut self, msg: T, out: &mut Vec<T>) {
        if (self.0)(&msg) {
            out.push(msg);
        }
    }
}

impl<T, P> Component for Filter<T, P>
where
    T: Send + 'static,
    P: FnMut(&T) -> bool + Send + 'static,
{
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Keep(self.keep, std::marker::PhantomData), boxes).await
    }
}

crate::impl_stage!([T: Send + 'static, P: FnMut(&T) -> bool + Send + 'static] Filter<T, P>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let f = Filter::new(|_: &Msg| true);
    Entry::new(
        "Filter",
        "Kamaelia.Util.Filter.Filter",
        Family::Util,
        "Passes on unchanged the messages a predicate accepts and drops the others.",
        axon::box_infos(&f),
    )
    .parameter(
        "keep",
        "FnMut(&T) -> bool",
        "Filter::new(keep): true sends the message on",
    )
});
