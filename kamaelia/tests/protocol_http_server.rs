//! A web server on 127.0.0.1 (ServerCore + http_server over StaticFiles) and the HTTP clients
//! (SingleShotHttpClient, SimpleHttpClient), also with a receiver that takes nothing. Every
//! wait on a socket is bounded by a read timeout or a receive timeout, and servers are stopped
//! with a bounded `System::shutdown`.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axon::{Control, Inbox, Outbox, System};
use common::http::{group, parse_imf_fixdate, rfc_example_time, router, tree, Tree};
use common::{drain, harness};
use kamaelia::net::ServerCore;
use kamaelia::protocol::http::{
    http_server, ClientError, HttpMessage, HttpServer, ResponseDecoder, ResponseHead,
    ResponseMessage, SimpleHttpClient, SingleShotHttpClient, StaticFiles,
};

const WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// A server on 127.0.0.1

/// A running web server over a [`tree`].
struct Site {
    system: System,
    address: SocketAddr,
    stop: Outbox<Control>,
    tree: Tree,
}

fn site() -> Site {
    site_with(|www| http_server(StaticFiles::router(www)))
}

/// A running web server over a [`tree`], each connection's protocol made by the factory that
/// `factory` makes for the served root.
fn site_with<F>(factory: impl FnOnce(&Path) -> F) -> Site
where
    F: FnMut(SocketAddr, SocketAddr) -> HttpServer + Send + 'static,
{
    let tree = tree();
    let mut system = System::new();
    let server = ServerCore::new("127.0.0.1:0".parse().unwrap(), factory(&tree.www));
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).unwrap();
    let stop = Outbox::new();
    axon::link(&stop, &server.control).unwrap();
    system.spawn(server);
    system.start();
    let address = addresses
        .recv_blocking_timeout(WAIT)
        .expect("the server listening");
    assert!(address.ip().is_loopback());
    Site {
        system,
        address,
        stop,
        tree,
    }
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn connect(&self) -> Connection {
        let stream = TcpStream::connect(self.address).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        Connection {
            stream,
            decoder: ResponseDecoder::new(),
        }
    }

    /// Stops the server and everything in the system, within a bounded time.
    fn stop(mut self) {
        self.stop.send_blocking(Control::Shutdown).unwrap();
        let report = self.system.shutdown(WAIT);
        assert!(
            report.cancelled.is_empty(),
            "still running: {:?}",
            report.cancelled
        );
    }
}

/// A client connection, reading responses with the decoder (so keep-alive works).
struct Connection {
    stream: TcpStream,
    decoder: ResponseDecoder,
}

impl Connection {
    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    fn get(&mut self, path: &str, extra: &str) {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n").as_bytes());
    }

    /// The next response: head and whole body.
    fn response(&mut self) -> (ResponseHead, Vec<u8>) {
        let (mut head, mut body) = (None, Vec::new());
        loop {
            while let Some(m) = self.decoder.next().expect("a well-formed response") {
                match m {
                    HttpMessage::Head(h) => head = Some(h),
                    HttpMessage::Body(b) => body.extend(b),
                    HttpMessage::End => return (head.expect("a head"), body),
                }
            }
            let mut buf = [0u8; 16 * 1024];
            match self
                .stream
                .read(&mut buf)
                .expect("a response within the timeout")
            {
                0 => {
                    self.decoder.finish();
                    if let Some(HttpMessage::End) = self.decoder.next().expect("well-formed") {
                        return (head.expect("a head"), body);
                    }
                    panic!("the connection closed before the response ended");
                }
                n => self.decoder.push(&buf[..n]),
            }
        }
    }

    /// Whether the server closes the connection (within the timeout), nothing more sent.
    fn closes(&mut self) -> bool {
        let mut buf = [0u8; 64];
        match self.stream.read(&mut buf) {
            Ok(0) => true,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => true,
            _ => false,
        }
    }
}

/// GET of a file: 200, its bytes, its Content-Type and Content-Length.
#[test]
fn server_serves_a_file_with_its_body_and_content_type() {
    let site = site();
    let mut c = site.connect();
    c.get("/hello.txt", "");
    let (head, body) = c.response();
    assert_eq!(head.status, 200);
    assert_eq!(
        head.headers.get_str("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(head.headers.get_str("Content-Length"), Some("13"));
    assert_eq!(body, b"hello, world\n");
    site.stop();
}

/// A response from the server carries a `Date` field in IMF-fixdate form: the system clock's
/// time (to the second) between sending the request and reading the response.
#[test]
fn server_responses_carry_a_date_in_imf_fixdate_form() {
    let site = site();
    let mut c = site.connect();
    let seconds = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let before = seconds(SystemTime::now());
    c.get("/hello.txt", "");
    let (head, _) = c.response();
    c.get("/missing.txt", "");
    let (missing, _) = c.response();
    let after = seconds(SystemTime::now());
    for head in [head, missing] {
        let dates: Vec<&[u8]> = head.headers.get_all("date").collect();
        assert_eq!(dates.len(), 1, "one Date field in a {}", head.status);
        let date = std::str::from_utf8(dates[0]).unwrap();
        let at = parse_imf_fixdate(date).unwrap_or_else(|| panic!("not IMF-fixdate: {date:?}"));
        assert!(
            (before..=after).contains(&at),
            "{date} outside {before}..={after}"
        );
    }
    site.stop();
}

/// With a fixed clock, the server's bytes carry exactly that `Date`.
#[test]
fn server_with_a_fixed_clock_sends_exactly_its_date() {
    let site = site_with(|www| {
        let www = www.to_path_buf();
        move |_peer, _local| HttpServer::new(StaticFiles::router(&www)).clock(rfc_example_time)
    });
    let mut stream = TcpStream::connect(site.address).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream
        .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
        "{response}"
    );
    site.stop();
}

/// A file larger than any buffer arrives whole and in order.
#[test]
fn server_streams_a_large_file_whole() {
    let site = site();
    let mut c = site.connect();
    c.get("/big.bin", "");
    let (head, body) = c.response();
    assert_eq!(head.status, 200);
    assert_eq!(body, std::fs::read(site.tree.www.join("big.bin")).unwrap());
    site.stop();
}

/// A missing file: 404, and the connection stays usable.
#[test]
fn server_answers_404_for_a_missing_file() {
    let site = site();
    let mut c = site.connect();
    c.get("/missing.txt", "");
    assert_eq!(c.response().0.status, 404);
    c.get("/hello.txt", "");
    assert_eq!(c.response().0.status, 200);
    site.stop();
}

/// Path traversal is refused and the file outside the root is never sent.
#[test]
fn server_refuses_path_traversal() {
    let site = site();
    let mut c = site.connect();
    for path in ["/../secret.txt", "/%2e%2e/secret.txt"] {
        c.get(path, "");
        let (head, body) = c.response();
        assert_eq!(head.status, 403, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("top secret"));
    }
    site.stop();
}

/// A malformed request gets 400 and its connection closes; another connection, opened
/// before, still works.
#[test]
fn a_malformed_request_gets_400_and_closes_only_its_connection() {
    let site = site();
    let mut good = site.connect();
    good.get("/hello.txt", "");
    assert_eq!(good.response().0.status, 200);

    let mut bad = site.connect();
    bad.send(b"GET / HTTP/1.1\r\nHost: test\r\nThis is not a field\r\n\r\n");
    let (head, body) = bad.response();
    assert_eq!(head.status, 400);
    assert!(String::from_utf8_lossy(&body).contains("at byte"));
    assert!(bad.closes(), "the malformed connection closes");

    good.get("/page.html", "");
    let (head, body) = good.response();
    assert_eq!((head.status, body.as_slice()), (200, &b"<h1>page</h1>"[..]));
    site.stop();
}

/// Keep-alive: two requests on one connection (the second pipelined with a third), then
/// Connection: close ends it.
#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let site = site();
    let mut c = site.connect();
    c.get("/hello.txt", "");
    assert_eq!(c.response().1, b"hello, world\n");
    c.send(b"GET /page.html HTTP/1.1\r\nHost: t\r\n\r\nGET /dir/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(c.response().1, b"<h1>page</h1>");
    let (head, body) = c.response();
    assert_eq!(body, b"<p>index</p>");
    assert!(head.headers.has_token("connection", "close"));
    assert!(c.closes());
    site.stop();
}

/// The single-shot client fetches a file from the server: head, body, end, ProducerFinished.
#[test]
fn single_shot_client_fetches_a_file_from_the_server() {
    let site = site();
    let client = SingleShotHttpClient::new(site.url("/hello.txt"));
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&client.outbox, &output).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    site.system.spawn(client);
    assert_eq!(
        signal.recv_blocking_timeout(WAIT),
        Ok(Control::ProducerFinished)
    );
    let got = group(drain(&mut output));
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].0.status, got[0].1.as_slice(), got[0].2),
        (200, &b"hello, world\n"[..], true)
    );
    site.stop();
}

/// The single-shot client follows a redirect (a directory without its slash) to the index.
#[test]
fn single_shot_client_follows_a_redirect() {
    let site = site();
    let client = SingleShotHttpClient::new(site.url("/dir"));
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&client.outbox, &output).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    site.system.spawn(client);
    assert_eq!(
        signal.recv_blocking_timeout(WAIT),
        Ok(Control::ProducerFinished)
    );
    let got = group(drain(&mut output));
    assert_eq!(
        (got[0].0.status, got[0].1.as_slice()),
        (200, &b"<p>index</p>"[..])
    );
    site.stop();
}

/// A refused connection is a ClientError naming the URL, and Failed on signal.
#[test]
fn single_shot_client_reports_a_refused_connection() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let mut system = System::new();
    let client = SingleShotHttpClient::new(url.clone());
    let (mut errors, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    system.spawn(client);
    system.start();
    let end = signal.recv_blocking_timeout(WAIT).expect("the client ends");
    assert!(end.failure().is_some_and(|r| r.contains(&url)), "{end:?}");
    let error = errors.try_recv().expect("an error");
    assert!(matches!(&error, ClientError::Connection { .. }), "{error}");
    assert_eq!(error.url(), url);
    assert!(system.shutdown(WAIT).cancelled.is_empty());
}

/// The simple client fetches URLs one at a time, in order, whole; a URL it cannot fetch is
/// reported on errors and the next is fetched.
#[test]
fn simple_client_fetches_urls_in_order_and_reports_failures() {
    let site = site();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let (mut responses, mut errors, mut signal) =
        (Inbox::unbounded(), Inbox::unbounded(), Inbox::unbounded());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &responses).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    site.system.spawn(client);
    for url in [
        site.url("/hello.txt"),
        refused.clone(),
        site.url("/missing"),
        site.url("/page.html"),
    ] {
        urls.send_blocking(url).unwrap();
    }
    stop.send_blocking(Control::ProducerFinished).unwrap();
    assert_eq!(
        signal.recv_blocking_timeout(WAIT),
        Ok(Control::ProducerFinished)
    );
    let got: Vec<(u16, Vec<u8>)> = drain(&mut responses)
        .into_iter()
        .map(|r| (r.head.status, r.body))
        .collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0], (200, b"hello, world\n".to_vec()));
    assert_eq!(got[1].0, 404);
    assert_eq!(got[2], (200, b"<h1>page</h1>".to_vec()));
    let errors = drain(&mut errors);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].url(), refused);
    site.stop();
}

/// Shutdown stops a connection's protocol with a request still being answered: every child
/// ends and Shutdown comes out on its signal.
#[test]
fn http_server_shutdown_stops_its_children_and_is_passed_on() {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpServer::new(router));
    h.input
        .try_send(b"GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n".to_vec())
        .unwrap();
    system.run_until_idle();
    assert!(
        system.live() >= 4,
        "server, parser, handler, writer, resource handler"
    );
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
    assert!(drain(&mut h.output).is_empty());
}

/// A server that accepts but never answers; the URL to reach it.
fn silent_server() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    (listener, url)
}

/// Shutdown while waiting for a response: the single-shot client closes the connection,
/// reports nothing on errors, and passes Shutdown on.
#[test]
fn single_shot_client_shutdown_closes_the_connection_and_is_passed_on() {
    let (listener, url) = silent_server();
    let mut system = System::new();
    let client = SingleShotHttpClient::new(url);
    let mut stop = Outbox::new();
    let (mut errors, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    system.spawn(client);
    system.start();
    let (mut socket, _) = listener.accept().unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let mut request = [0u8; 512];
    assert!(
        socket.read(&mut request).unwrap() > 0,
        "the request arrives"
    );
    stop.send_blocking(Control::Shutdown).unwrap();
    assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
    assert!(drain(&mut errors).is_empty());
    assert_eq!(
        socket.read(&mut request).unwrap(),
        0,
        "the connection is closed"
    );
    assert!(system.shutdown(WAIT).cancelled.is_empty());
}

/// Shutdown while fetching: the simple client stops the fetch, sends no response, and passes
/// Shutdown on.
#[test]
fn simple_client_shutdown_stops_the_fetch_and_is_passed_on() {
    let (listener, url) = silent_server();
    let mut system = System::new();
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let (mut responses, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &responses).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    system.spawn(client);
    system.start();
    urls.send_blocking(url).unwrap();
    let (mut socket, _) = listener.accept().unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let mut request = [0u8; 512];
    assert!(
        socket.read(&mut request).unwrap() > 0,
        "the request arrives"
    );
    stop.send_blocking(Control::Shutdown).unwrap();
    assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
    assert!(drain(&mut responses).is_empty());
    assert!(system.shutdown(WAIT).cancelled.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The clients, with a receiver that takes nothing

/// An inbox with room for one message, already full: a receiver that takes nothing.
fn full_inbox<T: Send + 'static>(filler: T) -> Inbox<T> {
    let inbox = Inbox::with_capacity(1);
    let mut fill = Outbox::new();
    axon::link(&fill, &inbox).unwrap();
    fill.try_send(filler).unwrap();
    inbox
}

/// Whether the component `id` is blocked sending on its outbox `outbox`.
fn is_sending_on(system: &System, id: axon::ComponentId, outbox: &str) -> bool {
    system.snapshot().component(id).is_some_and(
        |c| matches!(&c.state, axon::ComponentState::Sending { outbox: o } if o == outbox),
    )
}

/// Drives a deterministic system whose components wait on sockets until `done` holds, giving
/// up after [`WAIT`] (the kernel moves the bytes; the system has to notice).
fn drive_until(system: &mut System, mut done: impl FnMut(&System) -> bool) {
    let give_up = std::time::Instant::now() + WAIT;
    while !done(system) {
        assert!(std::time::Instant::now() < give_up, "gave up waiting");
        system.run_until_idle();
        std::thread::yield_now();
    }
}

/// A server on 127.0.0.1 answering one request with `response`, on its own thread; the URL.
fn answer_once(response: &'static [u8]) -> (std::thread::JoinHandle<()>, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(WAIT)).unwrap();
        let (mut request, mut buf) = (Vec::new(), [0u8; 1024]);
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).unwrap();
            assert!(n > 0, "the whole request head arrives");
            request.extend_from_slice(&buf[..n]);
        }
        socket.write_all(response).unwrap();
    });
    (server, url)
}

/// A single-shot client whose receiver takes nothing still stops on Shutdown while the
/// response's End waits for room, and passes the Shutdown on.
#[test]
fn single_shot_client_waiting_for_room_still_stops_on_shutdown() {
    let (server, url) = answer_once(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let mut system = System::deterministic();
    let client = SingleShotHttpClient::new(url);
    let mut stop = Outbox::new();
    let (output, mut signal) = (Inbox::<ResponseMessage>::with_capacity(1), Inbox::new());
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &output).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    // The head fills the receiver; the End waits for room.
    drive_until(&mut system, |s| {
        output.len() == 1 && is_sending_on(s, id, "outbox")
    });
    server.join().unwrap();
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A single-shot client whose `errors` receiver takes nothing still ends when stopped while
/// its error waits for room; the failure is what it reports on `signal`.
#[test]
fn single_shot_client_waiting_for_room_for_its_error_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let client = SingleShotHttpClient::new("ftp://example/");
    let mut stop = Outbox::new();
    let filler = ClientError::TooLarge {
        url: "filler".into(),
        limit: 0,
    };
    let (errors, mut signal) = (full_inbox(filler), Inbox::new());
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    system.run_until_idle();
    assert!(is_sending_on(&system, id, "errors"), "waiting for room");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    let said = drain(&mut signal);
    assert!(
        matches!(said.as_slice(), [c] if c.failure().is_some_and(|r| r.contains("ftp://example/"))),
        "{said:?}"
    );
    assert_eq!(errors.len(), 1);
}

/// A simple client whose receiver takes nothing still stops on Shutdown while a response
/// waits for room, and passes it on.
#[test]
fn simple_client_waiting_for_room_for_a_response_still_stops_on_shutdown() {
    let (server, url) = answer_once(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    let mut system = System::deterministic();
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let filler = kamaelia::protocol::http::HttpResponse {
        url: "filler".into(),
        head: ResponseHead::new(200),
        body: Vec::new(),
    };
    let (responses, mut signal) = (full_inbox(filler), Inbox::new());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &responses).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    urls.try_send(url).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    drive_until(&mut system, |s| is_sending_on(s, id, "outbox"));
    server.join().unwrap();
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(responses.len(), 1);
}

/// A simple client whose `errors` receiver takes nothing still stops on Shutdown while an
/// error waits for room (ProducerFinished meanwhile changes nothing), and passes it on.
#[test]
fn simple_client_waiting_for_room_for_an_error_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let filler = ClientError::TooLarge {
        url: "filler".into(),
        limit: 0,
    };
    let (errors, mut signal) = (full_inbox(filler), Inbox::new());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    urls.try_send("ftp://example/".to_string()).unwrap();
    system.run_until_idle();
    assert!(is_sending_on(&system, id, "errors"), "waiting for room");
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(is_sending_on(&system, id, "errors"), "still waiting");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(errors.len(), 1);
}
