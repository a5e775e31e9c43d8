//! PostboxPeer: a UDP peer that sends each `(address, bytes)` message to the address it names
//! (Kamaelia: `Kamaelia.Internet.UDP_ng.PostboxPeer`).
//!
//! It has no fixed destination: every message carries its own. Datagrams that arrive leave on
//! `outbox` with their sender's address, so a server can answer each client by turning a
//! [`Datagram`] into `(datagram.from, reply)`. See [`crate::net::udp`] for datagram sizes, error
//! reports and backpressure.
//!
//! ```
//! use axon::{Control, Outbox, System};
//! use kamaelia::net::udp::PostboxPeer;
//! use std::time::Duration;
//!
//! let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
//! let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
//! for s in [&a, &b] {
//!     s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
//! }
//!
//! let mut system = System::new();
//! let peer = PostboxPeer::new("127.0.0.1:0".parse().unwrap());
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&input, &peer.inbox).unwrap();
//! axon::link(&stop, &peer.control).unwrap();
//! system.spawn(peer);
//! input.try_send((a.local_addr().unwrap(), b"for a".to_vec())).unwrap();
//! input.try_send((b.local_addr().unwrap(), b"for b".to_vec())).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//!
//! let mut buf = [0; 16];
//! let (n, _) = a.recv_from(&mut buf).unwrap();
//! assert_eq!(&buf[..n], b"for a");
//! let (n, _) = b.recv_from(&mut buf).unwrap();
//! assert_eq!(&buf[..n], b"for b");
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `(SocketAddr, Vec<u8>)` | a destination and one datagram's payload |
//! | `control` | [`Control`] | `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | [`Datagram`] | each datagram received, with the sender's address |
//! | `errors` | [`SendFailure`] | a datagram that could not be sent, naming the destination and the reason |
//! | `addresses` | [`SocketAddr`] | the local address bound, once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if it could not bind or read |
//!
//! # Parameters
//!
//! * `local` ([`PostboxPeer::new`]): the address to bind (port 0 picks a free port);
//! * [`reuse_address`](PostboxPeer::reuse_address): `SO_REUSEADDR`, default off.
//!
//! # Shutdown
//!
//! As [`SimplePeer`](super::SimplePeer): `ProducerFinished` stops reading, sends what is
//! queued, delivers the datagram already read, passes `ProducerFinished` on and ends;
//! `Shutdown`/`Failed` end at once and are passed on.

use std::net::SocketAddr;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::engine::{self, Ports};
use super::{Datagram, SendFailure};

/// Sends each message to the address it names. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct PostboxPeer {
    /// A destination and one datagram's payload.
    pub inbox: Inbox<(SocketAddr, Vec<u8>)>,
    /// `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now.
    pub control: Inbox<Control>,
    /// Each datagram received, with the sender's address.
    pub outbox: Outbox<Datagram>,
    /// A datagram that could not be sent.
    pub errors: Outbox<SendFailure>,
    /// The local address bound, once, when it starts.
    pub addresses: Outbox<SocketAddr>,
    /// The stop request when it ends; `Failed` if it could not bind or read.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    local: SocketAddr,
    #[boxes(skip)]
    reuse_address: bool,
}

impl PostboxPeer {
    /// A peer bound to `local` (port 0 picks a free port).
    pub fn new(local: SocketAddr) -> Self {
        PostboxPeer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            local,
            reuse_address: false,
        }
    }

    /// `SO_REUSEADDR` on the socket; default off.
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }
}

impl Component for PostboxPeer {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let local = self.local;
        let opened = engine::bind_plain(local, self.reuse_address);
        let what = || format!("cannot bind {local}");
        let socket =
            engine::started(&name, what, opened, &mut self.addresses, &mut self.signal).await?;
        let ports = Ports {
            inbox: Some(&mut self.inbox),
            control: &mut self.control,
            outbox: Some(&mut self.outbox),
            errors: Some(&mut self.errors),
            signal: &mut self.signal,
            target: None,
        };
        engine::run(&name, socket, ports, None).await
    }
}

crate::impl_stage!([] PostboxPeer, (SocketAddr, Vec<u8>) => Datagram);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "PostboxPeer",
        "Kamaelia.Internet.UDP_ng.PostboxPeer",
        Family::Internet,
        "A UDP peer that sends each (address, bytes) message to the address it names; datagrams that arrive leave on outbox with their sender's address.",
        axon::box_infos(&PostboxPeer::new(SocketAddr::from(([127, 0, 0, 1], 0)))),
    )
    .parameter("local", "SocketAddr", "PostboxPeer::new(local): address to bind; port 0 picks one, reported on `addresses`")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default off)")
});
