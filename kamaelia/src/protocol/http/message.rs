//! The messages of the HTTP family: request and response heads, header fields, and the
//! [`HttpMessage`] stream that parsers send and writers take.
//!
//! One HTTP message travels between components as a `Head`, any number of `Body` chunks, and an
//! `End` — the same shape for requests ([`RequestMessage`]) and responses
//! ([`ResponseMessage`]), so a body is never held whole.
//!
//! ```
//! use kamaelia::protocol::http::{HttpMessage, RequestHead, ResponseHead, Version};
//!
//! let request = RequestHead::new("GET", "/index.html?lang=en").header("Host", "example");
//! assert_eq!(request.path(), "/index.html");
//! assert_eq!(request.query(), Some("lang=en"));
//! assert!(request.keep_alive()); // HTTP/1.1 keeps the connection by default
//!
//! let response = ResponseHead::new(404).header("Content-Length", "0");
//! let mut bytes = Vec::new();
//! response.encode(&mut bytes);
//! assert_eq!(bytes, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
//!
//! let stream: Vec<HttpMessage<ResponseHead>> =
//!     vec![HttpMessage::Head(response), HttpMessage::End];
//! assert_eq!(stream.len(), 2);
//! # let _ = Version::Http10;
//! ```

use std::fmt;

/// An HTTP version (only HTTP/1.x is spoken here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// HTTP/1.0: one request per connection unless `Connection: keep-alive`.
    Http10,
    /// HTTP/1.1: persistent connections and chunked bodies.
    Http11,
}

impl Version {
    /// `"HTTP/1.0"` or `"HTTP/1.1"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }

    pub(crate) fn from_minor(minor: u8) -> Self {
        if minor == 0 {
            Version::Http10
        } else {
            Version::Http11
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One header field: its name as sent, and its value as bytes (HTTP allows values that are not
/// UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// The field name, as sent (compare it case-insensitively).
    pub name: String,
    /// The field value, without surrounding whitespace.
    pub value: Vec<u8>,
}

/// Header fields in the order they were sent; names compare case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Headers(Vec<Header>);

impl Headers {
    /// No fields.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// The value of the first field called `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// The value of the first field called `name`, if it is UTF-8.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The values of every field called `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.0
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// Whether a field called `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether any field called `name` lists `token` among its comma-separated values
    /// (case-insensitively): `has_token("Connection", "close")`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.tokens(name)
            .any(|t| t.eq_ignore_ascii_case(token.as_bytes()))
    }

    /// The comma-separated values of every field called `name`, trimmed, empty ones skipped.
    pub(crate) fn tokens<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.get_all(name)
            .flat_map(|v| v.split(|&b| b == b','))
            .map(<[u8]>::trim_ascii)
            .filter(|t| !t.is_empty())
    }

    /// Adds a field at the end (keeping any others of the same name).
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) {
        self.0.push(Header {
            name: name.into(),
            value: value.into(),
        });
    }

    /// Replaces every field called `name` with one field.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) {
        let name = name.into();
        self.remove(&name);
        self.append(name, value);
    }

    /// Removes every field called `name`; returns how many there were.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.0.len();
        self.0.retain(|h| !h.name.eq_ignore_ascii_case(name));
        before - self.0.len()
    }

    /// The fields, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes `Name: value\r\n` for each field. CR and LF inside a name or value (which would
    /// let one field forge others) are written as spaces.
    fn encode(&self, out: &mut Vec<u8>) {
        for h in &self.0 {
            push_clean(out, h.name.as_bytes());
            out.extend_from_slice(b": ");
            push_clean(out, &h.value);
            out.extend_from_slice(b"\r\n");
        }
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Appends `bytes` with CR and LF replaced by spaces.
fn push_clean(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend(bytes.iter().map(|&b| match b {
        b'\r' | b'\n' => b' ',
        b => b,
    }));
}

/// The first part of a request: request line and header fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestHead {
    /// The method (`GET`, `POST`, ...), as sent.
    pub method: String,
    /// The request target as sent: usually a path with an optional `?query`.
    pub target: String,
    /// The protocol version.
    pub version: Version,
    /// The header fields.
    pub headers: Headers,
}

impl RequestHead {
    /// An HTTP/1.1 request for `target` with no header fields.
    pub fn new(method: impl Into<String>, target: impl Into<String>) -> Self {
        RequestHead {
            method: method.into(),
            target: target.into(),
            version: Version::Http11,
            headers: Headers::new(),
        }
    }

    /// The same request with one more header field.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// The target without its query (still percent-encoded).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query: what follows the first `?` of the target.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// Whether the client asks to keep the connection open after the response: HTTP/1.1
    /// unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        match self.version {
            Version::Http11 => !self.headers.has_token("connection", "close"),
            Version::Http10 => self.headers.has_token("connection", "keep-alive"),
        }
    }

    /// Writes the request line and header fields, and the empty line that ends them.
    pub fn encode(&self, out: &mut Vec<u8>) {
        push_clean(out, self.method.as_bytes());
        out.push(b' ');
        push_clean(out, self.target.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.version.as_str().as_bytes());
        out.extend_from_slice(b"\r\n");
        self.headers.encode(out);
        out.extend_from_slice(b"\r\n");
    }
}

/// The first part of a response: status line and header fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponseHead {
    /// The protocol version.
    pub version: Version,
    /// The status code (`200`, `404`, ...).
    pub status: u16,
    /// The reason phrase (`OK`, `Not Found`, ...); may be empty.
    pub reason: String,
    /// The header fields.
    pub headers: Headers,
}

impl ResponseHead {
    /// An HTTP/1.1 response with `status`, its usual reason phrase, and no header fields.
    pub fn new(status: u16) -> Self {
        ResponseHead {
            version: Version::Http11,
            status,
            reason: reason_phrase(status).to_string(),
            headers: Headers::new(),
        }
    }

    /// The same response with one more header field.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Whether a response with this status never has a body (1xx, 204, 304).
    pub fn is_bodiless_status(&self) -> bool {
        (100..200).contains(&self.status) || self.status == 204 || self.status == 304
    }

    /// Writes the status line and header fields, and the empty line that ends them.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.version.as_str().as_bytes());
        out.extend_from_slice(format!(" {:03} ", self.status).as_bytes());
        push_clean(out, self.reason.as_bytes());
        out.extend_from_slice(b"\r\n");
        self.headers.encode(out);
        out.extend_from_slice(b"\r\n");
    }
}

/// One part of an HTTP message as it travels between components: the head, then body bytes in
/// bounded chunks, then the end.
///
/// A message with no body is `Head`, `End`. Chunk boundaries carry no meaning: they depend on
/// how the bytes arrived.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HttpMessage<H> {
    /// The head: request line or status line, and header fields.
    Head(H),
    /// Some of the body (never empty when a parser sends it).
    Body(Vec<u8>),
    /// The end of this message; the next `Head` starts another.
    End,
}

/// The messages of a request stream.
pub type RequestMessage = HttpMessage<RequestHead>;

/// The messages of a response stream.
pub type ResponseMessage = HttpMessage<ResponseHead>;

/// A message head: [`RequestHead`] or [`ResponseHead`]. Sealed: the parser and writer
/// components are generic over these two.
pub trait MessageHead:
    super::decoder::sealed::Sealed + Clone + PartialEq + Eq + fmt::Debug + Send + 'static
{
    /// The header fields.
    fn headers(&self) -> &Headers;
    /// Writes the head as bytes, ending with the empty line.
    fn encode(&self, out: &mut Vec<u8>);
    /// Whether a body following this head must be sent with chunked transfer coding.
    fn is_chunked(&self) -> bool {
        self.headers()
            .tokens("transfer-encoding")
            .last()
            .is_some_and(|t| t.eq_ignore_ascii_case(b"chunked"))
    }
}

impl MessageHead for RequestHead {
    fn headers(&self) -> &Headers {
        &self.headers
    }
    fn encode(&self, out: &mut Vec<u8>) {
        RequestHead::encode(self, out);
    }
}

impl MessageHead for ResponseHead {
    fn headers(&self) -> &Headers {
        &self.headers
    }
    fn encode(&self, out: &mut Vec<u8>) {
        ResponseHead::encode(self, out);
    }
    fn is_chunked(&self) -> bool {
        !self.is_bodiless_status()
            && self
                .headers
                .tokens("transfer-encoding")
                .last()
                .is_some_and(|t| t.eq_ignore_ascii_case(b"chunked"))
    }
}

/// The usual reason phrase of a status code (RFC 9110), or `""` for codes it does not define.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The seconds from the Unix epoch to 10000-01-01T00:00:00Z: the first time IMF-fixdate (a
/// four-digit year) cannot write.
const YEAR_10000: u64 = 253_402_300_800;

/// `time` as an HTTP date in IMF-fixdate form (RFC 9110 §5.6.7), as the `Date` field and other
/// date fields carry it: `Sun, 06 Nov 1994 08:49:37 GMT`. Fractions of a second are dropped.
/// `None` for a time it cannot write — before 1970 or from the year 10000 on — which for a
/// server means its clock is not to be trusted (RFC 9110 §6.6.1: then it sends no `Date`).
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use kamaelia::protocol::http::http_date;
///
/// let time = UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(http_date(time).as_deref(), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
/// assert_eq!(http_date(UNIX_EPOCH - Duration::from_secs(1)), None);
/// ```
pub fn http_date(time: std::time::SystemTime) -> Option<String> {
    let since_epoch = time.duration_since(std::time::UNIX_EPOCH).ok()?;
    if since_epoch.as_secs() >= YEAR_10000 {
        return None;
    }
    Some(httpdate::fmt_http_date(time))
}
