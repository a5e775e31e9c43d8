//! MaxSizePacketiser: cuts a byte stream into packets of at most `n` bytes, for transports that
//! lose or refuse large datagrams (multicast, UDP) (Kamaelia:
//! `Kamaelia.Protocol.Packetise.MaxSizePacketiser`).
//!
//! The messages that arrive are one continuous stream: packets are exactly `n` bytes (default
//! 1000, as in Kamaelia), regardless of where one message ended, except the last, which holds
//! what is left at the end of the stream. The concatenation of the packets is always the
//! concatenation of the messages. It is [`Chunkifier`] under its Kamaelia name — the same
//! code, running as this component — so with [`no_delay`](MaxSizePacketiser::no_delay) it
//! instead sends what it holds whenever its inbox runs empty, trading full packets for latency.
//!
//! Departure from Kamaelia, which never ended: the end of the stream flushes the remainder.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::MaxSizePacketiser;
//!
//! let mut system = System::deterministic();
//! let p = MaxSizePacketiser::new(4);
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &p.inbox).unwrap();
//! axon::link(&stop, &p.control).unwrap();
//! axon::link(&p.outbox, &output).unwrap();
//! system.spawn(p);
//! input.try_send(b"abcdef".to_vec()).unwrap();
//! input.try_send(b"ghij".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"abcd".to_vec()));
//! assert_eq!(output.try_recv(), Ok(b"efgh".to_vec()));
//! assert_eq!(output.try_recv(), Ok(b"ij".to_vec())); // the remainder, at the end
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | the stream, in pieces of any size |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | packets of `n` bytes (the last may be shorter) |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `n`, the packet size in bytes, given to [`MaxSizePacketiser::new`] (at least 1;
//!   [`Default`] gives Kamaelia's 1000).
//! * [`no_delay`](MaxSizePacketiser::no_delay)`()`: send what is held whenever the inbox has been
//!   emptied, instead of waiting to fill a packet.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it packetises everything already queued, sends the packets, then the
//! **remainder** (fewer than `n` bytes; nothing if none), then passes `ProducerFinished` on
//! `signal` and ends. On `Shutdown` (or `Failed`) it ends at once, discarding what is queued and
//! the remainder, and passes the message on. It holds fewer than `n` bytes between messages.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use crate::util::transforms::Chunkifier;

/// Kamaelia's default packet size.
const DEFAULT_PACKET: usize = 1000;

/// Cuts a byte stream into packets of at most `n` bytes. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct MaxSizePacketiser {
    /// The stream, in pieces of any size.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished` (packetise what is queued, send the remainder, stop) or `Shutdown`.
    pub control: Inbox<Control>,
    /// Packets of `n` bytes; the last may be shorter.
    pub outbox: Outbox<Vec<u8>>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    size: usize,
    no_delay: bool,
}

impl MaxSizePacketiser {
    /// Packets of `n` bytes.
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn new(n: usize) -> Self {
        assert!(n > 0, "MaxSizePacketiser packet size must be at least 1");
        MaxSizePacketiser {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            size: n,
            no_delay: false,
        }
    }

    /// Sends what is held as a short packet whenever the inbox has been emptied.
    pub fn no_delay(mut self) -> Self {
        self.no_delay = true;
        self
    }
}

impl Default for MaxSizePacketiser {
    /// Kamaelia's default: packets of 1000 bytes.
    fn default() -> Self {
        Self::new(DEFAULT_PACKET)
    }
}

impl Component for MaxSizePacketiser {
    async fn run(self, ctx: Context) -> Result<(), Error> {
        // The same regrouping as Chunkifier, run on this component's own boxes.
        let mut chunkifier = Chunkifier::<Vec<u8>>::new(self.size);
        if self.no_delay {
            chunkifier = chunkifier.no_delay();
        }
        chunkifier.inbox = self.inbox;
        chunkifier.control = self.control;
        chunkifier.outbox = self.outbox;
        chunkifier.signal = self.signal;
        chunkifier.run(ctx).await
    }
}

crate::impl_stage!([] MaxSizePacketiser, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "MaxSizePacketiser",
        "Kamaelia.Protocol.Packetise.MaxSizePacketiser",
        Family::Protocol,
        "Cuts a byte stream into packets of n bytes (default 1000) for datagram transports; the remainder is sent at the end of the stream.",
        axon::box_infos(&MaxSizePacketiser::default()),
    )
    .parameter("n", "usize", "packet size in bytes, at least 1 (default 1000)")
    .parameter("no_delay", "()", "send what is held whenever the inbox has been emptied")
});
