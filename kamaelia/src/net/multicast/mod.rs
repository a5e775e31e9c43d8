//! IPv4 multicast (Kamaelia's `Kamaelia.Internet.Multicast_sender`, `Multicast_receiver` and
//! `Multicast_transceiver`): UDP datagrams to and from a multicast group.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`MulticastSender`] | `Internet.Multicast_sender.Multicast_sender` | sends every message on its inbox as one datagram to a group |
//! | [`MulticastReceiver`] | `Internet.Multicast_receiver.Multicast_receiver` | joins a group and emits every datagram sent to it |
//! | [`MulticastTransceiver`] | `Internet.Multicast_transceiver.Multicast_transceiver` | both, on one socket |
//!
//! They are built on the same loop as the [UDP components](crate::net::udp), so datagram
//! sizes, error reports on `errors`, backpressure (a full consumer stops reading; the kernel
//! drops what does not fit), the `addresses` outbox and shutdown behave the same way. What they
//! add is the socket setup.
//!
//! # Socket options
//!
//! * **Interface** ([`interface`](MulticastSender::interface), default `0.0.0.0`: the system
//!   chooses by its routing table): senders set `IP_MULTICAST_IF` to it and bind their socket
//!   to it (port 0); receivers join the group on it (`IP_ADD_MEMBERSHIP`).
//! * **TTL** ([`ttl`](MulticastSender::ttl), default **1**): `IP_MULTICAST_TTL`. With 1 no
//!   router forwards the datagrams: they reach the local network segment only. 0 keeps them on
//!   this host. Kamaelia's receiver used 255.
//! * **Loopback** ([`loopback`](MulticastSender::loopback), default on): `IP_MULTICAST_LOOP`,
//!   so members of the group on this host (including a transceiver's own socket) get the
//!   datagrams too.
//! * **Address reuse** (receivers: [`reuse`](MulticastReceiver::reuse), default on):
//!   `SO_REUSEADDR`, and `SO_REUSEPORT` where the system has it, so several receivers on this
//!   host can listen to the same group and port.
//!
//! Receivers bind to the group address itself (on Unix; elsewhere to `0.0.0.0`), so they get
//! only the datagrams sent to that group, not unicast traffic to the same port.
//!
//! # Multicast on loopback only
//!
//! Tests and examples keep every datagram on this host by using the loopback interface for
//! both ends: the sender with `interface(127.0.0.1)` (so `IP_MULTICAST_IF` is 127.0.0.1 and the
//! datagram goes out on `lo`), the receiver joining with `interface(127.0.0.1)`, and a group
//! from the organisation-local range such as `239.255.0.1`. On Linux this works even though
//! `lo` does not carry the `MULTICAST` flag and has no multicast route: `IP_MULTICAST_IF`
//! selects the device directly. Without it, the datagram would follow the default route onto
//! the network.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::multicast::{MulticastReceiver, MulticastSender};
//! use std::net::Ipv4Addr;
//! use std::time::Duration;
//!
//! let wait = Duration::from_secs(10);
//! let mut system = System::new();
//! let receiver = MulticastReceiver::new("239.255.0.1:0".parse().unwrap())
//!     .interface(Ipv4Addr::LOCALHOST);
//! let (mut bound, mut datagrams) = (Inbox::new(), Inbox::new());
//! axon::link(&receiver.addresses, &bound).unwrap();
//! axon::link(&receiver.outbox, &datagrams).unwrap();
//! let mut stop_receiver = Outbox::new();
//! axon::link(&stop_receiver, &receiver.control).unwrap();
//! system.spawn(receiver);
//! system.start();
//! let port = bound.recv_blocking_timeout(wait).unwrap().port();
//!
//! let sender = MulticastSender::new(std::net::SocketAddrV4::new([239, 255, 0, 1].into(), port))
//!     .interface(Ipv4Addr::LOCALHOST);
//! let (mut input, mut stop_sender) = (Outbox::new(), Outbox::new());
//! axon::link(&input, &sender.inbox).unwrap();
//! axon::link(&stop_sender, &sender.control).unwrap();
//! system.spawn(sender);
//! input.send_blocking(b"to everyone".to_vec()).unwrap();
//! stop_sender.send_blocking(Control::ProducerFinished).unwrap();
//!
//! let got = datagrams.recv_blocking_timeout(wait).unwrap();
//! assert_eq!(got.data, b"to everyone");
//! assert!(got.from.ip().is_loopback());
//! stop_receiver.send_blocking(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```

pub mod multicast_receiver;
pub mod multicast_sender;
pub mod multicast_transceiver;

pub use multicast_receiver::MulticastReceiver;
pub use multicast_sender::MulticastSender;
pub use multicast_transceiver::MulticastTransceiver;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use tokio::net::UdpSocket;

use super::udp::engine::{bind, socket_for};

/// The multicast settings every component here has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    /// Where to send from and join on.
    pub(crate) interface: Ipv4Addr,
    /// `IP_MULTICAST_TTL`.
    pub(crate) ttl: u32,
    /// `IP_MULTICAST_LOOP`.
    pub(crate) loopback: bool,
    /// `SO_REUSEADDR` and `SO_REUSEPORT` (joined sockets only).
    pub(crate) reuse: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            interface: Ipv4Addr::UNSPECIFIED,
            ttl: 1,
            loopback: true,
            reuse: true,
        }
    }
}

/// The builder methods for [`Settings`], shared by the components (each has a `settings`
/// field): `interface` for all, `ttl` and `loopback` for those that send.
macro_rules! settings_builders {
    ($ty:ident) => {
        impl $ty {
            /// The interface to use (`IP_MULTICAST_IF` for sending, `IP_ADD_MEMBERSHIP` for
            /// joining); default `0.0.0.0`, the system's choice. `Ipv4Addr::LOCALHOST` keeps
            /// the traffic on this host.
            pub fn interface(mut self, interface: ::std::net::Ipv4Addr) -> Self {
                self.settings.interface = interface;
                self
            }
        }
    };
    ($ty:ident, sending) => {
        $crate::net::multicast::settings_builders!($ty);

        impl $ty {
            /// `IP_MULTICAST_TTL`: how many routers a datagram may cross; default 1 (the
            /// local network only); 0 keeps it on this host.
            pub fn ttl(mut self, ttl: u32) -> Self {
                self.settings.ttl = ttl;
                self
            }

            /// `IP_MULTICAST_LOOP`: deliver to group members on this host too; default on.
            pub fn loopback(mut self, on: bool) -> Self {
                self.settings.loopback = on;
                self
            }
        }
    };
}
pub(crate) use settings_builders;

fn not_multicast(group: Ipv4Addr) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{group} is not a multicast address"),
    )
}

/// A socket for sending to `group`, bound to the interface (port 0), with the multicast
/// options of `s` set.
pub(crate) fn sending_socket(group: SocketAddrV4, s: &Settings) -> io::Result<UdpSocket> {
    if !group.ip().is_multicast() {
        return Err(not_multicast(*group.ip()));
    }
    let local = SocketAddr::V4(SocketAddrV4::new(s.interface, 0));
    let socket = socket_for(local)?;
    set_sending_options(&socket, s)?;
    bind(socket, local)
}

fn set_sending_options(socket: &socket2::Socket, s: &Settings) -> io::Result<()> {
    socket.set_multicast_if_v4(&s.interface)?;
    socket.set_multicast_ttl_v4(s.ttl)?;
    socket.set_multicast_loop_v4(s.loopback)
}

/// A socket that has joined `group` on the interface, bound to the group's port, with the
/// sending options set too (for a transceiver).
pub(crate) fn joined_socket(group: SocketAddrV4, s: &Settings) -> io::Result<UdpSocket> {
    if !group.ip().is_multicast() {
        return Err(not_multicast(*group.ip()));
    }
    // Binding to the group address filters out other traffic to the port on Unix; elsewhere
    // (Windows) a multicast address cannot be bound.
    let ip = if cfg!(unix) {
        *group.ip()
    } else {
        Ipv4Addr::UNSPECIFIED
    };
    let local = SocketAddr::V4(SocketAddrV4::new(ip, group.port()));
    let socket = socket_for(local)?;
    socket.set_reuse_address(s.reuse)?;
    #[cfg(all(
        unix,
        not(any(
            target_os = "solaris",
            target_os = "illumos",
            target_os = "cygwin",
            target_os = "nuttx",
            target_os = "wasi"
        ))
    ))]
    socket.set_reuse_port(s.reuse)?;
    set_sending_options(&socket, s)?;
    socket.join_multicast_v4(group.ip(), &s.interface)?;
    bind(socket, local)
}
