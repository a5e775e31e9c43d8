//! ChunkReader: reads a whole file as fixed-size chunks of bytes, then says it has finished
//! (Kamaelia: `Kamaelia.File.Reading.SimpleReader`).
//!
//! The file is opened when the component starts. Every chunk is exactly
//! [`chunk_size`](ChunkReader::chunk_size) bytes except the last, which holds what is left (an
//! empty file sends no chunk at all). Chunks are read only as fast as they are taken downstream:
//! the bounded inbox it sends to holds it back.
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::file::ChunkReader;
//!
//! let path = std::env::temp_dir().join(format!("kamaelia-chunk-doc-{}", std::process::id()));
//! std::fs::write(&path, b"abcdefgh").unwrap();
//!
//! let mut system = System::deterministic();
//! let reader = ChunkReader::new(&path).chunk_size(3);
//! let (mut chunks, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&reader.outbox, &chunks).unwrap();
//! axon::link(&reader.signal, &signal).unwrap();
//! system.spawn(reader);
//! system.run().unwrap();
//! assert_eq!(chunks.try_recv(), Ok(b"abc".to_vec()));
//! assert_eq!(chunks.try_recv(), Ok(b"def".to_vec()));
//! assert_eq!(chunks.try_recv(), Ok(b"gh".to_vec()));
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
//! | `outbox` | `Vec<u8>` | the file's bytes, in chunks of `chunk_size` (the last may be shorter) |
//! | `signal` | [`Control`] | `ProducerFinished` after the last chunk; `Shutdown` if stopped or failed |
//!
//! # Parameters
//!
//! * `path` ([`ChunkReader::new`]): the file.
//! * [`chunk_size`](ChunkReader::chunk_size): bytes per chunk, default 64 KiB (0 counts as 1).
//!
//! # Shutdown
//!
//! * At the end of the file it sends `ProducerFinished` on `signal` and ends.
//! * `ProducerFinished` on `control`: it has no input to drain, and the rest of the file is its
//!   partial state, so it goes on to the end of the file, then sends `ProducerFinished`.
//! * `Shutdown` on `control` (looked at before every read and while a send waits for room): it
//!   ends at once, the rest of the file unread, and sends `Shutdown` on `signal`.
//! * If the file cannot be opened or read it sends `Shutdown` on `signal` and fails with a
//!   [`FileError`](super::FileError) naming the file (see [the family docs](super#errors)).

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{read_full, Run};

/// Reads a whole file as fixed-size chunks. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct ChunkReader {
    /// Not used.
    pub inbox: Inbox<()>,
    /// Stop requests: `Shutdown` stops at once; `ProducerFinished` changes nothing.
    pub control: Inbox<Control>,
    /// The file's bytes, in chunks of `chunk_size` (the last may be shorter).
    pub outbox: Outbox<Vec<u8>>,
    /// `ProducerFinished` after the last chunk; `Shutdown` if stopped or failed.
    pub signal: Outbox<Control>,
    path: PathBuf,
    chunk_size: usize,
}

impl ChunkReader {
    /// A reader of the file at `path`, in chunks of 64 KiB.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ChunkReader {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            path: path.into(),
            chunk_size: 64 * 1024,
        }
    }

    /// Bytes per chunk (at least 1).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }
}

impl Component for ChunkReader {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let chunk_size = self.chunk_size;
        let mut run = Run::new(&ctx, &mut self.control, &mut self.signal);
        let body = async {
            let mut file = run.open(&self.path).await?;
            loop {
                let mut chunk = vec![0; chunk_size];
                let n = run
                    .io(&self.path, "read", read_full(&mut file, &mut chunk))
                    .await?;
                if n == 0 {
                    break;
                }
                chunk.truncate(n);
                if n < chunk_size {
                    chunk.shrink_to_fit();
                }
                run.send(&mut self.outbox, chunk).await?;
                if n < chunk_size {
                    break;
                }
            }
            Ok(())
        };
        let body = body.await;
        run.end(body).await
    }
}

crate::impl_stage!([] ChunkReader, () => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "ChunkReader",
        "Kamaelia.File.Reading.SimpleReader",
        Family::File,
        "Reads a whole file as fixed-size chunks of bytes (the last may be shorter), then sends ProducerFinished.",
        axon::box_infos(&ChunkReader::new("file")),
    )
    .parameter("path", "impl Into<PathBuf>", "ChunkReader::new(path): the file, opened when the component starts")
    .parameter("chunk_size", "usize", "bytes per chunk, default 64 KiB")
});
