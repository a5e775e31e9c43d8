//! TriggeredFileReader: a file name in, that file's whole contents out (Kamaelia:
//! `Kamaelia.File.TriggeredFileReader.TriggeredFileReader`).
//!
//! Files are read one at a time, in the order their names arrive, each as one message. Each
//! file is read whole into memory, so this is for files of a size that fits in a message; use
//! [`ChunkReader`](super::ChunkReader) to stream a big one.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::file::TriggeredFileReader;
//!
//! let path = std::env::temp_dir().join(format!("kamaelia-triggered-doc-{}", std::process::id()));
//! std::fs::write(&path, b"contents").unwrap();
//!
//! let mut system = System::deterministic();
//! let reader = TriggeredFileReader::new();
//! let (mut names, mut stop, mut out) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&names, &reader.inbox).unwrap();
//! axon::link(&stop, &reader.control).unwrap();
//! axon::link(&reader.outbox, &out).unwrap();
//! system.spawn(reader);
//! names.try_send(path.clone()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok(b"contents".to_vec()));
//! # std::fs::remove_file(&path).unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `PathBuf` | names of files to read |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | each file's whole contents, in order |
//! | `signal` | [`Control`] | the stop request; `Shutdown` if a file could not be read |
//!
//! # Parameters
//!
//! None ([`TriggeredFileReader::new`]).
//!
//! # Shutdown
//!
//! * `ProducerFinished` on `control`: it reads and sends every file whose name is already
//!   queued, then sends `ProducerFinished` on `signal` and ends.
//! * `Shutdown` on `control` (looked at before every file, while reading and while a send waits
//!   for room): it ends at once, queued names unread, and sends `Shutdown` on `signal`.
//! * If a file cannot be read it sends `Shutdown` on `signal` and fails with a
//!   [`FileError`](super::FileError) naming the file (see [the family docs](super#errors)).

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::Run;

/// Reads the file whose name arrives. See the [module docs](self).
#[derive(Boxes, Debug, Default)]
pub struct TriggeredFileReader {
    /// Names of files to read.
    pub inbox: Inbox<PathBuf>,
    /// `ProducerFinished` (read the queued files, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each file's whole contents, in order.
    pub outbox: Outbox<Vec<u8>>,
    /// The stop request; `Shutdown` if a file could not be read.
    pub signal: Outbox<Control>,
}

impl TriggeredFileReader {
    /// A reader of the files whose names arrive.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Component for TriggeredFileReader {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut run = Run::new(&ctx, &mut self.control, &mut self.signal);
        let body = async {
            while let Some(path) = run.next(&mut self.inbox).await? {
                let contents = run.io(&path, "read", tokio::fs::read(&path)).await?;
                run.send(&mut self.outbox, contents).await?;
            }
            Ok(())
        };
        let body = body.await;
        run.end(body).await
    }
}

crate::impl_stage!([] TriggeredFileReader, PathBuf => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "TriggeredFileReader",
        "Kamaelia.File.TriggeredFileReader.TriggeredFileReader",
        Family::File,
        "Reads the file whose name arrives on its inbox and sends its whole contents as one message.",
        axon::box_infos(&TriggeredFileReader::new()),
    )
});
