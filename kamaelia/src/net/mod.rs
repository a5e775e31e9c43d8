//! TCP networking (Kamaelia's `Kamaelia.Internet` and `Kamaelia.Chassis.ConnectedServer`),
//! built on tokio's asynchronous sockets.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`ServerCore`] | `Chassis.ConnectedServer.ServerCore` | listens; runs one protocol component per connection |
//! | [`ConnectedSocketAdapter`] | `Internet.ConnectedSocketAdapter.ConnectedSocketAdapter` | one connected socket: inbox → socket, socket → outbox |
//! | [`TcpClient`] | `Internet.TCPClient.TCPClient` | connects to a server: inbox → socket, socket → outbox |
//! | [`EchoProtocol`] | `Protocol.EchoProtocol.EchoProtocol` | sends back what it receives |
//!
//! A protocol is any [`Stage`](crate::Stage) of bytes (`Vec<u8>` in and out): the connection's
//! bytes arrive on its `inbox`, its `outbox` goes to the peer, the peer closing arrives as
//! `ProducerFinished` on its `control`, and its ending closes the connection.

pub mod connected_socket_adapter;
pub mod echo_protocol;
pub mod server_core;
pub mod tcp_client;

pub use connected_socket_adapter::ConnectedSocketAdapter;
pub use echo_protocol::EchoProtocol;
pub use server_core::ServerCore;
pub use tcp_client::TcpClient;
