//! The framing family's pure codecs: plain synchronous encoders and decoders, with no
//! components, channels or async involved, so they can be property-tested and fuzzed on their
//! own (`fuzz/fuzz_targets/{lines,length_prefixed,deframer,dechunker}.rs`). The components of
//! [`framing`](super) are thin wrappers round them.
//!
//! | codec | encodes with | decodes with | stream or message |
//! |---|---|---|---|
//! | lines | [`encode_line`] | [`LineDecoder`] | stream |
//! | length-prefixed frames | [`encode_length_prefixed`] | [`LengthPrefixDecoder`] | stream |
//! | `<seq> <len>\n<payload>` frames | [`encode_frame`] | [`FrameDecoder`] | one frame per message |
//! | sync-marker chunks | [`ChunkFormat::encode`] | [`ChunkDecoder`] | stream |
//!
//! The stream decoders implement [`Decoder`]: push bytes as they arrive, in pieces of any size,
//! pop what they completed; [`finish`](Decoder::finish) says the stream has ended. However the
//! stream is cut into pieces, the sequence popped is the same (property-tested), and every error
//! names the byte offset, counted from the start of the stream, of the thing at fault.
//!
//! ```
//! use kamaelia::protocol::framing::codec::{encode_length_prefixed, Decoder, LengthPrefixDecoder};
//!
//! let mut stream = Vec::new();
//! encode_length_prefixed(b"hello", &mut stream);
//! encode_length_prefixed(b"world", &mut stream);
//! let mut decoder = LengthPrefixDecoder::new();
//! for piece in stream.chunks(3) {
//!     decoder.push(piece);
//! }
//! decoder.finish();
//! assert_eq!(decoder.pop(), Some(Ok(b"hello".to_vec())));
//! assert_eq!(decoder.pop(), Some(Ok(b"world".to_vec())));
//! assert_eq!(decoder.pop(), None);
//! ```

pub mod chunk;
pub mod frame;
pub mod length_prefix;
pub mod lines;

pub use chunk::{ChunkDecoder, ChunkError, ChunkErrorKind, ChunkFormat, ChunkFormatError};
pub use frame::{encode_frame, FrameDecoder, FrameError, FrameErrorKind, MAX_FRAME_HEADER};
pub use length_prefix::{encode_length_prefixed, LengthPrefixDecoder, LengthPrefixError};
pub use lines::{
    encode_line, LineDecoder, LineEncodeError, LineEncodeErrorKind, LineTooLong, Terminator,
};

/// The largest frame or chunk the framing family accepts unless told otherwise: 16 MiB.
pub const DEFAULT_MAX_FRAME: usize = 16 << 20;

/// A decoder of a byte stream: bytes in, in pieces of any size; messages or errors out.
///
/// Contract, for every implementation here:
///
/// * [`push`](Self::push) processes the bytes at once; what they complete is queued for
///   [`pop`](Self::pop), in stream order. Pop after each push: the queue holds only what the
///   pushes since the last pops completed.
/// * Besides that queue, the decoder holds at most [`buffered`](Self::buffered) bytes of
///   unfinished input, and that is never more than the limit its type documents.
/// * Cutting the stream into different pieces never changes what is popped.
/// * [`finish`](Self::finish) ends the stream: partial state is delivered or reported as an
///   error, as the type documents; bytes pushed afterwards are ignored.
/// * After an error that [`has_failed`](Self::has_failed) reports as fatal, nothing more is
///   produced: later bytes are ignored.
pub trait Decoder {
    /// What a successful decode gives.
    type Item;
    /// What a failed decode gives.
    type Error;
    /// Processes the next bytes of the stream.
    fn push(&mut self, bytes: &[u8]);
    /// The next completed item or error, in stream order.
    fn pop(&mut self) -> Option<Result<Self::Item, Self::Error>>;
    /// Ends the stream.
    fn finish(&mut self);
    /// True once a fatal error was queued: the decoder takes no more input.
    fn has_failed(&self) -> bool;
    /// Bytes of unfinished input held (not counting completed items waiting to be popped).
    fn buffered(&self) -> usize;
    /// The bound on [`buffered`](Self::buffered).
    fn buffer_limit(&self) -> usize;
    /// Ends the current message here, for a format where the end of a message is only known
    /// when the next one starts ([`ChunkDecoder`]); by default it does nothing.
    fn flush(&mut self) {}
}

/// What a decoder, or the component running it, does with malformed input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OnMalformed {
    /// Report it, then stop: the decoder takes no more input and the component ends with
    /// [`Control::Failed`](axon::Control::Failed), closing only its own connection. The right
    /// choice for a byte stream from one peer (TCP), where malformed input means a broken peer.
    #[default]
    Fail,
    /// Report it, drop the damaged message and carry on with the next good one. The right
    /// choice on a lossy transport (UDP, multicast), where damage is expected.
    Skip,
}
