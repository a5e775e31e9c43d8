//! Lines: the pure line decoder that [`ChunksToLines`](crate::util::transforms::ChunksToLines)
//! runs, and the line encoder that [`LineFramer`](crate::protocol::framing::LineFramer) runs.
//!
//! A line ends at `\n`; a `\r` just before the `\n` is removed too, so CRLF and LF both work (a
//! `\r` anywhere else is data). A line longer than the limit is discarded, up to and including
//! its line ending, and reported as a [`LineTooLong`] naming its line number and the byte
//! offset where it starts; decoding goes on with the next line.
//!
//! ```
//! use kamaelia::protocol::framing::codec::{Decoder, LineDecoder, LineTooLong};
//!
//! let mut d = LineDecoder::new(4);
//! d.push(b"ok\r\ntoo long\nlast");
//! d.finish(); // the partial last line is delivered
//! assert_eq!(d.pop(), Some(Ok(b"ok".to_vec())));
//! assert_eq!(d.pop(), Some(Err(LineTooLong { line: 2, offset: 4, limit: 4 })));
//! assert_eq!(d.pop(), Some(Ok(b"last".to_vec())));
//! ```

use std::collections::VecDeque;

use super::Decoder;

/// A line longer than the limit, discarded by [`LineDecoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineTooLong {
    /// Which line, counting from 1 (every line break counts, discarded lines included).
    pub line: u64,
    /// The byte offset in the stream where the line starts.
    pub offset: u64,
    /// The limit, in bytes without the line ending.
    pub limit: usize,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} (starting at byte {}) is longer than the limit of {} bytes and was discarded",
            self.line, self.offset, self.limit
        )
    }
}

impl std::error::Error for LineTooLong {}

/// Splits a byte stream into lines. See the [module docs](self).
///
/// It holds at most `limit + 1` bytes of the line being assembled (the extra byte is a
/// possible `\r` of a CRLF). At [`finish`](Decoder::finish) the partial last line — the bytes
/// after the last `\n`, a trailing `\r` included — is delivered as a line of its own, or
/// reported if it is too long.
#[derive(Debug, Clone)]
pub struct LineDecoder {
    limit: usize,
    /// Bytes of the current line so far.
    buf: Vec<u8>,
    /// The current line is too long and already reported: skip to its end.
    discarding: bool,
    /// The current line's number, from 1.
    line: u64,
    /// Where the current line starts.
    line_start: u64,
    /// Bytes pushed so far.
    pos: u64,
    finished: bool,
    out: VecDeque<Result<Vec<u8>, LineTooLong>>,
}

impl LineDecoder {
    /// Keeps lines of up to `limit` bytes, without their line ending.
    pub fn new(limit: usize) -> Self {
        LineDecoder {
            limit,
            buf: Vec::new(),
            discarding: false,
            line: 1,
            line_start: 0,
            pos: 0,
            finished: false,
            out: VecDeque::new(),
        }
    }

    /// The limit, in bytes without the line ending.
    pub fn limit(&self) -> usize {
        self.limit
    }

    fn too_long(&self) -> LineTooLong {
        LineTooLong {
            line: self.line,
            offset: self.line_start,
            limit: self.limit,
        }
    }
}

impl Decoder for LineDecoder {
    type Item = Vec<u8>;
    type Error = LineTooLong;

    fn push(&mut self, bytes: &[u8]) {
        if self.finished {
            return;
        }
        let mut rest = bytes;
        let mut at = self.pos;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            let piece = &rest[..i];
            if !self.discarding {
                let cr = usize::from(piece.last().or(self.buf.last()) == Some(&b'\r'));
                if self.buf.len() + piece.len() - cr > self.limit {
                    self.out.push_back(Err(self.too_long()));
                } else {
                    let mut line = std::mem::take(&mut self.buf);
                    line.extend_from_slice(piece);
                    line.truncate(line.len() - cr);
                    self.out.push_back(Ok(line));
                }
            }
            self.buf.clear();
            self.discarding = false;
            self.line += 1;
            at += i as u64 + 1;
            self.line_start = at;
            rest = &rest[i + 1..];
        }
        self.pos += bytes.len() as u64;
        if self.discarding {
            return;
        }
        // The unfinished line: keep it unless it is already too long (one byte over is allowed
        // while it could be the `\r` of a CRLF).
        let len = self.buf.len() + rest.len();
        let ends_cr = rest.last().or(self.buf.last()) == Some(&b'\r');
        if len > self.limit && !(len == self.limit + 1 && ends_cr) {
            self.out.push_back(Err(self.too_long()));
            self.buf = Vec::new();
            self.discarding = true;
        } else {
            self.buf.extend_from_slice(rest);
        }
    }

    fn pop(&mut self) -> Option<Result<Vec<u8>, LineTooLong>> {
        self.out.pop_front()
    }

    fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        if self.discarding || self.buf.is_empty() {
            return;
        }
        if self.buf.len() > self.limit {
            self.out.push_back(Err(self.too_long()));
        } else {
            self.out.push_back(Ok(std::mem::take(&mut self.buf)));
        }
    }

    fn has_failed(&self) -> bool {
        false
    }

    fn buffered(&self) -> usize {
        self.buf.len()
    }

    fn buffer_limit(&self) -> usize {
        self.limit.saturating_add(1)
    }
}

/// How [`encode_line`] ends a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Terminator {
    /// `\r\n` (network protocols: SMTP, HTTP, IRC, ...).
    #[default]
    CrLf,
    /// `\n` alone.
    Lf,
}

impl Terminator {
    /// The terminator's bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Terminator::CrLf => b"\r\n",
            Terminator::Lf => b"\n",
        }
    }
}

/// A line [`encode_line`] refused: decoding its encoding would not give it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineEncodeError {
    /// Which line, counting from 1 in the order given.
    pub line: u64,
    /// The byte offset in the line of the byte at fault.
    pub offset: usize,
    /// What is wrong.
    pub kind: LineEncodeErrorKind,
}

/// What is wrong with a line given to [`encode_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEncodeErrorKind {
    /// It contains `\n`, which would end it early.
    ContainsLf,
    /// It ends with `\r` and the terminator is [`Terminator::Lf`]: the `\r` would be read back
    /// as part of a CRLF and lost.
    EndsWithCr,
}

impl std::fmt::Display for LineEncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            LineEncodeErrorKind::ContainsLf => write!(
                f,
                "line {} contains a line feed at byte {}: it cannot be sent as one line",
                self.line, self.offset
            ),
            LineEncodeErrorKind::EndsWithCr => write!(
                f,
                "line {} ends with a carriage return (byte {}), which an LF-terminated line cannot carry",
                self.line, self.offset
            ),
        }
    }
}

impl std::error::Error for LineEncodeError {}

/// Appends `line` and its terminator to `out`; `number` (from 1) only names the line in an
/// error. A line that [`LineDecoder`] would not give back unchanged is refused and nothing is
/// appended: one containing `\n`, or, with [`Terminator::Lf`], one ending with `\r`.
///
/// ```
/// use kamaelia::protocol::framing::codec::{encode_line, Terminator};
/// let mut out = Vec::new();
/// encode_line(b"HELO example", 1, Terminator::CrLf, &mut out).unwrap();
/// assert_eq!(out, b"HELO example\r\n");
/// assert!(encode_line(b"two\nlines", 2, Terminator::CrLf, &mut out).is_err());
/// ```
///
/// # Errors
/// A [`LineEncodeError`] naming the line and the offset of the byte at fault.
pub fn encode_line(
    line: &[u8],
    number: u64,
    terminator: Terminator,
    out: &mut Vec<u8>,
) -> Result<(), LineEncodeError> {
    if let Some(offset) = line.iter().position(|&b| b == b'\n') {
        return Err(LineEncodeError {
            line: number,
            offset,
            kind: LineEncodeErrorKind::ContainsLf,
        });
    }
    if terminator == Terminator::Lf && line.last() == Some(&b'\r') {
        return Err(LineEncodeError {
            line: number,
            offset: line.len() - 1,
            kind: LineEncodeErrorKind::EndsWithCr,
        });
    }
    out.reserve(line.len() + 2);
    out.extend_from_slice(line);
    out.extend_from_slice(terminator.bytes());
    Ok(())
}
