//! TcpClient: connects to a TCP server; what arrives on its inbox is written to the connection,
//! what the server sends comes out of its outbox (Kamaelia: `Kamaelia.Internet.TCPClient.TCPClient`).
//!
//! The connection is made when the component starts (the address may be a host name, resolved
//! then). Bytes come out in chunks as TCP delivers them (no framing). Reading waits while the
//! receiver of `outbox` is full, so a slow consumer slows the server down rather than filling
//! memory.
//!
//! ```
//! use axon::{Inbox, System};
//! use kamaelia::net::TcpClient;
//! use std::io::{Read, Write};
//!
//! let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let address = listener.local_addr().unwrap();
//! let server = std::thread::spawn(move || {
//!     let (mut socket, _) = listener.accept().unwrap();
//!     socket.write_all(b"hello").unwrap(); // then closes
//! });
//!
//! let mut system = System::new();
//! let client = TcpClient::new(address.to_string());
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&client.outbox, &output).unwrap();
//! axon::link(&client.signal, &signal).unwrap();
//! system.spawn(client);
//! system.start();
//! system.run().unwrap(); // the client ends when the server closes
//! server.join().unwrap();
//! let got: Vec<u8> = std::iter::from_fn(|| output.try_recv().ok()).flatten().collect();
//! assert_eq!(got, b"hello");
//! assert_eq!(signal.try_recv(), Ok(axon::Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | bytes to send to the server |
//! | `control` | [`Control`] | `ProducerFinished`: send what is queued, close the sending side, read until the server closes; `Shutdown`: close now |
//! | `outbox` | `Vec<u8>` | bytes from the server, in chunks |
//! | `signal` | [`Control`] | `ProducerFinished` when the connection ended normally; [`Control::Failed`] saying why when it could not be made or broke; otherwise the stop request |
//!
//! # Parameters
//!
//! * the address (`"host:port"`), given to [`TcpClient::new`];
//! * [`nodelay`](TcpClient::nodelay): `TCP_NODELAY`, default off;
//! * [`chunk_size`](TcpClient::chunk_size): the most bytes read at once, default 64 KiB;
//! * [`write_timeout`](TcpClient::write_timeout): how long a write may wait while the server
//!   takes nothing before the connection has failed, default 60 s.
//!
//! # Shutdown
//!
//! The server closing the connection: everything it sent has gone out on `outbox`; the client
//! sends `ProducerFinished` on `signal` and ends (what is still in its inbox is not sent).
//! `ProducerFinished` on `control`: writes everything queued, closes its sending side, goes on
//! passing on what the server sends until the server closes too, then sends `ProducerFinished`
//! on `signal` and ends. `Shutdown`: closes at once (queued bytes are discarded), sends
//! `Shutdown` on `signal`, ends — also while still connecting, before or after a
//! `ProducerFinished`.
//!
//! Failures send [`Control::Failed`] on `signal` with a reason naming the address and the
//! operating system's error — `TcpClient: cannot connect to 127.0.0.1:9: Connection refused`,
//! or `TcpClient: connection to 127.0.0.1:9000 failed: Connection reset by peer` when it breaks
//! — and end the component with an error of the same text. The server closing the connection
//! normally is not a failure (`ProducerFinished`).

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::net::TcpStream;

use super::connected_socket_adapter::{pump, Ended, Io, SocketBoxes};
use crate::support::{fail, watching, Stopped};

/// A TCP connection to a server as a component. See the [module docs](self).
#[derive(Boxes)]
pub struct TcpClient {
    /// Bytes to send to the server.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished`: send what is queued, then close; `Shutdown`: close now.
    pub control: Inbox<Control>,
    /// Bytes from the server, in chunks.
    pub outbox: Outbox<Vec<u8>>,
    /// `ProducerFinished` when the connection ended normally, `Failed` saying why on failure,
    /// otherwise the stop request.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    address: String,
    #[boxes(skip)]
    nodelay: bool,
    #[boxes(skip)]
    io: Io,
}

impl std::fmt::Debug for TcpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpClient")
            .field("address", &self.address)
            .field("nodelay", &self.nodelay)
            .finish_non_exhaustive()
    }
}

impl TcpClient {
    /// A client for `address` (`"host:port"`).
    pub fn new(address: impl Into<String>) -> Self {
        TcpClient {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            address: address.into(),
            nodelay: false,
            io: Io::default(),
        }
    }

    /// `TCP_NODELAY` on the connection; default off.
    pub fn nodelay(mut self, on: bool) -> Self {
        self.nodelay = on;
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
}

impl Component for TcpClient {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        // Control first: `Shutdown` while connecting stops at once, even after
        // `ProducerFinished`, which is carried out once connected (queued bytes are still sent).
        let mut finishing = false;
        let connect = TcpStream::connect(self.address.as_str());
        let stream = match watching(&mut self.control, &mut finishing, connect).await {
            Ok(stream) => stream,
            Err(Stopped(c)) => {
                self.signal.send(c).await.ok();
                return Ok(());
            }
        };
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                let reason = format!("TcpClient: cannot connect to {}: {e}", self.address);
                return fail(&mut self.signal, reason).await;
            }
        };
        if self.nodelay {
            stream.set_nodelay(true).ok();
        }
        let mut boxes = SocketBoxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        let (end, _) = pump(stream, &mut boxes, self.io, true, &mut finishing).await;
        match end {
            Ended::Control(c) => {
                self.signal.send(c).await.ok();
                Ok(())
            }
            Ended::PeerClosed => {
                self.signal.send(Control::ProducerFinished).await.ok();
                Ok(())
            }
            Ended::Failed(e) => {
                let reason = format!("TcpClient: connection to {} failed: {e}", self.address);
                fail(&mut self.signal, reason).await
            }
        }
    }
}

crate::impl_stage!([] TcpClient, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "TcpClient",
        "Kamaelia.Internet.TCPClient.TCPClient",
        Family::Internet,
        "Connects to a TCP server: inbox bytes are sent to it, its bytes leave on outbox; a failure sends Failed naming the address and the OS error on signal, and ends it with that error.",
        axon::box_infos(&TcpClient::new("127.0.0.1:0")),
    )
    .parameter("address", "String", "TcpClient::new(\"host:port\")")
    .parameter("nodelay", "bool", "TCP_NODELAY (default off)")
    .parameter("chunk_size", "usize", "most bytes read at once (default 64 KiB)")
    .parameter("write_timeout", "Option<Duration>", "how long a write may wait while the peer takes nothing (default 60 s)")
});
