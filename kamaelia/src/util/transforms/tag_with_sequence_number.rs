//! TagWithSequenceNumber: pairs every message with its sequence number (Kamaelia:
//! `Kamaelia.Util.TagWithSequenceNumber.TagWithSequenceNumber`).
//!
//! The first message is tagged `0` (or the number given to
//! [`starting_at`](TagWithSequenceNumber::starting_at)), the next `1`, and so on, in arrival
//! order. The counter is a `u64` and wraps round after `u64::MAX`.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::TagWithSequenceNumber;
//!
//! let mut system = System::deterministic();
//! let t = TagWithSequenceNumber::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &t.inbox).unwrap();
//! axon::link(&stop, &t.control).unwrap();
//! axon::link(&t.outbox, &output).unwrap();
//! system.spawn(t);
//! input.try_send('a').unwrap();
//! input.try_send('b').unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok((0, 'a')));
//! assert_eq!(output.try_recv(), Ok((1, 'b')));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to tag |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `(u64, T)` | each message with its sequence number, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * [`starting_at`](TagWithSequenceNumber::starting_at)`(first: u64)`: the first number
//!   (default 0).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it tags and sends everything already queued, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what is
//! queued, and sends `Shutdown` on `signal`. The counter is not reported at the end.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// Pairs every message with its sequence number. See the [module docs](self).
#[derive(Boxes)]
pub struct TagWithSequenceNumber<T: Send + 'static> {
    /// Messages to tag.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each message with its sequence number, in order.
    pub outbox: Outbox<(u64, T)>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    next: u64,
}

impl<T: Send + 'static> TagWithSequenceNumber<T> {
    /// Tags from 0.
    pub fn new() -> Self {
        TagWithSequenceNumber {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            next: 0,
        }
    }

    /// Tags from `first` instead of 0.
    pub fn starting_at(mut self, first: u64) -> Self {
        self.next = first;
        self
    }
}

impl<T: Send + 'static> Default for TagWithSequenceNumber<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> std::fmt::Debug for TagWithSequenceNumber<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagWithSequenceNumber")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

struct Tag<T>(u64, std::marker::PhantomData<fn(T)>);

impl<T: Send + 'static> Step for Tag<T> {
    type In = T;
    type Out = (u64, T);
    fn step(&mut self, msg: T, out: &mut Vec<(u64, T)>) {
        out.push((self.0, msg));
        self.0 = self.0.wrapping_add(1);
    }
}

impl<T: Send + 'static> Component for TagWithSequenceNumber<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Tag(self.next, std::marker::PhantomData), boxes).await
    }
}

crate::impl_stage!([T: Send + 'static] TagWithSequenceNumber<T>, T => (u64, T));

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let t = TagWithSequenceNumber::<Msg>::new();
    Entry::new(
        "TagWithSequenceNumber",
        "Kamaelia.Util.TagWithSequenceNumber.TagWithSequenceNumber",
        Family::Util,
        "Pairs every message with its sequence number: (0, first), (1, second), ...",
        axon::box_infos(&t),
    )
    .parameter(
        "starting_at",
        "u64",
        "the first sequence number (default 0)",
    )
});
