//! HTTP: the decoder (property tests: however the stream is split, the same messages and the
//! same error; any bytes, no panic and error offsets within the stream), each component on a
//! deterministic system, the `Date` field (fixed clocks, the IMF-fixdate form checked by a
//! parser written here), and a server on 127.0.0.1 (ServerCore + http_server) with the
//! clients. Every wait on a socket is bounded by a read timeout or a receive timeout, and
//! servers are stopped with a bounded `System::shutdown`.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use common::{drain, harness, stops_on_shutdown_while_waiting_for_room};
use kamaelia::net::ServerCore;
use kamaelia::protocol::http::decoder::MAX_CHUNK_LINE;
use kamaelia::protocol::http::{
    http_date, http_server, ClientError, ErrorPageHandler, Handler, Headers, HttpDecoder,
    HttpError, HttpErrorKind, HttpMessage, HttpParser, HttpRequestHandler, HttpServer, HttpWriter,
    Limits, MessageHead, RequestDecoder, RequestHead, RequestMessage, ResponseDecoder,
    ResponseHead, ResponseMessage, SimpleHttpClient, SingleShotHttpClient, StaticFiles, Version,
};
use proptest::prelude::*;

const WAIT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// The decoder

type Decoded<H> = (Vec<HttpMessage<H>>, Option<HttpError>);

/// Decodes `bytes` pushed in pieces cut at `cuts` (any values; clamped and sorted), draining
/// after each push, then ends the stream. Adjacent body chunks are merged (their boundaries
/// depend on the pieces). Checks on the way: every body chunk is within the limit, the bytes
/// held after draining stay under the documented bound, and an error's offset is within what
/// was pushed.
fn decode_pieces<H: MessageHead>(bytes: &[u8], cuts: &[usize], limits: Limits) -> Decoded<H> {
    let mut points: Vec<usize> = cuts.iter().map(|&c| c % (bytes.len() + 1)).collect();
    points.push(bytes.len());
    points.sort_unstable();
    let mut decoder = HttpDecoder::<H>::with_limits(limits);
    let mut messages = Vec::new();
    let (mut start, mut pushed) = (0, 0u64);
    let mut drain_into = |decoder: &mut HttpDecoder<H>, pushed: u64| -> Option<HttpError> {
        loop {
            match decoder.next() {
                Ok(Some(HttpMessage::Body(b))) => {
                    assert!(!b.is_empty() && b.len() <= limits.max_body_chunk);
                    match messages.last_mut() {
                        Some(HttpMessage::Body(prev)) => prev.extend_from_slice(&b),
                        _ => messages.push(HttpMessage::Body(b)),
                    }
                }
                Ok(Some(m)) => messages.push(m),
                Ok(None) => return None,
                Err(e) => {
                    assert!(e.offset <= pushed, "{e}: beyond the {pushed} bytes pushed");
                    assert_eq!(decoder.next(), Err(e.clone()), "errors are final");
                    return Some(e);
                }
            }
        }
    };
    for point in points {
        decoder.push(&bytes[start..point]);
        pushed = point as u64;
        start = point;
        if let Some(e) = drain_into(&mut decoder, pushed) {
            return (messages, Some(e));
        }
        assert!(decoder.buffered() < limits.max_head_bytes.max(MAX_CHUNK_LINE));
    }
    decoder.finish();
    let error = drain_into(&mut decoder, pushed);
    (messages, error)
}

/// Big enough for every generated message; small body chunks, so bodies come in many.
const ROOMY: Limits = Limits {
    max_head_bytes: 4096,
    max_headers: 16,
    max_body_chunk: 16,
};

/// Small, so corrupted input also runs into the limits.
const TIGHT: Limits = Limits {
    max_head_bytes: 200,
    max_headers: 4,
    max_body_chunk: 8,
};

/// How a generated message's body is framed.
#[derive(Debug, Clone)]
enum Framing {
    Length,
    /// Chunked, with these chunk sizes (cycled, none 0) and an extension and a trailer
    /// field if true.
    Chunked(Vec<usize>, bool),
}

fn field() -> impl Strategy<Value = (String, String)> {
    ("X-[A-Za-z0-9-]{1,12}", "[!-~]([ -~]{0,16}[!-~])?")
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        Just(Framing::Length),
        (prop::collection::vec(1usize..40, 1..6), any::<bool>())
            .prop_map(|(sizes, extras)| Framing::Chunked(sizes, extras)),
    ]
}

/// Appends `body` framed as `framing` (the framing field is already in the head).
fn encode_body(body: &[u8], framing: &Framing, out: &mut Vec<u8>) {
    match framing {
        Framing::Length => out.extend_from_slice(body),
        Framing::Chunked(sizes, extras) => {
            let mut rest = body;
            for &size in sizes.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (chunk, after) = rest.split_at(size.min(rest.len()));
                let ext = if *extras { ";name=value" } else { "" };
                out.extend_from_slice(format!("{:X}{ext}\r\n", chunk.len()).as_bytes());
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
                rest = after;
            }
            out.extend_from_slice(if *extras {
                b"0\r\nX-Trailer: t\r\n\r\n"
            } else {
                b"0\r\n\r\n"
            });
        }
    }
}

/// Adds the field announcing `framing`.
fn framing_field(headers: &mut Headers, body: &[u8], framing: &Framing) {
    match framing {
        Framing::Length => headers.append("Content-Length", body.len().to_string()),
        Framing::Chunked(..) => headers.append("Transfer-Encoding", "chunked"),
    }
}

/// A generated request: its head (with its framing field), body and framing.
fn request() -> impl Strategy<Value = (RequestHead, Vec<u8>, Framing)> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        "/[a-z0-9/._~-]{0,24}(\\?[a-z0-9=&]{0,10})?",
        any::<bool>(),
        prop::collection::vec(field(), 0..6),
        prop::collection::vec(any::<u8>(), 0..120),
        framing(),
    )
        .prop_map(|(method, target, old, fields, body, framing)| {
            let mut head = RequestHead::new(method, target);
            if old {
                head.version = Version::Http10;
            }
            for (name, value) in fields {
                head.headers.append(name, value);
            }
            framing_field(&mut head.headers, &body, &framing);
            (head, body, framing)
        })
}

/// A generated response; `last` may run until the stream closes.
fn response(last: bool) -> impl Strategy<Value = (ResponseHead, Vec<u8>, Option<Framing>)> {
    let framing = if last {
        prop_oneof![framing().prop_map(Some), Just(None)].boxed()
    } else {
        framing().prop_map(Some).boxed()
    };
    (
        prop::sample::select(vec![200u16, 201, 204, 302, 304, 404, 500]),
        prop::collection::vec(field(), 0..5),
        prop::collection::vec(any::<u8>(), 0..120),
        framing,
    )
        .prop_map(|(status, fields, body, framing)| {
            let mut head = ResponseHead::new(status);
            for (name, value) in fields {
                head.headers.append(name, value);
            }
            let bodiless = head.is_bodiless_status();
            let body = if bodiless { Vec::new() } else { body };
            let framing = if bodiless {
                Some(Framing::Length)
            } else {
                framing
            };
            if let Some(f) = &framing {
                if !bodiless {
                    framing_field(&mut head.headers, &body, f);
                }
            }
            (head, body, framing)
        })
}

/// The messages a decoder should give for one message.
fn expected<H: Clone>(head: &H, body: &[u8], out: &mut Vec<HttpMessage<H>>) {
    out.push(HttpMessage::Head(head.clone()));
    if !body.is_empty() {
        out.push(HttpMessage::Body(body.to_vec()));
    }
    out.push(HttpMessage::End);
}

/// A stream of requests, and the messages it should decode to.
fn request_stream(requests: &[(RequestHead, Vec<u8>, Framing)]) -> (Vec<u8>, Vec<RequestMessage>) {
    let (mut bytes, mut messages) = (Vec::new(), Vec::new());
    for (head, body, framing) in requests {
        head.encode(&mut bytes);
        encode_body(body, framing, &mut bytes);
        expected(head, body, &mut messages);
    }
    (bytes, messages)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// However a stream of requests is cut into pushes, it decodes to the same messages: the
    /// heads as encoded, the bodies whole (Content-Length or chunked), an End each.
    #[test]
    fn any_split_of_a_request_stream_decodes_to_the_same_messages(
        requests in prop::collection::vec(request(), 1..4),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let (bytes, want) = request_stream(&requests);
        prop_assert_eq!(decode_pieces::<RequestHead>(&bytes, &[], ROOMY), (want.clone(), None));
        prop_assert_eq!(decode_pieces::<RequestHead>(&bytes, &cuts, ROOMY), (want, None));
    }

    /// However a stream of responses is cut, it decodes to the same messages, including
    /// bodiless statuses and a last body that runs until the stream ends.
    #[test]
    fn any_split_of_a_response_stream_decodes_to_the_same_messages(
        mut responses in prop::collection::vec(response(false), 0..3),
        last in response(true),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        responses.push(last);
        let (mut bytes, mut want) = (Vec::new(), Vec::new());
        for (head, body, framing) in &responses {
            head.encode(&mut bytes);
            match framing {
                Some(f) => encode_body(body, f, &mut bytes),
                None => bytes.extend_from_slice(body),
            }
            expected(head, body, &mut want);
        }
        prop_assert_eq!(decode_pieces::<ResponseHead>(&bytes, &cuts, ROOMY), (want, None));
    }

    /// Any bytes at all: no panic, error offsets within the stream, and the same messages and
    /// error however they are split — for requests and for responses.
    #[test]
    fn arbitrary_bytes_never_panic_and_decode_the_same_however_split(
        bytes in prop::collection::vec(
            prop_oneof![any::<u8>(), Just(b'\r'), Just(b'\n'), Just(b' '), Just(b':')],
            0..400,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
    ) {
        prop_assert_eq!(
            decode_pieces::<RequestHead>(&bytes, &cuts, TIGHT),
            decode_pieces::<RequestHead>(&bytes, &[], TIGHT)
        );
        prop_assert_eq!(
            decode_pieces::<ResponseHead>(&bytes, &cuts, TIGHT),
            decode_pieces::<ResponseHead>(&bytes, &[], TIGHT)
        );
    }

    /// Valid request streams with a few bytes changed reach every kind of error deep in the
    /// stream; still no panic, offsets in range, and the same result however split.
    #[test]
    fn corrupted_request_streams_give_the_same_error_however_split(
        requests in prop::collection::vec(request(), 1..3),
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let (mut bytes, _) = request_stream(&requests);
        for (at, byte) in changes {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        prop_assert_eq!(
            decode_pieces::<RequestHead>(&bytes, &cuts, TIGHT),
            decode_pieces::<RequestHead>(&bytes, &[], TIGHT)
        );
    }
}

/// Blank lines between messages are skipped, but a CR not followed by LF is an error,
/// whether the bytes arrive together or apart (a case the fuzzer found).
#[test]
fn a_lone_carriage_return_is_an_error_however_split() {
    for bytes in [&b"\r\r"[..], b"\r\nGET / HTTP/1.1\r\n\r\n\r\r"] {
        let whole = decode_pieces::<RequestHead>(bytes, &[], ROOMY);
        assert_eq!(
            whole.1.as_ref().map(|e| e.offset),
            Some(bytes.len() as u64 - 1)
        );
        for cut in 0..bytes.len() {
            assert_eq!(decode_pieces::<RequestHead>(bytes, &[cut], ROOMY), whole);
        }
    }
    let blank = decode_pieces::<RequestHead>(b"GET / HTTP/1.1\r\n\r\n\r\n\n", &[17, 19], ROOMY);
    assert_eq!((blank.0.len(), blank.1), (2, None));
}

/// A head longer than the limit is an error at the limit.
#[test]
fn a_head_longer_than_the_limit_is_an_error_at_the_limit() {
    let limits = Limits {
        max_head_bytes: 64,
        ..Limits::default()
    };
    let mut decoder = RequestDecoder::with_limits(limits);
    decoder.push(format!("GET / HTTP/1.1\r\nX-Long: {}", "a".repeat(100)).as_bytes());
    let error = decoder.next().unwrap_err();
    assert_eq!(error.kind, HttpErrorKind::HeadTooLarge { limit: 64 });
    assert_eq!(error.offset, 64);
}

/// More header fields than the limit is an error in the first field too many.
#[test]
fn more_fields_than_the_limit_is_an_error_in_the_field_too_many() {
    let limits = Limits {
        max_headers: 2,
        ..Limits::default()
    };
    let head = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    let mut decoder = RequestDecoder::with_limits(limits);
    decoder.push(head.as_bytes());
    let error = decoder.next().unwrap_err();
    assert_eq!(error.kind, HttpErrorKind::TooManyHeaders { limit: 2 });
    let third = head.find("C:").unwrap() as u64;
    assert!((third..third + 6).contains(&error.offset), "{error}");
}

/// A request with both Content-Length and Transfer-Encoding is refused, at the length.
#[test]
fn content_length_with_transfer_encoding_is_refused() {
    let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n";
    let mut decoder = RequestDecoder::new();
    decoder.push(head.as_bytes());
    let error = decoder.next().unwrap_err();
    assert_eq!(error.kind, HttpErrorKind::LengthConflict);
    assert_eq!(error.offset, head.find(": 3").unwrap() as u64 + 2);
    assert!(error
        .to_string()
        .starts_with("malformed HTTP request at byte"));
}

/// Content-Length fields that are not numbers, or disagree, are refused.
#[test]
fn bad_or_disagreeing_content_lengths_are_refused() {
    for head in [
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    ] {
        let mut decoder = RequestDecoder::new();
        decoder.push(head.as_bytes());
        assert_eq!(
            decoder.next().unwrap_err().kind,
            HttpErrorKind::BadContentLength,
            "{head}"
        );
    }
}

/// A stream that ends inside a body is an error at the stream's length.
#[test]
fn a_stream_cut_short_is_an_error_at_its_length() {
    let bytes = b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc";
    let mut decoder = RequestDecoder::new();
    decoder.push(bytes);
    assert!(matches!(decoder.next(), Ok(Some(HttpMessage::Head(_)))));
    assert_eq!(decoder.next(), Ok(Some(HttpMessage::Body(b"abc".to_vec()))));
    assert_eq!(decoder.next(), Ok(None));
    decoder.finish();
    let error = decoder.next().unwrap_err();
    assert_eq!(error.kind, HttpErrorKind::Truncated("body"));
    assert_eq!(error.offset, bytes.len() as u64);
}

/// A bad chunk-size line is reported at its first bad byte.
#[test]
fn a_bad_chunk_size_is_reported_at_its_byte() {
    let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut decoder = RequestDecoder::new();
    decoder.push(format!("{head}4\r\nabcd\r\n2x\r\n").as_bytes());
    assert!(matches!(decoder.next(), Ok(Some(HttpMessage::Head(_)))));
    assert_eq!(
        decoder.next(),
        Ok(Some(HttpMessage::Body(b"abcd".to_vec())))
    );
    let error = decoder.next().unwrap_err();
    assert_eq!(error.kind, HttpErrorKind::BadChunkSize);
    assert_eq!(error.offset, (head.len() + "4\r\nabcd\r\n2".len()) as u64);
}

/// A large body comes out in chunks of at most the limit and is never held whole: after each
/// push is drained, nothing is held.
#[test]
fn a_large_body_streams_in_bounded_chunks_and_is_never_held_whole() {
    let limits = Limits {
        max_body_chunk: 16 * 1024,
        ..Limits::default()
    };
    let size = 1024 * 1024;
    let mut decoder = RequestDecoder::with_limits(limits);
    decoder.push(format!("PUT /big HTTP/1.1\r\nContent-Length: {size}\r\n\r\n").as_bytes());
    assert!(matches!(decoder.next(), Ok(Some(HttpMessage::Head(_)))));
    let piece = vec![7u8; 64 * 1024];
    let mut total = 0;
    for _ in 0..size / piece.len() {
        decoder.push(&piece);
        while let Some(m) = decoder.next().unwrap() {
            match m {
                HttpMessage::Body(b) => {
                    assert!(b.len() <= 16 * 1024);
                    total += b.len();
                }
                HttpMessage::End => assert_eq!(total, size),
                HttpMessage::Head(_) => panic!("one request only"),
            }
        }
        assert_eq!(decoder.buffered(), 0);
    }
    assert_eq!(total, size);
}

/// A response with neither length nor chunking runs until the stream ends, then ends cleanly.
#[test]
fn a_response_without_length_runs_until_the_stream_ends() {
    let mut decoder = ResponseDecoder::new();
    decoder.push(b"HTTP/1.0 200 OK\r\n\r\nall of");
    decoder.push(b" it");
    let mut got = Vec::new();
    while let Some(m) = decoder.next().unwrap() {
        got.push(m);
    }
    assert_eq!(got.len(), 2, "{got:?}"); // no End before the stream ends
    assert_eq!(got[1], HttpMessage::Body(b"all of it".to_vec()));
    decoder.finish();
    assert_eq!(decoder.next(), Ok(Some(HttpMessage::End)));
    assert_eq!(decoder.next(), Ok(None));
}

// ---------------------------------------------------------------------------------------------
// Components on a deterministic system

/// A response as a client sees it: head, whole body, whether it ended.
type Answer = (ResponseHead, Vec<u8>, bool);

/// Concatenated bytes, decoded as responses: (head, body, ended) each.
fn responses_in(bytes: &[u8]) -> Vec<Answer> {
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
fn group(messages: Vec<ResponseMessage>) -> Vec<Answer> {
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

fn get(path: &str) -> RequestHead {
    RequestHead::new("GET", path).header("Host", "test")
}

/// Parses `input` as requests on a deterministic system, ending the stream afterwards.
fn parse_requests(input: &[&[u8]]) -> (Vec<RequestMessage>, Vec<HttpError>, Vec<Control>) {
    let mut system = System::deterministic();
    let parser = HttpParser::requests();
    let mut errors = Inbox::unbounded();
    axon::link(&parser.errors, &errors).unwrap();
    let mut h = harness(&system, parser);
    for chunk in input {
        h.input.try_send(chunk.to_vec()).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    (
        drain(&mut h.output),
        drain(&mut errors),
        drain(&mut h.signal),
    )
}

/// The parser sends each request's head, body and end, then ProducerFinished at a clean end.
#[test]
fn parser_sends_every_request_then_producer_finished() {
    let (messages, errors, signals) = parse_requests(&[
        b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-",
        b"Length: 3\r\n\r\nab",
        b"c",
    ]);
    // The body comes in the chunks it arrived in: "ab", then "c".
    assert_eq!(messages.len(), 6, "{messages:?}");
    assert!(matches!(&messages[0], HttpMessage::Head(h) if h.path() == "/a"));
    assert_eq!(messages[1], HttpMessage::End);
    assert!(matches!(&messages[2], HttpMessage::Head(h) if h.method == "POST"));
    assert_eq!(messages[3], HttpMessage::Body(b"ab".to_vec()));
    assert_eq!(messages[4], HttpMessage::Body(b"c".to_vec()));
    assert_eq!(messages[5], HttpMessage::End);
    assert!(errors.is_empty());
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// Malformed input: the messages before it go out, the error (with its offset) goes on
/// `errors`, and `Failed` naming the offset on `signal`.
#[test]
fn parser_reports_malformed_input_on_errors_then_fails() {
    let good = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let (messages, errors, signals) =
        parse_requests(&[good, b"GET / HTTP/1.1\r\nBad Field: y\r\n\r\n"]);
    assert_eq!(messages.len(), 2, "the first request: {messages:?}");
    assert_eq!(errors.len(), 1);
    let offset = good.len() as u64 + 19;
    assert_eq!(errors[0].offset, offset);
    let reason = signals[0].failure().expect("Failed on signal").to_string();
    assert!(reason.contains(&format!("at byte {offset}")), "{reason}");
}

/// A request cut short by the end of the stream is malformed input too.
#[test]
fn parser_reports_a_request_cut_short_by_the_end_of_the_stream() {
    let (messages, errors, signals) = parse_requests(&[b"GET / HTTP/1.1\r\nHo"]);
    assert!(messages.is_empty());
    assert_eq!(errors[0].kind, HttpErrorKind::Truncated("head"));
    assert!(signals[0].failure().is_some());
}

/// Shutdown ends the parser at once, discarding a partial message, and is passed on.
#[test]
fn parser_shutdown_ends_at_once_and_is_passed_on() {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpParser::requests());
    h.control.try_send(Control::Shutdown).unwrap();
    h.input
        .try_send(b"GET / HTTP/1.1\r\n\r\n".to_vec())
        .unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A response parser ends a body running until the connection closes at ProducerFinished.
#[test]
fn response_parser_ends_a_body_running_until_close_at_producer_finished() {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpParser::responses());
    h.input
        .try_send(b"HTTP/1.1 200 OK\r\n\r\nstreamed".to_vec())
        .unwrap();
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let got = group(drain(&mut h.output));
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].1.as_slice(), got[0].2), (&b"streamed"[..], true));
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// The writer frames bodies as each head says: chunked for Transfer-Encoding: chunked,
/// unchanged otherwise; queued messages are written before ProducerFinished is passed on.
#[test]
fn writer_frames_chunked_bodies_and_passes_other_bodies_unchanged() {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpWriter::responses());
    let chunked = ResponseHead::new(200).header("Transfer-Encoding", "chunked");
    let sized = ResponseHead::new(200).header("Content-Length", "2");
    for m in [
        HttpMessage::Head(chunked),
        HttpMessage::Body(b"abc".to_vec()),
        HttpMessage::Body(Vec::new()),
        HttpMessage::End,
        HttpMessage::Head(sized),
        HttpMessage::Body(b"xy".to_vec()),
        HttpMessage::End,
    ] {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let bytes: Vec<u8> = drain(&mut h.output).concat();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK"),
        "{text}"
    );
    assert!(text.ends_with("Content-Length: 2\r\n\r\nxy"), "{text}");
    let got = responses_in(&bytes);
    assert_eq!(got[0].1, b"abc");
    assert_eq!(got[1].1, b"xy");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// Shutdown ends the writer at once: what is queued is discarded, and Shutdown passed on.
#[test]
fn writer_shutdown_discards_what_is_queued() {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpWriter::responses());
    h.input
        .try_send(HttpMessage::Head(ResponseHead::new(200)))
        .unwrap();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A reader that takes nothing does not hide a stop: while the writer's bytes wait for room a
/// `ProducerFinished` is noted and a `Shutdown` ends it at once, passed on.
#[test]
fn writer_waiting_for_room_still_stops_on_shutdown() {
    let messages = [
        HttpMessage::Head(ResponseHead::new(200)),
        HttpMessage::Body(b"one".to_vec()),
        HttpMessage::Body(b"two".to_vec()),
    ];
    stops_on_shutdown_while_waiting_for_room(HttpWriter::responses(), messages);
}

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
const OWN_DATE: &str = "Mon, 01 Jan 2001 00:00:00 GMT";

/// The router of the request handler tests.
fn router(request: &RequestHead) -> Handler {
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

/// Runs a request handler over `requests` (then `end` on its control) on a deterministic
/// system: the responses (written as bytes and decoded back), and its signal.
fn handle(requests: Vec<RequestMessage>, end: Control) -> (Vec<Answer>, Vec<Control>) {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpRequestHandler::new(router));
    for m in requests {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(end).unwrap();
    system.run().unwrap();
    let mut writer_encoded = Vec::new();
    let messages = drain(&mut h.output);
    // Through a writer's framing and a decoder, as a client would see it.
    let mut encoder_system = System::deterministic();
    let mut w = harness(&encoder_system, HttpWriter::responses());
    for m in messages {
        w.input.try_send(m).unwrap();
    }
    w.control.try_send(Control::ProducerFinished).unwrap();
    encoder_system.run().unwrap();
    for b in drain(&mut w.output) {
        writer_encoded.extend(b);
    }
    (responses_in(&writer_encoded), drain(&mut h.signal))
}

fn request_parts(head: RequestHead, body: &[&str]) -> Vec<RequestMessage> {
    std::iter::once(HttpMessage::Head(head))
        .chain(
            body.iter()
                .map(|b| HttpMessage::Body(b.as_bytes().to_vec())),
        )
        .chain([HttpMessage::End])
        .collect()
}

/// Requests are answered in order, each by the resource handler the router picks; the body
/// reaches the handler; an unknown length is chunked for HTTP/1.1; the connection stays open.
#[test]
fn request_handler_answers_requests_in_order_each_with_its_own_handler() {
    let mut requests = request_parts(get("/missing"), &[]);
    requests.extend(request_parts(
        RequestHead::new("POST", "/echo")
            .header("Host", "t")
            .header("Content-Length", "5"),
        &["hel", "lo"],
    ));
    requests.extend(request_parts(get("/stream"), &[]));
    let (responses, signals) = handle(requests, Control::ProducerFinished);
    let statuses: Vec<u16> = responses.iter().map(|r| r.0.status).collect();
    assert_eq!(statuses, [404, 200, 200]);
    assert_eq!(responses[1].1, b"hello");
    assert_eq!(
        responses[2].0.headers.get_str("Transfer-Encoding"),
        Some("chunked")
    );
    assert_eq!(responses[2].1, b"abcd");
    assert!(responses
        .iter()
        .all(|r| r.2 && !r.0.headers.has_token("connection", "close")));
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// For an HTTP/1.0 client a body of unknown length is delimited by closing: the handler ends
/// after that response, and the request queued behind it is not answered.
#[test]
fn request_handler_closes_after_an_unknown_length_body_for_http10() {
    let mut old = get("/stream");
    old.version = Version::Http10;
    let mut requests = request_parts(old, &[]);
    requests.extend(request_parts(get("/missing"), &[]));
    let (responses, signals) = handle(requests, Control::ProducerFinished);
    assert_eq!(responses.len(), 1);
    assert!(responses[0].0.headers.has_token("connection", "close"));
    assert!(!responses[0].0.headers.contains("transfer-encoding"));
    assert_eq!(responses[0].1, b"abcd");
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// A request saying Connection: close is the last one answered.
#[test]
fn request_handler_closes_after_a_request_asking_to_close() {
    let mut requests = request_parts(get("/missing").header("Connection", "close"), &[]);
    requests.extend(request_parts(get("/other"), &[]));
    let (responses, signals) = handle(requests, Control::ProducerFinished);
    assert_eq!(responses.len(), 1);
    assert!(responses[0].0.headers.has_token("connection", "close"));
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// Failed from the parser: the complete requests before it are answered, then 400 naming the
/// error, with Connection: close; ProducerFinished goes on so the page gets written.
#[test]
fn request_handler_answers_malformed_input_with_400_after_the_complete_requests() {
    let requests = request_parts(get("/missing"), &[]);
    let failed = Control::failed("parser: malformed HTTP request at byte 40: invalid header name");
    let (responses, signals) = handle(requests, failed);
    let statuses: Vec<u16> = responses.iter().map(|r| r.0.status).collect();
    assert_eq!(statuses, [404, 400]);
    assert!(String::from_utf8_lossy(&responses[1].1).contains("at byte 40"));
    assert!(responses[1].0.headers.has_token("connection", "close"));
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// A request cut short by malformed input has its resource handler stopped and gets the 400.
#[test]
fn request_handler_answers_a_request_cut_short_by_malformed_input_with_400() {
    let requests = vec![
        HttpMessage::Head(RequestHead::new("POST", "/stuck").header("Host", "t")),
        HttpMessage::Body(b"part".to_vec()),
    ];
    let (responses, signals) = handle(requests, Control::failed("bad chunk"));
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].0.status, 400);
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// A resource handler that ends without a head gets a 500 sent for it.
#[test]
fn request_handler_sends_500_for_a_handler_that_sends_nothing() {
    let (responses, _) = handle(
        request_parts(get("/silent"), &[]),
        Control::ProducerFinished,
    );
    assert_eq!(responses[0].0.status, 500);
    assert!(responses[0].2);
}

/// An HTTP/1.1 request without Host gets 400 without the router, and the connection closes.
#[test]
fn request_handler_refuses_http11_requests_without_host() {
    let mut requests = request_parts(RequestHead::new("GET", "/echo"), &[]);
    requests.extend(request_parts(get("/missing"), &[]));
    let (responses, signals) = handle(requests, Control::ProducerFinished);
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].0.status, 400);
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// A resource handler sending fewer bytes than its Content-Length makes the connection close
/// after its response, so the client is not left waiting.
#[test]
fn request_handler_closes_when_a_handler_breaks_its_content_length() {
    let mut requests = request_parts(get("/short"), &[]);
    requests.extend(request_parts(get("/missing"), &[]));
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpRequestHandler::new(router));
    for m in requests {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let messages = drain(&mut h.output);
    assert_eq!(
        messages
            .iter()
            .filter(|m| matches!(m, HttpMessage::Head(_)))
            .count(),
        1
    );
    assert_eq!(messages.last(), Some(&HttpMessage::End));
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// HEAD gets the head alone; Expect: 100-continue gets 100 Continue before the answer.
#[test]
fn request_handler_drops_bodies_for_head_and_answers_expect_continue() {
    let mut requests = request_parts(RequestHead::new("HEAD", "/stream").header("Host", "t"), &[]);
    requests.extend(request_parts(
        RequestHead::new("POST", "/echo")
            .header("Host", "t")
            .header("Expect", "100-continue"),
        &["x"],
    ));
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpRequestHandler::new(router));
    for m in requests {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let got = group(drain(&mut h.output));
    let statuses: Vec<u16> = got.iter().map(|r| r.0.status).collect();
    assert_eq!(statuses, [200, 100, 200]);
    assert!(got[0].1.is_empty() && got[0].2);
    assert_eq!(got[2].1, b"x");
}

/// A request handler given `request`, run until its resource handler waits (both live).
fn handling(request: RequestHead) -> (System, common::Harness<HttpRequestHandler>) {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpRequestHandler::new(router));
    for m in request_parts(request, &[]) {
        h.input.try_send(m).unwrap();
    }
    system.run_until_idle();
    assert_eq!(
        system.live(),
        2,
        "the request handler and its resource handler"
    );
    (system, h)
}

/// Shutdown stops the current resource handler (even one that never answers), waits for it,
/// and is passed on; everything ends.
#[test]
fn request_handler_shutdown_stops_the_resource_handler_and_is_passed_on() {
    let (mut system, mut h) = handling(get("/stuck"));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
    assert!(drain(&mut h.output).is_empty());
}

/// A resource handler that ignores `Shutdown` cannot hold the request handler for ever: it is
/// given 5 s (virtual time here) to end, then cancelled; the `Shutdown` is passed on and
/// everything ends.
#[test]
fn request_handler_shutdown_cancels_a_resource_handler_that_does_not_stop() {
    let (mut system, mut h) = handling(get("/deaf"));
    h.control.try_send(Control::Shutdown).unwrap();
    system.advance(Duration::from_millis(4_900));
    assert_eq!(
        system.live(),
        2,
        "the resource handler is given time to stop"
    );
    assert!(drain(&mut h.signal).is_empty());
    system.advance(Duration::from_millis(100));
    assert_eq!(
        system.live(),
        0,
        "cancelled; then the request handler ended"
    );
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
    assert!(drain(&mut h.output).is_empty());
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// A reader that takes nothing does not hide a stop: while the 400 page for malformed input
/// waits for room, a further Failed or ProducerFinished changes nothing and a Shutdown ends
/// the request handler at once, passed on.
#[test]
fn request_handler_waiting_for_room_for_its_400_page_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let handler = HttpRequestHandler::new(router);
    let mut stop = Outbox::new();
    let (full, mut signal) = (Inbox::<ResponseMessage>::with_capacity(1), Inbox::new());
    axon::link(&stop, &handler.control).unwrap();
    axon::link(&handler.outbox, &full).unwrap();
    axon::link(&handler.signal, &signal).unwrap();
    let id = system.spawn(handler);
    stop.try_send(Control::failed("parser: malformed")).unwrap();
    system.run_until_idle();
    stop.try_send(Control::failed("parser: again")).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room"
    );
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(full.len(), 1);
}

/// An error page handler stopped before it starts sends nothing and passes the stop on.
#[test]
fn error_page_handler_sends_nothing_when_stopped_before_it_starts() {
    let mut system = System::deterministic();
    let mut h = harness(&system, ErrorPageHandler::new(404));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// The Date field

/// Seconds from the epoch to 10000-01-01T00:00:00Z, the first time IMF-fixdate cannot write.
const YEAR_10000: u64 = 253_402_300_800;

/// 1994-11-06T08:49:37Z, RFC 9110's example date.
fn rfc_example_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(784_111_777)
}

const RFC_EXAMPLE_DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

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
fn parse_imf_fixdate(text: &str) -> Option<u64> {
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

/// Known dates: RFC 9110's example, the epoch, a leap day, the last second of a year, the last
/// second IMF-fixdate can write; fractions of a second are dropped; times it cannot write give
/// `None`.
#[test]
fn http_date_writes_imf_fixdate() {
    let at = |secs: u64| http_date(UNIX_EPOCH + Duration::from_secs(secs));
    assert_eq!(
        http_date(rfc_example_time()).as_deref(),
        Some(RFC_EXAMPLE_DATE)
    );
    assert_eq!(at(0).as_deref(), Some("Thu, 01 Jan 1970 00:00:00 GMT"));
    assert_eq!(
        at(951_782_400).as_deref(),
        Some("Tue, 29 Feb 2000 00:00:00 GMT")
    );
    assert_eq!(
        at(951_827_696).as_deref(),
        Some("Tue, 29 Feb 2000 12:34:56 GMT")
    );
    assert_eq!(
        at(951_868_800).as_deref(),
        Some("Wed, 01 Mar 2000 00:00:00 GMT")
    );
    assert_eq!(
        at(1_704_067_199).as_deref(),
        Some("Sun, 31 Dec 2023 23:59:59 GMT")
    );
    assert_eq!(
        at(1_704_067_200).as_deref(),
        Some("Mon, 01 Jan 2024 00:00:00 GMT")
    );
    assert_eq!(
        at(YEAR_10000 - 1).as_deref(),
        Some("Fri, 31 Dec 9999 23:59:59 GMT")
    );
    let fraction = rfc_example_time() + Duration::from_millis(999);
    assert_eq!(http_date(fraction).as_deref(), Some(RFC_EXAMPLE_DATE));
    assert_eq!(at(YEAR_10000), None);
    assert_eq!(http_date(UNIX_EPOCH - Duration::from_nanos(1)), None);
}

/// The parser of these tests agrees with the known dates (so the property below means
/// something), and refuses near misses.
#[test]
fn the_test_parser_reads_known_dates_and_refuses_others() {
    assert_eq!(parse_imf_fixdate(RFC_EXAMPLE_DATE), Some(784_111_777));
    assert_eq!(parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(
        parse_imf_fixdate("Tue, 29 Feb 2000 12:34:56 GMT"),
        Some(951_827_696)
    );
    assert_eq!(
        parse_imf_fixdate("Sun, 31 Dec 2023 23:59:59 GMT"),
        Some(1_704_067_199)
    );
    for wrong in [
        "Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
        "Sun, 6 Nov 1994 08:49:37 GMT",  // no leading zero
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sunday, 06-Nov-94 08:49:37 GMT", // RFC 850 form
        "Sun Nov  6 08:49:37 1994",       // asctime form
        "Thu, 29 Feb 2001 00:00:00 GMT",  // no such day
        "Sun, 06 Nov 1994 24:00:00 GMT",
    ] {
        assert_eq!(parse_imf_fixdate(wrong), None, "{wrong}");
    }
}

proptest! {
    /// Any second from 1970 to the end of 9999, written and read back, is the same second.
    #[test]
    fn http_date_reads_back_as_the_same_second(secs in 0..YEAR_10000, nanos in 0u32..1_000_000_000) {
        let time = UNIX_EPOCH + Duration::new(secs, nanos);
        let text = http_date(time).expect("a time IMF-fixdate can write");
        prop_assert_eq!(parse_imf_fixdate(&text), Some(secs), "{}", text);
    }
}

/// Every response the request handler sends carries the `Date` its clock reads — a resource
/// handler's, an error page, `100 Continue`, the 500 for a silent handler, the 400 for
/// malformed input — except where the resource handler set its own, which is kept.
#[test]
fn request_handler_dates_every_response_from_its_clock() {
    let mut requests = request_parts(get("/missing"), &[]);
    requests.extend(request_parts(
        RequestHead::new("POST", "/echo")
            .header("Host", "t")
            .header("Expect", "100-continue"),
        &["x"],
    ));
    requests.extend(request_parts(get("/dated"), &[]));
    requests.extend(request_parts(get("/silent"), &[]));
    let mut system = System::deterministic();
    let handler = HttpRequestHandler::new(router).clock(rfc_example_time);
    let mut h = harness(&system, handler);
    for m in requests {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(Control::failed("malformed")).unwrap();
    system.run().unwrap();
    let got = group(drain(&mut h.output));
    let statuses: Vec<u16> = got.iter().map(|r| r.0.status).collect();
    assert_eq!(statuses, [404, 100, 200, 200, 500, 400]);
    let dates: Vec<Vec<&[u8]>> = got
        .iter()
        .map(|r| r.0.headers.get_all("date").collect())
        .collect();
    let example = RFC_EXAMPLE_DATE.as_bytes();
    let own = OWN_DATE.as_bytes();
    assert_eq!(
        dates,
        [
            vec![example],
            vec![example],
            vec![example],
            vec![own],
            vec![example],
            vec![example]
        ]
    );
}

/// A clock that reads a time IMF-fixdate cannot write is not trusted: no `Date` is sent.
#[test]
fn request_handler_sends_no_date_from_a_clock_before_1970() {
    let mut system = System::deterministic();
    let handler = HttpRequestHandler::new(router).clock(|| UNIX_EPOCH - Duration::from_secs(1));
    let mut h = harness(&system, handler);
    for m in request_parts(get("/missing"), &[]) {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let got = group(drain(&mut h.output));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.status, 404);
    assert!(!got[0].0.headers.contains("date"));
}

/// A directory tree: `outside/secret.txt`, and the served root `outside/www` with files.
struct Tree {
    _dir: tempfile::TempDir,
    www: PathBuf,
}

fn tree() -> Tree {
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

/// Runs StaticFiles for `request` under `root` on a deterministic system.
fn serve_file(
    root: &Path,
    request: RequestHead,
    chunk: usize,
) -> (Vec<ResponseMessage>, Vec<Control>) {
    let mut system = System::deterministic();
    let mut h = harness(&system, StaticFiles::new(root, &request).chunk_size(chunk));
    system.run().unwrap();
    (drain(&mut h.output), drain(&mut h.signal))
}

fn status_of(messages: &[ResponseMessage]) -> u16 {
    match messages.first() {
        Some(HttpMessage::Head(h)) => h.status,
        other => panic!("no head: {other:?}"),
    }
}

/// A file is served as 200 with its MIME type and length, in chunks of at most chunk_size.
#[test]
fn static_files_serves_a_file_with_its_type_in_bounded_chunks() {
    let t = tree();
    let (messages, signals) = serve_file(&t.www, get("/page.html"), 4);
    let HttpMessage::Head(head) = &messages[0] else {
        panic!("head first")
    };
    assert_eq!(head.status, 200);
    assert_eq!(
        head.headers.get_str("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(head.headers.get_str("Content-Length"), Some("13"));
    let bodies: Vec<&Vec<u8>> = messages
        .iter()
        .filter_map(|m| match m {
            HttpMessage::Body(b) => Some(b),
            _ => None,
        })
        .collect();
    assert!(bodies.len() >= 4 && bodies.iter().all(|b| b.len() <= 4));
    assert_eq!(
        bodies.into_iter().flatten().copied().collect::<Vec<u8>>(),
        b"<h1>page</h1>"
    );
    assert_eq!(messages.last(), Some(&HttpMessage::End));
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// A missing file is 404.
#[test]
fn static_files_answers_404_for_a_missing_file() {
    let t = tree();
    let (messages, _) = serve_file(&t.www, get("/nothing.txt"), 1024);
    assert_eq!(status_of(&messages), 404);
}

/// Paths that try to leave the root are refused with 403: `..`, percent-encoded `..`, a
/// backslash, and a symbolic link leading outside.
#[test]
fn static_files_refuses_paths_that_leave_the_root() {
    let t = tree();
    let mut paths = vec![
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/dir/%2E%2E/../secret.txt",
        "/..%5csecret.txt",
    ];
    if cfg!(unix) {
        paths.push("/link.txt");
    }
    for path in paths {
        let (messages, _) = serve_file(&t.www, get(path), 1024);
        assert_eq!(status_of(&messages), 403, "{path}");
        let text: Vec<u8> = messages
            .iter()
            .filter_map(|m| match m {
                HttpMessage::Body(b) => Some(b.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(
            !String::from_utf8_lossy(&text).contains("top secret"),
            "{path}"
        );
    }
}

/// A directory serves its index file; asked for without its final slash, it is redirected.
#[test]
fn static_files_serves_a_directory_index_and_redirects_without_the_slash() {
    let t = tree();
    let (messages, _) = serve_file(&t.www, get("/dir/"), 1024);
    assert_eq!(status_of(&messages), 200);
    assert_eq!(messages[1], HttpMessage::Body(b"<p>index</p>".to_vec()));
    let (messages, _) = serve_file(&t.www, get("/dir"), 1024);
    let HttpMessage::Head(head) = &messages[0] else {
        panic!("head first")
    };
    assert_eq!(
        (head.status, head.headers.get_str("Location")),
        (301, Some("/dir/"))
    );
}

/// HEAD gets the head alone; methods other than GET and HEAD get 405 with Allow; a prefix
/// can be stripped.
#[test]
fn static_files_answers_head_refuses_other_methods_and_strips_a_prefix() {
    let t = tree();
    let (messages, _) = serve_file(&t.www, RequestHead::new("HEAD", "/hello.txt"), 1024);
    assert_eq!(messages.len(), 2);
    assert_eq!(status_of(&messages), 200);
    let (messages, _) = serve_file(&t.www, RequestHead::new("DELETE", "/hello.txt"), 1024);
    let HttpMessage::Head(head) = &messages[0] else {
        panic!("head first")
    };
    assert_eq!(
        (head.status, head.headers.get_str("Allow")),
        (405, Some("GET, HEAD"))
    );

    let mut system = System::deterministic();
    let request = get("/static/hello.txt");
    let mut h = harness(
        &system,
        StaticFiles::new(&t.www, &request).strip_prefix("/static/"),
    );
    system.run().unwrap();
    let got = drain(&mut h.output);
    assert_eq!(got[1], HttpMessage::Body(b"hello, world\n".to_vec()));
}

/// Shutdown before it answers: nothing is sent, and Shutdown is passed on.
#[test]
fn static_files_shutdown_sends_nothing_and_is_passed_on() {
    let t = tree();
    let mut system = System::deterministic();
    let request = get("/big.bin");
    let mut h = harness(&system, StaticFiles::new(&t.www, &request));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A whole connection's protocol on a deterministic system: a malformed request after a good
/// one gets 404 then 400 written, the error (with its offset) on `errors`.
#[test]
fn http_server_answers_then_reports_a_malformed_request_on_errors() {
    let mut system = System::deterministic();
    let server = HttpServer::new(router);
    let mut errors = Inbox::unbounded();
    axon::link(&server.errors, &errors).unwrap();
    let mut h = harness(&system, server);
    let good = b"GET /missing HTTP/1.1\r\nHost: t\r\n\r\n";
    let bad = "GET / HTTP/1.1\r\nHost: t\r\nNo colon\r\n\r\n";
    h.input.try_send(good.to_vec()).unwrap();
    h.input.try_send(bad.as_bytes().to_vec()).unwrap();
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let bytes: Vec<u8> = drain(&mut h.output).concat();
    let statuses: Vec<u16> = responses_in(&bytes).iter().map(|r| r.0.status).collect();
    assert_eq!(statuses, [404, 400]);
    let error = errors.try_recv().expect("the parse error");
    assert_eq!(
        error.offset,
        (good.len() + bad.find(" colon").unwrap()) as u64
    );
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

// ---------------------------------------------------------------------------------------------
// A server on 127.0.0.1

/// A running web server over a [`tree`].
struct Site {
    system: System,
    address: SocketAddr,
    stop: Outbox<Control>,
    tree: Tree,
}

fn site() -> Site {
    site_with(|www| http_server(StaticFiles::router(www)))
}

/// A running web server over a [`tree`], each connection's protocol made by the factory that
/// `factory` makes for the served root.
fn site_with<F>(factory: impl FnOnce(&Path) -> F) -> Site
where
    F: FnMut(SocketAddr, SocketAddr) -> HttpServer + Send + 'static,
{
    let tree = tree();
    let mut system = System::new();
    let server = ServerCore::new("127.0.0.1:0".parse().unwrap(), factory(&tree.www));
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).unwrap();
    let stop = Outbox::new();
    axon::link(&stop, &server.control).unwrap();
    system.spawn(server);
    system.start();
    let address = addresses
        .recv_blocking_timeout(WAIT)
        .expect("the server listening");
    assert!(address.ip().is_loopback());
    Site {
        system,
        address,
        stop,
        tree,
    }
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn connect(&self) -> Connection {
        let stream = TcpStream::connect(self.address).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        Connection {
            stream,
            decoder: ResponseDecoder::new(),
        }
    }

    /// Stops the server and everything in the system, within a bounded time.
    fn stop(mut self) {
        self.stop.send_blocking(Control::Shutdown).unwrap();
        let report = self.system.shutdown(WAIT);
        assert!(
            report.cancelled.is_empty(),
            "still running: {:?}",
            report.cancelled
        );
    }
}

/// A client connection, reading responses with the decoder (so keep-alive works).
struct Connection {
    stream: TcpStream,
    decoder: ResponseDecoder,
}

impl Connection {
    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    fn get(&mut self, path: &str, extra: &str) {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n").as_bytes());
    }

    /// The next response: head and whole body.
    fn response(&mut self) -> (ResponseHead, Vec<u8>) {
        let (mut head, mut body) = (None, Vec::new());
        loop {
            while let Some(m) = self.decoder.next().expect("a well-formed response") {
                match m {
                    HttpMessage::Head(h) => head = Some(h),
                    HttpMessage::Body(b) => body.extend(b),
                    HttpMessage::End => return (head.expect("a head"), body),
                }
            }
            let mut buf = [0u8; 16 * 1024];
            match self
                .stream
                .read(&mut buf)
                .expect("a response within the timeout")
            {
                0 => {
                    self.decoder.finish();
                    if let Some(HttpMessage::End) = self.decoder.next().expect("well-formed") {
                        return (head.expect("a head"), body);
                    }
                    panic!("the connection closed before the response ended");
                }
                n => self.decoder.push(&buf[..n]),
            }
        }
    }

    /// Whether the server closes the connection (within the timeout), nothing more sent.
    fn closes(&mut self) -> bool {
        let mut buf = [0u8; 64];
        match self.stream.read(&mut buf) {
            Ok(0) => true,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => true,
            _ => false,
        }
    }
}

/// GET of a file: 200, its bytes, its Content-Type and Content-Length.
#[test]
fn server_serves_a_file_with_its_body_and_content_type() {
    let site = site();
    let mut c = site.connect();
    c.get("/hello.txt", "");
    let (head, body) = c.response();
    assert_eq!(head.status, 200);
    assert_eq!(
        head.headers.get_str("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(head.headers.get_str("Content-Length"), Some("13"));
    assert_eq!(body, b"hello, world\n");
    site.stop();
}

/// A response from the server carries a `Date` field in IMF-fixdate form: the system clock's
/// time (to the second) between sending the request and reading the response.
#[test]
fn server_responses_carry_a_date_in_imf_fixdate_form() {
    let site = site();
    let mut c = site.connect();
    let seconds = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let before = seconds(SystemTime::now());
    c.get("/hello.txt", "");
    let (head, _) = c.response();
    c.get("/missing.txt", "");
    let (missing, _) = c.response();
    let after = seconds(SystemTime::now());
    for head in [head, missing] {
        let dates: Vec<&[u8]> = head.headers.get_all("date").collect();
        assert_eq!(dates.len(), 1, "one Date field in a {}", head.status);
        let date = std::str::from_utf8(dates[0]).unwrap();
        let at = parse_imf_fixdate(date).unwrap_or_else(|| panic!("not IMF-fixdate: {date:?}"));
        assert!(
            (before..=after).contains(&at),
            "{date} outside {before}..={after}"
        );
    }
    site.stop();
}

/// With a fixed clock, the server's bytes carry exactly that `Date`.
#[test]
fn server_with_a_fixed_clock_sends_exactly_its_date() {
    let site = site_with(|www| {
        let www = www.to_path_buf();
        move |_peer, _local| HttpServer::new(StaticFiles::router(&www)).clock(rfc_example_time)
    });
    let mut stream = TcpStream::connect(site.address).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream
        .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
        "{response}"
    );
    site.stop();
}

/// A file larger than any buffer arrives whole and in order.
#[test]
fn server_streams_a_large_file_whole() {
    let site = site();
    let mut c = site.connect();
    c.get("/big.bin", "");
    let (head, body) = c.response();
    assert_eq!(head.status, 200);
    assert_eq!(body, std::fs::read(site.tree.www.join("big.bin")).unwrap());
    site.stop();
}

/// A missing file: 404, and the connection stays usable.
#[test]
fn server_answers_404_for_a_missing_file() {
    let site = site();
    let mut c = site.connect();
    c.get("/missing.txt", "");
    assert_eq!(c.response().0.status, 404);
    c.get("/hello.txt", "");
    assert_eq!(c.response().0.status, 200);
    site.stop();
}

/// Path traversal is refused and the file outside the root is never sent.
#[test]
fn server_refuses_path_traversal() {
    let site = site();
    let mut c = site.connect();
    for path in ["/../secret.txt", "/%2e%2e/secret.txt"] {
        c.get(path, "");
        let (head, body) = c.response();
        assert_eq!(head.status, 403, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("top secret"));
    }
    site.stop();
}

/// A malformed request gets 400 and its connection closes; another connection, opened
/// before, still works.
#[test]
fn a_malformed_request_gets_400_and_closes_only_its_connection() {
    let site = site();
    let mut good = site.connect();
    good.get("/hello.txt", "");
    assert_eq!(good.response().0.status, 200);

    let mut bad = site.connect();
    bad.send(b"GET / HTTP/1.1\r\nHost: test\r\nThis is not a field\r\n\r\n");
    let (head, body) = bad.response();
    assert_eq!(head.status, 400);
    assert!(String::from_utf8_lossy(&body).contains("at byte"));
    assert!(bad.closes(), "the malformed connection closes");

    good.get("/page.html", "");
    let (head, body) = good.response();
    assert_eq!((head.status, body.as_slice()), (200, &b"<h1>page</h1>"[..]));
    site.stop();
}

/// Keep-alive: two requests on one connection (the second pipelined with a third), then
/// Connection: close ends it.
#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let site = site();
    let mut c = site.connect();
    c.get("/hello.txt", "");
    assert_eq!(c.response().1, b"hello, world\n");
    c.send(b"GET /page.html HTTP/1.1\r\nHost: t\r\n\r\nGET /dir/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(c.response().1, b"<h1>page</h1>");
    let (head, body) = c.response();
    assert_eq!(body, b"<p>index</p>");
    assert!(head.headers.has_token("connection", "close"));
    assert!(c.closes());
    site.stop();
}

/// The single-shot client fetches a file from the server: head, body, end, ProducerFinished.
#[test]
fn single_shot_client_fetches_a_file_from_the_server() {
    let site = site();
    let client = SingleShotHttpClient::new(site.url("/hello.txt"));
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&client.outbox, &output).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    site.system.spawn(client);
    assert_eq!(
        signal.recv_blocking_timeout(WAIT),
        Ok(Control::ProducerFinished)
    );
    let got = group(drain(&mut output));
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].0.status, got[0].1.as_slice(), got[0].2),
        (200, &b"hello, world\n"[..], true)
    );
    site.stop();
}

/// The single-shot client follows a redirect (a directory without its slash) to the index.
#[test]
fn single_shot_client_follows_a_redirect() {
    let site = site();
    let client = SingleShotHttpClient::new(site.url("/dir"));
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&client.outbox, &output).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    site.system.spawn(client);
    assert_eq!(
        signal.recv_blocking_timeout(WAIT),
        Ok(Control::ProducerFinished)
    );
    let got = group(drain(&mut output));
    assert_eq!(
        (got[0].0.status, got[0].1.as_slice()),
        (200, &b"<p>index</p>"[..])
    );
    site.stop();
}

/// A refused connection is a ClientError naming the URL, and Failed on signal.
#[test]
fn single_shot_client_reports_a_refused_connection() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let mut system = System::new();
    let client = SingleShotHttpClient::new(url.clone());
    let (mut errors, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    system.spawn(client);
    system.start();
    let end = signal.recv_blocking_timeout(WAIT).expect("the client ends");
    assert!(end.failure().is_some_and(|r| r.contains(&url)), "{end:?}");
    let error = errors.try_recv().expect("an error");
    assert!(matches!(&error, ClientError::Connection { .. }), "{error}");
    assert_eq!(error.url(), url);
    assert!(system.shutdown(WAIT).cancelled.is_empty());
}

/// The simple client fetches URLs one at a time, in order, whole; a URL it cannot fetch is
/// reported on errors and the next is fetched.
#[test]
fn simple_client_fetches_urls_in_order_and_reports_failures() {
    let site = site();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let (mut responses, mut errors, mut signal) =
        (Inbox::unbounded(), Inbox::unbounded(), Inbox::unbounded());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &responses).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    site.system.spawn(client);
    for url in [
        site.url("/hello.txt"),
        refused.clone(),
        site.url("/missing"),
        site.url("/page.html"),
    ] {
        urls.send_blocking(url).unwrap();
    }
    stop.send_blocking(Control::ProducerFinished).unwrap();
    assert_eq!(
        signal.recv_blocking_timeout(WAIT),
        Ok(Control::ProducerFinished)
    );
    let got: Vec<(u16, Vec<u8>)> = drain(&mut responses)
        .into_iter()
        .map(|r| (r.head.status, r.body))
        .collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0], (200, b"hello, world\n".to_vec()));
    assert_eq!(got[1].0, 404);
    assert_eq!(got[2], (200, b"<h1>page</h1>".to_vec()));
    let errors = drain(&mut errors);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].url(), refused);
    site.stop();
}

/// Shutdown stops a connection's protocol with a request still being answered: every child
/// ends and Shutdown comes out on its signal.
#[test]
fn http_server_shutdown_stops_its_children_and_is_passed_on() {
    let mut system = System::deterministic();
    let mut h = harness(&system, HttpServer::new(router));
    h.input
        .try_send(b"GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n".to_vec())
        .unwrap();
    system.run_until_idle();
    assert!(
        system.live() >= 4,
        "server, parser, handler, writer, resource handler"
    );
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
    assert!(drain(&mut h.output).is_empty());
}

/// A server that accepts but never answers; the URL to reach it.
fn silent_server() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    (listener, url)
}

/// Shutdown while waiting for a response: the single-shot client closes the connection,
/// reports nothing on errors, and passes Shutdown on.
#[test]
fn single_shot_client_shutdown_closes_the_connection_and_is_passed_on() {
    let (listener, url) = silent_server();
    let mut system = System::new();
    let client = SingleShotHttpClient::new(url);
    let mut stop = Outbox::new();
    let (mut errors, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    system.spawn(client);
    system.start();
    let (mut socket, _) = listener.accept().unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let mut request = [0u8; 512];
    assert!(
        socket.read(&mut request).unwrap() > 0,
        "the request arrives"
    );
    stop.send_blocking(Control::Shutdown).unwrap();
    assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
    assert!(drain(&mut errors).is_empty());
    assert_eq!(
        socket.read(&mut request).unwrap(),
        0,
        "the connection is closed"
    );
    assert!(system.shutdown(WAIT).cancelled.is_empty());
}

/// Shutdown while fetching: the simple client stops the fetch, sends no response, and passes
/// Shutdown on.
#[test]
fn simple_client_shutdown_stops_the_fetch_and_is_passed_on() {
    let (listener, url) = silent_server();
    let mut system = System::new();
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let (mut responses, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &responses).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    system.spawn(client);
    system.start();
    urls.send_blocking(url).unwrap();
    let (mut socket, _) = listener.accept().unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let mut request = [0u8; 512];
    assert!(
        socket.read(&mut request).unwrap() > 0,
        "the request arrives"
    );
    stop.send_blocking(Control::Shutdown).unwrap();
    assert_eq!(signal.recv_blocking_timeout(WAIT), Ok(Control::Shutdown));
    assert!(drain(&mut responses).is_empty());
    assert!(system.shutdown(WAIT).cancelled.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The clients, with a receiver that takes nothing

/// An inbox with room for one message, already full: a receiver that takes nothing.
fn full_inbox<T: Send + 'static>(filler: T) -> Inbox<T> {
    let inbox = Inbox::with_capacity(1);
    let mut fill = Outbox::new();
    axon::link(&fill, &inbox).unwrap();
    fill.try_send(filler).unwrap();
    inbox
}

/// Whether the component `id` is blocked sending on its outbox `outbox`.
fn is_sending_on(system: &System, id: axon::ComponentId, outbox: &str) -> bool {
    system.snapshot().component(id).is_some_and(
        |c| matches!(&c.state, axon::ComponentState::Sending { outbox: o } if o == outbox),
    )
}

/// Drives a deterministic system whose components wait on sockets until `done` holds, giving
/// up after [`WAIT`] (the kernel moves the bytes; the system has to notice).
fn drive_until(system: &mut System, mut done: impl FnMut(&System) -> bool) {
    let give_up = std::time::Instant::now() + WAIT;
    while !done(system) {
        assert!(std::time::Instant::now() < give_up, "gave up waiting");
        system.run_until_idle();
        std::thread::yield_now();
    }
}

/// A server on 127.0.0.1 answering one request with `response`, on its own thread; the URL.
fn answer_once(response: &'static [u8]) -> (std::thread::JoinHandle<()>, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(WAIT)).unwrap();
        let (mut request, mut buf) = (Vec::new(), [0u8; 1024]);
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).unwrap();
            assert!(n > 0, "the whole request head arrives");
            request.extend_from_slice(&buf[..n]);
        }
        socket.write_all(response).unwrap();
    });
    (server, url)
}

/// A single-shot client whose receiver takes nothing still stops on Shutdown while the
/// response's End waits for room, and passes the Shutdown on.
#[test]
fn single_shot_client_waiting_for_room_still_stops_on_shutdown() {
    let (server, url) = answer_once(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let mut system = System::deterministic();
    let client = SingleShotHttpClient::new(url);
    let mut stop = Outbox::new();
    let (output, mut signal) = (Inbox::<ResponseMessage>::with_capacity(1), Inbox::new());
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &output).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    // The head fills the receiver; the End waits for room.
    drive_until(&mut system, |s| {
        output.len() == 1 && is_sending_on(s, id, "outbox")
    });
    server.join().unwrap();
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A single-shot client whose `errors` receiver takes nothing still ends when stopped while
/// its error waits for room; the failure is what it reports on `signal`.
#[test]
fn single_shot_client_waiting_for_room_for_its_error_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let client = SingleShotHttpClient::new("ftp://example/");
    let mut stop = Outbox::new();
    let filler = ClientError::TooLarge {
        url: "filler".into(),
        limit: 0,
    };
    let (errors, mut signal) = (full_inbox(filler), Inbox::new());
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    system.run_until_idle();
    assert!(is_sending_on(&system, id, "errors"), "waiting for room");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    let said = drain(&mut signal);
    assert!(
        matches!(said.as_slice(), [c] if c.failure().is_some_and(|r| r.contains("ftp://example/"))),
        "{said:?}"
    );
    assert_eq!(errors.len(), 1);
}

/// A simple client whose receiver takes nothing still stops on Shutdown while a response
/// waits for room, and passes it on.
#[test]
fn simple_client_waiting_for_room_for_a_response_still_stops_on_shutdown() {
    let (server, url) = answer_once(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    let mut system = System::deterministic();
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let filler = kamaelia::protocol::http::HttpResponse {
        url: "filler".into(),
        head: ResponseHead::new(200),
        body: Vec::new(),
    };
    let (responses, mut signal) = (full_inbox(filler), Inbox::new());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.outbox, &responses).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    urls.try_send(url).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    drive_until(&mut system, |s| is_sending_on(s, id, "outbox"));
    server.join().unwrap();
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(responses.len(), 1);
}

/// A simple client whose `errors` receiver takes nothing still stops on Shutdown while an
/// error waits for room (ProducerFinished meanwhile changes nothing), and passes it on.
#[test]
fn simple_client_waiting_for_room_for_an_error_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let client = SimpleHttpClient::new();
    let (mut urls, mut stop) = (Outbox::new(), Outbox::new());
    let filler = ClientError::TooLarge {
        url: "filler".into(),
        limit: 0,
    };
    let (errors, mut signal) = (full_inbox(filler), Inbox::new());
    axon::link(&urls, &client.inbox).unwrap();
    axon::link(&stop, &client.control).unwrap();
    axon::link(&client.errors, &errors).unwrap();
    axon::link(&client.signal, &signal).unwrap();
    let id = system.spawn(client);
    urls.try_send("ftp://example/".to_string()).unwrap();
    system.run_until_idle();
    assert!(is_sending_on(&system, id, "errors"), "waiting for room");
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(is_sending_on(&system, id, "errors"), "still waiting");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(errors.len(), 1);
}
