//! DeFramer: turns each frame `<seq> <len>\n<payload>` made by [`Framer`](super::Framer) back
//! into its `(sequence number, payload)` pair (Kamaelia: `Kamaelia.Protocol.Framing.DeFramer`).
//!
//! Each message must be exactly one frame (as [`DataDeChunker`](super::DataDeChunker) delivers
//! them); the format and its checks are in [`codec::frame`](super::codec::frame). A message that
//! is not one well-formed frame is reported on `errors` as a [`FrameError`] naming the message,
//! the byte offset and what is wrong. Then, by default ([`OnMalformed::Fail`]), the deframer
//! ends with [`Control::Failed`]; with [`OnMalformed::Skip`] it drops that message and carries
//! on — every message is decoded on its own, so one bad frame does not affect the next (the
//! choice of [`srm_receiver`](super::srm_receiver), on a lossy transport).
//!
//! Departures from Kamaelia, which silently dropped a frame shorter than its header said,
//! ignored bytes after the payload, and crashed on a malformed header: every one of those is a
//! reported error here.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::DeFramer;
//!
//! let mut system = System::deterministic();
//! let deframer = DeFramer::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &deframer.inbox).unwrap();
//! axon::link(&stop, &deframer.control).unwrap();
//! axon::link(&deframer.outbox, &output).unwrap();
//! system.spawn(deframer);
//! input.try_send(b"42 7\npayload".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok((42, b"payload".to_vec())));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `M: AsRef<[u8]>` (default `Vec<u8>`) | frames, one per message |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `(u64, Vec<u8>)` | sequence number and payload of each good frame, in order |
//! | `signal` | [`Control`] | the control message that ended it, or `Failed` after a malformed frame (under `OnMalformed::Fail`) |
//! | `errors` | [`FrameError`] | each malformed message: its index (from 0), byte offset and fault; sent before the pairs after it |
//!
//! # Parameters
//!
//! * the input type: [`DeFramer::new`] (`Vec<u8>`) or `DeFramer::<M>::with_input()`.
//! * [`on_malformed`](DeFramer::on_malformed)`(OnMalformed)`: [`OnMalformed::Fail`] (default:
//!   report, then end with `Failed`) or [`OnMalformed::Skip`] (report, drop, carry on).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it decodes everything already queued, sends the pairs (and errors),
//! then passes `ProducerFinished` on `signal` and ends. On `Shutdown` (or `Failed`) it ends at
//! once, discarding what is queued, and passes the message on. It holds no partial state. A
//! malformed frame under `OnMalformed::Fail`: the pairs before it are sent, the error goes to
//! `errors`, `Control::Failed` goes to `signal`, and it ends.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::codec::{FrameDecoder, FrameError, OnMalformed};
use super::drive::{self, Convert, Made};

/// Turns frames back into `(seq, payload)` pairs. See the [module docs](self).
#[derive(Boxes)]
pub struct DeFramer<M: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// Frames, one per message.
    pub inbox: Inbox<M>,
    /// `ProducerFinished` (decode what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Sequence number and payload of each good frame, in order.
    pub outbox: Outbox<(u64, Vec<u8>)>,
    /// The control message that ended it, or `Failed` after a malformed frame.
    pub signal: Outbox<Control>,
    /// Each malformed message: its index, byte offset and fault.
    pub errors: Outbox<FrameError>,
    policy: OnMalformed,
}

impl DeFramer<Vec<u8>> {
    /// Takes frames as `Vec<u8>`.
    pub fn new() -> Self {
        Self::with_input()
    }
}

impl Default for DeFramer<Vec<u8>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: AsRef<[u8]> + Send + 'static> DeFramer<M> {
    /// Takes frames as `M`.
    pub fn with_input() -> Self {
        DeFramer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            errors: Outbox::new(),
            policy: OnMalformed::Fail,
        }
    }

    /// What to do after reporting a malformed frame: end ([`OnMalformed::Fail`], the default)
    /// or drop it and carry on ([`OnMalformed::Skip`]).
    pub fn on_malformed(mut self, policy: OnMalformed) -> Self {
        self.policy = policy;
        self
    }
}

impl<M: AsRef<[u8]> + Send + 'static> std::fmt::Debug for DeFramer<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeFramer")
            .field("on_malformed", &self.policy)
            .finish_non_exhaustive()
    }
}

struct Decode<M> {
    decoder: FrameDecoder,
    policy: OnMalformed,
    failed: bool,
    _m: std::marker::PhantomData<fn(M)>,
}

impl<M: AsRef<[u8]> + Send + 'static> Convert for Decode<M> {
    type In = M;
    type Out = (u64, Vec<u8>);
    type Err = FrameError;

    fn feed(&mut self, msg: M, out: &mut Made<Self>) {
        let result = self.decoder.decode(msg.as_ref());
        if result.is_err() {
            self.failed = self.policy == OnMalformed::Fail;
        }
        out.push(result);
    }

    fn failed(&self) -> bool {
        self.failed
    }
}

impl<M: AsRef<[u8]> + Send + 'static> Component for DeFramer<M> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let decode = Decode::<M> {
            decoder: FrameDecoder::new(),
            policy: self.policy,
            failed: false,
            _m: std::marker::PhantomData,
        };
        let boxes = drive::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
            errors: Some(&mut self.errors),
            flush: None,
        };
        drive::drive(&ctx, decode, boxes).await
    }
}

crate::impl_stage!([M: AsRef<[u8]> + Send + 'static] DeFramer<M>, M => (u64, Vec<u8>));

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "DeFramer",
        "Kamaelia.Protocol.Framing.DeFramer",
        Family::Protocol,
        "Turns each frame \"<seq> <len>\\n<payload>\" (one per message) back into its (sequence number, payload) pair; a malformed frame is reported on errors, then it ends with Failed or skips it.",
        axon::box_infos(&DeFramer::new()),
    )
    .parameter("types", "M: AsRef<[u8]> => (u64, Vec<u8>)", "DeFramer::new() (Vec<u8>) or DeFramer::<M>::with_input()")
    .parameter("on_malformed", "OnMalformed", "Fail (default: report, then end with Failed) or Skip (report, drop, carry on)")
});
