//! Files (Kamaelia's `Kamaelia.File`): readers that turn a file into messages, writers that turn
//! messages into a file.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`ChunkReader`] | `File.Reading.SimpleReader` | the whole file in fixed-size chunks, then `ProducerFinished` |
//! | [`LineReader`] | `File.ReadFileAdaptor.ReadFileAdaptor` (line mode) | the whole file a line at a time |
//! | [`MaxSpeedFileReader`] | `File.MaxSpeedFileReader.MaxSpeedFileReader` | big chunks, reading the next while the last is delivered |
//! | [`PromptedFileReader`] | `File.Reading.PromptedFileReader` | `n` bytes or `n` lines for each request `n` on its inbox |
//! | [`TriggeredFileReader`] | `File.TriggeredFileReader.TriggeredFileReader` | a file name in, the file's contents out |
//! | [`SimpleFileWriter`] | `File.Writing.SimpleFileWriter` | writes every message to a new file |
//! | [`Append`] | `File.Append.Append` | appends every message to a file, optionally passing it on |
//! | [`WholeFileWriter`] | `File.WholeFileWriter.WholeFileWriter` | a `(file name, contents)` job in, the file written whole |
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::file::{ChunkReader, SimpleFileWriter};
//!
//! let dir = std::env::temp_dir().join(format!("kamaelia-file-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("in.txt"), b"copied by components").unwrap();
//!
//! let mut system = System::deterministic();
//! let copy = Pipeline::new(ChunkReader::new(dir.join("in.txt")).chunk_size(8))
//!     .then(SimpleFileWriter::<Vec<u8>>::new(dir.join("out.txt")));
//! let mut signal = Inbox::new();
//! axon::link(&copy.signal, &signal).unwrap();
//! system.spawn(copy);
//! system.run().unwrap();
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! assert_eq!(std::fs::read(dir.join("out.txt")).unwrap(), b"copied by components");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! # Errors
//!
//! [`Control`] has no message for "something went wrong", so a file component that cannot open,
//! read or write its file sends [`Control::Shutdown`] on `signal` (the stream it was part of is
//! incomplete: whoever listens should stop, not treat it as a normal end) and then **ends with an
//! error**: its parent sees [`Exit::Failed`](axon::Exit::Failed) carrying a [`FileError`], which
//! names the file and the operation (`/data/in.txt: cannot open for reading: No such file or
//! directory (os error 2)`). A [`Pipeline`](crate::chassis::Pipeline) holding it then stops the
//! other stages and fails naming the child; a top-level component's failure is listed in
//! [`System::failures`](axon::System::failures).
//!
//! # I/O
//!
//! All file access is asynchronous ([`tokio::fs`], which does the blocking calls on tokio's
//! blocking threads), so a slow disk never holds up other components on the same scheduler.
//! On a deterministic system virtual time does not jump ahead while a file operation is in
//! progress, and [`System::run`](axon::System::run) waits for it.

pub mod append;
pub mod chunk_reader;
pub mod line_reader;
pub mod max_speed_file_reader;
pub mod prompted_file_reader;
pub mod simple_file_writer;
pub mod triggered_file_reader;
pub mod whole_file_writer;

pub use append::Append;
pub use chunk_reader::ChunkReader;
pub use line_reader::LineReader;
pub use max_speed_file_reader::MaxSpeedFileReader;
pub use prompted_file_reader::{PromptedFileReader, ReadMode, DEFAULT_MAX_MESSAGE};
pub use simple_file_writer::SimpleFileWriter;
pub use triggered_file_reader::TriggeredFileReader;
pub use whole_file_writer::WholeFileWriter;

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};

use axon::{next_event, Context, Control, Error, Event, Inbox, Outbox};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Why a file component failed: which file, what it was doing, and the operating system's
/// reason.
///
/// ```
/// use kamaelia::file::FileError;
/// let e = FileError::new(
///     "/no/such/file",
///     "open for reading",
///     std::io::Error::from(std::io::ErrorKind::NotFound),
/// );
/// assert_eq!(e.path(), std::path::Path::new("/no/such/file"));
/// assert!(e.to_string().starts_with("/no/such/file: cannot open for reading: "));
/// ```
#[derive(Debug)]
pub struct FileError {
    path: PathBuf,
    operation: String,
    source: std::io::Error,
}

impl FileError {
    /// An error doing `operation` (e.g. `"open for reading"`) on `path`.
    pub fn new(
        path: impl Into<PathBuf>,
        operation: impl Into<String>,
        source: std::io::Error,
    ) -> Self {
        FileError {
            path: path.into(),
            operation: operation.into(),
            source,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What was being done: `"open for reading"`, `"read"`, `"create"`, `"write"`, ...
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The kind of the underlying I/O error.
    pub fn kind(&self) -> std::io::ErrorKind {
        self.source.kind()
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot {}: {}",
            self.path.display(),
            self.operation,
            self.source
        )
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

pub(crate) use crate::support::pass_on;
use crate::support::{next_or_drain, watching, Stopped};

/// The failure path of every file component: `Shutdown` on `signal`, then the error.
pub(crate) async fn fail(signal: &mut Outbox<Control>, e: FileError) -> Result<(), Error> {
    pass_on(signal, Control::Shutdown).await;
    Err(e.into())
}

pub(crate) use crate::support::gone;

/// How a file component's run ended early: a stop request came and was passed on to `signal`
/// (`Ok`), or the component failed.
pub(crate) struct Ended(Result<(), Error>);

/// One step of a file component's run: its result, or the early end of the run.
pub(crate) type Step<T> = Result<T, Ended>;

/// A file component's run: every step watches `control` and ends the run the way every file
/// component ends (see [the family docs](self#errors)).
pub(crate) struct Run<'a> {
    ctx: &'a Context,
    control: &'a mut Inbox<Control>,
    signal: &'a mut Outbox<Control>,
    /// `ProducerFinished` arrived on `control`.
    finished: bool,
}

impl<'a> Run<'a> {
    /// The run of the component `ctx` names, with its `control` and `signal` boxes.
    pub(crate) fn new(
        ctx: &'a Context,
        control: &'a mut Inbox<Control>,
        signal: &'a mut Outbox<Control>,
    ) -> Self {
        Run {
            ctx,
            control,
            signal,
            finished: false,
        }
    }

    /// Runs `fut` to completion while watching `control` (see [`watching`]); a stop request
    /// that arrives first is passed on to `signal` and ends the run.
    pub(crate) async fn watch<F: Future>(&mut self, fut: F) -> Step<F::Output> {
        match watching(self.control, &mut self.finished, fut).await {
            Ok(out) => Ok(out),
            Err(Stopped(c)) => {
                pass_on(self.signal, c).await;
                Err(Ended(Ok(())))
            }
        }
    }

    /// [`watch`](Self::watch)es the I/O operation `fut`; if it fails, so does the run, with a
    /// [`FileError`] doing `operation` on `path`.
    pub(crate) async fn io<T>(
        &mut self,
        path: &Path,
        operation: &str,
        fut: impl Future<Output = std::io::Result<T>>,
    ) -> Step<T> {
        match self.watch(fut).await? {
            Ok(out) => Ok(out),
            Err(e) => Err(self.fail(FileError::new(path, operation, e)).await),
        }
    }

    /// Opens the file at `path` for reading, [`watch`](Self::watch)ing `control` meanwhile.
    pub(crate) async fn open(&mut self, path: &Path) -> Step<tokio::fs::File> {
        let open = tokio::fs::File::open(path);
        self.io(path, "open for reading", open).await
    }

    /// Sends `msg` on `outbox`, [`watch`](Self::watch)ing `control` while it waits for room; if
    /// `outbox` leads to a component that has ended, the run fails.
    pub(crate) async fn send<T: Send + 'static>(
        &mut self,
        outbox: &mut Outbox<T>,
        msg: T,
    ) -> Step<()> {
        match self.watch(outbox.send(msg)).await? {
            Ok(()) => Ok(()),
            Err(_) => Err(self.gone()),
        }
    }

    /// The failure of a run whose `outbox` leads to a component that has ended.
    pub(crate) fn gone(&self) -> Ended {
        Ended(Err(gone(&self.ctx.name(), "outbox")))
    }

    /// The next message on `inbox` (`control` looked at first), for a component that handles
    /// its messages one at a time: after `ProducerFinished` the ones still queued, then `None`.
    /// Any other stop request is passed on to `signal` and ends the run.
    pub(crate) async fn next<T: Send + 'static>(
        &mut self,
        inbox: &mut Inbox<T>,
    ) -> Step<Option<T>> {
        loop {
            if self.finished {
                return Ok(inbox.try_recv().ok());
            }
            match next_event(self.control, inbox).await {
                Event::Message(m) => return Ok(Some(m)),
                Event::Control(Control::ProducerFinished) => self.finished = true,
                Event::Control(c) => {
                    pass_on(self.signal, c).await;
                    return Err(Ended(Ok(())));
                }
            }
        }
    }

    /// Fails the run with `e` (`Shutdown` on `signal` first).
    pub(crate) async fn fail(&mut self, e: FileError) -> Ended {
        Ended(fail(self.signal, e).await)
    }

    /// How the run ends: `ProducerFinished` on `signal` once `body` has completed, or the early
    /// end it came to.
    pub(crate) async fn end(self, body: Step<()>) -> Result<(), Error> {
        match body {
            Ok(()) => {
                pass_on(self.signal, Control::ProducerFinished).await;
                Ok(())
            }
            Err(Ended(end)) => end,
        }
    }
}

/// Reads until `buf` is full or the end of the input; returns how many bytes were read.
pub(crate) async fn read_full<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]).await {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// How many messages the writers take from their inbox at once.
const BATCH: usize = axon::DEFAULT_CAPACITY;

/// The boxes of a writer, borrowed.
pub(crate) struct WriterBoxes<'a, T: Send + 'static> {
    pub(crate) inbox: &'a mut Inbox<T>,
    pub(crate) control: &'a mut Inbox<Control>,
    pub(crate) outbox: &'a mut Outbox<T>,
    pub(crate) signal: &'a mut Outbox<Control>,
}

/// The shared body of [`SimpleFileWriter`] and [`Append`]: opens the file at `path` with `open`
/// (doing `operation`, e.g. `"create"`), then writes every message to it (buffered, flushed
/// after every batch so the file is up to date whenever the inbox runs empty), optionally
/// passing each one on after it was written.
pub(crate) async fn write_messages<T: AsRef<[u8]> + Send + 'static>(
    ctx: &Context,
    path: &Path,
    operation: &str,
    open: impl Future<Output = std::io::Result<tokio::fs::File>>,
    boxes: WriterBoxes<'_, T>,
    forward: bool,
) -> Result<(), Error> {
    let WriterBoxes {
        inbox,
        control,
        outbox,
        signal,
    } = boxes;
    let mut run = Run::new(ctx, control, signal);
    let file = match run.io(path, operation, open).await {
        Ok(file) => file,
        Err(Ended(end)) => return end,
    };
    // A `ProducerFinished` may have arrived while the file was being opened.
    let Run {
        control,
        signal,
        mut finished,
        ..
    } = run;
    let mut file = tokio::io::BufWriter::with_capacity(64 * 1024, file);
    let mut buf = Vec::with_capacity(BATCH);
    let mut written = Vec::with_capacity(BATCH);
    let end = loop {
        if let Some(end) = next_or_drain(control, inbox, &mut buf, BATCH, &mut finished)
            .await
            .end()
        {
            break end;
        }
        for msg in buf.drain(..) {
            if let Err(e) = file.write_all(msg.as_ref()).await {
                return fail(signal, FileError::new(path, "write", e)).await;
            }
            if forward {
                written.push(msg);
            }
        }
        if let Err(e) = file.flush().await {
            return fail(signal, FileError::new(path, "write", e)).await;
        }
        if forward {
            let send = outbox.send_all(&mut written);
            match watching(control, &mut finished, send).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    // The same convention as every other failure: `Shutdown` on
                    // `signal`, then the error.
                    pass_on(signal, Control::Shutdown).await;
                    return Err(gone(&ctx.name(), "outbox"));
                }
                Err(Stopped(c)) => break c,
            }
        }
    };
    // Whatever was accepted is in the file before the end is announced.
    if let Err(e) = file.flush().await {
        return fail(signal, FileError::new(path, "write", e)).await;
    }
    drop(file);
    pass_on(signal, end).await;
    Ok(())
}
