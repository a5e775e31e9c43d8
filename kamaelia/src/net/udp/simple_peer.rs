//! SimplePeer: one UDP socket that sends every message on its inbox to a fixed address and
//! emits every datagram that arrives (Kamaelia: `Kamaelia.Internet.UDP_ng.SimplePeer`).
//!
//! [`UdpSender`](super::UdpSender) and [`UdpReceiver`](super::UdpReceiver) in one component
//! and on one socket, so the peer it talks to sees replies come from the address it sends to.
//! Sending and receiving go on independently; neither direction can hold up the other. See
//! [`crate::net::udp`] for datagram sizes, error reports and backpressure.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::udp::SimplePeer;
//! use std::time::Duration;
//!
//! // An echo server on a plain socket.
//! let server = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
//! server.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
//! let server_address = server.local_addr().unwrap();
//!
//! let mut system = System::new();
//! let peer = SimplePeer::new("127.0.0.1:0".parse().unwrap(), server_address);
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&input, &peer.inbox).unwrap();
//! axon::link(&stop, &peer.control).unwrap();
//! let mut replies = Inbox::new();
//! axon::link(&peer.outbox, &replies).unwrap();
//! system.spawn(peer);
//! system.start();
//!
//! input.send_blocking(b"ping".to_vec()).unwrap();
//! let mut buf = [0; 16];
//! let (n, from) = server.recv_from(&mut buf).unwrap();
//! server.send_to(&buf[..n], from).unwrap();
//! let reply = replies.recv_blocking_timeout(Duration::from_secs(10)).unwrap();
//! assert_eq!((reply.data.as_slice(), reply.from), (&b"ping"[..], server_address));
//!
//! stop.send_blocking(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | one datagram's payload per message, sent to the fixed address |
//! | `control` | [`Control`] | `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | [`Datagram`] | each datagram received, with the sender's address |
//! | `errors` | [`SendFailure`] | a datagram that could not be sent, naming the destination and the reason |
//! | `addresses` | [`SocketAddr`] | the local address bound, once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if it could not bind or read |
//!
//! # Parameters
//!
//! * `local` and `to` ([`SimplePeer::new`]): the address to bind (port 0 picks a free port)
//!   and where every datagram goes;
//! * [`reuse_address`](SimplePeer::reuse_address): `SO_REUSEADDR`, default off.
//!
//! # Shutdown
//!
//! `ProducerFinished` (or the inbox closing): stops reading the socket, sends every message
//! already queued, delivers the datagram it has already read (if any), sends
//! `ProducerFinished` on `signal` and ends. `Shutdown`/`Failed`: ends at once, discarding what
//! is queued, and passes the message on. If the component its `outbox` leads to has ended it
//! stops reading and goes on sending. A receive error that makes the socket unusable ends it
//! with an error naming the address, after `Failed` on `signal`.

use std::net::SocketAddr;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::engine::{self, Ports};
use super::{Datagram, SendFailure};

/// Sends to one address and emits what arrives. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct SimplePeer {
    /// One datagram's payload per message, sent to the fixed address.
    pub inbox: Inbox<Vec<u8>>,
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
    to: SocketAddr,
    #[boxes(skip)]
    reuse_address: bool,
}

impl SimplePeer {
    /// A peer bound to `local` (port 0 picks a free port) that sends to `to`.
    pub fn new(local: SocketAddr, to: SocketAddr) -> Self {
        SimplePeer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            local,
            to,
            reuse_address: false,
        }
    }

    /// `SO_REUSEADDR` on the socket; default off.
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }
}

impl Component for SimplePeer {
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
        engine::run(&name, socket, ports, Some(self.to)).await
    }
}

crate::impl_stage!([] SimplePeer, Vec<u8> => Datagram);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let local = SocketAddr::from(([127, 0, 0, 1], 0));
    Entry::new(
        "SimplePeer",
        "Kamaelia.Internet.UDP_ng.SimplePeer",
        Family::Internet,
        "One UDP socket: inbox messages go as datagrams to a fixed address, datagrams that arrive leave on outbox with their sender's address.",
        axon::box_infos(&SimplePeer::new(local, local)),
    )
    .parameter("local", "SocketAddr", "SimplePeer::new(local, to): address to bind; port 0 picks one, reported on `addresses`")
    .parameter("to", "SocketAddr", "SimplePeer::new(local, to): where every datagram goes")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default off)")
});
