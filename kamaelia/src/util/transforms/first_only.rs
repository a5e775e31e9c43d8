//! FirstOnly: passes on the first message and discards the rest (Kamaelia:
//! `Kamaelia.Util.FirstOnly.FirstOnly`).
//!
//! The first message to arrive is sent on at once. Everything after it is read and discarded,
//! so the producer is never held up; the component keeps running until a [`Control`] arrives
//! (as Kamaelia's did), so it can sit in a pipeline without ending it early.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::FirstOnly;
//!
//! let mut system = System::deterministic();
//! let f = FirstOnly::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &f.inbox).unwrap();
//! axon::link(&stop, &f.control).unwrap();
//! axon::link(&f.outbox, &output).unwrap();
//! system.spawn(f);
//! for frame_rate in [25, 30, 50] {
//!     input.try_send(frame_rate).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(25));
//! assert!(output.try_recv().is_err());
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the first message, and nothing else |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! None.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it reads what is queued (sending it on if the first message is among
//! it), then sends `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once and
//! sends `Shutdown` on `signal`. If no message ever arrived, nothing is sent on `outbox`.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// Passes on the first message only. See the [module docs](self).
#[derive(Boxes)]
pub struct FirstOnly<T: Send + 'static> {
    /// Messages.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The first message, and nothing else.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
}

impl<T: Send + 'static> FirstOnly<T> {
    /// A component passing on the first message it gets.
    pub fn new() -> Self {
        FirstOnly {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static> Default for FirstOnly<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> std::fmt::Debug for FirstOnly<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstOnly").finish_non_exhaustive()
    }
}

struct First<T> {
    seen: bool,
    _t: std::marker::PhantomData<fn(T)>,
}

impl<T: Send + 'static> Step for First<T> {
    type In = T;
    type Out = T;
    fn step(&mut self, msg: T, out: &mut Vec<T>) {
        if !self.seen {
            self.seen = true;
            out.push(msg);
        }
    }
}

impl<T: Send + 'static> Component for FirstOnly<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        let first = First {
            seen: false,
            _t: std::marker::PhantomData,
        };
        step::drive(first, boxes).await
    }
}

crate::impl_stage!([T: Send + 'static] FirstOnly<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let f = FirstOnly::<Msg>::new();
    Entry::new(
        "FirstOnly",
        "Kamaelia.Util.FirstOnly.FirstOnly",
        Family::Util,
        "Passes on the first message and reads and discards everything after it.",
        axon::box_infos(&f),
    )
});
