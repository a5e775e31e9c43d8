//! One connection's session: the state its stages share, and the protocol
//! [`ServerCore`](kamaelia::net::ServerCore) runs for every connection (the tutorial's
//! `ConnectionInfo` dictionary and `CompositeBulletinBoardProtocol`, BB8 and BB15).
//!
//! For each connection the server builds
//!
//! ```text
//! Pipeline(
//!     LineInput,                       bytes → lines (BB15's line buffer)
//!     Seq(session,                     one dialogue, stage after stage:
//!         Authenticator,               login: / password:
//!         UserRetriever,               fetches the board for the user (reads no input)
//!         MessageBoardUI,              main> and messages> menus
//!         StateSaverLogout),           posts the user's messages, says goodbye (reads no input)
//!     PureTransformer(String → bytes)) text → the socket
//! ```
//!
//! All four stages get the same [`SessionHandle`]: a shared [`Session`] holding the peer's
//! address, who logged in, the messages fetched for them, the messages they wrote, how the
//! session ended if it ended early. A factory in the [`Seq`] runs only when its stage starts,
//! so each stage sees what the stages before it stored.
//!
//! # Lines a stage did not read
//!
//! [`Seq`] hands its stages one line at a time, and a stage that ends may leave the one line it
//! was last handed unread (a client that types ahead: `alice⏎secret⏎⏎` sent in one go). The
//! `Seq` takes that line back and hands it to the next stage first, so a dialogue typed ahead
//! gives the same transcript as one typed line by line.
//!
//! ```
//! use examples::bulletin_board::session::{dialogue, talk, SessionHandle, Settings};
//! use examples::bulletin_board::store::Store;
//! use std::sync::Arc;
//!
//! let store = Arc::new(Store::in_memory([("alice", "rabbit-hole")], Vec::new()));
//! let session = SessionHandle::detached(store, Settings::default());
//! let transcript = talk(dialogue(session.clone()), &["alice", "rabbit-hole", "q"]);
//! assert!(transcript.contains("main> "));
//! assert!(transcript.ends_with("Goodbye, alice!\r\n"));
//! assert_eq!(session.user().as_deref(), Some("alice"));
//! ```

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axon::{Control, Inbox, Outbox, System};
use kamaelia::chassis::{Pipeline, Seq};
use kamaelia::util::transforms::PureTransformer;
use kamaelia::Stage;

use super::authenticator::Authenticator;
use super::line_input::{Input, LineInput};
use super::message_board_ui::MessageBoardUI;
use super::state_saver_logout::StateSaverLogout;
use super::store::{Draft, Message, Store};
use super::user_retriever::UserRetriever;

/// How every session on a server behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long a session waits for the client — for a line, or for room to send — before it
    /// says goodbye and closes; default 5 minutes.
    pub idle_timeout: Duration,
    /// The longest line accepted, in bytes without its line ending; longer lines are refused
    /// with a notice and the question is asked again. Default 1 KiB.
    pub max_line: usize,
    /// Failed logins before the connection is closed; default 3.
    pub max_login_attempts: u32,
    /// Messages a user may write in one session (they are posted at logout); default 10.
    pub max_drafts: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_timeout: Duration::from_secs(300),
            max_line: 1024,
            max_login_attempts: 3,
            max_drafts: 10,
        }
    }
}

/// Why a session ended before its user quit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The client closed the connection (or stopped reading and the socket closed).
    Disconnected,
    /// Nothing came from the client for [`Settings::idle_timeout`].
    IdleTimeout,
    /// Too many failed logins.
    LoginFailed,
    /// The server is stopping.
    Stopped,
}

/// What one connection's stages share. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    /// The client's address.
    pub peer: SocketAddr,
    /// The server's address on this connection.
    pub local: SocketAddr,
    /// Who logged in (the tutorial's `remoteuser`).
    pub user: Option<String>,
    /// Why the session ended early, once it has.
    pub ending: Option<Ending>,
    /// The messages fetched for the user when they logged in.
    pub board: Vec<Arc<Message>>,
    /// Messages written in this session, posted at logout.
    pub drafts: Vec<Draft>,
    store: Arc<Store>,
    settings: Arc<Settings>,
}

/// A shared handle to one connection's [`Session`]; cloning it shares the same session.
#[derive(Clone)]
pub struct SessionHandle(Arc<Mutex<Session>>);

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.lock().fmt(f)
    }
}

impl SessionHandle {
    /// A new session for a connection from `peer` to `local`.
    pub fn new(
        store: Arc<Store>,
        settings: Arc<Settings>,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> Self {
        SessionHandle(Arc::new(Mutex::new(Session {
            peer,
            local,
            user: None,
            ending: None,
            board: Vec::new(),
            drafts: Vec::new(),
            store,
            settings,
        })))
    }

    /// A session with no real connection (both addresses `0.0.0.0:0`), for tests and examples.
    pub fn detached(store: Arc<Store>, settings: Settings) -> Self {
        let nowhere = SocketAddr::from(([0, 0, 0, 0], 0));
        Self::new(store, Arc::new(settings), nowhere, nowhere)
    }

    /// The session, locked. Never hold the guard across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Who logged in, if anyone.
    pub fn user(&self) -> Option<String> {
        self.lock().user.clone()
    }

    /// Why the session ended early, if it did.
    pub fn ending(&self) -> Option<Ending> {
        self.lock().ending
    }

    /// Records why the session ended, unless a reason is already recorded.
    pub fn end(&self, why: Ending) {
        self.lock().ending.get_or_insert(why);
    }

    /// The board's store.
    pub fn store(&self) -> Arc<Store> {
        Arc::clone(&self.lock().store)
    }

    /// The server's settings.
    pub fn settings(&self) -> Arc<Settings> {
        Arc::clone(&self.lock().settings)
    }
}

/// The four stages of one dialogue, in a [`Seq`] sharing `session` (see the
/// [module docs](self)).
pub fn dialogue(session: SessionHandle) -> Seq<Input, String, SessionHandle> {
    Seq::new(session)
        .then(Authenticator::new)
        .then_no_input(UserRetriever::new)
        .then(MessageBoardUI::new)
        .then_no_input(StateSaverLogout::new)
}

/// One connection's protocol: bytes in, lines through the [`dialogue`], bytes out.
pub fn connection(session: SessionHandle) -> Pipeline<Vec<u8>, Vec<u8>> {
    let max_line = session.settings().max_line;
    Pipeline::new(LineInput::new(max_line))
        .then(dialogue(session))
        .then(PureTransformer::map(String::into_bytes))
}

/// The protocol factory for [`ServerCore`](kamaelia::net::ServerCore): a new [`Session`] and
/// [`connection`] for each client.
pub fn protocol(
    store: Arc<Store>,
    settings: Settings,
) -> impl FnMut(SocketAddr, SocketAddr) -> Pipeline<Vec<u8>, Vec<u8>> + Send + 'static {
    let settings = Arc::new(settings);
    move |peer, local| {
        connection(SessionHandle::new(
            Arc::clone(&store),
            Arc::clone(&settings),
            peer,
            local,
        ))
    }
}

/// Runs `stage` (a single stage or a whole [`dialogue`]) on a deterministic system, feeding it
/// `lines` and then the end of input, and returns everything it sent, concatenated: a
/// transcript of the server's side. For tests and examples; the output is kept in memory.
///
/// # Panics
/// If the stage does not end once its input has ended.
pub fn talk<S: Stage<In = Input, Out = String>>(stage: S, lines: &[&str]) -> String {
    let mut system = System::deterministic();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut output = Inbox::unbounded();
    stage.inbox().set_capacity(Some(lines.len().max(1)));
    axon::link(&input, stage.inbox()).expect("a new stage's inbox links");
    axon::link(&stop, stage.control()).expect("a new stage's control links");
    axon::link(stage.outbox(), &output).expect("a new stage's outbox links");
    system.spawn(stage);
    for line in lines {
        input
            .try_send(Input::Line(line.to_string()))
            .expect("the inbox has room for the script");
    }
    stop.try_send(Control::ProducerFinished)
        .expect("control has room");
    system
        .run()
        .expect("the stage ends once its input has ended");
    std::iter::from_fn(|| output.try_recv().ok()).collect()
}
