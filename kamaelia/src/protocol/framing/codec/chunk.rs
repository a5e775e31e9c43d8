//! Sync-marker chunks: the encoding of
//! [`DataChunker`](crate::protocol::framing::DataChunker) and
//! [`DataDeChunker`](crate::protocol::framing::DataDeChunker).
//!
//! Each chunk is a **sync marker** followed by the chunk's bytes, **escaped** so that the marker
//! can never appear inside them:
//!
//! * a data byte equal to the marker's first byte `M`, or to the escape byte `E`, is sent as
//!   `E` followed by that byte XOR `0x20` (the byte-stuffing of HDLC and PPP);
//! * every other byte is sent as it is.
//!
//! The marker's first byte occurs nowhere else in the marker (checked by [`ChunkFormat::new`]),
//! and escaped data never contains it, so in a well-formed stream the marker occurs exactly where
//! a chunk starts. A chunk ends where the next marker starts (or at a flush, or at the end of
//! the stream). The round trip is exact for any bytes, which Kamaelia's per-character `%`
//! escaping was not.
//!
//! The default format is the 8-byte marker `FF 4B 41 4D 53 59 4E 43` (`\xFF` then `KAMSYNC`)
//! with escape byte `FE`: neither `FF` nor `FE` occurs in UTF-8, so text is never escaped.
//! (Kamaelia's default marker was 24 `X`s.)
//!
//! ```
//! use kamaelia::protocol::framing::codec::{ChunkDecoder, ChunkFormat, Decoder};
//!
//! let format = ChunkFormat::default();
//! let mut stream = Vec::new();
//! format.encode(b"first", &mut stream);
//! format.encode(&[0xff, 0xfe], &mut stream); // bytes that need escaping
//! assert_eq!(&stream[..8], format.marker());
//! let mut d = ChunkDecoder::new(format);
//! d.push(&stream);
//! assert_eq!(d.pop(), Some(Ok(b"first".to_vec()))); // ended by the next marker
//! assert_eq!(d.pop(), None); // the last chunk is complete only at a flush or the end
//! d.finish();
//! assert_eq!(d.pop(), Some(Ok(vec![0xff, 0xfe])));
//! ```
//!
//! # Malformed input
//!
//! What counts as malformed, and what happens, depends on the decoder's [`OnMalformed`] policy:
//!
//! * [`OnMalformed::Fail`] (strict, the default): every byte must belong to a chunk — the
//!   stream starts with a marker — and the first malformed byte is a fatal error.
//! * [`OnMalformed::Skip`] (resynchronise): bytes before the first marker, and after a damaged
//!   chunk up to the next marker, are discarded without a report (that is how a receiver joins
//!   a stream part way through); a damaged chunk is reported and skipped.

use std::collections::VecDeque;

use super::{Decoder, OnMalformed, DEFAULT_MAX_FRAME};

/// The longest marker [`ChunkFormat::new`] accepts.
const MAX_MARKER: usize = 64;

/// The sync marker and escape byte of a chunk stream. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChunkFormat {
    marker: Vec<u8>,
    escape: u8,
}

/// Why [`ChunkFormat::new`] refused a marker and escape byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChunkFormatError {
    /// The marker is empty.
    EmptyMarker,
    /// The marker is longer than 64 bytes.
    MarkerTooLong {
        /// Its length.
        len: usize,
    },
    /// The marker's first byte occurs again in it, at this offset (so a marker could start
    /// inside another).
    FirstByteRepeats {
        /// Where it occurs again.
        at: usize,
    },
    /// The escape byte is the marker's first byte, or that byte XOR `0x20` (so escaped data could
    /// contain the marker's first byte).
    EscapeClashes,
}

impl std::fmt::Display for ChunkFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            ChunkFormatError::EmptyMarker => f.write_str("the sync marker is empty"),
            ChunkFormatError::MarkerTooLong { len } => {
                write!(f, "the sync marker is {len} bytes long; at most {MAX_MARKER} are allowed")
            }
            ChunkFormatError::FirstByteRepeats { at } => write!(
                f,
                "the sync marker's first byte occurs again at offset {at}; it must occur only once"
            ),
            ChunkFormatError::EscapeClashes => f.write_str(
                "the escape byte must differ from the sync marker's first byte and from that byte XOR 0x20",
            ),
        }
    }
}

impl std::error::Error for ChunkFormatError {}

impl Default for ChunkFormat {
    fn default() -> Self {
        ChunkFormat {
            marker: Self::DEFAULT_MARKER.to_vec(),
            escape: Self::DEFAULT_ESCAPE,
        }
    }
}

impl ChunkFormat {
    /// The default sync marker: `\xFF` then `KAMSYNC`.
    pub const DEFAULT_MARKER: &'static [u8] = b"\xffKAMSYNC";
    /// The default escape byte.
    pub const DEFAULT_ESCAPE: u8 = 0xfe;

    /// A format with the given marker (1 to 64 bytes, its first byte occurring only once in it)
    /// and escape byte (neither the marker's first byte nor that byte XOR `0x20`).
    ///
    /// # Errors
    /// A [`ChunkFormatError`] saying which rule is broken.
    pub fn new(marker: impl Into<Vec<u8>>, escape: u8) -> Result<Self, ChunkFormatError> {
        let marker = marker.into();
        let Some(&first) = marker.first() else {
            return Err(ChunkFormatError::EmptyMarker);
        };
        if marker.len() > MAX_MARKER {
            return Err(ChunkFormatError::MarkerTooLong { len: marker.len() });
        }
        if let Some(at) = marker[1..].iter().position(|&b| b == first) {
            return Err(ChunkFormatError::FirstByteRepeats { at: at + 1 });
        }
        if escape == first || escape == first ^ 0x20 {
            return Err(ChunkFormatError::EscapeClashes);
        }
        Ok(ChunkFormat { marker, escape })
    }

    /// The sync marker.
    pub fn marker(&self) -> &[u8] {
        &self.marker
    }

    /// The escape byte.
    pub fn escape(&self) -> u8 {
        self.escape
    }

    /// Appends the chunk of `data` (the marker, then `data` escaped) to `out`.
    pub fn encode(&self, data: &[u8], out: &mut Vec<u8>) {
        let (m0, esc) = (self.marker[0], self.escape);
        out.reserve(self.marker.len() + data.len() + data.len() / 16);
        out.extend_from_slice(&self.marker);
        let mut rest = data;
        while let Some(i) = rest.iter().position(|&b| b == m0 || b == esc) {
            out.extend_from_slice(&rest[..i]);
            out.extend_from_slice(&[esc, rest[i] ^ 0x20]);
            rest = &rest[i + 1..];
        }
        out.extend_from_slice(rest);
    }
}

/// What is wrong in a chunk stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChunkErrorKind {
    /// Strict decoding only: bytes that belong to no chunk (before the first marker, after a
    /// flush, or a marker's first byte not followed by the rest of the marker there).
    OutsideChunk,
    /// Inside a chunk, the marker's first byte not followed by the rest of the marker: the chunk
    /// is damaged.
    BrokenMarker,
    /// The escape byte followed by a byte that is not an escaped marker byte or escape byte.
    BadEscape {
        /// The byte after the escape byte.
        byte: u8,
    },
    /// The chunk ends right after an escape byte.
    EscapeAtEnd,
    /// The chunk has more than `limit` bytes (unescaped).
    TooLong {
        /// The limit.
        limit: usize,
    },
    /// Strict decoding only: the stream ends inside a marker.
    TruncatedMarker,
}

/// A malformed chunk stream: where, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkError {
    /// The byte offset in the stream of the thing at fault: the first stray byte, the marker
    /// byte or escape byte at fault, or, for [`ChunkErrorKind::TooLong`], the chunk's marker.
    pub offset: u64,
    /// What is wrong.
    pub kind: ChunkErrorKind,
}

impl std::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "chunk stream, byte {}: ", self.offset)?;
        match self.kind {
            ChunkErrorKind::OutsideChunk => {
                f.write_str("data outside any chunk (expected the sync marker)")
            }
            ChunkErrorKind::BrokenMarker => f.write_str(
                "the sync marker's first byte is not followed by the rest of the marker; the chunk is damaged",
            ),
            ChunkErrorKind::BadEscape { byte } => {
                write!(f, "the escape byte is followed by {byte:#04x}, which is not an escaped byte")
            }
            ChunkErrorKind::EscapeAtEnd => f.write_str("the chunk ends inside an escape"),
            ChunkErrorKind::TooLong { limit } => {
                write!(f, "the chunk starting here is longer than the limit of {limit} bytes")
            }
            ChunkErrorKind::TruncatedMarker => f.write_str("the stream ends inside a sync marker"),
        }
    }
}

impl std::error::Error for ChunkError {}

/// Recovers chunks from a chunk stream. See the [module docs](self).
///
/// It holds at most one unfinished chunk of at most `limit` bytes (default
/// [`DEFAULT_MAX_FRAME`]). A chunk is complete when the next marker has fully arrived, at a
/// [`flush`](Decoder::flush), or at [`finish`](Decoder::finish) — which flushes, then, when strict,
/// reports a marker cut short by the end of the stream.
#[derive(Debug, Clone)]
pub struct ChunkDecoder {
    format: ChunkFormat,
    limit: usize,
    policy: OnMalformed,
    /// After a marker: bytes belong to a chunk.
    in_chunk: bool,
    chunk: Vec<u8>,
    /// Where the current chunk's marker starts.
    chunk_start: u64,
    /// Where a pending escape byte is.
    escape_at: Option<u64>,
    /// Bytes of a marker matched so far (0: none).
    matched: usize,
    /// Where the partly matched marker starts.
    marker_start: u64,
    /// Bytes pushed so far.
    pos: u64,
    failed: bool,
    finished: bool,
    out: VecDeque<Result<Vec<u8>, ChunkError>>,
}

impl ChunkDecoder {
    /// A strict decoder of `format` with the default limit.
    pub fn new(format: ChunkFormat) -> Self {
        ChunkDecoder {
            format,
            limit: DEFAULT_MAX_FRAME,
            policy: OnMalformed::Fail,
            in_chunk: false,
            chunk: Vec::new(),
            chunk_start: 0,
            escape_at: None,
            matched: 0,
            marker_start: 0,
            pos: 0,
            failed: false,
            finished: false,
            out: VecDeque::new(),
        }
    }

    /// Accepts chunks of up to `limit` bytes (unescaped).
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// What to do with malformed input (see the [module docs](self)).
    pub fn on_malformed(mut self, policy: OnMalformed) -> Self {
        self.policy = policy;
        self
    }

    /// The format.
    pub fn format(&self) -> &ChunkFormat {
        &self.format
    }

    fn strict(&self) -> bool {
        self.policy == OnMalformed::Fail
    }

    fn malformed(&mut self, offset: u64, kind: ChunkErrorKind) {
        self.out.push_back(Err(ChunkError { offset, kind }));
        self.failed = self.strict();
        self.in_chunk = false;
        self.chunk = Vec::new();
        self.escape_at = None;
    }

    fn end_chunk(&mut self) {
        if let Some(at) = self.escape_at {
            self.malformed(at, ChunkErrorKind::EscapeAtEnd);
        } else {
            self.out.push_back(Ok(std::mem::take(&mut self.chunk)));
            self.in_chunk = false;
        }
    }

    fn marker_complete(&mut self) {
        self.matched = 0;
        if self.in_chunk {
            self.end_chunk();
        }
        if self.failed {
            return;
        }
        self.in_chunk = true;
        self.chunk_start = self.marker_start;
        self.escape_at = None;
    }

    fn add(&mut self, b: u8) {
        if self.chunk.len() >= self.limit {
            self.malformed(
                self.chunk_start,
                ChunkErrorKind::TooLong { limit: self.limit },
            );
        } else {
            self.chunk.push(b);
        }
    }

    /// Processes the byte `b` at offset `at`.
    fn byte(&mut self, b: u8, at: u64) {
        let (m0, esc) = (self.format.marker[0], self.format.escape);
        if self.matched > 0 {
            if b == self.format.marker[self.matched] {
                self.matched += 1;
                if self.matched == self.format.marker.len() {
                    self.marker_complete();
                }
                return;
            }
            self.matched = 0;
            if self.in_chunk {
                self.malformed(self.marker_start, ChunkErrorKind::BrokenMarker);
            } else if self.strict() {
                self.malformed(self.marker_start, ChunkErrorKind::OutsideChunk);
            }
            if self.failed {
                return;
            }
            // `b` itself is looked at afresh below.
        }
        if b == m0 {
            self.matched = 1;
            self.marker_start = at;
            if self.format.marker.len() == 1 {
                self.marker_complete();
            }
        } else if !self.in_chunk {
            if self.strict() {
                self.malformed(at, ChunkErrorKind::OutsideChunk);
            }
        } else if let Some(escape_at) = self.escape_at.take() {
            let d = b ^ 0x20;
            if d == m0 || d == esc {
                self.add(d);
            } else {
                self.malformed(escape_at, ChunkErrorKind::BadEscape { byte: b });
            }
        } else if b == esc {
            self.escape_at = Some(at);
        } else {
            self.add(b);
        }
    }
}

impl Decoder for ChunkDecoder {
    type Item = Vec<u8>;
    type Error = ChunkError;

    fn push(&mut self, bytes: &[u8]) {
        let (m0, esc) = (self.format.marker[0], self.format.escape);
        let mut i = 0;
        while i < bytes.len() && !self.failed && !self.finished {
            // Fast paths over runs of plain bytes.
            if self.matched == 0 && self.escape_at.is_none() {
                let rest = &bytes[i..];
                let run = if self.in_chunk {
                    let n = rest.iter().position(|&b| b == m0 || b == esc);
                    let n = n.unwrap_or(rest.len()).min(self.limit - self.chunk.len());
                    self.chunk.extend_from_slice(&rest[..n]);
                    n
                } else if !self.strict() {
                    rest.iter().position(|&b| b == m0).unwrap_or(rest.len())
                } else {
                    0
                };
                if run > 0 {
                    i += run;
                    self.pos += run as u64;
                    continue;
                }
            }
            self.byte(bytes[i], self.pos);
            i += 1;
            self.pos += 1;
        }
    }

    fn pop(&mut self) -> Option<Result<Vec<u8>, ChunkError>> {
        self.out.pop_front()
    }

    fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.flush();
        if !self.failed && self.matched > 0 && self.strict() {
            self.malformed(self.marker_start, ChunkErrorKind::TruncatedMarker);
        }
        self.finished = true;
    }

    fn has_failed(&self) -> bool {
        self.failed
    }

    fn buffered(&self) -> usize {
        self.chunk.len()
    }

    fn buffer_limit(&self) -> usize {
        self.limit
    }

    /// Ends the current chunk here (Kamaelia's `flush` inbox): it is delivered, and the bytes
    /// that follow belong to no chunk until the next marker. A marker partly received stays
    /// pending.
    fn flush(&mut self) {
        if self.failed || self.finished {
            return;
        }
        if self.in_chunk {
            self.end_chunk();
        }
    }
}
