//! Helpers for the HTTP tests (`protocol_http.rs`, `protocol_http_date.rs`,
//! `protocol_http_static.rs`, `protocol_http_server.rs`): responses decoded as a client sees
//! them, requests, a router whose resource handlers the tests script, a strict IMF-fixdate
//! parser, and a directory tree to serve.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};
use kamaelia::protocol::http::{
    ErrorPageHandler, Handler, HttpMessage, RequestHead, RequestMessage, ResponseDecoder,
    ResponseHead, ResponseMessage,
};

// ---------------------------------------------------------------------------------------------
// Requests and responses

/// A response as a client sees it: head, whole body, whether it ended.
pub(crate) type Answer = (ResponseHead, Vec<u8>, bool);

/// Concatenated bytes, decoded as responses: (head, body, ended) each.
pub(crate) fn responses_in(bytes: &[u8]) -> Vec<Answer> {
    let mut decoder = ResponseDecoder::new();
    decoder.push(bytes);
    decoder.finish();
    let mut messages = Vec::new();
    while let Some(m) = decoder.next().expect("well-formed responses") {
        messages.push(m);
    }
    group(messages)
}

/// Response messages grouped into (head, body, ended).
pub(crate) fn group(messages: Vec<ResponseMessage>) -> Vec<Answer> {
    let mut out: Vec<Answer> = Vec::new();
    for m in messages {
        match m {
            HttpMessage::Head(h) => out.push((h, Vec::new(), false)),
            HttpMessage::Body(b) => out.last_mut().expect("a head first").1.extend(b),
            HttpMessage::End => out.last_mut().expect("a head first").2 = true,
        }
    }
    out
}

pub(crate) fn get(path: &str) -> RequestHead {
    RequestHead::new("GET", path).header("Host", "test")
}

pub(crate) fn request_parts(head: RequestHead, body: &[&str]) -> Vec<RequestMessage> {
    std::iter::once(HttpMessage::Head(head))
        .chain(
            body.iter()
                .map(|b| HttpMessage::Body(b.as_bytes().to_vec())),
        )
        .chain([HttpMessage::End])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A router whose resource handlers the tests script

/// What a scripted resource handler does.
#[derive(Debug, Clone)]
enum Script {
    /// Collects the request body; at its end answers 200 with it (Content-Length).
    Echo,
    /// Sends these parts, then ends.
    Send(Vec<ResponseMessage>),
    /// Answers nothing; ends only when stopped.
    Stuck,
    /// Answers nothing and never reads its `control`: ends only when cancelled.
    Deaf,
}

/// A resource handler the tests script.
#[derive(Boxes)]
struct Scripted {
    /// Request body.
    inbox: Inbox<Vec<u8>>,
    /// End of the body, or stop.
    control: Inbox<Control>,
    /// The response.
    outbox: Outbox<ResponseMessage>,
    /// How it ended.
    signal: Outbox<Control>,
    script: Script,
}

impl Scripted {
    fn new(script: Script) -> Self {
        Scripted {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            script,
        }
    }
}

impl Component for Scripted {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let end = match self.script.clone() {
            Script::Echo => {
                let mut body = Vec::new();
                let end = loop {
                    match next_event(&mut self.control, &mut self.inbox).await {
                        Event::Message(b) => body.extend(b),
                        Event::Control(c) => break c,
                    }
                };
                while let Ok(b) = self.inbox.try_recv() {
                    body.extend(b);
                }
                let head = ResponseHead::new(200).header("Content-Length", body.len().to_string());
                for m in [
                    HttpMessage::Head(head),
                    HttpMessage::Body(body),
                    HttpMessage::End,
                ] {
                    self.outbox.send(m).await?;
                }
                end
            }
            Script::Send(parts) => {
                for m in parts {
                    self.outbox.send(m).await?;
                }
                Control::ProducerFinished
            }
            Script::Stuck => loop {
                match self.control.recv().await {
                    Some(Control::ProducerFinished) => {}
                    Some(c) => break c,
                    None => break Control::Shutdown,
                }
            },
            Script::Deaf => std::future::pending().await,
        };
        self.signal.send(end).await.ok();
        Ok(())
    }
}

kamaelia::impl_stage!([] Scripted, Vec<u8> => ResponseMessage);

/// The `Date` field the `/dated` resource handler sets itself.
pub(crate) const OWN_DATE: &str = "Mon, 01 Jan 2001 00:00:00 GMT";

/// The router of the request handler tests.
pub(crate) fn router(request: &RequestHead) -> Handler {
    fn body<'a>(parts: &'a [&'a str]) -> impl Iterator<Item = ResponseMessage> + 'a {
        parts
            .iter()
            .map(|p| HttpMessage::Body(p.as_bytes().to_vec()))
    }
    let script = match request.path() {
        "/echo" => Script::Echo,
        "/stream" => Script::Send(
            std::iter::once(HttpMessage::Head(ResponseHead::new(200)))
                .chain(body(&["ab", "cd"]))
                .chain([HttpMessage::End])
                .collect(),
        ),
        "/short" => Script::Send(
            std::iter::once(HttpMessage::Head(
                ResponseHead::new(200).header("Content-Length", "10"),
            ))
            .chain(body(&["abc"]))
            .collect(),
        ),
        "/dated" => Script::Send(vec![
            HttpMessage::Head(
                ResponseHead::new(200)
                    .header("Date", OWN_DATE)
                    .header("Content-Length", "0"),
            ),
            HttpMessage::End,
        ]),
        "/silent" => Script::Send(Vec::new()),
        "/stuck" => Script::Stuck,
        "/deaf" => Script::Deaf,
        path => return Handler::new(ErrorPageHandler::new(404).detail(path)),
    };
    Handler::new(Scripted::new(script))
}

// ---------------------------------------------------------------------------------------------
// Dates

/// 1994-11-06T08:49:37Z, RFC 9110's example date.
pub(crate) fn rfc_example_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(784_111_777)
}

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d` (the inverse of the
/// civil-from-days conversion, written independently of the code under test).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an IMF-fixdate strictly (`Sun, 06 Nov 1994 08:49:37 GMT`: fixed widths, English
/// names, `GMT`, a weekday that agrees with the date): seconds since the epoch, or `None`.
pub(crate) fn parse_imf_fixdate(text: &str) -> Option<u64> {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 first
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let b = text.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
        return None;
    }
    let separators = [(7, b' '), (11, b' '), (16, b' '), (19, b':'), (22, b':')];
    if separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> {
        let digits = text.get(from..to)?;
        digits
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let (day, year) = (number(5, 7)?, number(12, 16)?);
    let (hour, minute, second) = (number(17, 19)?, number(20, 22)?, number(23, 25)?);
    let month = MONTHS.iter().position(|&m| m == &text[8..11])? as i64 + 1;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=month_days[month as usize - 1]).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if DAYS[days.rem_euclid(7) as usize] != &text[..3] {
        return None;
    }
    u64::try_from(days * 86_400 + hour * 3_600 + minute * 60 + second).ok()
}

// ---------------------------------------------------------------------------------------------
// A directory tree to serve

/// A directory tree: `outside/secret.txt`, and the served root `outside/www` with files.
pub(crate) struct Tree {
    _dir: tempfile::TempDir,
    pub(crate) www: PathBuf,
}

pub(crate) fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(www.join("dir")).unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"top secret").unwrap();
    std::fs::write(www.join("hello.txt"), b"hello, world\n").unwrap();
    std::fs::write(www.join("page.html"), b"<h1>page</h1>").unwrap();
    std::fs::write(www.join("dir/index.html"), b"<p>index</p>").unwrap();
    let big: Vec<u8> = (0..300 * 1024).map(|i| (i % 251) as u8).collect();
    std::fs::write(www.join("big.bin"), big).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), www.join("link.txt")).unwrap();
    Tree { _dir: dir, www }
}
