//! SingleServer: a TCP server for one client at a time, whose connection is the server's own
//! inbox and outbox (Kamaelia: `Kamaelia.Internet.SingleServer.SingleServer`).
//!
//! It listens on an address (the address bound goes out once on `addresses`) and accepts one
//! connection. While that client is connected, what it sends comes out of the server's
//! `outbox` (in chunks as TCP delivers them) and what arrives on the server's `inbox` is
//! written to it. When the client closes (or the connection breaks), the next connection is
//! accepted; clients that connect meanwhile wait in the listen queue (Kamaelia accepted and
//! closed them). Each client's arrival and departure is announced on `connections`; the
//! server's `signal` is only for its own end (Kamaelia sent `producerFinished` on every
//! disconnection, which stopped whatever was linked after it).
//!
//! **Data sent while nobody is connected** stays in the server's inbox — bounded, so the sender
//! waits once it is full — and goes to the next client, in order. A chunk being written when a
//! client goes away is lost with that connection; everything behind it goes to the next client.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::SingleServer;
//! use std::io::{Read, Write};
//!
//! let mut system = System::new();
//! let server = SingleServer::new("127.0.0.1:0".parse().unwrap());
//! let (mut addresses, mut from_client) = (Inbox::new(), Inbox::new());
//! axon::link(&server.addresses, &addresses).unwrap();
//! axon::link(&server.outbox, &from_client).unwrap();
//! let (mut to_client, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&to_client, &server.inbox).unwrap();
//! axon::link(&stop, &server.control).unwrap();
//! system.spawn(server);
//! system.start();
//! let address = addresses.recv_blocking().unwrap();
//!
//! to_client.send_blocking(b"welcome".to_vec()).unwrap(); // held until someone connects
//! let mut client = std::net::TcpStream::connect(address).unwrap();
//! client.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
//! let mut got = [0; 7];
//! client.read_exact(&mut got).unwrap();
//! assert_eq!(&got, b"welcome");
//! client.write_all(b"hello").unwrap();
//! assert_eq!(from_client.recv_blocking().unwrap(), b"hello");
//!
//! stop.send_blocking(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | bytes for the connected client; held (bounded) while nobody is connected |
//! | `control` | [`Control`] | `ProducerFinished`: deliver what is queued, then end; `Shutdown`/`Failed`: close and end now |
//! | `outbox` | `Vec<u8>` | bytes from the connected client, in chunks |
//! | `connections` | [`ConnectionEvent`] | a client connected; a client went away (and why, if the connection broke); bounded like any box: while a linked reader does not keep up the server waits (stop requests are still seen) |
//! | `addresses` | [`SocketAddr`] | the address bound, once, when listening |
//! | `errors` | [`ServerError`] | failed accepts (retried after a pause) |
//! | `signal` | [`Control`] | the stop request, when the server has ended |
//!
//! # Parameters
//!
//! * the address, given to [`SingleServer::new`] (port 0 picks a free port);
//! * [`reuse_address`](SingleServer::reuse_address): `SO_REUSEADDR`, default on (Kamaelia's
//!   `FastRestartSingleServer`);
//! * [`nodelay`](SingleServer::nodelay): `TCP_NODELAY`, default off;
//! * [`backlog`](SingleServer::backlog): how many clients may wait to be served, default 1024;
//! * [`chunk_size`](SingleServer::chunk_size): the most bytes read at once, default 64 KiB;
//! * [`write_timeout`](SingleServer::write_timeout): how long a write may wait while the client
//!   takes nothing before the connection has failed, default 60 s;
//! * [`accept_retry`](SingleServer::accept_retry): the first and the longest pause after a
//!   failed accept, default 10 ms and 1 s (as [`ServerCore`](super::ServerCore)).
//!
//! # Shutdown
//!
//! `Shutdown` or `Failed` (or a closed `control`): closes the connection at once (queued bytes
//! are discarded), stops listening, sends the request on `signal`, ends. `ProducerFinished`:
//! no more data will come, so the bytes already queued are delivered — written to the current
//! client, or, if nobody is connected, to the next client that connects — then the server
//! closes its sending side, passes on what the client still sends until it closes, sends
//! `ProducerFinished` on `signal` and ends. With nothing queued and nobody connected it ends at
//! once. A client that closes its sending side is taken as gone. Failing to listen ends the
//! server with an error naming the address, after sending [`Control::Failed`] with the same
//! text on `signal`.

use std::net::SocketAddr;
use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::connected_socket_adapter::{pump, Ended, Io, SocketBoxes};
use super::server_core::{Acceptor, Retry, ServerError};
use crate::support::{pass_on, watching, Stopped};

/// A client arriving or leaving, on a [`SingleServer`]'s `connections` outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// A client connected; it is now the one served.
    Opened {
        /// Its address.
        peer: SocketAddr,
    },
    /// The client went away.
    Closed {
        /// Its address.
        peer: SocketAddr,
        /// Why, if the connection broke rather than closed.
        error: Option<String>,
    },
}

/// A TCP server for one client at a time. See the [module docs](self).
#[derive(Boxes)]
pub struct SingleServer {
    /// Bytes for the connected client; held while nobody is connected.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished`: deliver what is queued, then end; `Shutdown`: close and end now.
    pub control: Inbox<Control>,
    /// Bytes from the connected client, in chunks.
    pub outbox: Outbox<Vec<u8>>,
    /// A client connected or went away.
    pub connections: Outbox<ConnectionEvent>,
    /// The address bound, once, when listening.
    pub addresses: Outbox<SocketAddr>,
    /// Failed accepts.
    pub errors: Outbox<ServerError>,
    /// The stop request, when the server has ended.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    address: SocketAddr,
    #[boxes(skip)]
    reuse_address: bool,
    #[boxes(skip)]
    nodelay: bool,
    #[boxes(skip)]
    backlog: u32,
    #[boxes(skip)]
    io: Io,
    #[boxes(skip)]
    retry: Retry,
}

impl std::fmt::Debug for SingleServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleServer")
            .field("address", &self.address)
            .field("reuse_address", &self.reuse_address)
            .field("nodelay", &self.nodelay)
            .field("backlog", &self.backlog)
            .field("io", &self.io)
            .finish_non_exhaustive()
    }
}

impl SingleServer {
    /// A server listening on `address`.
    pub fn new(address: SocketAddr) -> Self {
        SingleServer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            connections: Outbox::new(),
            addresses: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            address,
            reuse_address: true,
            nodelay: false,
            backlog: 1024,
            io: Io::default(),
            retry: Retry::default(),
        }
    }

    /// `SO_REUSEADDR` on the listening socket; default on.
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }

    /// `TCP_NODELAY` on connections; default off.
    pub fn nodelay(mut self, on: bool) -> Self {
        self.nodelay = on;
        self
    }

    /// How many clients may wait in the listen queue; default 1024.
    pub fn backlog(mut self, backlog: u32) -> Self {
        self.backlog = backlog;
        self
    }

    /// The most bytes read at once (at least 1); default 64 KiB.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.io.chunk_size = bytes.max(1);
        self
    }

    /// How long a write may wait while the peer takes nothing before the connection counts
    /// as failed; `None` waits for ever. Default [`DEFAULT_WRITE_TIMEOUT`](super::DEFAULT_WRITE_TIMEOUT) (60 s).
    pub fn write_timeout(mut self, limit: Option<std::time::Duration>) -> Self {
        self.io.write_timeout = limit;
        self
    }

    /// After a failed accept, wait `first`, then twice as long after each further failure in a
    /// row, but never longer than `max`; defaults 10 ms and 1 s.
    pub fn accept_retry(mut self, first: Duration, max: Duration) -> Self {
        self.retry = Retry::new(first, max);
        self
    }
}

impl Component for SingleServer {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut acceptor =
            match Acceptor::listen(self.address, self.reuse_address, self.backlog, self.retry) {
                Ok(a) => a,
                Err(e) => {
                    let reason = format!("{}: cannot listen on {}: {e}", ctx.name(), self.address);
                    pass_on(&mut self.signal, Control::failed(reason.as_str())).await;
                    return Err(Error::msg(reason));
                }
            };
        self.addresses.send(acceptor.address()).await.ok();
        let mut finishing = false;
        loop {
            if finishing && self.inbox.is_empty() {
                pass_on(&mut self.signal, Control::ProducerFinished).await;
                return Ok(());
            }
            let accepted = tokio::select! {
                biased;
                c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                    Control::ProducerFinished => {
                        finishing = true;
                        continue;
                    }
                    c => {
                        pass_on(&mut self.signal, c).await;
                        return Ok(());
                    }
                },
                a = acceptor.accept() => a,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(report) => {
                    self.errors.try_send(report).ok();
                    continue;
                }
            };
            if self.nodelay {
                stream.set_nodelay(true).ok();
            }
            let event = ConnectionEvent::Opened { peer };
            // A reader that does not keep up makes the server wait, but not past a stop.
            let announce = self.connections.send(event);
            if let Err(Stopped(c)) = watching(&mut self.control, &mut finishing, announce).await {
                pass_on(&mut self.signal, c).await;
                return Ok(());
            }
            let mut boxes = SocketBoxes {
                inbox: &mut self.inbox,
                control: &mut self.control,
                outbox: &mut self.outbox,
                signal: &mut self.signal,
            };
            let (end, _) = pump(stream, &mut boxes, self.io, true, &mut finishing).await;
            let error = match &end {
                Ended::Failed(e) => Some(e.to_string()),
                Ended::Control(_) | Ended::PeerClosed => None,
            };
            let event = ConnectionEvent::Closed { peer, error };
            // A reader that does not keep up makes the server wait, but not past a stop.
            let announce = self.connections.send(event);
            if let Err(Stopped(c)) = watching(&mut self.control, &mut finishing, announce).await {
                pass_on(&mut self.signal, c).await;
                return Ok(());
            }
            match end {
                Ended::Control(c) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
                // The client is gone: serve the next one (or end, if finishing and done).
                Ended::PeerClosed | Ended::Failed(_) => {}
            }
        }
    }
}

crate::impl_stage!([] SingleServer, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "SingleServer",
        "Kamaelia.Internet.SingleServer.SingleServer",
        Family::Internet,
        "A TCP server for one client at a time: the client's bytes leave on outbox, inbox bytes go to it (held for the next client while nobody is connected).",
        axon::box_infos(&SingleServer::new(SocketAddr::from(([127, 0, 0, 1], 0)))),
    )
    .parameter("address", "SocketAddr", "SingleServer::new(address); port 0 picks a free port, reported on `addresses`")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default on; Kamaelia's FastRestartSingleServer)")
    .parameter("nodelay", "bool", "TCP_NODELAY (default off)")
    .parameter("backlog", "u32", "clients that may wait in the listen queue (default 1024)")
    .parameter("chunk_size", "usize", "most bytes read at once (default 64 KiB)")
    .parameter("write_timeout", "Option<Duration>", "how long a write may wait while the peer takes nothing (default 60 s)")
    .parameter("accept_retry", "(Duration, Duration)", "first and longest pause after a failed accept (default 10 ms, 1 s)")
});
