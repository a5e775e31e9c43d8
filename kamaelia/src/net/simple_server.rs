//! SimpleServer: the common case of [`ServerCore`] in one call — a port and a protocol factory
//! that needs no connection details (Kamaelia: `Kamaelia.Chassis.ConnectedServer.SimpleServer`).
//!
//! In Kamaelia, `SimpleServer` was `ServerCore` with a factory called without arguments, and
//! `ServerCore` the version that passed the peer's and local addresses. Here too it is only
//! that: [`SimpleServer::new`] and [`SimpleServer::loopback`] build a [`ServerCore`] (same boxes,
//! same behaviour, same builder options such as
//! [`max_connections`](ServerCore::max_connections)) whose factory ignores the addresses. Use
//! [`ServerCore`] directly to see the addresses or to let a protocol stop the server.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::{EchoProtocol, SimpleServer};
//! use std::io::{Read, Write};
//!
//! let mut system = System::new();
//! let server = SimpleServer::loopback(0, EchoProtocol::new); // 127.0.0.1, a free port
//! let mut addresses = Inbox::new();
//! axon::link(&server.addresses, &addresses).unwrap();
//! let mut stop = Outbox::new();
//! axon::link(&stop, &server.control).unwrap();
//! system.spawn(server);
//! system.start();
//! let address = addresses.recv_blocking().unwrap();
//!
//! let mut client = std::net::TcpStream::connect(address).unwrap();
//! client.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
//! client.write_all(b"hi").unwrap();
//! let mut reply = [0; 2];
//! client.read_exact(&mut reply).unwrap();
//! assert_eq!(&reply, b"hi");
//! stop.send_blocking(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! Those of [`ServerCore`]:
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | not read |
//! | `control` | [`Control`](axon::Control) | `Shutdown`: close every connection and stop; `ProducerFinished`: stop accepting, end when the connections have ended |
//! | `outbox` | `Vec<u8>` | nothing is sent |
//! | `addresses` | [`SocketAddr`] | the address bound, once, when listening |
//! | `errors` | [`ServerError`](super::ServerError) | failed accepts, protocols cancelled after ignoring `Shutdown` |
//! | `signal` | [`Control`](axon::Control) | the stop request, when the server has ended |
//!
//! # Parameters
//!
//! * the port (0 picks a free one): [`SimpleServer::new`] listens on every IPv4 interface, as
//!   Kamaelia did; [`SimpleServer::loopback`] on 127.0.0.1 only;
//! * the protocol factory, called with no arguments for each connection (a function such as
//!   `EchoProtocol::new` will do);
//! * every builder option of [`ServerCore`] on the result.
//!
//! # Shutdown
//!
//! As [`ServerCore`]: `Shutdown` closes every connection and ends the server, `ProducerFinished`
//! stops accepting and ends it when the open connections have ended; the request is passed on
//! on `signal`.

use std::net::{Ipv4Addr, SocketAddr};

use super::ServerCore;
use crate::Stage;

/// Builds the common [`ServerCore`]: a port and a factory without arguments. See the
/// [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct SimpleServer;

impl SimpleServer {
    /// A server on `port` of every IPv4 interface, running `factory()` for each connection.
    #[expect(
        clippy::new_ret_no_self,
        reason = "a SimpleServer is a ServerCore made the simple way, not a type of its own"
    )]
    pub fn new<P, G>(port: u16, factory: G) -> ServerCore<P>
    where
        P: Stage<In = Vec<u8>, Out = Vec<u8>>,
        G: FnMut() -> P + Send + 'static,
    {
        Self::on(Ipv4Addr::UNSPECIFIED, port, factory)
    }

    /// A server on `port` of 127.0.0.1 only (reachable from this machine alone), running
    /// `factory()` for each connection.
    pub fn loopback<P, G>(port: u16, factory: G) -> ServerCore<P>
    where
        P: Stage<In = Vec<u8>, Out = Vec<u8>>,
        G: FnMut() -> P + Send + 'static,
    {
        Self::on(Ipv4Addr::LOCALHOST, port, factory)
    }

    fn on<P, G>(ip: Ipv4Addr, port: u16, mut factory: G) -> ServerCore<P>
    where
        P: Stage<In = Vec<u8>, Out = Vec<u8>>,
        G: FnMut() -> P + Send + 'static,
    {
        ServerCore::new(SocketAddr::from((ip, port)), move |_peer, _local| factory())
    }
}

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "SimpleServer",
        "Kamaelia.Chassis.ConnectedServer.SimpleServer",
        Family::Internet,
        "ServerCore in one call: a port and a protocol factory without arguments; one protocol component per connection.",
        axon::box_infos(&SimpleServer::loopback(0, super::EchoProtocol::new)),
    )
    .parameter("port", "u16", "SimpleServer::new(port, factory) on every IPv4 interface, SimpleServer::loopback(port, factory) on 127.0.0.1; 0 picks a free port")
    .parameter("factory", "FnMut() -> Stage<Vec<u8>, Vec<u8>>", "makes the protocol for each connection")
});
