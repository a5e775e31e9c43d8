//! The file multicaster: the tutorial's MiniAxon-5 (a file reader → postman → multicast
//! sender) done with the real library, plus the receiving end, in one process.
//!
//! ```text
//! cargo run -p examples --example file_multicaster -- [FILE]   # default: this example's source
//! ```
//!
//! * sending: `Seq(ChunkReader(FILE), OneShot(empty datagram))` → `MessageRateLimit` →
//!   `MulticastSender` — the file a kilobyte per datagram, then an empty datagram to mark the
//!   end;
//! * receiving: `MulticastReceiver` → `UntilEmpty` (below) → `ChunksToLines` → `ConsoleEchoer`,
//!   which prints the file.
//!
//! Everything stays on this host: the group is `239.255.42.42`, the sender sends through the
//! loopback interface (`IP_MULTICAST_IF` = 127.0.0.1, TTL 1) and the receiver joins the group on
//! it; the port is picked by the receiver and read from its `addresses` outbox. When the end
//! marker has been printed the receiver is stopped and the program ends. UDP does not promise
//! delivery: the sender is held to 2,000 datagrams a second so the receiver keeps up; should
//! the end marker be lost all the same, the program says so and stops after a few seconds.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::time::Duration;

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use kamaelia::chassis::{Pipeline, Seq};
use kamaelia::file::ChunkReader;
use kamaelia::net::multicast::{MulticastReceiver, MulticastSender};
use kamaelia::net::udp::Datagram;
use kamaelia::util::flow::MessageRateLimit;
use kamaelia::util::sources::{ConsoleEchoer, OneShot};
use kamaelia::util::transforms::ChunksToLines;

/// The group (organisation-local scope).
const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 42, 42);
/// Bytes per datagram.
const CHUNK: usize = 1024;
/// Datagrams per second.
const RATE: u32 = 2000;
/// How long to wait for the end marker once everything has been sent.
const GRACE: Duration = Duration::from_secs(5);

/// Passes datagram payloads on until an empty one arrives, then says the stream has finished.
#[derive(Boxes)]
struct UntilEmpty {
    /// Datagrams.
    inbox: Inbox<Datagram>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Their payloads.
    outbox: Outbox<Vec<u8>>,
    /// `ProducerFinished` after the empty datagram; otherwise the stop request.
    signal: Outbox<Control>,
}

impl Component for UntilEmpty {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(d) if d.data.is_empty() => break,
                Event::Message(d) => self.outbox.send(d.data).await?,
                Event::Control(c) => {
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
        self.signal.send(Control::ProducerFinished).await.ok();
        Ok(())
    }
}
kamaelia::impl_stage!([] UntilEmpty, Datagram => Vec<u8>);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/file_multicaster.rs"),
        PathBuf::from,
    );
    let mut system = System::new();

    // The receiving end first, so that its port is known.
    let receiver =
        MulticastReceiver::new(SocketAddrV4::new(GROUP, 0)).interface(Ipv4Addr::LOCALHOST);
    let mut bound = Inbox::new();
    axon::link(&receiver.addresses, &bound)?;
    let printer = Pipeline::new(receiver)
        .then(UntilEmpty {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        })
        .then(ChunksToLines::<Vec<u8>, String>::new())
        .then(ConsoleEchoer::new().newline());
    let mut stop_printer = Outbox::new();
    axon::link(&stop_printer, &printer.control)?;
    let mut printed = Inbox::new();
    axon::link(&printer.signal, &printed)?;
    system.spawn_named("printer", printer);
    system.start();
    let port = bound
        .recv_blocking_timeout(Duration::from_secs(10))
        .map_err(|_| "the receiver did not start (see the errors above)")?
        .port();
    let group = SocketAddrV4::new(GROUP, port);
    eprintln!("multicasting {} to {group} on 127.0.0.1", path.display());

    // The sending end: MiniAxon-5's file reader → multicast sender.
    let file_then_end = Seq::new(())
        .then_stage(ChunkReader::new(&path).chunk_size(CHUNK))
        .then_stage(OneShot::new(Vec::new()));
    let multicaster = Pipeline::new(file_then_end)
        .then(MessageRateLimit::new(RATE))
        .then(MulticastSender::new(group).interface(Ipv4Addr::LOCALHOST));
    let mut sent = Inbox::new();
    axon::link(&multicaster.signal, &sent)?;
    system.spawn_named("multicaster", multicaster);

    match sent.recv_blocking() {
        Some(Control::ProducerFinished) => match printed.recv_blocking_timeout(GRACE) {
            Ok(Control::ProducerFinished) => {}
            Ok(other) => eprintln!("printing stopped early: {other}"),
            Err(_) => {
                eprintln!("the end marker was lost (UDP does not promise delivery); stopping")
            }
        },
        other => eprintln!("sending stopped early: {other:?}"),
    }
    // The receiver runs until told: stop it, which ends the printer.
    stop_printer.send_blocking(Control::Shutdown).ok();
    system.run()?;
    let failures = system.failures();
    for failure in &failures {
        eprintln!("{}: {}", failure.name, failure.what);
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err("the file multicaster failed".into())
    }
}
