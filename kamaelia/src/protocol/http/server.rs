//! HttpServer: the protocol of one HTTP connection — parser → request handler → writer — for
//! a [`ServerCore`](crate::net::ServerCore) to run per connection, and [`http_server`], the
//! factory that makes one per connection (Kamaelia: `Kamaelia.Protocol.HTTP.HTTPServer`, the
//! `HTTPServer` prefab with its `HTTPShutdownLogicHandling`).
//!
//! Inside, as children:
//!
//! ```text
//! bytes ─▶ HttpParser::requests() ─▶ HttpRequestHandler(router) ─▶ HttpWriter::responses() ─▶ bytes
//!               │ errors                    │ one resource handler per request
//!               ▼                           ▼
//!         (own `errors`)         StaticFiles / ErrorPageHandler / yours
//! ```
//!
//! The parser's `signal` goes to the request handler's `control`, the request handler's to the
//! writer's, the writer's to this component's `signal`. A malformed request makes the parser
//! report it (on this component's `errors`) and send `Failed`; the request handler answers the
//! complete requests before it, then `400 Bad Request`, and the connection closes — only that
//! one. When the writer has ended (everything written), the parser is stopped too, so a
//! response that closes the connection really closes it.
//!
//! The request handler adds `Server` and `Date` fields to each response where the resource
//! handler set none, and the framing fields (see [`HttpRequestHandler`]).
//!
//! ```
//! use axon::{Inbox, Outbox, System};
//! use kamaelia::net::ServerCore;
//! use kamaelia::protocol::http::{http_server, ErrorPageHandler, Handler, RequestHead};
//! use std::io::{Read, Write};
//! use std::time::Duration;
//!
//! let mut system = System::new();
//! let router = |request: &RequestHead| Handler::new(ErrorPageHandler::new(404).detail(request.path()));
//! let server = ServerCore::new("127.0.0.1:0".parse().unwrap(), http_server(router));
//! let mut addresses = Inbox::new();
//! axon::link(&server.addresses, &addresses).unwrap();
//! let mut stop = Outbox::new();
//! axon::link(&stop, &server.control).unwrap();
//! system.spawn(server);
//! system.start();
//! let address = addresses.recv_blocking_timeout(Duration::from_secs(10)).unwrap();
//!
//! let mut client = std::net::TcpStream::connect(address).unwrap();
//! client.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
//! client.write_all(b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//! let mut response = String::new();
//! client.read_to_string(&mut response).unwrap(); // the server closes after the response
//! assert!(response.starts_with("HTTP/1.1 404 Not Found\r\n"));
//! assert!(response.contains("\r\nDate: ")); // e.g. `Date: Sun, 06 Nov 1994 08:49:37 GMT`
//! assert!(response.contains("/nowhere"));
//!
//! stop.send_blocking(axon::Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | the connection's bytes |
//! | `control` | [`Control`] | `ProducerFinished` (the client closed its side): passed to the parser, the requests received are answered; `Shutdown`/`Failed` (a reset): stops everything |
//! | `outbox` | `Vec<u8>` | the responses' bytes |
//! | `errors` | [`HttpError`] | a malformed request, with its byte offset |
//! | `signal` | [`Control`] | what the writer passed on when it ended: `ProducerFinished` after the last response, `Shutdown` if stopped |
//!
//! # Parameters
//!
//! * the router, given to [`HttpServer::new`] or [`http_server`]: the resource handler for
//!   each request (see [`HttpRequestHandler`]);
//! * [`limits`](HttpServer::limits): the parser's [`Limits`] (64 KiB heads, 100 fields, 64 KiB
//!   body chunks by default);
//! * [`clock`](HttpServer::clock): read for each response's `Date` field (default
//!   [`SystemTime::now`]); [`http_server`] keeps the default, a factory of your own can fix it:
//!   `move |_, _| HttpServer::new(router).clock(clock)`.
//!
//! # Shutdown
//!
//! `ProducerFinished` on `control` goes to the parser, and each child passes what ends it to
//! the next, so the requests already received are answered, then the connection closes.
//! `Shutdown` or `Failed` (a connection reset) stops all three at once; the writer is sent the
//! message itself, so it normally comes out on `signal`. When the writer ends, the parser and
//! request handler are sent `Shutdown` (they have nothing left to do for this connection);
//! when all three have ended, this component ends. A child that fails or panics stops the
//! others the same way. Connections stay open between
//! requests as long as the client keeps them (there is no idle timeout).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use axon::{Boxes, Component, Context, Control, Error, Exit, Inbox, Outbox};

use super::decoder::{HttpError, Limits};
use super::message::RequestHead;
use super::parser::HttpParser;
use super::request_handler::{Handler, HttpRequestHandler};
use super::writer::HttpWriter;

/// The protocol of one HTTP connection. See the [module docs](self).
#[derive(Boxes)]
pub struct HttpServer {
    /// The connection's bytes.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished`: the client closed its side (the requests received are answered);
    /// `Shutdown`/`Failed`: stop everything.
    pub control: Inbox<Control>,
    /// The responses' bytes.
    pub outbox: Outbox<Vec<u8>>,
    /// A malformed request, with its byte offset.
    pub errors: Outbox<HttpError>,
    /// What the writer passed on when it ended.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    handler: Option<HttpRequestHandler>,
    #[boxes(skip)]
    limits: Limits,
}

impl std::fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServer")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl HttpServer {
    /// The protocol of one connection, asking `router` for each request's resource handler.
    pub fn new(router: impl FnMut(&RequestHead) -> Handler + Send + 'static) -> Self {
        HttpServer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            handler: Some(HttpRequestHandler::new(router)),
            limits: Limits::default(),
        }
    }

    /// The same server with other parser [`Limits`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same server reading the time for each response's `Date` field from `clock`
    /// (default [`SystemTime::now`]; see [`HttpRequestHandler::clock`]).
    pub fn clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.handler = self.handler.map(|h| h.clock(clock));
        self
    }
}

/// A protocol factory for [`ServerCore`](crate::net::ServerCore): an [`HttpServer`] per
/// connection, all sharing `router` (Kamaelia's `HTTPServer(createRequestHandler)` given to a
/// `SimpleServer`).
///
/// ```
/// use kamaelia::net::ServerCore;
/// use kamaelia::protocol::http::{http_server, StaticFiles};
/// let _server = ServerCore::new("127.0.0.1:0".parse().unwrap(), http_server(StaticFiles::router("htdocs")));
/// ```
pub fn http_server(
    router: impl Fn(&RequestHead) -> Handler + Send + Sync + 'static,
) -> impl FnMut(SocketAddr, SocketAddr) -> HttpServer + Send + 'static {
    let router = Arc::new(router);
    move |_peer, _local| {
        let router = Arc::clone(&router);
        HttpServer::new(move |request: &RequestHead| router(request))
    }
}

impl Component for HttpServer {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let Some(handler) = self.handler.take() else {
            return Ok(());
        };
        let parser = ctx.adopt_named("http parser", HttpParser::requests().limits(self.limits));
        let handler = ctx.adopt_named("request handler", handler);
        let writer = ctx.adopt_named("response writer", HttpWriter::responses());
        ctx.forward_inbox(&self.inbox, &parser.inbox)?;
        ctx.forward_outbox(&parser.errors, &self.errors)?;
        ctx.link(&parser.outbox, &handler.inbox)?;
        ctx.link(&parser.signal, &handler.control)?;
        ctx.link(&handler.outbox, &writer.inbox)?;
        ctx.link(&handler.signal, &writer.control)?;
        ctx.forward_outbox(&writer.outbox, &self.outbox)?;
        ctx.forward_outbox(&writer.signal, &self.signal)?;
        let parser_control = parser.control.handle();
        let (handler_id, handler_control) = (handler.id(), handler.control.handle());
        let (writer_id, writer_control) = (writer.id(), writer.control.handle());
        ctx.activate(parser);
        ctx.activate(handler);
        ctx.activate(writer);
        let stop_all = |writer_gets: Control| {
            parser_control.try_send(Control::Shutdown).ok();
            handler_control.try_send(Control::Shutdown).ok();
            writer_control.try_send(writer_gets).ok();
        };
        let mut stopping = false;
        loop {
            tokio::select! {
                biased;
                c = self.control.recv(), if !stopping => match c.unwrap_or(Control::Shutdown) {
                    // The client closed its side: the requests already received are answered.
                    Control::ProducerFinished => {
                        parser_control.try_send(Control::ProducerFinished).ok();
                    }
                    // Stop now (a reset connection arrives as `Failed`): the writer passes it on.
                    c => {
                        stop_all(c);
                        stopping = true;
                    }
                },
                exit = ctx.next_child_exit() => {
                    let Some(exit) = exit else { break };
                    if exit.id == writer_id || !matches!(exit.exit, Exit::Finished) {
                        // Everything is written (or something broke): nothing left to do.
                        stop_all(Control::Shutdown);
                        stopping = true;
                    } else if exit.id == handler_id {
                        // It passed its stop on to the writer; make sure the writer hears it.
                        writer_control.try_send(Control::ProducerFinished).ok();
                    }
                }
            }
        }
        Ok(())
    }
}

crate::impl_stage!([] HttpServer, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "HttpServer",
        "Kamaelia.Protocol.HTTP.HTTPServer.HTTPServer",
        Family::Protocol,
        "The protocol of one HTTP connection for ServerCore: HttpParser → HttpRequestHandler (a resource handler per request) → HttpWriter; http_server(router) is the factory.",
        axon::box_infos(&HttpServer::new(|_| {
            Handler::new(super::ErrorPageHandler::new(404))
        })),
    )
    .parameter("router", "Fn(&RequestHead) -> Handler", "HttpServer::new(router), or http_server(router) as ServerCore's factory")
    .parameter("limits", "Limits", "the parser's limits (64 KiB heads, 100 fields, 64 KiB body chunks)")
    .parameter("clock", "fn() -> SystemTime", "read for each response's Date field (default SystemTime::now)")
});
