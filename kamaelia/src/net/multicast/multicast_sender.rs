//! MulticastSender: sends every message on its inbox as one UDP datagram to a multicast group
//! (Kamaelia: `Kamaelia.Internet.Multicast_sender.Multicast_sender`).
//!
//! It opens a socket on its [interface](MulticastSender::interface) (port 0) with
//! `IP_MULTICAST_IF`, `IP_MULTICAST_TTL` (default 1) and `IP_MULTICAST_LOOP` (default on) set,
//! reports the address bound on `addresses`, and sends each message to the group, in order.
//! It never reads its socket. See [`crate::net::multicast`] for the socket options and how to
//! keep traffic on this host, and [`crate::net::udp`] for datagram sizes and error reports.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::multicast::MulticastSender;
//! use std::net::Ipv4Addr;
//!
//! let mut system = System::new();
//! let sender = MulticastSender::new("239.255.0.2:5007".parse().unwrap())
//!     .interface(Ipv4Addr::LOCALHOST); // stays on this host
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&input, &sender.inbox).unwrap();
//! axon::link(&stop, &sender.control).unwrap();
//! let (mut bound, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&sender.addresses, &bound).unwrap();
//! axon::link(&sender.signal, &signal).unwrap();
//! system.spawn(sender);
//! input.try_send(b"announcement".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert!(bound.try_recv().unwrap().ip().is_loopback());
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | one datagram's payload per message (at most [`MAX_DATAGRAM`](crate::net::udp::MAX_DATAGRAM) bytes) |
//! | `control` | [`Control`] | `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | `()` | nothing is sent (present so the sender fits where a stage is expected) |
//! | `errors` | [`SendFailure`] | a datagram that could not be sent, naming the group and the reason |
//! | `addresses` | [`SocketAddr`] | the local address bound, once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if the socket could not be set up |
//!
//! # Parameters
//!
//! * `group` ([`MulticastSender::new`]): the group address and port datagrams go to;
//! * [`interface`](MulticastSender::interface): the interface to send from (default
//!   `0.0.0.0`, the system's choice);
//! * [`ttl`](MulticastSender::ttl): `IP_MULTICAST_TTL`, default 1;
//! * [`loopback`](MulticastSender::loopback): `IP_MULTICAST_LOOP`, default on.
//!
//! # Shutdown
//!
//! `ProducerFinished` (or the inbox closing): sends every message already queued, then
//! `ProducerFinished` on `signal`, and ends. `Shutdown`/`Failed`: discards what is queued,
//! passes the message on, ends. A group address that is not multicast, or options the system
//! refuses, end it at start with an error naming the group and interface, after `Failed` on
//! `signal`.

use std::net::{SocketAddr, SocketAddrV4};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{sending_socket, settings_builders, Settings};
use crate::net::udp::engine::{self, Ports};
use crate::net::udp::SendFailure;

/// Sends its inbox as datagrams to a multicast group. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct MulticastSender {
    /// One datagram's payload per message.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now.
    pub control: Inbox<Control>,
    /// Nothing is sent.
    pub outbox: Outbox<()>,
    /// A datagram that could not be sent.
    pub errors: Outbox<SendFailure>,
    /// The local address bound, once, when it starts.
    pub addresses: Outbox<SocketAddr>,
    /// The stop request when it ends; `Failed` if the socket could not be set up.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    group: SocketAddrV4,
    #[boxes(skip)]
    settings: Settings,
}

impl MulticastSender {
    /// A sender of datagrams to `group` (a multicast address and a port).
    pub fn new(group: SocketAddrV4) -> Self {
        MulticastSender {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            group,
            settings: Settings::default(),
        }
    }
}

settings_builders!(MulticastSender, sending);

impl Component for MulticastSender {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let (group, interface) = (self.group, self.settings.interface);
        let opened = sending_socket(group, &self.settings);
        let what = || format!("cannot set up sending to {group} from interface {interface}");
        let socket =
            engine::started(&name, what, opened, &mut self.addresses, &mut self.signal).await?;
        let ports = Ports {
            inbox: Some(&mut self.inbox),
            control: &mut self.control,
            outbox: None,
            errors: Some(&mut self.errors),
            signal: &mut self.signal,
            target: None,
        };
        engine::run(&name, socket, ports, Some(SocketAddr::V4(group))).await
    }
}

crate::impl_stage!([] MulticastSender, Vec<u8> => ());

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let group = SocketAddrV4::new([239, 255, 0, 1].into(), 5000);
    Entry::new(
        "MulticastSender",
        "Kamaelia.Internet.Multicast_sender.Multicast_sender",
        Family::Internet,
        "Sends every message on its inbox as one UDP datagram to an IPv4 multicast group (TTL 1 by default).",
        axon::box_infos(&MulticastSender::new(group)),
    )
    .parameter("group", "SocketAddrV4", "MulticastSender::new(group): multicast address and port")
    .parameter("interface", "Ipv4Addr", "IP_MULTICAST_IF and local bind (default 0.0.0.0, the system's choice)")
    .parameter("ttl", "u32", "IP_MULTICAST_TTL (default 1: local network only)")
    .parameter("loopback", "bool", "IP_MULTICAST_LOOP (default on)")
});
