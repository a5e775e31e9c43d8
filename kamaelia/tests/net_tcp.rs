//! TCP networking: ServerCore, EchoProtocol, ConnectedSocketAdapter and TcpClient, over
//! 127.0.0.1 only. Every wait is bounded: blocking reads with read timeouts, blocking receives
//! with timeouts, and each test runs under [`guarded`], which fails it if it hangs.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use axon::model::EventKind;
use axon::{
    next_event, Boxes, Component, ComponentState, Context, Control, Error, Event, Inbox, Outbox,
    System,
};
use kamaelia::net::{
    ConnectedSocketAdapter, EchoProtocol, ServerCore, ServerError, ServerLink, TcpClient,
};
use kamaelia::Stage;

const WAIT: Duration = Duration::from_secs(10);

/// How long a whole test may take before [`guarded`] fails it.
const GUARD: Duration = Duration::from_secs(120);

/// Runs a test body on its own thread and fails the test if it has not finished within
/// [`GUARD`] (a hang becomes a failure instead of a stuck test run).
fn guarded(body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let test = std::thread::spawn(move || {
        body();
        done.send(()).ok();
    });
    match finished.recv_timeout(GUARD) {
        Ok(()) => test.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => match test.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the body ended without reporting"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test did not finish within {GUARD:?}"),
    }
}

/// A running server: the system, the address it bound, and its control and signal.
struct Running {
    system: System,
    address: SocketAddr,
    control: Outbox<Control>,
    signal: Inbox<Control>,
}

fn start<P>(server: ServerCore<P>) -> Running
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
{
    let mut system = System::new();
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).unwrap();
    let control = Outbox::new();
    axon::link(&control, &server.control).unwrap();
    let signal = Inbox::new();
    axon::link(&server.signal, &signal).unwrap();
    system.spawn(server);
    system.start();
    let address = addresses
        .recv_blocking_timeout(WAIT)
        .expect("server listening");
    assert!(address.ip().is_loopback());
    Running {
        system,
        address,
        control,
        signal,
    }
}

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn connect(address: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// Reads until the peer closes (or resets) the connection.
fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return all,
            Err(e) => panic!("waiting for the connection to close: {e}"),
        }
    }
}

fn stop(mut running: Running, c: Control) -> Control {
    running.control.send_blocking(c).unwrap();
    let got = running
        .signal
        .recv_blocking_timeout(WAIT)
        .expect("server signal");
    running.system.run().unwrap();
    got
}

/// Echoes, and reports every control message it gets to the test.
#[derive(Boxes)]
struct Spy {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
    #[boxes(skip)]
    report: mpsc::Sender<Control>,
}

impl Spy {
    fn new(report: mpsc::Sender<Control>) -> Self {
        Spy {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            report,
        }
    }
}

impl Component for Spy {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => self.outbox.send(m).await?,
                Event::Control(c) => {
                    while let Ok(m) = self.inbox.try_recv() {
                        self.outbox.send(m).await?;
                    }
                    self.report.send(c.clone()).ok();
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([] Spy, Vec<u8> => Vec<u8>);

/// Sends a greeting naming the peer, then ends by itself.
#[derive(Boxes)]
struct Greeter {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
    #[boxes(skip)]
    text: String,
}

impl Component for Greeter {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        self.outbox.send(self.text.clone().into_bytes()).await?;
        self.signal.send(Control::ProducerFinished).await.ok();
        Ok(())
    }
}
kamaelia::impl_stage!([] Greeter, Vec<u8> => Vec<u8>);

/// Several clients at once each get back exactly what they sent.
#[test]
fn echo_round_trip_with_several_concurrent_clients() {
    guarded(|| {
        let running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()).nodelay(true));
        let address = running.address;
        let clients: Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    let mut s = connect(address);
                    for round in 0..20 {
                        let msg = format!("client {i} round {round};").into_bytes();
                        s.write_all(&msg).unwrap();
                        let mut back = vec![0u8; msg.len()];
                        s.read_exact(&mut back).unwrap();
                        assert_eq!(back, msg);
                    }
                    s.shutdown(Shutdown::Write).unwrap();
                    assert_eq!(read_to_close(&mut s), b"");
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        assert_eq!(stop(running, Control::Shutdown), Control::Shutdown);
    });
}

/// The peer closing its side arrives as ProducerFinished on the protocol's control, after all
/// its bytes; what the protocol sends then still reaches the peer before the close.
#[test]
fn peer_close_delivers_producer_finished_to_protocol() {
    guarded(|| {
        let (tx, rx) = mpsc::channel();
        let running = start(ServerCore::new(local(), move |_, _| Spy::new(tx.clone())));
        let mut s = connect(running.address);
        s.write_all(b"last words").unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(rx.recv_timeout(WAIT), Ok(Control::ProducerFinished));
        assert_eq!(read_to_close(&mut s), b"last words");
        stop(running, Control::Shutdown);
    });
}

/// A protocol that ends closes its connection, after the peer got everything it sent; the
/// factory sees the peer's address.
#[test]
fn protocol_ending_closes_the_connection() {
    guarded(|| {
        let running = start(ServerCore::new(
            local(),
            |peer: SocketAddr, local: SocketAddr| Greeter {
                inbox: Inbox::new(),
                control: Inbox::new(),
                outbox: Outbox::new(),
                signal: Outbox::new(),
                text: format!("hello {} from {}", peer.ip(), local.ip()),
            },
        ));
        let mut s = connect(running.address);
        assert_eq!(read_to_close(&mut s), b"hello 127.0.0.1 from 127.0.0.1");
        stop(running, Control::Shutdown);
    });
}

/// Shutdown on the server's control closes every open connection, tells each protocol, and
/// passes Shutdown on signal.
#[test]
fn server_shutdown_closes_connections() {
    guarded(|| {
        let (tx, rx) = mpsc::channel();
        let running = start(ServerCore::new(local(), move |_, _| Spy::new(tx.clone())));
        let mut clients: Vec<TcpStream> = (0..3).map(|_| connect(running.address)).collect();
        for s in &mut clients {
            // A round trip: the connection's protocol is running.
            s.write_all(b"x").unwrap();
            let mut b = [0u8; 1];
            s.read_exact(&mut b).unwrap();
        }
        let Running {
            mut system,
            address,
            mut control,
            mut signal,
        } = running;
        control.send_blocking(Control::Shutdown).unwrap();
        for s in &mut clients {
            assert_eq!(read_to_close(s), b"");
        }
        assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
        for _ in 0..3 {
            assert_eq!(rx.recv_timeout(WAIT), Ok(Control::Shutdown));
        }
        system.run().unwrap();
        assert!(TcpStream::connect(address).is_err(), "no longer listening");
    });
}

/// ProducerFinished on the server's control stops accepting but lets open connections finish;
/// the server then passes ProducerFinished on signal.
#[test]
fn server_producer_finished_lets_connections_finish() {
    guarded(|| {
        let running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()));
        let mut s = connect(running.address);
        s.write_all(b"a").unwrap();
        let mut b = [0u8; 1];
        s.read_exact(&mut b).unwrap();
        let Running {
            mut system,
            mut control,
            mut signal,
            ..
        } = running;
        control.send_blocking(Control::ProducerFinished).unwrap();
        // Still served.
        s.write_all(b"b").unwrap();
        s.read_exact(&mut b).unwrap();
        assert_eq!(&b, b"b");
        s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut s), b"");
        assert_eq!(
            signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        system.run().unwrap();
    });
}

/// With a connection limit, a connection beyond it is served only once an earlier one ends.
#[test]
fn connection_limit_defers_extra_connections() {
    guarded(|| {
        let running =
            start(ServerCore::new(local(), |_, _| EchoProtocol::new()).max_connections(1));
        let mut first = connect(running.address);
        first.write_all(b"1").unwrap();
        let mut b = [0u8; 1];
        first.read_exact(&mut b).unwrap();
        let mut second = connect(running.address); // queued by the kernel, not served
        second
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        second.write_all(b"2").unwrap();
        let err = second.read(&mut b).unwrap_err();
        assert!(matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ));
        first.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut first), b"");
        second.set_read_timeout(Some(WAIT)).unwrap();
        second.read_exact(&mut b).unwrap();
        assert_eq!(&b, b"2");
        stop(running, Control::Shutdown);
    });
}

/// Backpressure end to end: a peer that sends but never reads the echoes is stopped by TCP
/// once the bounded boxes and socket buffers are full — the server does not buffer without end.
#[test]
fn unread_echoes_stop_the_server_reading() {
    guarded(|| {
        let running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()).chunk_size(1024));
        let mut s = connect(running.address);
        s.set_write_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let block = vec![7u8; 64 * 1024];
        let mut written = 0usize;
        let total = 256 * 1024 * 1024;
        let err = loop {
            match s.write(&block) {
                Ok(n) => written += n,
                Err(e) => break e,
            }
            assert!(
                written < total,
                "the server took {written} bytes without their echoes being read"
            );
        };
        assert!(
            matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{err}"
        );
        stop(running, Control::Shutdown);
    });
}

/// A TcpClient talks to a ServerCore running EchoProtocol; ProducerFinished on its control
/// sends what is queued, half-closes, reads the rest of the replies, then passes it on.
#[test]
fn tcp_client_talks_to_server_core_with_echo() {
    guarded(|| {
        let running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()));
        let client = TcpClient::new(running.address.to_string()).nodelay(true);
        let (mut input, mut control) = (Outbox::new(), Outbox::new());
        let (mut output, mut signal) = (Inbox::new(), Inbox::new());
        axon::link(&input, &client.inbox).unwrap();
        axon::link(&control, &client.control).unwrap();
        axon::link(&client.outbox, &output).unwrap();
        axon::link(&client.signal, &signal).unwrap();
        running.system.spawn(client);
        let mut read = |n: usize| {
            let mut got = Vec::new();
            while got.len() < n {
                got.extend(output.recv_blocking_timeout(WAIT).expect("echo"));
            }
            got
        };
        input.send_blocking(b"ping".to_vec()).unwrap();
        assert_eq!(read(4), b"ping");
        input.send_blocking(b"more".to_vec()).unwrap();
        control.send_blocking(Control::ProducerFinished).unwrap();
        assert_eq!(read(4), b"more");
        assert_eq!(
            signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        stop(running, Control::Shutdown);
    });
}

/// Shutdown on a TcpClient's control closes its connection at once and is passed on.
#[test]
fn tcp_client_shutdown_closes_the_connection() {
    guarded(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut system = System::new();
        let client = TcpClient::new(listener.local_addr().unwrap().to_string());
        let mut control = Outbox::new();
        let mut signal = Inbox::new();
        axon::link(&control, &client.control).unwrap();
        axon::link(&client.signal, &signal).unwrap();
        system.spawn(client);
        system.start();
        let (mut peer, _) = listener.accept().unwrap();
        peer.set_read_timeout(Some(WAIT)).unwrap();
        control.send_blocking(Control::Shutdown).unwrap();
        assert_eq!(read_to_close(&mut peer), b"");
        assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
        system.run().unwrap();
    });
}

/// A refused connection sends Failed on the TcpClient's signal, naming the address and the
/// operating system's error, and ends it with the same error.
#[test]
fn tcp_client_connection_refused_sends_failed_naming_the_address() {
    guarded(|| {
        let address = closed_port();
        let mut system = System::new();
        let client = TcpClient::new(address.to_string());
        let mut signal = Inbox::new();
        axon::link(&client.signal, &signal).unwrap();
        system.spawn(client);
        system.start();
        let got = signal.recv_blocking_timeout(WAIT).expect("signal");
        let reason = got.failure().expect("Failed on signal").to_string();
        assert!(
            reason.starts_with(&format!("TcpClient: cannot connect to {address}: ")),
            "{reason}"
        );
        assert!(reason.to_lowercase().contains("refused"), "{reason}");
        system.run().unwrap();
        let failures = system.failures();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].what.ends_with(&reason), "{failures:?}");
    });
}

/// `Shutdown` reaches a TcpClient that is still connecting even after `ProducerFinished`: it
/// stops at once instead of waiting for the connection attempt to give up.
#[test]
fn tcp_client_shutdown_after_producer_finished_stops_a_hanging_connect() {
    guarded(|| {
        // A listener with a backlog of 0 queues one connection; with that one never accepted,
        // the kernel drops further attempts, so connecting to it hangs (retrying for minutes).
        let listener =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        listener.bind(&local().into()).unwrap();
        listener.listen(0).unwrap();
        let address = listener.local_addr().unwrap().as_socket().unwrap();
        let _queued = TcpStream::connect(address).unwrap();
        let mut system = System::new();
        let client = TcpClient::new(address.to_string());
        let mut control = Outbox::new();
        let mut signal = Inbox::new();
        axon::link(&control, &client.control).unwrap();
        axon::link(&client.signal, &signal).unwrap();
        system.spawn(client);
        system.start();
        control.send_blocking(Control::ProducerFinished).unwrap();
        control.send_blocking(Control::Shutdown).unwrap();
        assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
        system.run().unwrap();
    });
}

/// A connection the server resets sends Failed on the TcpClient's signal, naming the address
/// and the error, and ends it with the same error.
#[test]
fn tcp_client_connection_reset_sends_failed() {
    guarded(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let mut system = System::new();
        let client = TcpClient::new(address.to_string());
        let (mut output, mut signal) = (Inbox::new(), Inbox::new());
        axon::link(&client.outbox, &output).unwrap();
        axon::link(&client.signal, &signal).unwrap();
        system.spawn(client);
        system.start();
        let (mut peer, _) = listener.accept().unwrap();
        peer.write_all(b"bye").unwrap();
        assert_eq!(output.recv_blocking_timeout(WAIT), Ok(b"bye".to_vec()));
        reset(peer);
        let got = signal.recv_blocking_timeout(WAIT).expect("signal");
        let reason = got.failure().expect("Failed on signal").to_string();
        assert!(
            reason.starts_with(&format!("TcpClient: connection to {address} failed: ")),
            "{reason}"
        );
        system.run().unwrap();
        let failures = system.failures();
        assert!(failures[0].what.ends_with(&reason), "{failures:?}");
    });
}

/// The server closing the connection normally is not a failure: the TcpClient passes on every
/// byte, then ProducerFinished, and ends without an error.
#[test]
fn tcp_client_server_close_is_producer_finished() {
    guarded(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut system = System::new();
        let client = TcpClient::new(listener.local_addr().unwrap().to_string());
        let (mut output, mut signal) = (Inbox::new(), Inbox::new());
        axon::link(&client.outbox, &output).unwrap();
        axon::link(&client.signal, &signal).unwrap();
        system.spawn(client);
        system.start();
        let (mut peer, _) = listener.accept().unwrap();
        peer.write_all(b"all of it").unwrap();
        drop(peer);
        assert_eq!(
            signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        let got: Vec<u8> = std::iter::from_fn(|| output.try_recv().ok())
            .flatten()
            .collect();
        assert_eq!(got, b"all of it");
        system.run().unwrap();
        assert!(system.failures().is_empty());
    });
}

/// An address nothing listens on.
fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// Closes `s` with a reset instead of an orderly close.
fn reset(s: TcpStream) {
    socket2::SockRef::from(&s)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(s);
}

/// A write that a peer which never reads takes nothing of fails the connection once the write
/// timeout has passed (virtual time): such a peer cannot hold it for ever.
#[test]
fn socket_adapter_write_to_a_peer_that_never_reads_times_out() {
    guarded(|| {
        let listener = std::net::TcpListener::bind(local()).unwrap();
        let peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        socket2::SockRef::from(&peer)
            .set_recv_buffer_size(4096)
            .unwrap();
        let (socket, _) = listener.accept().unwrap();
        socket2::SockRef::from(&socket)
            .set_send_buffer_size(4096)
            .unwrap();
        socket.set_nonblocking(true).unwrap();
        let mut system = System::deterministic();
        let adapter =
            ConnectedSocketAdapter::from_std(socket).write_timeout(Some(Duration::from_secs(30)));
        let (mut to_socket, mut signal) = (Outbox::new(), Inbox::new());
        axon::link(&to_socket, &adapter.inbox).unwrap();
        axon::link(&adapter.signal, &signal).unwrap();
        system.spawn(adapter);
        // Far more than the socket buffers on both sides hold.
        to_socket.try_send(vec![7u8; 8 << 20]).unwrap();
        system.run_until_idle();
        assert_eq!(signal.try_recv(), Err(axon::TryRecvError::Empty));
        system.advance(Duration::from_secs(30));
        let ended = signal.try_recv().expect("the connection has failed");
        let reason = ended.failure().expect("Failed").to_string();
        assert!(reason.contains("the peer took nothing for 30s"), "{reason}");
        system.run().unwrap();
        drop(peer);
    });
}

/// When writing to the peer fails, what the adapter had already read from the peer (waiting
/// for room downstream) is still delivered before it ends with Failed.
#[test]
fn socket_adapter_delivers_what_it_read_before_a_write_fails() {
    guarded(|| {
        let listener = std::net::TcpListener::bind(local()).unwrap();
        let mut peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (socket, _) = listener.accept().unwrap();
        socket.set_nonblocking(true).unwrap();
        let mut system = System::new();
        let mut events = system.events(1024);
        let adapter = ConnectedSocketAdapter::from_std(socket);
        // What the adapter reads goes to an inbox with room for one message, already full.
        let (mut to_socket, mut filler) = (Outbox::new(), Outbox::new());
        let (mut got, mut signal) = (Inbox::with_capacity(1), Inbox::new());
        axon::link(&to_socket, &adapter.inbox).unwrap();
        axon::link(&adapter.outbox, &got).unwrap();
        axon::link(&filler, &got).unwrap();
        axon::link(&adapter.signal, &signal).unwrap();
        filler.try_send(b"first".to_vec()).unwrap();
        let id = system.spawn(adapter);
        system.start();
        // The peer's last words, then a reset: they stay readable, writing fails.
        peer.write_all(b"last words").unwrap();
        reset(peer);
        let sending = ComponentState::Sending {
            outbox: "outbox".into(),
        };
        loop {
            let event = events
                .next_timeout(WAIT)
                .expect("the adapter reads the peer");
            if let EventKind::StateChanged { id: changed, state } = event.kind {
                if changed == id && state == sending {
                    break;
                }
            }
        }
        to_socket.try_send(b"reply".to_vec()).unwrap();
        assert_eq!(got.recv_blocking_timeout(WAIT), Ok(b"first".to_vec()));
        assert_eq!(got.recv_blocking_timeout(WAIT), Ok(b"last words".to_vec()));
        let ended = signal.recv_blocking_timeout(WAIT).expect("signal");
        assert!(ended.failure().is_some(), "{ended:?}");
        system.run().unwrap();
    });
}

/// A connection reset by the peer arrives on the protocol's control as Failed, naming the
/// peer.
#[test]
fn peer_reset_delivers_failed_to_protocol() {
    guarded(|| {
        let (tx, rx) = mpsc::channel();
        let running = start(ServerCore::new(local(), move |_, _| Spy::new(tx.clone())));
        let mut s = connect(running.address);
        let peer = s.local_addr().unwrap();
        s.write_all(b"x").unwrap();
        let mut b = [0u8; 1];
        s.read_exact(&mut b).unwrap();
        reset(s);
        let got = rx.recv_timeout(WAIT).expect("control message");
        let reason = got.failure().expect("Failed").to_string();
        assert!(
            reason.contains(&format!("connection with {peer} failed")),
            "{reason}"
        );
        stop(running, Control::Shutdown);
    });
}

/// Echoes; the bytes "stop" make it stop the server, "finish" make it finish the server.
#[derive(Boxes)]
struct Commanded {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
    #[boxes(skip)]
    link: ServerLink,
}

impl Commanded {
    fn new(link: ServerLink) -> Self {
        Commanded {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            link,
        }
    }
}

impl Component for Commanded {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) if m == b"stop" => self.link.stop_server(),
                Event::Message(m) if m == b"finish" => self.link.finish_server(),
                Event::Message(m) => self.outbox.send(m).await?,
                Event::Control(c) => {
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([] Commanded, Vec<u8> => Vec<u8>);

/// Sends `msg` and waits for its echo, so the connection's protocol is known to be running.
fn round_trip(s: &mut TcpStream, msg: &[u8]) {
    s.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    s.read_exact(&mut back).unwrap();
    assert_eq!(back, msg);
}

/// A protocol made with ServerCore::with_link sees its connection's addresses and can stop
/// the whole server: every connection closes and the server passes Shutdown on signal.
#[test]
fn protocol_stops_the_server_through_its_link() {
    guarded(|| {
        let (tx, rx) = mpsc::channel();
        let mut running = start(ServerCore::with_link(local(), move |link| {
            tx.send((link.peer(), link.local())).ok();
            Commanded::new(link)
        }));
        let mut bystander = connect(running.address);
        round_trip(&mut bystander, b"here");
        let (peer, local) = rx.recv_timeout(WAIT).unwrap();
        assert_eq!(peer, bystander.local_addr().unwrap());
        assert_eq!(local, running.address);
        let mut commander = connect(running.address);
        round_trip(&mut commander, b"ready");
        commander.write_all(b"stop").unwrap();
        assert_eq!(
            running.signal.recv_blocking_timeout(WAIT),
            Ok(Control::Shutdown)
        );
        assert_eq!(read_to_close(&mut bystander), b"");
        assert_eq!(read_to_close(&mut commander), b"");
        running.system.run().unwrap();
        assert!(
            TcpStream::connect(running.address).is_err(),
            "no longer listening"
        );
    });
}

/// finish_server from a protocol stops accepting but lets open connections finish; the server
/// then passes ProducerFinished on signal.
#[test]
fn protocol_finishes_the_server_through_its_link() {
    guarded(|| {
        let mut running = start(ServerCore::with_link(local(), Commanded::new));
        let mut s = connect(running.address);
        round_trip(&mut s, b"ready");
        s.write_all(b"finish").unwrap();
        // Once no longer listening, connecting is refused; the open connection is still served.
        let refused = (0..1000).any(|_| {
            round_trip(&mut s, b"still here");
            TcpStream::connect(running.address).is_err()
        });
        assert!(refused, "the server kept listening");
        round_trip(&mut s, b"after");
        s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut s), b"");
        assert_eq!(
            running.signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        running.system.run().unwrap();
    });
}

/// Shutdown after ProducerFinished still closes the connections that were left to finish.
#[test]
fn shutdown_after_producer_finished_closes_connections() {
    guarded(|| {
        let mut running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()));
        let mut s = connect(running.address);
        round_trip(&mut s, b"a");
        running
            .control
            .send_blocking(Control::ProducerFinished)
            .unwrap();
        round_trip(&mut s, b"b");
        running.control.send_blocking(Control::Shutdown).unwrap();
        assert_eq!(read_to_close(&mut s), b"");
        assert_eq!(
            running.signal.recv_blocking_timeout(WAIT),
            Ok(Control::Shutdown)
        );
        running.system.run().unwrap();
    });
}

/// Ignores its control inbox and never reads its inbox; says when it has started.
#[derive(Boxes)]
struct Stubborn {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
    #[boxes(skip)]
    started: mpsc::Sender<()>,
}

impl Stubborn {
    fn new(started: mpsc::Sender<()>) -> Self {
        Stubborn {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            started,
        }
    }
}

impl Component for Stubborn {
    async fn run(self, _: Context) -> Result<(), Error> {
        self.started.send(()).ok();
        std::future::pending::<()>().await;
        Ok(())
    }
}
kamaelia::impl_stage!([] Stubborn, Vec<u8> => Vec<u8>);

/// A deterministic system running a server whose protocols are [`Stubborn`], with the test's
/// ends of its boxes.
struct Virtual {
    system: System,
    address: SocketAddr,
    control: Outbox<Control>,
    signal: Inbox<Control>,
    errors: Inbox<ServerError>,
    started: mpsc::Receiver<()>,
}

fn start_virtual(configure: impl FnOnce(ServerCore<Stubborn>) -> ServerCore<Stubborn>) -> Virtual {
    let (tx, started) = mpsc::channel();
    let server = configure(ServerCore::new(local(), move |_, _| {
        Stubborn::new(tx.clone())
    }));
    let mut system = System::deterministic();
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).unwrap();
    let control = Outbox::new();
    axon::link(&control, &server.control).unwrap();
    let signal = Inbox::new();
    axon::link(&server.signal, &signal).unwrap();
    let errors = Inbox::unbounded();
    axon::link(&server.errors, &errors).unwrap();
    system.spawn(server);
    system.run_until_idle();
    let address = addresses.try_recv().expect("server listening");
    Virtual {
        system,
        address,
        control,
        signal,
        errors,
        started,
    }
}

impl Virtual {
    /// Drives the system until a connection's protocol has started (the connection was made in
    /// the kernel; the system has to notice it).
    fn until_protocol_started(&mut self) {
        let give_up = std::time::Instant::now() + WAIT;
        while self.started.try_recv().is_err() {
            assert!(std::time::Instant::now() < give_up, "no protocol started");
            self.system.run_until_idle();
            std::thread::yield_now();
        }
    }
}

/// A protocol that ignores Shutdown holds server shutdown only for the grace period (virtual
/// time here): then it is cancelled, reported on errors, and the server ends.
#[test]
fn protocol_ignoring_shutdown_is_cancelled_after_the_grace_period() {
    guarded(|| {
        let mut v = start_virtual(|s| s.grace_period(Duration::from_secs(5)));
        let mut client = connect(v.address);
        let name = format!("protocol for {}", client.local_addr().unwrap());
        v.until_protocol_started();
        v.control.try_send(Control::Shutdown).unwrap();
        v.system.run_until_idle();
        v.system.advance(Duration::from_millis(4_900));
        assert!(
            v.signal.try_recv().is_err(),
            "ended before the grace period"
        );
        assert!(v.errors.try_recv().is_err());
        v.system.advance(Duration::from_millis(100));
        assert_eq!(
            v.errors.try_recv(),
            Ok(ServerError::Cancelled {
                component: name,
                grace: Duration::from_secs(5)
            })
        );
        assert_eq!(v.signal.try_recv(), Ok(Control::Shutdown));
        v.system.run().unwrap();
        assert_eq!(read_to_close(&mut client), b"");
    });
}

/// A protocol that ignores the Shutdown it gets when its connection breaks is cancelled after
/// the grace period, so it cannot hold a connection slot for ever.
#[test]
fn protocol_ignoring_shutdown_after_reset_is_cancelled() {
    guarded(|| {
        let mut v = start_virtual(|s| s.grace_period(Duration::from_secs(2)).max_connections(1));
        let client = connect(v.address);
        let name = format!("protocol for {}", client.local_addr().unwrap());
        v.until_protocol_started();
        reset(client);
        // The reset ends the socket adapter; the protocol is told to stop and ignores it.
        let give_up = std::time::Instant::now() + WAIT;
        while v
            .system
            .snapshot()
            .components
            .iter()
            .any(|c| c.name.starts_with("socket for"))
        {
            assert!(
                std::time::Instant::now() < give_up,
                "the reset went unnoticed"
            );
            v.system.run_until_idle();
            std::thread::yield_now();
        }
        v.system.advance(Duration::from_secs(2));
        assert_eq!(
            v.errors.try_recv(),
            Ok(ServerError::Cancelled {
                component: name.clone(),
                grace: Duration::from_secs(2)
            })
        );
        v.system.run_until_idle();
        assert!(!v
            .system
            .snapshot()
            .components
            .iter()
            .any(|c| c.name == name));
        // The slot is free again: a new connection is served.
        let _next = connect(v.address);
        v.until_protocol_started();
        v.control.try_send(Control::Shutdown).unwrap();
        v.system.advance(Duration::from_secs(2));
        assert_eq!(v.signal.try_recv(), Ok(Control::Shutdown));
        v.system.run().unwrap();
    });
}

/// Never reads its inbox; stops on any control message.
#[derive(Boxes)]
struct Deaf {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
}

impl Component for Deaf {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        let c = self.control.recv().await.unwrap_or(Control::Shutdown);
        self.signal.send(c).await.ok();
        Ok(())
    }
}
kamaelia::impl_stage!([] Deaf, Vec<u8> => Vec<u8>);

/// A fast client sending far more than the bounded boxes hold to a protocol that never reads
/// does not grow the server's memory: the socket stops being read once the protocol's inbox is
/// full, so the adapter has read at most (inbox capacity + 1) chunks.
#[test]
fn fast_client_cannot_grow_server_memory() {
    guarded(|| {
        const CHUNK: usize = 1024;
        let running = start(
            ServerCore::new(local(), |_, _| Deaf {
                inbox: Inbox::new(),
                control: Inbox::new(),
                outbox: Outbox::new(),
                signal: Outbox::new(),
            })
            .chunk_size(CHUNK),
        );
        let mut s = connect(running.address);
        let socket_name = format!("socket for {}", s.local_addr().unwrap());
        let protocol_name = format!("protocol for {}", s.local_addr().unwrap());
        s.set_write_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let block = vec![7u8; 64 * 1024];
        let total = 64 * 1024 * 1024;
        let mut written = 0usize;
        while written < total {
            match s.write(&block) {
                Ok(n) => written += n,
                Err(e) => {
                    assert!(
                        matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ),
                        "{e}"
                    );
                    break;
                }
            }
        }
        assert!(written < total, "the server took all {total} bytes");
        let snapshot = running.system.snapshot();
        let stats = |component: &str, box_name: &str| {
            let c = snapshot
                .components
                .iter()
                .find(|c| c.name == component)
                .unwrap_or_else(|| panic!("{component} is running"));
            c.boxes
                .iter()
                .find(|b| b.info.name == box_name)
                .unwrap_or_else(|| panic!("{component} has {box_name}"))
                .stats
        };
        let inbox = stats(&protocol_name, "inbox");
        let capacity = inbox.capacity.expect("a bounded inbox");
        let chunks_read = stats(&socket_name, "outbox").messages_in;
        assert_eq!(inbox.depth, capacity, "the protocol's inbox is full");
        assert_eq!(
            chunks_read, capacity as u64,
            "reading stopped when it filled"
        );
        let most_read = (capacity + 1) * CHUNK;
        assert!(
            written > 2 * most_read,
            "wrote {written}, the server holds at most {most_read}"
        );
        stop(running, Control::Shutdown);
    });
}

/// Environment variable that makes [`accept_failures_child`] run (in a child process with a
/// low open-file limit).
const CHILD: &str = "KAMAELIA_ACCEPT_FAILURES_CHILD";

/// Persistent accept failures (too many open files) do not kill the server and are not a hot
/// loop: each is reported with the failures in a row and a pause that doubles up to the cap;
/// once files are free again the waiting client is served. Runs [`accept_failures_child`] in a
/// process of its own, whose open-file limit is lowered (so other tests are not starved).
#[test]
fn accept_failures_back_off_and_recover() {
    guarded(|| {
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -n 256 && exec \"$0\" \"$@\"")
            .arg(exe)
            .args([
                "accept_failures_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "child test failed:\n{text}");
        assert!(text.contains("1 passed"), "child test did not run:\n{text}");
    });
}

/// The child half of [`accept_failures_back_off_and_recover`]; does nothing unless run by it.
#[test]
#[ignore = "run by accept_failures_back_off_and_recover in a process of its own"]
fn accept_failures_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let server = ServerCore::new(local(), |_, _| EchoProtocol::new())
        .accept_retry(Duration::from_millis(20), Duration::from_millis(80));
    let mut errors = Inbox::unbounded();
    axon::link(&server.errors, &errors).unwrap();
    let running = start(server);
    // Use up every free file descriptor but one, which the client takes.
    let mut hoard = Vec::new();
    while let Ok(f) = std::fs::File::open("/dev/null") {
        hoard.push(f);
    }
    hoard.pop();
    let mut client = connect(running.address);
    let mut pauses = Vec::new();
    let first = std::time::Instant::now();
    for n in 1..=4u64 {
        match errors
            .recv_blocking_timeout(WAIT)
            .expect("a failure report")
        {
            ServerError::AcceptFailed {
                failures,
                error,
                retry_in,
                address,
            } => {
                assert_eq!(failures, n);
                assert_eq!(address, running.address);
                assert!(error.to_lowercase().contains("open files"), "{error}");
                pauses.push(retry_in);
            }
            other => panic!("unexpected report {other:?}"),
        }
    }
    let ms = Duration::from_millis;
    assert_eq!(pauses, [ms(20), ms(40), ms(80), ms(80)]);
    // The four reports are separated by the first three pauses: not a hot loop.
    assert!(first.elapsed() >= ms(20 + 40 + 80), "{:?}", first.elapsed());
    drop(hoard);
    round_trip(&mut client, b"served at last");
    stop(running, Control::Shutdown);
}
