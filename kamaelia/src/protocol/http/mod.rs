//! HTTP/1.x (Kamaelia's `Kamaelia.Protocol.HTTP`): a server built from components, and a
//! simple client.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`HttpParser`] | `Protocol.HTTP.HTTPParser.HTTPParser` | bytes → `Head`, bounded `Body` chunks, `End`, message after message; malformed input on `errors` with its byte offset |
//! | [`HttpRequestHandler`] | `Protocol.HTTP.HTTPRequestHandler.HTTPRequestHandler` | one resource handler component per request, chosen by a router; responses framed (`Content-Length` or chunked, `Connection`, `Server`, `Date`) and sent in request order |
//! | [`HttpWriter`] | (the writing half of `HTTPRequestHandler`) | messages → bytes, chunked when the head says so |
//! | [`HttpServer`], [`http_server`] | `Protocol.HTTP.HTTPServer.HTTPServer` | parser → request handler → writer, per connection, for [`ServerCore`](crate::net::ServerCore) |
//! | [`StaticFiles`] | `Protocol.HTTP.Handlers.Minimal.Minimal` | resource handler: a file under a root directory, MIME type by extension |
//! | [`ErrorPageHandler`] | `Protocol.HTTP.ErrorPages` | resource handler: an error page (404, 400, ...) |
//! | [`SingleShotHttpClient`] | `Protocol.HTTP.HTTPClient.SingleShotHTTPClient` | one URL → its response, as messages (follows redirects) |
//! | [`SimpleHttpClient`] | `Protocol.HTTP.HTTPClient.SimpleHTTPClient` | URLs in → whole responses out, one at a time |
//!
//! Messages are typed: an HTTP message travels as [`HttpMessage`] — `Head(`[`RequestHead`] or
//! [`ResponseHead`]`)`, `Body(Vec<u8>)` chunks, `End` — so a body is never held whole. The
//! parsing itself is [`HttpDecoder`], a plain synchronous decoder built on [`httparse`], which
//! the property tests and the fuzz targets (`fuzz/fuzz_targets/http_request.rs`,
//! `http_response.rs`) exercise directly.
//!
//! A web server serving a directory:
//!
//! ```no_run
//! use axon::System;
//! use kamaelia::net::ServerCore;
//! use kamaelia::protocol::http::{http_server, StaticFiles};
//!
//! let mut system = System::new();
//! let address = "127.0.0.1:8080".parse().unwrap();
//! system.spawn(ServerCore::new(address, http_server(StaticFiles::router("htdocs"))));
//! system.run().unwrap();
//! ```
//!
//! A router can send different paths to different resource handlers; each call makes the
//! handler for one request:
//!
//! ```
//! use kamaelia::protocol::http::{ErrorPageHandler, Handler, RequestHead, StaticFiles};
//!
//! let files = StaticFiles::router("htdocs");
//! let router = move |request: &RequestHead| {
//!     if request.path().starts_with("/files/") {
//!         Handler::new(StaticFiles::new("htdocs", request).strip_prefix("/files"))
//!     } else if request.path() == "/" {
//!         files(request)
//!     } else {
//!         Handler::new(ErrorPageHandler::new(404))
//!     }
//! };
//! # let _ = kamaelia::protocol::http::http_server(router);
//! ```

pub mod client;
pub mod decoder;
pub mod error_pages;
pub mod message;
pub mod parser;
pub mod request_handler;
pub mod server;
pub mod simple_client;
pub mod static_files;
pub mod writer;

pub use client::{ClientError, SingleShotHttpClient};
pub use decoder::{HttpDecoder, HttpError, HttpErrorKind, Limits, RequestDecoder, ResponseDecoder};
pub use error_pages::{error_page, ErrorPageHandler};
pub use message::{
    http_date, reason_phrase, Header, Headers, HttpMessage, MessageHead, RequestHead,
    RequestMessage, ResponseHead, ResponseMessage, Version,
};
pub use parser::HttpParser;
pub use request_handler::{Handler, HttpRequestHandler};
pub use server::{http_server, HttpServer};
pub use simple_client::{HttpResponse, SimpleHttpClient};
pub use static_files::StaticFiles;
pub use writer::HttpWriter;
