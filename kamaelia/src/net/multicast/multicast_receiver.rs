//! MulticastReceiver: joins a multicast group and emits every datagram sent to it, with the
//! address it came from (Kamaelia: `Kamaelia.Internet.Multicast_receiver.Multicast_receiver`).
//!
//! It binds the group's port (0 picks a free one) with address reuse on, joins the group on
//! its [interface](MulticastReceiver::interface), reports the address bound on `addresses`,
//! then sends each datagram as a [`Datagram`] on `outbox`. Unlike Kamaelia's, it stops when
//! asked. See [`crate::net::multicast`] for the socket options and how to keep traffic on this
//! host, and [`crate::net::udp`] for backpressure: while the consumer is full it stops reading
//! and the kernel drops what does not fit in the socket's buffer.
//!
//! The example in [`crate::net::multicast`] runs a receiver and a sender on loopback.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::multicast::MulticastReceiver;
//! use std::net::Ipv4Addr;
//! use std::time::Duration;
//!
//! let mut system = System::new();
//! let receiver = MulticastReceiver::new("239.255.0.3:0".parse().unwrap())
//!     .interface(Ipv4Addr::LOCALHOST);
//! let (mut bound, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&receiver.addresses, &bound).unwrap();
//! axon::link(&receiver.signal, &signal).unwrap();
//! let mut stop = Outbox::new();
//! axon::link(&stop, &receiver.control).unwrap();
//! system.spawn(receiver);
//! system.start();
//! let address = bound.recv_blocking_timeout(Duration::from_secs(10)).unwrap();
//! assert_eq!(address.ip(), Ipv4Addr::new(239, 255, 0, 3)); // bound to the group itself
//! assert_ne!(address.port(), 0);
//! stop.send_blocking(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! assert_eq!(signal.try_recv(), Ok(Control::Shutdown));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not read (present so the receiver fits where a stage is expected) |
//! | `control` | [`Control`] | any message ends it |
//! | `outbox` | [`Datagram`] | each datagram sent to the group, with the sender's address |
//! | `addresses` | [`SocketAddr`] | the local address bound, once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if it could not join or read |
//!
//! # Parameters
//!
//! * `group` ([`MulticastReceiver::new`]): the multicast address and port (0 picks one);
//! * [`interface`](MulticastReceiver::interface): the interface to join on (default
//!   `0.0.0.0`, the system's choice);
//! * [`reuse`](MulticastReceiver::reuse): `SO_REUSEADDR` and `SO_REUSEPORT`, default on, so
//!   other receivers on this host can share the group and port.
//!
//! # Shutdown
//!
//! A group has no end, so it runs until told to stop. `ProducerFinished`: stops reading,
//! delivers the datagram it has already read (if any), sends `ProducerFinished` on `signal`,
//! ends. `Shutdown`/`Failed`: ends at once, passing the message on. If the component its
//! `outbox` leads to has ended, it sends `Shutdown` on `signal` and ends. Leaving the group
//! happens when the socket closes.

use std::net::{SocketAddr, SocketAddrV4};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{joined_socket, settings_builders, Settings};
use crate::net::udp::engine::{self, Ports};
use crate::net::udp::Datagram;

/// Emits the datagrams sent to a multicast group. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct MulticastReceiver {
    /// Not read.
    pub inbox: Inbox<()>,
    /// Any message ends it.
    pub control: Inbox<Control>,
    /// Each datagram sent to the group, with the sender's address.
    pub outbox: Outbox<Datagram>,
    /// The local address bound, once, when it starts.
    pub addresses: Outbox<SocketAddr>,
    /// The stop request when it ends; `Failed` if it could not join or read.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    group: SocketAddrV4,
    #[boxes(skip)]
    settings: Settings,
}

impl MulticastReceiver {
    /// A receiver of the datagrams sent to `group` (a multicast address and a port; port 0
    /// picks a free one, reported on `addresses`).
    pub fn new(group: SocketAddrV4) -> Self {
        MulticastReceiver {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            group,
            settings: Settings::default(),
        }
    }

    /// `SO_REUSEADDR` and `SO_REUSEPORT` on the socket; default on.
    pub fn reuse(mut self, on: bool) -> Self {
        self.settings.reuse = on;
        self
    }
}

settings_builders!(MulticastReceiver);

impl Component for MulticastReceiver {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let (group, interface) = (self.group, self.settings.interface);
        let opened = joined_socket(group, &self.settings);
        let what = || format!("cannot join {group} on interface {interface}");
        let socket =
            engine::started(&name, what, opened, &mut self.addresses, &mut self.signal).await?;
        let ports: Ports<'_, Vec<u8>> = Ports {
            inbox: None,
            control: &mut self.control,
            outbox: Some(&mut self.outbox),
            errors: None,
            signal: &mut self.signal,
            target: None,
        };
        engine::run(&name, socket, ports, None).await
    }
}

crate::impl_stage!([] MulticastReceiver, () => Datagram);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let group = SocketAddrV4::new([239, 255, 0, 1].into(), 0);
    Entry::new(
        "MulticastReceiver",
        "Kamaelia.Internet.Multicast_receiver.Multicast_receiver",
        Family::Internet,
        "Joins an IPv4 multicast group and emits every datagram sent to it, with the sender's address; ends on any control message.",
        axon::box_infos(&MulticastReceiver::new(group)),
    )
    .parameter("group", "SocketAddrV4", "MulticastReceiver::new(group): multicast address and port; port 0 picks one, reported on `addresses`")
    .parameter("interface", "Ipv4Addr", "interface to join on (default 0.0.0.0, the system's choice)")
    .parameter("reuse", "bool", "SO_REUSEADDR + SO_REUSEPORT (default on)")
});
