//! Child processes (Kamaelia's `Kamaelia.File.UnixProcess2`): a program run as a component,
//! its standard input, output and error as boxes.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`UnixProcess`] | `File.UnixProcess2.UnixProcess2` | runs a program; inbox → stdin, stdout → outbox, stderr → `stderr`, exit status → `status` |
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::process::UnixProcess;
//! use std::os::unix::process::ExitStatusExt;
//!
//! let mut system = System::deterministic();
//! let sh = UnixProcess::shell("echo out; echo err >&2; exit 3");
//! let (mut out, mut err, mut status) = (Inbox::new(), Inbox::new(), Inbox::new());
//! axon::link(&sh.outbox, &out).unwrap();
//! axon::link(&sh.stderr, &err).unwrap();
//! axon::link(&sh.status, &status).unwrap();
//! system.spawn(sh);
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok(b"out\n".to_vec()));
//! assert_eq!(err.try_recv(), Ok(b"err\n".to_vec()));
//! assert_eq!(status.try_recv().unwrap().into_raw(), 3 << 8);
//! ```

pub mod unix_process;

pub use unix_process::UnixProcess;
