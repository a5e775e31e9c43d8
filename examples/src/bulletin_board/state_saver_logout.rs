//! StateSaverLogout: the last stage of a session — posts what the user wrote and says goodbye
//! (Kamaelia: `Kamaelia.Apps.Europython09.BB.StateSaverLogout.StateSaverLogout`, BB10).
//!
//! In the tutorial this stage only printed that it was saving the user's data. Here, if
//! someone logged in, it posts the messages they wrote in the session through the
//! [`Store`](super::store::Store) (each becomes `messages/<n>.json`) and reports each one. Then,
//! whoever it was, it says goodbye, and the session's [`Seq`](kamaelia::chassis::Seq) ends,
//! which closes the connection once the goodbye is written.
//!
//! It runs after a user quits and also after a session ended early — the client
//! disconnected, was idle, or failed to log in — and says goodbye then too (to a client that
//! may no longer be there; one that only closed its sending side still gets it). After an
//! early end the menus have already posted what the user wrote (see
//! [`MessageBoardUI`](super::message_board_ui::MessageBoardUI)), so nothing is left for it to
//! post. It is not run at all once the server is stopping. It reads no input (it is added with
//! [`Seq::then_no_input`](kamaelia::chassis::Seq::then_no_input)).
//!
//! ```
//! use examples::bulletin_board::session::{talk, SessionHandle, Settings};
//! use examples::bulletin_board::state_saver_logout::StateSaverLogout;
//! use examples::bulletin_board::store::{Draft, Store};
//! use std::sync::Arc;
//!
//! let store = Arc::new(Store::in_memory([("alice", "rabbit-hole")], Vec::new()));
//! let session = SessionHandle::detached(Arc::clone(&store), Settings::default());
//! session.lock().user = Some("alice".into());
//! session.lock().drafts.push(Draft::new("all", "Lunch", "Who is in?"));
//! let said = talk(StateSaverLogout::new(session), &[]);
//! assert!(said.contains("Posted message 1: Lunch\r\n"));
//! assert!(said.ends_with("Goodbye, alice!\r\n"));
//! assert_eq!(store.messages()[0].from, "alice");
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`Input`] | not read |
//! | `control` | [`Control`] | `Shutdown`/`Failed`: stop saying goodbye (the messages are still posted) |
//! | `outbox` | `String` | text for the client |
//! | `signal` | [`Control`] | the stop request, if one ended it |
//!
//! # Parameters
//!
//! * the [`SessionHandle`], given to [`StateSaverLogout::new`].
//!
//! # Shutdown
//!
//! It ends by itself once the messages are posted and the goodbye is sent. Posting is never
//! cut short: a `Shutdown` or `Failed` that arrives meanwhile is passed on on `signal` once
//! the messages are written, and the goodbye is skipped. If the connection is already gone
//! the posting still happens and the goodbye goes nowhere.

use std::sync::Arc;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::line_input::Input;
use super::session::{Ending, SessionHandle};
use super::store::{Message, StoreError};
use super::terminal::{printable, Stop, Terminal};

/// Posts the user's messages and says goodbye. See the [module docs](self).
#[derive(Boxes)]
pub struct StateSaverLogout {
    /// Not read.
    pub inbox: Inbox<Input>,
    /// `Shutdown`/`Failed`: skip the goodbye.
    pub control: Inbox<Control>,
    /// Text for the client.
    pub outbox: Outbox<String>,
    /// The stop request, if one ended it.
    pub signal: Outbox<Control>,
    session: SessionHandle,
}

impl std::fmt::Debug for StateSaverLogout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateSaverLogout").finish_non_exhaustive()
    }
}

impl StateSaverLogout {
    /// The last stage of `session`.
    pub fn new(session: SessionHandle) -> Self {
        StateSaverLogout {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            session,
        }
    }
}

impl Component for StateSaverLogout {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let StateSaverLogout {
            inbox,
            mut control,
            outbox,
            signal,
            session,
        } = self;
        let user = session.user();
        let drafts = std::mem::take(&mut session.lock().drafts);
        let posted = match &user {
            Some(user) if !drafts.is_empty() => session.store().post_all(user, drafts).await,
            _ => Vec::new(),
        };
        let stop = control
            .try_recv()
            .ok()
            .filter(|c| !c.is_producer_finished());
        let stopped = stop.is_some() || session.ending() == Some(Ending::Stopped);
        let mut term = Terminal::new(inbox, control, outbox, signal, session);
        let outcome = match stop {
            Some(c) => Err(Stop::Stopped(c)),
            None if stopped => Ok(()),
            None => goodbye(&mut term, user.as_deref(), posted).await,
        };
        term.finish(outcome).await
    }
}

async fn goodbye(
    term: &mut Terminal,
    user: Option<&str>,
    posted: Vec<Result<Arc<Message>, StoreError>>,
) -> Result<(), Stop> {
    term.say("").await?;
    let Some(user) = user else {
        return term.say("Goodbye!").await;
    };
    if !posted.is_empty() {
        term.say("Posting your messages...").await?;
    }
    for result in posted {
        match result {
            Ok(m) => {
                term.say(format!(
                    "Posted message {}: {}",
                    m.message,
                    printable(&m.subject)
                ))
                .await?
            }
            Err(e) => {
                // The details (file names) are for the server's log, not for the client.
                eprintln!("bulletin board: {user}: {e}");
                term.say("A message could not be posted; it is lost, sorry.")
                    .await?
            }
        }
    }
    term.say(format!("Goodbye, {user}!")).await
}

kamaelia::impl_stage!([] StateSaverLogout, Input => String);
