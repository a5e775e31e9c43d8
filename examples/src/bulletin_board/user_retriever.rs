//! UserRetriever: the second stage of a session — fetches what the logged-in user will read
//! (Kamaelia: `Kamaelia.Apps.Europython09.BB.UserRetriever.UserRetriever`, BB10).
//!
//! In the tutorial this stage only printed that it was retrieving the user's data. Here it
//! does: it takes a snapshot of the board from the [`Store`](super::store::Store) into the
//! session, so the menus that follow browse a board that does not change under the user's
//! feet, and says how many messages there are. It reads no input (it is added with
//! [`Seq::then_no_input`](kamaelia::chassis::Seq::then_no_input)), so a line the client typed
//! ahead waits for the menus.
//!
//! If nobody logged in, or the session already ended, it ends at once without a word.
//!
//! ```
//! use examples::bulletin_board::session::{talk, SessionHandle, Settings};
//! use examples::bulletin_board::store::{Draft, Store};
//! use examples::bulletin_board::user_retriever::UserRetriever;
//! use std::sync::Arc;
//!
//! let store = Arc::new(Store::in_memory([("alice", "rabbit-hole")], Vec::new()));
//! store.post("bob", Draft::new("all", "Hi", "Hello, board.")).unwrap();
//! let session = SessionHandle::detached(store, Settings::default());
//! session.lock().user = Some("alice".into());
//! let said = talk(UserRetriever::new(session.clone()), &[]);
//! assert!(said.ends_with("There is 1 message on the board.\r\n"));
//! assert_eq!(session.lock().board.len(), 1);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`Input`] | not read |
//! | `control` | [`Control`] | `Shutdown`/`Failed`: stop now |
//! | `outbox` | `String` | text for the client |
//! | `signal` | [`Control`] | the stop request, if one ended it |
//!
//! # Parameters
//!
//! * the [`SessionHandle`], given to [`UserRetriever::new`].
//!
//! # Shutdown
//!
//! It ends by itself as soon as the board is fetched. A `Shutdown` or `Failed` that arrives
//! first is passed on on `signal`; the session's end is recorded as for the other stages.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::line_input::Input;
use super::session::SessionHandle;
use super::terminal::{Stop, Terminal};

/// Fetches the board for the user. See the [module docs](self).
#[derive(Boxes)]
pub struct UserRetriever {
    /// Not read.
    pub inbox: Inbox<Input>,
    /// `Shutdown`/`Failed` (stop now).
    pub control: Inbox<Control>,
    /// Text for the client.
    pub outbox: Outbox<String>,
    /// The stop request, if one ended it.
    pub signal: Outbox<Control>,
    session: SessionHandle,
}

impl std::fmt::Debug for UserRetriever {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRetriever").finish_non_exhaustive()
    }
}

impl UserRetriever {
    /// The fetching stage of `session`.
    pub fn new(session: SessionHandle) -> Self {
        UserRetriever {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            session,
        }
    }
}

impl Component for UserRetriever {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let UserRetriever {
            inbox,
            mut control,
            outbox,
            signal,
            session,
        } = self;
        let early = control
            .try_recv()
            .ok()
            .filter(|c| !c.is_producer_finished());
        let mut term = Terminal::new(inbox, control, outbox, signal, session);
        let outcome = match early {
            Some(c) => Err(Stop::Stopped(c)),
            None => fetch(&mut term).await,
        };
        term.finish(outcome).await
    }
}

/// Takes the snapshot and reports it.
async fn fetch(term: &mut Terminal) -> Result<(), Stop> {
    let session = term.session().clone();
    let Some(user) = session.user() else {
        return Ok(());
    };
    if session.ending().is_some() {
        return Ok(());
    }
    term.say("").await?;
    term.say(format!("Fetching the board for {user}..."))
        .await?;
    let board = session.store().messages();
    let n = board.len();
    session.lock().board = board;
    term.say(match n {
        0 => "There are no messages on the board.".to_string(),
        1 => "There is 1 message on the board.".to_string(),
        n => format!("There are {n} messages on the board."),
    })
    .await
}

kamaelia::impl_stage!([] UserRetriever, Input => String);
