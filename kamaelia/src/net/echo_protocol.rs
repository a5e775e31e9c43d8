//! EchoProtocol: sends back every chunk of bytes it receives, unchanged and in order (Kamaelia:
//! `Kamaelia.Protocol.EchoProtocol.EchoProtocol`).
//!
//! The protocol a [`ServerCore`](crate::net::ServerCore) runs per connection for an echo server,
//! and a handy stand-in for any byte-stream stage. It works in batches: whatever is waiting in
//! its inbox goes out with one [`Outbox::send_all`].
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::net::EchoProtocol;
//!
//! let mut system = System::deterministic();
//! let echo = EchoProtocol::new();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &echo.inbox).unwrap();
//! axon::link(&stop, &echo.control).unwrap();
//! axon::link(&echo.outbox, &output).unwrap();
//! axon::link(&echo.signal, &signal).unwrap();
//! system.spawn(echo);
//! input.try_send(b"hello".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"hello".to_vec()));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | bytes to echo |
//! | `control` | [`Control`] | stop requests (a peer closing its connection arrives as `ProducerFinished`) |
//! | `outbox` | `Vec<u8>` | the same bytes |
//! | `signal` | [`Control`] | the stop request, passed on when it ends |
//!
//! # Parameters
//!
//! None.
//!
//! # Shutdown
//!
//! `ProducerFinished`: echoes everything still queued, sends `ProducerFinished` on `signal`,
//! ends. `Shutdown`: discards what is queued, sends `Shutdown` on `signal`, ends at once. It
//! holds no partial state.

use axon::{next_batch, Batch, Boxes, Component, Context, Control, Error, Inbox, Outbox};

/// Most chunks moved per batch.
const BATCH: usize = 64;

/// Echoes its inbox to its outbox. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct EchoProtocol {
    /// Bytes to echo.
    pub inbox: Inbox<Vec<u8>>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// The same bytes.
    pub outbox: Outbox<Vec<u8>>,
    /// The stop request, passed on when it ends.
    pub signal: Outbox<Control>,
}

impl EchoProtocol {
    /// An echo protocol.
    pub fn new() -> Self {
        EchoProtocol {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl Default for EchoProtocol {
    fn default() -> Self {
        Self::new()
    }
}

impl Component for EchoProtocol {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(BATCH);
        loop {
            match next_batch(&mut self.control, &mut self.inbox, &mut buf, BATCH).await {
                Batch::Messages(_) => {
                    if self.outbox.send_all(&mut buf).await.is_err() {
                        // Nobody takes the echo any more: the connection is gone.
                        self.signal.send(Control::Shutdown).await.ok();
                        return Ok(());
                    }
                }
                Batch::Control(c) => {
                    if c.is_producer_finished() {
                        while self.inbox.recv_many(&mut buf, BATCH) > 0 {
                            if self.outbox.send_all(&mut buf).await.is_err() {
                                break;
                            }
                        }
                    }
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}

crate::impl_stage!([] EchoProtocol, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "EchoProtocol",
        "Kamaelia.Protocol.EchoProtocol.EchoProtocol",
        Family::Internet,
        "Sends back every chunk of bytes it receives, in order; the per-connection protocol of an echo server.",
        axon::box_infos(&EchoProtocol::new()),
    )
});
