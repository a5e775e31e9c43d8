//! A web visualiser for a running system: its components, nested inside their parents, the
//! links between them with their depth and rate, each component's state, stalls, and the last
//! messages that crossed a link — live in a browser.
//!
//! Turn it on with one call, [`serve`], or for any program built on this library without
//! changing it, with the environment variable `KAMAELIA_INSPECT=ADDR:PORT` (see [`from_env`]):
//!
//! ```text
//! KAMAELIA_INSPECT=127.0.0.1:8470 cargo run -p examples --example inspect_demo
//! kamaelia inspect: http://127.0.0.1:8470/
//! ```
//!
//! ```
//! use axon::System;
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::util::sources::{DataSource, NullSink};
//!
//! let mut system = System::new();
//! system.spawn(Pipeline::new(DataSource::new(1..=3u32)).then(NullSink::new()));
//! let inspector = kamaelia::inspect::serve(&system, "127.0.0.1:0")?;
//! println!("open {}", inspector.url());
//! system.run()?;
//! drop(inspector); // or let the system end: the server stops by itself
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it serves
//!
//! Only on the address it was given (choose a loopback one, as the examples do, unless you
//! mean to show the system to your network), only `GET`, and nothing but these:
//!
//! | path | what |
//! |---|---|
//! | `/` | the page: the live graph, drawn with plain HTML, SVG and JavaScript (nothing fetched from elsewhere) |
//! | `/api/topology` | the current snapshot as JSON (below) |
//! | `/api/events` | a server-sent event stream: an `event: topology` with the same JSON whenever something changed: looked at every 400 ms, and within 250 ms when a component or link comes or goes |
//! | `/api/tap?from=<component id>&box=<box name>` | the last messages that passed through that box, as JSON `{component, box, capacity, messages: [{seq, at_ms, text}]}` |
//!
//! Anything else is `404`. The topology JSON is
//! `{taken_at_ms, version, components, links, stalls, deadlocks, ended}` with
//!
//! * `taken_at_ms`: when, on the system's clock ([`axon::Snapshot::taken_at`]); `version`
//!   goes up whenever anything else changed;
//! * `components`: `{id, name, type, parent, state, detail, stalled, boxes}`, where `state` is
//!   one of `created`, `running`, `receiving`, `sending`, `waiting`, `finished`, `failed`,
//!   `panicked`, `cancelled`; `detail` names the box it waits on or the error; each box is
//!   `{name, direction, type, depth, capacity, messages_in, messages_out, discarded, rate,
//!   taps}` with `rate` in messages per second, averaged over about a second, and `taps` how
//!   many taps watch it;
//! * `links`: `{id, from, to, depth, capacity, rate}`, with each end `{component, name, box,
//!   direction}`, `id` being `from-name.box->to-name.box`, and depth and capacity those of the
//!   destination box;
//! * `stalls`: `{component, name, text, for_ms}` for every component blocked sending into a
//!   full box for a second or more of the system's time ([`axon::Snapshot::stalls`]; waiting
//!   for input is being idle, not stalled); such components also have `stalled: true`;
//! * `deadlocks`: `{components, text}` for every cycle of components each blocked sending
//!   into the full inbox of the next ([`axon::Snapshot::deadlocks`]);
//! * `ended`: the components that ended recently, `{id, name, type, state, detail}`.
//!
//! # Taps
//!
//! Selecting a link on the page asks for `/api/tap` every second, naming the link's source.
//! The first request installs an [`axon::model::Tap`] — on the source outbox when its component
//! sends on it, or else (a box that only forwards, such as a pipeline's inbox) on the inbox the
//! messages land in — which keeps the last 32 messages as `Debug` text (cut at
//! [`axon::model::TAP_TEXT_LIMIT`] bytes; a box whose message type is not known to be `Debug`
//! shows the type's name). A tap nobody asked for in 30 seconds is removed, and at most 8
//! exist at once. With no tap installed the system pays nothing for them.
//!
//! # Limits
//!
//! The server runs on a thread of its own with a current-thread tokio runtime: it never takes
//! time on the system's schedulers. Requests are limited to 8 KiB of head, 32 connections are
//! served at once (more get `503`), a client has 10 seconds to send its request, and
//! snapshots are taken at most five times a second however many pages watch. The system's
//! change events ([`axon::SystemHandle::events`]) are only subscribed to while a page has the
//! event stream open. A request whose `Host` header is a name other than `localhost` is
//! refused (`403`), so a web page cannot reach the inspector through DNS rebinding: open it
//! by IP address or as `localhost`. No response allows other origins to read it.
//!
//! The server stops when its [`Inspector`] is dropped, or within a quarter of a second of
//! its [`System`] being dropped ([`Inspector::wait_stopped`] waits for that).

mod json;
mod server;
mod tap;

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use axon::{System, SystemHandle};

/// The environment variable [`from_env`] reads: `ADDR:PORT`, such as `127.0.0.1:8470`.
pub const ENV_VAR: &str = "KAMAELIA_INSPECT";

/// What can be inspected: a [`System`] or a [`SystemHandle`].
pub trait Inspectable {
    /// A handle to the system.
    fn system_handle(&self) -> SystemHandle;
}

impl Inspectable for System {
    fn system_handle(&self) -> SystemHandle {
        self.handle()
    }
}

impl Inspectable for SystemHandle {
    fn system_handle(&self) -> SystemHandle {
        self.clone()
    }
}

/// A running inspector. Dropping it stops the server (and waits for its thread to end).
pub struct Inspector {
    address: SocketAddr,
    shared: Arc<server::Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl fmt::Debug for Inspector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspector")
            .field("address", &self.address)
            .field("running", &self.is_running())
            .finish()
    }
}

impl Inspector {
    /// The address the server listens on (with the actual port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The page's URL, `http://ADDR:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Whether the server still runs (it stops by itself when the system has ended; see
    /// [`wait_stopped`](Self::wait_stopped)).
    pub fn is_running(&self) -> bool {
        self.thread.is_some() && !self.shared.has_ended()
    }

    /// Blocks the calling thread until the server has stopped, for at most `timeout`, and
    /// returns whether it has. Once it returns `true` the server's listener is closed, every
    /// connection it had open is cancelled and [`is_running`](Self::is_running) is `false`.
    ///
    /// It does not ask the server to stop (dropping the `Inspector` does): it waits for the
    /// server to notice that its system has ended, which takes at most a quarter of a second.
    /// Woken by the server's thread as it ends, not by looking from time to time.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let system = axon::System::new();
    /// let inspector = kamaelia::inspect::serve(&system, "127.0.0.1:0")?;
    /// assert!(!inspector.wait_stopped(Duration::ZERO), "its system is alive");
    /// drop(system);
    /// assert!(inspector.wait_stopped(Duration::from_secs(10)));
    /// assert!(!inspector.is_running());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn wait_stopped(&self, timeout: Duration) -> bool {
        self.shared.wait_ended(timeout)
    }

    /// Lets the server run on without this handle, until the system ends or the process exits.
    pub fn detach(mut self) {
        self.thread.take();
    }
}

impl Drop for Inspector {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.shared.stop.send_replace(true);
            thread.join().ok();
        }
    }
}

/// Starts the inspector for `system` on `address` (the first address it resolves to), on a
/// thread of its own, and returns once it listens. Use port 0 to have one chosen; the
/// [`Inspector`] says which.
///
/// # Errors
/// If the address does not resolve or cannot be bound (in use, not local, not permitted), or
/// the thread cannot start; the error names the address.
pub fn serve(system: &impl Inspectable, address: impl ToSocketAddrs) -> io::Result<Inspector> {
    let mut last = None;
    for a in address.to_socket_addrs()? {
        match std::net::TcpListener::bind(a) {
            Ok(listener) => return start(system.system_handle(), listener),
            Err(e) => last = Some(io::Error::new(e.kind(), format!("inspector on {a}: {e}"))),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "inspector: no address to bind")
    }))
}

fn start(handle: SystemHandle, listener: std::net::TcpListener) -> io::Result<Inspector> {
    let address = listener.local_addr()?;
    let (shared, thread) = server::start(handle, listener)?;
    Ok(Inspector {
        address,
        shared,
        thread: Some(thread),
    })
}

/// The start-up hook: every [`System`] built while [`ENV_VAR`] is set gets an inspector.
fn inspect_hook(system: &SystemHandle) {
    if let Some(inspector) = from_env(system) {
        inspector.detach();
    }
}

axon::system_hook!(inspect_hook);

/// Reads an inspector address: `IP:PORT` (`127.0.0.1:8470`, `[::1]:8470`) or
/// `localhost:PORT`. No name is looked up.
///
/// # Errors
/// A message naming the value and what was expected.
pub fn parse_address(value: &str) -> Result<SocketAddr, String> {
    let v = value.trim();
    let parsed = match v.strip_prefix("localhost:") {
        Some(port) => port
            .parse::<u16>()
            .ok()
            .map(|p| SocketAddr::from(([127, 0, 0, 1], p))),
        None => v.parse::<SocketAddr>().ok(),
    };
    parsed.ok_or_else(|| {
        format!(
            "{ENV_VAR}={value:?} is not ADDR:PORT (for example 127.0.0.1:8470 or localhost:8470)"
        )
    })
}

/// [`serve`], trying again for up to a second while the address is in use: the inspector of
/// a system just dropped may still hold it for a moment (it looks four times a second), and
/// a program that builds one system after another should get each one on the same address.
fn bind_retrying(system: &impl Inspectable, address: SocketAddr) -> Result<Inspector, String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        match serve(system, address) {
            Err(e)
                if e.kind() == io::ErrorKind::AddrInUse && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            started => return started.map_err(|e| e.to_string()),
        }
    }
}

/// Starts the inspector if the environment variable [`KAMAELIA_INSPECT`](ENV_VAR) is set to
/// `ADDR:PORT`, printing `kamaelia inspect: http://ADDR:PORT/` on stderr. When it is unset or
/// empty nothing starts; when it is not an address or cannot be bound, the reason goes to
/// stderr (`kamaelia inspect: not started: …`) and nothing starts: the program carries on
/// without an inspector.
///
/// There is no need to call it: this library registers an [`axon::SystemHook`] that does it
/// for every [`System`] built (deterministic ones included), and lets the inspector run until
/// that system is dropped. Systems built one after another get the same address in turn; two
/// systems alive at once cannot share it (the second reports the address in use), unless the
/// port is 0, which gives each its own.
pub fn from_env(system: &impl Inspectable) -> Option<Inspector> {
    let value = std::env::var_os(ENV_VAR)?;
    let value = value.to_string_lossy();
    if value.trim().is_empty() {
        return None;
    }
    let started = parse_address(&value).and_then(|a| bind_retrying(system, a));
    match started {
        Ok(inspector) => {
            eprintln!("kamaelia inspect: {}", inspector.url());
            Some(inspector)
        }
        Err(e) => {
            eprintln!("kamaelia inspect: not started: {e}");
            None
        }
    }
}
