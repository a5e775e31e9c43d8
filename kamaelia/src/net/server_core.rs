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
//! * the peer closing its side arrives as `ProducerFinished` on the protocol's `control` (a
//!   connection that breaks — a reset — arrives as [`Control::Failed`] naming the peer);
//! * the protocol sending on its `signal`, or simply ending, closes the connection (after
//!   writing everything it sent);
//! * a protocol may stop the whole server: make the server with [`ServerCore::with_link`] and
//!   the factory gets a [`ServerLink`] instead of the two addresses; the protocol keeps it and
//!   calls [`ServerLink::stop_server`] (Kamaelia's `serversignal` outbox, typed).
//!
//! Boxes are bounded end to end: a protocol that does not keep up (or whose output the peer
//! does not read) stops the connection's reading, and TCP slows the peer down. Per connection
//! the server holds at most the protocol's bounded inbox of chunks of at most
//! [`chunk_size`](ServerCore::chunk_size) bytes, plus one chunk being handed over: a fast
//! client cannot make it buffer more.
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
//! | `control` | [`Control`] | `Shutdown`/`Failed`: close every connection and stop; `ProducerFinished`: stop accepting, end when the connections have ended |
//! | `outbox` | `Vec<u8>` | nothing is sent |
//! | `addresses` | [`SocketAddr`] | the address bound, once, when listening |
//! | `errors` | [`ServerError`] | reports: accepting failed (and when it is retried), a protocol cancelled after ignoring `Shutdown` |
//! | `signal` | [`Control`] | the stop request, when the server has ended |
//!
//! # Parameters
//!
//! * the address and the protocol factory, given to [`ServerCore::new`] (the factory gets
//!   `(peer, local)` addresses) or [`ServerCore::with_link`] (it gets a [`ServerLink`]); it
//!   returns a [`Stage`] of bytes;
//! * [`reuse_address`](ServerCore::reuse_address): `SO_REUSEADDR`, default on (a restarted
//!   server can bind at once);
//! * [`nodelay`](ServerCore::nodelay): `TCP_NODELAY` on accepted sockets, default off;
//! * [`backlog`](ServerCore::backlog): the listen queue, default 1024 (Kamaelia's 5 refused
//!   connections under load);
//! * [`max_connections`](ServerCore::max_connections): at most this many connections at once;
//!   further ones wait in the listen queue until one ends; default unlimited. A connection
//!   that stays open with no traffic is kept: when to give up on a quiet client is the
//!   protocol's decision (it ends, and the connection closes), so a server open to untrusted
//!   clients should set this limit;
//! * [`chunk_size`](ServerCore::chunk_size): the most bytes read at once per connection,
//!   default 64 KiB;
//! * [`write_timeout`](ServerCore::write_timeout): how long a connection's write may wait while
//!   the peer takes nothing before the connection has failed, default 60 s — so a client that
//!   never reads cannot hold its connection for ever, even after its protocol has ended;
//! * [`grace_period`](ServerCore::grace_period): how long a protocol may take to end after it
//!   was sent `Shutdown` before it is cancelled, default 5 s;
//! * [`accept_retry`](ServerCore::accept_retry): the first and the longest pause after a failed
//!   accept, default 10 ms and 1 s.
//!
//! # Shutdown
//!
//! `Shutdown` or `Failed` on `control` (or a closed `control`, or [`ServerLink::stop_server`]):
//! stops listening, sends `Shutdown` to every connection's protocol and socket adapter (sockets
//! close at once, queued bytes are discarded), waits for them to end — cancelling, after the
//! grace period, any that ignore it, each reported on `errors` — then sends the stop request
//! (`Shutdown` for `stop_server`) on `signal` and ends. `ProducerFinished` (or
//! [`ServerLink::finish_server`]): stops listening, lets the open connections run to their end,
//! then sends `ProducerFinished` on `signal` and ends; a `Shutdown` meanwhile closes them as
//! above.
//!
//! One connection's trouble stays with it: a protocol that fails, or a connection reset, ends
//! that connection only; a protocol that ignores the `Shutdown` it gets when its socket has
//! closed is cancelled after the grace period (and reported). A failing accept (for example
//! too many open files) does not end the server: it is reported on `errors` with the number of
//! failures in a row and retried after a pause that doubles each time, up to the longest pause.
//! Failing to listen ends the server with an error naming the address, after sending
//! [`Control::Failed`] with the same text on `signal`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axon::{
    Boxes, ChildExit, Component, ComponentId, Context, Control, Error, Inbox, InboxRef, Outbox,
};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::connected_socket_adapter::{ConnectedSocketAdapter, Io};
use crate::Stage;

/// How long a protocol may take to end after `Shutdown` before it is cancelled, by default.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// The first pause after a failed accept, by default.
const FIRST_RETRY: Duration = Duration::from_millis(10);

/// The longest pause between retries of a failing accept, by default.
const MAX_RETRY: Duration = Duration::from_secs(1);

/// Makes the protocol for a connection.
type Factory<P> = Box<dyn FnMut(ServerLink) -> P + Send>;

/// A TCP server running a protocol per connection. See the [module docs](self).
#[derive(Boxes)]
pub struct ServerCore<P> {
    /// Not read.
    pub inbox: Inbox<Vec<u8>>,
    /// `Shutdown`: close every connection and stop; `ProducerFinished`: stop accepting, end
    /// when the connections have ended.
    pub control: Inbox<Control>,
    /// Nothing is sent.
    pub outbox: Outbox<Vec<u8>>,
    /// The address bound, once, when listening.
    pub addresses: Outbox<SocketAddr>,
    /// Reports: failed accepts, protocols cancelled after ignoring `Shutdown`.
    pub errors: Outbox<ServerError>,
    /// The stop request, when the server has ended.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    address: SocketAddr,
    #[boxes(skip)]
    factory: Factory<P>,
    #[boxes(skip)]
    reuse_address: bool,
    #[boxes(skip)]
    nodelay: bool,
    #[boxes(skip)]
    backlog: u32,
    #[boxes(skip)]
    max_connections: Option<usize>,
    #[boxes(skip)]
    io: Io,
    #[boxes(skip)]
    grace: Duration,
    #[boxes(skip)]
    retry: Retry,
}

impl<P> std::fmt::Debug for ServerCore<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCore")
            .field("address", &self.address)
            .field("reuse_address", &self.reuse_address)
            .field("nodelay", &self.nodelay)
            .field("backlog", &self.backlog)
            .field("max_connections", &self.max_connections)
            .field("io", &self.io)
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

impl<P> ServerCore<P>
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
{
    /// A server listening on `address`, running `factory(peer, local)` for each connection.
    pub fn new<F>(address: SocketAddr, mut factory: F) -> Self
    where
        F: FnMut(SocketAddr, SocketAddr) -> P + Send + 'static,
    {
        Self::with_link(address, move |link| factory(link.peer(), link.local()))
    }

    /// A server listening on `address`, running `factory(link)` for each connection: the
    /// [`ServerLink`] has the connection's addresses and lets the protocol stop the server.
    pub fn with_link<F>(address: SocketAddr, factory: F) -> Self
    where
        F: FnMut(ServerLink) -> P + Send + 'static,
    {
        ServerCore {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            addresses: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            address,
            factory: Box::new(factory),
            reuse_address: true,
            nodelay: false,
            backlog: 1024,
            max_connections: None,
            io: Io::default(),
            grace: DEFAULT_GRACE,
            retry: Retry::default(),
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
        self.io.chunk_size = bytes.max(1);
        self
    }

    /// How long a write may wait while the peer takes nothing before the connection counts
    /// as failed; `None` waits for ever. Default [`DEFAULT_WRITE_TIMEOUT`](super::DEFAULT_WRITE_TIMEOUT) (60 s).
    pub fn write_timeout(mut self, limit: Option<std::time::Duration>) -> Self {
        self.io.write_timeout = limit;
        self
    }

    /// How long a protocol may take to end after it was sent `Shutdown` before it is
    /// cancelled; default [`DEFAULT_GRACE`] (5 s).
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// After a failed accept, wait `first`, then twice as long after each further failure in a
    /// row, but never longer than `max`; defaults 10 ms and 1 s.
    pub fn accept_retry(mut self, first: Duration, max: Duration) -> Self {
        self.retry = Retry::new(first, max);
        self
    }
}

/// What a protocol made by [`ServerCore::with_link`] knows about its connection and server.
///
/// Cheap to clone; keep it in the protocol. Asking a server that has already ended to stop does
/// nothing.
///
/// ```
/// use kamaelia::net::{EchoProtocol, ServerCore, ServerLink};
///
/// let server = ServerCore::with_link("127.0.0.1:0".parse().unwrap(), |link: ServerLink| {
///     println!("{} connected to {}", link.peer(), link.local());
///     // A protocol that may stop the server keeps `link` and, on some command, calls
///     // `link.stop_server()` (everything closes) or `link.finish_server()` (no new clients).
///     EchoProtocol::new()
/// });
/// # drop(server);
/// ```
#[derive(Clone, Debug)]
pub struct ServerLink {
    peer: SocketAddr,
    local: SocketAddr,
    stop: Arc<StopRequest>,
}

impl ServerLink {
    /// The address of the client.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The address of this end of the connection.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// Asks the server to shut down as on `Shutdown`: every connection (this one too) is
    /// closed, the server ends and sends `Shutdown` on its `signal`.
    pub fn stop_server(&self) {
        self.stop.request(STOP);
    }

    /// Asks the server to finish as on `ProducerFinished`: it stops accepting, lets the open
    /// connections run to their end, then sends `ProducerFinished` on its `signal`.
    pub fn finish_server(&self) {
        self.stop.request(FINISH);
    }
}

const FINISH: u8 = 1;
const STOP: u8 = 2;

/// A stop request from a protocol to its server: the strongest request wins.
#[derive(Debug, Default)]
struct StopRequest {
    level: AtomicU8,
    wake: Notify,
}

impl StopRequest {
    fn request(&self, level: u8) {
        self.level.fetch_max(level, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// The next request, as the control message it stands for.
    async fn next(&self) -> Control {
        loop {
            match self.level.swap(0, Ordering::SeqCst) {
                STOP => return Control::Shutdown,
                FINISH => return Control::ProducerFinished,
                _ => self.wake.notified().await,
            }
        }
    }
}

/// A report on a server's `errors` outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerError {
    /// Accepting a connection failed; the server pauses, then tries again.
    AcceptFailed {
        /// The listening address.
        address: SocketAddr,
        /// Failures in a row, this one included (a connection accepted starts again from 0).
        failures: u64,
        /// The operating system's error.
        error: String,
        /// The pause before the next try.
        retry_in: Duration,
    },
    /// A protocol (or socket adapter) did not end within the grace period after `Shutdown`
    /// and was cancelled.
    Cancelled {
        /// The component's name (`protocol for <peer>`).
        component: String,
        /// The grace period it had.
        grace: Duration,
    },
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerError::AcceptFailed {
                address,
                failures,
                error,
                retry_in,
            } => write!(
                f,
                "cannot accept connections on {address} ({failures} failure(s) in a row): \
                 {error}; retrying in {retry_in:?}"
            ),
            ServerError::Cancelled { component, grace } => write!(
                f,
                "{component} did not end within {grace:?} of Shutdown and was cancelled"
            ),
        }
    }
}

impl std::error::Error for ServerError {}

/// Pauses between retries of a failing accept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    first: Duration,
    max: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            first: FIRST_RETRY,
            max: MAX_RETRY,
        }
    }
}

impl Retry {
    /// Pauses from `first`, doubling, up to `max` (at least `first`).
    pub(crate) fn new(first: Duration, max: Duration) -> Self {
        Retry {
            first,
            max: max.max(first),
        }
    }

    /// The pause after the `failures`th failure in a row (from 1).
    fn pause(&self, failures: u64) -> Duration {
        let doublings = failures.saturating_sub(1).min(32) as u32;
        self.first.saturating_mul(1 << doublings).min(self.max)
    }
}

/// A listening socket that survives failing accepts.
pub(crate) struct Acceptor {
    listener: TcpListener,
    address: SocketAddr,
    retry: Retry,
    failures: u64,
    retry_at: Option<Instant>,
}

impl Acceptor {
    /// Listens on `address`.
    pub(crate) fn listen(
        address: SocketAddr,
        reuse: bool,
        backlog: u32,
        retry: Retry,
    ) -> std::io::Result<Acceptor> {
        let socket = if address.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(reuse)?;
        socket.bind(address)?;
        let listener = socket.listen(backlog)?;
        let address = listener.local_addr()?;
        Ok(Acceptor {
            listener,
            address,
            retry,
            failures: 0,
            retry_at: None,
        })
    }

    /// The address bound.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// The next connection, or a report of a failed accept (then the next call first waits
    /// out the pause). Connections that fail while being accepted are skipped. Cancel-safe.
    pub(crate) async fn accept(&mut self) -> Result<(TcpStream, SocketAddr), ServerError> {
        if let Some(at) = self.retry_at {
            tokio::time::sleep_until(at).await;
            self.retry_at = None;
        }
        loop {
            match self.listener.accept().await {
                Ok(accepted) => {
                    self.failures = 0;
                    return Ok(accepted);
                }
                Err(e) if transient(&e) => {}
                Err(e) => {
                    self.failures += 1;
                    let retry_in = self.retry.pause(self.failures);
                    self.retry_at = Some(Instant::now() + retry_in);
                    return Err(ServerError::AcceptFailed {
                        address: self.address,
                        failures: self.failures,
                        error: e.to_string(),
                        retry_in,
                    });
                }
            }
        }
    }
}

/// A connection that failed while being accepted: nothing to serve, nothing wrong with the
/// listener.
fn transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted)
}

/// The next connection, or never once the server has stopped accepting.
pub(crate) async fn accept_next(
    acceptor: &mut Option<Acceptor>,
) -> Result<(TcpStream, SocketAddr), ServerError> {
    match acceptor {
        Some(a) => a.accept().await,
        None => std::future::pending().await,
    }
}

/// One live connection: its two children, while they run.
struct Connection {
    peer: SocketAddr,
    protocol: Option<(ComponentId, InboxRef<Control>)>,
    adapter: Option<(ComponentId, InboxRef<Control>)>,
    /// The protocol's and the adapter's ids, kept after they end.
    children: [ComponentId; 2],
}

impl Connection {
    fn name_of(&self, id: ComponentId) -> String {
        if self.protocol.as_ref().is_some_and(|(p, _)| *p == id) {
            format!("protocol for {}", self.peer)
        } else {
            format!("socket for {}", self.peer)
        }
    }
}

/// The server's bookkeeping of its connections.
#[derive(Default)]
struct Connections {
    next: u64,
    by_number: HashMap<u64, Connection>,
    owner: HashMap<ComponentId, u64>,
    /// When protocols that were sent `Shutdown` must have ended.
    deadlines: BinaryHeap<Reverse<(Instant, ComponentId)>>,
}

impl Connections {
    fn name_of(&self, id: ComponentId) -> String {
        self.owner
            .get(&id)
            .and_then(|n| self.by_number.get(n))
            .map_or_else(|| format!("{id:?}"), |c| c.name_of(id))
    }

    /// Books a child's end; a protocol that must stop gets `Shutdown` and a deadline. Returns
    /// the connection's two children once both have ended, for the server to forget them and
    /// the links it made between them.
    fn ended(&mut self, exit: ChildExit, grace: Duration) -> Option<[ComponentId; 2]> {
        let n = self.owner.remove(&exit.id)?;
        let conn = self.by_number.get_mut(&n)?;
        if conn.protocol.as_ref().is_some_and(|(id, _)| *id == exit.id) {
            // The protocol ended: write what it sent, then close.
            conn.protocol = None;
            if let Some((_, c)) = &conn.adapter {
                c.try_send(Control::ProducerFinished).ok();
            }
        } else {
            // The socket is closed: the protocol has nothing more to do.
            conn.adapter = None;
            if let Some((id, c)) = &conn.protocol {
                c.try_send(Control::Shutdown).ok();
                self.deadlines.push(Reverse((Instant::now() + grace, *id)));
            }
        }
        if conn.protocol.is_none() && conn.adapter.is_none() {
            return self.by_number.remove(&n).map(|c| c.children);
        }
        None
    }
}

/// Sleeps until the earliest deadline, or for ever if there is none.
async fn first_deadline(deadlines: &BinaryHeap<Reverse<(Instant, ComponentId)>>) {
    match deadlines.peek() {
        Some(Reverse((at, _))) => tokio::time::sleep_until(*at).await,
        None => std::future::pending().await,
    }
}

enum Event {
    Control(Control),
    Exit(Option<ChildExit>),
    Deadline,
    Accepted(Result<(TcpStream, SocketAddr), ServerError>),
}

impl<P> ServerCore<P>
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
{
    fn report(&mut self, e: ServerError) {
        // Reports are advisory: a full or missing reader never stalls the server.
        self.errors.try_send(e).ok();
    }

    /// Cancels `id` if it is still a child, and reports it.
    fn cancel(&mut self, ctx: &mut Context, id: ComponentId, name: String) {
        if ctx.cancel_child(id) {
            let grace = self.grace;
            self.report(ServerError::Cancelled {
                component: name,
                grace,
            });
        }
    }

    /// Starts a protocol and a socket adapter for a new connection.
    fn serve(
        &mut self,
        ctx: &mut Context,
        conns: &mut Connections,
        stream: TcpStream,
        peer: SocketAddr,
        link: ServerLink,
    ) -> Result<(), Error> {
        if self.nodelay {
            stream.set_nodelay(true).ok();
        }
        let protocol = (self.factory)(link);
        let adapter = ConnectedSocketAdapter::new(stream)
            .chunk_size(self.io.chunk_size)
            .write_timeout(self.io.write_timeout);
        let protocol = ctx.adopt_named(format!("protocol for {peer}"), protocol);
        let adapter = ctx.adopt_named(format!("socket for {peer}"), adapter);
        ctx.link(&adapter.outbox, protocol.inbox())?;
        ctx.link(protocol.outbox(), &adapter.inbox)?;
        ctx.link(&adapter.signal, protocol.control())?;
        ctx.link(protocol.signal(), &adapter.control)?;
        let n = conns.next;
        conns.next += 1;
        conns.owner.insert(protocol.id(), n);
        conns.owner.insert(adapter.id(), n);
        conns.by_number.insert(
            n,
            Connection {
                peer,
                protocol: Some((protocol.id(), protocol.control().handle())),
                adapter: Some((adapter.id(), adapter.control.handle())),
                children: [protocol.id(), adapter.id()],
            },
        );
        ctx.activate(protocol);
        ctx.activate(adapter);
        Ok(())
    }

    /// Sends `Shutdown` to every connection and waits for all to end, cancelling those still
    /// running after the grace period.
    async fn close_all(&mut self, ctx: &mut Context, conns: &Connections) {
        for conn in conns.by_number.values() {
            for (_, control) in conn.protocol.iter().chain(conn.adapter.iter()) {
                control.try_send(Control::Shutdown).ok();
            }
        }
        let deadline = Instant::now() + self.grace;
        let mut cancelled = false;
        loop {
            tokio::select! {
                biased;
                e = ctx.next_child_exit() => if e.is_none() {
                    return;
                },
                () = tokio::time::sleep_until(deadline), if !cancelled => {
                    cancelled = true;
                    while ctx.try_child_exit().is_some() {}
                    for id in ctx.children() {
                        self.cancel(ctx, id, conns.name_of(id));
                    }
                }
            }
        }
    }
}

impl<P> Component for ServerCore<P>
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
{
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let acceptor = Acceptor::listen(self.address, self.reuse_address, self.backlog, self.retry);
        let mut acceptor = match acceptor {
            Ok(a) => Some(a),
            Err(e) => {
                let reason = format!("{}: cannot listen on {}: {e}", ctx.name(), self.address);
                self.signal
                    .send(Control::failed(reason.as_str()))
                    .await
                    .ok();
                return Err(Error::msg(reason));
            }
        };
        let local = acceptor.as_ref().map_or(self.address, Acceptor::address);
        self.addresses.send(local).await.ok();
        let stop = Arc::new(StopRequest::default());
        let mut conns = Connections::default();
        let mut finishing = false;
        loop {
            if finishing && conns.by_number.is_empty() {
                self.signal.send(Control::ProducerFinished).await.ok();
                return Ok(());
            }
            let at_limit = self
                .max_connections
                .is_some_and(|m| conns.by_number.len() >= m);
            let event = tokio::select! {
                biased;
                c = self.control.recv() => Event::Control(c.unwrap_or(Control::Shutdown)),
                c = stop.next() => Event::Control(c),
                e = ctx.next_child_exit(), if !conns.by_number.is_empty() => Event::Exit(e),
                () = first_deadline(&conns.deadlines) => Event::Deadline,
                a = accept_next(&mut acceptor), if !at_limit => Event::Accepted(a),
            };
            match event {
                Event::Control(Control::ProducerFinished) => {
                    finishing = true;
                    acceptor = None;
                }
                Event::Control(c) => {
                    drop(acceptor);
                    self.close_all(&mut ctx, &conns).await;
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
                Event::Exit(None) => conns = Connections::default(),
                Event::Exit(Some(exit)) => {
                    // A finished connection leaves nothing behind: not its children's entries,
                    // nor the four links between them (one server may serve millions).
                    for child in conns.ended(exit, self.grace).into_iter().flatten() {
                        ctx.remove_child(child);
                    }
                }
                Event::Deadline => {
                    let now = Instant::now();
                    while let Some(&Reverse((at, id))) = conns.deadlines.peek() {
                        if at > now {
                            break;
                        }
                        conns.deadlines.pop();
                        if conns.owner.contains_key(&id) {
                            self.cancel(&mut ctx, id, conns.name_of(id));
                        }
                    }
                }
                Event::Accepted(Err(report)) => self.report(report),
                Event::Accepted(Ok((stream, peer))) => {
                    let link = ServerLink {
                        peer,
                        local: stream.local_addr().unwrap_or(local),
                        stop: Arc::clone(&stop),
                    };
                    self.serve(&mut ctx, &mut conns, stream, peer, link)?;
                }
            }
        }
    }
}

crate::impl_stage!([P: Stage<In = Vec<u8>, Out = Vec<u8>>] ServerCore<P>, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let s = ServerCore::new(SocketAddr::from(([127, 0, 0, 1], 0)), |_, _| {
        super::EchoProtocol::new()
    });
    Entry::new(
        "ServerCore",
        "Kamaelia.Chassis.ConnectedServer.ServerCore",
        Family::Internet,
        "A TCP server: one protocol component per connection, the connection's bytes on its inbox, its outbox written back; the peer closing is ProducerFinished on its control; a protocol may stop the server through its ServerLink.",
        axon::box_infos(&s),
    )
    .parameter("address", "SocketAddr", "ServerCore::new(address, factory); port 0 picks a free port, reported on `addresses`")
    .parameter("factory", "FnMut(peer, local) -> Stage<Vec<u8>, Vec<u8>>", "makes the protocol for each connection (ServerCore::with_link: FnMut(ServerLink) -> Stage)")
    .parameter("reuse_address", "bool", "SO_REUSEADDR (default on)")
    .parameter("nodelay", "bool", "TCP_NODELAY on connections (default off)")
    .parameter("backlog", "u32", "listen queue (default 1024)")
    .parameter("max_connections", "usize", "connections at once (default unlimited)")
    .parameter("chunk_size", "usize", "most bytes read at once (default 64 KiB)")
    .parameter("write_timeout", "Option<Duration>", "how long a write may wait while the peer takes nothing (default 60 s)")
    .parameter("grace_period", "Duration", "time a protocol has to end after Shutdown before it is cancelled (default 5 s)")
    .parameter("accept_retry", "(Duration, Duration)", "first and longest pause after a failed accept (default 10 ms, 1 s)")
});
