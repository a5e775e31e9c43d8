//! WholeFileWriter: each message is a job `(file name, contents)`; the file is written whole
//! and its name sent on when it is done (Kamaelia: `Kamaelia.File.WholeFileWriter.WholeFileWriter`).
//!
//! Every job creates its file (replacing one that exists) and writes the contents in one go;
//! jobs are done one at a time, in the order they arrive. The file name on `outbox` says that
//! job is complete: the file is closed and holds exactly the contents.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::file::WholeFileWriter;
//!
//! let dir = std::env::temp_dir().join(format!("kamaelia-whole-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//!
//! let mut system = System::deterministic();
//! let writer = WholeFileWriter::new();
//! let (mut jobs, mut stop, mut done) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&jobs, &writer.inbox).unwrap();
//! axon::link(&stop, &writer.control).unwrap();
//! axon::link(&writer.outbox, &done).unwrap();
//! system.spawn(writer);
//! jobs.try_send((dir.join("a.txt"), b"alpha".to_vec())).unwrap();
//! jobs.try_send((dir.join("b.txt"), b"beta".to_vec())).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(done.try_recv(), Ok(dir.join("a.txt")));
//! assert_eq!(done.try_recv(), Ok(dir.join("b.txt")));
//! assert_eq!(std::fs::read(dir.join("b.txt")).unwrap(), b"beta");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `(PathBuf, Vec<u8>)` | jobs: the file to write and its whole contents |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `PathBuf` | the file name of each finished job, in order |
//! | `signal` | [`Control`] | the stop request; `Shutdown` if a job failed |
//!
//! # Parameters
//!
//! None ([`WholeFileWriter::new`]).
//!
//! # Shutdown
//!
//! * `ProducerFinished` on `control`: it does every job already queued, then sends
//!   `ProducerFinished` on `signal` and ends.
//! * `Shutdown` on `control` (looked at before every job and while a name waits for room): it
//!   ends at once; queued jobs are not done. A job whose write had already started may still
//!   complete (the operating system is not interrupted), but its name is not sent.
//! * If a file cannot be written it sends `Shutdown` on `signal` and fails with a
//!   [`FileError`](super::FileError) naming the file (see [the family docs](super#errors));
//!   later jobs are not done.

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::Run;

/// Writes `(file name, contents)` jobs. See the [module docs](self).
#[derive(Boxes, Debug, Default)]
pub struct WholeFileWriter {
    /// Jobs: the file to write and its whole contents.
    pub inbox: Inbox<(PathBuf, Vec<u8>)>,
    /// `ProducerFinished` (do the queued jobs, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The file name of each finished job, in order.
    pub outbox: Outbox<PathBuf>,
    /// The stop request; `Shutdown` if a job failed.
    pub signal: Outbox<Control>,
}

impl WholeFileWriter {
    /// A writer of whole files.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Component for WholeFileWriter {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut run = Run::new(&ctx, &mut self.control, &mut self.signal);
        let body = async {
            while let Some((path, contents)) = run.next(&mut self.inbox).await? {
                let write = tokio::fs::write(&path, contents);
                run.io(&path, "write whole file", write).await?;
                run.send(&mut self.outbox, path).await?;
            }
            Ok(())
        };
        let body = body.await;
        run.end(body).await
    }
}

crate::impl_stage!([] WholeFileWriter, (PathBuf, Vec<u8>) => PathBuf);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "WholeFileWriter",
        "Kamaelia.File.WholeFileWriter.WholeFileWriter",
        Family::File,
        "Takes (file name, contents) jobs, writes each file whole, and sends the file name on when it is done.",
        axon::box_infos(&WholeFileWriter::new()),
    )
});
