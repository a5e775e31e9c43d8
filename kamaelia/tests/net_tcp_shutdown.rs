//! Stopping a ServerCore: Shutdown and ProducerFinished on its control (open connections closed
//! or left to finish), a protocol stopping or finishing the server through its ServerLink, and
//! protocols that ignore Shutdown, cancelled after the grace period (virtual time). Over
//! 127.0.0.1 only. Every wait is bounded: blocking reads with read timeouts, blocking receives
//! with timeouts, and each test runs under [`guarded`], which fails it if it hangs.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use common::tcp::{
    connect, guarded, local, read_to_close, reset, round_trip, start, Running, Spy, WAIT,
};
use kamaelia::net::{EchoProtocol, ServerCore, ServerError, ServerLink};

/// Shutdown on the server's control closes every open connection, tells each protocol, and
/// passes Shutdown on signal.
#[test]
fn server_shutdown_closes_connections() {
    guarded(|| {
        let (tx, rx) = mpsc::channel();
        let running = start(ServerCore::new(local(), move |_, _| Spy::new(tx.clone())));
        let mut clients: Vec<TcpStream> = (0..3).map(|_| connect(running.address)).collect();
        for s in &mut clients {
            // A round trip: the connection's protocol is running.
            s.write_all(b"x").unwrap();
            let mut b = [0u8; 1];
            s.read_exact(&mut b).unwrap();
        }
        let Running {
            mut system,
            address,
            mut control,
            mut signal,
        } = running;
        control.send_blocking(Control::Shutdown).unwrap();
        for s in &mut clients {
            assert_eq!(read_to_close(s), b"");
        }
        assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
        for _ in 0..3 {
            assert_eq!(rx.recv_timeout(WAIT), Ok(Control::Shutdown));
        }
        system.run().unwrap();
        assert!(TcpStream::connect(address).is_err(), "no longer listening");
    });
}

/// ProducerFinished on the server's control stops accepting but lets open connections finish;
/// the server then passes ProducerFinished on signal.
#[test]
fn server_producer_finished_lets_connections_finish() {
    guarded(|| {
        let running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()));
        let mut s = connect(running.address);
        s.write_all(b"a").unwrap();
        let mut b = [0u8; 1];
        s.read_exact(&mut b).unwrap();
        let Running {
            mut system,
            mut control,
            mut signal,
            ..
        } = running;
        control.send_blocking(Control::ProducerFinished).unwrap();
        // Still served.
        s.write_all(b"b").unwrap();
        s.read_exact(&mut b).unwrap();
        assert_eq!(&b, b"b");
        s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut s), b"");
        assert_eq!(
            signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        system.run().unwrap();
    });
}

/// Echoes; the bytes "stop" make it stop the server, "finish" make it finish the server.
#[derive(Boxes)]
struct Commanded {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
    #[boxes(skip)]
    link: ServerLink,
}

impl Commanded {
    fn new(link: ServerLink) -> Self {
        Commanded {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            link,
        }
    }
}

impl Component for Commanded {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) if m == b"stop" => self.link.stop_server(),
                Event::Message(m) if m == b"finish" => self.link.finish_server(),
                Event::Message(m) => self.outbox.send(m).await?,
                Event::Control(c) => {
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([] Commanded, Vec<u8> => Vec<u8>);

/// A protocol made with ServerCore::with_link sees its connection's addresses and can stop
/// the whole server: every connection closes and the server passes Shutdown on signal.
#[test]
fn protocol_stops_the_server_through_its_link() {
    guarded(|| {
        let (tx, rx) = mpsc::channel();
        let mut running = start(ServerCore::with_link(local(), move |link| {
            tx.send((link.peer(), link.local())).ok();
            Commanded::new(link)
        }));
        let mut bystander = connect(running.address);
        round_trip(&mut bystander, b"here");
        let (peer, local) = rx.recv_timeout(WAIT).unwrap();
        assert_eq!(peer, bystander.local_addr().unwrap());
        assert_eq!(local, running.address);
        let mut commander = connect(running.address);
        round_trip(&mut commander, b"ready");
        commander.write_all(b"stop").unwrap();
        assert_eq!(
            running.signal.recv_blocking_timeout(WAIT),
            Ok(Control::Shutdown)
        );
        assert_eq!(read_to_close(&mut bystander), b"");
        assert_eq!(read_to_close(&mut commander), b"");
        running.system.run().unwrap();
        assert!(
            TcpStream::connect(running.address).is_err(),
            "no longer listening"
        );
    });
}

/// finish_server from a protocol stops accepting but lets open connections finish; the server
/// then passes ProducerFinished on signal.
#[test]
fn protocol_finishes_the_server_through_its_link() {
    guarded(|| {
        let mut running = start(ServerCore::with_link(local(), Commanded::new));
        let mut s = connect(running.address);
        round_trip(&mut s, b"ready");
        s.write_all(b"finish").unwrap();
        // Once no longer listening, connecting is refused; the open connection is still served.
        let refused = (0..1000).any(|_| {
            round_trip(&mut s, b"still here");
            TcpStream::connect(running.address).is_err()
        });
        assert!(refused, "the server kept listening");
        round_trip(&mut s, b"after");
        s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut s), b"");
        assert_eq!(
            running.signal.recv_blocking_timeout(WAIT),
            Ok(Control::ProducerFinished)
        );
        running.system.run().unwrap();
    });
}

/// Shutdown after ProducerFinished still closes the connections that were left to finish.
#[test]
fn shutdown_after_producer_finished_closes_connections() {
    guarded(|| {
        let mut running = start(ServerCore::new(local(), |_, _| EchoProtocol::new()));
        let mut s = connect(running.address);
        round_trip(&mut s, b"a");
        running
            .control
            .send_blocking(Control::ProducerFinished)
            .unwrap();
        round_trip(&mut s, b"b");
        running.control.send_blocking(Control::Shutdown).unwrap();
        assert_eq!(read_to_close(&mut s), b"");
        assert_eq!(
            running.signal.recv_blocking_timeout(WAIT),
            Ok(Control::Shutdown)
        );
        running.system.run().unwrap();
    });
}

/// Ignores its control inbox and never reads its inbox; says when it has started.
#[derive(Boxes)]
struct Stubborn {
    inbox: Inbox<Vec<u8>>,
    control: Inbox<Control>,
    outbox: Outbox<Vec<u8>>,
    signal: Outbox<Control>,
    #[boxes(skip)]
    started: mpsc::Sender<()>,
}

impl Stubborn {
    fn new(started: mpsc::Sender<()>) -> Self {
        Stubborn {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            started,
        }
    }
}

impl Component for Stubborn {
    async fn run(self, _: Context) -> Result<(), Error> {
        self.started.send(()).ok();
        std::future::pending::<()>().await;
        Ok(())
    }
}
kamaelia::impl_stage!([] Stubborn, Vec<u8> => Vec<u8>);

/// A deterministic system running a server whose protocols are [`Stubborn`], with the test's
/// ends of its boxes.
struct Virtual {
    system: System,
    address: SocketAddr,
    control: Outbox<Control>,
    signal: Inbox<Control>,
    errors: Inbox<ServerError>,
    started: mpsc::Receiver<()>,
}

fn start_virtual(configure: impl FnOnce(ServerCore<Stubborn>) -> ServerCore<Stubborn>) -> Virtual {
    let (tx, started) = mpsc::channel();
    let server = configure(ServerCore::new(local(), move |_, _| {
        Stubborn::new(tx.clone())
    }));
    let mut system = System::deterministic();
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).unwrap();
    let control = Outbox::new();
    axon::link(&control, &server.control).unwrap();
    let signal = Inbox::new();
    axon::link(&server.signal, &signal).unwrap();
    let errors = Inbox::unbounded();
    axon::link(&server.errors, &errors).unwrap();
    system.spawn(server);
    system.run_until_idle();
    let address = addresses.try_recv().expect("server listening");
    Virtual {
        system,
        address,
        control,
        signal,
        errors,
        started,
    }
}

impl Virtual {
    /// Drives the system until a connection's protocol has started (the connection was made in
    /// the kernel; the system has to notice it).
    fn until_protocol_started(&mut self) {
        let give_up = std::time::Instant::now() + WAIT;
        while self.started.try_recv().is_err() {
            assert!(std::time::Instant::now() < give_up, "no protocol started");
            self.system.run_until_idle();
            std::thread::yield_now();
        }
    }
}

/// A protocol that ignores Shutdown holds server shutdown only for the grace period (virtual
/// time here): then it is cancelled, reported on errors, and the server ends.
#[test]
fn protocol_ignoring_shutdown_is_cancelled_after_the_grace_period() {
    guarded(|| {
        let mut v = start_virtual(|s| s.grace_period(Duration::from_secs(5)));
        let mut client = connect(v.address);
        let name = format!("protocol for {}", client.local_addr().unwrap());
        v.until_protocol_started();
        v.control.try_send(Control::Shutdown).unwrap();
        v.system.run_until_idle();
        v.system.advance(Duration::from_millis(4_900));
        assert!(
            v.signal.try_recv().is_err(),
            "ended before the grace period"
        );
        assert!(v.errors.try_recv().is_err());
        v.system.advance(Duration::from_millis(100));
        assert_eq!(
            v.errors.try_recv(),
            Ok(ServerError::Cancelled {
                component: name,
                grace: Duration::from_secs(5)
            })
        );
        assert_eq!(v.signal.try_recv(), Ok(Control::Shutdown));
        v.system.run().unwrap();
        assert_eq!(read_to_close(&mut client), b"");
    });
}

/// A protocol that ignores the Shutdown it gets when its connection breaks is cancelled after
/// the grace period, so it cannot hold a connection slot for ever.
#[test]
fn protocol_ignoring_shutdown_after_reset_is_cancelled() {
    guarded(|| {
        let mut v = start_virtual(|s| s.grace_period(Duration::from_secs(2)).max_connections(1));
        let client = connect(v.address);
        let name = format!("protocol for {}", client.local_addr().unwrap());
        v.until_protocol_started();
        reset(client);
        // The reset ends the socket adapter; the protocol is told to stop and ignores it.
        let give_up = std::time::Instant::now() + WAIT;
        while v
            .system
            .snapshot()
            .components
            .iter()
            .any(|c| c.name.starts_with("socket for"))
        {
            assert!(
                std::time::Instant::now() < give_up,
                "the reset went unnoticed"
            );
            v.system.run_until_idle();
            std::thread::yield_now();
        }
        v.system.advance(Duration::from_secs(2));
        assert_eq!(
            v.errors.try_recv(),
            Ok(ServerError::Cancelled {
                component: name.clone(),
                grace: Duration::from_secs(2)
            })
        );
        v.system.run_until_idle();
        assert!(!v
            .system
            .snapshot()
            .components
            .iter()
            .any(|c| c.name == name));
        // The slot is free again: a new connection is served.
        let _next = connect(v.address);
        v.until_protocol_started();
        v.control.try_send(Control::Shutdown).unwrap();
        v.system.advance(Duration::from_secs(2));
        assert_eq!(v.signal.try_recv(), Ok(Control::Shutdown));
        v.system.run().unwrap();
    });
}
