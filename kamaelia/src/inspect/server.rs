//! The inspector's HTTP/1.1 server: a tokio current-thread runtime on a thread of its own (never
//! the system's schedulers), GET only, one request per connection, everything bounded.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axon::model::EventKind;
use axon::SystemHandle;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::json::{Topology, Views};
use super::tap::Taps;

/// The page, embedded.
const PAGE: &str = include_str!("page.html");
/// Longest request head (request line and headers) accepted.
pub(crate) const MAX_REQUEST: usize = 8 * 1024;
/// Most headers accepted in a request.
const MAX_HEADERS: usize = 32;
/// Most connections open at once (event streams included); more are refused.
pub(crate) const MAX_CONNECTIONS: usize = 32;
/// How long a client may take to send its request head.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a response may take to be written.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// After a response, at most this much of what the client still sends is read and dropped…
const LINGER_BYTES: usize = 64 * 1024;
/// …for at most this long.
const LINGER_TIME: Duration = Duration::from_secs(2);
/// A snapshot younger than this is reused rather than taken again.
const FRESH: Duration = Duration::from_millis(200);
/// How often an event stream looks for changes.
pub(crate) const UPDATE_INTERVAL: Duration = Duration::from_millis(400);
/// Two updates on an event stream are at least this far apart.
const MIN_UPDATE_GAP: Duration = Duration::from_millis(250);
/// Change events held for the watcher (it only counts them; a full queue just drops some).
const EVENT_QUEUE: usize = 1024;
/// An idle event stream sends a comment this often, so a closed client is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often the server looks whether the system has ended and removes unwatched taps.
const HOUSEKEEPING: Duration = Duration::from_millis(250);

/// What the server's tasks share.
pub(crate) struct Shared {
    pub(crate) handle: SystemHandle,
    /// `true` once the server must stop (asked to, or the system ended).
    pub(crate) stop: watch::Sender<bool>,
    views: Mutex<Cached>,
    taps: Mutex<Taps>,
    connections: AtomicUsize,
    /// How many event streams are open: the system's change events are only subscribed to
    /// while there is at least one.
    streams: watch::Sender<usize>,
    /// Counts changes to the shape of the system (components and links coming and going).
    changes: watch::Sender<u64>,
    /// `true` once the server has stopped: its runtime, listener and connections are gone.
    ended: Mutex<bool>,
    /// Notified when `ended` becomes `true`.
    ended_signal: Condvar,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("stopped", &*self.stop.borrow())
            .field("connections", &self.connections.load(Ordering::Relaxed))
            .finish()
    }
}

/// The last view: when it was taken (on the wall clock and on the system's), its version and
/// its JSON.
struct Cached {
    views: Views,
    last: Option<(Instant, Duration, u64, Arc<str>)>,
}

impl Shared {
    /// The current topology as JSON and its version, from a snapshot at most [`FRESH`] old
    /// both on the wall clock and on the system's (which a deterministic system moves by hand).
    pub(crate) fn topology(&self) -> (u64, Arc<str>) {
        let mut cached = lock(&self.views);
        let now = Instant::now();
        let system_now = self.handle.now();
        if let Some((at, system_at, version, json)) = &cached.last {
            if now.saturating_duration_since(*at) < FRESH
                && system_now.saturating_sub(*system_at) < FRESH
            {
                return (*version, Arc::clone(json));
            }
        }
        let snap = self.handle.snapshot();
        let view: Topology = cached.views.view(&snap);
        let json: Arc<str> = serde_json::to_string(&view)
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
            .into();
        cached.last = Some((now, snap.taken_at, view.version, Arc::clone(&json)));
        (view.version, json)
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Whether the server has stopped (its listener is closed, its connections cancelled).
    pub(crate) fn has_ended(&self) -> bool {
        *lock(&self.ended)
    }

    /// Blocks until the server has stopped, for at most `timeout`; returns whether it has.
    pub(crate) fn wait_ended(&self, timeout: Duration) -> bool {
        let ended = lock(&self.ended);
        let (ended, _) = self
            .ended_signal
            .wait_timeout_while(ended, timeout, |ended| !*ended)
            .unwrap_or_else(|p| p.into_inner());
        *ended
    }
}

/// Held by the server's thread: dropped when the server has stopped (or panicked), it says so
/// to [`Shared::wait_ended`].
struct Ended(Arc<Shared>);

impl Drop for Ended {
    fn drop(&mut self) {
        *lock(&self.0.ended) = true;
        self.0.ended_signal.notify_all();
    }
}

fn lock<X>(m: &Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts serving `listener` (already bound) on a new thread.
pub(crate) fn start(
    handle: SystemHandle,
    listener: std::net::TcpListener,
) -> io::Result<(Arc<Shared>, std::thread::JoinHandle<()>)> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let shared = Arc::new(Shared {
        taps: Mutex::new(Taps::new(handle.clone())),
        handle,
        stop: watch::Sender::new(false),
        views: Mutex::new(Cached {
            views: Views::new(),
            last: None,
        }),
        connections: AtomicUsize::new(0),
        streams: watch::Sender::new(0),
        changes: watch::Sender::new(0),
        ended: Mutex::new(false),
        ended_signal: Condvar::new(),
    });
    let listener = {
        let _enter = runtime.enter();
        TcpListener::from_std(listener)?
    };
    let s = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name("kamaelia-inspect".into())
        .spawn(move || {
            // Declared before the runtime, so dropped after it: once this says the server has
            // ended, its listener and connections are gone, even if the server panicked.
            let _ended = Ended(Arc::clone(&s));
            let runtime = runtime;
            runtime.spawn(watch_changes(Arc::clone(&s)));
            runtime.block_on(accept_loop(s, listener));
            // Dropping the runtime cancels every connection still open.
        })?;
    Ok((shared, thread))
}

/// While an event stream is open, follows the system's change events and counts those that
/// change its shape, so the streams send an update at once rather than at their next look.
async fn watch_changes(shared: Arc<Shared>) {
    let mut streams = shared.streams.subscribe();
    loop {
        if streams.wait_for(|n| *n > 0).await.is_err() {
            return;
        }
        let mut events = shared.handle.events(EVENT_QUEUE);
        loop {
            tokio::select! {
                _ = streams.wait_for(|n| *n == 0) => break,
                event = events.next() => match event {
                    None => return, // the system is gone
                    Some(e) if !matches!(e.kind, EventKind::StateChanged { .. }) => {
                        shared.changes.send_modify(|n| *n += 1);
                    }
                    Some(_) => {}
                },
            }
        }
    }
}

async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    let mut stop = shared.stop.subscribe();
    let mut housekeeping = tokio::time::interval(HOUSEKEEPING);
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            _ = housekeeping.tick() => {
                if !shared.handle.is_alive() {
                    shared.stop.send_replace(true);
                    break;
                }
                lock(&shared.taps).remove_unwatched(Instant::now());
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                        shared.connections.fetch_sub(1, Ordering::SeqCst);
                        refuse(stream);
                    } else {
                        let guard = Connection(Arc::clone(&shared));
                        tokio::spawn(serve_connection(guard, stream));
                    }
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

/// Counts an open connection for as long as it lives.
struct Connection(Arc<Shared>);

impl Drop for Connection {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers `503` if the socket takes it at once, and closes: refusing costs no task, so a
/// flood of connections cannot make the server hold more than its limit.
fn refuse(stream: TcpStream) {
    let response = respond(503, "text/plain", &[], b"too many connections\n");
    stream.try_write(&response).ok();
}

/// A parsed request: just what the routes need.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) host: Option<String>,
}

/// Why a request head was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BadRequest {
    /// Not yet complete: read more.
    Partial,
    /// Over [`MAX_REQUEST`] bytes or [`MAX_HEADERS`] headers.
    TooLarge,
    /// Not HTTP/1.x.
    Malformed(String),
}

/// Parses a request head with `httparse`.
pub(crate) fn parse_request(buf: &[u8]) -> Result<Request, BadRequest> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) if buf.len() >= MAX_REQUEST => {
            return Err(BadRequest::TooLarge)
        }
        Ok(httparse::Status::Partial) => return Err(BadRequest::Partial),
        Err(httparse::Error::TooManyHeaders) => return Err(BadRequest::TooLarge),
        Err(e) => return Err(BadRequest::Malformed(e.to_string())),
    }
    let target = req.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let host = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("host"))
        .map(|h| String::from_utf8_lossy(h.value).trim().to_string());
    Ok(Request {
        method: req.method.unwrap_or("").to_string(),
        path: path.to_string(),
        query: query.to_string(),
        host,
    })
}

/// Whether `host` (a `Host` header) names the server by IP address or as `localhost`: any
/// other name could be a DNS-rebinding attack from a web page, so it is refused.
pub(crate) fn host_allowed(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        return rest
            .split_once(']')
            .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok());
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

async fn read_request(stream: &mut TcpStream) -> Result<Request, u16> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|_| 400u16)?;
        if n == 0 {
            return Err(400);
        }
        buf.extend_from_slice(&chunk[..n]);
        match parse_request(&buf) {
            Ok(r) => return Ok(r),
            Err(BadRequest::Partial) => continue,
            Err(BadRequest::TooLarge) => return Err(431),
            Err(BadRequest::Malformed(_)) => return Err(400),
        }
    }
}

async fn serve_connection(conn: Connection, mut stream: TcpStream) {
    let shared = &conn.0;
    let request = match tokio::time::timeout(REQUEST_TIMEOUT, read_request(&mut stream)).await {
        Ok(Ok(r)) => r,
        Ok(Err(status)) => return send(&mut stream, status, "text/plain", &[], b"").await,
        Err(_) => return send(&mut stream, 408, "text/plain", &[], b"").await,
    };
    if request.method != "GET" {
        let allow = [("Allow", "GET")];
        return send(&mut stream, 405, "text/plain", &allow, b"only GET\n").await;
    }
    if request.host.as_deref().is_some_and(|h| !host_allowed(h)) {
        let body = b"the Host header must be an IP address or localhost\n";
        return send(&mut stream, 403, "text/plain", &[], body).await;
    }
    match request.path.as_str() {
        "/" | "/index.html" => {
            let csp = "default-src 'none'; script-src 'unsafe-inline'; \
                       style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
            let headers = [
                ("Content-Security-Policy", csp),
                ("Referrer-Policy", "no-referrer"),
            ];
            let (_, json) = shared.topology();
            let page = page(&json);
            send(
                &mut stream,
                200,
                "text/html; charset=utf-8",
                &headers,
                page.as_bytes(),
            )
            .await
        }
        "/api/topology" => {
            let (_, json) = shared.topology();
            send(&mut stream, 200, JSON, &[], json.as_bytes()).await
        }
        "/api/tap" => {
            let (status, body) = lock(&shared.taps).request(&request.query, Instant::now());
            send(&mut stream, status, JSON, &[], body.as_bytes()).await
        }
        "/api/events" => events(shared, stream).await,
        _ => send(&mut stream, 404, "text/plain", &[], b"not found\n").await,
    }
}

const JSON: &str = "application/json";

/// The page with the topology of the moment inside it, so the first drawing needs no request.
/// `<`, `>` and `&` only occur inside JSON strings, where their `\u` escapes mean the same, and
/// escaping them keeps the JSON from ending the `<script>` element it sits in.
fn page(json: &str) -> String {
    let safe = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    PAGE.replacen("/*TOPOLOGY*/", &safe, 1)
}

/// `GET /api/events`: a server-sent event stream with an `event: topology` whenever the
/// topology or its figures changed: looked at every [`UPDATE_INTERVAL`], and at once (but no
/// sooner than [`MIN_UPDATE_GAP`] after the last update) when a component or link comes or goes.
async fn events(shared: &Shared, mut stream: TcpStream) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
                Connection: close\r\n\r\nretry: 2000\n\n";
    if write(&mut stream, head.as_bytes()).await.is_err() {
        return;
    }
    let _open = Stream::open(shared);
    let mut stop = shared.stop.subscribe();
    let mut changes = shared.changes.subscribe();
    let mut sent = None;
    let mut last_write = Instant::now();
    loop {
        let (version, json) = shared.topology();
        let message = if sent != Some(version) {
            sent = Some(version);
            format!("event: topology\ndata: {json}\n\n")
        } else if last_write.elapsed() >= KEEP_ALIVE {
            ": keep-alive\n\n".to_string()
        } else {
            String::new()
        };
        if !message.is_empty() {
            if write(&mut stream, message.as_bytes()).await.is_err() {
                return;
            }
            last_write = Instant::now();
        }
        if shared.stopped() {
            return;
        }
        let changed = tokio::select! {
            _ = stop.wait_for(|s| *s) => false,
            _ = tokio::time::sleep(UPDATE_INTERVAL) => false,
            _ = changes.changed() => true,
        };
        if changed {
            tokio::time::sleep(MIN_UPDATE_GAP).await;
        }
    }
}

/// Counts an open event stream for as long as it lives.
struct Stream<'a>(&'a Shared);

impl<'a> Stream<'a> {
    fn open(shared: &'a Shared) -> Self {
        shared.streams.send_modify(|n| *n += 1);
        Stream(shared)
    }
}

impl Drop for Stream<'_> {
    fn drop(&mut self) {
        self.0.streams.send_modify(|n| *n -= 1);
    }
}

async fn write(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    match tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(bytes)).await {
        Ok(r) => r,
        Err(_) => Err(io::ErrorKind::TimedOut.into()),
    }
}

async fn send(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    let response = respond(status, content_type, headers, body);
    if write(stream, &response).await.is_ok() && stream.shutdown().await.is_ok() {
        linger(stream).await;
    }
}

/// Reads and drops what the client still sends (a request body, the rest of an oversized
/// head) for a moment after the response, so that closing does not reset the connection
/// before the client has read the response. Bounded in bytes and time.
async fn linger(stream: &mut TcpStream) {
    let drain = async {
        let mut chunk = [0u8; 1024];
        let mut left = LINGER_BYTES;
        while left > 0 {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    tokio::time::timeout(LINGER_TIME, drain).await.ok();
}

/// A complete response with `Connection: close`.
fn respond(status: u16, content_type: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_parsed_and_bounded() {
        let r =
            parse_request(b"GET /api/tap?from=3&box=outbox HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n")
                .unwrap();
        assert_eq!(r.path, "/api/tap");
        assert_eq!(r.query, "from=3&box=outbox");
        assert_eq!(r.host.as_deref(), Some("127.0.0.1:9"));
        assert_eq!(
            parse_request(b"GET / HTTP/1.1\r\n"),
            Err(BadRequest::Partial)
        );
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_REQUEST));
        assert_eq!(parse_request(long.as_bytes()), Err(BadRequest::TooLarge));
    }

    #[test]
    fn the_page_carries_the_topology_safely() {
        let p = page(r#"{"name":"</script><b>&"}"#);
        assert!(p.contains(r#"{"name":"\u003c/script\u003e\u003cb\u003e\u0026"}"#));
        assert!(!p.contains("/*TOPOLOGY*/"));
    }

    #[test]
    fn only_ip_literal_or_localhost_hosts_are_allowed() {
        assert!(host_allowed("127.0.0.1:8470"));
        assert!(host_allowed("localhost:8470"));
        assert!(host_allowed("[::1]:8470"));
        assert!(host_allowed("10.0.0.2"));
        assert!(!host_allowed("evil.example:8470"));
        assert!(!host_allowed("[evil]:1"));
    }
}
