//! UdpReceiver: emits every UDP datagram that arrives at its address, with the address it came
//! from (Kamaelia: `Kamaelia.Internet.UDP_ng.UDPReceiver`).
//!
//! It binds the address given when it starts (port 0 picks a free port), reports the address
//! bound on `addresses`, then sends each datagram it reads as a [`Datagram`] on `outbox`. While
//! the component `outbox` leads to is full it stops reading, and the kernel drops what does not
//! fit in the socket's receive buffer (see [`crate::net::udp`]).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::udp::UdpReceiver;
//! use std::time::Duration;
//!
//! let mut system = System::new();
//! let receiver = UdpReceiver::new("127.0.0.1:0".parse().unwrap());
//! let (mut addresses, mut datagrams) = (Inbox::new(), Inbox::new());
//! axon::link(&receiver.addresses, &addresses).unwrap();
//! axon::link(&receiver.outbox, &datagrams).unwrap();
//! let mut stop = Outbox::new();
//! axon::link(&stop, &receiver.control).unwrap();
//! system.spawn(receiver);
//! system.start();
//! let address = addresses.recv_blocking_timeout(Duration::from_secs(10)).unwrap();
//!
//! let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
//! sender.send_to(b"hello", address).unwrap();
//! let got = datagrams.recv_blocking_timeout(Duration::from_secs(10)).unwrap();
//! assert_eq!(got.data, b"hello");
//! assert_eq!(got.from, sender.local_addr().unwrap());
//!
//! stop.send_blocking(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not read (present so the receiver fits where a stage is expected) |
//! | `control` | [`Control`] | any message ends it |
//! | `outbox` | [`Datagram`] | each datagram received, with the sender's address |
//! | `addresses` | [`SocketAddr`] | the local address bound, once, when it starts |
//! | `signal` | [`Control`] | the stop request when it ends; `Failed` if it could not bind or read |
//!
//! # Parameters
//!
//! * `local` ([`UdpReceiver::new`]): the address to bind (port 0 picks a free port);
//! * [`reuse_address`](UdpReceiver::reuse_address): `SO_REUSEADDR`, default off.
//!
//! # Shutdown
//!
//! A datagram stream has no end, so it runs until told to stop. `ProducerFinished`: stops
//! reading, delivers the datagram it has already read (if any), sends `ProducerFinished` on
//! `signal`, ends; datagrams still in the kernel's buffer are not read. `Shutdown`/`Failed`:
//! ends at once, passing the message on. If the component its `outbox` leads to has ended, it
//! sends `Shutdown` on `signal` and ends. A receive error that makes the socket unusable ends
//! it with an error naming the address, after `Failed` on `signal`.

use std::net::SocketAddr;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::engine::{self, Ports};
use super::Datagram;

/// Emits the datagrams that arrive at one address. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct UdpReceiver {
    /// Not read.
    pub inbox: Inbox<()>,
    /// Any message ends it.
    pub control: Inbox<Control>,
    /// Each datagram received, with the sender's address.
    pub outbox: Outbox<Datagram>,
    /// The local address bound, once, when it starts.
    pub addresses: Outbox<SocketAddr>,
    /// The stop request when it ends; `Failed` if it could not bind or read.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    local: SocketAddr,
    #[boxes(skip)]
    reuse_address: bool,
}

impl UdpReceiver {
    /// A receiver bound to `local` (port 0 picks a free port).
    pub fn new(local: SocketAddr) -> Self {
        UdpReceiver {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
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

impl Component for UdpReceiver {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let local = self.local;
        let opened = engine::bind_plain(local, self.reuse_address);
        let what = || format!("cannot bind {local}");
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

crate::impl_stage!([] UdpReceiver, () => Datagram);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "UdpReceiver",
        "Kamaelia.Internet.UDP_ng.UDPReceiver",
        Family::Internet,
        "Emits every UDP datagram that arrives at its address, with the sender's address; stops reading while its consumer is full.",
        axon::box_infos(&UdpReceiver::new(SocketAddr::from(([127, 0, 0, 1], 0)))),
    )
    .parameter("local", "SocketAddr", "UdpReceiver::new(local): address to bind; port 0 picks one, reported on `addresses`")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default off)")
});
