//! ChunksToLineResults: [`ChunksToLines`] with the too-long reports in the stream of lines: one
//! `outbox` carries each line as `Ok(line)` and each discarded line as `Err(`[`LineTooLong`]`)`,
//! in the order they came in the stream.
//!
//! [`ChunksToLines`] sends lines and reports on two outboxes, and a consumer reading two inboxes
//! cannot tell which line a report came between. Here the report takes the place of the line
//! it stands for, so a consumer that answers input line by line (a dialogue saying "that line
//! was too long" just when it would have read that line) needs no merging. Everything else —
//! line endings, the limit, the partial last line, text or bytes — is exactly as in
//! [`ChunksToLines`]: the same decoder ([`LineDecoder`](crate::protocol::framing::codec::LineDecoder))
//! on the same driver.
//!
//! Make one with [`ChunksToLines::errors_in_band`], or directly with
//! [`ChunksToLineResults::text`], [`ChunksToLineResults::bytes`] or
//! [`ChunksToLineResults::new`].
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::{ChunksToLines, LineTooLong};
//!
//! let mut system = System::deterministic();
//! let c = ChunksToLines::text().max_line_length(5).errors_in_band();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &c.inbox).unwrap();
//! axon::link(&stop, &c.control).unwrap();
//! axon::link(&c.outbox, &output).unwrap();
//! system.spawn(c);
//! for chunk in ["hello\nthis line", " is too long\r\nbye\n"] {
//!     input.try_send(chunk.to_string()).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(Ok("hello".to_string())));
//! let report = LineTooLong { line: 2, offset: 6, limit: 5 };
//! assert_eq!(output.try_recv(), Ok(Err(report))); // where the long line was
//! assert_eq!(output.try_recv(), Ok(Ok("bye".to_string())));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `C: AsRef<[u8]>` | the stream, in pieces of any size |
//! | `control` | [`Control`] | `ProducerFinished` (drain, then stop) or `Shutdown`/`Failed` (stop now) |
//! | `outbox` | `Result<L, LineTooLong>` (`L` is `String` or `Vec<u8>`) | each whole line without its line ending, or the report of a line discarded for being too long, in stream order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * the types: [`ChunksToLineResults::text`] (`String` → `String` lines),
//!   [`ChunksToLineResults::bytes`] (`Vec<u8>` → `Vec<u8>` lines), or
//!   `ChunksToLineResults::<C, L>::new()` for any other input type; or
//!   [`ChunksToLines::errors_in_band`], which keeps the types and limit already chosen.
//! * [`max_line_length`](ChunksToLineResults::max_line_length)`(n)`: the longest line kept, in
//!   bytes without its line ending (default [`DEFAULT_MAX_LINE`]).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it processes everything already queued, sends its lines and reports,
//! then the **partial last line** (the bytes after the last line break, if any, as a line of
//! their own, or its report if it is too long), then sends `ProducerFinished` on `signal` and
//! ends. On `Shutdown` (or `Failed`) it ends at once, discarding what is queued and the partial
//! line, and passes the message on on `signal`.
//!
//! [`ChunksToLines`]: super::ChunksToLines
//! [`ChunksToLines::errors_in_band`]: super::ChunksToLines::errors_in_band

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::chunks_to_lines::{LineData, LineTooLong, Lines, DEFAULT_MAX_LINE};
use super::step;

/// Reassembles chunks into lines, with too-long reports in place. See the [module docs](self).
#[derive(Boxes)]
pub struct ChunksToLineResults<C: AsRef<[u8]> + Send + 'static, L: LineData> {
    /// The stream, in pieces of any size.
    pub inbox: Inbox<C>,
    /// `ProducerFinished` (drain, flush the partial line, then stop) or `Shutdown`/`Failed`
    /// (stop now).
    pub control: Inbox<Control>,
    /// Each whole line (`Ok`), or the report of a line discarded for being too long (`Err`), in
    /// stream order.
    pub outbox: Outbox<Result<L, LineTooLong>>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    max_line: usize,
}

impl ChunksToLineResults<String, String> {
    /// Text in, text lines out.
    pub fn text() -> Self {
        Self::new()
    }
}

impl ChunksToLineResults<Vec<u8>, Vec<u8>> {
    /// Bytes in, byte lines out (no UTF-8 involved).
    pub fn bytes() -> Self {
        Self::new()
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> ChunksToLineResults<C, L> {
    /// Chunks of type `C` in, lines of type `L` (or reports) out.
    pub fn new() -> Self {
        ChunksToLineResults {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            max_line: DEFAULT_MAX_LINE,
        }
    }

    /// Keeps lines of up to `n` bytes (without the line ending); each longer one is discarded
    /// and an `Err` sent in its place.
    pub fn max_line_length(mut self, n: usize) -> Self {
        self.max_line = n;
        self
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> Default for ChunksToLineResults<C, L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> std::fmt::Debug for ChunksToLineResults<C, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunksToLineResults")
            .field("max_line", &self.max_line)
            .finish_non_exhaustive()
    }
}

impl<C: AsRef<[u8]> + Send + 'static, L: LineData> Component for ChunksToLineResults<C, L> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Lines::<C, L>::new(self.max_line), boxes).await
    }
}

crate::impl_stage!(
    [C: AsRef<[u8]> + Send + 'static, L: LineData] ChunksToLineResults<C, L>,
    C => Result<L, LineTooLong>
);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let c = ChunksToLineResults::text();
    Entry::new(
        "ChunksToLineResults",
        "(none: chunks_to_lines with too-long lines reported in the stream)",
        Family::Util,
        "ChunksToLines with one outbox: each line as Ok, each too-long line's report as Err in its place, so a consumer sees where in the stream the long line was.",
        axon::box_infos(&c),
    )
    .parameter("types", "C: AsRef<[u8]> => Result<String | Vec<u8>, LineTooLong>", "ChunksToLineResults::text(), ::bytes(), ::<C, L>::new(), or ChunksToLines::errors_in_band()")
    .parameter("max_line_length", "usize", "the longest line kept, in bytes without its line ending (default 1 MiB)")
});
