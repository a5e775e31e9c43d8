//! DataDeChunker: recovers the messages that [`DataChunker`](super::DataChunker) marked, from
//! a byte stream that arrives in pieces of any size (Kamaelia:
//! `Kamaelia.Protocol.Framing.DataDeChunker`).
//!
//! A chunk starts at a sync marker and ends where the next marker starts, so a chunk is sent on
//! once the next marker has arrived — or at a **flush**: any message on the `flush` inbox ends
//! the current chunk there and sends it (first decoding what is already queued on `inbox`), as
//! does the end of the stream. After a flush, bytes belong to no chunk until the next marker.
//! The decoder is [`ChunkDecoder`]; the format is in [`codec::chunk`](super::codec::chunk).
//!
//! Malformed input is reported on `errors` as a [`ChunkError`] naming the byte offset in the
//! stream. What happens then is the [`OnMalformed`] policy:
//!
//! * [`OnMalformed::Fail`] (default, for a stream from one peer): the stream must start with a
//!   marker and be well formed throughout; the first fault is reported and the dechunker ends
//!   with [`Control::Failed`].
//! * [`OnMalformed::Skip`] (resynchronise, for a lossy transport or joining mid-stream): bytes
//!   before the first marker are discarded without a report; a damaged chunk is reported and
//!   dropped, and decoding resumes at the next marker. This is Kamaelia's behaviour, and the
//!   choice of [`srm_receiver`](super::srm_receiver).
//!
//! Departures from Kamaelia: a chunk is sent as soon as the next marker arrives (Kamaelia sent
//! it one marker later, at most one per message received); a flush sends just the current chunk
//! (Kamaelia's joined every buffered chunk, markers included); the end of the stream flushes
//! (Kamaelia dropped the last chunk); chunks are bounded in size.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::{DataDeChunker, OnMalformed};
//!
//! let mut system = System::deterministic();
//! let dechunker = DataDeChunker::new().on_malformed(OnMalformed::Skip);
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &dechunker.inbox).unwrap();
//! axon::link(&stop, &dechunker.control).unwrap();
//! axon::link(&dechunker.outbox, &output).unwrap();
//! system.spawn(dechunker);
//! input.try_send(b"joined late\xffKAMSYNCfir".to_vec()).unwrap(); // garbage, then a chunk
//! input.try_send(b"st\xffKAMSYNCsecond".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap(); // flushes "second"
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"first".to_vec()));
//! assert_eq!(output.try_recv(), Ok(b"second".to_vec()));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `C: AsRef<[u8]>` (default `Vec<u8>`) | the chunk stream, in pieces of any size |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `flush` | `()` | end the current chunk here and send it |
//! | `outbox` | `Vec<u8>` | each chunk's bytes, unescaped, in order |
//! | `signal` | [`Control`] | the control message that ended it, or `Failed` after a fault (under `OnMalformed::Fail`) |
//! | `errors` | [`ChunkError`] | each fault: byte offset in the stream and what is wrong; sent before the chunks after it |
//!
//! # Parameters
//!
//! * the input type: [`DataDeChunker::new`] (`Vec<u8>`) or `DataDeChunker::<C>::with_input()`.
//! * [`format`](DataDeChunker::format)`(ChunkFormat)`: the sync marker and escape byte (default
//!   [`ChunkFormat::default`]); the same as the chunker's.
//! * [`max_chunk_size`](DataDeChunker::max_chunk_size)`(n)`: the longest chunk accepted, in
//!   bytes after unescaping (default [`DEFAULT_MAX_FRAME`], 16 MiB); it holds at most that.
//! * [`on_malformed`](DataDeChunker::on_malformed)`(OnMalformed)`: `Fail` (default) or `Skip`.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it decodes everything already queued, then flushes: the chunk in
//! progress is sent (an escape byte left dangling at its end is a fault; under `Fail`, so is a
//! marker cut short by the end of the stream). Then it passes `ProducerFinished` on `signal` —
//! or, if that produced a fault under `Fail`, `Control::Failed` — and ends. On `Shutdown` (or
//! `Failed`) it ends at once, discarding what is queued and the chunk in progress, and passes
//! the message on.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::codec::{ChunkDecoder, ChunkError, ChunkFormat, OnMalformed, DEFAULT_MAX_FRAME};
use super::drive::{self, Decode};

/// Recovers chunks from a chunk stream. See the [module docs](self).
#[derive(Boxes)]
pub struct DataDeChunker<C: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// The chunk stream, in pieces of any size.
    pub inbox: Inbox<C>,
    /// `ProducerFinished` (decode what is queued, flush, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Any message: end the current chunk here and send it.
    pub flush: Inbox<()>,
    /// Each chunk's bytes, unescaped, in order.
    pub outbox: Outbox<Vec<u8>>,
    /// The control message that ended it, or `Failed` after a fault.
    pub signal: Outbox<Control>,
    /// Each fault: byte offset in the stream and what is wrong.
    pub errors: Outbox<ChunkError>,
    format: ChunkFormat,
    max: usize,
    policy: OnMalformed,
}

impl DataDeChunker<Vec<u8>> {
    /// Takes the stream as `Vec<u8>` pieces; default format, limit and policy.
    pub fn new() -> Self {
        Self::with_input()
    }
}

impl Default for DataDeChunker<Vec<u8>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: AsRef<[u8]> + Send + 'static> DataDeChunker<C> {
    /// Takes the stream as pieces of type `C`.
    pub fn with_input() -> Self {
        DataDeChunker {
            inbox: Inbox::new(),
            control: Inbox::new(),
            flush: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            errors: Outbox::new(),
            format: ChunkFormat::default(),
            max: DEFAULT_MAX_FRAME,
            policy: OnMalformed::Fail,
        }
    }

    /// Uses `format`'s marker and escape byte.
    pub fn format(mut self, format: ChunkFormat) -> Self {
        self.format = format;
        self
    }

    /// Accepts chunks of up to `n` bytes (after unescaping).
    pub fn max_chunk_size(mut self, n: usize) -> Self {
        self.max = n;
        self
    }

    /// What to do after reporting a fault: end ([`OnMalformed::Fail`], the default) or drop the
    /// damaged chunk and resynchronise at the next marker ([`OnMalformed::Skip`]).
    pub fn on_malformed(mut self, policy: OnMalformed) -> Self {
        self.policy = policy;
        self
    }
}

impl<C: AsRef<[u8]> + Send + 'static> std::fmt::Debug for DataDeChunker<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataDeChunker")
            .field("format", &self.format)
            .field("max_chunk_size", &self.max)
            .field("on_malformed", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<C: AsRef<[u8]> + Send + 'static> Component for DataDeChunker<C> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let decoder = ChunkDecoder::new(self.format.clone())
            .with_limit(self.max)
            .on_malformed(self.policy);
        let boxes = drive::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
            errors: Some(&mut self.errors),
            flush: Some(&mut self.flush),
        };
        drive::drive(&ctx, Decode::<_, C>::new(decoder), boxes).await
    }
}

crate::impl_stage!([C: AsRef<[u8]> + Send + 'static] DataDeChunker<C>, C => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "DataDeChunker",
        "Kamaelia.Protocol.Framing.DataDeChunker",
        Family::Protocol,
        "Recovers the chunks DataChunker marked from a byte stream in pieces of any size; a chunk is sent when the next marker arrives, on flush, or at the end; faults are reported on errors, then it ends with Failed or resynchronises at the next marker.",
        axon::box_infos(&DataDeChunker::new()),
    )
    .parameter("types", "C: AsRef<[u8]> => Vec<u8>", "DataDeChunker::new() (Vec<u8>) or DataDeChunker::<C>::with_input()")
    .parameter("format", "ChunkFormat", "sync marker and escape byte (default \\xFF KAMSYNC, escape \\xFE)")
    .parameter("max_chunk_size", "usize", "the longest chunk accepted, unescaped (default 16 MiB)")
    .parameter("on_malformed", "OnMalformed", "Fail (default: report, then end with Failed) or Skip (report, drop, resynchronise)")
});
