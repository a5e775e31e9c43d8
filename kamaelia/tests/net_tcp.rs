//! TCP connections: what a ServerCore's protocols see of their peers (several clients echoed at
//! once, the peer closing or resetting, the protocol ending and closing its connection) and the
//! ConnectedSocketAdapter underneath (a write to a peer that never reads timing out; what was
//! read still delivered when a write fails). Over 127.0.0.1 only. Every wait is bounded:
//! blocking reads with read timeouts, blocking receives with timeouts, and each test runs under
//! [`guarded`], which fails it if it hangs.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use axon::model::EventKind;
use axon::{Boxes, Component, ComponentState, Context, Control, Error, Inbox, Outbox, System};
use common::tcp::{connect, guarded, local, read_to_close, reset, start, stop, Spy, WAIT};
use kamaelia::net::{ConnectedSocketAdapter, EchoProtocol, ServerCore};

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
