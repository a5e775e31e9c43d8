//! ServerCore: a TCP server that runs one protocol component per connection (Kamaelia:
//! `Kamaelia.Chassis.ConnectedServer.ServerCore`).
//!
//! It listens on an address (port 0 picks a free port; the address actually bound goes out once
//! on `addresses`). For each accepted connection it calls the protocol factory with the
//! connection's peer and local addresses, and runs the protocol it returns as a child, wired to
//! a [`ConnectedSocketAdapter`] for the socket:
//!
//! * the connection's bytes arrive on the protocol's `inbox`, in chunks as TCP delivers them
//!   (no framing);
//! * what the protocol sends on its `outbox` is written to the socket;
//! * the peer closing its side arrives as `ProducerFinished` on the protocol's `control`;
//! * the protocol sending on its `signal`, or simply ending, closes the connection (after
//!   writing everything it sent).
//!
//! Boxes are bounded end to end: a protocol that does not keep up (or whose output the peer
//! does not read) stops the connection's reading, and TCP slows the peer down.
//!
//! ```
//! use axon::{Inbox, Outbox, System};
//! use kamaelia::net::{EchoProtocol, ServerCore};
//! use std::io::{Read, Write};
//! use std::time::Duration;
//!
//! let mut system = System::new();
//! let server = ServerCore::new("127.0.0.1:0".parse().unwrap(), |_peer, _local| EchoProtocol::new());
//! let mut addresses = Inbox::new();
//! axon::link(&server.addresses, &addresses).unwrap();
//! let mut stop = Outbox::new();
//! axon::link(&stop, &server.control).unwrap();
//! system.spawn(server);
//! system.start();
//! let address = addresses.recv_blocking().unwrap();
//!
//! let mut client = std::net::TcpStream::connect(address).unwrap();
//! client.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
//! client.write_all(b"hello").unwrap();
//! let mut reply = [0; 5];
//! client.read_exact(&mut reply).unwrap();
//! assert_eq!(&reply, b"hello");
//!
//! stop.send_blocking(axon::Control::Shutdown).unwrap(); // closes every connection
//! system.run().unwrap();
//! assert_eq!(client.read(&mut reply).unwrap(), 0);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | not read (present so the server fits where a stage is expected) |
//! | `control` | [`Control`] | `Shutdown`: close every connection and stop; `ProducerFinished`: stop accepting, end when the connections have ended |
//! | `outbox` | `Vec<u8>` | nothing is sent |
//! | `addresses` | [`SocketAddr`] | the address bound, once, when listening |
//! | `signal` | [`Control`] | the stop request, when the server has ended |
//!
//! # Parameters
//!
//! * the address and the protocol factory, given to [`ServerCore::new`]: the factory gets
//!   `(peer, local)` addresses and returns a [`Stage`] of bytes;
//! * [`reuse_address`](ServerCore::reuse_address): `SO_REUSEADDR`, default on (a restarted
//!   server can bind at once);
//! * [`nodelay`](ServerCore::nodelay): `TCP_NODELAY` on accepted sockets, default off;
//! * [`backlog`](ServerCore::backlog): the listen queue, default 1024 (Kamaelia's 5 refused
//!   connections under load);
//! * [`max_connections`](ServerCore::max_connections): at most this many connections at once;
//!   further ones wait in the listen queue until one ends; default unlimited;
//! * [`chunk_size`](ServerCore::chunk_size): the most bytes read at once per connection,
//!   default 64 KiB.
//!
//! # Shutdown
//!
//! `Shutdown` (or a closed `control`): stops listening, sends `Shutdown` to every connection's
//! protocol and socket adapter (sockets close at once, queued bytes are discarded), waits for
//! them to end, sends `Shutdown` on `signal`, ends. `ProducerFinished`: stops listening, lets
//! the open connections run to their end, then sends `ProducerFinished` on `signal` and ends. A
//! protocol that fails, or a connection reset, ends that connection only. Failing to listen
//! ends the server with an error naming the address, and `Shutdown` on `signal`.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::SocketAddr;

use axon::{
    Boxes, ChildExit, Component, ComponentId, Context, Control, Error, Inbox, InboxRef, Outbox,
};
use tokio::net::{TcpSocket, TcpStream};

use super::connected_socket_adapter::{ConnectedSocketAdapter, DEFAULT_CHUNK};
use crate::Stage;

/// A TCP server running a protocol per connection. See the [module docs](self).
#[derive(Boxes)]
pub struct ServerCore<P, F> {
    /// Not read.
    pub inbox: Inbox<Vec<u8>>,
    /// `Shutdown`: close every connection and stop; `ProducerFinished`: stop accepting, end
    /// when the connections have ended.
    pub control: Inbox<Control>,
    /// Nothing is sent.
    pub outbox: Outbox<Vec<u8>>,
    /// The address bound, once, when listening.
    pub addresses: Outbox<SocketAddr>,
    /// The stop request, when the server has ended.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    address: SocketAddr,
    #[boxes(skip)]
    factory: F,
    #[boxes(skip)]
    reuse_address: bool,
    #[boxes(skip)]
    nodelay: bool,
    #[boxes(skip)]
    backlog: u32,
    #[boxes(skip)]
    max_connections: Option<usize>,
    #[boxes(skip)]
    chunk_size: usize,
    #[boxes(skip)]
    _protocol: PhantomData<fn() -> P>,
}

impl<P, F> std::fmt::Debug for ServerCore<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCore")
            .field("address", &self.address)
            .field("reuse_address", &self.reuse_address)
            .field("nodelay", &self.nodelay)
            .field("backlog", &self.backlog)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl<P, F> ServerCore<P, F>
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
    F: FnMut(SocketAddr, SocketAddr) -> P + Send + 'static,
{
    /// A server listening on `address`, running `factory(peer, local)` for each connection.
    pub fn new(address: SocketAddr, factory: F) -> Self {
        ServerCore {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            addresses: Outbox::new(),
            signal: Outbox::new(),
            address,
            factory,
            reuse_address: true,
            nodelay: false,
            backlog: 1024,
            max_connections: None,
            chunk_size: DEFAULT_CHUNK,
            _protocol: PhantomData,
        }
    }

    /// `SO_REUSEADDR` on the listening socket; default on.
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }

    /// `TCP_NODELAY` on accepted sockets; default off.
    pub fn nodelay(mut self, on: bool) -> Self {
        self.nodelay = on;
        self
    }

    /// The listen queue length; default 1024.
    pub fn backlog(mut self, backlog: u32) -> Self {
        self.backlog = backlog;
        self
    }

    /// At most `n` connections at once (at least 1); others wait in the listen queue.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = Some(n.max(1));
        self
    }

    /// The most bytes read at once per connection (at least 1); default 64 KiB.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }
}

/// One live connection: its two children, while they run.
struct Connection {
    protocol: Option<(ComponentId, InboxRef<Control>)>,
    adapter: Option<(ComponentId, InboxRef<Control>)>,
}

enum Event {
    Control(Control),
    Exit(Option<ChildExit>),
    Accepted(std::io::Result<(TcpStream, SocketAddr)>),
}

fn listen(
    address: SocketAddr,
    reuse: bool,
    backlog: u32,
) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(reuse)?;
    socket.bind(address)?;
    socket.listen(backlog)
}

impl<P, F> Component for ServerCore<P, F>
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
    F: FnMut(SocketAddr, SocketAddr) -> P + Send + 'static,
{
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let listener = match listen(self.address, self.reuse_address, self.backlog) {
            Ok(l) => l,
            Err(e) => {
                self.signal.send(Control::Shutdown).await.ok();
                return Err(Error::msg(format!(
                    "{}: cannot listen on {}: {e}",
                    ctx.name(),
                    self.address
                )));
            }
        };
        let local = listener.local_addr().unwrap_or(self.address);
        self.addresses.send(local).await.ok();
        let mut listener = Some(listener);
        let mut next_conn = 0u64;
        let mut conns: HashMap<u64, Connection> = HashMap::new();
        let mut owner: HashMap<ComponentId, u64> = HashMap::new();
        let mut finishing = false;
        loop {
            if finishing && conns.is_empty() {
                self.signal.send(Control::ProducerFinished).await.ok();
                return Ok(());
            }
            let at_limit = self.max_connections.is_some_and(|m| conns.len() >= m);
            let event = tokio::select! {
                biased;
                c = self.control.recv(), if !finishing => Event::Control(c.unwrap_or(Control::Shutdown)),
                e = ctx.next_child_exit(), if !conns.is_empty() => Event::Exit(e),
                a = accept(&listener), if !at_limit && listener.is_some() => Event::Accepted(a),
            };
            match event {
                Event::Control(Control::ProducerFinished) => {
                    finishing = true;
                    listener = None;
                }
                Event::Control(c) => {
                    drop(listener);
                    for conn in conns.values() {
                        for (_, control) in conn.protocol.iter().chain(conn.adapter.iter()) {
                            control.try_send(Control::Shutdown).ok();
                        }
                    }
                    while ctx.next_child_exit().await.is_some() {}
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
                Event::Exit(None) => conns.clear(),
                Event::Exit(Some(exit)) => {
                    let Some(n) = owner.remove(&exit.id) else {
                        continue;
                    };
                    let Some(conn) = conns.get_mut(&n) else {
                        continue;
                    };
                    if conn.protocol.as_ref().is_some_and(|(id, _)| *id == exit.id) {
                        // The protocol ended: write what it sent, then close.
                        conn.protocol = None;
                        if let Some((_, c)) = &conn.adapter {
                            c.try_send(Control::ProducerFinished).ok();
                        }
                    } else {
                        // The socket is closed: the protocol has nothing more to do.
                        conn.adapter = None;
                        if let Some((_, c)) = &conn.protocol {
                            c.try_send(Control::Shutdown).ok();
                        }
                    }
                    if conn.protocol.is_none() && conn.adapter.is_none() {
                        conns.remove(&n);
                    }
                }
                Event::Accepted(Err(_)) => {
                    // A connection that failed while being accepted: nothing to serve.
                }
                Event::Accepted(Ok((stream, peer))) => {
                    if self.nodelay {
                        stream.set_nodelay(true).ok();
                    }
                    let here = stream.local_addr().unwrap_or(local);
                    let protocol = (self.factory)(peer, here);
                    let adapter = ConnectedSocketAdapter::new(stream).chunk_size(self.chunk_size);
                    let protocol = ctx.adopt_named(format!("protocol for {peer}"), protocol);
                    let adapter = ctx.adopt_named(format!("socket for {peer}"), adapter);
                    ctx.link(&adapter.outbox, protocol.inbox())?;
                    ctx.link(protocol.outbox(), &adapter.inbox)?;
                    ctx.link(&adapter.signal, protocol.control())?;
                    ctx.link(protocol.signal(), &adapter.control)?;
                    let conn = Connection {
                        protocol: Some((protocol.id(), protocol.control().handle())),
                        adapter: Some((adapter.id(), adapter.control.handle())),
                    };
                    owner.insert(protocol.id(), next_conn);
                    owner.insert(adapter.id(), next_conn);
                    conns.insert(next_conn, conn);
                    next_conn += 1;
                    ctx.activate(protocol);
                    ctx.activate(adapter);
                }
            }
        }
    }
}

/// The next connection, or never once the listener is closed.
async fn accept(
    listener: &Option<tokio::net::TcpListener>,
) -> std::io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

impl<P, F> Stage for ServerCore<P, F>
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
    F: FnMut(SocketAddr, SocketAddr) -> P + Send + 'static,
{
    type In = Vec<u8>;
    type Out = Vec<u8>;
    fn inbox(&self) -> &Inbox<Vec<u8>> {
        &self.inbox
    }
    fn control(&self) -> &Inbox<Control> {
        &self.control
    }
    fn outbox(&self) -> &Outbox<Vec<u8>> {
        &self.outbox
    }
    fn signal(&self) -> &Outbox<Control> {
        &self.signal
    }
}

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let s = ServerCore::new(SocketAddr::from(([127, 0, 0, 1], 0)), |_, _| {
        super::EchoProtocol::new()
    });
    Entry::new(
        "ServerCore",
        "Kamaelia.Chassis.ConnectedServer.ServerCore",
        Family::Internet,
        "A TCP server: one protocol component per connection, the connection's bytes on its inbox, its outbox written back; the peer closing is ProducerFinished on its control.",
        axon::box_infos(&s),
    )
    .parameter("address", "SocketAddr", "ServerCore::new(address, factory); port 0 picks a free port, reported on `addresses`")
    .parameter("factory", "FnMut(peer, local) -> Stage<Vec<u8>, Vec<u8>>", "makes the protocol for each connection")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default on)")
    .parameter("nodelay", "bool", "TCP_NODELAY on connections (default off)")
    .parameter("backlog", "u32", "listen queue (default 1024)")
    .parameter("max_connections", "usize", "connections at once (default unlimited)")
    .parameter("chunk_size", "usize", "most bytes read at once (default 64 KiB)")
});
