//! Transforms: components that turn each message into zero or more others (Kamaelia's
//! `Kamaelia.Util` transforms, and `chunks_to_lines`).
//!
//! | here | Kamaelia | what it does |
//! |---|---|---|
//! | [`PureTransformer`] | `Util.PureTransformer.PureTransformer` | `f(msg)`; `None` drops |
//! | [`Filter`] | `Util.Filter.Filter` | passes what a predicate accepts |
//! | [`SequentialTransformer`] | `Util.SequentialTransformer.SequentialTransformer` | a chain of functions in one component |
//! | [`Stringify`] | `Util.Stringify.Stringify` | `Display` (or `Debug`) text of each message |
//! | [`Detuple`] | `Util.Detuple.SimpleDetupler` | element `N` of each tuple |
//! | [`TagWithSequenceNumber`] | `Util.TagWithSequenceNumber.TagWithSequenceNumber` | `(seq, msg)` |
//! | [`LineSplit`] | `Util.LineSplit.LineSplit` | each message split into lines |
//! | [`ChunksToLines`] | `Visualisation.PhysicsGraph.chunks_to_lines.chunks_to_lines` | pieces of a stream reassembled into lines |
//! | [`ChunksToLineResults`] | (none) | the same, with too-long lines reported in place among the lines |
//! | [`Chunkifier`] | `Util.Chunkifier.Chunkifier` | a stream regrouped into fixed-size chunks |
//! | [`FirstOnly`] | `Util.FirstOnly.FirstOnly` | the first message only |
//! | [`UnseenOnly`] | `Util.UnseenOnly.UnseenOnly` | each distinct message once (bounded memory) |
//! | [`SyncBatch`] | `Util.Sync.Sync` | one message per batch of `n` |
//!
//! All of them follow the same shutdown rules: on `ProducerFinished` they process everything
//! already queued, deliver their partial state (a partial line, chunk or batch), pass the
//! `ProducerFinished` on `signal` and end; on `Shutdown` they end at once, discarding queued
//! input and partial state, and pass the `Shutdown` on.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::util::transforms::{ChunksToLines, Filter, TagWithSequenceNumber};
//!
//! let mut system = System::deterministic();
//! let p = Pipeline::new(ChunksToLines::text())
//!     .then(Filter::new(|line: &String| !line.is_empty()))
//!     .then(TagWithSequenceNumber::new().starting_at(1));
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &p.inbox).unwrap();
//! axon::link(&stop, &p.control).unwrap();
//! axon::link(&p.outbox, &output).unwrap();
//! system.spawn(p);
//! input.try_send("first\n\nsec".to_string()).unwrap();
//! input.try_send("ond\n".to_string()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok((1, "first".to_string())));
//! assert_eq!(output.try_recv(), Ok((2, "second".to_string())));
//! ```

pub mod chunkifier;
pub mod chunks_to_line_results;
pub mod chunks_to_lines;
pub mod detuple;
pub mod filter;
pub mod first_only;
pub mod line_split;
pub mod pure_transformer;
pub mod sequential_transformer;
mod step;
pub mod stringify;
pub mod sync_batch;
pub mod tag_with_sequence_number;
pub mod unseen_only;

pub use chunkifier::{ChunkData, Chunkifier};
pub use chunks_to_line_results::ChunksToLineResults;
pub use chunks_to_lines::{ChunksToLines, LineData, LineTooLong, DEFAULT_MAX_LINE};
pub use detuple::{Detuple, TupleElement};
pub use filter::Filter;
pub use first_only::FirstOnly;
pub use line_split::LineSplit;
pub use pure_transformer::{Map, PureTransformer, Transform};
pub use sequential_transformer::SequentialTransformer;
pub use stringify::Stringify;
pub use sync_batch::SyncBatch;
pub use tag_with_sequence_number::TagWithSequenceNumber;
pub use unseen_only::{UnseenOnly, DEFAULT_UNSEEN_CAPACITY};
