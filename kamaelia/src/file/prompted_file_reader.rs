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
//! * If the file cannot be opened or read it sends `Shutdown` on `signal` and fails with a
//!   [`FileError`](super::FileError) naming the file (see [the family docs](super#errors)).

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use super::Run;

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
    /// One message per request: the bytes, or the lines with their line endings.
    pub outbox: Outbox<Vec<u8>>,
    /// `ProducerFinished` once the whole file was sent, or the stop request that ended it.
    pub signal: Outbox<Control>,
    path: PathBuf,
    mode: ReadMode,
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
        }
    }
}

/// Reads what one request asks for.
async fn read_request<R: AsyncBufRead + Unpin>(
    file: &mut R,
    mode: ReadMode,
    n: usize,
) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    match mode {
        ReadMode::Bytes => {
            data.reserve(n.min(64 * 1024));
            while data.len() < n {
                let available = file.fill_buf().await?;
                if available.is_empty() {
                    break;
                }
                let take = available.len().min(n - data.len());
                data.extend_from_slice(&available[..take]);
                file.consume(take);
            }
        }
        ReadMode::Lines => {
            for _ in 0..n {
                if file.read_until(b'\n', &mut data).await? == 0 {
                    break;
                }
            }
        }
    }
    Ok(data)
}

impl Component for PromptedFileReader {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mode = self.mode;
        let mut run = Run::new(&ctx, &mut self.control, &mut self.signal);
        let body = async {
            let file = run.open(&self.path).await?;
            let mut file = tokio::io::BufReader::with_capacity(64 * 1024, file);
            // After `ProducerFinished` no more requests will come: answer those queued, then stop.
            while let Some(n) = run.next(&mut self.inbox).await? {
                // Read what was asked, then look whether anything is left.
                let read = async {
                    let data = read_request(&mut file, mode, n).await?;
                    let at_end = file.fill_buf().await?.is_empty();
                    Ok((data, at_end))
                };
                let (data, at_end) = run.io(&self.path, "read", read).await?;
                if !data.is_empty() {
                    run.send(&mut self.outbox, data).await?;
                }
                if at_end {
                    break;
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
});
