//! UdpSender: sends every message on its inbox as one UDP datagram to a fixed address
//! (Kamaelia: `Kamaelia.Internet.UDP_ng.UDPSender`).
//!
//! It binds a socket when it starts (by default on the unspecified address of the
//! destination's family, port 0; choose with [`UdpSender::local`]), reports that address on
//! `addresses`, and sends each message as it comes, in order. It never reads its socket. See
//! [`crate::net::udp`] for datagram sizes, error reports and backpressure.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::udp::UdpSender;
//! use std::time::Duration;
//!
//! let listener = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
//! listener.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
//! let to = listener.local_addr().unwrap();
//!
//! let mut system = System::new();
//! let sender = UdpSender::new(to).local("127.0.0.1:0".parse().unwrap());
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&input, &sender.inbox).unwrap();
//! axon::link(&stop, &sender.control).unwrap();
//! let mut signal = Inbox::new();
//! axon::link(&sender.signal, &signal).unwrap();
//! system.spawn(sender);
//! input.try_send(b"hello".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap(); // sends "hello" first
//! system.run().unwrap();
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//!
//! let mut buf = [0; 16];
//! let (n, _) = listener.recv_from(&mut buf).unwrap();
//! assert_eq!(&buf[..n], b"hello");
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | one datagram's payload per message (at most [`MAX_DATAGRAM`](super::MAX_DATAGRAM) bytes) |
//! | `control` | [`Control`] | `ProducerFinished`: send what is queued, then end; `Shutdown`/`Failed`: end now |
//! | `outbox` | `()` | nothing is sent (present so the sender fits where a stage is expected) |
//! | `errors` | [`SendFailure`] | a datagram that could not be sent, naming the destination and the reason |
//! | `addresses` | [`SocketAddr`] | the local address bound, once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if it could not bind |
//!
//! # Parameters
//!
//! * `to` ([`UdpSender::new`]): where every datagram goes;
//! * [`local`](UdpSender::local): the local address to bind (default: the unspecified address
//!   of `to`'s family, port 0);
//! * [`reuse_address`](UdpSender::reuse_address): `SO_REUSEADDR`, default off.
//!
//! # Shutdown
//!
//! `ProducerFinished` (or the inbox closing): sends every message already queued, then sends
//! `ProducerFinished` on `signal` and ends. `Shutdown` or `Failed`: discards what is queued,
//! passes the message on unchanged, ends. It holds no partial state beyond the datagram being
//! handed to the kernel.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::engine::{self, Ports};
use super::SendFailure;

/// Sends its inbox as datagrams to one address. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct UdpSender {
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
    /// The stop request when it ends; `Failed` if it could not bind.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    to: SocketAddr,
    #[boxes(skip)]
    local: SocketAddr,
    #[boxes(skip)]
    reuse_address: bool,
}

/// The unspecified address of `to`'s family, port 0.
pub(crate) fn any_local(to: SocketAddr) -> SocketAddr {
    let ip = match to.ip() {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, 0)
}

impl UdpSender {
    /// A sender of datagrams to `to`.
    pub fn new(to: SocketAddr) -> Self {
        UdpSender {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            to,
            local: any_local(to),
            reuse_address: false,
        }
    }

    /// The local address to bind (port 0 picks a free port).
    pub fn local(mut self, local: SocketAddr) -> Self {
        self.local = local;
        self
    }

    /// `SO_REUSEADDR` on the socket; default off.
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }
}

impl Component for UdpSender {
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
            outbox: None,
            errors: Some(&mut self.errors),
            signal: &mut self.signal,
            target: None,
        };
        engine::run(&name, socket, ports, Some(self.to)).await
    }
}

crate::impl_stage!([] UdpSender, Vec<u8> => ());

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "UdpSender",
        "Kamaelia.Internet.UDP_ng.UDPSender",
        Family::Internet,
        "Sends every message on its inbox as one UDP datagram to a fixed address; datagrams that cannot be sent are reported on `errors`.",
        axon::box_infos(&UdpSender::new(SocketAddr::from(([127, 0, 0, 1], 9)))),
    )
    .parameter("to", "SocketAddr", "UdpSender::new(to): where every datagram goes")
    .parameter("local", "SocketAddr", "local address to bind (default unspecified, port 0; reported on `addresses`)")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default off)")
});
