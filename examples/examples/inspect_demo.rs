//! A running system to look at in the web visualiser ([`kamaelia::inspect`]).
//!
//! * A Graphline `frames`: an endless `camera` feeds a `throttle` that lets 25 frames a second
//!   through, then an `encode` pipeline (caption, then a relay) and a `screen` that throws them
//!   away. The camera is far faster than the throttle, so the throttle's inbox stays full.
//! * A `sensor` that sends readings as fast as it can to an `archive` that stores one every
//!   five seconds: the sensor spends its life blocked sending, so it shows as stalled.
//!
//! ```text
//! cargo run -p examples --example inspect_demo -- [--inspect ADDR:PORT] [--seconds N]
//! kamaelia inspect: http://127.0.0.1:8470/
//! ```
//!
//! Then open the URL; click a link to see the last messages that crossed it (the caption's
//! and the sensor's outboxes show their text). It runs until Ctrl-C, or for `--seconds N`.
//! `--inspect` defaults to `127.0.0.1:8470`; with `KAMAELIA_INSPECT` set, the library starts
//! the inspector there instead.

use std::time::Duration;

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use kamaelia::chassis::{Graphline, Pipeline};
use kamaelia::util::flow::MessageRateLimit;
use kamaelia::util::sources::{DataSource, NullSink, PassThrough};

/// Turns frame numbers into captions.
#[derive(Boxes, Default)]
struct Caption {
    /// Frame numbers.
    inbox: Inbox<u64>,
    /// Stop requests.
    control: Inbox<Control>,
    /// `"frame N"`.
    outbox: Outbox<String>,
    /// Passes the stop request on.
    signal: Outbox<Control>,
}

impl Component for Caption {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(n) => self.outbox.send(format!("frame {n}")).await?,
                Event::Control(c) => {
                    while let Ok(n) = self.inbox.try_recv() {
                        self.outbox.send(format!("frame {n}")).await?;
                    }
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([] Caption, u64 => String);

/// Sends readings as fast as its destination takes them.
#[derive(Boxes, Default)]
struct Sensor {
    /// Stop requests.
    control: Inbox<Control>,
    /// `"reading N"`.
    outbox: Outbox<String>,
}

impl Component for Sensor {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 0u64.. {
            if self.control.try_recv().is_ok() {
                break;
            }
            self.outbox.send(format!("reading {n}")).await?;
        }
        Ok(())
    }
}

/// Stores one reading every five seconds (it just takes them): a slow disk.
#[derive(Boxes)]
struct Archive {
    /// Readings (at most 8 wait).
    inbox: Inbox<String>,
    /// Stop requests.
    control: Inbox<Control>,
}

impl Component for Archive {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                _ = self.control.recv() => return Ok(()),
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
            self.inbox.try_recv().ok(); // "stored"
        }
    }
}

fn frames() -> Graphline<(), ()> {
    Graphline::builder()
        .child("camera", DataSource::new(0u64..))
        .child("throttle", MessageRateLimit::<u64>::new(25))
        .child(
            "encode",
            Pipeline::new(Caption::default()).then(PassThrough::<String>::new()),
        )
        .child("screen", NullSink::<String>::new())
        .link(("camera", "outbox"), ("throttle", "inbox"))
        .link(("camera", "signal"), ("throttle", "control"))
        .link(("throttle", "outbox"), ("encode", "inbox"))
        .link(("throttle", "signal"), ("encode", "control"))
        .link(("encode", "outbox"), ("screen", "inbox"))
        .link(("encode", "signal"), ("screen", "control"))
        .build()
        .expect("the frames graph is well formed")
}

struct Args {
    inspect: String,
    seconds: Option<u64>,
}

fn args() -> Args {
    let mut args = Args {
        inspect: "127.0.0.1:8470".into(),
        seconds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--inspect", Some(v)) => args.inspect = v,
            ("--seconds", Some(v)) => args.seconds = Some(v.parse().expect("--seconds N")),
            _ => {
                eprintln!("usage: inspect_demo [--inspect ADDR:PORT] [--seconds N]");
                std::process::exit(2);
            }
        }
    }
    args
}

fn main() {
    let args = args();
    let mut system = System::new();
    system.spawn_named("frames", frames());
    let sensor = system.adopt_named("sensor", Sensor::default());
    let archive = system.adopt_named(
        "archive",
        Archive {
            inbox: Inbox::with_capacity(8),
            control: Inbox::new(),
        },
    );
    axon::link(&sensor.outbox, &archive.inbox).expect("sensor → archive");
    system.activate(sensor);
    system.activate(archive);
    // With KAMAELIA_INSPECT set, the library has started the inspector already.
    let _inspector = if std::env::var_os(kamaelia::inspect::ENV_VAR).is_none() {
        let address = kamaelia::inspect::parse_address(&args.inspect).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
        let inspector = kamaelia::inspect::serve(&system, address).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1)
        });
        eprintln!("kamaelia inspect: {}", inspector.url());
        Some(inspector)
    } else {
        None
    };
    system.start();
    match args.seconds {
        Some(s) => {
            std::thread::sleep(Duration::from_secs(s));
            system.shutdown(Duration::from_secs(2));
        }
        // The camera never runs dry: this runs until the process is interrupted.
        None => {
            system.run().ok();
        }
    }
}
