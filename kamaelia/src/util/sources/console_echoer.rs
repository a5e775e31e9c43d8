//! ConsoleEchoer: writes everything it receives to standard output (Kamaelia:
//! `Kamaelia.Util.Console.ConsoleEchoer`).
//!
//! Each message is written as its `Display` text ([`ConsoleEchoer::new`]), its `Debug` text
//! ([`ConsoleEchoer::debug`], Kamaelia's `use_repr`), or a text of your choosing
//! ([`ConsoleEchoer::with_format`]), after an optional tag, and — like Kamaelia — with no line
//! break unless asked for ([`ConsoleEchoer::newline`]). With [`ConsoleEchoer::forwarding`] every
//! message is also sent on, unchanged, after it has been written. The output goes to standard
//! output unless another writer is given ([`ConsoleEchoer::writer`]); it is flushed after every
//! batch of messages, so what was echoed is visible at once.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::ConsoleEchoer;
//!
//! let mut system = System::deterministic();
//! let echo = ConsoleEchoer::new().tag("got: ").newline().forwarding();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let mut forwarded = Inbox::new();
//! axon::link(&input, &echo.inbox).unwrap();
//! axon::link(&stop, &echo.control).unwrap();
//! axon::link(&echo.outbox, &forwarded).unwrap();
//! system.spawn(echo);
//! input.try_send(42).unwrap(); // prints "got: 42"
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(forwarded.try_recv(), Ok(42));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | what to write |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `T` | with [`forwarding`](ConsoleEchoer::forwarding): what was written, unchanged |
//! | `signal` | [`Control`] | the stop request, passed on |
//!
//! # Parameters
//!
//! * the format: [`ConsoleEchoer::new`] (`Display`), [`ConsoleEchoer::debug`] (`Debug`) or
//!   [`ConsoleEchoer::with_format`] (a function);
//! * [`ConsoleEchoer::tag`]: text written before every message (default none);
//! * [`ConsoleEchoer::newline`]: a line break after every message (default none);
//! * [`ConsoleEchoer::forwarding`]: also send every message on `outbox` (default off);
//! * [`ConsoleEchoer::writer`]: where to write (default standard output).
//!
//! # Shutdown
//!
//! * `ProducerFinished`: everything already waiting in the inbox is written (and forwarded),
//!   the output is flushed, `ProducerFinished` goes on `signal` and it ends.
//! * `Shutdown` (looked at first, also while a forward waits for room): it ends at once; what
//!   waits in the inbox is not written. `Shutdown` goes on `signal`.
//! * `Shutdown` is also seen while a write waits (an output nobody reads does not hold it up);
//!   a `ProducerFinished` that arrives then lets the write finish.
//! * If writing fails (standard output closed, say) it fails with an error naming itself and
//!   the cause. If the component its `outbox` leads to has ended while forwarding, it fails with
//!   an error naming itself. The same text goes on `signal` as [`Control::Failed`], so what
//!   listens there learns why.

use std::fmt::{Debug, Display};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{gone, pass_on, send_watching, Sent, BATCH};
use crate::support::{fail, next_or_drain, watching, Stopped};

type Format<T> = Box<dyn Fn(&T) -> String + Send>;
type Writer = Box<dyn AsyncWrite + Unpin + Send>;

/// Writes what it receives to standard output. See the [module docs](self).
#[derive(Boxes)]
pub struct ConsoleEchoer<T: Send + 'static> {
    /// What to write.
    pub inbox: Inbox<T>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// With forwarding on: what was written, unchanged.
    pub outbox: Outbox<T>,
    /// The stop request, passed on.
    pub signal: Outbox<Control>,
    format: Format<T>,
    tag: String,
    newline: bool,
    forwarding: bool,
    writer: Option<Writer>,
}

impl<T: Send + 'static> std::fmt::Debug for ConsoleEchoer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleEchoer")
            .field("tag", &self.tag)
            .field("newline", &self.newline)
            .field("forwarding", &self.forwarding)
            .field("stdout", &self.writer.is_none())
            .finish_non_exhaustive()
    }
}

impl<T: Display + Send + 'static> Default for ConsoleEchoer<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Display + Send + 'static> ConsoleEchoer<T> {
    /// Writes each message's `Display` text (Kamaelia's `str`).
    pub fn new() -> Self {
        Self::with_format(|m: &T| m.to_string())
    }
}

impl<T: Debug + Send + 'static> ConsoleEchoer<T> {
    /// Writes each message's `Debug` text (Kamaelia's `use_repr=True`).
    pub fn debug() -> Self {
        Self::with_format(|m: &T| format!("{m:?}"))
    }
}

impl<T: Send + 'static> ConsoleEchoer<T> {
    /// Writes `format(message)` for each message.
    pub fn with_format(format: impl Fn(&T) -> String + Send + 'static) -> Self {
        ConsoleEchoer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            format: Box::new(format),
            tag: String::new(),
            newline: false,
            forwarding: false,
            writer: None,
        }
    }

    /// Writes `tag` before every message.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = tag.into();
        self
    }

    /// Writes a line break (`\n`) after every message.
    pub fn newline(mut self) -> Self {
        self.newline = true;
        self
    }

    /// Also sends every message on `outbox`, unchanged, once it has been written (Kamaelia's
    /// `forwarder=True`).
    pub fn forwarding(mut self) -> Self {
        self.forwarding = true;
        self
    }

    /// Writes to `writer` instead of standard output (for tests, or a log file).
    pub fn writer(mut self, writer: impl AsyncWrite + Unpin + Send + 'static) -> Self {
        self.writer = Some(Box::new(writer));
        self
    }

    /// Renders every message in `buf` into `text`, emptying `buf` unless forwarding.
    fn render(&self, text: &mut String, buf: &mut Vec<T>) {
        text.clear();
        for m in buf.iter() {
            text.push_str(&self.tag);
            text.push_str(&(self.format)(m));
            if self.newline {
                text.push('\n');
            }
        }
        if !self.forwarding {
            buf.clear();
        }
    }
}

/// Writes `text` and flushes.
async fn write_out(writer: &mut Writer, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes()).await?;
    writer.flush().await
}

impl<T: Send + 'static> Component for ConsoleEchoer<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let mut writer: Writer = match self.writer.take() {
            Some(w) => w,
            None => Box::new(tokio::io::stdout()),
        };
        let mut buf = Vec::with_capacity(BATCH);
        let mut text = String::new();
        let mut finished = false;
        let end = loop {
            let next = next_or_drain(
                &mut self.control,
                &mut self.inbox,
                &mut buf,
                BATCH,
                &mut finished,
            );
            if let Some(end) = next.await.end() {
                break end;
            }
            self.render(&mut text, &mut buf);
            // Control first, also while the output waits to be written (an output nobody
            // reads must not hold a stop up).
            let write = write_out(&mut writer, &text);
            let written = match watching(&mut self.control, &mut finished, write).await {
                Ok(written) => written,
                Err(Stopped(c)) => break c,
            };
            if let Err(e) = written {
                let reason = format!("{name}: cannot write the output: {e}");
                return fail(&mut self.signal, reason).await;
            }
            if buf.is_empty() {
                continue;
            }
            match send_watching(&mut self.outbox, &mut self.control, &mut buf, &mut finished).await
            {
                Ok(Sent::All) => {}
                Ok(Sent::Stopped(c)) => break c,
                Err(_) => return fail(&mut self.signal, gone(&name, "outbox").to_string()).await,
            }
        };
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([T: Send + 'static] ConsoleEchoer<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "ConsoleEchoer",
        "Kamaelia.Util.Console.ConsoleEchoer",
        Family::Util,
        "Writes every message it receives to standard output (Display, Debug or a given format, after an optional tag); can also forward each message on.",
        axon::box_infos(&ConsoleEchoer::<Msg>::debug()),
    )
    .parameter("format", "Display | Debug | Fn(&T) -> String", "ConsoleEchoer::new() (Display), ::debug() (Kamaelia's use_repr), ::with_format(f)")
    .parameter("tag", "String", "ConsoleEchoer::tag(t): text written before every message")
    .parameter("newline", "bool", "ConsoleEchoer::newline(): a line break after every message")
    .parameter("forwarding", "bool", "ConsoleEchoer::forwarding(): also send every message on outbox (Kamaelia's forwarder)")
    .parameter("writer", "AsyncWrite", "ConsoleEchoer::writer(w): where to write (default standard output)")
});
