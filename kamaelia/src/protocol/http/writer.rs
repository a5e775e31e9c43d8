//! HttpWriter: turns HTTP messages back into bytes — heads written out, bodies framed as their
//! head says (Kamaelia: none; in Kamaelia the writing was part of
//! `Kamaelia.Protocol.HTTP.HTTPRequestHandler.HTTPRequestHandler`).
//!
//! The last stage of an HTTP server's connection ([`HttpServer`](super::HttpServer)): a
//! [`HttpMessage`] stream in, the bytes to send out. A head whose `Transfer-Encoding` ends in
//! `chunked` makes the body go out in chunked transfer coding (one chunk per `Body` message,
//! `End` writes the last chunk); otherwise `Body` bytes go out as they are and `End` writes
//! nothing. It does not check that the bytes agree with a `Content-Length`: its sender decides
//! the framing ([`HttpRequestHandler`](super::HttpRequestHandler) does).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::http::{HttpMessage, HttpWriter, ResponseHead};
//!
//! let mut system = System::deterministic();
//! let writer = HttpWriter::responses();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &writer.inbox).unwrap();
//! axon::link(&stop, &writer.control).unwrap();
//! axon::link(&writer.outbox, &output).unwrap();
//! axon::link(&writer.signal, &signal).unwrap();
//! system.spawn(writer);
//! let head = ResponseHead::new(200).header("Transfer-Encoding", "chunked");
//! input.try_send(HttpMessage::Head(head)).unwrap();
//! input.try_send(HttpMessage::Body(b"hello".to_vec())).unwrap();
//! input.try_send(HttpMessage::End).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//!
//! let bytes: Vec<u8> = std::iter::from_fn(|| output.try_recv().ok()).flatten().collect();
//! assert_eq!(bytes, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`HttpMessage<H>`] | heads, body chunks and ends, message after message |
//! | `control` | [`Control`] | `ProducerFinished`: write what is queued, then stop; `Shutdown`/`Failed`: stop now |
//! | `outbox` | `Vec<u8>` | the bytes, one message per message part |
//! | `signal` | [`Control`] | the stop request, passed on when it ends |
//!
//! # Parameters
//!
//! * the head type: [`HttpWriter::responses`] or [`HttpWriter::requests`].
//!
//! # Shutdown
//!
//! `ProducerFinished`: writes everything queued, passes it on, ends (a message left without
//! its `End` stays unfinished: the writer adds nothing). `Shutdown` or `Failed`: ends at once,
//! discarding what is queued, and passes it on — also while its bytes wait for room (a reader
//! that takes nothing cannot hide a stop). If the receiver of its `outbox` has ended it sends
//! `Shutdown` on `signal` and ends, even while finishing. It holds no partial state beyond "is the current body
//! chunked".

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::message::{HttpMessage, MessageHead, RequestHead, ResponseHead};
use crate::support::{next_or_drain, pass_on, watching_if_it_waits, Stopped};

/// Most messages written per batch.
const BATCH: usize = 16;

/// Writes HTTP messages as bytes. See the [module docs](self).
#[derive(Boxes)]
pub struct HttpWriter<H: MessageHead> {
    /// Heads, body chunks and ends, message after message.
    pub inbox: Inbox<HttpMessage<H>>,
    /// `ProducerFinished`: write what is queued, then stop; `Shutdown`/`Failed`: stop now.
    pub control: Inbox<Control>,
    /// The bytes, one message per message part.
    pub outbox: Outbox<Vec<u8>>,
    /// The stop request, passed on when it ends.
    pub signal: Outbox<Control>,
}

impl<H: MessageHead> std::fmt::Debug for HttpWriter<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpWriter").finish_non_exhaustive()
    }
}

impl HttpWriter<ResponseHead> {
    /// A writer of responses (a server's side).
    pub fn responses() -> Self {
        Self::new()
    }
}

impl HttpWriter<RequestHead> {
    /// A writer of requests (a client's side).
    pub fn requests() -> Self {
        Self::new()
    }
}

impl<H: MessageHead> HttpWriter<H> {
    /// A writer of `H` messages.
    pub fn new() -> Self {
        HttpWriter {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<H: MessageHead> Default for HttpWriter<H> {
    fn default() -> Self {
        Self::new()
    }
}

/// Turns message parts into bytes, remembering whether the current body is chunked.
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    chunked: bool,
}

impl Encoder {
    /// The bytes for `message`, or `None` if it writes nothing.
    pub(crate) fn encode<H: MessageHead>(&mut self, message: HttpMessage<H>) -> Option<Vec<u8>> {
        match message {
            HttpMessage::Head(head) => {
                self.chunked = head.is_chunked();
                let mut out = Vec::with_capacity(256);
                head.encode(&mut out);
                Some(out)
            }
            HttpMessage::Body(data) if data.is_empty() => None,
            HttpMessage::Body(data) if self.chunked => {
                let mut out = format!("{:x}\r\n", data.len()).into_bytes();
                out.reserve(data.len() + 2);
                out.extend_from_slice(&data);
                out.extend_from_slice(b"\r\n");
                Some(out)
            }
            HttpMessage::Body(data) => Some(data),
            HttpMessage::End if self.chunked => {
                self.chunked = false;
                Some(b"0\r\n\r\n".to_vec())
            }
            HttpMessage::End => None,
        }
    }
}

impl<H: MessageHead> Component for HttpWriter<H> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut encoder = Encoder::default();
        let mut batch = Vec::with_capacity(BATCH);
        let mut out = Vec::with_capacity(BATCH);
        let mut finishing = false;
        let end = loop {
            let next = next_or_drain(
                &mut self.control,
                &mut self.inbox,
                &mut batch,
                BATCH,
                &mut finishing,
            );
            if let Some(end) = next.await.end() {
                break end;
            }
            out.extend(batch.drain(..).filter_map(|m| encoder.encode(m)));
            let send = self.outbox.send_all(&mut out);
            match watching_if_it_waits(&mut self.control, &mut finishing, send).await {
                Ok(Ok(())) => {}
                // The receiver of `outbox` has ended.
                Ok(Err(_)) => break Control::Shutdown,
                Err(Stopped(c)) => break c,
            }
        };
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([H: MessageHead] HttpWriter<H>, HttpMessage<H> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "HttpWriter",
        "(none: the writing half of Kamaelia.Protocol.HTTP.HTTPRequestHandler)",
        Family::Protocol,
        "Writes HTTP messages (Head, Body, End) as bytes; a head with Transfer-Encoding: chunked makes the body go out in chunks.",
        axon::box_infos(&HttpWriter::responses()),
    )
    .parameter("H", "RequestHead | ResponseHead", "HttpWriter::responses() or HttpWriter::requests()")
});
