//! LengthPrefixDeframer: recovers the messages framed by
//! [`LengthPrefixFramer`](super::LengthPrefixFramer) from a byte stream that arrives in pieces
//! of any size (Kamaelia: none — new here; the format is in
//! [`codec::length_prefix`](super::codec::length_prefix), the decoder is
//! [`LengthPrefixDecoder`]).
//!
//! A frame may start in one message and end several messages later, and one message may hold
//! many frames. A frame whose declared length is over
//! [`max_frame_size`](LengthPrefixDeframer::max_frame_size) is an error as soon as its length
//! arrives (nothing of it is held), and so is a stream that ends inside a frame. A wrong length
//! leaves no way to find the next frame, so either error ends the deframer: the error goes to
//! `errors`, naming the byte offset of the frame, and [`Control::Failed`] goes to `signal` —
//! put it in a per-connection protocol and only that connection closes.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::LengthPrefixDeframer;
//!
//! let mut system = System::deterministic();
//! let deframer = LengthPrefixDeframer::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &deframer.inbox).unwrap();
//! axon::link(&stop, &deframer.control).unwrap();
//! axon::link(&deframer.outbox, &output).unwrap();
//! system.spawn(deframer);
//! input.try_send(vec![0, 0, 0, 2, b'h']).unwrap(); // a frame cut in two
//! input.try_send(vec![b'i', 0, 0, 0, 0]).unwrap(); // ... and an empty frame
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"hi".to_vec()));
//! assert_eq!(output.try_recv(), Ok(vec![]));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `C: AsRef<[u8]>` (default `Vec<u8>`) | the stream, in pieces of any size |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | each frame's payload, in order |
//! | `signal` | [`Control`] | the control message that ended it, or `Failed` after an error |
//! | `errors` | [`LengthPrefixError`] | the error that ended it: a frame over the limit, or the stream ending inside a frame |
//!
//! # Parameters
//!
//! * the input type: [`LengthPrefixDeframer::new`] (`Vec<u8>`) or
//!   `LengthPrefixDeframer::<C>::with_input()`.
//! * [`max_frame_size`](LengthPrefixDeframer::max_frame_size)`(n)`: the longest payload accepted,
//!   in bytes (default [`DEFAULT_MAX_FRAME`], 16 MiB). It holds at most `4 + n` bytes.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it decodes everything already queued and sends the frames; if the
//! stream ended inside a frame, that is reported on `errors` and it sends `Control::Failed` on
//! `signal` (the complete frames before it have been delivered), otherwise `ProducerFinished`;
//! then it ends. On `Shutdown` (or `Failed`) it ends at once, discarding what is queued and the
//! unfinished frame, and passes the message on.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::codec::{LengthPrefixDecoder, LengthPrefixError, DEFAULT_MAX_FRAME};
use super::drive::{self, Decode};

/// Recovers length-prefixed frames from a byte stream. See the [module docs](self).
#[derive(Boxes)]
pub struct LengthPrefixDeframer<C: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// The stream, in pieces of any size.
    pub inbox: Inbox<C>,
    /// `ProducerFinished` (decode what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each frame's payload, in order.
    pub outbox: Outbox<Vec<u8>>,
    /// The control message that ended it, or `Failed` after an error.
    pub signal: Outbox<Control>,
    /// The error that ended it.
    pub errors: Outbox<LengthPrefixError>,
    max: usize,
}

impl LengthPrefixDeframer<Vec<u8>> {
    /// Takes the stream as `Vec<u8>` pieces.
    pub fn new() -> Self {
        Self::with_input()
    }
}

impl Default for LengthPrefixDeframer<Vec<u8>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: AsRef<[u8]> + Send + 'static> LengthPrefixDeframer<C> {
    /// Takes the stream as pieces of type `C`.
    pub fn with_input() -> Self {
        LengthPrefixDeframer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            errors: Outbox::new(),
            max: DEFAULT_MAX_FRAME,
        }
    }

    /// Accepts payloads of up to `n` bytes.
    pub fn max_frame_size(mut self, n: usize) -> Self {
        self.max = n;
        self
    }
}

impl<C: AsRef<[u8]> + Send + 'static> std::fmt::Debug for LengthPrefixDeframer<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LengthPrefixDeframer")
            .field("max_frame_size", &self.max)
            .finish_non_exhaustive()
    }
}

impl<C: AsRef<[u8]> + Send + 'static> Component for LengthPrefixDeframer<C> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let decode = Decode::<_, C>::new(LengthPrefixDecoder::with_limit(self.max));
        let boxes = drive::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
            errors: Some(&mut self.errors),
            flush: None,
        };
        drive::drive(&ctx, decode, boxes).await
    }
}

crate::impl_stage!([C: AsRef<[u8]> + Send + 'static] LengthPrefixDeframer<C>, C => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "LengthPrefixDeframer",
        "(none: new here)",
        Family::Protocol,
        "Recovers length-prefixed frames (4-byte big-endian length, then payload) from a byte stream in pieces of any size; a frame over the limit or cut short by the end of the stream is reported on errors and ends it with Failed.",
        axon::box_infos(&LengthPrefixDeframer::new()),
    )
    .parameter("types", "C: AsRef<[u8]> => Vec<u8>", "LengthPrefixDeframer::new() (Vec<u8>) or LengthPrefixDeframer::<C>::with_input()")
    .parameter("max_frame_size", "usize", "the longest payload accepted, in bytes (default 16 MiB)")
});
