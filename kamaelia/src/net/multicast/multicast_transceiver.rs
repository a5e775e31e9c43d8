//! MulticastTransceiver: joins a multicast group, emits every datagram sent to it, and sends
//! every message on its inbox to a group — on one socket (Kamaelia:
//! `Kamaelia.Internet.Multicast_transceiver.Multicast_transceiver`).
//!
//! It joins `group` as [`MulticastReceiver`](super::MulticastReceiver) does and sends as
//! [`MulticastSender`](super::MulticastSender) does, by default to the group it joined (on the
//! port it bound), or to another group chosen with
//! [`send_to`](MulticastTransceiver::send_to). This is what multicast really is: everyone
//! talking in one room. With loopback on (the default) and sending to the group it joined, it
//! receives **its own datagrams** too; recognise them by their `from` address: the
//! [interface](MulticastTransceiver::interface)'s address (or, for `0.0.0.0`, the one the
//! system chose) with the port reported on `addresses`.
//! See [`crate::net::multicast`] for the socket options and how to keep traffic on this host.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::multicast::MulticastTransceiver;
//! use std::net::Ipv4Addr;
//! use std::time::Duration;
//!
//! let mut system = System::new();
//! let room = MulticastTransceiver::new("239.255.0.4:0".parse().unwrap())
//!     .interface(Ipv4Addr::LOCALHOST);
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&input, &room.inbox).unwrap();
//! axon::link(&stop, &room.control).unwrap();
//! let mut heard = Inbox::new();
//! axon::link(&room.outbox, &heard).unwrap();
//! system.spawn(room);
//! system.start();
//! input.send_blocking(b"echo?".to_vec()).unwrap();
//! let got = heard.recv_blocking_timeout(Duration::from_secs(10)).unwrap();
//! assert_eq!(got.data, b"echo?"); // its own datagram, looped back
//! stop.send_blocking(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | one datagram's payload per message, sent to the destination group |
//! | `control` | [`Control`] | `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | [`Datagram`] | each datagram sent to the joined group, with the sender's address |
//! | `errors` | [`SendFailure`] | a datagram that could not be sent, naming the group and the reason |
//! | `addresses` | [`SocketAddr`] | the local address bound (the group and port), once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if it could not join or read |
//!
//! # Parameters
//!
//! * `group` ([`MulticastTransceiver::new`]): the group to join (port 0 picks a free one);
//! * [`send_to`](MulticastTransceiver::send_to): the group to send to (default: the joined
//!   group, on the port bound);
//! * [`interface`](MulticastTransceiver::interface), [`ttl`](MulticastTransceiver::ttl),
//!   [`loopback`](MulticastTransceiver::loopback): as for
//!   [`MulticastSender`](super::MulticastSender) (defaults `0.0.0.0`, 1, on);
//! * [`reuse`](MulticastTransceiver::reuse): `SO_REUSEADDR` and `SO_REUSEPORT`, default on.
//!
//! # Shutdown
//!
//! As [`SimplePeer`](crate::net::udp::SimplePeer): `ProducerFinished` (or the inbox closing)
//! stops reading, sends what is queued, delivers the datagram already read, passes
//! `ProducerFinished` on and ends; `Shutdown`/`Failed` end at once and are passed on.

use std::net::{SocketAddr, SocketAddrV4};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{joined_socket, settings_builders, Settings};
use crate::net::udp::engine::{self, Ports};
use crate::net::udp::{Datagram, SendFailure};

/// Joins a group and sends to a group on one socket. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct MulticastTransceiver {
    /// One datagram's payload per message, sent to the destination group.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now.
    pub control: Inbox<Control>,
    /// Each datagram sent to the joined group, with the sender's address.
    pub outbox: Outbox<Datagram>,
    /// A datagram that could not be sent.
    pub errors: Outbox<SendFailure>,
    /// The local address bound (the group and port), once, when it starts.
    pub addresses: Outbox<SocketAddr>,
    /// The stop request when it ends; `Failed` if it could not join or read.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    group: SocketAddrV4,
    #[boxes(skip)]
    send_to: Option<SocketAddrV4>,
    #[boxes(skip)]
    settings: Settings,
}

impl MulticastTransceiver {
    /// A transceiver in `group` (a multicast address and a port; port 0 picks a free one,
    /// reported on `addresses`), sending to the same group.
    pub fn new(group: SocketAddrV4) -> Self {
        MulticastTransceiver {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            group,
            send_to: None,
            settings: Settings::default(),
        }
    }

    /// Sends to `group` instead of the joined group.
    pub fn send_to(mut self, group: SocketAddrV4) -> Self {
        self.send_to = Some(group);
        self
    }

    /// `SO_REUSEADDR` and `SO_REUSEPORT` on the socket; default on.
    pub fn reuse(mut self, on: bool) -> Self {
        self.settings.reuse = on;
        self
    }
}

settings_builders!(MulticastTransceiver, sending);

impl Component for MulticastTransceiver {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let (group, interface) = (self.group, self.settings.interface);
        let opened = joined_socket(group, &self.settings);
        let what = || format!("cannot join {group} on interface {interface}");
        let socket =
            engine::started(&name, what, opened, &mut self.addresses, &mut self.signal).await?;
        // The joined group on the port actually bound, unless told otherwise.
        let port = socket.local_addr().map_or(group.port(), |a| a.port());
        let to = self
            .send_to
            .unwrap_or_else(|| SocketAddrV4::new(*group.ip(), port));
        let ports = Ports {
            inbox: Some(&mut self.inbox),
            control: &mut self.control,
            outbox: Some(&mut self.outbox),
            errors: Some(&mut self.errors),
            signal: &mut self.signal,
            target: None,
        };
        engine::run(&name, socket, ports, Some(SocketAddr::V4(to))).await
    }
}

crate::impl_stage!([] MulticastTransceiver, Vec<u8> => Datagram);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let group = SocketAddrV4::new([239, 255, 0, 1].into(), 0);
    Entry::new(
        "MulticastTransceiver",
        "Kamaelia.Internet.Multicast_transceiver.Multicast_transceiver",
        Family::Internet,
        "Joins an IPv4 multicast group and emits what is sent to it, and sends its inbox to a group (by default the same one), on one socket.",
        axon::box_infos(&MulticastTransceiver::new(group)),
    )
    .parameter("group", "SocketAddrV4", "MulticastTransceiver::new(group): group to join; port 0 picks one, reported on `addresses`")
    .parameter("send_to", "SocketAddrV4", "group to send to (default the joined group and port)")
    .parameter("interface", "Ipv4Addr", "IP_MULTICAST_IF and interface to join on (default 0.0.0.0, the system's choice)")
    .parameter("ttl", "u32", "IP_MULTICAST_TTL (default 1: local network only)")
    .parameter("loopback", "bool", "IP_MULTICAST_LOOP (default on)")
    .parameter("reuse", "bool", "SO_REUSEADDR + SO_REUSEPORT (default on)")
});
