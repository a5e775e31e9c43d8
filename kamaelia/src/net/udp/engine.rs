//! The loop every UDP and multicast component runs: datagrams from the inbox to the socket,
//! datagrams from the socket to the outbox, the control convention around both.

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::Poll;

use axon::{Control, Error, Inbox, Outbox};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::{Datagram, SendFailure, MAX_DATAGRAM};
use crate::support::pass_on;

/// The receive buffer: larger than any UDP payload, so nothing is truncated.
const RECV_BUFFER: usize = 64 * 1024;

/// A message a sending component takes: the payload, and where it goes if it says.
pub(crate) trait Payload: Send + 'static {
    /// `(destination named by the message, bytes)`.
    fn parts(self) -> (Option<SocketAddr>, Vec<u8>);
}

impl Payload for Vec<u8> {
    fn parts(self) -> (Option<SocketAddr>, Vec<u8>) {
        (None, self)
    }
}

impl Payload for (SocketAddr, Vec<u8>) {
    fn parts(self) -> (Option<SocketAddr>, Vec<u8>) {
        (Some(self.0), self.1)
    }
}

/// The boxes the loop works on. `inbox: None` = receive only; `outbox: None` = send only (the
/// socket is never read).
pub(crate) struct Ports<'a, I: Send + 'static> {
    pub(crate) inbox: Option<&'a mut Inbox<I>>,
    pub(crate) control: &'a mut Inbox<Control>,
    pub(crate) outbox: Option<&'a mut Outbox<Datagram>>,
    pub(crate) errors: Option<&'a mut Outbox<SendFailure>>,
    pub(crate) signal: &'a mut Outbox<Control>,
    /// Addresses that replace `to` (looked at before `inbox`).
    pub(crate) target: Option<&'a mut Inbox<SocketAddr>>,
}

/// A non-blocking socket of the family of `address`, not yet bound.
pub(crate) fn socket_for(address: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// Binds `socket` to `address` and hands it to tokio.
pub(crate) fn bind(socket: Socket, address: SocketAddr) -> io::Result<UdpSocket> {
    socket.bind(&address.into())?;
    UdpSocket::from_std(socket.into())
}

/// A plain UDP socket bound to `address` (`SO_REUSEADDR` if `reuse`).
pub(crate) fn bind_plain(address: SocketAddr, reuse: bool) -> io::Result<UdpSocket> {
    let socket = socket_for(address)?;
    socket.set_reuse_address(reuse)?;
    bind(socket, address)
}

/// The start of every component: the socket that `opened` made, its address sent on
/// `addresses`; or, if opening failed, `Control::Failed` on `signal` and the error, both
/// saying `"{name}: {what}: {reason}"`.
pub(crate) async fn started(
    name: &str,
    what: impl FnOnce() -> String,
    opened: io::Result<UdpSocket>,
    addresses: &mut Outbox<SocketAddr>,
    signal: &mut Outbox<Control>,
) -> Result<UdpSocket, Error> {
    let failed = |e: io::Error| format!("{name}: {}: {e}", what());
    match opened.and_then(|s| s.local_addr().map(|a| (s, a))) {
        Ok((socket, local)) => {
            addresses.send(local).await.ok();
            Ok(socket)
        }
        Err(e) => {
            let reason = failed(e);
            pass_on(signal, Control::failed(reason.as_str())).await;
            Err(Error::msg(reason))
        }
    }
}

enum Step<I> {
    Control(Control),
    Target(Option<SocketAddr>),
    Sent(io::Result<usize>),
    Delivered(bool),
    Input(Option<I>),
    Received(io::Result<(usize, SocketAddr)>),
}

/// Sends the pending datagram, or never.
async fn send_pending(
    socket: &UdpSocket,
    out: &Option<(SocketAddr, Vec<u8>)>,
) -> io::Result<usize> {
    match out {
        Some((to, data)) => socket.send_to(data, *to).await,
        None => std::future::pending().await,
    }
}

/// Delivers the datagram in `slot` (cancel-safe: it stays there until taken); `false` if the
/// component `outbox` leads to has ended. Never completes while `slot` is empty.
async fn deliver(outbox: &mut Option<&mut Outbox<Datagram>>, slot: &mut Option<Datagram>) -> bool {
    let Some(outbox) = outbox else {
        return std::future::pending().await;
    };
    poll_fn(|cx| {
        if slot.is_none() {
            return Poll::Pending;
        }
        match outbox.poll_send(cx, slot) {
            Poll::Ready(Ok(())) => Poll::Ready(true),
            Poll::Ready(Err(_)) => Poll::Ready(false),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// The next address on `target`, or never.
async fn next_target(target: &mut Option<&mut Inbox<SocketAddr>>) -> Option<SocketAddr> {
    match target {
        Some(t) => t.recv().await,
        None => std::future::pending().await,
    }
}

/// The next message on `inbox`, or never.
async fn next_input<I: Send + 'static>(inbox: &mut Option<&mut Inbox<I>>) -> Option<I> {
    match inbox {
        Some(i) => i.recv().await,
        None => std::future::pending().await,
    }
}

/// Applies every address waiting on `target`, so that a target sent before a message is used
/// for it.
fn apply_targets(target: &mut Option<&mut Inbox<SocketAddr>>, to: &mut Option<SocketAddr>) {
    if let Some(t) = target {
        while let Ok(a) = t.try_recv() {
            *to = Some(a);
        }
    }
}

/// Reports a datagram that was not sent, without waiting (see the module docs).
fn report(errors: &mut Option<&mut Outbox<SendFailure>>, failure: SendFailure) {
    if let Some(e) = errors {
        e.try_send(failure).ok();
    }
}

/// The datagram for message `m`, or `None` (reported) if it cannot be sent.
fn prepare<I: Payload>(
    name: &str,
    m: I,
    to: Option<SocketAddr>,
    errors: &mut Option<&mut Outbox<SendFailure>>,
) -> Option<(SocketAddr, Vec<u8>)> {
    let (named, data) = m.parts();
    let to = named.or(to)?;
    if data.len() > MAX_DATAGRAM {
        let reason = format!("larger than the UDP limit of {MAX_DATAGRAM} bytes");
        let kind = io::ErrorKind::InvalidInput;
        report(errors, SendFailure::new(name, to, data.len(), kind, reason));
        return None;
    }
    Some((to, data))
}

/// Moves datagrams between the boxes and `socket` until a stop request (see the module docs
/// of [`crate::net::udp`] for the behaviour every component shares). `to` is where datagrams
/// go unless the message or `target` says otherwise.
pub(crate) async fn run<I: Payload>(
    name: &str,
    socket: UdpSocket,
    ports: Ports<'_, I>,
    mut to: Option<SocketAddr>,
) -> Result<(), Error> {
    let Ports {
        mut inbox,
        control,
        mut outbox,
        mut errors,
        signal,
        mut target,
    } = ports;
    let mut reading = outbox.is_some();
    let mut buf = if reading {
        vec![0u8; RECV_BUFFER]
    } else {
        Vec::new()
    };
    let mut outgoing: Option<(SocketAddr, Vec<u8>)> = None;
    let mut incoming: Option<Datagram> = None;
    let mut finishing = false;
    loop {
        // Control first; then the data branches are polled in random order, so neither
        // direction can starve the other.
        let step = if let Ok(c) = control.try_recv() {
            Step::Control(c)
        } else {
            apply_targets(&mut target, &mut to);
            if finishing {
                // Nothing more will come: send what is queued, deliver what was read, end.
                while outgoing.is_none() {
                    match inbox.as_mut().and_then(|i| i.try_recv().ok()) {
                        Some(m) => outgoing = prepare(name, m, to, &mut errors),
                        None => break,
                    }
                }
                if outgoing.is_none() && incoming.is_none() {
                    pass_on(signal, Control::ProducerFinished).await;
                    return Ok(());
                }
            }
            let take = inbox.is_some() && !finishing && outgoing.is_none();
            let read = reading && !finishing && incoming.is_none();
            tokio::select! {
                c = control.recv() => Step::Control(c.unwrap_or(Control::Shutdown)),
                t = next_target(&mut target), if target.is_some() => Step::Target(t),
                r = send_pending(&socket, &outgoing), if outgoing.is_some() => Step::Sent(r),
                ok = deliver(&mut outbox, &mut incoming), if incoming.is_some() => Step::Delivered(ok),
                m = next_input(&mut inbox), if take => Step::Input(m),
                r = socket.recv_from(&mut buf), if read => Step::Received(r),
            }
        };
        match step {
            Step::Control(Control::ProducerFinished) => finishing = true,
            Step::Control(c) => {
                pass_on(signal, c).await;
                return Ok(());
            }
            Step::Target(Some(a)) => to = Some(a),
            Step::Target(None) => target = None,
            Step::Sent(r) => {
                if let (Err(e), Some((to, data))) = (r, outgoing.as_ref()) {
                    let failure = SendFailure::new(name, *to, data.len(), e.kind(), e.to_string());
                    report(&mut errors, failure);
                }
                outgoing = None;
            }
            Step::Delivered(true) => {}
            Step::Delivered(false) => {
                // Nobody takes what arrives any more: stop reading.
                incoming = None;
                reading = false;
                if inbox.is_none() {
                    pass_on(signal, Control::Shutdown).await;
                    return Ok(());
                }
            }
            Step::Input(Some(m)) => {
                apply_targets(&mut target, &mut to);
                outgoing = prepare(name, m, to, &mut errors);
            }
            Step::Input(None) => finishing = true,
            Step::Received(Ok((n, from))) => {
                incoming = Some(Datagram::new(buf[..n].to_vec(), from));
            }
            Step::Received(Err(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
                ) =>
            {
                // An ICMP report about an earlier send: not about this socket.
            }
            Step::Received(Err(e)) => {
                let local = socket
                    .local_addr()
                    .map_or_else(|_| "its socket".to_string(), |a| a.to_string());
                let reason = format!("{name}: cannot receive on {local}: {e}");
                pass_on(signal, Control::failed(reason.as_str())).await;
                return Err(Error::msg(reason));
            }
        }
    }
}
