//! TCP networking: ServerCore, EchoProtocol, ConnectedSocketAdapter and TcpClient, over
//! 127.0.0.1 only. Every wait is bounded: blocking reads with read timeouts, blocking receives
//! with timeouts.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use kamaelia::net::{EchoProtocol, ServerCore, TcpClient};
use kamaelia::Stage;

const WAIT: Duration = Duration::from_secs(10);

/// A running server: the system, the address it bound, and its control and signal.
struct Running {
    system: System,
    address: SocketAddr,
    control: Outbox<Control>,
    signal: Inbox<Control>,
}

fn start<P, F>(server: ServerCore<P, F>) -> Running
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
    F: FnMut(SocketAddr, SocketAddr) -> P + Send + 'static,
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
}

/// The peer closing its side arrives as ProducerFinished on the protocol's control, after all
/// its bytes; what the protocol sends then still reaches the peer before the close.
#[test]
fn peer_close_delivers_producer_finished_to_protocol() {
    let (tx, rx) = mpsc::channel();
    let running = start(ServerCore::new(local(), move |_, _| Spy::new(tx.clone())));
    let mut s = connect(running.address);
    s.write_all(b"last words").unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    assert_eq!(rx.recv_timeout(WAIT), Ok(Control::ProducerFinished));
    assert_eq!(read_to_close(&mut s), b"last words");
    stop(running, Control::Shutdown);
}

/// A protocol that ends closes its connection, after the peer got everything it sent; the
/// factory sees the peer's address.
#[test]
fn protocol_ending_closes_the_connection() {
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
}

/// Shutdown on the server's control closes every open connection, tells each protocol, and
/// passes Shutdown on signal.
#[test]
fn server_shutdown_closes_connections() {
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
}

/// ProducerFinished on the server's control stops accepting but lets open connections finish;
/// the server then passes ProducerFinished on signal.
#[test]
fn server_producer_finished_lets_connections_finish() {
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
}

/// With a connection limit, a connection beyond it is served only once an earlier one ends.
#[test]
fn connection_limit_defers_extra_connections() {
    let running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()).max_connections(1));
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
}

/// Backpressure end to end: a peer that sends but never reads the echoes is stopped by TCP
/// once the bounded boxes and socket buffers are full — the server does not buffer without end.
#[test]
fn unread_echoes_stop_the_server_reading() {
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
}

/// A TcpClient talks to a ServerCore running EchoProtocol; ProducerFinished on its control
/// sends what is queued, half-closes, reads the rest of the replies, then passes it on.
#[test]
fn tcp_client_talks_to_server_core_with_echo() {
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
}

/// Shutdown on a TcpClient's control closes its connection at once and is passed on.
#[test]
fn tcp_client_shutdown_closes_the_connection() {
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
}

/// A refused connection ends the TcpClient with an error naming the address, after Shutdown
/// on signal.
#[test]
fn tcp_client_connection_refused_names_the_address() {
    let address = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    }; // closed again: nothing listens there
    let mut system = System::new();
    let client = TcpClient::new(address.to_string());
    let mut signal = Inbox::new();
    axon::link(&client.signal, &signal).unwrap();
    system.spawn(client);
    system.start();
    assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
    system.run().unwrap();
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    let what = &failures[0].what;
    assert!(
        what.contains(&format!("cannot connect to {address}")),
        "{what}"
    );
}
