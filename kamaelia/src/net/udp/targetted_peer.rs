//! TargettedPeer: a UDP peer whose destination changes with every address that arrives on its
//! `target` inbox (Kamaelia: `Kamaelia.Internet.UDP_ng.TargettedPeer`).
//!
//! Like [`SimplePeer`](super::SimplePeer), but the address datagrams go to can be changed
//! while it runs: each address on `target` replaces the current one. `target` is looked at
//! before `inbox`, so an address sent on `target` before a message (from the same thread or
//! component) applies to that message. Two inboxes keep no order between them, though: an
//! address applies to every message taken after it arrived, including messages that were
//! already waiting, so with several messages and addresses queued at once each message goes to
//! the latest address. For a destination per message use
//! [`PostboxPeer`](super::PostboxPeer). The first destination is given when it is made, so it
//! never holds data without knowing where to send it. See [`crate::net::udp`] for datagram
//! sizes, error reports and backpressure.
//!
//! ```
//! use axon::{Control, Outbox, System};
//! use kamaelia::net::udp::TargettedPeer;
//! use std::time::Duration;
//!
//! let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
//! let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
//! for s in [&a, &b] {
//!     s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
//! }
//!
//! let mut system = System::new();
//! let peer = TargettedPeer::new("127.0.0.1:0".parse().unwrap(), a.local_addr().unwrap());
//! let (mut input, mut target, mut stop) = (Outbox::new(), Outbox::new(), Outbox::new());
//! axon::link(&input, &peer.inbox).unwrap();
//! axon::link(&target, &peer.target).unwrap();
//! axon::link(&stop, &peer.control).unwrap();
//! system.spawn(peer);
//! input.try_send(b"to a".to_vec()).unwrap();
//! system.start();
//!
//! let mut buf = [0; 16];
//! let (n, _) = a.recv_from(&mut buf).unwrap(); // "to a" has gone: now switch
//! assert_eq!(&buf[..n], b"to a");
//! target.send_blocking(b.local_addr().unwrap()).unwrap();
//! input.send_blocking(b"to b".to_vec()).unwrap();
//! stop.send_blocking(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let (n, _) = b.recv_from(&mut buf).unwrap();
//! assert_eq!(&buf[..n], b"to b");
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | one datagram's payload per message, sent to the current target |
//! | `target` | [`SocketAddr`] | a new destination for the messages taken after it |
//! | `control` | [`Control`] | `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | [`Datagram`] | each datagram received, with the sender's address |
//! | `errors` | [`SendFailure`] | a datagram that could not be sent, naming the destination and the reason |
//! | `addresses` | [`SocketAddr`] | the local address bound, once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if it could not bind or read |
//!
//! # Parameters
//!
//! * `local` and `target` ([`TargettedPeer::new`]): the address to bind (port 0 picks a free
//!   port) and the first destination;
//! * [`reuse_address`](TargettedPeer::reuse_address): `SO_REUSEADDR`, default off.
//!
//! # Shutdown
//!
//! As [`SimplePeer`](super::SimplePeer): `ProducerFinished` stops reading, sends what is queued
//! (to the latest target that has arrived), delivers the datagram already read,
//! passes `ProducerFinished` on and ends; `Shutdown`/`Failed` end at once and are passed on.

use std::net::SocketAddr;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::engine::{self, Ports};
use super::{Datagram, SendFailure};

/// A peer whose destination can change. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct TargettedPeer {
    /// One datagram's payload per message, sent to the current target.
    pub inbox: Inbox<Vec<u8>>,
    /// A new destination for the messages taken after it.
    pub target: Inbox<SocketAddr>,
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
    first_target: SocketAddr,
    #[boxes(skip)]
    reuse_address: bool,
}

impl TargettedPeer {
    /// A peer bound to `local` (port 0 picks a free port) that sends to `target` until another
    /// address arrives on its `target` inbox.
    pub fn new(local: SocketAddr, target: SocketAddr) -> Self {
        TargettedPeer {
            inbox: Inbox::new(),
            target: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            local,
            first_target: target,
            reuse_address: false,
        }
    }

    /// `SO_REUSEADDR` on the socket; default off.
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }
}

impl Component for TargettedPeer {
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
            target: Some(&mut self.target),
        };
        engine::run(&name, socket, ports, Some(self.first_target)).await
    }
}

crate::impl_stage!([] TargettedPeer, Vec<u8> => Datagram);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let local = SocketAddr::from(([127, 0, 0, 1], 0));
    Entry::new(
        "TargettedPeer",
        "Kamaelia.Internet.UDP_ng.TargettedPeer",
        Family::Internet,
        "A UDP peer whose destination changes with each address on its `target` inbox; datagrams that arrive leave on outbox.",
        axon::box_infos(&TargettedPeer::new(local, local)),
    )
    .parameter("local", "SocketAddr", "TargettedPeer::new(local, target): address to bind; port 0 picks one, reported on `addresses`")
    .parameter("target", "SocketAddr", "TargettedPeer::new(local, target): the first destination")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default off)")
});
