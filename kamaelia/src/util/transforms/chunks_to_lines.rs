//! ChunksToLines: reassembles text or bytes that arrive in arbitrary pieces into whole lines
//! (Kamaelia: `Kamaelia.Visualisation.PhysicsGraph.chunks_to_lines.chunks_to_lines`).
//!
//! The messages that arrive are one continuous stream: a line may start in one message and end
//! several messages later, and one message may hold many lines. A line ends at `\n`; a `\r`
//! just before the `\n` is removed too, so CRLF and LF both work (a `\r` anywhere else is kept
//! as data — Kamaelia removed every `\r`). Each line is sent on without its line ending.
//!
//! The line being assembled is limited to [`max_line_length`](ChunksToLines::max_line_length)
//! bytes ([`DEFAULT_MAX_LINE`] unless set), so a stream without line breaks cannot fill memory.
//! **A line longer than that is discarded**, up to and including its line ending, and reported
//! on the `errors` outbox as a [`LineTooLong`] naming the line number, the byte offset where the
//! line starts and the limit; the lines after it are delivered as usual. Each report is sent
//! after the lines before the discarded one and before the lines after it, but a consumer reading
//! two inboxes cannot see that order. One that needs to know where in the stream the long line
//! was (to answer it at the moment it would have read it) should use
//! [`errors_in_band`](ChunksToLines::errors_in_band): the same splitting as a
//! [`ChunksToLineResults`], whose one `outbox` carries lines and reports in stream order.
//!
//! The splitting is done by the pure decoder [`LineDecoder`] (property-tested and fuzzed).
//! [`LineFramer`](crate::protocol::framing::LineFramer) is the sending side: what it sends,
//! this gives back unchanged.
//!
//! Input is anything that is bytes (`String`, `&'static str`, `Vec<u8>`, ...). Output lines are
//! `String` ([`ChunksToLines::text`]) or `Vec<u8>` ([`ChunksToLines::bytes`]). Because a line
//! break never falls inside a UTF-8 character, text chunks cut anywhere give whole, valid lines;
//! for `String` output from bytes that are not UTF-8, each invalid sequence becomes U+FFFD (as
//! [`String::from_utf8_lossy`]).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::ChunksToLines;
//!
//! let mut system = System::deterministic();
//! let c = ChunksToLines::text();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &c.inbox).unwrap();
//! axon::link(&stop, &c.control).unwrap();
//! axon::link(&c.outbox, &output).unwrap();
//! system.spawn(c);
//! for chunk in ["hel", "lo\r\nwor", "ld\nno newline at the end"] {
//!     input.try_send(chunk.to_string()).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv().as_deref(), Ok("hello"));
//! assert_eq!(output.try_recv().as_deref(), Ok("world"));
//! assert_eq!(output.try_recv().as_deref(), Ok("no newline at the end")); // flushed at the end
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `C: AsRef<[u8]>` | the stream, in pieces of any size |
//! | `control` | [`Control`] | `ProducerFinished` (drain, then stop) or `Shutdown`/`Failed` (stop now) |
//! | `outbox` | `L` (`String` or `Vec<u8>`) | each whole line, without its line ending, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//! | `errors` | [`LineTooLong`] | one report per line discarded for being too long, sent before the lines that follow it |
//!
//! # Parameters
//!
//! * the types: [`ChunksToLines::text`] (`String` → `String`), [`ChunksToLines::bytes`]
//!   (`Vec<u8>` → `Vec<u8>`), or `ChunksToLines::<C, L>::new()` for any other input type.
//! * [`max_line_length`](ChunksToLines::max_line_length)`(n)`: the longest line kept, in bytes
//!   without its line ending (default [`DEFAULT_MAX_LINE`]).
//! * [`errors_in_band`](ChunksToLines::errors_in_band)`()`: turns it into a
//!   [`ChunksToLineResults`] with the same types and limit (no `errors` box; reports in the
//!   `outbox`, in place).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it processes everything already queued, sends the lines, then sends the
//! **partial last line** — the text after the last line break, if any, as a line of its own
//! (a trailing `\r` in it is kept: it was not followed by `\n`) — then sends `ProducerFinished`
//! on `signal` and ends. A stream that ends with a line break has no partial line. On `Shutdown`
//! (or `Failed`) it ends at once, discarding what is queued and the partial line, and passes the
//! message on on `signal`. Nothing is ever sent on `errors` at shutdown except for a too-long
//! partial line.

use std::marker::PhantomData;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::chunks_to_line_results::ChunksToLineResults;
use super::step::{self, Deliver, Step};
pub use crate::protocol::framing::codec::LineTooLong;
use crate::protocol::framing::codec::{Decoder, LineDecoder};
use crate::support::{send_in_order, Reports};

/// The longest line [`ChunksToLines`] keeps unless told otherwise: 1 MiB.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

mod sealed {
    pub trait Sealed {}
    impl Sealed for Vec<u8> {}
    impl Sealed for String {}
}

/// A line type [`ChunksToLines`] can produce: `String` or `Vec<u8>`.
pub trait LineData: sealed::Sealed + Send + 'static {
    /// The line from its bytes (without the line ending).
    fn from_line_bytes(bytes: Vec<u8>) -> Self;
}

impl LineData for Vec<u8> {
    fn from_line_bytes(bytes: Vec<u8>) -> Self {
        bytes
    }
}

impl LineData for String {
    fn from_line_bytes(bytes: Vec<u8>) -> Self {
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Reassembles chunks into lines. See the [module docs](self).
#[derive(Boxes)]
pub struct ChunksToLines<C: AsRef<[u8]> + Send + 'static, L: LineData> {
    /// The stream, in pieces of any size.
    pub inbox: Inbox<C>,
    /// `ProducerFinished` (drain, flush the partial line, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each whole line, without its line ending, in order.
    pub outbox: Outbox<L>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    /// One report per line discarded for being longer than the limit.
    pub errors: Outbox<LineTooLong>,
    max_line: usize,
}

impl ChunksToLines<String, String> {
    /// Text in, text lines out.
    pub fn text() -> Self {
        Self::new()
    }
}

impl ChunksToLines<Vec<u8>, Vec<u8>> {
    /// Bytes in, byte lines out (no UTF-8 involved).
    pub fn bytes() -> Self {
        Self::new()
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> ChunksToLines<C, L> {
    /// Chunks of type `C` in, lines of type `L` out.
    pub fn new() -> Self {
        ChunksToLines {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            errors: Outbox::new(),
            max_line: DEFAULT_MAX_LINE,
        }
    }

    /// Keeps lines of up to `n` bytes (without the line ending); longer ones are discarded and
    /// reported on `errors`.
    pub fn max_line_length(mut self, n: usize) -> Self {
        self.max_line = n;
        self
    }

    /// The same splitting, with each report in the `outbox` in the place of the line it stands
    /// for: a [`ChunksToLineResults`] with these types and this limit. Links already made to
    /// this component's boxes are not carried over: make them on what this returns.
    pub fn errors_in_band(self) -> ChunksToLineResults<C, L> {
        ChunksToLineResults::new().max_line_length(self.max_line)
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> Default for ChunksToLines<C, L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> std::fmt::Debug for ChunksToLines<C, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunksToLines")
            .field("max_line", &self.max_line)
            .finish_non_exhaustive()
    }
}

/// The line splitting as a [`Step`]: each chunk goes through a [`LineDecoder`], and what it
/// completes comes out in stream order, a too-long line as the `Err` in its place. Shared by
/// [`ChunksToLines`] and [`ChunksToLineResults`].
pub(super) struct Lines<C, L> {
    decoder: LineDecoder,
    _types: PhantomData<fn(C) -> L>,
}

impl<C, L: LineData> Lines<C, L> {
    /// Lines of up to `max_line` bytes.
    pub(super) fn new(max_line: usize) -> Self {
        Lines {
            decoder: LineDecoder::new(max_line),
            _types: PhantomData,
        }
    }

    fn take(&mut self, out: &mut Vec<Result<L, LineTooLong>>) {
        while let Some(r) = self.decoder.pop() {
            out.push(r.map(L::from_line_bytes));
        }
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> Step for Lines<C, L> {
    type In = C;
    type Out = Result<L, LineTooLong>;

    fn step(&mut self, chunk: C, out: &mut Vec<Self::Out>) {
        self.decoder.push(chunk.as_ref());
        self.take(out);
    }

    fn finish(&mut self, out: &mut Vec<Self::Out>) {
        self.decoder.finish();
        self.take(out);
    }
}

/// Sends lines on `outbox` and reports on `errors`, in the order they were made: the lines
/// before a report, then the report, then what follows ([`send_in_order`]).
struct Split<'a, L: LineData> {
    name: String,
    lines: &'a mut Outbox<L>,
    errors: &'a mut Outbox<LineTooLong>,
    /// Lines waiting to go out together.
    run: Vec<L>,
}

impl<L: LineData> Deliver<Result<L, LineTooLong>> for Split<'_, L> {
    async fn deliver(&mut self, out: &mut Vec<Result<L, LineTooLong>>) -> Result<(), Error> {
        let reports = Reports::To(self.errors);
        send_in_order(&self.name, out, &mut self.run, self.lines, reports).await
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> Component for ChunksToLines<C, L> {
    async fn run(self, ctx: Context) -> Result<(), Error> {
        let ChunksToLines {
            mut inbox,
            mut control,
            mut outbox,
            mut signal,
            mut errors,
            max_line,
        } = self;
        let mut split = Split {
            name: ctx.name(),
            lines: &mut outbox,
            errors: &mut errors,
            run: Vec::new(),
        };
        let boxes = step::Boxes {
            inbox: &mut inbox,
            control: &mut control,
            outbox: &mut split,
            signal: &mut signal,
        };
        step::drive(Lines::<C, L>::new(max_line), boxes).await
    }
}

crate::impl_stage!([C: AsRef<[u8]> + Send + 'static, L: LineData] ChunksToLines<C, L>, C => L);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let c = ChunksToLines::text();
    Entry::new(
        "ChunksToLines",
        "Kamaelia.Visualisation.PhysicsGraph.chunks_to_lines.chunks_to_lines",
        Family::Util,
        "Reassembles text or bytes arriving in arbitrary pieces into whole lines (LF or CRLF); the partial last line is sent at end of stream; too-long lines are discarded and reported on errors (or in the outbox, with errors_in_band: see ChunksToLineResults).",
        axon::box_infos(&c),
    )
    .parameter("types", "C: AsRef<[u8]> => String | Vec<u8>", "ChunksToLines::text(), ChunksToLines::bytes(), or ChunksToLines::<C, L>::new()")
    .parameter("max_line_length", "usize", "the longest line kept, in bytes without its line ending (default 1 MiB)")
    .parameter("errors_in_band", "bool", "errors_in_band(): becomes a ChunksToLineResults, with each report in the outbox in its place among the lines")
});
