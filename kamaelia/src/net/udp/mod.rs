//! UDP (Kamaelia's `Kamaelia.Internet.UDP_ng`): components that send and receive datagrams on
//! tokio's [`UdpSocket`](tokio::net::UdpSocket).
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`UdpSender`] | `Internet.UDP_ng.UDPSender` | sends every message on its inbox as one datagram to a fixed address |
//! | [`UdpReceiver`] | `Internet.UDP_ng.UDPReceiver` | emits every datagram that arrives at its address, with the sender's address |
//! | [`SimplePeer`] | `Internet.UDP_ng.SimplePeer` | both: sends to a fixed address, emits what arrives |
//! | [`TargettedPeer`] | `Internet.UDP_ng.TargettedPeer` | a peer whose destination changes with each address on its `target` inbox |
//! | [`PostboxPeer`] | `Internet.UDP_ng.PostboxPeer` | a peer that sends each `(address, bytes)` message to its own address |
//!
//! The multicast components ([`crate::net::multicast`]) use the same machinery.
//!
//! # Datagrams
//!
//! A message on a sending component's inbox is one datagram: UDP keeps message boundaries, so
//! what arrives is exactly what was sent, or nothing. The payload may be empty. At most
//! [`MAX_DATAGRAM`] bytes (65,507, the most an IPv4 UDP datagram can carry) are sent in one
//! datagram; a longer message is not sent and is reported on `errors` (split it first, e.g.
//! with [`Chunkifier`](crate::util::transforms::Chunkifier)). Receivers read with a 64 KiB
//! buffer, so no datagram is truncated, and emit each one as a [`Datagram`]: the bytes and the
//! address of the socket that sent them.
//!
//! UDP itself may lose, duplicate and reorder datagrams (on loopback it practically never
//! does); put [`crate::net::simulate`] components in a test pipeline to see how a protocol
//! copes when it does.
//!
//! # Addresses
//!
//! Every component binds its socket when it starts. Port 0 picks a free port; the address
//! actually bound goes out once on the `addresses` outbox, so tests and programs never guess
//! ports. Failing to bind ends the component with an error naming the address, after
//! [`Control::Failed`](axon::Control::Failed) with the same text on `signal`.
//!
//! # Errors while sending
//!
//! A datagram that cannot be sent (too long, no route, address family mismatch, ...) is
//! dropped and reported as a [`SendFailure`] on the `errors` outbox, naming the component, the
//! destination and the reason; the component goes on with the next one. Reports are sent
//! without waiting: if the component `errors` leads to is full, the report is dropped (an
//! unlinked `errors` outbox holds the first 128 reports, then drops further ones), so error
//! reporting never stalls the data. A receive error other than a refused or reset connection
//! (an ICMP report of an earlier send, which some systems return on a later receive) means the
//! socket is unusable: the component ends with an error and `Control::Failed` on `signal`.
//!
//! # Backpressure
//!
//! A receiving component holds at most one datagram it has read but not yet delivered: while
//! the component its `outbox` leads to is full, it stops reading the socket. Datagrams then
//! wait in the operating system's receive buffer, and once that is full **the kernel drops
//! them** — UDP has no way to slow the sender down. A sending component takes the next message
//! from its inbox only when the last datagram has been handed to the kernel, so a fast producer
//! waits for it.
//!
//! # Shutdown
//!
//! Sending components honour `ProducerFinished` by sending everything already queued, then
//! ending; receiving components end on any control message (see each component).

pub(crate) mod engine;
pub mod postbox_peer;
pub mod simple_peer;
pub mod targetted_peer;
pub mod udp_receiver;
pub mod udp_sender;

pub use postbox_peer::PostboxPeer;
pub use simple_peer::SimplePeer;
pub use targetted_peer::TargettedPeer;
pub use udp_receiver::UdpReceiver;
pub use udp_sender::UdpSender;

use std::fmt;
use std::net::SocketAddr;

/// The most bytes sent in one datagram: 65,535 minus the 8-byte UDP header and the 20-byte IPv4
/// header.
pub const MAX_DATAGRAM: usize = 65_507;

/// One datagram as a receiving component emits it.
///
/// ```
/// use kamaelia::net::udp::Datagram;
/// let d = Datagram::new(b"hi".to_vec(), "127.0.0.1:5000".parse().unwrap());
/// assert_eq!(d.data, b"hi");
/// assert_eq!(d.from.port(), 5000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Datagram {
    /// The payload, exactly as sent.
    pub data: Vec<u8>,
    /// The address of the socket that sent it.
    pub from: SocketAddr,
}

impl Datagram {
    /// A datagram of `data` from `from`.
    pub fn new(data: Vec<u8>, from: SocketAddr) -> Self {
        Datagram { data, from }
    }
}

/// A datagram that could not be sent, as reported on a sending component's `errors` outbox.
///
/// ```
/// use kamaelia::net::udp::SendFailure;
/// let f = SendFailure::new(
///     "UdpSender",
///     "127.0.0.1:9".parse().unwrap(),
///     70_000,
///     std::io::ErrorKind::InvalidInput,
///     "larger than the UDP limit of 65507 bytes",
/// );
/// assert_eq!(
///     f.to_string(),
///     "UdpSender: cannot send 70000 bytes to 127.0.0.1:9: larger than the UDP limit of 65507 bytes"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// The component that could not send.
    pub component: String,
    /// Where the datagram was going.
    pub to: SocketAddr,
    /// Its length.
    pub bytes: usize,
    /// The kind of the error.
    pub kind: std::io::ErrorKind,
    /// The operating system's (or our) reason.
    pub reason: String,
}

impl SendFailure {
    /// A report that `component` could not send `bytes` bytes to `to`.
    pub fn new(
        component: impl Into<String>,
        to: SocketAddr,
        bytes: usize,
        kind: std::io::ErrorKind,
        reason: impl Into<String>,
    ) -> Self {
        SendFailure {
            component: component.into(),
            to,
            bytes,
            kind,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for SendFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot send {} bytes to {}: {}",
            self.component, self.bytes, self.to, self.reason
        )
    }
}

impl std::error::Error for SendFailure {}
