//! The tutorial's bulletin-board server (Europython 2009, BB1–BB15) as a real application: a
//! line-oriented TCP service whose per-connection dialogue is written as sequential code.
//!
//! ```text
//! cargo run --release -p examples --example bulletin_board -- --port 1600 --data examples/data/bulletin_board
//! nc 127.0.0.1 1600
//! ```
//!
//! Each connection runs its own small system of components, built by a protocol factory given
//! to [`ServerCore`]:
//!
//! ```text
//! Pipeline(LineInput,
//!          Seq(Authenticator, UserRetriever, MessageBoardUI, StateSaverLogout),
//!          text → bytes)
//! ```
//!
//! The [`Seq`](kamaelia::chassis::Seq) runs the four stages one after another on the
//! connection's lines, and they share one [`Session`](session::Session) — who logged in, what
//! they read and wrote (the tutorial's `ConnectionInfo`). Inside each stage the dialogue is
//! plain sequential async code: where the tutorial wrote
//! `yield WaitComplete(self.waitMsg())` and caught `GotShutdownMessage`, a stage here writes
//! `let line = term.ask("main> ").await?;` with the helpers of [`terminal`].
//!
//! | file | tutorial | what it does |
//! |---|---|---|
//! | [`line_input`] | `LineOrientedInputBuffer` (BB15) | bytes → lines; too-long lines become a notice |
//! | [`authenticator`] | `Authenticator` (BB4–BB9) | `login:` / `password:` against `users.json` |
//! | [`user_retriever`] | `UserRetriever` (BB10) | fetches the board for the user |
//! | [`message_board_ui`] | `MessageBoardUI` (BB12–BB14) | the `main>` and `messages>` menus |
//! | [`state_saver_logout`] | `StateSaverLogout` (BB10) | posts what the user wrote, says goodbye |
//! | [`terminal`] | `RequestResponseComponent` (BB6–BB7) | `ask`, `say`, idle timeout, stop handling |
//! | [`session`] | `CompositeBulletinBoardProtocol` (BB8, BB15) | shared state and the protocol factory |
//! | [`store`] | `Folder`, `readUsers` (BB9, BB14) | `users.json` and `messages/<n>.json` |
//!
//! A session, as `nc` shows it (what the client typed follows the prompts):
//!
//! ```text
//!
//! Welcome to the Kamaelia bulletin board.
//! login: alice
//! password: rabbit-hole
//!
//! You are logged in.
//!
//! Fetching the board for alice...
//! There are 3 messages on the board.
//!
//! Hello, alice. Type h for help.
//! main> h
//! <return>  read the messages, oldest first
//! p         write a new message
//! h         this help
//! q         log out
//! main>
//!
//! 3 messages left to read.
//! messages>
//!
//! message: 1
//! date: 2009-06-29 09:00 UTC
//! from: carol
//! to: all
//! subject: Welcome to the board
//!
//! Hello everyone, and welcome.
//! Press <return> at the messages prompt to read on,
//! and r to answer the message you just read.
//!
//! 2 messages left to read.
//! messages> r
//! Replying to carol about "Re: Welcome to the board".
//! Type the message; a line holding only . ends it.
//! Count me in for the sprint.
//! .
//! Kept: it will be posted when you log out.
//!
//! 2 messages left to read.
//! messages> x
//! main> q
//!
//! Posting your messages...
//! Posted message 4: Re: Welcome to the board
//! Goodbye, alice!
//! ```
//!
//! # What the server survives
//!
//! * **Clients that disconnect at any point**: the stage waiting for a line sees the end of
//!   input, records it in the session, and the later stages only tidy up (what a logged-in user
//!   wrote is still posted). Other sessions are not affected.
//! * **Garbage**: bytes that are not UTF-8 become U+FFFD; unknown commands get a hint; control
//!   characters are never echoed or shown (see [`terminal::printable`]).
//! * **Huge lines**: a line longer than [`Settings::max_line`](session::Settings::max_line)
//!   (1 KiB by default) is discarded as it arrives — never buffered — and the client is told,
//!   then asked again; the session goes on.
//! * **Silence**: after [`Settings::idle_timeout`](session::Settings::idle_timeout) (5
//!   minutes by default) without a line — or without room to send to a client that does not
//!   read — the session says why, says goodbye and closes.
//! * **Typing ahead**: lines sent before their prompt are answered in order, across stages.
//!
//! Everything is bounded: each connection buffers at most one line being assembled plus its
//! bounded inboxes, and the store limits files and texts (see [`store`]).
//!
//! # Running it from code
//!
//! [`start`] runs a server in the background and returns a [`Server`] to find its address
//! and stop it; the example binary and the tests both use it.
//!
//! ```
//! use examples::bulletin_board::{start, Config};
//! use std::io::{BufRead, BufReader, Write};
//!
//! let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/bulletin_board");
//! let server = start(Config::new(data).port(0)).unwrap();
//! let mut client = std::net::TcpStream::connect(server.address()).unwrap();
//! client.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
//! client.write_all(b"alice\r\nrabbit-hole\r\nq\r\n").unwrap();
//! let mut reply = String::new();
//! for line in BufReader::new(&client).lines() {
//!     let line = line.unwrap();
//!     reply.push_str(&line);
//!     reply.push('\n');
//! }
//! assert!(reply.contains("You are logged in."));
//! assert!(reply.ends_with("Goodbye, alice!\n"));
//! server.stop();
//! ```

pub mod authenticator;
pub mod line_input;
pub mod message_board_ui;
pub mod session;
pub mod state_saver_logout;
pub mod store;
pub mod terminal;
pub mod user_retriever;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axon::{Control, Inbox, Outbox, System};
use kamaelia::net::ServerCore;

use session::Settings;
use store::{Store, StoreError};

/// How long [`start`] waits for the server to be listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How long [`Server::stop`] waits for the sessions to end before cancelling them.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// What a server needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen; default `127.0.0.1:1600` (the tutorial's port). Port 0 picks a free one.
    pub address: SocketAddr,
    /// The data folder: `users.json` and `messages/`.
    pub data: PathBuf,
    /// How every session behaves.
    pub settings: Settings,
    /// At most this many connections at once (others wait to be accepted); default 1000.
    pub max_connections: usize,
}

impl Config {
    /// Serves the board in `data` on `127.0.0.1:1600` with the default [`Settings`].
    pub fn new(data: impl Into<PathBuf>) -> Self {
        Config {
            address: SocketAddr::from(([127, 0, 0, 1], 1600)),
            data: data.into(),
            settings: Settings::default(),
            max_connections: 1000,
        }
    }

    /// Listens on `port` (0 picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.address.set_port(port);
        self
    }

    /// Listens on `address`.
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// Ends a session after `timeout` without input.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// Accepts lines of up to `bytes` bytes.
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.settings.max_line = bytes;
        self
    }
}

/// Why a server did not start.
#[derive(Debug)]
pub enum StartError {
    /// The data folder could not be read.
    Data(StoreError),
    /// The address could not be listened on.
    Listen {
        /// The address.
        address: SocketAddr,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Data(e) => write!(f, "cannot read the board: {e}"),
            StartError::Listen { address, reason } => {
                write!(f, "cannot listen on {address}: {reason}")
            }
        }
    }
}

impl std::error::Error for StartError {}

/// A running server. Dropping it stops the server too, less politely: prefer [`stop`](Self::stop).
pub struct Server {
    address: SocketAddr,
    store: Arc<Store>,
    system: System,
    stop: Outbox<Control>,
    ended: Inbox<Control>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

/// Opens the board in `config.data` and starts serving it in the background; returns once the
/// server accepts connections.
///
/// # Errors
/// If the data folder cannot be read or the address cannot be listened on.
pub fn start(config: Config) -> Result<Server, StartError> {
    let store = Arc::new(Store::open(&config.data).map_err(StartError::Data)?);
    let mut system = System::new();
    let server = ServerCore::new(
        config.address,
        session::protocol(Arc::clone(&store), config.settings),
    )
    .max_connections(config.max_connections);
    let (mut addresses, ended, stop) = (Inbox::new(), Inbox::new(), Outbox::new());
    let linked = axon::link(&server.addresses, &addresses)
        .and(axon::link(&server.signal, &ended))
        .and(axon::link(&stop, &server.control));
    linked.map_err(|e| StartError::Listen {
        address: config.address,
        reason: e.to_string(),
    })?;
    system.spawn_named("bulletin board", server);
    system.start();
    // The address once listening, or the server's stop request if it could not listen.
    let mut ended = ended;
    let first = axon::blocking::block_on_timeout(
        std::future::poll_fn(|cx| {
            if let Poll::Ready(Some(address)) = addresses.poll_recv(cx) {
                return Poll::Ready(Ok(address));
            }
            match ended.poll_recv(cx) {
                Poll::Ready(c) => Poll::Ready(Err(c)),
                Poll::Pending => Poll::Pending,
            }
        }),
        START_TIMEOUT,
    );
    let reason = match first {
        Some(Ok(address)) => {
            return Ok(Server {
                address,
                store,
                system,
                stop,
                ended,
            })
        }
        Some(Err(Some(c))) => c.failure().map_or_else(|| c.to_string(), str::to_string),
        Some(Err(None)) => "the server ended".to_string(),
        None => format!("not listening after {START_TIMEOUT:?}"),
    };
    system.shutdown(Duration::from_secs(1));
    Err(StartError::Listen {
        address: config.address,
        reason,
    })
}

impl Server {
    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The board being served.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Stops the server: stops listening, closes every connection (a logged-in user's
    /// finished messages are still posted), and waits for the sessions to end. Returns the
    /// names of any component that had to be cancelled (none, normally).
    pub fn stop(mut self) -> Vec<String> {
        self.stop.send_blocking(Control::Shutdown).ok();
        self.ended.recv_blocking_timeout(STOP_TIMEOUT).ok();
        self.system.shutdown(STOP_TIMEOUT).cancelled
    }

    /// Blocks until the server ends by itself (it does not, unless something stops it).
    pub fn wait(mut self) {
        self.system.run().ok();
    }
}
