//! Simple reliable multicast: [`srm_sender`] and [`srm_receiver`], the two ends of a stream of
//! messages carried over a transport that may reorder and duplicate them (Kamaelia:
//! `Kamaelia.Protocol.SimpleReliableMulticast.SRM_Sender` and `SRM_Receiver`, prefabs).
//!
//! ```text
//! srm_sender   = Pipeline(TagWithSequenceNumber, Framer, DataChunker)
//!   Vec<u8> ──► (seq, Vec<u8>) ──► b"<seq> <len>\n…" ──► marker + escaped frame
//!
//! srm_receiver = Pipeline(DataDeChunker(Skip), DeFramer(Skip), RecoverOrder)
//!   chunk stream ──► frames ──► (seq, Vec<u8>) ──► (seq, Vec<u8>) in order
//! ```
//!
//! Each message becomes one chunk, so a chunk can travel as one datagram (put a
//! [`MaxSizePacketiser`](super::MaxSizePacketiser) after the sender if datagrams must be smaller
//! — then losing one packet damages one chunk). The receiver accepts the chunks in pieces of any
//! size and in any order; it puts the messages back in order, drops duplicates, and, when a
//! message is missing for longer than [`RecoverOrder`]'s window, gives up on it and goes on.
//! It is "reliable" only in that sense — there are no retransmissions (nor were there in
//! Kamaelia). The receiver resynchronises after garbage and skips damaged chunks and frames,
//! as a receiver on a lossy transport must; its stages' `errors`, `gaps` and `stats` outboxes
//! are not linked, so their reports are dropped (build the pipeline yourself from the same
//! stages to watch them).
//!
//! Departures from Kamaelia: the sequence numbers start at 0 (Kamaelia's `Annotator` started at
//! 1); the receiver sends `(seq, payload)` pairs as Kamaelia's did, but in order at once rather
//! than 30 messages late, and delivers the last messages at the end of the stream.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::protocol::framing::{srm_receiver, srm_sender};
//!
//! let mut system = System::deterministic();
//! let link = Pipeline::new(srm_sender()).then(srm_receiver());
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &link.inbox).unwrap();
//! axon::link(&stop, &link.control).unwrap();
//! axon::link(&link.outbox, &output).unwrap();
//! system.spawn(link);
//! input.try_send(b"hello".to_vec()).unwrap();
//! input.try_send(b"world".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok((0, b"hello".to_vec())));
//! assert_eq!(output.try_recv(), Ok((1, b"world".to_vec())));
//! ```
//!
//! # Boxes
//!
//! | prefab | box | type | meaning |
//! |---|---|---|---|
//! | both | `control` | [`Control`](axon::Control) | to the first stage, passed down the pipeline |
//! | both | `signal` | [`Control`](axon::Control) | from the last stage |
//! | `srm_sender` | `inbox` | `Vec<u8>` | messages to send |
//! | `srm_sender` | `outbox` | `Vec<u8>` | one chunk per message, for the transport |
//! | `srm_receiver` | `inbox` | `Vec<u8>` | what the transport delivers, in pieces of any size |
//! | `srm_receiver` | `outbox` | `(u64, Vec<u8>)` | sequence number and message, in order |
//!
//! # Parameters
//!
//! None: build the pipeline from the stages to change the chunk format, window or policies.
//!
//! # Shutdown
//!
//! A [`Pipeline`]: `ProducerFinished` drains each stage in turn (the receiver flushes its last
//! chunk and sends every message it holds, in order) and comes out of `signal`; `Shutdown`
//! stops every stage at once.

use super::{DataChunker, DataDeChunker, DeFramer, Framer, OnMalformed, RecoverOrder};
use crate::chassis::Pipeline;
use crate::util::transforms::TagWithSequenceNumber;

/// The sending end: numbers each message from 0, frames it, and chunks the frame. See the
/// [module docs](self).
pub fn srm_sender() -> Pipeline<Vec<u8>, Vec<u8>> {
    Pipeline::new(TagWithSequenceNumber::<Vec<u8>>::new())
        .then(Framer::new())
        .then(DataChunker::new())
}

/// The receiving end: recovers the chunks (resynchronising), deframes them (skipping bad
/// frames) and puts them back in order. See the [module docs](self).
pub fn srm_receiver() -> Pipeline<Vec<u8>, (u64, Vec<u8>)> {
    Pipeline::new(DataDeChunker::new().on_malformed(OnMalformed::Skip))
        .then(DeFramer::new().on_malformed(OnMalformed::Skip))
        .then(RecoverOrder::new())
}

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "srm_sender",
        "Kamaelia.Protocol.SimpleReliableMulticast.SRM_Sender",
        Family::Protocol,
        "Prefab: Pipeline(TagWithSequenceNumber, Framer, DataChunker) — numbers, frames and chunks each message for a transport that may reorder or duplicate.",
        axon::box_infos(&srm_sender()),
    )
});

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "srm_receiver",
        "Kamaelia.Protocol.SimpleReliableMulticast.SRM_Receiver",
        Family::Protocol,
        "Prefab: Pipeline(DataDeChunker, DeFramer, RecoverOrder) — recovers the messages srm_sender sent, in order and without duplicates, resynchronising after damage.",
        axon::box_infos(&srm_receiver()),
    )
});
