//! MessageBoardUI: the third stage of a session — the `main>` and `messages>` menus (Kamaelia:
//! `Kamaelia.Apps.Europython09.BB.MessageBoardUI.MessageBoardUI`, BB12–BB14).
//!
//! The main menu:
//!
//! | command | what it does |
//! |---|---|
//! | `<return>` | read the messages, oldest first (the `messages>` menu) |
//! | `p` | write a new message |
//! | `h` | help |
//! | `q` | log out |
//!
//! The messages menu says how many messages are left to read before each prompt:
//!
//! | command | what it does |
//! |---|---|
//! | `<return>` | show the next message; after the last one, back to the main menu |
//! | `r` | reply to the message just shown |
//! | `h` | help |
//! | `x` | back to the main menu |
//!
//! A message is shown as in the tutorial: its `message`, `date`, `from`, `to` and `subject`
//! fields, `in-reply-to` when it answers others, a blank line and the text.
//!
//! The tutorial ran the messages menu as a sub-generator with `yield WaitComplete(...)`,
//! swallowing a shutdown inside it and checking `control` again in the caller. Here the menus
//! are plain async functions: `messages_menu(term).await?` — a stop is a value that `?` passes
//! up, and nothing needs checking twice.
//!
//! Writing (`p`, `r`) asks for the recipient and subject, then takes the text line by line up to
//! a line holding only `.`. The message is kept in the session and posted by
//! [`StateSaverLogout`](super::state_saver_logout::StateSaverLogout) when the user logs out.
//! If the session ends any other way — the client leaves or is idle, the server stops — this
//! stage posts the finished messages itself before it ends: a server stop keeps the `Seq` from
//! starting the state saver, so waiting for it could lose them.
//!
//! ```
//! use examples::bulletin_board::message_board_ui::MessageBoardUI;
//! use examples::bulletin_board::session::{talk, SessionHandle, Settings};
//! use examples::bulletin_board::store::{Draft, Store};
//! use std::sync::Arc;
//!
//! let store = Arc::new(Store::in_memory([("alice", "rabbit-hole")], Vec::new()));
//! store.post("bob", Draft::new("all", "Hi", "Hello, board.")).unwrap();
//! let session = SessionHandle::detached(Arc::clone(&store), Settings::default());
//! session.lock().user = Some("alice".into());
//! session.lock().board = store.messages();
//! let said = talk(
//!     MessageBoardUI::new(session.clone()),
//!     &["", "", "p", "", "Lunch", "Who is in?", ".", "q"],
//! );
//! assert!(said.contains("subject: Hi\r\n\r\nHello, board.\r\n"));
//! assert_eq!(session.lock().drafts[0].subject, "Lunch");
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`Input`] | the client's lines |
//! | `control` | [`Control`] | `ProducerFinished`: the client has closed; `Shutdown`/`Failed`: stop now |
//! | `outbox` | `String` | text for the client |
//! | `signal` | [`Control`] | the stop request, if one ended it |
//!
//! # Parameters
//!
//! * the [`SessionHandle`], given to [`MessageBoardUI::new`]: the user and the board fetched
//!   for them, the settings (idle timeout, [`max_drafts`](super::session::Settings::max_drafts)).
//!   Texts are limited as the [store](super::store) requires.
//!
//! # Shutdown
//!
//! It ends when the user types `q`. On `ProducerFinished` it reads the lines still waiting and
//! ends when they run out; after the idle timeout it tells the client and ends; on
//! `Shutdown`/`Failed` it ends at once and passes the message on `signal`. In these three cases
//! it first posts the messages the user finished (one being written is dropped). If nobody
//! logged in, or the session already ended, it ends at once.

use std::sync::Arc;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::line_input::Input;
use super::session::SessionHandle;
use super::store::{Draft, Message, MAX_BODY, MAX_SUBJECT, MAX_TO};
use super::terminal::{printable, Stop, Terminal};

/// The longest message text, in lines.
const MAX_BODY_LINES: usize = 200;

const UNKNOWN: &str = "Unknown command; type h for help.";

/// The menus. See the [module docs](self).
#[derive(Boxes)]
pub struct MessageBoardUI {
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

impl std::fmt::Debug for MessageBoardUI {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageBoardUI").finish_non_exhaustive()
    }
}

impl MessageBoardUI {
    /// The menus of `session`.
    pub fn new(session: SessionHandle) -> Self {
        MessageBoardUI {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            session,
        }
    }
}

impl Component for MessageBoardUI {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let MessageBoardUI {
            inbox,
            control,
            outbox,
            signal,
            session,
        } = self;
        let mut term = Terminal::new(inbox, control, outbox, signal, session.clone());
        let outcome = match session.user() {
            Some(user) if session.ending().is_none() => main_menu(&mut term, &user).await,
            _ => Ok(()),
        };
        if let (Err(_), Some(user)) = (&outcome, session.user()) {
            // The session is ending early, and a server stop arriving now would keep the
            // state saver from running: post what is finished here.
            let drafts = std::mem::take(&mut session.lock().drafts);
            if !drafts.is_empty() {
                for result in session.store().post_all(&user, drafts).await {
                    if let Err(e) = result {
                        eprintln!("bulletin board: {user}: {e}");
                    }
                }
            }
        }
        term.finish(outcome).await
    }
}

async fn main_menu(term: &mut Terminal, user: &str) -> Result<(), Stop> {
    term.say("").await?;
    term.say(format!("Hello, {user}. Type h for help.")).await?;
    loop {
        let command = term.ask("main> ").await?;
        match command.trim().to_lowercase().as_str() {
            "" => messages_menu(term).await?,
            "p" => write(term, None).await?,
            "h" | "?" => {
                term.say_all(&[
                    "<return>  read the messages, oldest first",
                    "p         write a new message",
                    "h         this help",
                    "q         log out",
                ])
                .await?
            }
            "q" => return Ok(()),
            _ => term.say(UNKNOWN).await?,
        }
    }
}

/// Reads the board one message at a time.
async fn messages_menu(term: &mut Terminal) -> Result<(), Stop> {
    let board = term.session().lock().board.clone();
    if board.is_empty() {
        return term.say("There are no messages to read.").await;
    }
    let mut shown: Option<Arc<Message>> = None;
    let mut unread = board.iter();
    loop {
        let left = unread.len();
        term.say("").await?;
        if left == 0 {
            return term
                .say("That was the last message; back to the main menu.")
                .await;
        }
        term.say(match left {
            1 => "1 message left to read.".to_string(),
            n => format!("{n} messages left to read."),
        })
        .await?;
        let command = term.ask("messages> ").await?;
        match command.trim().to_lowercase().as_str() {
            "" => {
                if let Some(message) = unread.next() {
                    show(term, message).await?;
                    shown = Some(Arc::clone(message));
                }
            }
            "r" => match &shown {
                Some(message) => write(term, Some(message)).await?,
                None => {
                    term.say("Nothing to reply to yet: <return> shows the next message.")
                        .await?
                }
            },
            "h" | "?" => {
                term.say_all(&[
                    "<return>  the next message (back to the main menu after the last)",
                    "r         reply to the message just shown",
                    "h         this help",
                    "x         back to the main menu",
                ])
                .await?
            }
            "x" => return Ok(()),
            _ => term.say(UNKNOWN).await?,
        }
    }
}

/// Shows one message: its header fields, a blank line, its text.
async fn show(term: &mut Terminal, m: &Message) -> Result<(), Stop> {
    term.say("").await?;
    term.say(format!("message: {}", m.message)).await?;
    for (key, value) in [
        ("date", &m.date),
        ("from", &m.from),
        ("to", &m.to),
        ("subject", &m.subject),
    ] {
        term.say(format!("{key}: {}", printable(value))).await?;
    }
    if !m.reply_to.is_empty() {
        let ids: Vec<String> = m.reply_to.iter().map(u64::to_string).collect();
        term.say(format!("in-reply-to: {}", ids.join(", "))).await?;
    }
    term.say("").await?;
    for line in m.body.lines() {
        term.say(printable(line)).await?;
    }
    Ok(())
}

/// Writes a message (a reply to `to` if given) and keeps it in the session.
async fn write(term: &mut Terminal, reply: Option<&Message>) -> Result<(), Stop> {
    let session = term.session().clone();
    let max = session.settings().max_drafts;
    if session.lock().drafts.len() >= max {
        return term
            .say(format!(
                "You have {max} messages waiting to be posted; log out (q) to post them first."
            ))
            .await;
    }
    let mut draft = Draft::default();
    match reply {
        Some(m) => {
            draft.to = m.from.clone();
            draft.subject = if m.subject.starts_with("Re: ") {
                m.subject.clone()
            } else {
                format!("Re: {}", m.subject)
            };
            draft.reply_to = vec![m.message];
            term.say(format!(
                "Replying to {} about \"{}\".",
                printable(&draft.to),
                printable(&draft.subject)
            ))
            .await?;
        }
        None => {
            let to = term.ask("to (<return> for all): ").await?;
            draft.to = match to.trim() {
                "" => "all".to_string(),
                to => to.to_string(),
            };
            draft.subject = term.ask("subject: ").await?.trim().to_string();
        }
    }
    draft.to = cut(&draft.to, MAX_TO);
    draft.subject = cut(&draft.subject, MAX_SUBJECT);
    term.say("Type the message; a line holding only . ends it.")
        .await?;
    let mut lines = 0;
    loop {
        let line = term.ask("").await?;
        if line == "." {
            break;
        }
        if lines == MAX_BODY_LINES || draft.body.len() + line.len() + 1 > MAX_BODY {
            term.say("That is as long as a message can be, so it ends here.")
                .await?;
            break;
        }
        draft.body.push_str(&line);
        draft.body.push('\n');
        lines += 1;
    }
    if draft.body.trim().is_empty() {
        return term.say("The message is empty, so it was dropped.").await;
    }
    session.lock().drafts.push(draft);
    term.say("Kept: it will be posted when you log out.").await
}

/// At most `max` characters of `text`.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

kamaelia::impl_stage!([] MessageBoardUI, Input => String);
