//! ErrorPageHandler: a resource handler that answers with an error page — `404 Not Found`,
//! `400 Bad Request`, ... — and ends (Kamaelia: `Kamaelia.Protocol.HTTP.ErrorPages`, its
//! `getErrorPage` and the `ErrorPageHandler` prefab).
//!
//! A router returns one for requests it has no resource for
//! (`Handler::new(ErrorPageHandler::new(404))`), and the
//! [`HttpRequestHandler`](super::HttpRequestHandler) uses [`error_page`] itself for requests
//! it cannot hand to a router (malformed, or HTTP/1.1 without `Host`). The page is a short
//! HTML document with the status, its reason phrase and an optional detail (escaped); the head
//! carries `Content-Type` and `Content-Length`.
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::protocol::http::{ErrorPageHandler, HttpMessage};
//!
//! let mut system = System::deterministic();
//! let page = ErrorPageHandler::new(404).detail("/missing.html");
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&page.outbox, &output).unwrap();
//! axon::link(&page.signal, &signal).unwrap();
//! system.spawn(page);
//! system.run().unwrap();
//!
//! let HttpMessage::Head(head) = output.try_recv().unwrap() else { panic!("head first") };
//! assert_eq!((head.status, head.reason.as_str()), (404, "Not Found"));
//! let HttpMessage::Body(body) = output.try_recv().unwrap() else { panic!("then the page") };
//! assert!(String::from_utf8(body).unwrap().contains("/missing.html"));
//! assert_eq!(output.try_recv(), Ok(HttpMessage::End));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | the request body: not read |
//! | `control` | [`Control`] | `Shutdown`/`Failed` before it has answered: end without answering |
//! | `outbox` | [`ResponseMessage`] | the page: `Head`, `Body`, `End` |
//! | `signal` | [`Control`] | `ProducerFinished` once the page is sent, else the stop request |
//!
//! # Parameters
//!
//! * the status code, given to [`ErrorPageHandler::new`];
//! * [`detail`](ErrorPageHandler::detail): a line of text added to the page (HTML-escaped).
//!
//! # Shutdown
//!
//! It sends the page as soon as it starts, then `ProducerFinished` on `signal`, and ends. A
//! `Shutdown` or `Failed` already waiting on `control` when it starts (or arriving while it
//! waits to send) ends it at once, passing it on; `ProducerFinished` changes nothing. It holds
//! no state.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::message::{HttpMessage, ResponseHead, ResponseMessage};
use crate::support::pass_on;

/// The error page for `status`: a head (with `Content-Type: text/html; charset=utf-8` and
/// `Content-Length`) and an HTML body naming the status and, if given, `detail` (escaped).
///
/// ```
/// let (head, body) = kamaelia::protocol::http::error_page(400, Some("<bad>"));
/// assert_eq!(head.status, 400);
/// let text = String::from_utf8(body.clone()).unwrap();
/// assert!(text.contains("400 Bad Request") && text.contains("&lt;bad&gt;"));
/// assert_eq!(head.headers.get_str("Content-Length"), Some(body.len().to_string().as_str()));
/// ```
pub fn error_page(status: u16, detail: Option<&str>) -> (ResponseHead, Vec<u8>) {
    let head = ResponseHead::new(status);
    let title = format!("{} {}", status, escape(&head.reason));
    let detail = detail
        .map(|d| format!("<p>{}</p>\n", escape(d)))
        .unwrap_or_default();
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n<body><h1>{title}</h1>\n{detail}</body></html>\n"
    )
    .into_bytes();
    let head = head
        .header("Content-Type", "text/html; charset=utf-8")
        .header("Content-Length", body.len().to_string());
    (head, body)
}

/// `text` with the HTML special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Answers with an error page, then ends. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct ErrorPageHandler {
    /// The request body: not read.
    pub inbox: Inbox<Vec<u8>>,
    /// `Shutdown`/`Failed` before it has answered: end without answering.
    pub control: Inbox<Control>,
    /// The page: `Head`, `Body`, `End`.
    pub outbox: Outbox<ResponseMessage>,
    /// `ProducerFinished` once the page is sent, else the stop request.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    status: u16,
    #[boxes(skip)]
    detail: Option<String>,
}

impl ErrorPageHandler {
    /// A handler answering with the page for `status`.
    pub fn new(status: u16) -> Self {
        ErrorPageHandler {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            status,
            detail: None,
        }
    }

    /// Adds a line of text to the page (HTML-escaped).
    pub fn detail(mut self, text: impl Into<String>) -> Self {
        self.detail = Some(text.into());
        self
    }
}

impl Component for ErrorPageHandler {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let (head, body) = error_page(self.status, self.detail.as_deref());
        let mut page = vec![
            HttpMessage::Head(head),
            HttpMessage::Body(body),
            HttpMessage::End,
        ];
        let mut end = Control::ProducerFinished;
        while !page.is_empty() {
            tokio::select! {
                biased;
                c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                    Control::ProducerFinished => {}
                    c => {
                        end = c;
                        break;
                    }
                },
                r = self.outbox.send_all(&mut page) => {
                    if r.is_err() {
                        end = Control::Shutdown;
                        break;
                    }
                }
            }
        }
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([] ErrorPageHandler, Vec<u8> => ResponseMessage);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "ErrorPageHandler",
        "Kamaelia.Protocol.HTTP.ErrorPages.ErrorPageHandler",
        Family::Protocol,
        "A resource handler that answers with an HTML error page for a status code (404, 400, ...) and ends.",
        axon::box_infos(&ErrorPageHandler::new(404)),
    )
    .parameter("status", "u16", "ErrorPageHandler::new(status)")
    .parameter("detail", "String", "a line of text added to the page (escaped)")
});
