//! PromptedFileReader: reads `n` bytes, or `n` lines, from a file each time the number `n`
//! arrives on its inbox (Kamaelia: `Kamaelia.File.Reading.PromptedFileReader`).
//!
//! Whoever sends the requests sets the pace: Kamaelia's `RateControlledFileReader` is this
//! component fed by a `ByteRate_RequestControl`, which sends chunk sizes at a steady rate. Each
//! request is answered with one message holding what was read — `n` bytes, or `n` whole lines
//! with their line endings (fewer if the file ends first; a request for 0 sends nothing). As soon
//! as the last byte of the file has been sent it sends `ProducerFinished` on `signal` and ends —
//! so a rate controller linked to its `signal` stops too.
//!
//! A message holds at most [`max_message`](PromptedFileReader::max_message) bytes, so no
//! request can make it hold a whole file in memory: a request for more is answered by several
//! messages, in order, each as full as the limit allows (in `Lines` mode, split between lines).
//! A single line longer than the limit fails the reader with an error naming the file, the line
//! and the byte it starts at.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::file::PromptedFileReader;
//!
//! let path = std::env::temp_dir().join(format!("kamaelia-prompted-doc-{}", std::process::id()));
//! std::fs::write(&path, "one\ntwo\nthree\n").unwrap();
//!
//! let mut system = System::deterministic();
//! let reader = PromptedFileReader::lines(&path);
//! let (mut requests, mut out, mut signal) = (Outbox::new(), Inbox::new(), Inbox::new());
//! axon::link(&requests, &reader.inbox).unwrap();
//! axon::link(&reader.outbox, &out).unwrap();
//! axon::link(&reader.signal, &signal).unwrap();
//! system.spawn(reader);
//! requests.try_send(2).unwrap(); // two lines, please
//! requests.try_send(5).unwrap(); // five more: only one is left
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok(b"one\ntwo\n".to_vec()));
//! assert_eq!(out.try_recv(), Ok(b"three\n".to_vec()));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! # std::fs::remove_file(&path).unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `usize` | requests: how many bytes (or lines) to read next |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `Vec<u8>` | one message per request: the bytes, or the lines with their endings |
//! | `signal` | [`Control`] | `ProducerFinished` once the whole file was sent, or the stop request |
//!
//! # Parameters
//!
//! * `path` ([`PromptedFileReader::bytes`] / [`PromptedFileReader::lines`]): the file, and
//!   whether a request counts bytes or lines ([`ReadMode`]; Kamaelia's `readmode`).
//! * [`max_message`](PromptedFileReader::max_message)`(bytes)`: the most bytes in one message,
//!   and so the longest line in `Lines` mode; default [`DEFAULT_MAX_MESSAGE`] (1 MiB).
//!
//! # Shutdown
//!
//! * When the file is exhausted (the last byte has been sent, or a request finds nothing left)
//!   it sends `ProducerFinished` on `signal` and ends; requests still queued are not answered.
//! * `ProducerFinished` on `control` (no more requests will come): it answers the requests
//!   already queued, then sends `ProducerFinished` on `signal` and ends; the rest of the file is
//!   not read — reading is what the requests ask for.
//! * `Shutdown` on `control` (looked at before every request and while a send waits for room):
//!   it ends at once, queued requests unanswered, and sends `Shutdown` on `signal`.
//! * If the file cannot be opened or read, or a line is too long, it sends `Shutdown` on
//!   `signal` and fails with a [`FileError`](super::FileError) naming the file (see
//!   [the family docs](super#errors)); what was read before has been sent.

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

use super::Run;

/// The default for [`PromptedFileReader::max_message`]: 1 MiB.
pub const DEFAULT_MAX_MESSAGE: usize = 1 << 20;

/// What a request counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadMode {
    /// `n` bytes.
    Bytes,
    /// `n` lines (each with its line ending).
    Lines,
}

/// Reads `n` bytes or lines per request. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct PromptedFileReader {
    /// Requests: how many bytes (or lines) to read next.
    pub inbox: Inbox<usize>,
    /// Stop requests: `ProducerFinished` answers the queued requests first, `Shutdown` does not.
    pub control: Inbox<Control>,
    /// One message per request (several for a request bigger than the message limit): the
    /// bytes, or the lines with their line endings.
    pub outbox: Outbox<Vec<u8>>,
    /// `ProducerFinished` once the whole file was sent, or the stop request that ended it.
    pub signal: Outbox<Control>,
    path: PathBuf,
    mode: ReadMode,
    max_message: usize,
}

impl PromptedFileReader {
    /// A reader of `path` whose requests count bytes.
    pub fn bytes(path: impl Into<PathBuf>) -> Self {
        Self::new(path, ReadMode::Bytes)
    }

    /// A reader of `path` whose requests count lines.
    pub fn lines(path: impl Into<PathBuf>) -> Self {
        Self::new(path, ReadMode::Lines)
    }

    /// A reader of `path` whose requests count `mode`.
    pub fn new(path: impl Into<PathBuf>, mode: ReadMode) -> Self {
        PromptedFileReader {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            path: path.into(),
            mode,
            max_message: DEFAULT_MAX_MESSAGE,
        }
    }

    /// The most bytes in one message (at least 1), and so the longest line in `Lines` mode;
    /// default [`DEFAULT_MAX_MESSAGE`].
    pub fn max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes.max(1);
        self
    }
}

/// The file and where reading is in it.
struct Cursor<R> {
    file: R,
    mode: ReadMode,
    max: usize,
    /// Lines read so far, and the byte offset reading has reached.
    line: u64,
    offset: u64,
    /// A line read for the request being answered that did not fit in the last message.
    carried: Option<Vec<u8>>,
    /// An error met after some lines of a message were read: reported once they are sent.
    failed: Option<std::io::Error>,
}

impl<R: AsyncBufRead + Unpin> Cursor<R> {
    /// Reads the next message of a request that still asks for `left` bytes or lines, and
    /// counts what it holds off `left`. Empty only if the request or the file is done.
    async fn next_part(&mut self, left: &mut usize) -> std::io::Result<Vec<u8>> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let mut data = Vec::new();
        match self.mode {
            ReadMode::Bytes => {
                let want = (*left).min(self.max);
                data.reserve(want.min(64 * 1024));
                while data.len() < want {
                    let available = match self.file.fill_buf().await {
                        Ok(available) => available,
                        // What was read before the error goes out first.
                        Err(e) if !data.is_empty() => {
                            self.failed = Some(e);
                            break;
                        }
                        Err(e) => return Err(e),
                    };
                    if available.is_empty() {
                        break;
                    }
                    let take = available.len().min(want - data.len());
                    data.extend_from_slice(&available[..take]);
                    self.file.consume(take);
                }
                *left -= data.len();
                self.offset += data.len() as u64;
            }
            ReadMode::Lines => {
                while *left > 0 {
                    let line = match self.carried.take() {
                        Some(line) => line,
                        None => match self.read_line().await {
                            Ok(Some(line)) => line,
                            Ok(None) => break,
                            // What was read before the error goes out first.
                            Err(e) if !data.is_empty() => {
                                self.failed = Some(e);
                                break;
                            }
                            Err(e) => return Err(e),
                        },
                    };
                    if !data.is_empty() && data.len() + line.len() > self.max {
                        self.carried = Some(line);
                        break;
                    }
                    data.extend_from_slice(&line);
                    *left -= 1;
                }
            }
        }
        Ok(data)
    }

    /// The next line with its ending; `None` at the end of the file. Reads at most one byte
    /// past the limit, which makes the line an error.
    async fn read_line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let limit = u64::try_from(self.max)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let mut bounded = (&mut self.file).take(limit);
        if bounded.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        self.line += 1;
        if line.len() > self.max {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "line {} (from byte {}) is longer than the limit of {} bytes",
                    self.line, self.offset, self.max
                ),
            ));
        }
        self.offset += line.len() as u64;
        Ok(Some(line))
    }

    /// True when everything has been read and sent.
    async fn at_end(&mut self) -> std::io::Result<bool> {
        Ok(self.carried.is_none()
            && self.failed.is_none()
            && self.file.fill_buf().await?.is_empty())
    }
}

impl Component for PromptedFileReader {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let (mode, max) = (self.mode, self.max_message);
        let mut run = Run::new(&ctx, &mut self.control, &mut self.signal);
        let body = async {
            let file = run.open(&self.path).await?;
            let mut cursor = Cursor {
                file: tokio::io::BufReader::with_capacity(64 * 1024, file),
                mode,
                max,
                line: 0,
                offset: 0,
                carried: None,
                failed: None,
            };
            // After `ProducerFinished` no more requests will come: answer those queued, then stop.
            while let Some(n) = run.next(&mut self.inbox).await? {
                let mut left = n;
                loop {
                    // Read the next part of the answer, then look whether anything is left.
                    let read = async {
                        let data = cursor.next_part(&mut left).await?;
                        Ok((data, cursor.at_end().await?))
                    };
                    let (data, at_end) = run.io(&self.path, "read", read).await?;
                    let sent_something = !data.is_empty();
                    if sent_something {
                        run.send(&mut self.outbox, data).await?;
                    }
                    if at_end {
                        return Ok(());
                    }
                    if left == 0 || !sent_something {
                        break;
                    }
                }
            }
            Ok(())
        };
        let body = body.await;
        run.end(body).await
    }
}

crate::impl_stage!([] PromptedFileReader, usize => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "PromptedFileReader",
        "Kamaelia.File.Reading.PromptedFileReader",
        Family::File,
        "Reads n bytes or n lines from a file each time a request n arrives on its inbox; ProducerFinished once the file is exhausted.",
        axon::box_infos(&PromptedFileReader::bytes("file")),
    )
    .parameter("path", "impl Into<PathBuf>", "PromptedFileReader::bytes(path) or ::lines(path): the file, opened when the component starts")
    .parameter("mode", "ReadMode", "Bytes or Lines: what a request counts (Kamaelia's readmode)")
    .parameter("max_message", "usize", "the most bytes in one message, and the longest line (default 1 MiB)")
});
