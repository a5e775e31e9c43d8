//! Sequence-numbered frames: the encoding of [`Framer`](crate::protocol::framing::Framer) and
//! [`DeFramer`](crate::protocol::framing::DeFramer).
//!
//! A frame is a text header, then the payload bytes:
//!
//! ```text
//! <seq> <len>\n<payload>
//! ```
//!
//! `<seq>` is the sequence number and `<len>` the payload length in bytes, each in canonical
//! decimal (ASCII digits, no sign, no leading zeros, at most 20 digits, and a `u64`), separated
//! by one space; the header ends at the first `\n`, so it is at most [`MAX_FRAME_HEADER`] bytes.
//! The payload is any bytes, exactly `<len>` of them, and nothing follows it: a frame is one
//! whole message. Because every field is checked, a message that decodes re-encodes to exactly
//! the same bytes.
//!
//! This is Kamaelia's `SimpleFrame` format (`"<tag> <length>\n<data>"`) made exact: Kamaelia
//! counted the length in characters of the value but sent its `str()` text, accepted any
//! whitespace and signs in the header, ignored bytes after the payload, silently dropped short
//! frames and crashed on a bad header. Here the length is in bytes and every malformed frame is
//! a [`FrameError`] naming the byte at fault.
//!
//! ```
//! use kamaelia::protocol::framing::codec::{encode_frame, FrameDecoder, FrameErrorKind};
//!
//! let mut frame = Vec::new();
//! encode_frame(7, b"hello", &mut frame);
//! assert_eq!(frame, b"7 5\nhello");
//! let mut d = FrameDecoder::new();
//! assert_eq!(d.decode(&frame), Ok((7, b"hello".to_vec())));
//! let bad = d.decode(b"7 6\nhello").unwrap_err();
//! assert_eq!((bad.message, bad.offset), (1, 4));
//! assert_eq!(bad.kind, FrameErrorKind::LengthMismatch { declared: 6, actual: 5 });
//! ```

use std::io::Write;

/// The longest header: a 20-digit sequence number, a space, a 20-digit length and `\n`.
pub const MAX_FRAME_HEADER: usize = 20 + 1 + 20 + 1;

/// Appends the frame of (`seq`, `payload`) to `out`.
pub fn encode_frame(seq: u64, payload: &[u8], out: &mut Vec<u8>) {
    out.reserve(MAX_FRAME_HEADER + payload.len());
    // Writing to a Vec cannot fail.
    writeln!(out, "{seq} {}", payload.len()).ok();
    out.extend_from_slice(payload);
}

/// What is wrong with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameErrorKind {
    /// No `\n` within the first [`MAX_FRAME_HEADER`] bytes (or in the whole, shorter, message).
    NoHeaderEnd,
    /// The header has no space between the sequence number and the length.
    NoSpace,
    /// The sequence number is not a canonical decimal `u64`.
    BadSequenceNumber,
    /// The length is not a canonical decimal `u64`.
    BadLength,
    /// The payload is not as long as the header says.
    LengthMismatch {
        /// The length in the header.
        declared: u64,
        /// The bytes after the header.
        actual: u64,
    },
}

/// A message that is not one well-formed frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameError {
    /// Which message, counting from 0 (the messages given to the [`FrameDecoder`]).
    pub message: u64,
    /// The byte offset in that message of the thing at fault.
    pub offset: usize,
    /// What is wrong.
    pub kind: FrameErrorKind,
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "frame in message {}, byte {}: ",
            self.message, self.offset
        )?;
        match self.kind {
            FrameErrorKind::NoHeaderEnd => write!(
                f,
                "no end of header (\\n) within the first {MAX_FRAME_HEADER} bytes"
            ),
            FrameErrorKind::NoSpace => {
                f.write_str("the header has no space between sequence number and length")
            }
            FrameErrorKind::BadSequenceNumber => {
                f.write_str("the sequence number is not a canonical decimal u64")
            }
            FrameErrorKind::BadLength => f.write_str("the length is not a canonical decimal u64"),
            FrameErrorKind::LengthMismatch { declared, actual } => write!(
                f,
                "the header declares {declared} payload bytes but {actual} follow it"
            ),
        }
    }
}

impl std::error::Error for FrameError {}

/// Parses a canonical decimal `u64`; on failure, the offset in `field` of the byte at fault.
fn parse_decimal(field: &[u8]) -> Result<u64, usize> {
    if field.is_empty() {
        return Err(0);
    }
    if let Some(bad) = field.iter().position(|b| !b.is_ascii_digit()) {
        return Err(bad);
    }
    if field.len() > 1 && field[0] == b'0' {
        return Err(0);
    }
    field.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(0)
    })
}

/// Decodes frames, one per message, counting the messages so errors can name them. See the
/// [module docs](self).
///
/// It keeps no partial state: each message is decoded on its own, so a malformed one does not
/// affect the next.
#[derive(Debug, Clone, Default)]
pub struct FrameDecoder {
    messages: u64,
}

impl FrameDecoder {
    /// A decoder; the first message is message 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many messages it has decoded (or failed to).
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Decodes one message, which must be exactly one frame.
    ///
    /// # Errors
    /// A [`FrameError`] naming the message and the byte at fault.
    pub fn decode(&mut self, msg: &[u8]) -> Result<(u64, Vec<u8>), FrameError> {
        let message = self.messages;
        self.messages += 1;
        let err = |offset, kind| FrameError {
            message,
            offset,
            kind,
        };
        let window = &msg[..msg.len().min(MAX_FRAME_HEADER)];
        let Some(nl) = window.iter().position(|&b| b == b'\n') else {
            return Err(err(window.len(), FrameErrorKind::NoHeaderEnd));
        };
        let header = &msg[..nl];
        let Some(space) = header.iter().position(|&b| b == b' ') else {
            return Err(err(nl, FrameErrorKind::NoSpace));
        };
        let seq = parse_decimal(&header[..space])
            .map_err(|at| err(at, FrameErrorKind::BadSequenceNumber))?;
        let len = parse_decimal(&header[space + 1..])
            .map_err(|at| err(space + 1 + at, FrameErrorKind::BadLength))?;
        let payload = &msg[nl + 1..];
        if payload.len() as u64 != len {
            return Err(err(
                nl + 1,
                FrameErrorKind::LengthMismatch {
                    declared: len,
                    actual: payload.len() as u64,
                },
            ));
        }
        Ok((seq, payload.to_vec()))
    }
}
