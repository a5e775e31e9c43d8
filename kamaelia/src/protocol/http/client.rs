//! SingleShotHttpClient: fetches one `http://` URL and sends its response as messages — head,
//! body chunks, end — following redirects (Kamaelia:
//! `Kamaelia.Protocol.HTTP.HTTPClient.SingleShotHTTPClient`).
//!
//! Built as Kamaelia's was: a [`TcpClient`] child for the connection, an
//! [`HttpParser::responses`] child reading what the server sends. It sends
//! `GET <path> HTTP/1.1` with `Host`, `Connection: close` and a `User-Agent`, passes the
//! response on as a [`ResponseMessage`] stream (the body in bounded chunks), and ends after
//! its `End`. A redirect (301, 302, 303, 307, 308 with a `Location`) is followed, up to
//! [`max_redirects`](SingleShotHttpClient::max_redirects) times, with a new connection; only
//! the final response is sent on.
//!
//! Only `http://` URLs (`http://host[:port][/path][?query]`, default port 80) are supported.
//! Failures — a URL it cannot use, a connection refused or broken, a malformed response, too
//! many redirects — go on `errors` as a [`ClientError`] naming the URL, and end it with
//! `Failed` on `signal`.
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::protocol::http::{HttpMessage, SingleShotHttpClient};
//! use std::io::{Read, Write};
//!
//! let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let url = format!("http://{}/hello", listener.local_addr().unwrap());
//! let server = std::thread::spawn(move || {
//!     let (mut socket, _) = listener.accept().unwrap();
//!     let mut request = [0u8; 1024];
//!     let n = socket.read(&mut request).unwrap();
//!     assert!(request[..n].starts_with(b"GET /hello HTTP/1.1\r\n"));
//!     socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").unwrap();
//! });
//!
//! let mut system = System::new();
//! let client = SingleShotHttpClient::new(url);
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&client.outbox, &output).unwrap();
//! axon::link(&client.signal, &signal).unwrap();
//! system.spawn(client);
//! system.run().unwrap();
//! server.join().unwrap();
//!
//! let HttpMessage::Head(head) = output.try_recv().unwrap() else { panic!("head first") };
//! assert_eq!(head.status, 200);
//! assert_eq!(output.try_recv(), Ok(HttpMessage::Body(b"hello".to_vec())));
//! assert_eq!(output.try_recv(), Ok(HttpMessage::End));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | not read |
//! | `control` | [`Control`] | `Shutdown`/`Failed`: stop now; `ProducerFinished` changes nothing (there is no input) |
//! | `outbox` | [`ResponseMessage`] | the final response: `Head`, `Body` chunks, `End` |
//! | `errors` | [`ClientError`] | why the URL could not be fetched (at most one) |
//! | `signal` | [`Control`] | `ProducerFinished` after `End`; `Failed` naming the failure; or the stop request |
//!
//! The boxes linked to its connection and parser are internal and not listed.
//!
//! # Parameters
//!
//! * the URL, given to [`SingleShotHttpClient::new`];
//! * [`max_redirects`](SingleShotHttpClient::max_redirects): redirects followed, default 5
//!   (0 passes a redirect response on like any other);
//! * [`limits`](SingleShotHttpClient::limits): the response parser's [`Limits`].
//!
//! # Shutdown
//!
//! After the response's `End` it closes the connection, sends `ProducerFinished` on `signal`
//! and ends. `Shutdown` or `Failed` (or a closed `control`, taken as `Shutdown`): closes the
//! connection at once (the response unfinished) and passes it on — also while the response
//! waits for room because its receiver takes nothing. On a failure it sends the
//! [`ClientError`] on `errors`, then `Failed` with its text on `signal`; a stop request that
//! comes while the error waits for room drops the error, and `Failed` still follows. If the
//! receiver of `outbox` has ended it stops, sending `Shutdown`. If it cannot wire up its
//! connection's children, it sends `Failed` naming itself on `signal`, then fails with the
//! same text.

use std::fmt;

use axon::{
    Boxes, ChildExit, Component, ComponentId, Context, Control, Error, Exit, Inbox, Outbox,
};

use super::decoder::{HttpError, Limits};
use super::message::{HttpMessage, RequestHead, ResponseMessage};
use super::parser::HttpParser;
use crate::net::TcpClient;
use crate::support::{fail, pass_on, watching_if_it_waits, Stopped};

/// Why a URL could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL cannot be used.
    BadUrl {
        /// The URL.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The connection could not be made, or broke, or closed before the response ended.
    Connection {
        /// The URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// The server's response was malformed.
    Response {
        /// The URL.
        url: String,
        /// Where and how.
        error: HttpError,
    },
    /// More redirects than allowed.
    TooManyRedirects {
        /// The URL first asked for.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The response body was longer than allowed (see
    /// [`SimpleHttpClient::max_body`](super::SimpleHttpClient::max_body)).
    TooLarge {
        /// The URL.
        url: String,
        /// The limit, in bytes.
        limit: usize,
    },
}

impl ClientError {
    /// The URL concerned.
    pub fn url(&self) -> &str {
        match self {
            ClientError::BadUrl { url, .. }
            | ClientError::Connection { url, .. }
            | ClientError::Response { url, .. }
            | ClientError::TooManyRedirects { url, .. }
            | ClientError::TooLarge { url, .. } => url,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadUrl { url, reason } => write!(f, "cannot fetch {url}: {reason}"),
            ClientError::Connection { url, reason } => write!(f, "cannot fetch {url}: {reason}"),
            ClientError::Response { url, error } => write!(f, "cannot fetch {url}: {error}"),
            ClientError::TooManyRedirects { url, limit } => {
                write!(f, "cannot fetch {url}: more than {limit} redirects")
            }
            ClientError::TooLarge { url, limit } => {
                write!(f, "cannot fetch {url}: body longer than {limit} bytes")
            }
        }
    }
}

impl std::error::Error for ClientError {}

/// An `http://` URL, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    host: String,
    port: u16,
    /// Path and query, starting with `/`.
    target: String,
}

impl Url {
    /// Splits `http://host[:port][/path][?query][#fragment]`.
    pub(crate) fn parse(url: &str) -> Result<Url, &'static str> {
        let scheme_end = url.find("://").ok_or("not an absolute URL")?;
        if !url[..scheme_end].eq_ignore_ascii_case("http") {
            return Err("only http:// URLs are supported");
        }
        let rest = &url[scheme_end + 3..];
        let rest = rest.split('#').next().unwrap_or("");
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_string()),
        };
        if authority.contains('@') {
            return Err("user names in URLs are not supported");
        }
        if target
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err("the path contains spaces or control characters");
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => {
                (h, p.parse::<u16>().map_err(|_| "the port is not a number")?)
            }
            _ => (authority, 80),
        };
        if host.is_empty()
            || host
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err("no usable host name");
        }
        Ok(Url {
            host: host.to_string(),
            port,
            target,
        })
    }

    /// The `Location` of a redirect, resolved against this URL.
    fn join(&self, location: &str) -> Result<Url, &'static str> {
        if location.contains("://") {
            return Url::parse(location);
        }
        if location.starts_with("//") {
            return Url::parse(&format!("http:{location}"));
        }
        let target = if location.starts_with('/') {
            location.to_string()
        } else {
            let path = self.target.split('?').next().unwrap_or("/");
            let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
            format!("{dir}{location}")
        };
        Url::parse(&format!("http://{}{}", self.authority(), target))
    }

    fn authority(&self) -> String {
        if self.port == 80 {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Fetches one URL. See the [module docs](self).
#[derive(Boxes)]
pub struct SingleShotHttpClient {
    /// Not read.
    pub inbox: Inbox<Vec<u8>>,
    /// `Shutdown`/`Failed`: stop now; `ProducerFinished` changes nothing.
    pub control: Inbox<Control>,
    /// The final response: `Head`, `Body` chunks, `End`.
    pub outbox: Outbox<ResponseMessage>,
    /// Why the URL could not be fetched (at most one).
    pub errors: Outbox<ClientError>,
    /// `ProducerFinished` after `End`; `Failed` naming the failure; or the stop request.
    pub signal: Outbox<Control>,
    /// The request, to the connection.
    #[boxes(skip)]
    to_server: Outbox<Vec<u8>>,
    /// The response, from the parser.
    #[boxes(skip)]
    response: Inbox<ResponseMessage>,
    /// The parser's errors.
    #[boxes(skip)]
    parse_errors: Inbox<HttpError>,
    /// The parser's signal.
    #[boxes(skip)]
    parser_signal: Inbox<Control>,
    #[boxes(skip)]
    url: String,
    #[boxes(skip)]
    max_redirects: usize,
    #[boxes(skip)]
    limits: Limits,
}

impl fmt::Debug for SingleShotHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SingleShotHttpClient")
            .field("url", &self.url)
            .field("max_redirects", &self.max_redirects)
            .finish_non_exhaustive()
    }
}

impl SingleShotHttpClient {
    /// A client fetching `url` (`http://` only).
    pub fn new(url: impl Into<String>) -> Self {
        SingleShotHttpClient {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            to_server: Outbox::new(),
            response: Inbox::new(),
            parse_errors: Inbox::new(),
            parser_signal: Inbox::new(),
            url: url.into(),
            max_redirects: 5,
            limits: Limits::default(),
        }
    }

    /// Follows at most `n` redirects (default 5; 0 passes redirects on as responses).
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = n;
        self
    }

    /// The response parser's [`Limits`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// How one request on one connection ended.
enum Hop {
    /// The response was passed on, to its end.
    Done,
    /// A redirect to this location.
    Redirect(String),
    /// It failed.
    Failed(ClientError),
    /// A stop request (or the receiver of `outbox` has gone: `Shutdown`).
    Stop(Control),
}

/// The connection's two children.
struct Conn {
    ids: [ComponentId; 2],
    controls: [axon::InboxRef<Control>; 2],
}

enum Step {
    Control(Control),
    Sent(bool),
    Response(Option<ResponseMessage>),
    ParserEnded(Control),
    Exit(Option<ChildExit>),
}

impl SingleShotHttpClient {
    /// Starts a connection to `url` with its parser, wired to the internal boxes.
    fn connect(&mut self, ctx: &mut Context, url: &Url) -> Result<Conn, Error> {
        let tcp = ctx.adopt_named(
            "connection",
            TcpClient::new(format!("{}:{}", url.host, url.port)),
        );
        let parser = ctx.adopt_named(
            "response parser",
            HttpParser::responses().limits(self.limits),
        );
        ctx.link(&self.to_server, &tcp.inbox)?;
        ctx.link(&tcp.outbox, &parser.inbox)?;
        ctx.link(&tcp.signal, &parser.control)?;
        ctx.link(&parser.outbox, &self.response)?;
        ctx.link(&parser.errors, &self.parse_errors)?;
        ctx.link(&parser.signal, &self.parser_signal)?;
        let conn = Conn {
            ids: [tcp.id(), parser.id()],
            controls: [tcp.control.handle(), parser.control.handle()],
        };
        ctx.activate(tcp);
        ctx.activate(parser);
        Ok(conn)
    }

    /// Stops the connection, waits for both children, and forgets what they left behind.
    /// Returns how the connection child failed, if it did.
    async fn close(
        &mut self,
        ctx: &mut Context,
        conn: Conn,
        mut failure: Option<String>,
    ) -> Option<String> {
        for c in &conn.controls {
            c.try_send(Control::Shutdown).ok();
        }
        while let Some(exit) = ctx.next_child_exit().await {
            if let Exit::Failed(e) = &exit.exit {
                failure.get_or_insert_with(|| e.to_string());
            }
        }
        for id in conn.ids {
            ctx.remove_child(id);
        }
        while self.response.try_recv().is_ok() {}
        while self.parse_errors.try_recv().is_ok() {}
        while self.parser_signal.try_recv().is_ok() {}
        failure
    }

    /// Requests `url` on a new connection and passes the response on.
    async fn fetch(
        &mut self,
        ctx: &mut Context,
        url: &Url,
        may_redirect: bool,
    ) -> Result<Hop, Error> {
        let conn = self.connect(ctx, url)?;
        let mut request = Vec::new();
        RequestHead::new("GET", url.target.clone())
            .header("Host", url.authority())
            .header("User-Agent", "kamaelia-rs")
            .header("Accept", "*/*")
            .header("Connection", "close")
            .encode(&mut request);
        self.to_server.send(request).await.ok();
        let mut out: Vec<ResponseMessage> = Vec::new();
        let mut redirect: Option<String> = None;
        let mut failure: Option<String> = None;
        let what = self.url.clone();
        let mut alive = conn.ids.len();
        loop {
            let step = tokio::select! {
                biased;
                c = self.control.recv() => Step::Control(c.unwrap_or(Control::Shutdown)),
                r = self.outbox.send_all(&mut out), if !out.is_empty() => Step::Sent(r.is_ok()),
                m = self.response.recv(), if out.is_empty() => Step::Response(m),
                c = self.parser_signal.recv(), if out.is_empty() => Step::ParserEnded(c.unwrap_or(Control::Shutdown)),
                e = ctx.next_child_exit(), if alive > 0 => Step::Exit(e),
            };
            match step {
                Step::Control(Control::ProducerFinished)
                | Step::Sent(true)
                | Step::Response(None) => {}
                Step::Control(c) => {
                    self.close(ctx, conn, None).await;
                    return Ok(Hop::Stop(c));
                }
                Step::Sent(false) => {
                    self.close(ctx, conn, None).await;
                    return Ok(Hop::Stop(Control::Shutdown));
                }
                Step::Response(Some(HttpMessage::Head(head))) => {
                    let location = head.headers.get_str("location").map(str::trim);
                    match location {
                        Some(l)
                            if may_redirect
                                && matches!(head.status, 301 | 302 | 303 | 307 | 308) =>
                        {
                            redirect = Some(l.to_string());
                        }
                        _ => out.push(HttpMessage::Head(head)),
                    }
                }
                Step::Response(Some(HttpMessage::Body(data))) => {
                    if redirect.is_none() {
                        out.push(HttpMessage::Body(data));
                    }
                }
                Step::Response(Some(HttpMessage::End)) => {
                    self.close(ctx, conn, None).await;
                    return Ok(match redirect {
                        Some(location) => Hop::Redirect(location),
                        None => {
                            // `control` is watched while the `End` waits for room, so a
                            // receiver that takes nothing cannot hide a stop.
                            let mut finishing = false; // ProducerFinished changes nothing
                            let send = self.outbox.send(HttpMessage::End);
                            match watching_if_it_waits(&mut self.control, &mut finishing, send)
                                .await
                            {
                                Ok(Ok(())) => Hop::Done,
                                Ok(Err(_)) => Hop::Stop(Control::Shutdown),
                                Err(Stopped(c)) => Hop::Stop(c),
                            }
                        }
                    });
                }
                Step::ParserEnded(c) => {
                    // The response did not reach its end: find out why.
                    let parse_error = self.parse_errors.try_recv().ok();
                    let failure = self.close(ctx, conn, failure).await;
                    let error = match (parse_error, c.failure(), failure) {
                        (Some(error), _, _) => ClientError::Response { url: what, error },
                        (None, _, Some(reason)) => ClientError::Connection { url: what, reason },
                        (None, Some(reason), None) => ClientError::Connection {
                            url: what,
                            reason: reason.to_string(),
                        },
                        (None, None, None) => ClientError::Connection {
                            url: what,
                            reason: "the connection closed before the response ended".to_string(),
                        },
                    };
                    return Ok(Hop::Failed(error));
                }
                Step::Exit(Some(exit)) => {
                    alive -= 1;
                    if let Exit::Failed(e) = &exit.exit {
                        failure.get_or_insert_with(|| e.to_string());
                    }
                }
                Step::Exit(None) => alive = 0,
            }
        }
    }
}

impl Component for SingleShotHttpClient {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let first = self.url.clone();
        let mut url = Url::parse(&first);
        let mut redirects = 0;
        let end = loop {
            let u = match url {
                Ok(u) => u,
                Err(reason) => break Err(ClientError::BadUrl { url: first, reason }),
            };
            let hop = match self.fetch(&mut ctx, &u, self.max_redirects > 0).await {
                Ok(hop) => hop,
                Err(e) => return fail(&mut self.signal, format!("{}: {e}", ctx.name())).await,
            };
            match hop {
                Hop::Done => break Ok(Control::ProducerFinished),
                Hop::Stop(c) => break Ok(c),
                Hop::Failed(e) => break Err(e),
                Hop::Redirect(_) if redirects >= self.max_redirects => {
                    break Err(ClientError::TooManyRedirects {
                        url: first,
                        limit: self.max_redirects,
                    })
                }
                Hop::Redirect(location) => {
                    redirects += 1;
                    url = u.join(&location);
                }
            }
        };
        match end {
            Ok(c) => pass_on(&mut self.signal, c).await,
            Err(e) => {
                let reason = format!("{}: {e}", ctx.name());
                // Nobody listening on `errors` is not a problem; a receiver that takes nothing
                // cannot hold it either: a stop request cuts the wait short (the failure is
                // still what it reports on `signal`).
                let mut finishing = false;
                let send = self.errors.send(e);
                watching_if_it_waits(&mut self.control, &mut finishing, send)
                    .await
                    .ok();
                pass_on(&mut self.signal, Control::failed(reason)).await;
            }
        }
        Ok(())
    }
}

crate::impl_stage!([] SingleShotHttpClient, Vec<u8> => ResponseMessage);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "SingleShotHttpClient",
        "Kamaelia.Protocol.HTTP.HTTPClient.SingleShotHTTPClient",
        Family::Protocol,
        "Fetches one http:// URL with a TcpClient and an HttpParser, following redirects, and sends the response as Head, Body chunks, End; failures go on errors naming the URL.",
        axon::box_infos(&SingleShotHttpClient::new("http://127.0.0.1/")),
    )
    .parameter("url", "String", "SingleShotHttpClient::new(url): http://host[:port][/path]")
    .parameter("max_redirects", "usize", "redirects followed (default 5)")
    .parameter("limits", "Limits", "the response parser's limits")
});

#[cfg(test)]
mod tests {
    use super::Url;

    #[test]
    fn urls_split_into_host_port_and_target() {
        let u = Url::parse("http://127.0.0.1:8080/a/b?x=1#frag").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("127.0.0.1", 8080, "/a/b?x=1")
        );
        let u = Url::parse("HTTP://example").unwrap();
        assert_eq!((u.port, u.target.as_str()), (80, "/"));
        let u = Url::parse("http://[::1]:81?q").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("[::1]", 81, "/?q")
        );
        assert!(Url::parse("https://x/").is_err());
        assert!(Url::parse("http://x:notaport/").is_err());
        assert!(Url::parse("http://x/a b").is_err());
        assert!(Url::parse("/relative").is_err());
    }

    #[test]
    fn redirect_locations_resolve_against_the_url() {
        let base = Url::parse("http://h:81/dir/page?q").unwrap();
        assert_eq!(base.join("/top").unwrap().target, "/top");
        assert_eq!(base.join("other").unwrap().target, "/dir/other");
        let abs = base.join("http://elsewhere/x").unwrap();
        assert_eq!((abs.host.as_str(), abs.port), ("elsewhere", 80));
        assert_eq!(base.join("//e2:9/y").unwrap().port, 9);
    }
}
