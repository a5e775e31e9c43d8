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
//!   [`FileError`] naming the file (see [the family docs](super#errors)).

use std::path::PathBuf;

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};

use super::{fail, gone, pass_on, until_stopped, FileError, Watched};

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
        let mut finished = false;
        loop {
            let path = if finished {
                match self.inbox.try_recv() {
                    Ok(path) => path,
                    Err(_) => break,
                }
            } else {
                match next_event(&mut self.control, &mut self.inbox).await {
                    Event::Message(path) => path,
                    Event::Control(Control::ProducerFinished) => {
                        finished = true;
                        continue;
                    }
                    Event::Control(c) => {
                        pass_on(&mut self.signal, c).await;
                        return Ok(());
                    }
                }
            };
            let read = tokio::fs::read(&path);
            let contents = match until_stopped(&mut self.control, &mut finished, read).await {
                Watched::Done(Ok(contents)) => contents,
                Watched::Done(Err(e)) => {
                    return fail(&mut self.signal, FileError::new(path, "read", e)).await
                }
                Watched::Stopped(c) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            };
            match until_stopped(&mut self.control, &mut finished, self.outbox.send(contents)).await
            {
                Watched::Done(Ok(())) => {}
                Watched::Done(Err(_)) => return Err(gone(&ctx.name(), "outbox")),
                Watched::Stopped(c) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            }
        }
        pass_on(&mut self.signal, Control::ProducerFinished).await;
        Ok(())
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
