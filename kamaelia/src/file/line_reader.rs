//! LineReader: reads a whole text file a line at a time, then says it has finished (Kamaelia:
//! `Kamaelia.File.ReadFileAdaptor.ReadFileAdaptor` in line mode, without its rate control).
//!
//! Each line is sent as a `String` without its line ending (`\n` or `\r\n`). A last line with
//! no line ending is sent too. Lines are read only as fast as they are taken downstream. The
//! file must be UTF-8: a line that is not fails the component with an error naming the file, the
//! line number and the byte offset (use [`ChunkReader`](super::ChunkReader) for arbitrary
//! bytes). A line is at most [`max_line_length`](LineReader::max_line_length) bytes, so a file
//! without line breaks (a binary file, a device) cannot fill memory: a longer one fails the
//! component the same way.
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::file::LineReader;
//!
//! let path = std::env::temp_dir().join(format!("kamaelia-lines-doc-{}", std::process::id()));
//! std::fs::write(&path, "first\r\nsecond\nlast").unwrap();
//!
//! let mut system = System::deterministic();
//! let reader = LineReader::new(&path);
//! let (mut lines, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&reader.outbox, &lines).unwrap();
//! axon::link(&reader.signal, &signal).unwrap();
//! system.spawn(reader);
//! system.run().unwrap();
//! assert_eq!(lines.try_recv().as_deref(), Ok("first"));
//! assert_eq!(lines.try_recv().as_deref(), Ok("second"));
//! assert_eq!(lines.try_recv().as_deref(), Ok("last"));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! # std::fs::remove_file(&path).unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not used |
//! | `control` | [`Control`] | stop requests |
//! | `outbox` | `String` | each line, without its line ending |
//! | `signal` | [`Control`] | `ProducerFinished` after the last line; `Shutdown` if stopped or failed |
//!
//! # Parameters
//!
//! * `path` ([`LineReader::new`]): the file.
//! * [`max_line_length`](LineReader::max_line_length)`(n)`: the longest line, in bytes without
//!   its line ending; default [`DEFAULT_MAX_LINE`] (1 MiB).
//!
//! # Shutdown
//!
//! * At the end of the file it sends `ProducerFinished` on `signal` and ends; an unterminated
//!   last line is delivered first.
//! * `ProducerFinished` on `control`: it has no input to drain; the rest of the file is its
//!   partial state, so it reads on to the end, then sends `ProducerFinished`.
//! * `Shutdown` on `control` (looked at before every read and while a send waits for room): it
//!   ends at once and sends `Shutdown` on `signal`.
//! * If the file cannot be opened or read, or a line is not UTF-8 or too long, it sends
//!   `Shutdown` on `signal` and fails with a [`FileError`] naming the file (see
//!   [the family docs](super#errors)); the lines before it have been sent.

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::{AsyncBufReadExt, AsyncReadExt};

use super::{FileError, Run};
use crate::util::transforms::DEFAULT_MAX_LINE;

/// Reads a whole text file a line at a time. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct LineReader {
    /// Not used.
    pub inbox: Inbox<()>,
    /// Stop requests: `Shutdown` stops at once; `ProducerFinished` changes nothing.
    pub control: Inbox<Control>,
    /// Each line, without its line ending.
    pub outbox: Outbox<String>,
    /// `ProducerFinished` after the last line; `Shutdown` if stopped or failed.
    pub signal: Outbox<Control>,
    path: PathBuf,
    max_line: usize,
}

impl LineReader {
    /// A reader of the text file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LineReader {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            path: path.into(),
            max_line: DEFAULT_MAX_LINE,
        }
    }

    /// The longest line, in bytes without its line ending (default [`DEFAULT_MAX_LINE`]); a
    /// longer line fails the reader.
    pub fn max_line_length(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }
}

impl Component for LineReader {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut run = Run::new(&ctx, &mut self.control, &mut self.signal);
        let body = async {
            let file = run.open(&self.path).await?;
            let mut file = tokio::io::BufReader::with_capacity(64 * 1024, file);
            let (mut number, mut offset) = (0u64, 0u64);
            // Room for the longest line and a `\r\n`: reading stops there, so a longer line
            // is found without holding more than that.
            let limit = u64::try_from(self.max_line)
                .unwrap_or(u64::MAX)
                .saturating_add(2);
            loop {
                let mut line = Vec::new();
                let mut bounded = (&mut file).take(limit);
                let read = bounded.read_until(b'\n', &mut line);
                let n = run.io(&self.path, "read", read).await?;
                if n == 0 {
                    break;
                }
                number += 1;
                let start = offset;
                offset += n as u64;
                if line.last() == Some(&b'\n') {
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                }
                if line.len() > self.max_line {
                    let what = format!("read line {number} (from byte {start})");
                    let e = std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("longer than the limit of {} bytes", self.max_line),
                    );
                    return Err(run.fail(FileError::new(&self.path, what, e)).await);
                }
                let line = match String::from_utf8(line) {
                    Ok(line) => line,
                    Err(e) => {
                        let at = start + e.utf8_error().valid_up_to() as u64;
                        let what = format!("read line {number} as UTF-8 (byte {at})");
                        let e =
                            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error());
                        return Err(run.fail(FileError::new(&self.path, what, e)).await);
                    }
                };
                run.send(&mut self.outbox, line).await?;
            }
            Ok(())
        };
        let body = body.await;
        run.end(body).await
    }
}

crate::impl_stage!([] LineReader, () => String);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "LineReader",
        "Kamaelia.File.ReadFileAdaptor.ReadFileAdaptor",
        Family::File,
        "Reads a whole UTF-8 text file a line at a time (without line endings), then sends ProducerFinished.",
        axon::box_infos(&LineReader::new("file")),
    )
    .parameter("path", "impl Into<PathBuf>", "LineReader::new(path): the file, opened when the component starts")
    .parameter("max_line_length", "usize", "the longest line, in bytes without its line ending (default 1 MiB)")
});
