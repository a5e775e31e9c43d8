//! LineSplit: splits every message into its lines (Kamaelia: `Kamaelia.Util.LineSplit.LineSplit`).
//!
//! Each message is complete text on its own: it is split at `\n`, a `\r` just before the `\n`
//! is removed (so CRLF and LF both work), and each line is sent on as a message of its own,
//! without its line ending. The rules are those of [`str::lines`]: a final line ending is
//! optional, so `"a\nb\n"` and `"a\nb"` both give `"a"`, `"b"`, and an empty message gives no
//! lines (Kamaelia's split gave a trailing empty line in both cases).
//!
//! To reassemble lines from text that arrives in arbitrary pieces, where a line may straddle two
//! messages, use [`ChunksToLines`](super::ChunksToLines) instead.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::LineSplit;
//!
//! let mut system = System::deterministic();
//! let split = LineSplit::<String>::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &split.inbox).unwrap();
//! axon::link(&stop, &split.control).unwrap();
//! axon::link(&split.outbox, &output).unwrap();
//! system.spawn(split);
//! input.try_send("one\r\ntwo\nthree".to_string()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv().as_deref(), Ok("one"));
//! assert_eq!(output.try_recv().as_deref(), Ok("two"));
//! assert_eq!(output.try_recv().as_deref(), Ok("three"));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T: AsRef<str>` (e.g. `String`, `&'static str`) | text, each message complete |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `String` | each line, without its line ending, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! None: the message type is chosen with `LineSplit::<T>::new()`.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it splits everything already queued, sends the lines, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what is
//! queued, and sends `Shutdown` on `signal`. It keeps no partial state: every message is split
//! completely when it arrives.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// Splits every message into its lines. See the [module docs](self).
#[derive(Boxes)]
pub struct LineSplit<T: AsRef<str> + Send + 'static> {
    /// Text, each message complete.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each line, without its line ending, in order.
    pub outbox: Outbox<String>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
}

impl<T: AsRef<str> + Send + 'static> LineSplit<T> {
    /// A line splitter.
    pub fn new() -> Self {
        LineSplit {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: AsRef<str> + Send + 'static> Default for LineSplit<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: AsRef<str> + Send + 'static> std::fmt::Debug for LineSplit<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineSplit").finish_non_exhaustive()
    }
}

struct Split<T>(std::marker::PhantomData<fn(T)>);

impl<T: AsRef<str> + Send + 'static> Step for Split<T> {
    type In = T;
    type Out = String;
    fn step(&mut self, msg: T, out: &mut Vec<String>) {
        out.extend(msg.as_ref().lines().map(str::to_string));
    }
}

impl<T: AsRef<str> + Send + 'static> Component for LineSplit<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Split(std::marker::PhantomData), boxes).await
    }
}

crate::impl_stage!([T: AsRef<str> + Send + 'static] LineSplit<T>, T => String);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let s = LineSplit::<String>::new();
    Entry::new(
        "LineSplit",
        "Kamaelia.Util.LineSplit.LineSplit",
        Family::Util,
        "Splits every (complete) text message at LF or CRLF and sends each line on its own, without its line ending.",
        axon::box_infos(&s),
    )
});
