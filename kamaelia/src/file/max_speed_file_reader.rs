//! MaxSpeedFileReader: reads a whole file in big chunks as fast as they are taken downstream,
//! reading the next chunk while the last one is being delivered (Kamaelia:
//! `Kamaelia.File.MaxSpeedFileReader.MaxSpeedFileReader`).
//!
//! It sends the same messages as [`ChunkReader`](super::ChunkReader) — every chunk
//! [`chunk_size`](MaxSpeedFileReader::chunk_size) bytes except the last — but overlaps the disk
//! and the consumer: while a chunk waits for room in the destination inbox, the next one is
//! already being read, so neither side waits for the other when both are busy. At most two
//! chunks are held at a time (the one being delivered and the one being read); the bounded
//! destination inbox is what sets the pace, as in Kamaelia where the reader filled a
//! size-limited inbox.
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::file::MaxSpeedFileReader;
//!
//! let path = std::env::temp_dir().join(format!("kamaelia-maxspeed-doc-{}", std::process::id()));
//! std::fs::write(&path, vec![7u8; 10_000]).unwrap();
//!
//! let mut system = System::deterministic();
//! let reader = MaxSpeedFileReader::new(&path).chunk_size(4096);
//! let (mut chunks, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&reader.outbox, &chunks).unwrap();
//! axon::link(&reader.signal, &signal).unwrap();
//! system.spawn(reader);
//! system.run().unwrap();
//! let sizes: Vec<usize> = std::iter::from_fn(|| chunks.try_recv().ok()).map(|c| c.len()).collect();
//! assert_eq!(sizes, [4096, 4096, 1808]);
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
//! * `path` ([`MaxSpeedFileReader::new`]): the file.
//! * [`chunk_size`](MaxSpeedFileReader::chunk_size): bytes per chunk, default 1 MiB (Kamaelia's
//!   default; 0 counts as 1).
//!
//! # Shutdown
//!
//! * At the end of the file it sends `ProducerFinished` on `signal` and ends.
//! * `ProducerFinished` on `control`: it has no input to drain; it reads on to the end of the
//!   file, then sends `ProducerFinished`.
//! * `Shutdown` on `control` (looked at all the time, also while reading and delivering): it
//!   ends at once — the chunk in flight is dropped — and sends `Shutdown` on `signal`.
//! * If the file cannot be opened or read it sends `Shutdown` on `signal` and fails with a
//!   [`FileError`] naming the file (see [the family docs](super#errors)).

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{read_full, FileError, Run};

/// Reads a whole file in big chunks, overlapping reading and delivery. See the
/// [module docs](self).
#[derive(Boxes, Debug)]
pub struct MaxSpeedFileReader {
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

impl MaxSpeedFileReader {
    /// A reader of the file at `path`, in chunks of 1 MiB.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        MaxSpeedFileReader {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            path: path.into(),
            chunk_size: 1024 * 1024,
        }
    }

    /// Bytes per chunk (at least 1).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }
}

impl Component for MaxSpeedFileReader {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let chunk_size = self.chunk_size;
        let mut run = Run::new(&ctx, &mut self.control, &mut self.signal);
        let body = async {
            let mut file = run.open(&self.path).await?;
            // The chunk being delivered while the next is read.
            let mut delivering: Option<Vec<u8>> = None;
            let mut at_end = false;
            while !at_end || delivering.is_some() {
                let mut next = vec![0; if at_end { 0 } else { chunk_size }];
                let send = async {
                    match delivering.take() {
                        Some(chunk) => self.outbox.send(chunk).await.is_ok(),
                        None => true,
                    }
                };
                let read = async {
                    if at_end {
                        Ok(0)
                    } else {
                        read_full(&mut file, &mut next).await
                    }
                };
                let (sent, read) = run.watch(async { tokio::join!(send, read) }).await?;
                if !sent {
                    return Err(run.gone());
                }
                match read {
                    Ok(0) => at_end = true,
                    Ok(n) => {
                        if n < chunk_size {
                            next.truncate(n);
                            next.shrink_to_fit();
                            at_end = true;
                        }
                        delivering = Some(next);
                    }
                    Err(e) => return Err(run.fail(FileError::new(&self.path, "read", e)).await),
                }
            }
            Ok(())
        };
        let body = body.await;
        run.end(body).await
    }
}

crate::impl_stage!([] MaxSpeedFileReader, () => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "MaxSpeedFileReader",
        "Kamaelia.File.MaxSpeedFileReader.MaxSpeedFileReader",
        Family::File,
        "Reads a whole file in big chunks as fast as the bounded destination takes them, reading the next chunk while the last is delivered; then ProducerFinished.",
        axon::box_infos(&MaxSpeedFileReader::new("file")),
    )
    .parameter("path", "impl Into<PathBuf>", "MaxSpeedFileReader::new(path): the file, opened when the component starts")
    .parameter("chunk_size", "usize", "bytes per chunk, default 1 MiB")
});
