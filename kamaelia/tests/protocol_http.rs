//! HTTP components on a deterministic system: HttpParser, HttpWriter, HttpRequestHandler (with
//! resource handlers the tests script), ErrorPageHandler, and a whole connection's HttpServer.
//! The decoder is tested in `protocol_http_decoder.rs`, the `Date` field in
//! `protocol_http_date.rs`, StaticFiles in `protocol_http_static.rs`, and a server on 127.0.0.1
//! with the clients in `protocol_http_server.rs`.
//!
//! Everything runs on `System::deterministic()`; time moves only with `advance`.

mod common;

use std::time::Duration;

use axon::{Control, Inbox, Outbox, System};
use common::http::{get, group, request_parts, responses_in, router, Answer};
use common::{drain, harness, stops_on_shutdown_while_waiting_for_room};
use kamaelia::protocol::http::{
    ErrorPageHandler, HttpError, HttpErrorKind, HttpMessage, HttpParser, HttpRequestHandler,
    HttpServer, HttpWriter, RequestHead, RequestMessage, ResponseHead, ResponseMessage, Version,
};

// ---------------------------------------------------------------------------------------------
// Components on a deterministic system

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
