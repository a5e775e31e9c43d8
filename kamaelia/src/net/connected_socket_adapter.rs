//! ConnectedSocketAdapter: one connected TCP socket as a component — bytes on its inbox are
//! written to the socket, bytes read from the socket come out of its outbox (Kamaelia:
//! `Kamaelia.Internet.ConnectedSocketAdapter.ConnectedSocketAdapter`).
//!
//! [`ServerCore`](crate::net::ServerCore) makes one per accepted connection and links it to the
//! connection's protocol (`outbox → protocol inbox`, `protocol outbox → inbox`,
//! `signal → protocol control`, `protocol signal → control`). Reading, writing and watching
//! `control` go on at once. Bytes come out in chunks as the socket delivers them (no framing).
//!
//! Backpressure: a chunk read from the socket is sent on before the next read, so while the
//! receiver of `outbox` does not take its input the adapter stops reading and the peer's sends
//! are slowed by TCP itself; while the peer does not read, the write waits and the inbox fills.
//! The adapter itself holds at most one chunk read (at most
//! [`chunk_size`](ConnectedSocketAdapter::chunk_size) bytes) and one message being written: with
//! bounded boxes on both sides nothing on a connection grows without bound, however fast the
//! peer sends.
//!
//! ```
//! use axon::{bridge::Handle, System};
//! use kamaelia::net::ConnectedSocketAdapter;
//! use std::io::{Read, Write};
//!
//! let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
//! let (socket, _) = listener.accept().unwrap();
//! socket.set_nonblocking(true).unwrap();
//!
//! let mut system = System::new();
//! let adapter = ConnectedSocketAdapter::from_std(socket);
//! let mut handle = Handle::attach(&adapter.inbox, &adapter.control, &adapter.outbox, &adapter.signal).unwrap();
//! system.spawn(adapter);
//! system.start();
//! peer.write_all(b"ping").unwrap();
//! assert_eq!(handle.recv_blocking().unwrap(), b"ping");
//! handle.send_blocking(b"pong".to_vec()).unwrap();
//! let mut reply = [0; 4];
//! peer.read_exact(&mut reply).unwrap();
//! assert_eq!(&reply, b"pong");
//! handle.finish(); // write what is queued, then close
//! assert_eq!(peer.read(&mut reply).unwrap(), 0);
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | bytes to write to the socket |
//! | `control` | [`Control`] | `ProducerFinished`: write what is queued, then close; `Shutdown`: close now |
//! | `outbox` | `Vec<u8>` | bytes read from the socket, in chunks |
//! | `signal` | [`Control`] | `ProducerFinished` when the peer closes its side; otherwise the stop request, or [`Control::Failed`] naming the peer and the error when the connection breaks |
//!
//! # Parameters
//!
//! * the socket: [`ConnectedSocketAdapter::new`] (a tokio stream) or
//!   [`ConnectedSocketAdapter::from_std`] (a non-blocking std stream);
//! * [`chunk_size`](ConnectedSocketAdapter::chunk_size): the most bytes read at once, and so
//!   the largest message on `outbox`; default 64 KiB.
//! * [`write_timeout`](ConnectedSocketAdapter::write_timeout): how long a write may wait while
//!   the peer takes nothing; then the connection has failed (`None`: wait for ever); default
//!   [`DEFAULT_WRITE_TIMEOUT`] (60 s). A peer that never reads cannot hold the connection, and
//!   what waits to be written to it, for ever.
//!
//! # Shutdown
//!
//! When the peer closes its side (end of stream), every byte read before has been sent on
//! `outbox`; the adapter sends `ProducerFinished` on `signal` and stops reading, but keeps
//! writing what arrives on its inbox (a half-closed connection can still be answered) until its
//! `control` says stop. `ProducerFinished` on `control`: writes everything queued, closes the
//! socket, ends. `Shutdown` (or a closed `control`): closes the socket at once, discarding queued
//! bytes. A read or write error (connection reset) ends it too; after a failed write, what was
//! already read from the peer is still sent on `outbox` first (unless a stop request comes
//! while it waits for room). On `signal` it sends the stop
//! request it got, or after a socket error [`Control::Failed`] with a reason naming the peer
//! and the error (`socket for 127.0.0.1:5000: connection with 127.0.0.1:5000 failed: Connection
//! reset by peer`) — unless it already sent `ProducerFinished` for the peer closing, which is
//! then the only message on `signal`. Socket errors do not fail the component: the connection
//! is simply over.

use std::future::Future;
use std::pin::Pin;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use crate::support::watching;

/// Default read size.
pub(crate) const DEFAULT_CHUNK: usize = 64 * 1024;

/// How long a write may wait while the peer takes nothing, by default: 60 s.
pub const DEFAULT_WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// How a connection is read and written: shared by every component that drives a socket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Io {
    /// The most bytes read at once.
    pub(crate) chunk_size: usize,
    /// How long a write may wait while the peer takes nothing; `None`: for ever.
    pub(crate) write_timeout: Option<std::time::Duration>,
}

impl Default for Io {
    fn default() -> Self {
        Io {
            chunk_size: DEFAULT_CHUNK,
            write_timeout: Some(DEFAULT_WRITE_TIMEOUT),
        }
    }
}

/// Where the socket comes from.
enum Socket {
    Tokio(TcpStream),
    Std(std::net::TcpStream),
}

/// One connected socket as a component. See the [module docs](self).
#[derive(Boxes)]
pub struct ConnectedSocketAdapter {
    /// Bytes to write to the socket.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished`: write what is queued, then close; `Shutdown`: close now.
    pub control: Inbox<Control>,
    /// Bytes read from the socket, in chunks.
    pub outbox: Outbox<Vec<u8>>,
    /// `ProducerFinished` when the peer closes; otherwise the stop request, or `Failed` when the
    /// connection breaks.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    socket: Option<Socket>,
    #[boxes(skip)]
    io: Io,
}

impl std::fmt::Debug for ConnectedSocketAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectedSocketAdapter")
            .field("io", &self.io)
            .finish_non_exhaustive()
    }
}

impl ConnectedSocketAdapter {
    /// An adapter for a connected tokio stream.
    pub fn new(stream: TcpStream) -> Self {
        Self::with(Some(Socket::Tokio(stream)))
    }

    /// An adapter for a connected std stream, which must be in non-blocking mode
    /// ([`std::net::TcpStream::set_nonblocking`]); it is registered with the runtime when the
    /// component starts.
    pub fn from_std(stream: std::net::TcpStream) -> Self {
        Self::with(Some(Socket::Std(stream)))
    }

    fn with(socket: Option<Socket>) -> Self {
        ConnectedSocketAdapter {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            socket,
            io: Io::default(),
        }
    }

    /// The most bytes read at once (at least 1); default 64 KiB.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.io.chunk_size = bytes.max(1);
        self
    }

    /// How long a write may wait while the peer takes nothing before the connection counts
    /// as failed; `None` waits for ever. Default [`DEFAULT_WRITE_TIMEOUT`] (60 s).
    pub fn write_timeout(mut self, limit: Option<std::time::Duration>) -> Self {
        self.io.write_timeout = limit;
        self
    }
}

impl Component for ConnectedSocketAdapter {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let stream = match self.socket.take() {
            Some(Socket::Tokio(s)) => s,
            Some(Socket::Std(s)) => TcpStream::from_std(s)
                .map_err(|e| Error::msg(format!("{}: cannot use the socket: {e}", ctx.name())))?,
            None => return Ok(()),
        };
        let peer = stream.peer_addr();
        let mut boxes = SocketBoxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        let mut finishing = false;
        let (end, peer_closed) = pump(stream, &mut boxes, self.io, false, &mut finishing).await;
        if !peer_closed {
            let c = match end {
                Ended::Control(c) => c,
                Ended::PeerClosed => Control::ProducerFinished,
                Ended::Failed(e) => {
                    let peer = peer.map_or_else(|_| "the peer".to_string(), |a| a.to_string());
                    Control::failed(format!(
                        "{}: connection with {peer} failed: {e}",
                        ctx.name()
                    ))
                }
            };
            self.signal.send(c).await.ok();
        }
        Ok(())
    }
}

crate::impl_stage!([] ConnectedSocketAdapter, Vec<u8> => Vec<u8>);

/// The boxes [`pump`] works on.
pub(crate) struct SocketBoxes<'a> {
    pub(crate) inbox: &'a mut Inbox<Vec<u8>>,
    pub(crate) control: &'a mut Inbox<Control>,
    pub(crate) outbox: &'a mut Outbox<Vec<u8>>,
    pub(crate) signal: &'a mut Outbox<Control>,
}

/// Why [`pump`] returned.
#[derive(Debug)]
pub(crate) enum Ended {
    /// A stop request arrived (and was carried out).
    Control(Control),
    /// The peer closed its side (only when `end_on_eof`).
    PeerClosed,
    /// Reading or writing failed.
    Failed(std::io::Error),
}

type Write = Pin<Box<dyn Future<Output = (OwnedWriteHalf, std::io::Result<()>)> + Send>>;

fn write(mut half: OwnedWriteHalf, data: Vec<u8>, limit: Option<std::time::Duration>) -> Write {
    Box::pin(async move {
        let r = match limit {
            None => half.write_all(&data).await,
            Some(limit) => write_making_progress(&mut half, &data, limit).await,
        };
        (half, r)
    })
}

/// Writes all of `data`, failing if the peer takes nothing for `limit` (a peer that never
/// reads cannot hold the connection, and what waits to be written, for ever).
async fn write_making_progress(
    half: &mut OwnedWriteHalf,
    data: &[u8],
    limit: std::time::Duration,
) -> std::io::Result<()> {
    let mut written = 0;
    while written < data.len() {
        match tokio::time::timeout(limit, half.write(&data[written..])).await {
            Ok(Ok(0)) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(Ok(n)) => written += n,
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("the peer took nothing for {limit:?}"),
                ))
            }
        }
    }
    Ok(())
}

/// The pending write, or never.
async fn written(w: &mut Option<Write>) -> (OwnedWriteHalf, std::io::Result<()>) {
    match w {
        Some(w) => w.await,
        None => std::future::pending().await,
    }
}

/// A read, or never once reading has stopped.
async fn read_from(half: &mut Option<OwnedReadHalf>, buf: &mut [u8]) -> std::io::Result<usize> {
    match half {
        Some(h) => h.read(buf).await,
        None => std::future::pending().await,
    }
}

enum Step {
    Control(Control),
    Wrote(OwnedWriteHalf, std::io::Result<()>),
    Input(Option<Vec<u8>>),
    Sent(bool),
    Read(std::io::Result<usize>),
}

/// Moves bytes between the socket and the boxes until a stop request, an error, or (with
/// `end_on_eof`) the peer closing — with `end_on_eof`, `ProducerFinished` closes the writing
/// side and reads on until the peer closes. Returns why, and whether `ProducerFinished` was already sent
/// on `signal` for the peer closing. `finishing`: a `ProducerFinished` was received (before the
/// call, or during it — then it is set). The socket is closed when it returns.
pub(crate) async fn pump(
    stream: TcpStream,
    b: &mut SocketBoxes<'_>,
    io: Io,
    end_on_eof: bool,
    finishing: &mut bool,
) -> (Ended, bool) {
    let (read_half, write_half) = stream.into_split();
    let mut reader = Some(read_half);
    let mut writer = Some(write_half);
    let mut writing: Option<Write> = None;
    let mut to_send: Vec<Vec<u8>> = Vec::with_capacity(1);
    let mut buf = vec![0u8; io.chunk_size];
    let mut peer_closed = false;
    let mut write_closed = false;
    loop {
        if *finishing && writing.is_none() && !write_closed {
            // No more input will come: write what is queued, then close.
            match (b.inbox.try_recv(), writer.take()) {
                (Ok(data), Some(w)) => writing = Some(write(w, data, io.write_timeout)),
                (_, w) => {
                    if let Some(mut w) = w {
                        w.shutdown().await.ok();
                    }
                    if !(end_on_eof && reader.is_some()) {
                        return (Ended::Control(Control::ProducerFinished), peer_closed);
                    }
                    // A client reads on until the server closes too.
                    write_closed = true;
                }
            }
        }
        let step = tokio::select! {
            biased;
            c = b.control.recv() => Step::Control(c.unwrap_or(Control::Shutdown)),
            (h, r) = written(&mut writing) => Step::Wrote(h, r),
            m = b.inbox.recv(), if !*finishing && writing.is_none() && writer.is_some() => Step::Input(m),
            r = b.outbox.send_all(&mut to_send), if !to_send.is_empty() => Step::Sent(r.is_ok()),
            r = read_from(&mut reader, &mut buf), if to_send.is_empty() && reader.is_some() => Step::Read(r),
        };
        match step {
            Step::Control(Control::ProducerFinished) => *finishing = true,
            Step::Control(c) => return (Ended::Control(c), peer_closed),
            Step::Wrote(h, Ok(())) => {
                writing = None;
                writer = Some(h);
            }
            Step::Wrote(_, Err(e)) => {
                // What was read from the peer before the write failed still goes on, unless a
                // stop request comes first (the connection is over either way).
                if !to_send.is_empty() {
                    let deliver = b.outbox.send_all(&mut to_send);
                    watching(b.control, finishing, deliver).await.ok();
                }
                return (Ended::Failed(e), peer_closed);
            }
            Step::Input(Some(data)) => {
                writing = writer.take().map(|w| write(w, data, io.write_timeout));
            }
            Step::Input(None) => *finishing = true,
            Step::Sent(true) => {}
            Step::Sent(false) => {
                // Nobody takes what we read any more: stop reading.
                to_send.clear();
                reader = None;
            }
            Step::Read(Ok(0)) => {
                reader = None;
                if end_on_eof {
                    return (Ended::PeerClosed, peer_closed);
                }
                peer_closed = true;
                b.signal.send(Control::ProducerFinished).await.ok();
            }
            Step::Read(Ok(n)) => to_send.push(buf[..n].to_vec()),
            Step::Read(Err(e)) => return (Ended::Failed(e), peer_closed),
        }
    }
}

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "ConnectedSocketAdapter",
        "Kamaelia.Internet.ConnectedSocketAdapter.ConnectedSocketAdapter",
        Family::Internet,
        "One connected TCP socket: inbox bytes are written to it, bytes read from it leave on outbox; ProducerFinished on signal when the peer closes.",
        axon::box_infos(&ConnectedSocketAdapter::with(None)),
    )
    .parameter("stream", "TcpStream", "ConnectedSocketAdapter::new(stream) or from_std(stream)")
    .parameter("chunk_size", "usize", "most bytes read at once (default 64 KiB)")
    .parameter("write_timeout", "Option<Duration>", "how long a write may wait while the peer takes nothing (default 60 s)")
});
