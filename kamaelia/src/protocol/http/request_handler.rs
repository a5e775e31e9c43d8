//! HttpRequestHandler: answers the parsed requests of one connection, each with a resource
//! handler component chosen by a router, and sends the responses in request order (Kamaelia:
//! `Kamaelia.Protocol.HTTP.HTTPRequestHandler.HTTPRequestHandler`).
//!
//! For each request (a `Head` on its inbox) it asks the router — a function of the
//! [`RequestHead`] given to [`HttpRequestHandler::new`] — for a [`Handler`]: a resource
//! handler component, made for that one request, such as [`StaticFiles`](super::StaticFiles)
//! or [`ErrorPageHandler`]. It runs it as a child:
//!
//! * the request body goes to the child's `inbox`, in chunks; the end of the body is
//!   `ProducerFinished` on the child's `control`;
//! * the child sends the response on its `outbox` as a [`ResponseMessage`] stream: a `Head`
//!   (status and header fields, with `Content-Length` if it knows the length), `Body` chunks,
//!   and `End` — or it simply ends, which ends the response too.
//!
//! Requests are served one at a time, so responses leave in request order; pipelined requests
//! wait in the (bounded) inbox meanwhile.
//!
//! The handler chooses how each body is delimited, as Kamaelia's did: `Content-Length` if the
//! child gave one, otherwise chunked transfer coding for HTTP/1.1 clients, otherwise (HTTP/1.0)
//! by closing the connection. `Transfer-Encoding` and `Connection` fields the child sets are
//! replaced, a `Server` field is added if missing, bodies of `HEAD` requests and 1xx/204/304
//! responses are dropped, and `Expect: 100-continue` gets its `100 Continue`. The connection
//! stays open after a response unless the client asked to close it (HTTP/1.1
//! `Connection: close`, HTTP/1.0 without `keep-alive`), the child said `Connection: close`,
//! the body had to be delimited by closing, or the child broke its `Content-Length` (sent
//! fewer bytes; extra bytes are dropped). Then the handler ends after that response, which
//! closes the connection.
//!
//! Every response it sends — the children's, its own error pages, `100 Continue` — gets a
//! `Date` field (RFC 9110 §6.6.1) unless the child set one: the time its
//! [`clock`](HttpRequestHandler::clock) reads as the head goes out, in IMF-fixdate form
//! (`Sun, 06 Nov 1994 08:49:37 GMT`, see [`http_date`]). A clock reading before 1970 or after
//! 9999 is taken to be wrong, and no `Date` is sent.
//!
//! A child that ends without sending a head gets `500 Internal Server Error` sent for it; an
//! HTTP/1.1 request without `Host` gets `400 Bad Request` without asking the router.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::http::{
//!     ErrorPageHandler, Handler, HttpMessage, HttpRequestHandler, RequestHead,
//! };
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//!
//! let mut system = System::deterministic();
//! // Every path is missing; the clock is fixed, so the Date field is known.
//! let handler = HttpRequestHandler::new(|_request: &RequestHead| {
//!     Handler::new(ErrorPageHandler::new(404))
//! })
//! .clock(|| UNIX_EPOCH + Duration::from_secs(784_111_777));
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &handler.inbox).unwrap();
//! axon::link(&stop, &handler.control).unwrap();
//! axon::link(&handler.outbox, &output).unwrap();
//! axon::link(&handler.signal, &signal).unwrap();
//! system.spawn(handler);
//! input.try_send(HttpMessage::Head(RequestHead::new("GET", "/nothing").header("Host", "x"))).unwrap();
//! input.try_send(HttpMessage::End).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//!
//! let HttpMessage::Head(head) = output.try_recv().unwrap() else { panic!("a head first") };
//! assert_eq!(head.status, 404);
//! assert!(head.headers.contains("Content-Length"));
//! assert_eq!(head.headers.get_str("Date"), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
//! assert!(matches!(output.try_recv(), Ok(HttpMessage::Body(_))));
//! assert_eq!(output.try_recv(), Ok(HttpMessage::End));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`RequestMessage`] | parsed requests: `Head`, `Body` chunks, `End`, request after request |
//! | `control` | [`Control`] | `ProducerFinished`: no more requests; `Failed`: the request stream was malformed (answered with 400); `Shutdown`: stop now |
//! | `outbox` | [`ResponseMessage`] | the responses, in request order, framed for the connection |
//! | `signal` | [`Control`] | `ProducerFinished` when the connection should close after what was sent; `Shutdown` when stopped |
//!
//! The boxes linked to the current resource handler are internal (Kamaelia's `_handler...`
//! boxes) and not listed.
//!
//! # Parameters
//!
//! * the router, given to [`HttpRequestHandler::new`]: `FnMut(&RequestHead) -> Handler`,
//!   called once per request;
//! * [`clock`](HttpRequestHandler::clock): `fn() -> SystemTime`, read for each response's
//!   `Date` field (default [`SystemTime::now`]).
//!
//! # Shutdown
//!
//! * `ProducerFinished` (the client closed its side): the requests already queued are answered
//!   in order, then it sends `ProducerFinished` on `signal` and ends.
//! * `Failed` (sent by the parser when the request stream is malformed): as for
//!   `ProducerFinished`, the complete requests queued before the error are answered first;
//!   then, unless a response is already partly sent, a `400 Bad Request` page naming the error
//!   goes out (with `Connection: close`). A request cut short by the error has its resource
//!   handler stopped. Then it sends `ProducerFinished` on `signal` — not `Failed`: the failure
//!   has been answered, and what follows must write the page, then close. `control` is watched
//!   while the page waits for room: a `Shutdown` then (or a closed `control`) drops the rest of
//!   the page and is passed on; a further `ProducerFinished` or `Failed` changes nothing.
//! * `Shutdown`: the current resource handler is sent `Shutdown` and waited for; queued
//!   requests are discarded; it sends `Shutdown` on `signal` and ends.
//! * A resource handler that does not end after its `End` is sent `Shutdown`. If the receiver
//!   of `outbox` has ended, it stops the resource handler, sends `Shutdown` on `signal` and
//!   ends.
//! * Waiting for a resource handler it has sent `Shutdown` (for either of the two reasons above)
//!   is bounded, not watching `control`: the request handler is already stopping, so another
//!   stop would ask for nothing more. A resource handler that has not ended 5 seconds after the
//!   `Shutdown` (it ignores it, or its `control` was full) is cancelled, and the request handler
//!   goes on ending.

use std::time::{Duration, SystemTime};

use axon::{
    next_event, Boxes, Component, ComponentId, Context, Control, Error, Event, Inbox, InboxRef,
    LinkError, Outbox,
};

use super::error_pages::{error_page, ErrorPageHandler};
use super::message::{
    http_date, reason_phrase, HttpMessage, RequestHead, RequestMessage, ResponseHead,
    ResponseMessage, Version,
};
use crate::support::{pass_on, watching_if_it_waits, Stopped};
use crate::Stage;

/// The `Server` field added to responses that have none.
const SERVER: &str = "kamaelia-rs";

/// How long a resource handler sent `Shutdown` may take to end before it is cancelled.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Waits for the child `id` to end (at once if it has ended already).
async fn child_ended(ctx: &mut Context, id: ComponentId) {
    while let Some(exit) = ctx.next_child_exit().await {
        if exit.id == id {
            break;
        }
    }
}

/// Adds a `Date` field — the time `clock` reads, in IMF-fixdate form — to `head` unless it has
/// one already; none if the clock reads a time [`http_date`] cannot write.
fn add_date(head: &mut ResponseHead, clock: fn() -> SystemTime) {
    if !head.headers.contains("date") {
        if let Some(date) = http_date(clock()) {
            head.headers.append("Date", date);
        }
    }
}

/// A started resource handler: what is needed to stop it and recognise its end.
struct Started {
    id: ComponentId,
    control: InboxRef<Control>,
}

type Start = Box<
    dyn FnOnce(
            &mut Context,
            &Outbox<Vec<u8>>,
            &Inbox<ResponseMessage>,
        ) -> Result<Started, LinkError>
        + Send,
>;

/// A resource handler for one request, not yet started: what a router returns.
///
/// Any [`Stage`] that takes the request body (`Vec<u8>` chunks) and sends a
/// [`ResponseMessage`] stream can be one.
pub struct Handler {
    name: &'static str,
    start: Start,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler").field("name", &self.name).finish()
    }
}

impl Handler {
    /// `stage` as the resource handler of a request.
    pub fn new<S: Stage<In = Vec<u8>, Out = ResponseMessage>>(stage: S) -> Self {
        let full = std::any::type_name::<S>();
        let plain = full.split('<').next().unwrap_or(full);
        let name = plain.rsplit("::").next().unwrap_or(plain);
        Handler {
            name,
            start: Box::new(move |ctx, to, from| {
                let child = ctx.adopt_named(format!("resource handler {name}"), stage);
                ctx.link(to, child.inbox())?;
                ctx.link(child.outbox(), from)?;
                let started = Started {
                    id: child.id(),
                    control: child.control().handle(),
                };
                ctx.activate(child);
                Ok(started)
            }),
        }
    }
}

/// Chooses the resource handler for each request.
type Router = Box<dyn FnMut(&RequestHead) -> Handler + Send>;

/// Answers the parsed requests of one connection. See the [module docs](self).
#[derive(Boxes)]
pub struct HttpRequestHandler {
    /// Parsed requests: `Head`, `Body` chunks, `End`, request after request.
    pub inbox: Inbox<RequestMessage>,
    /// `ProducerFinished`: no more requests; `Failed`: the request stream was malformed;
    /// `Shutdown`: stop now.
    pub control: Inbox<Control>,
    /// The responses, in request order, framed for the connection.
    pub outbox: Outbox<ResponseMessage>,
    /// `ProducerFinished` when the connection should close after what was sent; `Shutdown`
    /// when stopped.
    pub signal: Outbox<Control>,
    /// The request body, to the current resource handler.
    #[boxes(skip)]
    to_handler: Outbox<Vec<u8>>,
    /// The response, from the current resource handler.
    #[boxes(skip)]
    from_handler: Inbox<ResponseMessage>,
    #[boxes(skip)]
    router: Router,
    /// A head that arrived before the previous request's `End` (not from a well-behaved
    /// parser), kept for the next turn.
    #[boxes(skip)]
    held: Option<RequestHead>,
    /// Read for each response's `Date` field.
    #[boxes(skip)]
    clock: fn() -> SystemTime,
}

impl std::fmt::Debug for HttpRequestHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequestHandler").finish_non_exhaustive()
    }
}

impl HttpRequestHandler {
    /// A request handler asking `router` for each request's resource handler.
    pub fn new(router: impl FnMut(&RequestHead) -> Handler + Send + 'static) -> Self {
        HttpRequestHandler {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            to_handler: Outbox::new(),
            from_handler: Inbox::new(),
            router: Box::new(router),
            held: None,
            clock: SystemTime::now,
        }
    }

    /// The same request handler reading the time for each response's `Date` field from
    /// `clock` (default [`SystemTime::now`]): a fixed clock makes responses reproducible.
    pub fn clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.clock = clock;
        self
    }
}

/// How a response body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No body is sent.
    NoBody,
    /// `Content-Length`: this many bytes still to send.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Until the connection closes.
    UntilClose,
}

/// One response being sent: its framing, and whether the connection closes after it.
#[derive(Debug)]
struct Reply {
    head_request: bool,
    version: Version,
    keep_alive: bool,
    /// `None` until the head is sent.
    mode: Option<Mode>,
    close_after: bool,
    /// The response is complete: later parts from the resource handler are dropped.
    ended: bool,
    /// Read for the `Date` field.
    clock: fn() -> SystemTime,
}

impl Reply {
    fn for_request(request: &RequestHead, clock: fn() -> SystemTime) -> Self {
        Reply {
            head_request: request.method.eq_ignore_ascii_case("HEAD"),
            version: request.version,
            keep_alive: request.keep_alive(),
            mode: None,
            close_after: false,
            ended: false,
            clock,
        }
    }

    /// A reply to a stream that could not be parsed: no version known, the connection closes.
    fn for_malformed(clock: fn() -> SystemTime) -> Self {
        Reply {
            head_request: false,
            version: Version::Http10,
            keep_alive: false,
            mode: None,
            close_after: true,
            ended: false,
            clock,
        }
    }

    /// The head as sent: framing decided, connection fields, `Server` and `Date` set. Every
    /// final response the request handler sends is made here.
    fn head(&mut self, mut head: ResponseHead) -> ResponseHead {
        head.version = Version::Http11;
        if head.reason.is_empty() {
            head.reason = reason_phrase(head.status).to_string();
        }
        let handler_closes = head.headers.has_token("connection", "close");
        for name in ["connection", "keep-alive", "transfer-encoding"] {
            head.headers.remove(name);
        }
        if !head.headers.contains("server") {
            head.headers.append("Server", SERVER);
        }
        add_date(&mut head, self.clock);
        let length = head
            .headers
            .get_str("content-length")
            .map(|v| v.trim().parse::<u64>());
        if let Some(Err(_)) = length {
            head.headers.remove("content-length");
        }
        let mode = if self.head_request || head.is_bodiless_status() {
            Mode::NoBody
        } else if let Some(Ok(n)) = length {
            Mode::Length(n)
        } else if self.version == Version::Http11 {
            head.headers.append("Transfer-Encoding", "chunked");
            Mode::Chunked
        } else {
            Mode::UntilClose
        };
        self.close_after |= !self.keep_alive || handler_closes || mode == Mode::UntilClose;
        if self.close_after {
            head.headers.append("Connection", "close");
        } else if self.version == Version::Http10 {
            head.headers.append("Connection", "keep-alive");
        }
        self.mode = Some(mode);
        head
    }

    /// What to send for one part from the resource handler.
    fn part(&mut self, part: ResponseMessage, out: &mut Vec<ResponseMessage>) {
        if self.ended {
            return;
        }
        match (part, self.mode) {
            (HttpMessage::Head(h), None) => out.push(HttpMessage::Head(self.head(h))),
            (HttpMessage::Head(_), Some(_)) => {} // a second head: dropped
            (_, None) => self.page(500, Some("the resource handler sent no head"), out),
            (HttpMessage::Body(data), Some(mode)) => match mode {
                Mode::NoBody => {}
                Mode::Length(left) => {
                    let n = (data.len() as u64).min(left) as usize;
                    if n < data.len() {
                        self.close_after = true; // more than it announced: dropped
                    }
                    self.mode = Some(Mode::Length(left - n as u64));
                    if n > 0 {
                        let mut data = data;
                        data.truncate(n);
                        out.push(HttpMessage::Body(data));
                    }
                }
                Mode::Chunked | Mode::UntilClose => {
                    if !data.is_empty() {
                        out.push(HttpMessage::Body(data));
                    }
                }
            },
            (HttpMessage::End, Some(_)) => self.end(out),
        }
    }

    /// Ends the response (the resource handler sent `End`, or ended).
    fn end(&mut self, out: &mut Vec<ResponseMessage>) {
        if self.ended {
            return;
        }
        match self.mode {
            None => return self.page(500, Some("the resource handler sent no response"), out),
            Some(Mode::Length(left)) if left > 0 => self.close_after = true,
            Some(_) => {}
        }
        self.ended = true;
        out.push(HttpMessage::End);
    }

    /// A whole error page, as the response.
    fn page(&mut self, status: u16, detail: Option<&str>, out: &mut Vec<ResponseMessage>) {
        let (head, body) = error_page(status, detail);
        out.push(HttpMessage::Head(self.head(head)));
        self.part(HttpMessage::Body(body), out);
        self.end(out);
    }
}

/// How serving one request ended.
enum Served {
    /// Answered; the connection stays open.
    Next,
    /// Answered; the connection closes after it.
    Close,
    /// The input ended inside the request; whether a response head was already sent.
    CutShort { head_sent: bool },
    /// A stop request.
    Stop(Control),
    /// The receiver of `outbox` has ended.
    Gone,
}

/// What happened while serving.
enum Step {
    Control(Control),
    Input(Option<RequestMessage>),
    Forwarded(bool),
    Response(Option<ResponseMessage>),
    Sent(bool),
    Exit,
}

impl HttpRequestHandler {
    /// The next request head, or the control message that ends the input. With `input_end`
    /// set, only what is already queued is taken.
    async fn next_head(&mut self, input_end: &mut Option<Control>) -> Result<RequestHead, Control> {
        if let Some(head) = self.held.take() {
            return Ok(head);
        }
        loop {
            if let Some(end) = input_end {
                if let Ok(c) = self.control.try_recv() {
                    if !matches!(c, Control::ProducerFinished | Control::Failed(_)) {
                        return Err(c);
                    }
                }
                match self.inbox.try_recv() {
                    Ok(HttpMessage::Head(h)) => return Ok(h),
                    Ok(_) => continue, // the rest of a request that was never started
                    Err(_) => return Err(end.clone()),
                }
            }
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(HttpMessage::Head(h)) => return Ok(h),
                Event::Message(_) => {}
                Event::Control(c @ (Control::ProducerFinished | Control::Failed(_))) => {
                    *input_end = Some(c);
                }
                Event::Control(c) => return Err(c),
            }
        }
    }

    /// Serves one request, from choosing its resource handler to its response's end.
    async fn serve(
        &mut self,
        ctx: &mut Context,
        request: RequestHead,
        input_end: &mut Option<Control>,
    ) -> Result<Served, Error> {
        let mut reply = Reply::for_request(&request, self.clock);
        let mut out: Vec<ResponseMessage> = Vec::new();
        let handler = if request.version == Version::Http11 && !request.headers.contains("host") {
            reply.close_after = true;
            Handler::new(ErrorPageHandler::new(400).detail("HTTP/1.1 requests need a Host field"))
        } else {
            if request.version == Version::Http11
                && request.headers.has_token("expect", "100-continue")
            {
                let mut interim = ResponseHead::new(100);
                add_date(&mut interim, self.clock);
                out.push(HttpMessage::Head(interim));
                out.push(HttpMessage::End);
            }
            (self.router)(&request)
        };
        let name = handler.name;
        let started = (handler.start)(ctx, &self.to_handler, &self.from_handler).map_err(|e| {
            Error::msg(format!(
                "{}: cannot link resource handler {name}: {e}",
                ctx.name()
            ))
        })?;
        let mut child = Some(started);
        let mut body: Vec<Vec<u8>> = Vec::with_capacity(1);
        let (mut request_done, mut cut_short, mut told_finished, mut told_stop) =
            (false, false, false, false);
        loop {
            if let Some(c) = &child {
                if request_done && body.is_empty() && !told_finished {
                    c.control.try_send(Control::ProducerFinished).ok();
                    told_finished = true;
                }
                if (reply.ended && request_done || cut_short) && !told_stop {
                    c.control.try_send(Control::Shutdown).ok();
                    told_stop = true;
                }
            }
            if out.is_empty() && child.is_none() && (reply.ended || cut_short) && request_done {
                return Ok(if cut_short {
                    Served::CutShort {
                        head_sent: reply.mode.is_some(),
                    }
                } else if reply.close_after {
                    Served::Close
                } else {
                    Served::Next
                });
            }
            let want_input = !request_done && body.is_empty();
            if want_input && input_end.is_some() {
                // No more input will come: take what is queued, or the request is cut short.
                match self.inbox.try_recv() {
                    Ok(m) => self.take_input(m, &mut body, &mut request_done, child.is_some()),
                    Err(_) => (request_done, cut_short) = (true, true),
                }
                continue;
            }
            let step = tokio::select! {
                biased;
                c = self.control.recv() => Step::Control(c.unwrap_or(Control::Shutdown)),
                r = self.outbox.send_all(&mut out), if !out.is_empty() => Step::Sent(r.is_ok()),
                m = self.from_handler.recv(), if out.is_empty() && child.is_some() => Step::Response(m),
                r = self.to_handler.send_all(&mut body), if !body.is_empty() => Step::Forwarded(r.is_ok()),
                m = self.inbox.recv(), if want_input => Step::Input(m),
                _ = ctx.next_child_exit(), if child.is_some() => Step::Exit,
            };
            match step {
                Step::Control(c @ (Control::ProducerFinished | Control::Failed(_))) => {
                    *input_end = Some(c);
                }
                Step::Control(c) => {
                    self.stop_child(ctx, child.take()).await;
                    return Ok(Served::Stop(c));
                }
                Step::Sent(true) => {}
                Step::Sent(false) => {
                    self.stop_child(ctx, child.take()).await;
                    return Ok(Served::Gone);
                }
                Step::Response(Some(part)) => {
                    if !cut_short {
                        reply.part(part, &mut out);
                    }
                }
                Step::Response(None) => {}
                Step::Forwarded(true) => {}
                Step::Forwarded(false) => body.clear(), // the resource handler has ended
                Step::Input(Some(m)) => {
                    self.take_input(m, &mut body, &mut request_done, child.is_some())
                }
                Step::Input(None) => (request_done, cut_short) = (true, true),
                Step::Exit => {
                    if let Some(c) = child.take() {
                        ctx.remove_child(c.id);
                    }
                    body.clear();
                    while let Ok(part) = self.from_handler.try_recv() {
                        if !cut_short {
                            reply.part(part, &mut out);
                        }
                    }
                    if !cut_short {
                        reply.end(&mut out);
                    }
                }
            }
        }
    }

    /// Takes one message of the current request's rest.
    fn take_input(
        &mut self,
        m: RequestMessage,
        body: &mut Vec<Vec<u8>>,
        request_done: &mut bool,
        child_running: bool,
    ) {
        match m {
            HttpMessage::Body(data) if child_running && !data.is_empty() => body.push(data),
            HttpMessage::Body(_) => {}
            HttpMessage::End => *request_done = true,
            HttpMessage::Head(h) => {
                // A new request before this one's end: this one is over.
                self.held = Some(h);
                *request_done = true;
            }
        }
    }

    /// Stops a running resource handler and waits for it to end — for at most [`STOP_GRACE`]:
    /// one that has not ended by then (it ignores `Shutdown`, or its `control` was full) is
    /// cancelled.
    async fn stop_child(&mut self, ctx: &mut Context, child: Option<Started>) {
        if let Some(c) = child {
            c.control.try_send(Control::Shutdown).ok();
            if tokio::time::timeout(STOP_GRACE, child_ended(ctx, c.id))
                .await
                .is_err()
            {
                // Cancelling is not refused: its body is dropped at its next poll.
                ctx.cancel_child(c.id);
                child_ended(ctx, c.id).await;
            }
            ctx.remove_child(c.id);
        }
    }

    /// Sends a whole response made here, watching `control` while it waits for room: `Ok(false)`
    /// if nobody takes it any more, `Err` with a `Shutdown` (or a closed `control`) that came
    /// first. The input has already ended, so a further `ProducerFinished` or `Failed` changes
    /// nothing.
    async fn send_page(&mut self, status: u16, detail: &str) -> Result<bool, Control> {
        let mut out = Vec::new();
        Reply::for_malformed(self.clock).page(status, Some(detail), &mut out);
        let mut input_ended = true;
        loop {
            // `send_all` keeps what it has not sent in `out`, so the wait can start again.
            let send = self.outbox.send_all(&mut out);
            match watching_if_it_waits(&mut self.control, &mut input_ended, send).await {
                Ok(sent) => return Ok(sent.is_ok()),
                Err(Stopped(Control::Failed(_))) => {}
                Err(Stopped(c)) => return Err(c),
            }
        }
    }
}

impl Component for HttpRequestHandler {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let mut input_end: Option<Control> = None;
        let head_sent = loop {
            let request = match self.next_head(&mut input_end).await {
                Ok(h) => h,
                Err(Control::ProducerFinished | Control::Failed(_)) => break false,
                Err(c) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            };
            match self.serve(&mut ctx, request, &mut input_end).await? {
                Served::Next => {}
                Served::Close => {
                    pass_on(&mut self.signal, Control::ProducerFinished).await;
                    return Ok(());
                }
                Served::CutShort { head_sent } => break head_sent,
                Served::Stop(c) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
                Served::Gone => {
                    pass_on(&mut self.signal, Control::Shutdown).await;
                    return Ok(());
                }
            }
        };
        if let (Some(Control::Failed(reason)), false) = (&input_end, head_sent) {
            let reason = reason.to_string();
            let end = match self.send_page(400, &reason).await {
                Ok(true) => Control::ProducerFinished,
                Ok(false) => Control::Shutdown,
                Err(c) => c,
            };
            pass_on(&mut self.signal, end).await;
            return Ok(());
        }
        pass_on(&mut self.signal, Control::ProducerFinished).await;
        Ok(())
    }
}

crate::impl_stage!([] HttpRequestHandler, RequestMessage => ResponseMessage);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "HttpRequestHandler",
        "Kamaelia.Protocol.HTTP.HTTPRequestHandler.HTTPRequestHandler",
        Family::Protocol,
        "Answers parsed requests one at a time, each by a resource handler component a router picks; frames the responses (Content-Length, chunked or close), adds Server and Date, keep-alive, 400 for malformed input, 500 if a handler sends nothing.",
        axon::box_infos(&HttpRequestHandler::new(|_| Handler::new(ErrorPageHandler::new(404)))),
    )
    .parameter("router", "FnMut(&RequestHead) -> Handler", "HttpRequestHandler::new(router): the resource handler for each request")
    .parameter("clock", "fn() -> SystemTime", "read for each response's Date field (default SystemTime::now)")
});
