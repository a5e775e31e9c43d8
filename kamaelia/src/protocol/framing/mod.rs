//! Framing: keeping message boundaries across byte streams and lossy transports (Kamaelia's
//! `Kamaelia.Protocol.Framing`, `Packetise`, `RecoverOrder` and `SimpleReliableMulticast`, and
//! line and length-prefix framing).
//!
//! | sending side | receiving side | Kamaelia | what is on the wire |
//! |---|---|---|---|
//! | [`LineFramer`] | [`ChunksToLines`], [`ChunksToLineResults`] | (protocols by hand) / `chunks_to_lines` | lines ending CRLF or LF |
//! | [`LengthPrefixFramer`] | [`LengthPrefixDeframer`] | — | 4-byte big-endian length, payload |
//! | [`Framer`] | [`DeFramer`] | `Framing.Framer` / `DeFramer` | `<seq> <len>\n<payload>`, one per message |
//! | [`DataChunker`] | [`DataDeChunker`] | `Framing.DataChunker` / `DataDeChunker` | sync marker, escaped bytes |
//! | [`MaxSizePacketiser`] | — | `Packetise.MaxSizePacketiser` | packets of at most `n` bytes |
//! | — | [`RecoverOrder`] | `RecoverOrder.RecoverOrder` | `(seq, data)` back in order |
//! | [`srm_sender`] | [`srm_receiver`] | `SimpleReliableMulticast.SRM_Sender` / `SRM_Receiver` | prefabs of the above |
//!
//! Each receiving side runs a plain synchronous decoder from [`codec`] — the code the fuzz
//! targets (`fuzz/fuzz_targets/{lines,length_prefixed,deframer,dechunker}.rs`) and the property
//! tests exercise is the code that runs. Line decoding is [`ChunksToLines`], re-exported here
//! from [`util::transforms`](crate::util::transforms), running [`codec::LineDecoder`].
//!
//! # Malformed input
//!
//! Every decoding component except [`ChunksToLineResults`] (see below) has an `errors` outbox:
//! each fault is reported there as a value naming the byte offset (in the stream, or in the
//! message for [`DeFramer`]). Then:
//!
//! * on a byte stream that cannot be resynchronised ([`LengthPrefixDeframer`]), and by default
//!   ([`OnMalformed::Fail`]) for [`DeFramer`] and [`DataDeChunker`], the component ends with
//!   [`Control::Failed`](axon::Control::Failed) naming itself and the fault, after delivering
//!   everything decoded before it — in a per-connection protocol, only that connection closes;
//! * with [`OnMalformed::Skip`], [`DeFramer`] drops the bad frame and [`DataDeChunker`] the
//!   damaged chunk, resynchronising at the next marker, and carry on (for lossy transports),
//!   each report sent in its place: after the outputs before the fault, before those after it;
//! * [`ChunksToLines`] discards a too-long line and carries on with the next;
//!   [`ChunksToLineResults`] does the same, but reports it in its `outbox`, in the line's place.
//!
//! The encoders refuse what their decoder could not give back unchanged ([`LineFramer`]: a line
//! containing `\n`; [`LengthPrefixFramer`]: a message over its limit), the same way: an error on
//! `errors`, then `Failed`. Every buffer is bounded: lines by
//! [`max_line_length`](ChunksToLines::max_line_length), frames and chunks by
//! [`DEFAULT_MAX_FRAME`] (16 MiB) unless set, reordering by [`RecoverOrder::window`].
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::protocol::framing::{LengthPrefixDeframer, LengthPrefixFramer, MaxSizePacketiser};
//!
//! // Frame, cut into 3-byte packets (as a stream socket might), and deframe.
//! let mut system = System::deterministic();
//! let p = Pipeline::new(LengthPrefixFramer::new())
//!     .then(MaxSizePacketiser::new(3))
//!     .then(LengthPrefixDeframer::new());
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &p.inbox).unwrap();
//! axon::link(&stop, &p.control).unwrap();
//! axon::link(&p.outbox, &output).unwrap();
//! system.spawn(p);
//! input.try_send(b"first message".to_vec()).unwrap();
//! input.try_send(b"second".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"first message".to_vec()));
//! assert_eq!(output.try_recv(), Ok(b"second".to_vec()));
//! ```

pub mod codec;
pub mod data_chunker;
pub mod data_dechunker;
pub mod deframer;
mod drive;
pub mod framer;
pub mod length_prefix_deframer;
pub mod length_prefix_framer;
pub mod line_framer;
pub mod max_size_packetiser;
pub mod recover_order;
pub mod srm;

pub use codec::{
    ChunkError, ChunkFormat, FrameError, LengthPrefixError, LineEncodeError, OnMalformed,
    Terminator, DEFAULT_MAX_FRAME,
};
pub use data_chunker::DataChunker;
pub use data_dechunker::DataDeChunker;
pub use deframer::DeFramer;
pub use framer::Framer;
pub use length_prefix_deframer::LengthPrefixDeframer;
pub use length_prefix_framer::LengthPrefixFramer;
pub use line_framer::LineFramer;
pub use max_size_packetiser::MaxSizePacketiser;
pub use recover_order::{Gap, OrderStats, RecoverOrder, Released, ReorderBuffer};
pub use srm::{srm_receiver, srm_sender};

/// The receiving side of [`LineFramer`]: splits a byte stream into lines (CRLF or LF), bounded
/// by a maximum line length; re-exported from [`util::transforms`](crate::util::transforms).
pub use crate::util::transforms::{ChunksToLineResults, ChunksToLines, LineTooLong};
