//! SimpleFileWriter: writes every message it gets to a file (Kamaelia:
//! `Kamaelia.File.Writing.SimpleFileWriter`).
//!
//! The file is created when the component starts — emptied if it exists. Messages are anything
//! that is bytes (`Vec<u8>`, `String`, `&'static str`, `bytes`-like types: `AsRef<[u8]>`) and
//! are written one after another with nothing added between them. Writes are buffered and the
//! buffer is flushed whenever the inbox runs empty, so the file is up to date while the writer
//! waits for more. To add to an existing file, use [`Append`](super::Append).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::file::SimpleFileWriter;
//!
//! let path = std::env::temp_dir().join(format!("kamaelia-writer-doc-{}", std::process::id()));
//!
//! let mut system = System::deterministic();
//! let writer = SimpleFileWriter::<String>::new(&path);
//! let (mut input, mut stop, mut signal) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &writer.inbox).unwrap();
//! axon::link(&stop, &writer.control).unwrap();
//! axon::link(&writer.signal, &signal).unwrap();
//! system.spawn(writer);
//! input.try_send("hello ".to_string()).unwrap();
//! input.try_send("world\n".to_string()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello world\n");
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! # std::fs::remove_file(&path).unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T: AsRef<[u8]>` | data to write |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | not used: nothing is sent |
//! | `signal` | [`Control`] | the stop request, once the file is flushed and closed; `Shutdown` if it failed |
//!
//! # Parameters
//!
//! * `path` ([`SimpleFileWriter::new`]): the file, created (or emptied) when the component
//!   starts.
//!
//! # Shutdown
//!
//! * `ProducerFinished` on `control`: it writes everything already queued, flushes and closes
//!   the file, then sends `ProducerFinished` on `signal` and ends — when that arrives, every byte
//!   is in the file.
//! * `Shutdown` on `control`: messages still queued are discarded; what was already taken from
//!   the inbox is flushed to the file, which is closed; then it sends `Shutdown` on `signal`.
//! * If the file cannot be created or written it sends `Shutdown` on `signal` and fails with a
//!   [`FileError`](super::FileError) naming the file (see [the family docs](super#errors)).

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{write_messages, WriterBoxes};

/// Writes every message to a new file. See the [module docs](self).
#[derive(Boxes)]
pub struct SimpleFileWriter<T: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// Data to write.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (write what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Not used: nothing is sent.
    pub outbox: Outbox<T>,
    /// The stop request, sent once the file is flushed and closed; `Shutdown` if it failed.
    pub signal: Outbox<Control>,
    path: PathBuf,
}

impl<T: AsRef<[u8]> + Send + 'static> std::fmt::Debug for SimpleFileWriter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimpleFileWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl<T: AsRef<[u8]> + Send + 'static> SimpleFileWriter<T> {
    /// A writer of the file at `path` (created, or emptied, when the component starts).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SimpleFileWriter {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            path: path.into(),
        }
    }
}

impl<T: AsRef<[u8]> + Send + 'static> Component for SimpleFileWriter<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let create = tokio::fs::File::create(&self.path);
        let boxes = WriterBoxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        write_messages(&ctx, &self.path, "create", create, boxes, false).await
    }
}

crate::impl_stage!([T: AsRef<[u8]> + Send + 'static] SimpleFileWriter<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "SimpleFileWriter",
        "Kamaelia.File.Writing.SimpleFileWriter",
        Family::File,
        "Writes every message (bytes) to a file created when it starts; flushes and closes it before passing ProducerFinished on.",
        axon::box_infos(&SimpleFileWriter::<Vec<u8>>::new("file")),
    )
    .parameter("path", "impl Into<PathBuf>", "SimpleFileWriter::new(path): the file, created or emptied when the component starts")
});
