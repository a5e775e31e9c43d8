//! TcpClient: talking to a ServerCore, ProducerFinished and Shutdown on its control (also
//! while it is still connecting), a refused or reset connection (Failed on signal, naming the
//! address) and the server closing normally. Over 127.0.0.1 only. Every wait is bounded:
//! blocking reads with read timeouts, blocking receives with timeouts, and each test runs under
//! [`guarded`], which fails it if it hangs.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};

use axon::{Control, Inbox, Outbox, System};
use common::tcp::{guarded, local, read_to_close, reset, start, stop, WAIT};
use kamaelia::net::{EchoProtocol, ServerCore, TcpClient};

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
