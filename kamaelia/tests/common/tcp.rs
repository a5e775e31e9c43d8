//! Helpers for the TCP tests (`net_tcp.rs`, `net_tcp_client.rs`, `net_tcp_shutdown.rs`,
//! `net_tcp_limits.rs`), over 127.0.0.1 only: a guard that turns a hung test into a failed
//! one, a ServerCore started on a real system, connecting, reading to the close, resetting, and
//! a protocol that echoes and reports the control messages it gets. Every wait is bounded:
//! blocking reads with read timeouts, blocking receives with timeouts.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use kamaelia::net::ServerCore;
use kamaelia::Stage;

/// How long any one wait (a read, a receive, a server starting) may take.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// How long a whole test may take before [`guarded`] fails it.
const GUARD: Duration = Duration::from_secs(120);

/// Runs a test body on its own thread and fails the test if it has not finished within
/// [`GUARD`] (a hang becomes a failure instead of a stuck test run).
pub(crate) fn guarded(body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let test = std::thread::spawn(move || {
        body();
        done.send(()).ok();
    });
    match finished.recv_timeout(GUARD) {
        Ok(()) => test.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => match test.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the body ended without reporting"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test did not finish within {GUARD:?}"),
    }
}

/// A running server: the system, the address it bound, and its control and signal.
pub(crate) struct Running {
    pub(crate) system: System,
    pub(crate) address: SocketAddr,
    pub(crate) control: Outbox<Control>,
    pub(crate) signal: Inbox<Control>,
}

/// Starts `server` on a system of its own and waits until it listens.
pub(crate) fn start<P>(server: ServerCore<P>) -> Running
where
    P: Stage<In = Vec<u8>, Out = Vec<u8>>,
{
    let mut system = System::new();
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).unwrap();
    let control = Outbox::new();
    axon::link(&control, &server.control).unwrap();
    let signal = Inbox::new();
    axon::link(&server.signal, &signal).unwrap();
    system.spawn(server);
    system.start();
    let address = addresses
        .recv_blocking_timeout(WAIT)
        .expect("server listening");
    assert!(address.ip().is_loopback());
    Running {
        system,
        address,
        control,
        signal,
    }
}

/// 127.0.0.1, port 0: binding it takes any free port.
pub(crate) fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A connection to `address` whose reads time out after [`WAIT`].
pub(crate) fn connect(address: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// Reads until the peer closes (or resets) the connection.
pub(crate) fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return all,
            Err(e) => panic!("waiting for the connection to close: {e}"),
        }
    }
}

/// Sends `c` to the server's control, waits for what it passes on signal and for it to end,
/// and returns that.
pub(crate) fn stop(mut running: Running, c: Control) -> Control {
    running.control.send_blocking(c).unwrap();
    let got = running
        .signal
        .recv_blocking_timeout(WAIT)
        .expect("server signal");
    running.system.run().unwrap();
    got
}

/// Closes `s` with a reset instead of an orderly close.
pub(crate) fn reset(s: TcpStream) {
    socket2::SockRef::from(&s)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(s);
}

/// Sends `msg` and waits for its echo, so the connection's protocol is known to be running.
pub(crate) fn round_trip(s: &mut TcpStream, msg: &[u8]) {
    s.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    s.read_exact(&mut back).unwrap();
    assert_eq!(back, msg);
}

/// Echoes, and reports every control message it gets to the test.
#[derive(Boxes)]
pub(crate) struct Spy {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
    #[boxes(skip)]
    report: mpsc::Sender<Control>,
}

impl Spy {
    pub(crate) fn new(report: mpsc::Sender<Control>) -> Self {
        Spy {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            report,
        }
    }
}

impl Component for Spy {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => self.outbox.send(m).await?,
                Event::Control(c) => {
                    while let Ok(m) = self.inbox.try_recv() {
                        self.outbox.send(m).await?;
                    }
                    self.report.send(c.clone()).ok();
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([] Spy, Vec<u8> => Vec<u8>);
