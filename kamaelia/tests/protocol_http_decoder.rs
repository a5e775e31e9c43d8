//! The HTTP decoder: property tests (however the stream is split, the same messages and the
//! same error; any bytes, no panic and error offsets within the stream), then malformed and
//! unusual streams one by one, each error at its byte.

use kamaelia::protocol::http::decoder::MAX_CHUNK_LINE;
use kamaelia::protocol::http::{
    Headers, HttpDecoder, HttpError, HttpErrorKind, HttpMessage, Limits, MessageHead,
    RequestDecoder, RequestHead, RequestMessage, ResponseDecoder, ResponseHead, Version,
};
use proptest::prelude::*;

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
