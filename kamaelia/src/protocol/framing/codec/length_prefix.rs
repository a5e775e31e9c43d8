//! Length-prefixed frames: each frame is its payload's length as a 4-byte big-endian unsigned
//! integer, then the payload. The encoding of
//! [`LengthPrefixFramer`](crate::protocol::framing::LengthPrefixFramer) and
//! [`LengthPrefixDeframer`](crate::protocol::framing::LengthPrefixDeframer).
//!
//! A stream of such frames cannot be resynchronised once a length is wrong, so every error is
//! fatal: the decoder reports it and takes no more input.
//!
//! ```
//! use kamaelia::protocol::framing::codec::{
//!     encode_length_prefixed, Decoder, LengthPrefixDecoder, LengthPrefixError,
//! };
//!
//! let mut stream = Vec::new();
//! encode_length_prefixed(b"abc", &mut stream);
//! assert_eq!(stream, [0, 0, 0, 3, b'a', b'b', b'c']);
//! stream.extend_from_slice(&[0, 0, 0, 9, b'x']); // a frame cut short
//! let mut d = LengthPrefixDecoder::new();
//! d.push(&stream);
//! d.finish();
//! assert_eq!(d.pop(), Some(Ok(b"abc".to_vec())));
//! assert_eq!(
//!     d.pop(),
//!     Some(Err(LengthPrefixError::Truncated { offset: 7, declared: Some(9), received: 5 }))
//! );
//! ```

use std::collections::VecDeque;

use super::{Decoder, DEFAULT_MAX_FRAME};

/// Bytes of the length prefix.
const PREFIX: usize = 4;

/// The most payload bytes reserved at once, however large the declared length: memory grows
/// with the bytes that really arrive, not with what a peer claims.
const RESERVE_STEP: usize = 64 << 10;

/// Appends the frame of `payload` (its length as 4 big-endian bytes, then the payload) to `out`.
///
/// # Panics
/// If `payload` is longer than `u32::MAX` bytes (the components check their limit first).
pub fn encode_length_prefixed(payload: &[u8], out: &mut Vec<u8>) {
    let len = u32::try_from(payload.len()).expect("a length-prefixed frame holds at most 4 GiB");
    out.reserve(PREFIX + payload.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
}

/// A length-prefixed frame that cannot be encoded or decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthPrefixError {
    /// The frame is longer than the limit.
    TooLarge {
        /// The byte offset in the stream where the frame (its length prefix) starts.
        offset: u64,
        /// Its payload length.
        declared: u64,
        /// The limit, in payload bytes.
        limit: usize,
    },
    /// The stream ended inside a frame.
    Truncated {
        /// The byte offset in the stream where the frame starts.
        offset: u64,
        /// The declared payload length, if the whole length prefix arrived.
        declared: Option<u32>,
        /// How many bytes of the frame (prefix included) arrived.
        received: usize,
    },
}

impl LengthPrefixError {
    /// The byte offset in the stream where the frame at fault starts.
    pub fn offset(&self) -> u64 {
        match *self {
            LengthPrefixError::TooLarge { offset, .. }
            | LengthPrefixError::Truncated { offset, .. } => offset,
        }
    }
}

impl std::fmt::Display for LengthPrefixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            LengthPrefixError::TooLarge {
                offset,
                declared,
                limit,
            } => write!(
                f,
                "the length-prefixed frame at byte {offset} has {declared} payload bytes, more than the limit of {limit} (max_frame_size)"
            ),
            LengthPrefixError::Truncated {
                offset,
                declared: Some(len),
                received,
            } => write!(
                f,
                "the stream ends inside the length-prefixed frame at byte {offset}: {received} of its {} bytes arrived",
                PREFIX as u64 + u64::from(len)
            ),
            LengthPrefixError::Truncated {
                offset, received, ..
            } => write!(
                f,
                "the stream ends inside the length prefix at byte {offset}: {received} of its {PREFIX} bytes arrived"
            ),
        }
    }
}

impl std::error::Error for LengthPrefixError {}

/// Splits a byte stream into length-prefixed frames. See the [module docs](self).
///
/// It holds at most one unfinished frame: `4 + limit` bytes. A frame whose declared length is
/// over the limit is an error as soon as its prefix arrives, before any of its payload is held.
/// At [`finish`](Decoder::finish) an unfinished frame is a [`LengthPrefixError::Truncated`]; the
/// frames before it have been delivered.
#[derive(Debug, Clone)]
pub struct LengthPrefixDecoder {
    limit: usize,
    prefix: [u8; PREFIX],
    /// Bytes of the prefix received (4 once the length is known).
    have_prefix: usize,
    /// The payload length, once the prefix is complete.
    len: usize,
    payload: Vec<u8>,
    /// Where the current frame starts.
    frame_start: u64,
    /// Bytes pushed so far.
    pos: u64,
    failed: bool,
    finished: bool,
    out: VecDeque<Result<Vec<u8>, LengthPrefixError>>,
}

impl LengthPrefixDecoder {
    /// Accepts frames of up to [`DEFAULT_MAX_FRAME`] payload bytes.
    pub fn new() -> Self {
        Self::with_limit(DEFAULT_MAX_FRAME)
    }

    /// Accepts frames of up to `limit` payload bytes.
    pub fn with_limit(limit: usize) -> Self {
        LengthPrefixDecoder {
            limit,
            prefix: [0; PREFIX],
            have_prefix: 0,
            len: 0,
            payload: Vec::new(),
            frame_start: 0,
            pos: 0,
            failed: false,
            finished: false,
            out: VecDeque::new(),
        }
    }

    /// The limit, in payload bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    fn complete(&mut self) {
        let payload = std::mem::take(&mut self.payload);
        self.out.push_back(Ok(payload));
        self.have_prefix = 0;
        self.frame_start = self.pos;
    }
}

impl Default for LengthPrefixDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder for LengthPrefixDecoder {
    type Item = Vec<u8>;
    type Error = LengthPrefixError;

    fn push(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() && !self.failed && !self.finished {
            if self.have_prefix < PREFIX {
                let n = (PREFIX - self.have_prefix).min(rest.len());
                self.prefix[self.have_prefix..self.have_prefix + n].copy_from_slice(&rest[..n]);
                self.have_prefix += n;
                self.pos += n as u64;
                rest = &rest[n..];
                if self.have_prefix < PREFIX {
                    return;
                }
                let declared = u32::from_be_bytes(self.prefix);
                if u64::from(declared) > self.limit as u64 {
                    self.out.push_back(Err(LengthPrefixError::TooLarge {
                        offset: self.frame_start,
                        declared: u64::from(declared),
                        limit: self.limit,
                    }));
                    self.failed = true;
                    self.payload = Vec::new();
                    return;
                }
                self.len = declared as usize;
                self.payload = Vec::with_capacity(self.len.min(RESERVE_STEP));
            } else {
                let n = (self.len - self.payload.len()).min(rest.len());
                self.payload.extend_from_slice(&rest[..n]);
                self.pos += n as u64;
                rest = &rest[n..];
            }
            if self.payload.len() == self.len {
                self.complete();
            }
        }
    }

    fn pop(&mut self) -> Option<Result<Vec<u8>, LengthPrefixError>> {
        self.out.pop_front()
    }

    fn finish(&mut self) {
        if self.finished || self.failed {
            self.finished = true;
            return;
        }
        self.finished = true;
        if self.have_prefix > 0 {
            let declared = (self.have_prefix == PREFIX).then(|| u32::from_be_bytes(self.prefix));
            self.out.push_back(Err(LengthPrefixError::Truncated {
                offset: self.frame_start,
                declared,
                received: self.have_prefix + self.payload.len(),
            }));
            self.failed = true;
            self.payload = Vec::new();
        }
    }

    fn has_failed(&self) -> bool {
        self.failed
    }

    fn buffered(&self) -> usize {
        self.have_prefix + self.payload.len()
    }

    fn buffer_limit(&self) -> usize {
        PREFIX.saturating_add(self.limit)
    }
}
