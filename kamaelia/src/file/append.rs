//! Append: adds every message it gets to the end of a file, optionally passing each one on
//! (Kamaelia: `Kamaelia.File.Append.Append`).
//!
//! The file is opened when the component starts and created if it does not exist; what it
//! already holds is kept unless [`truncate`](Append::truncate) is asked for (Kamaelia's
//! `blat_file`). With [`forward`](Append::forward) (Kamaelia's `forwarder`) every message is
//! sent on `outbox` after it has been written, so an `Append` can sit in the middle of a
//! pipeline as a tap. Writes are buffered and flushed whenever the inbox runs empty. The file is
//! held open for the component's whole life (Kamaelia's `hold_open=True`; reopening per message
//! is not offered).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::file::Append;
//!
//! let path = std::env::temp_dir().join(format!("kamaelia-append-doc-{}", std::process::id()));
//! std::fs::write(&path, "log:").unwrap();
//!
//! let mut system = System::deterministic();
//! let append = Append::<&'static str>::new(&path).forward();
//! let (mut input, mut stop, mut passed) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &append.inbox).unwrap();
//! axon::link(&stop, &append.control).unwrap();
//! axon::link(&append.outbox, &passed).unwrap();
//! system.spawn(append);
//! input.try_send(" one").unwrap();
//! input.try_send(" two").unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(std::fs::read_to_string(&path).unwrap(), "log: one two");
//! assert_eq!(passed.try_recv(), Ok(" one"));
//! assert_eq!(passed.try_recv(), Ok(" two"));
//! # std::fs::remove_file(&path).unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T: AsRef<[u8]>` | data to append |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | with `forward()`: each message, after it was written; otherwise nothing |
//! | `signal` | [`Control`] | the stop request, once the file is flushed and closed; `Shutdown` if it failed |
//!
//! # Parameters
//!
//! * `path` ([`Append::new`]): the file, created if missing.
//! * [`forward`](Append::forward): pass every message on after writing it (default: no).
//! * [`truncate`](Append::truncate): empty the file when the component starts (default: no).
//!
//! # Shutdown
//!
//! * `ProducerFinished` on `control`: it writes (and forwards) everything already queued,
//!   flushes and closes the file, then sends `ProducerFinished` on `signal` and ends.
//! * `Shutdown` on `control` (also looked at while a forwarded message waits for room):
//!   messages still queued are discarded; what was already written is flushed and the file
//!   closed; then it sends `Shutdown` on `signal`.
//! * If the file cannot be opened or written it sends `Shutdown` on `signal` and fails with a
//!   [`FileError`](super::FileError) naming the file (see [the family docs](super#errors)).

use std::path::PathBuf;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{write_messages, WriterBoxes};

/// Appends every message to a file. See the [module docs](self).
#[derive(Boxes)]
pub struct Append<T: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// Data to append.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (write what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// With `forward()`: each message, after it was written; otherwise nothing.
    pub outbox: Outbox<T>,
    /// The stop request, sent once the file is flushed and closed; `Shutdown` if it failed.
    pub signal: Outbox<Control>,
    path: PathBuf,
    forward: bool,
    truncate: bool,
}

impl<T: AsRef<[u8]> + Send + 'static> std::fmt::Debug for Append<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Append")
            .field("path", &self.path)
            .field("forward", &self.forward)
            .field("truncate", &self.truncate)
            .finish_non_exhaustive()
    }
}

impl<T: AsRef<[u8]> + Send + 'static> Append<T> {
    /// Appends to the file at `path` (created if missing).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Append {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            path: path.into(),
            forward: false,
            truncate: false,
        }
    }

    /// Sends every message on `outbox` after writing it.
    pub fn forward(mut self) -> Self {
        self.forward = true;
        self
    }

    /// Empties the file when the component starts.
    pub fn truncate(mut self) -> Self {
        self.truncate = true;
        self
    }
}

impl<T: AsRef<[u8]> + Send + 'static> Component for Append<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut options = tokio::fs::OpenOptions::new();
        options.create(true);
        if self.truncate {
            options.write(true).truncate(true);
        } else {
            options.append(true);
        }
        let open = options.open(&self.path);
        let boxes = WriterBoxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        let operation = "open for appending";
        write_messages(&ctx, &self.path, operation, open, boxes, self.forward).await
    }
}

crate::impl_stage!([T: AsRef<[u8]> + Send + 'static] Append<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "Append",
        "Kamaelia.File.Append.Append",
        Family::File,
        "Appends every message (bytes) to a file, created if missing; optionally passes each message on after writing it.",
        axon::box_infos(&Append::<Vec<u8>>::new("file")),
    )
    .parameter("path", "impl Into<PathBuf>", "Append::new(path): the file, created if missing")
    .parameter("forward", "bool", "Append::forward(): pass every message on after writing it (Kamaelia's forwarder)")
    .parameter("truncate", "bool", "Append::truncate(): empty the file when starting (Kamaelia's blat_file)")
});
