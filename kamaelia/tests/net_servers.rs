//! Servers and protocols: SimpleServer, SingleServer and FortuneCookieProtocol, over 127.0.0.1
//! only (the protocol alone on virtual time). Every wait is bounded: blocking reads with read
//! timeouts, blocking receives with timeouts, and each network test runs under [`guarded`].

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use axon::{Control, Inbox, Outbox, System};
use common::tcp::{connect, guarded, read_to_close, WAIT};
use common::{drain, harness, only_failure};
use kamaelia::net::{ConnectionEvent, EchoProtocol, SimpleServer, SingleServer};
use kamaelia::protocol::fortune_cookie::FortuneCookieProtocol;

/// Receives chunks until `n` bytes have arrived.
fn receive(inbox: &mut Inbox<Vec<u8>>, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < n {
        got.extend(inbox.recv_blocking_timeout(WAIT).expect("bytes"));
    }
    got
}

// ---------------------------------------------------------------------------------------------
// SimpleServer

/// SimpleServer runs the factory's protocol for each connection, like ServerCore.
#[test]
fn simple_server_runs_a_protocol_per_connection() {
    guarded(|| {
        let mut system = System::new();
        let server = SimpleServer::loopback(0, EchoProtocol::new);
        let mut addresses = Inbox::new();
        axon::link(&server.addresses, &addresses).unwrap();
        let mut control = Outbox::new();
        axon::link(&control, &server.control).unwrap();
        let mut signal = Inbox::new();
        axon::link(&server.signal, &signal).unwrap();
        system.spawn(server);
        system.start();
        let address = addresses.recv_blocking_timeout(WAIT).unwrap();
        assert!(address.ip().is_loopback());
        let mut a = connect(address);
        let mut b = connect(address);
        for (s, msg) in [(&mut a, b"from a"), (&mut b, b"from b")] {
            s.write_all(msg).unwrap();
            let mut back = [0u8; 6];
            s.read_exact(&mut back).unwrap();
            assert_eq!(&back, msg);
        }
        control.send_blocking(Control::Shutdown).unwrap();
        assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
        assert_eq!(read_to_close(&mut a), b"");
        system.run().unwrap();
    });
}

/// SimpleServer::new listens on every IPv4 interface (as Kamaelia's did); loopback only on
/// 127.0.0.1.
#[test]
fn simple_server_new_listens_on_every_interface() {
    let everywhere = format!("{:?}", SimpleServer::new(1601, EchoProtocol::new));
    assert!(everywhere.contains("0.0.0.0:1601"), "{everywhere}");
    let here = format!("{:?}", SimpleServer::loopback(1601, EchoProtocol::new));
    assert!(here.contains("127.0.0.1:1601"), "{here}");
}

// ---------------------------------------------------------------------------------------------
// SingleServer

/// The test's ends of a running SingleServer.
struct Single {
    system: System,
    address: SocketAddr,
    to_client: Outbox<Vec<u8>>,
    control: Outbox<Control>,
    from_client: Inbox<Vec<u8>>,
    events: Inbox<ConnectionEvent>,
    signal: Inbox<Control>,
}

fn start_single() -> Single {
    let server = SingleServer::new("127.0.0.1:0".parse().unwrap());
    let mut system = System::new();
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).unwrap();
    let (to_client, control) = (Outbox::new(), Outbox::new());
    axon::link(&to_client, &server.inbox).unwrap();
    axon::link(&control, &server.control).unwrap();
    let (from_client, events, signal) = (Inbox::new(), Inbox::unbounded(), Inbox::new());
    axon::link(&server.outbox, &from_client).unwrap();
    axon::link(&server.connections, &events).unwrap();
    axon::link(&server.signal, &signal).unwrap();
    system.spawn(server);
    system.start();
    let address = addresses.recv_blocking_timeout(WAIT).unwrap();
    Single {
        system,
        address,
        to_client,
        control,
        from_client,
        events,
        signal,
    }
}

impl Single {
    fn event(&mut self) -> ConnectionEvent {
        self.events
            .recv_blocking_timeout(WAIT)
            .expect("a connection event")
    }

    fn stop(mut self) {
        self.control.send_blocking(Control::Shutdown).unwrap();
        assert_eq!(
            self.signal.recv_blocking_timeout(WAIT),
            Ok(Control::Shutdown)
        );
        self.system.run().unwrap();
    }
}

fn opened(s: &TcpStream) -> ConnectionEvent {
    ConnectionEvent::Opened {
        peer: s.local_addr().unwrap(),
    }
}

fn closed(s: &TcpStream) -> ConnectionEvent {
    ConnectionEvent::Closed {
        peer: s.local_addr().unwrap(),
        error: None,
    }
}

/// The client's bytes come out of the server's outbox; what is sent to its inbox reaches the
/// client — including what was sent before anyone connected, held until then.
#[test]
fn single_server_relays_both_ways_and_holds_data_until_a_client_connects() {
    guarded(|| {
        let mut single = start_single();
        single.to_client.send_blocking(b"early ".to_vec()).unwrap();
        single.to_client.send_blocking(b"bird".to_vec()).unwrap();
        let mut client = connect(single.address);
        let mut got = [0u8; 10];
        client.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"early bird");
        assert_eq!(single.event(), opened(&client));
        client.write_all(b"worm").unwrap();
        assert_eq!(receive(&mut single.from_client, 4), b"worm");
        single.to_client.send_blocking(b"more".to_vec()).unwrap();
        let mut more = [0u8; 4];
        client.read_exact(&mut more).unwrap();
        assert_eq!(&more, b"more");
        single.stop();
        assert_eq!(read_to_close(&mut client), b"");
    });
}

/// One client at a time: a second client is not served until the first has gone, and the
/// server's signal says nothing about clients coming and going.
#[test]
fn single_server_serves_one_client_at_a_time() {
    guarded(|| {
        let mut single = start_single();
        let mut first = connect(single.address);
        assert_eq!(single.event(), opened(&first));
        let mut second = connect(single.address);
        second.write_all(b"2").unwrap(); // waits in the kernel: not accepted yet
        first.write_all(b"1").unwrap();
        assert_eq!(receive(&mut single.from_client, 1), b"1");
        first.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut first), b"");
        assert_eq!(single.event(), closed(&first));
        assert_eq!(single.event(), opened(&second));
        assert_eq!(receive(&mut single.from_client, 1), b"2");
        single.to_client.send_blocking(b"to 2".to_vec()).unwrap();
        let mut got = [0u8; 4];
        second.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"to 2");
        assert!(
            single.signal.try_recv().is_err(),
            "nothing on signal per client"
        );
        single.stop();
    });
}

/// Data queued when a client leaves goes to the next client, in order.
#[test]
fn single_server_keeps_queued_data_for_the_next_client() {
    guarded(|| {
        let mut single = start_single();
        let mut first = connect(single.address);
        assert_eq!(single.event(), opened(&first));
        first.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut first), b"");
        assert_eq!(single.event(), closed(&first));
        single.to_client.send_blocking(b"for ".to_vec()).unwrap();
        single.to_client.send_blocking(b"next".to_vec()).unwrap();
        let mut next = connect(single.address);
        let mut got = [0u8; 8];
        next.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"for next");
        single.stop();
    });
}

/// ProducerFinished while nobody is connected: the queued bytes wait for the next client, who
/// gets them all before the server closes; the server then ends with ProducerFinished.
#[test]
fn single_server_producer_finished_delivers_queued_data_then_ends() {
    guarded(|| {
        let mut single = start_single();
        single.to_client.send_blocking(b"last ".to_vec()).unwrap();
        single.to_client.send_blocking(b"words".to_vec()).unwrap();
        single
            .control
            .send_blocking(Control::ProducerFinished)
            .unwrap();
        let mut client = connect(single.address);
        assert_eq!(read_to_close(&mut client), b"last words");
        client.write_all(b"reply").unwrap(); // the server reads on until the client closes
        assert_eq!(receive(&mut single.from_client, 5), b"reply");
        drop(client);
        assert_eq!(
            single.signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        single.system.run().unwrap();
    });
}

/// ProducerFinished with nothing queued and nobody connected ends the server at once.
#[test]
fn single_server_producer_finished_when_idle_ends_at_once() {
    guarded(|| {
        let mut single = start_single();
        single
            .control
            .send_blocking(Control::ProducerFinished)
            .unwrap();
        assert_eq!(
            single.signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        single.system.run().unwrap();
        assert!(
            TcpStream::connect(single.address).is_err(),
            "no longer listening"
        );
    });
}

/// Shutdown closes the connected client at once and ends the server.
#[test]
fn single_server_shutdown_closes_the_client() {
    guarded(|| {
        let mut single = start_single();
        let mut client = connect(single.address);
        assert_eq!(single.event(), opened(&client));
        let address = single.address;
        single.stop();
        assert_eq!(read_to_close(&mut client), b"");
        assert!(TcpStream::connect(address).is_err(), "no longer listening");
    });
}

/// A `connections` reader that does not keep up makes the server wait, but a Shutdown still
/// stops it.
#[test]
fn single_server_shutdown_is_seen_while_a_connection_event_waits_for_room() {
    guarded(|| {
        let server = SingleServer::new("127.0.0.1:0".parse().unwrap());
        let mut system = System::new();
        let mut addresses = Inbox::new();
        axon::link(&server.addresses, &addresses).unwrap();
        let control = Outbox::new();
        axon::link(&control, &server.control).unwrap();
        // Room for one event, and nobody reading it.
        let (events, mut signal) = (Inbox::<ConnectionEvent>::with_capacity(1), Inbox::new());
        axon::link(&server.connections, &events).unwrap();
        axon::link(&server.signal, &signal).unwrap();
        let mut control = control;
        system.spawn(server);
        system.start();
        let address = addresses.recv_blocking_timeout(WAIT).unwrap();
        // Opened fills the box; Closed waits for room.
        let mut client = connect(address);
        client.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut client), b"");
        control.send_blocking(Control::Shutdown).unwrap();
        assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
        system.run().unwrap();
        assert_eq!(events.len(), 1);
    });
}

// ---------------------------------------------------------------------------------------------
// FortuneCookieProtocol

/// The fortune goes out at the configured rate, measured on virtual time, then
/// ProducerFinished.
#[test]
fn fortune_is_rate_limited_on_virtual_time() {
    let mut system = System::deterministic();
    let mut h = harness(
        &system,
        FortuneCookieProtocol::with_fortunes(["0123456789"]).chars_per_second(5),
    );
    system.run_until_idle();
    assert_eq!(drain(&mut h.output), [b"0".to_vec()]);
    system.advance(Duration::from_millis(199));
    assert!(drain(&mut h.output).is_empty());
    system.advance(Duration::from_millis(1));
    assert_eq!(drain(&mut h.output), [b"1".to_vec()]);
    system.advance(Duration::from_millis(1_000));
    assert_eq!(drain(&mut h.output).concat(), b"23456");
    assert!(drain(&mut h.signal).is_empty());
    system.advance(Duration::from_millis(800));
    assert_eq!(drain(&mut h.output).concat(), b"789");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
    system.run().unwrap();
}

/// Faster rates send several characters per chunk, at most 40 chunks a second, cut on
/// character boundaries.
#[test]
fn fortune_chunks_are_whole_characters() {
    let mut system = System::deterministic();
    let text = "héllo wörld, ça va?";
    let mut h = harness(
        &system,
        FortuneCookieProtocol::with_fortunes([text]).chars_per_second(120),
    );
    system.run().unwrap();
    let chunks = drain(&mut h.output);
    for chunk in &chunks[..chunks.len() - 1] {
        let s = std::str::from_utf8(chunk).expect("whole characters");
        assert_eq!(s.chars().count(), 3);
    }
    assert_eq!(chunks.concat(), text.as_bytes());
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// The default is 40 characters a second from the built-in list: one character each 25 ms.
#[test]
fn fortune_defaults_to_40_characters_a_second_from_the_built_in_list() {
    let mut system = System::deterministic();
    let mut h = harness(&system, FortuneCookieProtocol::new());
    system.run_until_idle();
    assert_eq!(drain(&mut h.output).len(), 1);
    system.advance(Duration::from_millis(250));
    assert_eq!(drain(&mut h.output).len(), 10);
    system.run().unwrap();
    let text = String::from_utf8(drain(&mut h.output).concat()).unwrap();
    assert!(text.ends_with('\n') && text.len() > 20, "{text:?}");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A fortune file is read when the protocol starts; lines holding only `%` separate fortunes.
#[test]
fn fortune_file_is_split_on_percent_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fortunes");
    std::fs::write(&path, "first\n%\nsecond,\ntwo lines\n%\nthird\n").unwrap();
    let mut system = System::deterministic();
    let mut h = harness(
        &system,
        FortuneCookieProtocol::from_file(&path)
            .pick(1)
            .chars_per_second(1000),
    );
    system.run().unwrap();
    assert_eq!(drain(&mut h.output).concat(), b"second,\ntwo lines\n");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A missing fortune file sends Failed naming the file and ends the protocol with that error.
#[test]
fn fortune_missing_file_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no such file");
    let mut system = System::deterministic();
    let mut h = harness(&system, FortuneCookieProtocol::from_file(&path));
    system.run().unwrap();
    let signals = drain(&mut h.signal);
    let reason = signals[0].failure().expect("Failed").to_string();
    assert!(reason.contains(&path.display().to_string()), "{reason}");
    let failure = only_failure(&system);
    assert!(failure.ends_with(&reason), "{failure}");
    assert!(drain(&mut h.output).is_empty());
}

/// Shutdown stops the fortune at once and is passed on; ProducerFinished (the client will send
/// nothing more) does not stop it.
#[test]
fn fortune_stops_on_shutdown_but_not_on_producer_finished() {
    let mut system = System::deterministic();
    let mut h = harness(
        &system,
        FortuneCookieProtocol::with_fortunes(["abcdef"]).chars_per_second(10),
    );
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.advance(Duration::from_millis(200));
    assert_eq!(drain(&mut h.output).concat(), b"abc");
    assert!(drain(&mut h.signal).is_empty());
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A reader that takes nothing does not hide a stop: while a chunk waits for room,
/// ProducerFinished changes nothing and Shutdown ends the protocol and is passed on.
#[test]
fn fortune_waiting_for_room_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let fortune = FortuneCookieProtocol::with_fortunes(["abcdef"]).chars_per_second(10);
    let (mut stop, mut signal) = (Outbox::new(), Inbox::new());
    let full = Inbox::<Vec<u8>>::with_capacity(1);
    axon::link(&stop, &fortune.control).unwrap();
    axon::link(&fortune.outbox, &full).unwrap();
    axon::link(&fortune.signal, &signal).unwrap();
    let id = system.spawn(fortune);
    system.advance(Duration::from_secs(1));
    stop.try_send(Control::ProducerFinished).unwrap();
    system.advance(Duration::from_secs(1));
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room"
    );
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(full.len(), 1);
}

/// Over TCP: a client connecting to a SimpleServer running FortuneCookieProtocol reads one
/// whole fortune, then the server closes the connection.
#[test]
fn fortune_server_sends_a_fortune_then_closes() {
    guarded(|| {
        let mut system = System::new();
        let server = SimpleServer::loopback(0, || {
            FortuneCookieProtocol::with_fortunes(["Fortune favours the bounded.\n"])
                .chars_per_second(10_000)
        });
        let mut addresses = Inbox::new();
        axon::link(&server.addresses, &addresses).unwrap();
        let mut control = Outbox::new();
        axon::link(&control, &server.control).unwrap();
        system.spawn(server);
        system.start();
        let address = addresses.recv_blocking_timeout(WAIT).unwrap();
        let mut client = connect(address);
        assert_eq!(
            read_to_close(&mut client),
            b"Fortune favours the bounded.\n"
        );
        control.send_blocking(Control::Shutdown).unwrap();
        system.run().unwrap();
    });
}

// ---------------------------------------------------------------------------------------------
// Catalogue

/// The new servers and protocols are in the catalogue under their Kamaelia names.
#[test]
fn servers_and_protocols_are_catalogued() {
    let entries = kamaelia::catalogue::all();
    for (name, kamaelia_name) in [
        (
            "SimpleServer",
            "Kamaelia.Chassis.ConnectedServer.SimpleServer",
        ),
        (
            "SingleServer",
            "Kamaelia.Internet.SingleServer.SingleServer",
        ),
        (
            "FortuneCookieProtocol",
            "Kamaelia.Protocol.FortuneCookieProtocol.FortuneCookieProtocol",
        ),
        ("ServerCore", "Kamaelia.Chassis.ConnectedServer.ServerCore"),
    ] {
        let e = entries
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is catalogued"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        for standard in ["inbox", "control", "outbox", "signal"] {
            assert!(
                e.boxes.iter().any(|b| b.name == standard),
                "{name}.{standard}"
            );
        }
    }
}
