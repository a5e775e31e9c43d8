//! SimpleHttpClient: URLs in, whole responses out, one URL at a time (Kamaelia:
//! `Kamaelia.Protocol.HTTP.HTTPClient.SimpleHTTPClient`).
//!
//! For each URL on its inbox it runs a [`SingleShotHttpClient`] child (Kamaelia used a
//! carousel of them), collects the response — status, header fields and body, up to
//! [`max_body`](SimpleHttpClient::max_body) bytes — and sends it on as one [`HttpResponse`].
//! A URL that cannot be fetched gives a [`ClientError`] on `errors` instead, and the next URL
//! is fetched. Responses leave in the order the URLs arrived.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::http::SimpleHttpClient;
//! use std::io::{Read, Write};
//!
//! let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! let base = format!("http://{}", listener.local_addr().unwrap());
//! let server = std::thread::spawn(move || {
//!     for body in ["one", "two"] {
//!         let (mut socket, _) = listener.accept().unwrap();
//!         let mut request = [0u8; 1024];
//!         socket.read(&mut request).unwrap();
//!         let response = format!("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{body}");
//!         socket.write_all(response.as_bytes()).unwrap();
//!     }
//! });
//!
//! let mut system = System::new();
//! let client = SimpleHttpClient::new();
//! let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
//! let mut responses = Inbox::new();
//! axon::link(&urls, &client.inbox).unwrap();
//! axon::link(&stop, &client.control).unwrap();
//! axon::link(&client.outbox, &responses).unwrap();
//! system.spawn(client);
//! urls.try_send(format!("{base}/1")).unwrap();
//! urls.try_send(format!("{base}/2")).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap(); // no more URLs: finish these
//! system.run().unwrap();
//! server.join().unwrap();
//!
//! let bodies: Vec<Vec<u8>> = std::iter::from_fn(|| responses.try_recv().ok()).map(|r| r.body).collect();
//! assert_eq!(bodies, [b"one".to_vec(), b"two".to_vec()]);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `String` | URLs to fetch (`http://` only) |
//! | `control` | [`Control`] | `ProducerFinished`: fetch the URLs queued, then stop; `Shutdown`/`Failed`: stop now |
//! | `outbox` | [`HttpResponse`] | each response, whole, in URL order |
//! | `errors` | [`ClientError`] | each URL that could not be fetched (or whose body was too long) |
//! | `signal` | [`Control`] | the stop request, passed on when it ends |
//!
//! The boxes linked to the current single-shot client are internal and not listed.
//!
//! # Parameters
//!
//! * [`max_body`](SimpleHttpClient::max_body): the longest body collected, default 16 MiB
//!   (a longer one is a [`ClientError::TooLarge`]);
//! * [`max_redirects`](SimpleHttpClient::max_redirects): redirects followed per URL, default 5.
//!
//! # Shutdown
//!
//! `ProducerFinished`: the URL being fetched and those queued are fetched and sent on, then it
//! passes `ProducerFinished` on and ends. `Shutdown` or `Failed` (or a closed `control`, taken
//! as `Shutdown`): the current fetch is stopped (its partial response dropped), queued URLs are
//! discarded, and it passes the message on. This holds too while a response or a
//! [`ClientError`] waits for room because its receiver takes nothing: it is dropped. If the
//! receiver of `outbox` (or of `errors`, when an error is sent) has ended it stops, sending
//! `Shutdown`.

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};

use super::client::{ClientError, SingleShotHttpClient};
use super::message::{HttpMessage, ResponseHead, ResponseMessage};
use crate::support::{pass_on, watching_if_it_waits, Stopped};

/// One fetched URL: its final response, whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The URL asked for.
    pub url: String,
    /// The final response's status line and header fields (after redirects).
    pub head: ResponseHead,
    /// The body.
    pub body: Vec<u8>,
}

/// Fetches URLs one at a time. See the [module docs](self).
#[derive(Boxes)]
pub struct SimpleHttpClient {
    /// URLs to fetch.
    pub inbox: Inbox<String>,
    /// `ProducerFinished`: fetch the URLs queued, then stop; `Shutdown`/`Failed`: stop now.
    pub control: Inbox<Control>,
    /// Each response, whole, in URL order.
    pub outbox: Outbox<HttpResponse>,
    /// Each URL that could not be fetched.
    pub errors: Outbox<ClientError>,
    /// The stop request, passed on when it ends.
    pub signal: Outbox<Control>,
    /// The current fetch's response.
    #[boxes(skip)]
    response: Inbox<ResponseMessage>,
    /// The current fetch's error.
    #[boxes(skip)]
    fetch_errors: Inbox<ClientError>,
    #[boxes(skip)]
    max_body: usize,
    #[boxes(skip)]
    max_redirects: usize,
}

impl std::fmt::Debug for SimpleHttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimpleHttpClient")
            .field("max_body", &self.max_body)
            .field("max_redirects", &self.max_redirects)
            .finish_non_exhaustive()
    }
}

impl SimpleHttpClient {
    /// A client with a 16 MiB body limit, following up to 5 redirects.
    pub fn new() -> Self {
        SimpleHttpClient {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            response: Inbox::new(),
            fetch_errors: Inbox::new(),
            max_body: 16 * 1024 * 1024,
            max_redirects: 5,
        }
    }

    /// The longest body collected, in bytes (default 16 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Redirects followed per URL (default 5).
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = n;
        self
    }
}

impl Default for SimpleHttpClient {
    fn default() -> Self {
        Self::new()
    }
}

/// A response being collected.
#[derive(Default)]
struct Collected {
    head: Option<ResponseHead>,
    body: Vec<u8>,
    complete: bool,
    too_large: bool,
}

impl Collected {
    fn take(&mut self, part: ResponseMessage, limit: usize) {
        match part {
            HttpMessage::Head(h) => self.head = Some(h),
            HttpMessage::Body(data) => {
                if self.body.len() + data.len() > limit {
                    self.too_large = true;
                } else {
                    self.body.extend_from_slice(&data);
                }
            }
            HttpMessage::End => self.complete = true,
        }
    }
}

enum Step {
    Control(Control),
    Part(Option<ResponseMessage>),
    Exit,
}

impl SimpleHttpClient {
    /// Fetches one URL and sends the result on. `Err` carries a stop request (or `Shutdown`
    /// if nobody takes the results any more); `finishing` records a `ProducerFinished`.
    async fn fetch(
        &mut self,
        ctx: &mut Context,
        url: String,
        finishing: &mut bool,
    ) -> Result<(), Control> {
        let child = ctx.adopt_named(
            format!("fetching {url}"),
            SingleShotHttpClient::new(url.clone()).max_redirects(self.max_redirects),
        );
        let linked = ctx
            .link(&child.outbox, &self.response)
            .and_then(|_| ctx.link(&child.errors, &self.fetch_errors));
        if let Err(e) = linked {
            return Err(Control::failed(format!("{}: {e}", ctx.name())));
        }
        let (id, child_control) = (child.id(), child.control.handle());
        ctx.activate(child);
        let mut got = Collected::default();
        let mut stopped = false;
        loop {
            let step = tokio::select! {
                biased;
                c = self.control.recv(), if !stopped => Step::Control(c.unwrap_or(Control::Shutdown)),
                m = self.response.recv() => Step::Part(m),
                _ = ctx.next_child_exit() => Step::Exit,
            };
            match step {
                Step::Control(Control::ProducerFinished) => *finishing = true,
                Step::Control(c) => {
                    child_control.try_send(Control::Shutdown).ok();
                    while ctx.next_child_exit().await.is_some() {}
                    ctx.remove_child(id);
                    self.forget();
                    return Err(c);
                }
                Step::Part(Some(part)) => {
                    got.take(part, self.max_body);
                    if got.too_large && !stopped {
                        child_control.try_send(Control::Shutdown).ok();
                        stopped = true;
                    }
                }
                Step::Part(None) => {}
                Step::Exit => break,
            }
        }
        ctx.remove_child(id);
        while let Ok(part) = self.response.try_recv() {
            got.take(part, self.max_body);
        }
        let error = self.fetch_errors.try_recv().ok();
        self.forget();
        let result = match (got, error) {
            (got, _) if got.too_large => Err(ClientError::TooLarge {
                url,
                limit: self.max_body,
            }),
            (_, Some(e)) => Err(e),
            (
                Collected {
                    head: Some(head),
                    body,
                    complete: true,
                    ..
                },
                None,
            ) => Ok(HttpResponse { url, head, body }),
            (_, None) => Err(ClientError::Connection {
                url,
                reason: "the response did not reach its end".to_string(),
            }),
        };
        // `control` is watched while the result waits for room, so a receiver that takes
        // nothing cannot hide a stop.
        let sent = match result {
            Ok(response) => {
                let send = self.outbox.send(response);
                watching_if_it_waits(&mut self.control, finishing, send)
                    .await
                    .map(|r| r.is_ok())
            }
            Err(e) => {
                let send = self.errors.send(e);
                watching_if_it_waits(&mut self.control, finishing, send)
                    .await
                    .map(|r| r.is_ok())
            }
        };
        match sent {
            Ok(true) => Ok(()),
            // Nobody takes the results any more.
            Ok(false) => Err(Control::Shutdown),
            Err(Stopped(c)) => Err(c),
        }
    }

    /// Drops anything a finished fetch left behind.
    fn forget(&mut self) {
        while self.response.try_recv().is_ok() {}
        while self.fetch_errors.try_recv().is_ok() {}
    }
}

impl Component for SimpleHttpClient {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let mut finishing = false;
        let end = loop {
            let url = if finishing {
                if let Ok(c) = self.control.try_recv() {
                    if !c.is_producer_finished() {
                        break c;
                    }
                }
                match self.inbox.try_recv() {
                    Ok(url) => url,
                    Err(_) => break Control::ProducerFinished,
                }
            } else {
                match next_event(&mut self.control, &mut self.inbox).await {
                    Event::Message(url) => url,
                    Event::Control(Control::ProducerFinished) => {
                        finishing = true;
                        continue;
                    }
                    Event::Control(c) => break c,
                }
            };
            if let Err(c) = self.fetch(&mut ctx, url, &mut finishing).await {
                break c;
            }
        };
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([] SimpleHttpClient, String => HttpResponse);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "SimpleHttpClient",
        "Kamaelia.Protocol.HTTP.HTTPClient.SimpleHTTPClient",
        Family::Protocol,
        "URLs in, whole responses (status, fields, body up to a limit) out, one URL at a time, each fetched by a SingleShotHttpClient child; failures go on errors.",
        axon::box_infos(&SimpleHttpClient::new()),
    )
    .parameter("max_body", "usize", "longest body collected (default 16 MiB)")
    .parameter("max_redirects", "usize", "redirects followed per URL (default 5)")
});
