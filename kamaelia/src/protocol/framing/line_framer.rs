//! LineFramer: turns each line it receives into bytes ending with a line terminator, CRLF
//! unless told otherwise: the sending side of line-oriented protocols (Kamaelia: none — its
//! protocols appended `"\r\n"` by hand; new here).
//!
//! The receiving side is [`ChunksToLines`](crate::util::transforms::ChunksToLines), which splits a
//! byte stream back into lines; what LineFramer sends, ChunksToLines gives back unchanged. A
//! line that could not be given back — one containing `\n`, or, with [`Terminator::Lf`], one
//! ending with `\r` — is refused: it is reported on `errors` and the framer ends with
//! [`Control::Failed`], rather than sending something the peer would read differently.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::LineFramer;
//!
//! let mut system = System::deterministic();
//! let framer = LineFramer::text();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &framer.inbox).unwrap();
//! axon::link(&stop, &framer.control).unwrap();
//! axon::link(&framer.outbox, &output).unwrap();
//! system.spawn(framer);
//! input.try_send("HELO example.org".to_string()).unwrap();
//! input.try_send("QUIT".to_string()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"HELO example.org\r\n".to_vec()));
//! assert_eq!(output.try_recv(), Ok(b"QUIT\r\n".to_vec()));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T: AsRef<[u8]>` (`String` or `Vec<u8>`) | lines, without line endings |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | each line's bytes and terminator, one message per line |
//! | `signal` | [`Control`] | the control message that ended it, or `Failed` after a refused line |
//! | `errors` | [`LineEncodeError`] | the refused line: its number (from 1) and the offset of the byte at fault |
//!
//! # Parameters
//!
//! * the input type: [`LineFramer::text`] (`String`), [`LineFramer::bytes`] (`Vec<u8>`), or
//!   `LineFramer::<T>::new()`.
//! * [`terminator`](LineFramer::terminator)`(Terminator)`: [`Terminator::CrLf`] (default) or
//!   [`Terminator::Lf`].
//!
//! # Shutdown
//!
//! On `ProducerFinished` it frames everything already queued, then passes `ProducerFinished` on
//! `signal` and ends. On `Shutdown` (or `Failed`) it ends at once, discarding what is queued,
//! and passes the message on. It holds no partial state. A refused line: the lines before it are
//! sent, the error goes to `errors`, `Control::Failed` (naming the framer and the line) goes to
//! `signal`, and it ends.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::codec::{encode_line, LineEncodeError, Terminator};
use super::drive::{self, Convert, Made};

/// Turns lines into terminated bytes. See the [module docs](self).
#[derive(Boxes)]
pub struct LineFramer<T: AsRef<[u8]> + Send + 'static> {
    /// Lines, without line endings.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (frame what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each line's bytes and terminator, one message per line.
    pub outbox: Outbox<Vec<u8>>,
    /// The control message that ended it, or `Failed` after a refused line.
    pub signal: Outbox<Control>,
    /// A line that cannot be framed (it contains `\n`, or ends with `\r` under LF).
    pub errors: Outbox<LineEncodeError>,
    terminator: Terminator,
}

impl LineFramer<String> {
    /// Text lines in.
    pub fn text() -> Self {
        Self::new()
    }
}

impl LineFramer<Vec<u8>> {
    /// Byte lines in.
    pub fn bytes() -> Self {
        Self::new()
    }
}

impl<T: AsRef<[u8]> + Send + 'static> LineFramer<T> {
    /// Lines of type `T` in, CRLF-terminated bytes out.
    pub fn new() -> Self {
        LineFramer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            errors: Outbox::new(),
            terminator: Terminator::CrLf,
        }
    }

    /// Ends each line with `terminator` instead of CRLF.
    pub fn terminator(mut self, terminator: Terminator) -> Self {
        self.terminator = terminator;
        self
    }
}

impl<T: AsRef<[u8]> + Send + 'static> Default for LineFramer<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: AsRef<[u8]> + Send + 'static> std::fmt::Debug for LineFramer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineFramer")
            .field("terminator", &self.terminator)
            .finish_non_exhaustive()
    }
}

struct Encode<T> {
    terminator: Terminator,
    /// Lines framed so far.
    lines: u64,
    failed: bool,
    _t: std::marker::PhantomData<fn(T)>,
}

impl<T: AsRef<[u8]> + Send + 'static> Convert for Encode<T> {
    type In = T;
    type Out = Vec<u8>;
    type Err = LineEncodeError;

    fn feed(&mut self, line: T, out: &mut Made<Self>) {
        self.lines += 1;
        let mut bytes = Vec::new();
        match encode_line(line.as_ref(), self.lines, self.terminator, &mut bytes) {
            Ok(()) => out.push(Ok(bytes)),
            Err(e) => {
                out.push(Err(e));
                self.failed = true;
            }
        }
    }

    fn failed(&self) -> bool {
        self.failed
    }
}

impl<T: AsRef<[u8]> + Send + 'static> Component for LineFramer<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let encode = Encode::<T> {
            terminator: self.terminator,
            lines: 0,
            failed: false,
            _t: std::marker::PhantomData,
        };
        let boxes = drive::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
            errors: Some(&mut self.errors),
            flush: None,
        };
        drive::drive(&ctx, encode, boxes).await
    }
}

crate::impl_stage!([T: AsRef<[u8]> + Send + 'static] LineFramer<T>, T => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "LineFramer",
        "(none: new here)",
        Family::Protocol,
        "Turns each line into bytes ending with CRLF (or LF); a line the receiver could not give back unchanged is reported on errors and ends it with Failed. ChunksToLines is the receiving side.",
        axon::box_infos(&LineFramer::text()),
    )
    .parameter("types", "T: AsRef<[u8]> => Vec<u8>", "LineFramer::text(), LineFramer::bytes(), or LineFramer::<T>::new()")
    .parameter("terminator", "Terminator", "Terminator::CrLf (default) or Terminator::Lf")
});
