//! Protocols (Kamaelia's `Kamaelia.Protocol`): components that turn a byte stream into messages
//! and back, and the per-connection protocols a [`ServerCore`](crate::net::ServerCore) runs.
//!
//! Every parser here is a plain, synchronous decoder (bytes in, messages or a positioned error
//! out) wrapped by a thin component, so the decoder can be property-tested and fuzzed on its
//! own (`fuzz/`). Malformed input gives an error on a declared `errors` outbox naming the byte
//! offset, and ends only the component (and so only the connection) that received it.
//!
//! * [`framing`] — line framing ([`LineFramer`](framing::LineFramer) /
//!   [`ChunksToLines`](framing::ChunksToLines)), length-prefixed frames,
//!   Kamaelia's [`Framer`](framing::Framer) / [`DeFramer`](framing::DeFramer) and
//!   [`DataChunker`](framing::DataChunker) / [`DataDeChunker`](framing::DataDeChunker),
//!   [`MaxSizePacketiser`](framing::MaxSizePacketiser), [`RecoverOrder`](framing::RecoverOrder),
//!   and the simple reliable multicast prefabs [`srm_sender`](framing::srm_sender) /
//!   [`srm_receiver`](framing::srm_receiver).

pub mod fortune_cookie;
pub mod framing;
pub mod http;
