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
//! line starts and the limit; the lines after it are delivered as usual.
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
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `L` (`String` or `Vec<u8>`) | each whole line, without its line ending, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//! | `errors` | [`LineTooLong`] | one report per line discarded for being too long |
//!
//! # Parameters
//!
//! * the types: [`ChunksToLines::text`] (`String` → `String`), [`ChunksToLines::bytes`]
//!   (`Vec<u8>` → `Vec<u8>`), or `ChunksToLines::<C, L>::new()` for any other input type.
//! * [`max_line_length`](ChunksToLines::max_line_length)`(n)`: the longest line kept, in bytes
//!   without its line ending (default [`DEFAULT_MAX_LINE`]).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it processes everything already queued, sends the lines, then sends the
//! **partial last line** — the text after the last line break, if any, as a line of its own
//! (a trailing `\r` in it is kept: it was not followed by `\n`) — then sends `ProducerFinished`
//! on `signal` and ends. A stream that ends with a line break has no partial line. On `Shutdown`
//! it ends at once, discarding what is queued and the partial line, and sends `Shutdown` on
//! `signal`. Nothing is ever sent on `errors` at shutdown except for a too-long partial line.

use axon::{next_batch, Batch, Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{pass_on, BATCH};
pub use crate::protocol::framing::codec::LineTooLong;
use crate::protocol::framing::codec::{Decoder, LineDecoder};

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

/// Moves what the decoder completed into the batches to send.
fn take_lines<L: LineData>(
    decoder: &mut LineDecoder,
    lines: &mut Vec<L>,
    too_long: &mut Vec<LineTooLong>,
) {
    while let Some(r) = decoder.pop() {
        match r {
            Ok(line) => lines.push(L::from_line_bytes(line)),
            Err(e) => too_long.push(e),
        }
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> Component for ChunksToLines<C, L> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let ChunksToLines {
            mut inbox,
            mut control,
            mut outbox,
            mut signal,
            mut errors,
            max_line,
        } = self;
        let mut decoder = LineDecoder::new(max_line);
        let (mut buf, mut lines, mut too_long) =
            (Vec::with_capacity(BATCH), Vec::new(), Vec::new());
        loop {
            match next_batch(&mut control, &mut inbox, &mut buf, BATCH).await {
                Batch::Messages(_) => {
                    for chunk in buf.drain(..) {
                        decoder.push(chunk.as_ref());
                    }
                    take_lines(&mut decoder, &mut lines, &mut too_long);
                    outbox.send_all(&mut lines).await?;
                    errors.send_all(&mut too_long).await?;
                }
                Batch::Control(Control::ProducerFinished) => {
                    while inbox.recv_many(&mut buf, BATCH) > 0 {
                        for chunk in buf.drain(..) {
                            decoder.push(chunk.as_ref());
                        }
                        take_lines(&mut decoder, &mut lines, &mut too_long);
                        outbox.send_all(&mut lines).await?;
                        errors.send_all(&mut too_long).await?;
                    }
                    decoder.finish();
                    take_lines(&mut decoder, &mut lines, &mut too_long);
                    outbox.send_all(&mut lines).await?;
                    errors.send_all(&mut too_long).await?;
                    pass_on(&mut signal, Control::ProducerFinished).await;
                    return Ok(());
                }
                Batch::Control(other) => {
                    pass_on(&mut signal, other).await;
                    return Ok(());
                }
            }
        }
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
        "Reassembles text or bytes arriving in arbitrary pieces into whole lines (LF or CRLF); the partial last line is sent at end of stream; too-long lines are discarded and reported on errors.",
        axon::box_infos(&c),
    )
    .parameter("types", "C: AsRef<[u8]> => String | Vec<u8>", "ChunksToLines::text(), ChunksToLines::bytes(), or ChunksToLines::<C, L>::new()")
    .parameter("max_line_length", "usize", "the longest line kept, in bytes without its line ending (default 1 MiB)")
});
