//! Framer: turns each `(sequence number, payload)` pair into one self-describing frame,
//! `<seq> <len>\n<payload>` (Kamaelia: `Kamaelia.Protocol.Framing.Framer`).
//!
//! [`DeFramer`](super::DeFramer) is the receiving side; the format is in
//! [`codec::frame`](super::codec::frame). Each pair becomes one message, so on a byte stream put
//! a [`DataChunker`](super::DataChunker) after it (as [`srm_sender`](super::srm_sender) does) to
//! keep frame boundaries.
//!
//! Departure from Kamaelia: the length is counted in bytes and the payload is sent as its bytes
//! (Kamaelia counted the characters of the value and sent its `str()` text, so for bytes the two
//! disagreed).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::Framer;
//!
//! let mut system = System::deterministic();
//! let framer = Framer::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &framer.inbox).unwrap();
//! axon::link(&stop, &framer.control).unwrap();
//! axon::link(&framer.outbox, &output).unwrap();
//! system.spawn(framer);
//! input.try_send((42, b"payload".to_vec())).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"42 7\npayload".to_vec()));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `(u64, P)`, `P: AsRef<[u8]>` (default `Vec<u8>`) | sequence number and payload |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | one frame per pair |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * the payload type: [`Framer::new`] (`Vec<u8>`) or `Framer::<P>::with_payload()` (for
//!   example `String`).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it frames everything already queued, then passes `ProducerFinished` on
//! `signal` and ends. On `Shutdown` (or `Failed`) it ends at once, discarding what is queued,
//! and passes the message on. It holds no partial state, and every pair can be framed.

use std::convert::Infallible;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::codec::encode_frame;
use super::drive::{self, Convert, Made};

/// Frames `(seq, payload)` pairs. See the [module docs](self).
#[derive(Boxes)]
pub struct Framer<P: AsRef<[u8]> + Send + 'static = Vec<u8>> {
    /// Sequence number and payload.
    pub inbox: Inbox<(u64, P)>,
    /// `ProducerFinished` (frame what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// One frame per pair.
    pub outbox: Outbox<Vec<u8>>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
}

impl Framer<Vec<u8>> {
    /// Frames `(u64, Vec<u8>)` pairs.
    pub fn new() -> Self {
        Self::with_payload()
    }
}

impl Default for Framer<Vec<u8>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: AsRef<[u8]> + Send + 'static> Framer<P> {
    /// Frames `(u64, P)` pairs.
    pub fn with_payload() -> Self {
        Framer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<P: AsRef<[u8]> + Send + 'static> std::fmt::Debug for Framer<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Framer").finish_non_exhaustive()
    }
}

struct Encode<P>(std::marker::PhantomData<fn(P)>);

impl<P: AsRef<[u8]> + Send + 'static> Convert for Encode<P> {
    type In = (u64, P);
    type Out = Vec<u8>;
    type Err = Infallible;

    fn feed(&mut self, (seq, payload): (u64, P), out: &mut Made<Self>) {
        let mut frame = Vec::new();
        encode_frame(seq, payload.as_ref(), &mut frame);
        out.push(Ok(frame));
    }

    fn failed(&self) -> bool {
        false
    }
}

impl<P: AsRef<[u8]> + Send + 'static> Component for Framer<P> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let boxes = drive::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
            errors: None,
            flush: None,
        };
        drive::drive(&ctx, Encode::<P>(std::marker::PhantomData), boxes).await
    }
}

crate::impl_stage!([P: AsRef<[u8]> + Send + 'static] Framer<P>, (u64, P) => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "Framer",
        "Kamaelia.Protocol.Framing.Framer",
        Family::Protocol,
        "Turns each (sequence number, payload) pair into one frame \"<seq> <len>\\n<payload>\", the length counted in bytes.",
        axon::box_infos(&Framer::new()),
    )
    .parameter("types", "(u64, P: AsRef<[u8]>) => Vec<u8>", "Framer::new() (Vec<u8> payloads) or Framer::<P>::with_payload()")
});
