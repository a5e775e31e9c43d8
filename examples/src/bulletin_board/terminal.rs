//! Terminal: the line-by-line conversation helpers every stage uses (the tutorial's
//! `RequestResponseComponent`: `waitMsg`, `getMsg`, `netPrint` and `checkControl`, BB3–BB7).
//!
//! In the tutorial a stage waited for a line with `yield WaitComplete(self.waitMsg())`, then
//! took it with `getMsg()`, which raised `GotShutdownMessage` if `control` had something, and
//! every caller had to catch that. Here a stage calls plain async functions, and a stop is an
//! ordinary error value that `?` carries up to the stage's `run`:
//!
//! ```text
//! let name = term.ask("login: ").await?;       // Err(Stop) if the client left, was idle,
//! term.say(format!("Hello, {name}")).await?;   // or the server is stopping
//! ```
//!
//! * [`ask`](Terminal::ask) sends a prompt and waits for the next line (a line a previous
//!   stage left unread comes first, see [`session`](super::session)). A line that was too
//!   long is answered with a notice and the prompt is sent again.
//! * [`say`](Terminal::say) sends one line of text followed by `\r\n`.
//! * Waiting for a line, or for room to send one, lasts at most
//!   [`Settings::idle_timeout`](super::session::Settings::idle_timeout); then it fails with
//!   [`Stop::Idle`].
//! * [`finish`](Terminal::finish) ends a stage: it records how the session ended, tells an
//!   idle client why it is being cut off, and passes a stop request on `signal`.
//!
//! Lines the client sent may hold anything; [`printable`] makes text safe to echo (no
//! control characters reach the client's terminal from stored or typed text).

use std::time::Duration;

use axon::{next_event, Control, Error, Event, Inbox, Outbox};

use super::line_input::Input;
use super::session::{Ending, SessionHandle};

/// Why a conversation cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The client closed its side and every line it sent has been read, or the connection is
    /// gone.
    Disconnected,
    /// Nothing from the client (or no room to send to it) for the idle timeout.
    Idle,
    /// `Shutdown` or `Failed` arrived on `control`: the server is stopping.
    Stopped(Control),
}

/// One stage's side of the conversation: its four boxes and the session. See the
/// [module docs](self).
pub struct Terminal {
    inbox: Inbox<Input>,
    control: Inbox<Control>,
    outbox: Outbox<String>,
    signal: Outbox<Control>,
    session: SessionHandle,
    input_finished: bool,
    idle: Duration,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal")
            .field("input_finished", &self.input_finished)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

impl Terminal {
    /// A terminal over a stage's boxes.
    pub fn new(
        inbox: Inbox<Input>,
        control: Inbox<Control>,
        outbox: Outbox<String>,
        signal: Outbox<Control>,
        session: SessionHandle,
    ) -> Self {
        let idle = session.settings().idle_timeout;
        Terminal {
            inbox,
            control,
            outbox,
            signal,
            session,
            input_finished: false,
            idle,
        }
    }

    /// The session this conversation belongs to.
    pub fn session(&self) -> &SessionHandle {
        &self.session
    }

    /// Sends `text` as is (a prompt has no line ending).
    ///
    /// # Errors
    /// [`Stop::Disconnected`] if the connection is gone, [`Stop::Idle`] if the client has not
    /// made room for it within the idle timeout.
    pub async fn send(&mut self, text: String) -> Result<(), Stop> {
        match tokio::time::timeout(self.idle, self.outbox.send(text)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Stop::Disconnected),
            Err(_) => Err(Stop::Idle),
        }
    }

    /// Sends one line: `text` and `\r\n` (the tutorial's `netPrint`).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn say(&mut self, text: impl Into<String>) -> Result<(), Stop> {
        let mut line = text.into();
        line.push_str("\r\n");
        self.send(line).await
    }

    /// Sends each line of `lines`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn say_all(&mut self, lines: &[&str]) -> Result<(), Stop> {
        for line in lines {
            self.say(*line).await?;
        }
        Ok(())
    }

    /// Sends `prompt` (if not empty) and returns the next line the client sends.
    ///
    /// # Errors
    /// [`Stop`] if the client leaves or is idle, or the server is stopping.
    pub async fn ask(&mut self, prompt: &str) -> Result<String, Stop> {
        loop {
            if !prompt.is_empty() {
                self.send(prompt.to_string()).await?;
            }
            match self.next_input().await? {
                Input::Line(line) => return Ok(line),
                Input::TooLong(e) => {
                    self.say("").await?;
                    self.say(format!(
                        "That line was longer than {} bytes, so it was ignored.",
                        e.limit
                    ))
                    .await?;
                }
            }
        }
    }

    /// The next input to arrive (a line an earlier stage left unread comes first: the
    /// [`Seq`](kamaelia::chassis::Seq) hands it over again).
    async fn next_input(&mut self) -> Result<Input, Stop> {
        if self.input_finished {
            return self.inbox.try_recv().map_err(|_| Stop::Disconnected);
        }
        let event =
            tokio::time::timeout(self.idle, next_event(&mut self.control, &mut self.inbox)).await;
        match event {
            Err(_) => Err(Stop::Idle),
            Ok(Event::Message(input)) => Ok(input),
            Ok(Event::Control(Control::ProducerFinished)) => {
                // Control is looked at first: a line may still be waiting.
                self.input_finished = true;
                self.inbox.try_recv().map_err(|_| Stop::Disconnected)
            }
            Ok(Event::Control(c)) => Err(Stop::Stopped(c)),
        }
    }

    /// Ends the stage after `outcome`: records how the session ended (if it ended early),
    /// tells an idle client why the connection is closing, and passes a stop request on
    /// `signal`. (A line the stage was handed but did not read needs no care here: the
    /// [`Seq`](kamaelia::chassis::Seq) takes it back for the next stage.)
    ///
    /// # Errors
    /// Never: a conversation that cannot go on is a normal end for a stage.
    pub async fn finish(mut self, outcome: Result<(), Stop>) -> Result<(), Error> {
        match outcome {
            Ok(()) => {}
            Err(Stop::Disconnected) => self.session.end(Ending::Disconnected),
            Err(Stop::Idle) => {
                self.session.end(Ending::IdleTimeout);
                let notice = format!(
                    "No input for {:?}, so the connection is closing.",
                    self.idle
                );
                // Best effort: the client may be the one not reading.
                self.say("").await.ok();
                self.say(notice).await.ok();
            }
            Err(Stop::Stopped(c)) => {
                self.session.end(Ending::Stopped);
                self.signal.send(c).await.ok();
                return Ok(());
            }
        }
        Ok(())
    }
}

/// `text` with every control character replaced by `?`: safe to send to a terminal.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
