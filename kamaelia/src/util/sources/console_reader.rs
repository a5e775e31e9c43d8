//! ConsoleReader: reads standard input a line at a time and sends each line (Kamaelia:
//! `Kamaelia.Util.Console.ConsoleReader`).
//!
//! Each line is sent as a `String` without its line terminator (`\n` or `\r\n`) but with the
//! end-of-line text appended — `"\n"` unless set with [`ConsoleReader::eol`] (Kamaelia's `eol`),
//! so that a [`ConsoleEchoer`](super::ConsoleEchoer) downstream prints it as typed. An optional
//! prompt ([`ConsoleReader::prompt`]; Kamaelia's default was `">>> "`, here there is none unless
//! asked for) is written before each line is read.
//!
//! The input can be any [`AsyncBufRead`] ([`ConsoleReader::from_reader`]), which is how tests
//! and programs feed it without a terminal. Standard input itself ([`ConsoleReader::new`]) is
//! read on a thread of its own, a line at a time, so a stopped reader never keeps the program
//! from ending (a blocking read of a terminal cannot be cancelled).
//!
//! Unlike Kamaelia's (which never ended and ignored `control`), it ends at end of input with
//! `ProducerFinished`, and stops on any control message.
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::util::sources::ConsoleReader;
//!
//! let mut system = System::deterministic();
//! let reader = ConsoleReader::from_reader(&b"first\nsecond"[..]).eol("");
//! let (mut out, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&reader.outbox, &out).unwrap();
//! axon::link(&reader.signal, &signal).unwrap();
//! system.spawn(reader);
//! system.run().unwrap();
//! assert_eq!(out.try_recv().as_deref(), Ok("first"));
//! assert_eq!(out.try_recv().as_deref(), Ok("second")); // the last line needs no line break
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not used |
//! | `control` | [`Control`] | stop requests: any one stops it |
//! | `outbox` | `String` | each line, without its terminator, with the end-of-line text appended |
//! | `signal` | [`Control`] | `ProducerFinished` at end of input, or the stop request |
//!
//! # Parameters
//!
//! * the input: [`ConsoleReader::new`] (standard input) or [`ConsoleReader::from_reader`];
//! * [`ConsoleReader::prompt`]: written before each line is read (default none), to standard
//!   output unless [`ConsoleReader::prompt_writer`] says otherwise;
//! * [`ConsoleReader::eol`]: appended to every line (default `"\n"`);
//! * [`ConsoleReader::max_line`]: the longest line accepted, in bytes (default 1 MiB).
//!
//! # Shutdown
//!
//! * At end of input it sends the last line (if it has any text, even without a line break),
//!   then `ProducerFinished` on `signal`, and ends.
//! * Any control message (looked at first, also while it waits for input or for room
//!   downstream) stops it, and it is passed on on `signal`. It has no input to drain: a line
//!   whose line break has not been read yet is not sent, because it may not be complete. With
//!   `ProducerFinished` a line already read but waiting for room downstream is still sent; with
//!   `Shutdown` it is dropped.
//! * It fails with an error naming itself and the line on a read error, on a line that is not
//!   UTF-8 (and the byte where it stops being UTF-8), on a line longer than the limit, and on
//!   failing to write the prompt; also if the component its `outbox` leads to has ended. The
//!   same text goes on `signal` as [`Control::Failed`], so what listens there learns why.

use std::io::{BufRead, ErrorKind};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{gone, pass_on, send_watching, Sent};
use crate::support::fail;

/// The longest line a [`ConsoleReader`] accepts unless told otherwise: 1 MiB.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

type Reader = Box<dyn AsyncBufRead + Unpin + Send>;
type Writer = Box<dyn AsyncWrite + Unpin + Send>;

enum Input {
    Stdin,
    Reader(Reader),
}

/// Reads lines from standard input (or a given reader). See the [module docs](self).
#[derive(Boxes)]
pub struct ConsoleReader {
    /// Not used.
    pub inbox: Inbox<()>,
    /// Stop requests: any one stops it.
    pub control: Inbox<Control>,
    /// Each line, without its terminator, with the end-of-line text appended.
    pub outbox: Outbox<String>,
    /// `ProducerFinished` at end of input, or the stop request that ended it.
    pub signal: Outbox<Control>,
    input: Input,
    prompt: String,
    prompt_writer: Option<Writer>,
    eol: String,
    max_line: usize,
}

impl std::fmt::Debug for ConsoleReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleReader")
            .field("stdin", &matches!(self.input, Input::Stdin))
            .field("prompt", &self.prompt)
            .field("eol", &self.eol)
            .field("max_line", &self.max_line)
            .finish_non_exhaustive()
    }
}

impl Default for ConsoleReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ConsoleReader {
    /// Reads standard input.
    pub fn new() -> Self {
        Self::with_input(Input::Stdin)
    }

    /// Reads `reader` instead of standard input.
    pub fn from_reader(reader: impl AsyncBufRead + Unpin + Send + 'static) -> Self {
        Self::with_input(Input::Reader(Box::new(reader)))
    }

    fn with_input(input: Input) -> Self {
        ConsoleReader {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            input,
            prompt: String::new(),
            prompt_writer: None,
            eol: "\n".to_string(),
            max_line: DEFAULT_MAX_LINE,
        }
    }

    /// Writes `prompt` before reading each line (Kamaelia's default was `">>> "`).
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = prompt.into();
        self
    }

    /// Writes the prompt to `writer` instead of standard output.
    pub fn prompt_writer(mut self, writer: impl AsyncWrite + Unpin + Send + 'static) -> Self {
        self.prompt_writer = Some(Box::new(writer));
        self
    }

    /// Appends `eol` to every line sent (default `"\n"`; `""` for bare lines).
    pub fn eol(mut self, eol: impl Into<String>) -> Self {
        self.eol = eol.into();
        self
    }

    /// Accepts lines of up to `bytes` bytes (terminator excluded); a longer one fails the
    /// component.
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }
}

/// What reading a line gave.
enum Line {
    /// A line's bytes, terminator removed.
    Text(Vec<u8>),
    /// End of input, nothing pending.
    End,
    /// Reading failed; the message.
    Failed(String),
}

/// Moves the bytes of `chunk` up to and including the first `\n` onto `line`; returns how many
/// it took and whether a line ended.
fn take_line(chunk: &[u8], line: &mut Vec<u8>) -> (usize, bool) {
    match chunk.iter().position(|&b| b == b'\n') {
        Some(i) => {
            line.extend_from_slice(&chunk[..i]);
            (i + 1, true)
        }
        None => {
            line.extend_from_slice(chunk);
            (chunk.len(), false)
        }
    }
}

fn too_long(max: usize) -> String {
    format!("it is longer than {max} bytes (raise the limit with ConsoleReader::max_line)")
}

/// A complete line from `partial` (its `\r` before the `\n` removed).
fn finish_line(partial: &mut Vec<u8>) -> Vec<u8> {
    if partial.last() == Some(&b'\r') {
        partial.pop();
    }
    std::mem::take(partial)
}

/// Reads the next line from an async reader into `partial`. Cancel-safe: its only await is
/// `fill_buf`, and what was read before stays in `partial`.
async fn read_async(reader: &mut Reader, partial: &mut Vec<u8>, max: usize) -> Line {
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(c) => c,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Line::Failed(e.to_string()),
        };
        if chunk.is_empty() {
            return if partial.is_empty() {
                Line::End
            } else {
                Line::Text(finish_line(partial))
            };
        }
        let (n, ended) = take_line(chunk, partial);
        reader.consume(n);
        if partial.len() > max + usize::from(ended && partial.last() == Some(&b'\r')) {
            return Line::Failed(too_long(max));
        }
        if ended {
            return Line::Text(finish_line(partial));
        }
    }
}

/// Reads standard input on a thread of its own, sending each line; ends at end of input, on an
/// error, or when the receiver has gone (after the read in progress).
fn stdin_thread(max: usize) -> mpsc::Receiver<Line> {
    let (tx, rx) = mpsc::channel(1);
    let failed = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("kamaelia-console-reader".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let mut partial = Vec::new();
            loop {
                let line = loop {
                    let chunk = match input.fill_buf() {
                        Ok(c) => c,
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(e) => break Line::Failed(e.to_string()),
                    };
                    if chunk.is_empty() {
                        break if partial.is_empty() {
                            Line::End
                        } else {
                            Line::Text(finish_line(&mut partial))
                        };
                    }
                    let (n, ended) = take_line(chunk, &mut partial);
                    input.consume(n);
                    if partial.len() > max + usize::from(ended && partial.last() == Some(&b'\r')) {
                        break Line::Failed(too_long(max));
                    }
                    if ended {
                        break Line::Text(finish_line(&mut partial));
                    }
                };
                let last = !matches!(line, Line::Text(_));
                if tx.blocking_send(line).is_err() || last {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        failed
            .try_send(Line::Failed(format!(
                "cannot start a thread to read it: {e}"
            )))
            .ok();
    }
    rx
}

/// Where lines come from while running.
enum Source {
    Stdin(mpsc::Receiver<Line>),
    Reader(Reader, Vec<u8>),
}

impl Source {
    async fn next(&mut self, max: usize) -> Line {
        match self {
            Source::Stdin(rx) => rx.recv().await.unwrap_or(Line::End),
            Source::Reader(r, partial) => read_async(r, partial, max).await,
        }
    }
}

impl Component for ConsoleReader {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let name = ctx.name();
        let max = self.max_line;
        let mut source = match std::mem::replace(&mut self.input, Input::Stdin) {
            Input::Stdin => Source::Stdin(stdin_thread(max)),
            Input::Reader(r) => Source::Reader(r, Vec::new()),
        };
        let mut prompt_to: Option<Writer> = if self.prompt.is_empty() {
            None
        } else {
            Some(
                self.prompt_writer
                    .take()
                    .unwrap_or_else(|| Box::new(tokio::io::stdout())),
            )
        };
        let mut number: u64 = 0;
        let mut out = Vec::with_capacity(1);
        let mut finished = false;
        loop {
            if let Some(w) = prompt_to.as_mut() {
                let prompt = self.prompt.as_bytes();
                let written = async {
                    w.write_all(prompt).await?;
                    w.flush().await
                };
                // Control first, also while the prompt waits to be written (an output nobody
                // reads must not hold a stop up).
                let written = tokio::select! {
                    biased;
                    c = self.control.recv() => {
                        pass_on(&mut self.signal, c.unwrap_or(Control::Shutdown)).await;
                        return Ok(());
                    }
                    written = written => written,
                };
                if let Err(e) = written {
                    let reason = format!("{name}: cannot write the prompt: {e}");
                    return fail(&mut self.signal, reason).await;
                }
            }
            number += 1;
            let line = tokio::select! {
                biased;
                c = self.control.recv() => {
                    pass_on(&mut self.signal, c.unwrap_or(Control::Shutdown)).await;
                    return Ok(());
                }
                line = source.next(max) => line,
            };
            let mut text = match line {
                Line::Text(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let reason =
                            format!("{name}: line {number} is not valid UTF-8 (at byte {at})");
                        return fail(&mut self.signal, reason).await;
                    }
                },
                Line::End => break,
                Line::Failed(e) => {
                    let reason = format!("{name}: cannot read line {number}: {e}");
                    return fail(&mut self.signal, reason).await;
                }
            };
            text.push_str(&self.eol);
            out.push(text);
            match send_watching(&mut self.outbox, &mut self.control, &mut out, &mut finished).await
            {
                Ok(Sent::All) if finished => {
                    pass_on(&mut self.signal, Control::ProducerFinished).await;
                    return Ok(());
                }
                Ok(Sent::All) => {}
                Ok(Sent::Stopped(c)) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
                Err(_) => return fail(&mut self.signal, gone(&name, "outbox").to_string()).await,
            }
        }
        pass_on(&mut self.signal, Control::ProducerFinished).await;
        Ok(())
    }
}

crate::impl_stage!([] ConsoleReader, () => String);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "ConsoleReader",
        "Kamaelia.Util.Console.ConsoleReader",
        Family::Util,
        "Reads standard input (or any async reader) a line at a time and sends each line; ProducerFinished at end of input.",
        axon::box_infos(&ConsoleReader::from_reader(&b""[..])),
    )
    .parameter("input", "stdin | AsyncBufRead", "ConsoleReader::new() (standard input) or ::from_reader(r)")
    .parameter("prompt", "String", "ConsoleReader::prompt(p): written before each line is read (default none); ::prompt_writer(w) says where")
    .parameter("eol", "String", "ConsoleReader::eol(e): appended to every line (default \"\\n\")")
    .parameter("max_line", "usize", "ConsoleReader::max_line(n): the longest line accepted, in bytes (default 1 MiB)")
});
