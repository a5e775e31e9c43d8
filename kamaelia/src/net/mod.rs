//! TCP networking (Kamaelia's `Kamaelia.Internet` and `Kamaelia.Chassis.ConnectedServer`),
//! built on tokio's asynchronous sockets.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`ServerCore`] | `Chassis.ConnectedServer.ServerCore` | listens; runs one protocol component per connection |
//! | [`SimpleServer`] | `Chassis.ConnectedServer.SimpleServer` | `ServerCore` in one call: a port and a factory without arguments |
//! | [`SingleServer`] | `Internet.SingleServer.SingleServer` | one client at a time, whose bytes are the server's own outbox and inbox |
//! | [`ConnectedSocketAdapter`] | `Internet.ConnectedSocketAdapter.ConnectedSocketAdapter` | one connected socket: inbox → socket, socket → outbox |
//! | [`TcpClient`] | `Internet.TCPClient.TCPClient` | connects to a server: inbox → socket, socket → outbox |
//! | [`EchoProtocol`] | `Protocol.EchoProtocol.EchoProtocol` | sends back what it receives |
//! | [`UdpSender`] | `Internet.UDP_ng.UDPSender` | inbox → one UDP datagram each, to a fixed address ([`udp`]) |
//! | [`UdpReceiver`] | `Internet.UDP_ng.UDPReceiver` | datagrams arriving at an address → outbox, with their source |
//! | [`SimplePeer`] | `Internet.UDP_ng.SimplePeer` | both, on one socket, to a fixed address |
//! | [`TargettedPeer`] | `Internet.UDP_ng.TargettedPeer` | a peer whose destination arrives on its `target` inbox |
//! | [`PostboxPeer`] | `Internet.UDP_ng.PostboxPeer` | a peer sending each `(address, bytes)` to its address |
//! | [`MulticastSender`] | `Internet.Multicast_sender.Multicast_sender` | inbox → datagrams to a multicast group ([`multicast`]) |
//! | [`MulticastReceiver`] | `Internet.Multicast_receiver.Multicast_receiver` | joins a group; its datagrams → outbox |
//! | [`MulticastTransceiver`] | `Internet.Multicast_transceiver.Multicast_transceiver` | both, on one socket |
//! | [`Duplicate`], [`Throwaway`], [`Reorder`] | `Internet.Simulate.BrokenNetwork` | seeded network damage for tests ([`simulate`]) |
//!
//! A protocol is any [`Stage`](crate::Stage) of bytes (`Vec<u8>` in and out): the connection's
//! bytes arrive on its `inbox`, its `outbox` goes to the peer, the peer closing arrives as
//! `ProducerFinished` on its `control`, and its ending closes the connection; one made with [`ServerCore::with_link`] may stop the whole server ([`ServerLink`]).

pub mod connected_socket_adapter;
pub mod echo_protocol;
pub mod multicast;
pub mod server_core;
pub mod simple_server;
pub mod simulate;
pub mod single_server;
pub mod tcp_client;
pub mod udp;

pub use connected_socket_adapter::{ConnectedSocketAdapter, DEFAULT_WRITE_TIMEOUT};
pub use echo_protocol::EchoProtocol;
pub use multicast::{MulticastReceiver, MulticastSender, MulticastTransceiver};
pub use server_core::{ServerCore, ServerError, ServerLink};
pub use simple_server::SimpleServer;
pub use simulate::{Duplicate, Reorder, Throwaway};
pub use single_server::{ConnectionEvent, SingleServer};
pub use tcp_client::TcpClient;
pub use udp::{
    Datagram, PostboxPeer, SendFailure, SimplePeer, TargettedPeer, UdpReceiver, UdpSender,
};
