//! UDP and multicast components over real sockets, on 127.0.0.1 only: multicast uses groups in
//! 239.255.0.0/16 with the loopback interface for both sending (`IP_MULTICAST_IF`) and joining,
//! so nothing leaves the host. Every wait is on the event itself, bounded by a timeout that only
//! guards against a hang.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::time::Duration;

use axon::{Control, Inbox, Outbox, System};
use kamaelia::catalogue::Family;
use kamaelia::chassis::Pipeline;
use kamaelia::file::ChunkReader;
use kamaelia::net::multicast::{MulticastReceiver, MulticastSender, MulticastTransceiver};
use kamaelia::net::udp::{
    Datagram, PostboxPeer, SendFailure, SimplePeer, TargettedPeer, UdpReceiver, UdpSender,
    MAX_DATAGRAM,
};
use kamaelia::util::sources::NullSink;
use kamaelia::Stage;

const WAIT: Duration = Duration::from_secs(10);

fn lo() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A plain socket on 127.0.0.1 that gives up reading after [`WAIT`].
fn plain() -> UdpSocket {
    let s = UdpSocket::bind(lo()).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// The next datagram on a plain socket.
fn recv(s: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0; 65_536];
    let (n, from) = s
        .recv_from(&mut buf)
        .expect("a datagram before the timeout");
    buf.truncate(n);
    (buf, from)
}

/// True if nothing is waiting on `s` now. Loopback delivers within the sending call, so once a
/// sender has ended everything it sent is already queued here.
fn nothing_waiting(s: &UdpSocket) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut buf = [0; 16];
    let empty =
        matches!(s.recv_from(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    s.set_nonblocking(false).unwrap();
    empty
}

fn next<T: Send + 'static>(inbox: &mut Inbox<T>, what: &str) -> T {
    inbox
        .recv_blocking_timeout(WAIT)
        .unwrap_or_else(|e| panic!("waiting for {what}: {e:?}"))
}

/// Links an outbox to a fresh inbox.
fn tap<T: Send + 'static>(outbox: &Outbox<T>) -> Inbox<T> {
    let inbox = Inbox::unbounded();
    axon::link(outbox, &inbox).unwrap();
    inbox
}

/// Links a fresh outbox to an inbox.
fn feed<T: Send + 'static>(inbox: &Inbox<T>) -> Outbox<T> {
    let outbox = Outbox::new();
    axon::link(&outbox, inbox).unwrap();
    outbox
}

/// A group in 239.255.0.0/16 (organisation-local), one per test so tests running at the same
/// time do not hear each other.
fn group(n: u8, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(239, 255, 77, n), port)
}

/// A running multicast receiver on loopback: its port, datagrams and control.
struct Joined {
    port: u16,
    datagrams: Inbox<Datagram>,
    control: Outbox<Control>,
    signal: Inbox<Control>,
}

fn join(system: &mut System, receiver: MulticastReceiver) -> Joined {
    let receiver = receiver.interface(Ipv4Addr::LOCALHOST);
    let mut addresses = tap(&receiver.addresses);
    let datagrams = tap(&receiver.outbox);
    let control = feed(&receiver.control);
    let signal = tap(&receiver.signal);
    system.spawn(receiver);
    system.start();
    let port = next(&mut addresses, "the receiver's address").port();
    Joined {
        port,
        datagrams,
        control,
        signal,
    }
}

// ---------------------------------------------------------------------------------------------
// UdpSender and UdpReceiver

/// Datagrams from a UdpSender reach a UdpReceiver whole and in order (empty ones too), each
/// with the sender's address.
#[test]
fn udp_sender_to_receiver_delivers_each_datagram_with_its_source() {
    let mut system = System::new();
    let receiver = UdpReceiver::new(lo());
    let mut bound = tap(&receiver.addresses);
    let mut datagrams = tap(&receiver.outbox);
    let mut stop_receiver = feed(&receiver.control);
    system.spawn(receiver);
    system.start();
    let to = next(&mut bound, "receiver address");

    let sender = UdpSender::new(to).local(lo());
    let mut from = tap(&sender.addresses);
    let mut input = feed(&sender.inbox);
    let mut stop_sender = feed(&sender.control);
    let mut sender_signal = tap(&sender.signal);
    system.spawn(sender);
    let from = next(&mut from, "sender address");
    assert!(from.ip().is_loopback());

    let messages: Vec<Vec<u8>> = (0..20u8).map(|n| vec![n; n as usize * 100]).collect();
    for m in &messages {
        input.send_blocking(m.clone()).unwrap();
    }
    stop_sender
        .send_blocking(Control::ProducerFinished)
        .unwrap();
    for m in &messages {
        let d = next(&mut datagrams, "a datagram");
        assert_eq!((&d.data, d.from), (m, from));
    }
    assert_eq!(
        next(&mut sender_signal, "sender signal"),
        Control::ProducerFinished
    );
    stop_receiver.send_blocking(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// ProducerFinished on a UdpSender sends everything queued before it, then ends.
#[test]
fn udp_sender_producer_finished_sends_everything_queued() {
    let listener = plain();
    let mut system = System::new();
    let sender = UdpSender::new(listener.local_addr().unwrap()).local(lo());
    let mut input = feed(&sender.inbox);
    let mut stop = feed(&sender.control);
    let mut signal = tap(&sender.signal);
    for n in 0..100u32 {
        input.try_send(n.to_be_bytes().to_vec()).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(sender);
    system.run().unwrap();
    for n in 0..100u32 {
        assert_eq!(recv(&listener).0, n.to_be_bytes());
    }
    assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
}

/// Shutdown on a UdpSender ends it at once: what is queued is not sent.
#[test]
fn udp_sender_shutdown_discards_what_is_queued() {
    let listener = plain();
    let mut system = System::new();
    let sender = UdpSender::new(listener.local_addr().unwrap()).local(lo());
    let mut input = feed(&sender.inbox);
    let mut stop = feed(&sender.control);
    let mut signal = tap(&sender.signal);
    input.try_send(b"never".to_vec()).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(sender);
    system.run().unwrap();
    assert_eq!(signal.try_recv(), Ok(Control::Shutdown));
    assert!(nothing_waiting(&listener));
}

/// A datagram longer than the UDP limit is reported on `errors` naming the destination, and
/// the sender goes on; one of exactly the limit is sent.
#[test]
fn udp_sender_reports_an_oversized_datagram_and_goes_on() {
    let listener = plain();
    let to = listener.local_addr().unwrap();
    let mut system = System::new();
    let sender = UdpSender::new(to).local(lo());
    let mut input = feed(&sender.inbox);
    let mut stop = feed(&sender.control);
    let mut errors = tap(&sender.errors);
    input.try_send(vec![1; MAX_DATAGRAM + 1]).unwrap();
    input.try_send(vec![2; MAX_DATAGRAM]).unwrap();
    input.try_send(b"after".to_vec()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn_named("sender", sender);
    system.run().unwrap();
    assert_eq!(recv(&listener).0, vec![2; MAX_DATAGRAM]);
    assert_eq!(recv(&listener).0, b"after");
    let failure: SendFailure = errors.try_recv().unwrap();
    assert_eq!((failure.to, failure.bytes), (to, MAX_DATAGRAM + 1));
    assert_eq!(failure.kind, std::io::ErrorKind::InvalidInput);
    let text = failure.to_string();
    assert!(
        text.starts_with("sender: cannot send 65508 bytes to 127.0.0.1:"),
        "{text}"
    );
    assert!(errors.try_recv().is_err(), "only one failure");
}

/// A UdpReceiver reports the address it bound (a real port, on 127.0.0.1).
#[test]
fn udp_receiver_reports_the_address_it_bound() {
    let mut system = System::new();
    let receiver = UdpReceiver::new(lo());
    let mut bound = tap(&receiver.addresses);
    let mut stop = feed(&receiver.control);
    system.spawn(receiver);
    system.start();
    let a = next(&mut bound, "address");
    assert!(a.ip().is_loopback() && a.port() != 0, "{a}");
    stop.send_blocking(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A UdpReceiver that cannot bind fails naming the address, and says so on `signal`.
#[test]
fn udp_receiver_bind_failure_names_the_address() {
    let taken = plain();
    let address = taken.local_addr().unwrap();
    let mut system = System::new();
    let receiver = UdpReceiver::new(address);
    let mut signal = tap(&receiver.signal);
    system.spawn_named("receiver", receiver);
    system.run().unwrap();
    let reason = format!("receiver: cannot bind {address}: ");
    let got = signal.try_recv().unwrap();
    assert!(
        got.failure().is_some_and(|r| r.starts_with(&reason)),
        "{got:?}"
    );
    let failures = system.failures();
    assert!(failures[0].what.contains(&reason), "{failures:?}");
}

/// A consumer that reads slowly loses nothing the kernel can hold: the receiver stops reading
/// while its consumer is full, instead of dropping.
#[test]
fn udp_receiver_slow_consumer_loses_nothing_the_kernel_holds() {
    let mut system = System::new();
    let receiver = UdpReceiver::new(lo());
    let mut bound = tap(&receiver.addresses);
    let mut slow = Inbox::with_capacity(1);
    axon::link(&receiver.outbox, &slow).unwrap();
    let mut stop = feed(&receiver.control);
    system.spawn(receiver);
    system.start();
    let to = next(&mut bound, "address");
    let sender = plain();
    for n in 0..50u32 {
        sender.send_to(&n.to_be_bytes(), to).unwrap();
    }
    for n in 0..50u32 {
        assert_eq!(next(&mut slow, "a datagram").data, n.to_be_bytes());
    }
    stop.send_blocking(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A receiver whose consumer has ended stops, sending Shutdown on `signal`.
#[test]
fn udp_receiver_ends_when_its_consumer_has_ended() {
    let mut system = System::new();
    let receiver = UdpReceiver::new(lo());
    let mut bound = tap(&receiver.addresses);
    let mut signal = tap(&receiver.signal);
    let sink = NullSink::new();
    axon::link(&receiver.outbox, &sink.inbox).unwrap();
    let mut stop_sink = feed(&sink.control);
    let mut sink_signal = tap(&sink.signal);
    stop_sink.try_send(Control::Shutdown).unwrap();
    system.spawn(sink);
    system.spawn(receiver);
    system.start();
    next(&mut sink_signal, "the sink ending");
    let to = next(&mut bound, "address");
    let sender = plain();
    // The sink's inbox closes as it ends; datagrams sent before that wait there unread.
    let ended = (0..200).find_map(|_| {
        sender.send_to(b"anyone?", to).unwrap();
        signal.recv_blocking_timeout(Duration::from_millis(50)).ok()
    });
    assert_eq!(ended, Some(Control::Shutdown));
    system.run().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Peers

/// A SimplePeer sends to its fixed address and emits the replies, with the replier's address.
#[test]
fn simple_peer_sends_and_receives_on_one_socket() {
    let server = plain();
    let server_address = server.local_addr().unwrap();
    let mut system = System::new();
    let peer = SimplePeer::new(lo(), server_address);
    let mut bound = tap(&peer.addresses);
    let mut input = feed(&peer.inbox);
    let mut replies = tap(&peer.outbox);
    let mut stop = feed(&peer.control);
    system.spawn(peer);
    system.start();
    let peer_address = next(&mut bound, "address");
    for n in 0..10u8 {
        input.send_blocking(vec![n]).unwrap();
        let (data, from) = recv(&server);
        assert_eq!((data.as_slice(), from), (&[n][..], peer_address));
        server.send_to(&[n, n], from).unwrap();
        let reply = next(&mut replies, "a reply");
        assert_eq!((reply.data, reply.from), (vec![n, n], server_address));
    }
    stop.send_blocking(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A target that arrives before a message applies to it; earlier messages went to the old one.
#[test]
fn targetted_peer_follows_each_new_target() {
    let (a, b) = (plain(), plain());
    let mut system = System::new();
    let peer = TargettedPeer::new(lo(), a.local_addr().unwrap());
    let mut input = feed(&peer.inbox);
    let mut target = feed(&peer.target);
    let mut stop = feed(&peer.control);
    let mut signal = tap(&peer.signal);
    system.spawn(peer);
    system.start();
    for n in 0..3u8 {
        input.send_blocking(vec![n]).unwrap();
    }
    for n in 0..3u8 {
        assert_eq!(recv(&a).0, [n]);
    }
    target.send_blocking(b.local_addr().unwrap()).unwrap();
    for n in 3..6u8 {
        input.send_blocking(vec![n]).unwrap();
    }
    stop.send_blocking(Control::ProducerFinished).unwrap();
    assert_eq!(next(&mut signal, "signal"), Control::ProducerFinished);
    system.run().unwrap();
    for n in 3..6u8 {
        assert_eq!(recv(&b).0, [n]);
    }
    assert!(nothing_waiting(&a));
}

/// A PostboxPeer sends each message to the address it names; a send that fails is reported
/// naming that address, and the next message still goes.
#[test]
fn postbox_peer_sends_to_each_named_address_and_reports_failures() {
    let (a, b) = (plain(), plain());
    let mut system = System::new();
    let peer = PostboxPeer::new(lo());
    let mut input = feed(&peer.inbox);
    let mut stop = feed(&peer.control);
    let mut errors = tap(&peer.errors);
    let unusable: SocketAddr = "[::1]:9".parse().unwrap(); // an IPv6 address from an IPv4 socket
    input
        .try_send((a.local_addr().unwrap(), b"for a".to_vec()))
        .unwrap();
    input.try_send((unusable, b"nowhere".to_vec())).unwrap();
    input
        .try_send((b.local_addr().unwrap(), b"for b".to_vec()))
        .unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn_named("postbox", peer);
    system.run().unwrap();
    assert_eq!(recv(&a).0, b"for a");
    assert_eq!(recv(&b).0, b"for b");
    let failure = errors.try_recv().unwrap();
    assert_eq!((failure.to, failure.bytes), (unusable, 7));
    assert!(
        failure
            .to_string()
            .starts_with("postbox: cannot send 7 bytes to [::1]:9: "),
        "{failure}"
    );
}

// ---------------------------------------------------------------------------------------------
// Shutdown of every component

/// Sends `c` to a running `stage` and returns what it passes on, after it has ended.
fn stopped_with<S: Stage>(stage: S, c: Control) -> Control {
    let mut system = System::new();
    let mut control = feed(stage.control());
    let mut signal = tap(stage.signal());
    system.spawn(stage);
    system.start();
    control.send_blocking(c).unwrap();
    let got = next(&mut signal, "signal");
    system.run().unwrap();
    got
}

/// Every UDP and multicast component passes each stop message on unchanged and ends.
#[test]
fn every_network_component_passes_each_stop_message_on() {
    let to = plain().local_addr().unwrap();
    let g = |n| group(n, 0);
    let lo4 = Ipv4Addr::LOCALHOST;
    for c in [
        Control::ProducerFinished,
        Control::Shutdown,
        Control::failed("upstream"),
    ] {
        let expect = c.clone();
        assert_eq!(
            stopped_with(UdpSender::new(to).local(lo()), c.clone()),
            expect
        );
        assert_eq!(stopped_with(UdpReceiver::new(lo()), c.clone()), expect);
        assert_eq!(stopped_with(SimplePeer::new(lo(), to), c.clone()), expect);
        assert_eq!(
            stopped_with(TargettedPeer::new(lo(), to), c.clone()),
            expect
        );
        assert_eq!(stopped_with(PostboxPeer::new(lo()), c.clone()), expect);
        let sender = MulticastSender::new(group(1, 9)).interface(lo4);
        assert_eq!(stopped_with(sender, c.clone()), expect);
        let receiver = MulticastReceiver::new(g(2)).interface(lo4);
        assert_eq!(stopped_with(receiver, c.clone()), expect);
        let both = MulticastTransceiver::new(g(3)).interface(lo4);
        assert_eq!(stopped_with(both, c.clone()), expect);
    }
}

// ---------------------------------------------------------------------------------------------
// Multicast on loopback

/// Datagrams from a MulticastSender reach a receiver in the group, from the sender's address.
#[test]
fn multicast_sender_reaches_a_receiver_on_loopback() {
    let mut system = System::new();
    let mut r = join(&mut system, MulticastReceiver::new(group(10, 0)));
    let sender = MulticastSender::new(group(10, r.port)).interface(Ipv4Addr::LOCALHOST);
    let mut from = tap(&sender.addresses);
    let mut input = feed(&sender.inbox);
    let mut stop = feed(&sender.control);
    system.spawn(sender);
    let from = next(&mut from, "sender address");
    assert_eq!(from.ip(), Ipv4Addr::LOCALHOST);
    for n in 0..10u8 {
        input.send_blocking(vec![n; 10]).unwrap();
    }
    stop.send_blocking(Control::ProducerFinished).unwrap();
    for n in 0..10u8 {
        let d = next(&mut r.datagrams, "a datagram");
        assert_eq!((d.data, d.from), (vec![n; 10], from));
    }
    r.control.send_blocking(Control::Shutdown).unwrap();
    assert_eq!(next(&mut r.signal, "signal"), Control::Shutdown);
    system.run().unwrap();
}

/// Two receivers on the same group and port (address reuse) both get every datagram.
#[test]
fn multicast_two_receivers_share_a_group_and_port() {
    let mut system = System::new();
    let mut first = join(&mut system, MulticastReceiver::new(group(11, 0)));
    let mut second = join(&mut system, MulticastReceiver::new(group(11, first.port)));
    assert_eq!(first.port, second.port);
    let sender = MulticastSender::new(group(11, first.port)).interface(Ipv4Addr::LOCALHOST);
    let mut input = feed(&sender.inbox);
    let mut stop = feed(&sender.control);
    system.spawn(sender);
    input.send_blocking(b"both".to_vec()).unwrap();
    stop.send_blocking(Control::ProducerFinished).unwrap();
    for r in [&mut first, &mut second] {
        let got = next(&mut r.datagrams, "a datagram");
        assert_eq!(got.data, b"both");
        r.control.send_blocking(Control::Shutdown).unwrap();
    }
    system.run().unwrap();
}

/// A receiver gets the datagrams for its group only, not those for another group on the same
/// port.
#[test]
fn multicast_receiver_gets_only_its_own_group() {
    let mut system = System::new();
    let mut mine = join(&mut system, MulticastReceiver::new(group(12, 0)));
    let mut other = join(&mut system, MulticastReceiver::new(group(13, mine.port)));
    let sender = MulticastSender::new(group(13, mine.port)).interface(Ipv4Addr::LOCALHOST);
    let mut to_other = feed(&sender.inbox);
    let mut stop_other = feed(&sender.control);
    let mut other_done = tap(&sender.signal);
    system.spawn(sender);
    to_other.send_blocking(b"not for you".to_vec()).unwrap();
    stop_other.send_blocking(Control::ProducerFinished).unwrap();
    next(&mut other_done, "the first sender ending");
    assert_eq!(
        next(&mut other.datagrams, "other's datagram").data,
        b"not for you"
    );

    let sender = MulticastSender::new(group(12, mine.port)).interface(Ipv4Addr::LOCALHOST);
    let mut to_mine = feed(&sender.inbox);
    let mut stop_mine = feed(&sender.control);
    system.spawn(sender);
    to_mine.send_blocking(b"for you".to_vec()).unwrap();
    stop_mine.send_blocking(Control::ProducerFinished).unwrap();
    // Loopback delivers in order: had the first datagram reached `mine`, it would come first.
    assert_eq!(next(&mut mine.datagrams, "my datagram").data, b"for you");
    for r in [&mut mine, &mut other] {
        r.control.send_blocking(Control::Shutdown).unwrap();
    }
    system.run().unwrap();
}

/// A transceiver hears its own datagrams (loopback on) and others'; its datagrams reach other
/// members of the group.
#[test]
fn multicast_transceiver_hears_itself_and_others() {
    let mut system = System::new();
    let room = MulticastTransceiver::new(group(14, 0)).interface(Ipv4Addr::LOCALHOST);
    let mut bound = tap(&room.addresses);
    let mut input = feed(&room.inbox);
    let mut heard = tap(&room.outbox);
    let mut stop = feed(&room.control);
    system.spawn(room);
    system.start();
    let port = next(&mut bound, "address").port();
    let mut listener = join(&mut system, MulticastReceiver::new(group(14, port)));

    input.send_blocking(b"mine".to_vec()).unwrap();
    let own = next(&mut heard, "its own datagram");
    assert_eq!(own.data, b"mine");
    assert_eq!(own.from, SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    assert_eq!(next(&mut listener.datagrams, "listener").data, b"mine");

    let other = MulticastSender::new(group(14, port)).interface(Ipv4Addr::LOCALHOST);
    let mut other_input = feed(&other.inbox);
    let mut other_stop = feed(&other.control);
    system.spawn(other);
    other_input.send_blocking(b"theirs".to_vec()).unwrap();
    other_stop.send_blocking(Control::ProducerFinished).unwrap();
    let theirs = next(&mut heard, "another's datagram");
    assert_eq!(theirs.data, b"theirs");
    assert_ne!(theirs.from.port(), port);

    stop.send_blocking(Control::Shutdown).unwrap();
    listener.control.send_blocking(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `send_to` makes a transceiver send to another group than the one it joined.
#[test]
fn multicast_transceiver_sends_to_another_group() {
    let mut system = System::new();
    let mut far = join(&mut system, MulticastReceiver::new(group(15, 0)));
    let room = MulticastTransceiver::new(group(16, 0))
        .interface(Ipv4Addr::LOCALHOST)
        .send_to(group(15, far.port));
    let mut input = feed(&room.inbox);
    let mut stop = feed(&room.control);
    system.spawn(room);
    input.send_blocking(b"over there".to_vec()).unwrap();
    assert_eq!(next(&mut far.datagrams, "a datagram").data, b"over there");
    stop.send_blocking(Control::Shutdown).unwrap();
    far.control.send_blocking(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A group address that is not multicast ends the component at start, naming it.
#[test]
fn multicast_components_refuse_a_non_multicast_group() {
    let not_a_group: SocketAddrV4 = "127.0.0.1:9".parse().unwrap();
    let mut system = System::new();
    let sender = MulticastSender::new(not_a_group).interface(Ipv4Addr::LOCALHOST);
    let mut signal = tap(&sender.signal);
    system.spawn_named("sender", sender);
    let receiver = MulticastReceiver::new(not_a_group).interface(Ipv4Addr::LOCALHOST);
    let mut receiver_signal = tap(&receiver.signal);
    system.spawn_named("receiver", receiver);
    system.run().unwrap();
    for (signal, who) in [(&mut signal, "sender"), (&mut receiver_signal, "receiver")] {
        let got = signal.try_recv().unwrap();
        let reason = got.failure().unwrap_or_default().to_string();
        assert!(reason.starts_with(&format!("{who}: cannot ")), "{reason}");
        assert!(
            reason.ends_with("127.0.0.1 is not a multicast address"),
            "{reason}"
        );
    }
    assert_eq!(system.failures().len(), 2);
}

/// The file multicaster's wiring (the tutorial's MiniAxon-5): a file reader into a multicast
/// sender, a multicast receiver on loopback collecting; the file arrives whole.
#[test]
fn file_multicaster_wiring_delivers_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ulysses.txt");
    let text: Vec<u8> = (0..40_000u32)
        .map(|n| b"yes I said yes "[n as usize % 15])
        .collect();
    std::fs::write(&path, &text).unwrap();

    let mut system = System::new();
    let mut r = join(&mut system, MulticastReceiver::new(group(17, 0)));
    let multicaster = Pipeline::new(ChunkReader::new(&path).chunk_size(1000))
        .then(MulticastSender::new(group(17, r.port)).interface(Ipv4Addr::LOCALHOST));
    let mut done = tap(&multicaster.signal);
    system.spawn(multicaster);

    let mut got = Vec::new();
    while got.len() < text.len() {
        got.extend(next(&mut r.datagrams, "the next chunk").data);
    }
    assert_eq!(got, text);
    assert_eq!(
        next(&mut done, "the multicaster ending"),
        Control::ProducerFinished
    );
    r.control.send_blocking(Control::ProducerFinished).unwrap();
    assert_eq!(
        next(&mut r.signal, "receiver signal"),
        Control::ProducerFinished
    );
    system.run().unwrap();
}

/// Every UDP and multicast component is in the catalogue as an Internet component.
#[test]
fn network_components_are_catalogued() {
    let all = kamaelia::catalogue::all();
    for (name, kamaelia_name) in [
        ("UdpSender", "Kamaelia.Internet.UDP_ng.UDPSender"),
        ("UdpReceiver", "Kamaelia.Internet.UDP_ng.UDPReceiver"),
        ("SimplePeer", "Kamaelia.Internet.UDP_ng.SimplePeer"),
        ("TargettedPeer", "Kamaelia.Internet.UDP_ng.TargettedPeer"),
        ("PostboxPeer", "Kamaelia.Internet.UDP_ng.PostboxPeer"),
        (
            "MulticastSender",
            "Kamaelia.Internet.Multicast_sender.Multicast_sender",
        ),
        (
            "MulticastReceiver",
            "Kamaelia.Internet.Multicast_receiver.Multicast_receiver",
        ),
        (
            "MulticastTransceiver",
            "Kamaelia.Internet.Multicast_transceiver.Multicast_transceiver",
        ),
    ] {
        let e = all
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} not catalogued"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        assert_eq!(e.family, Family::Internet);
        assert!(e.boxes.iter().any(|b| b.name == "addresses"), "{name}");
    }
}
