//! Authenticator: the first stage of a session — asks for a user name and password until they
//! match the users file (Kamaelia: `Kamaelia.Apps.Europython09.BB.Authenticator.Authenticator`,
//! BB4–BB9).
//!
//! It greets the client, then asks `login: ` and `password: ` and checks them against the
//! [`Store`](super::store::Store) (user names in any case). On success it records the user in
//! the session (the tutorial's `State["remoteuser"]`) and ends, so that the next stage of the
//! [`Seq`](kamaelia::chassis::Seq) starts. After
//! [`max_login_attempts`](super::session::Settings::max_login_attempts) failures it says so and
//! ends the session (the tutorial asked forever).
//!
//! ```
//! use examples::bulletin_board::authenticator::Authenticator;
//! use examples::bulletin_board::session::{talk, SessionHandle, Settings};
//! use examples::bulletin_board::store::Store;
//! use std::sync::Arc;
//!
//! let store = Arc::new(Store::in_memory([("alice", "rabbit-hole")], Vec::new()));
//! let session = SessionHandle::detached(store, Settings::default());
//! let said = talk(
//!     Authenticator::new(session.clone()),
//!     &["alice", "guess", "ALICE", "rabbit-hole"],
//! );
//! assert!(said.contains("Login failed: wrong user name or password.\r\n"));
//! assert!(said.ends_with("You are logged in.\r\n"));
//! assert_eq!(session.user().as_deref(), Some("alice"));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`Input`] | the client's lines |
//! | `control` | [`Control`] | `ProducerFinished`: the client has closed; `Shutdown`/`Failed`: stop now |
//! | `outbox` | `String` | text for the client (prompts, and lines ending in `\r\n`) |
//! | `signal` | [`Control`] | the stop request, if one ended it |
//!
//! # Parameters
//!
//! * the [`SessionHandle`], given to [`Authenticator::new`]; the users come from its store, the
//!   number of attempts and the idle timeout from its settings.
//!
//! # Shutdown
//!
//! The stage ends when the user is logged in, after too many failures, or when the
//! conversation cannot go on (see [`Terminal::finish`]): on `ProducerFinished` it reads the
//! lines still waiting and ends when they run out (a half-typed login is dropped); on
//! `Shutdown`/`Failed` it ends at once and passes the message on `signal`; after the idle
//! timeout it tells the client and ends. In every early end the session records why, so that
//! the later stages only say goodbye.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::line_input::Input;
use super::session::{Ending, SessionHandle};
use super::terminal::{Stop, Terminal};

/// Asks for a user name and password. See the [module docs](self).
#[derive(Boxes)]
pub struct Authenticator {
    /// The client's lines.
    pub inbox: Inbox<Input>,
    /// `ProducerFinished` (the client has closed) or `Shutdown`/`Failed` (stop now).
    pub control: Inbox<Control>,
    /// Text for the client.
    pub outbox: Outbox<String>,
    /// The stop request, if one ended it.
    pub signal: Outbox<Control>,
    session: SessionHandle,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").finish_non_exhaustive()
    }
}

impl Authenticator {
    /// The login stage of `session`.
    pub fn new(session: SessionHandle) -> Self {
        Authenticator {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            session,
        }
    }
}

impl Component for Authenticator {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let Authenticator {
            inbox,
            control,
            outbox,
            signal,
            session,
        } = self;
        let mut term = Terminal::new(inbox, control, outbox, signal, session);
        let outcome = log_in(&mut term).await;
        term.finish(outcome).await
    }
}

/// The login dialogue.
async fn log_in(term: &mut Terminal) -> Result<(), Stop> {
    let session = term.session().clone();
    let (store, attempts) = (session.store(), session.settings().max_login_attempts);
    term.say("").await?;
    term.say("Welcome to the Kamaelia bulletin board.").await?;
    for _ in 0..attempts.max(1) {
        let name = term.ask("login: ").await?;
        let password = term.ask("password: ").await?;
        term.say("").await?;
        if let Some(user) = store.login(&name, &password) {
            session.lock().user = Some(user);
            return term.say("You are logged in.").await;
        }
        term.say("Login failed: wrong user name or password.")
            .await?;
    }
    session.end(Ending::LoginFailed);
    term.say("Too many failed logins.").await
}

kamaelia::impl_stage!([] Authenticator, Input => String);
