//! The incremental HTTP/1.x decoder every HTTP parser here wraps: push bytes as they arrive,
//! pull [`HttpMessage`]s; malformed input gives an [`HttpError`] naming the byte offset.
//!
//! Heads, chunk-size lines and trailers are parsed by [`httparse`]; this type adds what
//! httparse leaves to its caller: body framing (`Content-Length`, chunked transfer coding,
//! and for responses "until the connection closes"), message after message on one stream
//! (keep-alive and pipelining), limits, and positioned errors.
//!
//! ```
//! use kamaelia::protocol::http::{HttpMessage, RequestDecoder};
//!
//! let mut decoder = RequestDecoder::new();
//! decoder.push(b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
//! decoder.push(b"0\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
//! let mut got = Vec::new();
//! while let Some(message) = decoder.next().unwrap() {
//!     got.push(message);
//! }
//! assert!(matches!(&got[0], HttpMessage::Head(h) if h.method == "POST"));
//! assert_eq!(got[1], HttpMessage::Body(b"abc".to_vec()));
//! assert_eq!(got[2], HttpMessage::End);
//! assert!(matches!(&got[3], HttpMessage::Head(h) if h.path() == "/"));
//! assert_eq!(got[4], HttpMessage::End);
//!
//! let mut bad = RequestDecoder::new();
//! bad.push(b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n");
//! let error = bad.next().unwrap_err();
//! assert_eq!(error.offset, 19); // the space inside the header name
//! assert_eq!(error.to_string(), "malformed HTTP request at byte 19: invalid header name");
//! ```
//!
//! # Framing
//!
//! * Requests: `Transfer-Encoding` ending in `chunked` → chunked body; any other transfer coding
//!   is refused; otherwise `Content-Length` (digits only; several fields must agree); otherwise
//!   no body. A request with both `Transfer-Encoding` and `Content-Length` is refused (the
//!   ambiguity request smuggling relies on).
//! * Responses: status 1xx, 204 and 304 have no body; then as for requests, except that a
//!   response with neither field (or a transfer coding other than chunked) runs until the
//!   connection closes ([`finish`](HttpDecoder::finish) ends it). A response to a `HEAD`
//!   request cannot be told apart by its bytes: this decoder is for streams of `GET`-like
//!   exchanges.
//! * Chunk extensions and trailer fields are checked, then dropped.
//!
//! # Limits
//!
//! Nothing grows without bound ([`Limits`]): a head (or trailer section) longer than
//! `max_head_bytes`, more than `max_headers` fields, or a chunk-size line longer than 4 KiB is
//! an error; body bytes go out as soon as they arrive, in `Body` messages of at most
//! `max_body_chunk` bytes. Between calls the decoder holds the bytes pushed and not yet
//! pulled: if its caller pulls every message after each push, that is at most
//! `max_head_bytes` plus one pushed chunk.
//!
//! # Errors
//!
//! An [`HttpError`] gives the byte offset in the stream (counting from 0 at the first byte
//! pushed) where the input went wrong — for a head, the first byte httparse rejects — and what
//! was wrong. Errors are final: every later [`next`](HttpDecoder::next) returns the same error.
//! However the stream is split into pushes, the messages and the error are the same (body
//! chunk boundaries aside).

use std::fmt;
use std::marker::PhantomData;

use super::message::{Headers, HttpMessage, RequestHead, ResponseHead, Version};

/// The longest chunk-size line (size, extensions, CRLF) accepted.
pub const MAX_CHUNK_LINE: usize = 4096;

/// The limits a decoder enforces. See the [module docs](self#limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes in a head (start line and fields, with the empty line) or in a trailer
    /// section; default 64 KiB.
    pub max_head_bytes: usize,
    /// The most header fields in one head; default 100.
    pub max_headers: usize,
    /// The most bytes in one `Body` message; default 64 KiB.
    pub max_body_chunk: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: 64 * 1024,
            max_headers: 100,
            max_body_chunk: 64 * 1024,
        }
    }
}

/// What was wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// httparse rejected the head; the text says what it expected (`invalid header name`, ...).
    BadHead(&'static str),
    /// The head was longer than the limit.
    HeadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The head had more header fields than the limit.
    TooManyHeaders {
        /// The limit, in fields.
        limit: usize,
    },
    /// A `Content-Length` that is not a number, or several that disagree.
    BadContentLength,
    /// Both `Transfer-Encoding` and `Content-Length`.
    LengthConflict,
    /// A request `Transfer-Encoding` that does not end in `chunked`.
    UnsupportedTransferEncoding,
    /// A chunk-size line that is not a hexadecimal size (with optional extensions).
    BadChunkSize,
    /// A chunk-size line longer than [`MAX_CHUNK_LINE`].
    ChunkLineTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Chunk data not followed by CRLF.
    BadChunkEnd,
    /// A malformed trailer section; the text says what httparse expected.
    BadTrailers(&'static str),
    /// The stream ended inside a message; the text names the part (`head`, `body`, ...).
    Truncated(&'static str),
}

impl fmt::Display for HttpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpErrorKind::BadHead(what) => f.write_str(what),
            HttpErrorKind::HeadTooLarge { limit } => {
                write!(f, "head longer than the limit of {limit} bytes")
            }
            HttpErrorKind::TooManyHeaders { limit } => {
                write!(f, "more header fields than the limit of {limit}")
            }
            HttpErrorKind::BadContentLength => f.write_str("invalid Content-Length"),
            HttpErrorKind::LengthConflict => {
                f.write_str("both Transfer-Encoding and Content-Length")
            }
            HttpErrorKind::UnsupportedTransferEncoding => {
                f.write_str("Transfer-Encoding that does not end in chunked")
            }
            HttpErrorKind::BadChunkSize => f.write_str("invalid chunk size line"),
            HttpErrorKind::ChunkLineTooLong { limit } => {
                write!(f, "chunk size line longer than the limit of {limit} bytes")
            }
            HttpErrorKind::BadChunkEnd => f.write_str("chunk data not followed by CRLF"),
            HttpErrorKind::BadTrailers(what) => write!(f, "trailer section: {what}"),
            HttpErrorKind::Truncated(part) => {
                write!(f, "the stream ended in the middle of the {part}")
            }
        }
    }
}

/// Malformed HTTP input: where (byte offset in the stream) and what.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpError {
    /// The offset of the byte where the input went wrong, counting from 0 at the first byte
    /// pushed; for a truncated stream, its length.
    pub offset: u64,
    /// What was wrong.
    pub kind: HttpErrorKind,
    /// `"request"` or `"response"`: what was being decoded.
    pub what: &'static str,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed HTTP {} at byte {}: {}",
            self.what, self.offset, self.kind
        )
    }
}

impl std::error::Error for HttpError {}

pub(crate) mod sealed {
    use super::HttpErrorKind;

    /// How a body follows a head.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum BodyKind {
        /// No body.
        Empty,
        /// Exactly this many bytes.
        Length(u64),
        /// Chunked transfer coding.
        Chunked,
        /// Everything until the stream ends.
        UntilClose,
    }

    /// The result of parsing the start of a buffer as a head.
    #[derive(Debug)]
    pub enum Parsed<H> {
        /// More bytes are needed.
        Partial,
        /// A head of `len` bytes, and how its body is framed (or what is wrong with the
        /// framing fields, and where in the buffer).
        Complete {
            /// The head's length in bytes.
            len: usize,
            /// The head.
            head: H,
            /// The body framing, or the framing error and its offset in the buffer.
            body: Result<BodyKind, (usize, HttpErrorKind)>,
        },
    }

    /// The parsing half of a message head (not for use outside this crate).
    pub trait Sealed: Sized {
        /// `"request"` or `"response"`.
        const WHAT: &'static str;
        /// Parses the head at the start of `buf`, with room for `max_headers` fields.
        fn parse(buf: &[u8], max_headers: usize) -> Result<Parsed<Self>, httparse::Error>;
    }
}

use sealed::{BodyKind, Parsed, Sealed};

/// Copies httparse's fields.
fn owned_headers(fields: &[httparse::Header<'_>]) -> Headers {
    let mut headers = Headers::new();
    for f in fields {
        headers.append(f.name, f.value);
    }
    headers
}

/// Where `part` (a slice of `buf`) starts in `buf`.
fn offset_in(buf: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(buf.as_ptr() as usize)
}

/// The body framing given by the fields (RFC 9112 §6.3); `request` refuses transfer codings
/// other than chunked, a response reads them until the stream closes.
fn framing(
    buf: &[u8],
    fields: &[httparse::Header<'_>],
    request: bool,
) -> Result<BodyKind, (usize, HttpErrorKind)> {
    let te: Vec<&httparse::Header<'_>> = fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("transfer-encoding"))
        .collect();
    let cl: Vec<&httparse::Header<'_>> = fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("content-length"))
        .collect();
    if let Some(first) = te.first() {
        if let Some(c) = cl.first() {
            return Err((offset_in(buf, c.value), HttpErrorKind::LengthConflict));
        }
        let last = te
            .iter()
            .flat_map(|f| f.value.split(|&b| b == b','))
            .map(<[u8]>::trim_ascii)
            .rfind(|t| !t.is_empty());
        return match last {
            Some(t) if t.eq_ignore_ascii_case(b"chunked") => Ok(BodyKind::Chunked),
            _ if request => Err((
                offset_in(buf, first.value),
                HttpErrorKind::UnsupportedTransferEncoding,
            )),
            _ => Ok(BodyKind::UntilClose),
        };
    }
    let mut length = None;
    for c in &cl {
        let v = c.value.trim_ascii();
        let bad = (offset_in(buf, c.value), HttpErrorKind::BadContentLength);
        if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
            return Err(bad);
        }
        let n = std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(bad.clone())?;
        if length.is_some_and(|l| l != n) {
            return Err(bad);
        }
        length = Some(n);
    }
    Ok(match length {
        Some(n) => BodyKind::Length(n),
        None if request => BodyKind::Empty,
        None => BodyKind::UntilClose,
    })
}

impl Sealed for RequestHead {
    const WHAT: &'static str = "request";
    fn parse(buf: &[u8], max_headers: usize) -> Result<Parsed<Self>, httparse::Error> {
        let mut fields = vec![httparse::EMPTY_HEADER; max_headers];
        let mut req = httparse::Request::new(&mut fields);
        let len = match req.parse(buf)? {
            httparse::Status::Partial => return Ok(Parsed::Partial),
            httparse::Status::Complete(n) => n,
        };
        let head = RequestHead {
            method: req.method.unwrap_or_default().to_string(),
            target: req.path.unwrap_or_default().to_string(),
            version: Version::from_minor(req.version.unwrap_or(1)),
            headers: owned_headers(req.headers),
        };
        let body = framing(buf, req.headers, true);
        Ok(Parsed::Complete { len, head, body })
    }
}

impl Sealed for ResponseHead {
    const WHAT: &'static str = "response";
    fn parse(buf: &[u8], max_headers: usize) -> Result<Parsed<Self>, httparse::Error> {
        let mut fields = vec![httparse::EMPTY_HEADER; max_headers];
        let mut res = httparse::Response::new(&mut fields);
        let len = match res.parse(buf)? {
            httparse::Status::Partial => return Ok(Parsed::Partial),
            httparse::Status::Complete(n) => n,
        };
        let head = ResponseHead {
            version: Version::from_minor(res.version.unwrap_or(1)),
            status: res.code.unwrap_or(0),
            reason: res.reason.unwrap_or_default().to_string(),
            headers: owned_headers(res.headers),
        };
        let body = if head.is_bodiless_status() {
            Ok(BodyKind::Empty)
        } else {
            framing(buf, res.headers, false)
        };
        Ok(Parsed::Complete { len, head, body })
    }
}

/// Where the decoder is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for (or in) a head.
    Head,
    /// In a body of known length: this many bytes to go.
    Body(u64),
    /// At a chunk-size line.
    ChunkSize,
    /// In a chunk: this many bytes to go.
    ChunkData(u64),
    /// After a chunk's data: expecting CRLF.
    ChunkEnd,
    /// After the last chunk: in the trailer section.
    Trailers,
    /// In a body that runs until the stream ends.
    UntilClose,
    /// The stream ended after a body that ran until then.
    Closed,
}

/// The length of the shortest prefix of `window` for which `fails` holds (given that it holds
/// for the whole window): the failing byte is the last one of that prefix.
fn shortest_failing(window: &[u8], fails: impl Fn(&[u8]) -> bool) -> usize {
    let (mut ok, mut bad) = (0, window.len());
    while bad - ok > 1 {
        let mid = ok + (bad - ok) / 2;
        if fails(&window[..mid]) {
            bad = mid;
        } else {
            ok = mid;
        }
    }
    bad
}

/// The incremental decoder. See the [module docs](self).
pub struct HttpDecoder<H> {
    buf: Vec<u8>,
    /// Bytes of `buf` already decoded.
    pos: usize,
    /// The stream offset of `buf[0]`.
    base: u64,
    state: State,
    /// In `Head`, `ChunkSize` and `Trailers`: how many bytes the last incomplete parse saw
    /// (0: not tried yet). A parse is retried only when a line has ended since, so a head
    /// trickling in a byte at a time costs one parse per line, not per byte.
    tried: usize,
    eof: bool,
    failed: Option<HttpError>,
    limits: Limits,
    _head: PhantomData<fn() -> H>,
}

/// A decoder of requests (a server's side).
pub type RequestDecoder = HttpDecoder<RequestHead>;

/// A decoder of responses (a client's side).
pub type ResponseDecoder = HttpDecoder<ResponseHead>;

impl<H> fmt::Debug for HttpDecoder<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpDecoder")
            .field("offset", &(self.base + self.pos as u64))
            .field("buffered", &(self.buf.len() - self.pos))
            .field("state", &self.state)
            .field("eof", &self.eof)
            .field("failed", &self.failed)
            .field("limits", &self.limits)
            .finish()
    }
}

impl<H: Sealed> Default for HttpDecoder<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: Sealed> HttpDecoder<H> {
    /// A decoder with the default [`Limits`].
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// A decoder with `limits` (each at least 1).
    pub fn with_limits(limits: Limits) -> Self {
        HttpDecoder {
            buf: Vec::new(),
            pos: 0,
            base: 0,
            state: State::Head,
            tried: 0,
            eof: false,
            failed: None,
            limits: Limits {
                max_head_bytes: limits.max_head_bytes.max(1),
                max_headers: limits.max_headers.max(1),
                max_body_chunk: limits.max_body_chunk.max(1),
            },
            _head: PhantomData,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Adds bytes at the end of the stream. Ignored after [`finish`](Self::finish) or an
    /// error.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.eof || self.failed.is_some() {
            return;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Says the stream has ended: a body running until then ends, and a message cut short
    /// becomes an error, both reported by the next calls of [`next`](Self::next).
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// How many bytes have been decoded (the stream offset of the next byte to decode).
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// How many bytes are held, pushed but not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next message, `Ok(None)` if more bytes are needed (or the stream has ended
    /// cleanly), or the error that ended decoding.
    ///
    /// # Errors
    /// An [`HttpError`] naming the byte offset and what was wrong; it is returned again by
    /// every later call.
    #[allow(clippy::should_implement_trait)] // fallible, and not an iterator: None means "push more"
    pub fn next(&mut self) -> Result<Option<HttpMessage<H>>, HttpError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = self.step();
        if let Err(e) = &r {
            self.failed = Some(e.clone());
        }
        r
    }

    fn error(&self, at: usize, kind: HttpErrorKind) -> HttpError {
        HttpError {
            offset: self.base + at as u64,
            kind,
            what: H::WHAT,
        }
    }

    /// The end of what has been pushed, as an error position.
    fn truncated(&self, part: &'static str) -> HttpError {
        self.error(self.buf.len(), HttpErrorKind::Truncated(part))
    }

    fn set_state(&mut self, state: State) {
        self.state = state;
        self.tried = 0;
    }

    /// Whether an incomplete line-based parse of a window of `len` bytes is worth retrying.
    fn worth_parsing(&self, len: usize, limit: usize) -> bool {
        let avail = &self.buf[self.pos..];
        self.tried == 0
            || self.eof
            || len >= limit
            || avail[self.tried.min(len)..len].contains(&b'\n')
    }

    /// Sends up to `max` body bytes (at least one must be waiting).
    fn take_body(&mut self, max: u64) -> Vec<u8> {
        let avail = self.buf.len() - self.pos;
        let n = (avail as u64)
            .min(max)
            .min(self.limits.max_body_chunk as u64) as usize;
        let body = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        body
    }

    fn step(&mut self) -> Result<Option<HttpMessage<H>>, HttpError> {
        loop {
            let avail_len = self.buf.len() - self.pos;
            match self.state {
                State::Head => return self.head(),
                State::Body(0) => {
                    self.set_state(State::Head);
                    return Ok(Some(HttpMessage::End));
                }
                State::Body(remaining) => {
                    if avail_len == 0 {
                        return self.wait("body");
                    }
                    let body = self.take_body(remaining);
                    self.state = State::Body(remaining - body.len() as u64);
                    return Ok(Some(HttpMessage::Body(body)));
                }
                State::ChunkSize => {
                    if !self.chunk_size()? {
                        return Ok(None);
                    }
                }
                State::ChunkData(remaining) => {
                    if avail_len == 0 {
                        return self.wait("chunked body");
                    }
                    let body = self.take_body(remaining);
                    let left = remaining - body.len() as u64;
                    self.state = if left == 0 {
                        State::ChunkEnd
                    } else {
                        State::ChunkData(left)
                    };
                    return Ok(Some(HttpMessage::Body(body)));
                }
                State::ChunkEnd => {
                    let avail = &self.buf[self.pos..];
                    if let Some(&b) = avail.first() {
                        if b != b'\r' {
                            return Err(self.error(self.pos, HttpErrorKind::BadChunkEnd));
                        }
                    }
                    if let Some(&b) = avail.get(1) {
                        if b != b'\n' {
                            return Err(self.error(self.pos + 1, HttpErrorKind::BadChunkEnd));
                        }
                        self.pos += 2;
                        self.set_state(State::ChunkSize);
                        continue;
                    }
                    return self.wait("chunked body");
                }
                State::Trailers => return self.trailers(),
                State::UntilClose => {
                    if avail_len > 0 {
                        let body = self.take_body(u64::MAX);
                        return Ok(Some(HttpMessage::Body(body)));
                    }
                    if self.eof {
                        self.set_state(State::Closed);
                        return Ok(Some(HttpMessage::End));
                    }
                    return Ok(None);
                }
                State::Closed => return Ok(None),
            }
        }
    }

    /// Nothing to decode now: wait for more, or fail if the stream has ended inside `part`.
    fn wait(&self, part: &'static str) -> Result<Option<HttpMessage<H>>, HttpError> {
        if self.eof {
            Err(self.truncated(part))
        } else {
            Ok(None)
        }
    }

    fn head(&mut self) -> Result<Option<HttpMessage<H>>, HttpError> {
        let avail = &self.buf[self.pos..];
        if avail.is_empty() {
            return Ok(None);
        }
        let limit = self.limits.max_head_bytes;
        let len = avail.len().min(limit);
        if !self.worth_parsing(len, limit) {
            return Ok(None);
        }
        let window = &avail[..len];
        let max_headers = self.limits.max_headers;
        match H::parse(window, max_headers) {
            Ok(Parsed::Complete { len, head, body }) => {
                let body = body.map_err(|(at, kind)| self.error(self.pos + at, kind))?;
                self.pos += len;
                self.set_state(match body {
                    BodyKind::Empty => State::Body(0),
                    BodyKind::Length(n) => State::Body(n),
                    BodyKind::Chunked => State::ChunkSize,
                    BodyKind::UntilClose => State::UntilClose,
                });
                Ok(Some(HttpMessage::Head(head)))
            }
            Ok(Parsed::Partial) if len >= limit => {
                Err(self.error(self.pos + limit, HttpErrorKind::HeadTooLarge { limit }))
            }
            Ok(Parsed::Partial) => {
                if self.eof && window.iter().all(|&b| b == b'\r' || b == b'\n') {
                    // Only blank lines between messages: a clean place to end.
                    return Ok(None);
                }
                self.tried = len;
                self.wait("head")
            }
            Err(e) => {
                let at = shortest_failing(window, |w| H::parse(w, max_headers).is_err()) - 1;
                let kind = match e {
                    httparse::Error::TooManyHeaders => {
                        HttpErrorKind::TooManyHeaders { limit: max_headers }
                    }
                    e => HttpErrorKind::BadHead(description(e)),
                };
                Err(self.error(self.pos + at, kind))
            }
        }
    }

    /// Decodes a chunk-size line; false if more bytes are needed.
    fn chunk_size(&mut self) -> Result<bool, HttpError> {
        let avail = &self.buf[self.pos..];
        let Some(&first) = avail.first() else {
            return self.wait("chunked body").map(|_| false);
        };
        if !first.is_ascii_hexdigit() {
            return Err(self.error(self.pos, HttpErrorKind::BadChunkSize));
        }
        let len = avail.len().min(MAX_CHUNK_LINE);
        if !self.worth_parsing(len, MAX_CHUNK_LINE) {
            return Ok(false);
        }
        let window = &avail[..len];
        match httparse::parse_chunk_size(window) {
            Ok(httparse::Status::Complete((n, size))) => {
                self.pos += n;
                self.set_state(if size == 0 {
                    State::Trailers
                } else {
                    State::ChunkData(size)
                });
                Ok(true)
            }
            Ok(httparse::Status::Partial) if len >= MAX_CHUNK_LINE => Err(self.error(
                self.pos + MAX_CHUNK_LINE,
                HttpErrorKind::ChunkLineTooLong {
                    limit: MAX_CHUNK_LINE,
                },
            )),
            Ok(httparse::Status::Partial) => {
                self.tried = len;
                self.wait("chunked body").map(|_| false)
            }
            Err(_) => {
                let at = shortest_failing(window, |w| httparse::parse_chunk_size(w).is_err()) - 1;
                Err(self.error(self.pos + at, HttpErrorKind::BadChunkSize))
            }
        }
    }

    fn trailers(&mut self) -> Result<Option<HttpMessage<H>>, HttpError> {
        let avail = &self.buf[self.pos..];
        if avail.is_empty() {
            return self.wait("trailer section");
        }
        let limit = self.limits.max_head_bytes;
        let len = avail.len().min(limit);
        if !self.worth_parsing(len, limit) {
            return Ok(None);
        }
        let window = &avail[..len];
        let max_headers = self.limits.max_headers;
        let parse = |w: &[u8]| {
            let mut fields = vec![httparse::EMPTY_HEADER; max_headers];
            httparse::parse_headers(w, &mut fields).map(|s| match s {
                httparse::Status::Complete((n, _)) => Some(n),
                httparse::Status::Partial => None,
            })
        };
        match parse(window) {
            Ok(Some(n)) => {
                self.pos += n;
                self.set_state(State::Head);
                Ok(Some(HttpMessage::End))
            }
            Ok(None) if len >= limit => {
                Err(self.error(self.pos + limit, HttpErrorKind::HeadTooLarge { limit }))
            }
            Ok(None) => {
                self.tried = len;
                self.wait("trailer section")
            }
            Err(e) => {
                let at = shortest_failing(window, |w| parse(w).is_err()) - 1;
                let kind = match e {
                    httparse::Error::TooManyHeaders => {
                        HttpErrorKind::TooManyHeaders { limit: max_headers }
                    }
                    e => HttpErrorKind::BadTrailers(description(e)),
                };
                Err(self.error(self.pos + at, kind))
            }
        }
    }
}

/// httparse's words for its errors, as a `'static` string.
fn description(e: httparse::Error) -> &'static str {
    match e {
        httparse::Error::HeaderName => "invalid header name",
        httparse::Error::HeaderValue => "invalid header value",
        httparse::Error::NewLine => "invalid line ending",
        httparse::Error::Status => "invalid response status",
        httparse::Error::Token => "invalid token in the start line",
        httparse::Error::TooManyHeaders => "too many headers",
        httparse::Error::Version => "invalid HTTP version",
    }
}
