//! LengthPrefixFramer: turns each message of bytes into a frame — its length as 4 big-endian
//! bytes, then the bytes — so that a byte stream (TCP) can carry messages whose boundaries
//! survive (Kamaelia: none — new here; [`LengthPrefixDeframer`](super::LengthPrefixDeframer)
//! is the receiving side, and the format is in [`codec::length_prefix`](super::codec::length_prefix)).
//!
//! A message longer than [`max_frame_size`](LengthPrefixFramer::max_frame_size) (by default
//! [`DEFAULT_MAX_FRAME`], the deframer's default limit, so a default deframer accepts whatever a
//! default framer sends) is refused: it is reported on `errors` and the framer ends with
//! [`Control::Failed`].
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::LengthPrefixFramer;
//!
//! let mut system = System::deterministic();
//! let framer = LengthPrefixFramer::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &framer.inbox).unwrap();
//! axon::link(&stop, &framer.control).unwrap();
//! axon::link(&framer.outbox, &output).unwrap();
//! system.spawn(framer);
//! input.try_send(b"hi".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(vec![0, 0, 0, 2, b'h', b'i']));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T: AsRef<[u8]>` (default `Vec<u8>`) | messages to frame |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | one frame per message |
//! | `signal` | [`Control`] | the control message that ended it, or `Failed` after a refused message |
//! | `errors` | [`LengthPrefixError`] | a refused message: `TooLarge`, with the output offset where its frame would have started |
//!
//! # Parameters
//!
//! * the input type: [`LengthPrefixFramer::new`] (`Vec<u8>`) or
//!   `LengthPrefixFramer::<T>::with_input()` for any other `T: AsRef<[u8]>`.
//! * [`max_frame_size`](LengthPrefixFramer::max_frame_size)`(n)`: the longest message framed, in
//!   bytes (default [`DEFAULT_MAX_FRAME`], 16 MiB; at most `u32::MAX`).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it frames everything already queued, then passes `ProducerFinished` on
//! `signal` and ends. On `Shutdown` (or `Failed`) it ends at once, discarding what is queued,
//! and passes the message on. It holds no partial state. A refused message: the frames before it
//! are sent, the error goes to `errors`, `Control::Failed` goes to `signal`, and it ends.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::codec::{encode_length_prefixed, LengthPrefixError, DEFAULT_MAX_FRAME};
use super::drive::{self, Convert, Made};

/// Frames messages with a 4-byte length. See the [module docs](self).
#[derive(Boxes)]
pub struct LengthPrefixFramer<T: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// Messages to frame.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (frame what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// One frame per message.
    pub outbox: Outbox<Vec<u8>>,
    /// The control message that ended it, or `Failed` after a refused message.
    pub signal: Outbox<Control>,
    /// A message longer than the limit (it ends the framer).
    pub errors: Outbox<LengthPrefixError>,
    max: usize,
}

impl LengthPrefixFramer<Vec<u8>> {
    /// Frames `Vec<u8>` messages.
    pub fn new() -> Self {
        Self::with_input()
    }
}

impl Default for LengthPrefixFramer<Vec<u8>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: AsRef<[u8]> + Send + 'static> LengthPrefixFramer<T> {
    /// Frames messages of type `T`.
    pub fn with_input() -> Self {
        LengthPrefixFramer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            errors: Outbox::new(),
            max: DEFAULT_MAX_FRAME,
        }
    }

    /// Refuses messages longer than `n` bytes (`n` above `u32::MAX` counts as `u32::MAX`).
    pub fn max_frame_size(mut self, n: usize) -> Self {
        self.max = n.min(u32::MAX as usize);
        self
    }
}

impl<T: AsRef<[u8]> + Send + 'static> std::fmt::Debug for LengthPrefixFramer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LengthPrefixFramer")
            .field("max_frame_size", &self.max)
            .finish_non_exhaustive()
    }
}

struct Encode<T> {
    max: usize,
    /// Bytes sent so far.
    sent: u64,
    failed: bool,
    _t: std::marker::PhantomData<fn(T)>,
}

impl<T: AsRef<[u8]> + Send + 'static> Convert for Encode<T> {
    type In = T;
    type Out = Vec<u8>;
    type Err = LengthPrefixError;

    fn feed(&mut self, msg: T, out: &mut Made<Self>) {
        let payload = msg.as_ref();
        if payload.len() > self.max {
            out.push(Err(LengthPrefixError::TooLarge {
                offset: self.sent,
                declared: payload.len() as u64,
                limit: self.max,
            }));
            self.failed = true;
            return;
        }
        let mut frame = Vec::new();
        encode_length_prefixed(payload, &mut frame);
        self.sent += frame.len() as u64;
        out.push(Ok(frame));
    }

    fn failed(&self) -> bool {
        self.failed
    }
}

impl<T: AsRef<[u8]> + Send + 'static> Component for LengthPrefixFramer<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let encode = Encode::<T> {
            max: self.max,
            sent: 0,
            failed: false,
            _t: std::marker::PhantomData,
        };
        let boxes = drive::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
            errors: Some(&mut self.errors),
            flush: None,
        };
        drive::drive(&ctx, encode, boxes).await
    }
}

crate::impl_stage!([T: AsRef<[u8]> + Send + 'static] LengthPrefixFramer<T>, T => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "LengthPrefixFramer",
        "(none: new here)",
        Family::Protocol,
        "Frames each message as its length (4 bytes, big-endian) then its bytes; a message over the limit is reported on errors and ends it with Failed.",
        axon::box_infos(&LengthPrefixFramer::new()),
    )
    .parameter("types", "T: AsRef<[u8]> => Vec<u8>", "LengthPrefixFramer::new() (Vec<u8>) or LengthPrefixFramer::<T>::with_input()")
    .parameter("max_frame_size", "usize", "the longest message framed, in bytes (default 16 MiB)")
});
