//! The inspector over real HTTP on 127.0.0.1: topology JSON, the page, the event stream, taps,
//! refusals, the bound address, and starting from the environment variable. Every wait is
//! bounded by socket read timeouts; nothing sleeps to wait for something to happen.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
use kamaelia::inspect;
use kamaelia::util::sources::PassThrough;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);

/// Sends 0, 1, 2, … until stopped, waiting whenever its destination is full.
#[derive(Boxes, Default)]
struct Count {
    /// Stop requests.
    control: Inbox<Control>,
    /// The numbers.
    outbox: Outbox<u32>,
}

impl Component for Count {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut i = 0;
        loop {
            tokio::select! {
                biased;
                _ = self.control.recv() => return Ok(()),
                r = self.outbox.send(i) => r?,
            }
            i += 1;
        }
    }
}

/// Never reads its inbox (capacity 4), so whatever feeds it fills up and waits.
#[derive(Boxes)]
struct Stuck {
    /// Messages nobody reads.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
}

impl Default for Stuck {
    fn default() -> Self {
        Stuck {
            inbox: Inbox::with_capacity(4),
            control: Inbox::new(),
        }
    }
}

impl Component for Stuck {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        self.control.recv().await;
        Ok(())
    }
}

/// Waits for a stop request.
#[derive(Boxes, Default)]
struct Idle {
    /// Stop requests.
    control: Inbox<Control>,
}

impl Component for Idle {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        self.control.recv().await;
        Ok(())
    }
}

/// Sends 0, 1, 2, … one every 100 ms until stopped. (The pace is the behaviour under test, on
/// a deterministic system's virtual clock: `System::advance` fires each timer in turn.)
#[derive(Boxes, Default)]
struct Ticker {
    /// Stop requests.
    control: Inbox<Control>,
    /// The numbers.
    outbox: Outbox<u32>,
}

impl Component for Ticker {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for i in 0.. {
            tokio::select! {
                biased;
                _ = self.control.recv() => return Ok(()),
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Reads and drops whatever arrives until stopped.
#[derive(Boxes, Default)]
struct Reader {
    /// Anything.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
}

impl Component for Reader {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                _ = self.control.recv() => return Ok(()),
                Some(_) = self.inbox.recv() => {}
            }
        }
    }
}

/// Sends forever and never reads its inbox (capacity 2): two of them linked in a ring
/// deadlock.
#[derive(Boxes)]
struct Shout {
    /// Never read.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Endless numbers.
    outbox: Outbox<u32>,
}

impl Default for Shout {
    fn default() -> Self {
        Shout {
            inbox: Inbox::with_capacity(2),
            control: Inbox::new(),
            outbox: Outbox::new(),
        }
    }
}

impl Component for Shout {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                _ = self.control.recv() => return Ok(()),
                r = self.outbox.send(1) => r?,
            }
        }
    }
}

/// `ticker` (one message per 100 ms) → `reader`, started.
fn ticking() -> (System, axon::ComponentId) {
    let mut system = System::deterministic();
    let ticker = system.adopt_named("ticker", Ticker::default());
    let reader = system.adopt_named("reader", Reader::default());
    axon::link(&ticker.outbox, &reader.inbox).unwrap();
    let id = system.activate(ticker);
    system.activate(reader);
    system.run_until_idle();
    (system, id)
}

/// `source` (Count) → `relay` (PassThrough) → `sink` (Stuck), run until everything waits.
fn blocked_pipeline() -> System {
    let mut system = System::deterministic();
    let source = system.adopt_named("source", Count::default());
    let relay = system.adopt_named("relay", PassThrough::<u32>::new());
    let sink = system.adopt_named("sink", Stuck::default());
    axon::link(&source.outbox, &relay.inbox).unwrap();
    axon::link(&relay.outbox, &sink.inbox).unwrap();
    system.activate(source);
    system.activate(relay);
    system.activate(sink);
    system.run_until_idle();
    system
}

fn serve(system: &System) -> inspect::Inspector {
    inspect::serve(system, "127.0.0.1:0").expect("inspector listening")
}

/// A response: status, head, body.
struct Response {
    status: u16,
    head: String,
    body: String,
}

/// Sends `raw` and reads the whole response (the server closes every connection).
fn exchange(address: SocketAddr, raw: &[u8]) -> Response {
    let mut s = TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(raw).unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn get(address: SocketAddr, path: &str) -> Response {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    exchange(address, raw.as_bytes())
}

fn topology(address: SocketAddr) -> Value {
    let r = get(address, "/api/topology");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.head.contains("Content-Type: application/json"),
        "{}",
        r.head
    );
    serde_json::from_str(&r.body).unwrap()
}

fn component<'a>(topology: &'a Value, name: &str) -> &'a Value {
    topology["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name} in {topology}"))
}

fn a_box<'a>(component: &'a Value, name: &str) -> &'a Value {
    component["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no box {name} in {component}"))
}

fn link_ids(topology: &Value) -> Vec<String> {
    topology["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

/// /api/topology lists every component with id, name, type, parent and state, their boxes
/// with depth and capacity, and the links with the destination's depth.
#[test]
fn topology_lists_components_boxes_and_links() {
    let system = blocked_pipeline();
    let inspector = serve(&system);
    let t = topology(inspector.local_addr());
    let source = component(&t, "source");
    let relay = component(&t, "relay");
    let sink = component(&t, "sink");
    assert_eq!(source["type"], "Count");
    assert_eq!(relay["type"], "PassThrough<u32>");
    assert!(source["id"].as_u64().is_some());
    assert_eq!(source["parent"], Value::Null);
    assert_eq!(source["state"], "sending");
    assert_eq!(source["detail"], "outbox");
    assert_eq!(sink["state"], "receiving");
    assert_eq!(a_box(sink, "inbox")["depth"], 4);
    assert_eq!(a_box(sink, "inbox")["capacity"], 4);
    assert_eq!(a_box(sink, "inbox")["direction"], "inbox");
    assert_eq!(a_box(relay, "inbox")["depth"], 128);
    let mut links = link_ids(&t);
    links.sort();
    assert_eq!(
        links,
        ["relay.outbox->sink.inbox", "source.outbox->relay.inbox"]
    );
    let to_sink = t["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "relay.outbox->sink.inbox")
        .unwrap();
    assert_eq!(to_sink["from"]["component"], relay["id"]);
    assert_eq!(to_sink["to"]["box"], "inbox");
    assert_eq!(to_sink["depth"], 4);
    assert_eq!(to_sink["capacity"], 4);
}

/// Children carry their parent's id, so the page can nest them.
#[test]
fn children_name_their_parent() {
    use kamaelia::chassis::Pipeline;
    let mut system = System::deterministic();
    let id = system.spawn_named(
        "outer",
        Pipeline::new(PassThrough::<u8>::new()).then(PassThrough::<u8>::new()),
    );
    system.run_until_idle();
    let inspector = serve(&system);
    let t = topology(inspector.local_addr());
    let children: Vec<_> = t["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["parent"] == id.get())
        .collect();
    assert_eq!(children.len(), 2, "{t}");
    assert!(
        link_ids(&t).iter().any(|l| l.starts_with("outer.inbox->")),
        "{t}"
    );
}

/// GET / serves the page with the current topology inside, listening to the event stream.
#[test]
fn the_page_is_served() {
    let system = blocked_pipeline();
    let inspector = serve(&system);
    let r = get(inspector.local_addr(), "/");
    assert_eq!(r.status, 200);
    assert!(r.head.contains("text/html"), "{}", r.head);
    assert!(r.head.contains("Content-Security-Policy"), "{}", r.head);
    let needles = [
        "data-component",
        "data-link",
        "EventSource(\"api/events\")",
        "\"name\":\"relay\"",
    ];
    for needle in needles {
        assert!(r.body.contains(needle), "the page lacks {needle}");
    }
    let body = r.body.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    let body = body.replace("\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !body.contains("http:") && !body.contains("https:") && !body.contains("//cdn"),
        "the page fetches nothing from elsewhere"
    );
}

/// Reads one server-sent event's data.
fn next_event(reader: &mut BufReader<TcpStream>) -> String {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .expect("an event before the timeout");
        assert!(n > 0, "the event stream ended");
        let l = line.trim_end_matches(['\r', '\n']);
        if let Some(d) = l.strip_prefix("data: ") {
            data.push_str(d);
        } else if l.is_empty() && !data.is_empty() {
            return data;
        }
    }
}

/// The event stream sends the topology at once and again after the system changed.
#[test]
fn events_deliver_an_update_after_a_change() {
    let mut system = System::deterministic();
    system.spawn_named("first", Idle::default());
    system.run_until_idle();
    let inspector = serve(&system);
    let address = inspector.local_addr();
    let mut s = TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(s, "GET /api/events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut reader = BufReader::new(s);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let first: Value = serde_json::from_str(&next_event(&mut reader)).unwrap();
    component(&first, "first");
    system.spawn_named("second", Idle::default());
    system.run_until_idle();
    loop {
        let update: Value = serde_json::from_str(&next_event(&mut reader)).unwrap();
        if update["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "second")
        {
            assert!(update["version"].as_u64() > first["version"].as_u64());
            break;
        }
    }
}

/// Paths other than the four routes are 404; methods other than GET are 405; a Host that is
/// a name other than localhost is 403; an oversized request head is 431.
#[test]
fn anything_not_asked_for_is_refused() {
    let system = blocked_pipeline();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    for path in [
        "/etc/passwd",
        "/api",
        "/api/topology/x",
        "/../Cargo.toml",
        "/index.htm",
    ] {
        assert_eq!(get(a, path).status, 404, "{path}");
    }
    let post = format!("POST /api/topology HTTP/1.1\r\nHost: {a}\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(exchange(a, post.as_bytes()).status, 405);
    let rebinding = b"GET /api/topology HTTP/1.1\r\nHost: evil.example:80\r\n\r\n";
    assert_eq!(exchange(a, rebinding).status, 403);
    let localhost = b"GET /api/topology HTTP/1.1\r\nHost: localhost\r\n\r\n";
    assert_eq!(exchange(a, localhost).status, 200);
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(9000));
    assert_eq!(exchange(a, huge.as_bytes()).status, 431);
    assert_eq!(exchange(a, b"garbage\r\n\r\n").status, 400);
}

/// The server listens on the address given and on no other.
#[test]
fn binds_only_the_given_address() {
    let system = System::deterministic();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    assert_eq!(a.ip(), std::net::Ipv4Addr::LOCALHOST);
    assert_ne!(a.port(), 0);
    assert!(inspector
        .url()
        .starts_with(&format!("http://127.0.0.1:{}/", a.port())));
    let other = SocketAddr::from(([127, 0, 0, 2], a.port()));
    assert!(
        TcpStream::connect_timeout(&other, WAIT).is_err(),
        "answered on {other}"
    );
}

/// Dropping the inspector stops the server and frees the port.
#[test]
fn dropping_the_inspector_stops_it() {
    let system = System::deterministic();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    assert_eq!(get(a, "/api/topology").status, 200);
    drop(inspector);
    assert!(TcpStream::connect_timeout(&a, WAIT).is_err());
    std::net::TcpListener::bind(a).expect("the port is free again");
}

/// Connections beyond the limit are answered 503 and closed at once.
#[test]
fn connections_are_bounded() {
    let system = System::deterministic();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    // Idle connections that never send a request hold their slots.
    let held: Vec<TcpStream> = (0..32).map(|_| TcpStream::connect(a).unwrap()).collect();
    // (Sending nothing: the server closes a refused connection without reading from it.)
    let r = exchange(a, b"");
    assert_eq!(r.status, 503);
    drop(held);
}

/// `parse_address` accepts IP:PORT and localhost:PORT and names a bad value.
#[test]
fn addresses_are_ip_and_port() {
    assert_eq!(
        inspect::parse_address("127.0.0.1:8470"),
        Ok(SocketAddr::from(([127, 0, 0, 1], 8470)))
    );
    assert_eq!(
        inspect::parse_address("localhost:9"),
        Ok(SocketAddr::from(([127, 0, 0, 1], 9)))
    );
    assert!(inspect::parse_address("[::1]:1").is_ok());
    let e = inspect::parse_address("8470").unwrap_err();
    assert!(e.contains("KAMAELIA_INSPECT") && e.contains("8470"), "{e}");
    assert!(inspect::parse_address("example.com:80").is_err());
}

fn link<'a>(topology: &'a Value, id: &str) -> &'a Value {
    topology["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("no link {id} in {topology}"))
}

/// Rates are messages per second over the system's time between two looks.
#[test]
fn rates_are_messages_per_second() {
    let (mut system, _) = ticking();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    let before = topology(a);
    assert_eq!(link(&before, "ticker.outbox->reader.inbox")["rate"], 0.0);
    system.advance(Duration::from_secs(2));
    let after = topology(a);
    assert_eq!(after["taken_at_ms"], 2000);
    assert_eq!(
        a_box(component(&after, "reader"), "inbox")["messages_in"],
        20
    );
    assert_eq!(a_box(component(&after, "reader"), "inbox")["rate"], 10.0);
    assert_eq!(link(&after, "ticker.outbox->reader.inbox")["rate"], 10.0);
}

/// A component blocked sending into a full box for a second or more is reported stalled,
/// with what it is blocked on; one that waits for input is not.
#[test]
fn stalled_components_are_reported() {
    let mut system = blocked_pipeline();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    assert_eq!(topology(a)["stalls"], serde_json::json!([]));
    system.advance(Duration::from_secs(2));
    let t = topology(a);
    assert_eq!(component(&t, "source")["stalled"], true, "{t}");
    assert_eq!(component(&t, "sink")["stalled"], false);
    // The relay watches its control inbox while its send waits: it is still a blocked sender.
    assert_eq!(component(&t, "relay")["stalled"], true, "{t}");
    let stalls = t["stalls"].as_array().unwrap();
    assert_eq!(stalls.len(), 2, "{t}");
    assert_eq!(
        stalls[0]["text"],
        "source is blocked sending on outbox into the full relay.inbox"
    );
    assert_eq!(
        stalls[1]["text"],
        "relay is blocked sending on outbox into the full sink.inbox"
    );
    assert_eq!(stalls[0]["for_ms"], 2000);
    assert_eq!(stalls[1]["for_ms"], 2000);
}

/// Two components each blocked sending into the other's full inbox are a deadlock.
#[test]
fn deadlocks_are_reported() {
    let mut system = System::deterministic();
    let a = system.adopt_named("ping", Shout::default());
    let b = system.adopt_named("pong", Shout::default());
    axon::link(&a.outbox, &b.inbox).unwrap();
    axon::link(&b.outbox, &a.inbox).unwrap();
    let (ping, pong) = (system.activate(a), system.activate(b));
    system.run_until_idle();
    let inspector = serve(&system);
    let t = topology(inspector.local_addr());
    let d = &t["deadlocks"][0];
    assert_eq!(d["components"], serde_json::json!([ping.get(), pong.get()]));
    assert_eq!(d["text"], "deadlock: ping → pong.inbox, pong → ping.inbox");
    assert_eq!(component(&t, "ping")["stalled"], true);
}

fn tap(address: SocketAddr, from: axon::ComponentId, box_name: &str) -> (u16, Value) {
    let r = get(
        address,
        &format!("/api/tap?from={}&box={box_name}", from.get()),
    );
    (r.status, serde_json::from_str(&r.body).unwrap())
}

/// The first request installs a tap on the link's source; later ones get the last 32
/// messages, oldest first, as Debug text.
#[test]
fn taps_return_the_last_messages_bounded() {
    let (mut system, ticker) = ticking();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    let ticker_outbox = |t: &Value| a_box(component(t, "ticker"), "outbox")["taps"].clone();
    assert_eq!(
        ticker_outbox(&topology(a)),
        0,
        "no tap until one is asked for"
    );
    let (status, first) = tap(a, ticker, "outbox");
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["messages"], serde_json::json!([]));
    assert_eq!(first["tapped"], "ticker.outbox");
    system.advance(Duration::from_millis(4000));
    let (status, later) = tap(a, ticker, "outbox");
    assert_eq!(status, 200, "{later}");
    assert_eq!(later["seen"], 40);
    let texts: Vec<String> = later["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = (8..40).map(|i| i.to_string()).collect();
    assert_eq!(texts, expected);
    assert_eq!(later["messages"][31]["at_ms"], 4000);
    assert_eq!(ticker_outbox(&topology(a)), 1);
}

/// A tap on a box that only forwards (a pipeline's inbox) watches the inbox the messages
/// land in; unknown components and boxes and malformed queries are refused.
#[test]
fn taps_follow_forwarded_boxes_and_refuse_unknown_ones() {
    use kamaelia::chassis::Pipeline;
    let mut system = System::deterministic();
    let outer = system.spawn_named(
        "outer",
        Pipeline::new(PassThrough::<u8>::new()).then(PassThrough::<u8>::new()),
    );
    system.run_until_idle();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    let t = topology(a);
    let first = link_ids(&t)
        .into_iter()
        .find_map(|l| l.strip_prefix("outer.inbox->").map(str::to_string))
        .unwrap();
    let (status, v) = tap(a, outer, "inbox");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["tapped"], first);
    let (status, v) = tap(a, outer, "nonesuch");
    assert_eq!(status, 404);
    assert!(v["error"].as_str().unwrap().contains("nonesuch"), "{v}");
    assert_eq!(get(a, "/api/tap?from=999999&box=inbox").status, 404);
    assert_eq!(get(a, "/api/tap?from=x&box=inbox").status, 400);
    assert_eq!(get(a, "/api/tap?box=inbox").status, 400);
}

/// The inspector stops by itself once its system has been dropped.
#[test]
fn the_server_stops_when_the_system_is_dropped() {
    let system = System::deterministic();
    let inspector = serve(&system);
    let a = inspector.local_addr();
    assert!(inspector.is_running());
    assert!(
        !inspector.wait_stopped(Duration::ZERO),
        "stopped with its system alive"
    );
    drop(system);
    assert!(inspector.wait_stopped(WAIT), "still serving on {a}");
    assert!(!inspector.is_running());
    assert!(TcpStream::connect_timeout(&a, WAIT).is_err());
}

// ---------------------------------------------------------------------------------------------
// KAMAELIA_INSPECT: run this test binary again as a child process with the variable set (or
// not), running only `child_process`.

/// How many threads this process has (Linux lists them in /proc).
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Not a test of its own: the program the `KAMAELIA_INSPECT` tests run in a child process.
/// It builds a system, says how many inspector threads that started, and (if asked) waits
/// for stdin to close.
#[test]
#[ignore = "run in a child process by the KAMAELIA_INSPECT tests"]
fn child_process() {
    // Building a system starts no thread of its own (`start` does): any new one is the
    // inspector's.
    let before = threads();
    let mut system = System::new();
    let inspectors = threads() - before;
    system.spawn_named("child-idle", Idle::default());
    system.start();
    eprintln!("child: inspector threads {inspectors}");
    if std::env::var_os("INSPECT_CHILD_WAIT").is_some() {
        std::io::stdin().read_to_end(&mut Vec::new()).ok();
    }
    system.shutdown(WAIT);
    if std::env::var_os("INSPECT_CHILD_TWICE").is_some() {
        drop(system);
        let mut again = System::new();
        again.spawn_named("second-system", Idle::default());
        again.start();
        again.shutdown(WAIT);
    }
    eprintln!("child: done");
}

/// The child's stderr lines up to and including `child: inspector threads N`, and the child.
fn start_child(
    variable: Option<&str>,
) -> (
    std::process::Child,
    Vec<String>,
    BufReader<std::process::ChildStderr>,
) {
    start_child_with(variable, &[])
}

fn start_child_with(
    variable: Option<&str>,
    env: &[(&str, &str)],
) -> (
    std::process::Child,
    Vec<String>,
    BufReader<std::process::ChildStderr>,
) {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.envs(env.iter().copied());
    command
        .args([
            "--exact",
            "child_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("INSPECT_CHILD_WAIT", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    match variable {
        Some(v) => command.env(inspect::ENV_VAR, v),
        None => command.env_remove(inspect::ENV_VAR),
    };
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    let mut line = String::new();
    while stderr.read_line(&mut line).is_ok_and(|n| n > 0) {
        lines.push(line.trim_end().to_string());
        line.clear();
        if lines
            .last()
            .unwrap()
            .starts_with("child: inspector threads")
        {
            return (child, lines, stderr);
        }
    }
    child.kill().ok();
    child.wait().ok();
    panic!("the child ended early: {lines:?}");
}

/// Closes the child's stdin and returns the rest of its stderr once it has exited
/// successfully.
fn finish_child(
    mut child: std::process::Child,
    mut stderr: BufReader<std::process::ChildStderr>,
) -> String {
    drop(child.stdin.take());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    rest
}

/// With `KAMAELIA_INSPECT=ADDR:PORT`, a program that never calls the inspector gets one for
/// its system, announced on stderr and serving that system.
#[test]
fn the_variable_starts_an_inspector_for_every_system() {
    let (child, lines, stderr) = start_child(Some("127.0.0.1:0"));
    let url = lines
        .iter()
        .find_map(|l| l.strip_prefix("kamaelia inspect: http://"))
        .unwrap_or_else(|| panic!("no announcement: {lines:?}"));
    let address: SocketAddr = url.trim_end_matches('/').parse().unwrap();
    assert!(address.ip().is_loopback());
    assert_eq!(lines.last().unwrap(), "child: inspector threads 1");
    component(&topology(address), "child-idle");
    assert!(finish_child(child, stderr).contains("child: done"));
}

/// Without the variable (and without a call) no inspector is started.
#[test]
fn without_the_variable_nothing_is_started() {
    let (child, lines, stderr) = start_child(None);
    assert_eq!(lines, ["child: inspector threads 0"]);
    finish_child(child, stderr);
}

/// A variable that is not an address is reported on stderr and the program carries on.
#[test]
fn a_bad_variable_is_reported_and_the_program_carries_on() {
    let (child, lines, stderr) = start_child(Some("nonsense"));
    assert_eq!(
        lines,
        [
            "kamaelia inspect: not started: KAMAELIA_INSPECT=\"nonsense\" is not ADDR:PORT (for example 127.0.0.1:8470 or localhost:8470)",
            "child: inspector threads 0"
        ]
    );
    assert!(finish_child(child, stderr).contains("child: done"));
}

/// A program that builds one system after another gets an inspector for each on the same
/// address: the first one's is gone once its system has been dropped.
#[test]
fn systems_built_one_after_another_share_the_address() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let (child, lines, stderr) = start_child_with(Some(&address), &[("INSPECT_CHILD_TWICE", "1")]);
    let announcement = format!("kamaelia inspect: http://{address}/");
    assert_eq!(lines[0], announcement);
    let rest = finish_child(child, stderr);
    assert!(rest.contains(&announcement), "{rest}");
    assert!(rest.contains("child: done"), "{rest}");
}
