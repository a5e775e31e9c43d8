//! HttpParser: turns a byte stream into HTTP messages — for each request (or response) a head,
//! body chunks and an end (Kamaelia: `Kamaelia.Protocol.HTTP.HTTPParser.HTTPParser`).
//!
//! The component wraps an [`HttpDecoder`]: every chunk of bytes that arrives is pushed and
//! every complete message part is sent on at once, so bodies stream through in bounded
//! chunks and several requests on one connection (keep-alive, pipelining) come out one after
//! another. [`HttpParser::requests`] parses what a client sends (a server's side),
//! [`HttpParser::responses`] what a server sends (a client's side).
//!
//! Malformed input is reported on `errors` as an [`HttpError`] naming the byte offset; the
//! parser then sends [`Control::Failed`] with the same text on `signal` and ends — in a server,
//! that answers the client with `400 Bad Request` and closes only its connection.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::http::{HttpMessage, HttpParser};
//!
//! let mut system = System::deterministic();
//! let parser = HttpParser::requests();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &parser.inbox).unwrap();
//! axon::link(&stop, &parser.control).unwrap();
//! axon::link(&parser.outbox, &output).unwrap();
//! axon::link(&parser.signal, &signal).unwrap();
//! system.spawn(parser);
//! input.try_send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHo".to_vec()).unwrap();
//! input.try_send(b"st: x\r\nContent-Length: 2\r\n\r\nhi".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap(); // the client closed the connection
//! system.run().unwrap();
//!
//! let got: Vec<_> = std::iter::from_fn(|| output.try_recv().ok()).collect();
//! assert!(matches!(&got[0], HttpMessage::Head(h) if h.path() == "/a"));
//! assert_eq!(got[1], HttpMessage::End);
//! assert!(matches!(&got[2], HttpMessage::Head(h) if h.method == "POST"));
//! assert_eq!(got[3], HttpMessage::Body(b"hi".to_vec()));
//! assert_eq!(got[4], HttpMessage::End);
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | the byte stream, in chunks of any size |
//! | `control` | [`Control`] | `ProducerFinished`: the stream has ended; `Shutdown`/`Failed`: stop now |
//! | `outbox` | [`HttpMessage<H>`] | `Head`, `Body` chunks (each at most `max_body_chunk` bytes), `End`, message after message |
//! | `errors` | [`HttpError`] | the malformed input, with its byte offset (at most one) |
//! | `signal` | [`Control`] | `ProducerFinished` at a clean end of stream, `Failed` on malformed input, else the stop request |
//!
//! # Parameters
//!
//! * the head type: [`HttpParser::requests`] ([`RequestHead`]) or [`HttpParser::responses`]
//!   ([`ResponseHead`]);
//! * [`limits`](HttpParser::limits): [`Limits`] on heads and body chunks (default 64 KiB
//!   heads, 100 header fields, 64 KiB body chunks). The parser holds at most one head's worth
//!   of bytes plus one incoming chunk.
//!
//! # Shutdown
//!
//! `ProducerFinished` (the peer closed the connection): parses everything queued, then ends the
//! stream — a response body running until the connection closes gets its `End`; a message cut
//! short is malformed input (a `Truncated` error, then `Failed` on `signal`); otherwise it sends
//! `ProducerFinished` on `signal` and ends. `Shutdown` or `Failed`: ends at once, discarding
//! queued bytes and any partial message, and passes the message on. Malformed input: sends the
//! [`HttpError`] on `errors`, `Failed` on `signal` naming the offset, and ends (the bytes after
//! the error are not parsed). If the component its `outbox` leads to has ended, it sends
//! `Shutdown` on `signal` and ends (there is nobody left to parse for).

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};

use super::decoder::{HttpDecoder, HttpError, Limits};
use super::message::{HttpMessage, MessageHead, RequestHead, ResponseHead};
use crate::support::pass_on;

/// Parses a byte stream into HTTP messages. See the [module docs](self).
#[derive(Boxes)]
pub struct HttpParser<H: MessageHead> {
    /// The byte stream, in chunks of any size.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished`: the stream has ended; `Shutdown`/`Failed`: stop now.
    pub control: Inbox<Control>,
    /// Heads, body chunks and ends, message after message.
    pub outbox: Outbox<HttpMessage<H>>,
    /// The malformed input, with its byte offset (at most one).
    pub errors: Outbox<HttpError>,
    /// `ProducerFinished` at a clean end of stream, `Failed` on malformed input, else the stop
    /// request.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    decoder: HttpDecoder<H>,
}

impl<H: MessageHead> std::fmt::Debug for HttpParser<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpParser")
            .field("decoder", &self.decoder)
            .finish_non_exhaustive()
    }
}

impl HttpParser<RequestHead> {
    /// A parser of requests (what a client sends).
    pub fn requests() -> Self {
        Self::new()
    }
}

impl HttpParser<ResponseHead> {
    /// A parser of responses (what a server sends).
    pub fn responses() -> Self {
        Self::new()
    }
}

impl<H: MessageHead> HttpParser<H> {
    /// A parser of `H` heads with the default [`Limits`].
    pub fn new() -> Self {
        HttpParser {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            decoder: HttpDecoder::new(),
        }
    }

    /// The same parser with other [`Limits`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.decoder = HttpDecoder::with_limits(limits);
        self
    }
}

impl<H: MessageHead> Default for HttpParser<H> {
    fn default() -> Self {
        Self::new()
    }
}

/// Why sending what was decoded stopped.
enum Stop {
    /// A stop request arrived while waiting to send.
    Control(Control),
    /// The input was malformed.
    Malformed(HttpError),
    /// The receiver of `outbox` has ended.
    Gone,
}

impl<H: MessageHead> HttpParser<H> {
    /// Sends every message the decoder has ready, watching `control` while a send waits. A
    /// `ProducerFinished` arriving meanwhile is remembered in `finished` (the queued input is
    /// still parsed); other stop requests end the sending.
    async fn send_ready(&mut self, finished: &mut bool) -> Result<(), Stop> {
        loop {
            let message = match self.decoder.next() {
                Ok(Some(m)) => m,
                Ok(None) => return Ok(()),
                Err(e) => return Err(Stop::Malformed(e)),
            };
            let mut slot = vec![message];
            while !slot.is_empty() {
                tokio::select! {
                    biased;
                    c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                        Control::ProducerFinished => *finished = true,
                        c => return Err(Stop::Control(c)),
                    },
                    r = self.outbox.send_all(&mut slot) => {
                        if r.is_err() {
                            return Err(Stop::Gone);
                        }
                    }
                }
            }
        }
    }

    /// Parses one chunk, or (with `None`) ends the stream.
    async fn feed(&mut self, bytes: Option<Vec<u8>>, finished: &mut bool) -> Result<(), Stop> {
        match bytes {
            Some(b) => self.decoder.push(&b),
            None => self.decoder.finish(),
        }
        self.send_ready(finished).await
    }
}

impl<H: MessageHead> Component for HttpParser<H> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut finished = false;
        let stop = loop {
            let step = if finished {
                // Parse what was queued before the end of the stream, then end it; a stop
                // request still ends it at once.
                if let Ok(c) = self.control.try_recv() {
                    if !c.is_producer_finished() {
                        break Some(Stop::Control(c));
                    }
                }
                let bytes = self.inbox.try_recv().ok();
                let last = bytes.is_none();
                match self.feed(bytes, &mut finished).await {
                    Ok(()) if last => break None,
                    r => r,
                }
            } else {
                match next_event(&mut self.control, &mut self.inbox).await {
                    Event::Message(bytes) => self.feed(Some(bytes), &mut finished).await,
                    Event::Control(Control::ProducerFinished) => {
                        finished = true;
                        Ok(())
                    }
                    Event::Control(c) => Err(Stop::Control(c)),
                }
            };
            if let Err(stop) = step {
                break Some(stop);
            }
        };
        match stop {
            None => pass_on(&mut self.signal, Control::ProducerFinished).await,
            Some(Stop::Control(c)) => pass_on(&mut self.signal, c).await,
            Some(Stop::Gone) => pass_on(&mut self.signal, Control::Shutdown).await,
            Some(Stop::Malformed(e)) => {
                let reason = format!("{}: {e}", ctx.name());
                self.errors.send(e).await.ok();
                pass_on(&mut self.signal, Control::failed(reason)).await;
            }
        }
        Ok(())
    }
}

crate::impl_stage!([H: MessageHead] HttpParser<H>, Vec<u8> => HttpMessage<H>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "HttpParser",
        "Kamaelia.Protocol.HTTP.HTTPParser.HTTPParser",
        Family::Protocol,
        "Parses an HTTP/1.x byte stream (requests or responses) into Head, bounded Body chunks and End, message after message; malformed input goes on errors with its byte offset, then Failed on signal.",
        axon::box_infos(&HttpParser::requests()),
    )
    .parameter("H", "RequestHead | ResponseHead", "HttpParser::requests() or HttpParser::responses()")
    .parameter("limits", "Limits", "max_head_bytes (64 KiB), max_headers (100), max_body_chunk (64 KiB)")
});
