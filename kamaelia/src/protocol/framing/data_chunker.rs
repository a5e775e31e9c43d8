//! DataChunker: marks where each message starts in a byte stream, by putting a sync marker
//! before it and escaping every byte of it that could be mistaken for the marker (Kamaelia:
//! `Kamaelia.Protocol.Framing.DataChunker`).
//!
//! [`DataDeChunker`](super::DataDeChunker) is the receiving side: it finds the markers again,
//! however the stream was cut up on the way, and can join a stream part way through. The format
//! — marker, escape byte, and why the round trip is exact for any bytes — is in
//! [`codec::chunk`](super::codec::chunk).
//!
//! Departure from Kamaelia: Kamaelia escaped each character of its marker with `%xx`, which is
//! not reversible for every marker and data; here the escaping is HDLC-style byte stuffing, the
//! marker's first byte must be unique in it, and the default marker is `\xFF` `KAMSYNC` (escape
//! byte `\xFE`), so text passes unescaped.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::DataChunker;
//!
//! let mut system = System::deterministic();
//! let chunker = DataChunker::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &chunker.inbox).unwrap();
//! axon::link(&stop, &chunker.control).unwrap();
//! axon::link(&chunker.outbox, &output).unwrap();
//! system.spawn(chunker);
//! input.try_send(b"text".to_vec()).unwrap();
//! input.try_send(vec![0xff]).unwrap(); // the marker's first byte: escaped
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"\xffKAMSYNCtext".to_vec()));
//! assert_eq!(output.try_recv(), Ok(b"\xffKAMSYNC\xfe\xdf".to_vec()));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `M: AsRef<[u8]>` (default `Vec<u8>`) | messages, each to become one chunk |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | one chunk (marker, then escaped bytes) per message |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * the input type: [`DataChunker::new`] (`Vec<u8>`) or `DataChunker::<M>::with_input()`.
//! * [`format`](DataChunker::format)`(ChunkFormat)`: the sync marker and escape byte (default
//!   [`ChunkFormat::default`]); the dechunker must use the same.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it chunks everything already queued, then passes `ProducerFinished` on
//! `signal` and ends. On `Shutdown` (or `Failed`) it ends at once, discarding what is queued,
//! and passes the message on. It holds no partial state, and every message can be chunked (a
//! chunk is longer than its message by the marker plus one byte per escaped byte).

use std::convert::Infallible;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::codec::ChunkFormat;
use super::drive::{self, Convert, Made};

/// Puts a sync marker before each message and escapes it. See the [module docs](self).
#[derive(Boxes)]
pub struct DataChunker<M: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// Messages, each to become one chunk.
    pub inbox: Inbox<M>,
    /// `ProducerFinished` (chunk what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// One chunk (marker, then escaped bytes) per message.
    pub outbox: Outbox<Vec<u8>>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    format: ChunkFormat,
}

impl DataChunker<Vec<u8>> {
    /// Chunks `Vec<u8>` messages with the default format.
    pub fn new() -> Self {
        Self::with_input()
    }
}

impl Default for DataChunker<Vec<u8>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: AsRef<[u8]> + Send + 'static> DataChunker<M> {
    /// Chunks messages of type `M` with the default format.
    pub fn with_input() -> Self {
        DataChunker {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            format: ChunkFormat::default(),
        }
    }

    /// Uses `format`'s marker and escape byte.
    pub fn format(mut self, format: ChunkFormat) -> Self {
        self.format = format;
        self
    }
}

impl<M: AsRef<[u8]> + Send + 'static> std::fmt::Debug for DataChunker<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataChunker")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

struct Encode<M> {
    format: ChunkFormat,
    _m: std::marker::PhantomData<fn(M)>,
}

impl<M: AsRef<[u8]> + Send + 'static> Convert for Encode<M> {
    type In = M;
    type Out = Vec<u8>;
    type Err = Infallible;

    fn feed(&mut self, msg: M, out: &mut Made<Self>) {
        let mut chunk = Vec::new();
        self.format.encode(msg.as_ref(), &mut chunk);
        out.push(Ok(chunk));
    }

    fn failed(&self) -> bool {
        false
    }
}

impl<M: AsRef<[u8]> + Send + 'static> Component for DataChunker<M> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let encode = Encode::<M> {
            format: self.format.clone(),
            _m: std::marker::PhantomData,
        };
        let boxes = drive::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
            errors: None,
            flush: None,
        };
        drive::drive(&ctx, encode, boxes).await
    }
}

crate::impl_stage!([M: AsRef<[u8]> + Send + 'static] DataChunker<M>, M => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "DataChunker",
        "Kamaelia.Protocol.Framing.DataChunker",
        Family::Protocol,
        "Puts a sync marker before each message and escapes the marker's bytes inside it, so a receiver can find message boundaries in a byte stream (exact round trip for any bytes).",
        axon::box_infos(&DataChunker::new()),
    )
    .parameter("types", "M: AsRef<[u8]> => Vec<u8>", "DataChunker::new() (Vec<u8>) or DataChunker::<M>::with_input()")
    .parameter("format", "ChunkFormat", "sync marker and escape byte (default \\xFF KAMSYNC, escape \\xFE)")
});
