//! The framing family of `kamaelia::protocol::framing`: its pure codecs (property tests: any
//! split of a stream decodes the same, encode→decode round trips, garbage gives positioned
//! errors and never panics) and its components (what each sends, how each shuts down, and what
//! malformed input does).

mod common;

use axon::testing::{Discard, Duplicate, Harness, Reorder};
use axon::{Control, Inbox, Outbox, System, TrySendError};
use common::{drain, stops_on_shutdown_while_waiting_for_room};
use kamaelia::chassis::Pipeline;
use kamaelia::protocol::framing::codec::{
    encode_frame, encode_length_prefixed, encode_line, ChunkDecoder, ChunkErrorKind, ChunkFormat,
    ChunkFormatError, Decoder, FrameDecoder, FrameErrorKind, LengthPrefixDecoder, LineDecoder,
    LineEncodeErrorKind, LineTooLong,
};
use kamaelia::protocol::framing::{
    srm_receiver, srm_sender, ChunkError, ChunksToLines, DataChunker, DataDeChunker, DeFramer,
    FrameError, Framer, Gap, LengthPrefixDeframer, LengthPrefixError, LengthPrefixFramer,
    LineEncodeError, LineFramer, MaxSizePacketiser, OnMalformed, OrderStats, RecoverOrder,
    Released, ReorderBuffer, Terminator,
};
use kamaelia::Stage;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `bytes` cut at `points` (each taken modulo the length + 1).
fn cut<'a>(bytes: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = points.iter().map(|p| p % (bytes.len() + 1)).collect();
    at.sort_unstable();
    let mut pieces = Vec::new();
    let mut from = 0;
    for p in at {
        pieces.push(&bytes[from..p]);
        from = p;
    }
    pieces.push(&bytes[from..]);
    pieces
}

/// Everything `decoder` gives for `pieces` then the end of the stream, checking after every
/// push that it holds no more than its limit.
fn decode_all<D: Decoder>(mut decoder: D, pieces: &[&[u8]]) -> Vec<Result<D::Item, D::Error>> {
    let mut got = Vec::new();
    for piece in pieces {
        decoder.push(piece);
        assert!(
            decoder.buffered() <= decoder.buffer_limit(),
            "holds {} bytes, limit {}",
            decoder.buffered(),
            decoder.buffer_limit()
        );
        got.extend(std::iter::from_fn(|| decoder.pop()));
    }
    decoder.finish();
    got.extend(std::iter::from_fn(|| decoder.pop()));
    got
}

/// Sends `msg` to `out`, letting the system run while the destination is full.
fn feed<T: Send + 'static>(system: &mut System, out: &mut Outbox<T>, msg: T) {
    let mut msg = msg;
    loop {
        match out.try_send(msg) {
            Ok(()) => return,
            Err(TrySendError::Full(back)) => {
                msg = back;
                system.run_until_idle();
            }
            Err(e) => panic!("cannot feed the component: {e}"),
        }
    }
}

/// Runs `stage` on a deterministic system: sends `items`, then `end`, and runs until everything
/// has ended; returns what it sent on `outbox` and `signal`.
fn run<S: Stage>(
    stage: S,
    items: impl IntoIterator<Item = S::In>,
    end: Control,
) -> (Vec<S::Out>, Vec<Control>) {
    let mut system = System::deterministic();
    let mut h = common::harness(&system, stage);
    for item in items {
        feed(&mut system, &mut h.input, item);
    }
    h.control.try_send(end).unwrap();
    system.run().expect("the component should end");
    assert_eq!(system.live(), 0);
    (drain(&mut h.output), drain(&mut h.signal))
}

/// A collector for an extra outbox, linked before the component runs.
fn collect<T: Send + 'static>(outbox: &Outbox<T>) -> Inbox<T> {
    let inbox = Inbox::unbounded();
    axon::link(outbox, &inbox).unwrap();
    inbox
}

/// The one `Failed` reason in `signal`.
fn failure(signal: &[Control]) -> String {
    assert_eq!(signal.len(), 1, "signal: {signal:?}");
    signal[0]
        .failure()
        .unwrap_or_else(|| panic!("expected Failed, got {:?}", signal[0]))
        .to_string()
}

fn bytes(v: &[&str]) -> Vec<Vec<u8>> {
    v.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// Runs `stage` with its `outbox` read through a one-message inbox, one message at a time, and
/// `reports` (linked to its `errors`, see [`collect`]) read after every step. All of `items` are
/// queued before it runs, then `ProducerFinished`. Returns what arrived, outputs as `Ok` and
/// reports as `Err`, in the order the test saw them: a report sent after an output cannot be
/// seen before it.
fn outputs_and_reports_as_seen<S: Stage, E: Send + 'static>(
    stage: S,
    mut reports: Inbox<E>,
    items: impl IntoIterator<Item = S::In>,
) -> Vec<Result<S::Out, E>> {
    let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::with_capacity(1));
    axon::link(&input, stage.inbox()).unwrap();
    axon::link(&stop, stage.control()).unwrap();
    axon::link(stage.outbox(), &output).unwrap();
    let mut system = System::deterministic();
    system.spawn(stage);
    for item in items {
        assert!(input.try_send(item).is_ok(), "cannot queue an item");
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    let mut seen = Vec::new();
    for _ in 0..100 {
        system.run_until_idle();
        let out = output.try_recv().ok();
        let done = out.is_none() && system.live() == 0;
        seen.extend(out.map(Ok));
        seen.extend(drain(&mut reports).into_iter().map(Err));
        if done {
            return seen;
        }
    }
    panic!("the component did not end ({} messages seen)", seen.len());
}

/// Up to `max` bytes, about half of them taken from `special` (cheap to generate: one `u8`
/// per byte).
fn rich_bytes(special: &'static [u8], max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(move |v| {
        v.into_iter()
            .map(|b| match b {
                0..=127 => special[usize::from(b) % special.len()],
                _ => b,
            })
            .collect()
    })
}

/// Bytes rich in the characters line decoding cares about.
fn line_bytes() -> impl Strategy<Value = Vec<u8>> {
    rich_bytes(b"\n\r\n\rabc", 200)
}

/// Bytes rich in the markers and escape bytes of the formats in [`formats`].
fn chunk_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    rich_bytes(b"\xff\xfe\xdf\xde\x01\x02\x21\x22KAMSYNCXY", max)
}

/// The default chunk format and two small ones (a one-byte marker, a three-byte one).
fn formats() -> impl Strategy<Value = ChunkFormat> {
    prop_oneof![
        Just(ChunkFormat::default()),
        Just(ChunkFormat::new(vec![0x01], 0x02).unwrap()),
        Just(ChunkFormat::new(b"\x01XY".to_vec(), 0x02).unwrap()),
    ]
}

fn policies() -> impl Strategy<Value = OnMalformed> {
    prop_oneof![Just(OnMalformed::Fail), Just(OnMalformed::Skip)]
}

// ---------------------------------------------------------------------------------------------
// Lines: LineDecoder, encode_line, LineFramer, ChunksToLines
// ---------------------------------------------------------------------------------------------

proptest! {
    /// However a stream is cut, the line decoder gives the same lines and errors, and never
    /// holds more than the limit plus one byte.
    #[test]
    fn line_decoder_any_split_gives_the_same_result(
        stream in line_bytes(),
        points in prop::collection::vec(any::<usize>(), 0..8),
        limit in 0usize..12,
    ) {
        let whole = decode_all(LineDecoder::new(limit), &[&stream]);
        let split = decode_all(LineDecoder::new(limit), &cut(&stream, &points));
        prop_assert_eq!(whole, split);
    }

    /// Lines encoded with either terminator decode to the same lines.
    #[test]
    fn lines_round_trip_through_encode_and_decode(
        lines in prop::collection::vec(rich_bytes(b"\rab", 20), 0..20),
        crlf in any::<bool>(),
        points in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let terminator = if crlf { Terminator::CrLf } else { Terminator::Lf };
        let lines: Vec<Vec<u8>> = lines
            .into_iter()
            .filter(|l| !l.contains(&b'\n') && (crlf || l.last() != Some(&b'\r')))
            .collect();
        let mut stream = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            encode_line(line, i as u64 + 1, terminator, &mut stream).unwrap();
        }
        let got = decode_all(LineDecoder::new(64), &cut(&stream, &points));
        let want: Vec<Result<Vec<u8>, LineTooLong>> = lines.into_iter().map(Ok).collect();
        prop_assert_eq!(got, want);
    }

    /// On any input, every too-long line is reported once, numbered from 1 in order, starting
    /// at an offset inside the stream.
    #[test]
    fn line_decoder_errors_are_positioned_inside_the_stream(
        stream in line_bytes(),
        limit in 0usize..6,
    ) {
        let mut last_line = 0;
        for r in decode_all(LineDecoder::new(limit), &[&stream]) {
            if let Err(e) = r {
                prop_assert!(e.offset < stream.len() as u64, "{e:?}");
                prop_assert!(e.line > last_line, "{e:?}");
                prop_assert_eq!(e.limit, limit);
                last_line = e.line;
            }
        }
    }

    /// ChunksToLines, the component, gives exactly what its decoder gives, however the
    /// stream arrives.
    #[test]
    fn chunks_to_lines_component_matches_the_line_decoder(
        stream in line_bytes(),
        points in prop::collection::vec(any::<usize>(), 0..6),
        limit in 0usize..10,
    ) {
        let c = ChunksToLines::bytes().max_line_length(limit);
        let mut errors = collect(&c.errors);
        let pieces: Vec<Vec<u8>> = cut(&stream, &points).into_iter().map(<[u8]>::to_vec).collect();
        let (lines, signal) = run(c, pieces, Control::ProducerFinished);
        prop_assert_eq!(signal, [Control::ProducerFinished]);
        let expected = decode_all(LineDecoder::new(limit), &[&stream]);
        let want_lines: Vec<Vec<u8>> = expected.iter().filter_map(|r| r.clone().ok()).collect();
        let want_errors: Vec<u64> = expected.iter().filter_map(|r| r.as_ref().err().map(|e| e.line)).collect();
        prop_assert_eq!(lines, want_lines);
        let got_errors: Vec<u64> = drain(&mut errors).into_iter().map(|e| e.line).collect();
        prop_assert_eq!(got_errors, want_errors);
    }
}

/// A too-long line is reported with its number and the offset where it starts; a partial last
/// line is delivered at the end, and one too long is reported.
#[test]
fn line_decoder_reports_line_number_and_offset() {
    let got = decode_all(LineDecoder::new(3), &[b"abc\r\nabcd\nxy\nlong"]);
    assert_eq!(
        got,
        [
            Ok(b"abc".to_vec()),
            Err(LineTooLong {
                line: 2,
                offset: 5,
                limit: 3
            }),
            Ok(b"xy".to_vec()),
            Err(LineTooLong {
                line: 4,
                offset: 13,
                limit: 3
            }),
        ]
    );
    let text = got[1].clone().unwrap_err().to_string();
    assert!(text.contains("line 2") && text.contains("byte 5"), "{text}");
}

/// encode_line refuses a line containing LF, and under LF a line ending with CR, naming the
/// byte; it appends nothing then.
#[test]
fn encode_line_refuses_what_would_not_come_back() {
    let mut out = Vec::new();
    let e = encode_line(b"ab\ncd", 3, Terminator::CrLf, &mut out).unwrap_err();
    assert_eq!(
        (e.line, e.offset, e.kind),
        (3, 2, LineEncodeErrorKind::ContainsLf)
    );
    let e = encode_line(b"ab\r", 1, Terminator::Lf, &mut out).unwrap_err();
    assert_eq!((e.offset, e.kind), (2, LineEncodeErrorKind::EndsWithCr));
    assert!(out.is_empty());
    encode_line(b"ab\r", 1, Terminator::CrLf, &mut out).unwrap();
    assert_eq!(out, b"ab\r\r\n");
}

/// LineFramer ends each line with CRLF by default, or LF when told, one message per line.
#[test]
fn line_framer_terminates_each_line() {
    let (out, signal) = run(
        LineFramer::text(),
        ["a".to_string(), String::new()],
        Control::ProducerFinished,
    );
    assert_eq!(out, bytes(&["a\r\n", "\r\n"]));
    assert_eq!(signal, [Control::ProducerFinished]);
    let (out, _) = run(
        LineFramer::bytes().terminator(Terminator::Lf),
        [b"x".to_vec()],
        Control::ProducerFinished,
    );
    assert_eq!(out, bytes(&["x\n"]));
}

/// LineFramer then ChunksToLines gives back the lines sent.
#[test]
fn line_framer_and_chunks_to_lines_round_trip() {
    let lines = vec!["one".to_string(), "tw\ro".to_string(), String::new()];
    let p = Pipeline::new(LineFramer::text()).then(ChunksToLines::<Vec<u8>, String>::new());
    let (out, signal) = run(p, lines.clone(), Control::ProducerFinished);
    assert_eq!(out, lines);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// A line LineFramer cannot frame: the lines before it are sent, one error goes to `errors`,
/// `Failed` naming the framer goes to `signal`, and the lines after it are not framed.
#[test]
fn line_framer_bad_line_reports_then_fails() {
    let f = LineFramer::text();
    let mut errors = collect(&f.errors);
    let (out, signal) = run(
        f,
        [
            "ok".to_string(),
            "bad\nline".to_string(),
            "never".to_string(),
        ],
        Control::ProducerFinished,
    );
    assert_eq!(out, bytes(&["ok\r\n"]));
    let errs: Vec<LineEncodeError> = drain(&mut errors);
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].line, errs[0].offset), (2, 3));
    let reason = failure(&signal);
    assert!(
        reason.starts_with("LineFramer") && reason.contains("line 2"),
        "{reason}"
    );
}

/// On Shutdown LineFramer discards what is queued and passes the Shutdown on.
#[test]
fn line_framer_shutdown_discards_queued_lines() {
    let (out, signal) = run(LineFramer::text(), ["a".to_string()], Control::Shutdown);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Length-prefixed frames
// ---------------------------------------------------------------------------------------------

proptest! {
    /// However a stream of any bytes is cut, the length-prefix decoder gives the same frames and
    /// errors, holds at most one frame, and stops after its one error, whose offset is inside
    /// the stream.
    #[test]
    fn length_prefix_any_split_gives_the_same_result(
        stream in rich_bytes(&[0, 0, 0, 1, 2, 3], 200),
        points in prop::collection::vec(any::<usize>(), 0..8),
        limit in 0usize..40,
    ) {
        let whole = decode_all(LengthPrefixDecoder::with_limit(limit), &[&stream]);
        let split = decode_all(LengthPrefixDecoder::with_limit(limit), &cut(&stream, &points));
        prop_assert_eq!(&whole, &split);
        let errors: Vec<usize> = (0..whole.len()).filter(|&i| whole[i].is_err()).collect();
        prop_assert!(errors.len() <= 1);
        if let Some(&i) = errors.first() {
            prop_assert_eq!(i, whole.len() - 1, "nothing after the error");
            let e = whole[i].as_ref().unwrap_err();
            prop_assert!(e.offset() < stream.len() as u64, "{e:?}");
        }
    }

    /// Any payloads, length-prefixed and cut anywhere, decode to the same payloads.
    #[test]
    fn length_prefix_round_trips(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..50), 0..10),
        points in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut stream = Vec::new();
        for p in &payloads {
            encode_length_prefixed(p, &mut stream);
        }
        let got = decode_all(LengthPrefixDecoder::new(), &cut(&stream, &points));
        let want: Vec<Result<Vec<u8>, LengthPrefixError>> = payloads.into_iter().map(Ok).collect();
        prop_assert_eq!(got, want);
    }
}

/// A frame whose length is over the limit is an error at its prefix, before its payload
/// arrives; a stream ending inside a frame is an error naming how much arrived.
#[test]
fn length_prefix_decoder_names_the_frame_at_fault() {
    let mut d = LengthPrefixDecoder::with_limit(4);
    d.push(&[0, 0, 0, 1, b'a', 0, 0, 0, 5]);
    assert_eq!(d.pop(), Some(Ok(b"a".to_vec())));
    assert_eq!(
        d.pop(),
        Some(Err(LengthPrefixError::TooLarge {
            offset: 5,
            declared: 5,
            limit: 4
        }))
    );
    assert!(d.has_failed());
    let got = decode_all(LengthPrefixDecoder::new(), &[&[0, 0]]);
    assert_eq!(
        got,
        [Err(LengthPrefixError::Truncated {
            offset: 0,
            declared: None,
            received: 2
        })]
    );
    let text = got[0].as_ref().unwrap_err().to_string();
    assert!(
        text.contains("byte 0") && text.contains("2 of its 4"),
        "{text}"
    );
}

/// LengthPrefixFramer then LengthPrefixDeframer, through any re-chunking, gives back the
/// messages; ProducerFinished comes out at the end.
#[test]
fn length_prefix_framer_and_deframer_round_trip() {
    let msgs = bytes(&["", "a", "hello world", "x"]);
    let p = Pipeline::new(LengthPrefixFramer::new())
        .then(MaxSizePacketiser::new(3))
        .then(LengthPrefixDeframer::new());
    let (out, signal) = run(p, msgs.clone(), Control::ProducerFinished);
    assert_eq!(out, msgs);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// LengthPrefixFramer refuses a message over its limit: the frames before it are sent, one
/// error, then Failed.
#[test]
fn length_prefix_framer_oversized_message_reports_then_fails() {
    let f = LengthPrefixFramer::new().max_frame_size(3);
    let mut errors = collect(&f.errors);
    let (out, signal) = run(f, bytes(&["abc", "abcd", "a"]), Control::ProducerFinished);
    assert_eq!(out, [vec![0, 0, 0, 3, b'a', b'b', b'c']]);
    assert_eq!(
        drain(&mut errors),
        [LengthPrefixError::TooLarge {
            offset: 7,
            declared: 4,
            limit: 3
        }]
    );
    assert!(failure(&signal).starts_with("LengthPrefixFramer"));
}

/// LengthPrefixDeframer with an oversized frame: the frames before it are delivered, one error
/// naming its offset goes to `errors`, Failed goes to `signal`, and it ends.
#[test]
fn length_prefix_deframer_oversized_frame_reports_then_fails() {
    let d = LengthPrefixDeframer::new().max_frame_size(2);
    let mut errors = collect(&d.errors);
    let (out, signal) = run(
        d,
        [vec![0, 0, 0, 1, b'a', 0, 0, 0, 3, b'x'], vec![0, 0, 0, 0]],
        Control::ProducerFinished,
    );
    assert_eq!(out, [b"a".to_vec()]);
    let errs = drain(&mut errors);
    assert_eq!(
        errs,
        [LengthPrefixError::TooLarge {
            offset: 5,
            declared: 3,
            limit: 2
        }]
    );
    let reason = failure(&signal);
    assert!(
        reason.starts_with("LengthPrefixDeframer") && reason.contains("byte 5"),
        "{reason}"
    );
}

/// A stream ending inside a frame: the complete frames are delivered, then one Truncated
/// error, then Failed instead of ProducerFinished.
#[test]
fn length_prefix_deframer_truncated_at_end_reports_then_fails() {
    let d = LengthPrefixDeframer::new();
    let mut errors = collect(&d.errors);
    let (out, signal) = run(
        d,
        [vec![0, 0, 0, 2, b'h', b'i', 0, 0], vec![0, 9, b'p']],
        Control::ProducerFinished,
    );
    assert_eq!(out, [b"hi".to_vec()]);
    assert_eq!(
        drain(&mut errors),
        [LengthPrefixError::Truncated {
            offset: 6,
            declared: Some(9),
            received: 5
        }]
    );
    assert!(failure(&signal).contains("byte 6"));
}

/// On Shutdown LengthPrefixDeframer discards the unfinished frame and what is queued.
#[test]
fn length_prefix_deframer_shutdown_discards_partial_frame() {
    let mut h = Harness::new(LengthPrefixDeframer::new());
    h.put("inbox", vec![0u8, 0, 0, 3, b'a']).unwrap();
    h.run_until_idle();
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert!(h.is_finished());
    assert!(h.take::<Vec<u8>>("outbox").is_empty());
    assert!(h.take::<LengthPrefixError>("errors").is_empty());
    assert_eq!(h.take::<Control>("signal"), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Framer / DeFramer
// ---------------------------------------------------------------------------------------------

proptest! {
    /// Any (seq, payload) framed decodes to itself.
    #[test]
    fn frames_round_trip(seq in any::<u64>(), payload in prop::collection::vec(any::<u8>(), 0..100)) {
        let mut frame = Vec::new();
        encode_frame(seq, &payload, &mut frame);
        prop_assert_eq!(FrameDecoder::new().decode(&frame), Ok((seq, payload)));
    }

    /// Any message decodes without panicking; an error's offset is inside the message (or at
    /// its end), and a message that decodes re-encodes to exactly the same bytes.
    #[test]
    fn frame_decoder_is_exact_on_any_input(
        msg in rich_bytes(b"0123456789  \n", 60),
    ) {
        match FrameDecoder::new().decode(&msg) {
            Ok((seq, payload)) => {
                let mut again = Vec::new();
                encode_frame(seq, &payload, &mut again);
                prop_assert_eq!(again, msg);
            }
            Err(e) => prop_assert!(e.offset <= msg.len(), "{e:?}"),
        }
    }
}

/// Each malformed header field, and a wrong length, is named with the byte at fault.
#[test]
fn frame_decoder_names_each_fault() {
    let mut d = FrameDecoder::new();
    let kind = |d: &mut FrameDecoder, m: &[u8]| {
        let e = d.decode(m).unwrap_err();
        (e.offset, e.kind)
    };
    assert_eq!(kind(&mut d, b"12 3"), (4, FrameErrorKind::NoHeaderEnd));
    assert_eq!(kind(&mut d, b"12\nabc"), (2, FrameErrorKind::NoSpace));
    assert_eq!(
        kind(&mut d, b"1x 3\nabc"),
        (1, FrameErrorKind::BadSequenceNumber)
    );
    assert_eq!(
        kind(&mut d, b"01 3\nabc"),
        (0, FrameErrorKind::BadSequenceNumber)
    );
    assert_eq!(kind(&mut d, b"1 +3\nabc"), (2, FrameErrorKind::BadLength));
    assert_eq!(
        kind(&mut d, b"18446744073709551616 0\n"),
        (0, FrameErrorKind::BadSequenceNumber)
    );
    assert_eq!(
        kind(&mut d, b"1 3\nabcd"),
        (
            4,
            FrameErrorKind::LengthMismatch {
                declared: 3,
                actual: 4
            }
        )
    );
    let e = d.decode(b"").unwrap_err();
    assert_eq!((e.message, e.offset), (7, 0));
    assert!(e.to_string().contains("message 7"), "{e}");
}

/// Framer then DeFramer gives back the pairs; ProducerFinished comes out at the end.
#[test]
fn framer_and_deframer_round_trip() {
    let pairs = vec![
        (0, b"a".to_vec()),
        (7, Vec::new()),
        (u64::MAX, b"\n\n".to_vec()),
    ];
    let p = Pipeline::new(Framer::new()).then(DeFramer::new());
    let (out, signal) = run(p, pairs.clone(), Control::ProducerFinished);
    assert_eq!(out, pairs);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Framer takes any payload type that is bytes, and on Shutdown discards what is queued.
#[test]
fn framer_text_payloads_and_shutdown() {
    let (out, _) = run(
        Framer::<String>::with_payload(),
        [(3, "hé".to_string())],
        Control::ProducerFinished,
    );
    assert_eq!(out, ["3 3\nhé".as_bytes().to_vec()]);
    let (out, signal) = run(Framer::new(), [(1, vec![1])], Control::Shutdown);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

/// DeFramer, by default: a malformed frame gives one error and Failed; the frames before it
/// are delivered, those after it are not.
#[test]
fn deframer_malformed_frame_reports_then_fails() {
    let d = DeFramer::new();
    let mut errors = collect(&d.errors);
    let (out, signal) = run(
        d,
        bytes(&["1 1\na", "2 6\nshort", "3 1\nc"]),
        Control::ProducerFinished,
    );
    assert_eq!(out, [(1, b"a".to_vec())]);
    let errs: Vec<FrameError> = drain(&mut errors);
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].message, errs[0].offset), (1, 4));
    let reason = failure(&signal);
    assert!(
        reason.starts_with("DeFramer") && reason.contains("message 1"),
        "{reason}"
    );
}

/// DeFramer with OnMalformed::Skip reports a malformed frame, drops it, and carries on.
#[test]
fn deframer_skip_reports_and_carries_on() {
    let d = DeFramer::new().on_malformed(OnMalformed::Skip);
    let mut errors = collect(&d.errors);
    let (out, signal) = run(
        d,
        bytes(&["1 1\na", "garbage", "3 1\nc"]),
        Control::ProducerFinished,
    );
    assert_eq!(out, [(1, b"a".to_vec()), (3, b"c".to_vec())]);
    assert_eq!(drain(&mut errors).len(), 1);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// DeFramer with OnMalformed::Skip sends the report of a malformed frame before the frames
/// after it, even when they arrive together and the receiver takes one frame at a time.
#[test]
fn deframer_skip_reports_a_bad_frame_before_the_frames_after_it() {
    let d = DeFramer::new().on_malformed(OnMalformed::Skip);
    let errors = collect(&d.errors);
    let seen =
        outputs_and_reports_as_seen(d, errors, bytes(&["1 1\na", "garbage", "3 1\nc", "4 1\nd"]));
    let kinds: Vec<_> = seen
        .iter()
        .map(|r| r.as_ref().map(|(seq, _)| *seq).map_err(|e| e.message))
        .collect();
    assert_eq!(kinds, [Ok(1), Err(1), Ok(3), Ok(4)], "{seen:?}");
}

/// On Shutdown DeFramer discards what is queued and passes the Shutdown on.
#[test]
fn deframer_shutdown_discards_queued_frames() {
    let (out, signal) = run(DeFramer::new(), bytes(&["1 1\na"]), Control::Shutdown);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// DataChunker / DataDeChunker
// ---------------------------------------------------------------------------------------------

proptest! {
    /// Any chunks, in any format, cut anywhere, decode to the same chunks under either policy.
    #[test]
    fn chunks_round_trip(
        format in formats(),
        policy in policies(),
        chunks in prop::collection::vec(chunk_bytes(40), 0..8),
        points in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut stream = Vec::new();
        for c in &chunks {
            format.encode(c, &mut stream);
        }
        let d = ChunkDecoder::new(format).on_malformed(policy);
        let got = decode_all(d, &cut(&stream, &points));
        let want: Vec<Result<Vec<u8>, ChunkError>> = chunks.into_iter().map(Ok).collect();
        prop_assert_eq!(got, want);
    }

    /// However any bytes are cut, the chunk decoder gives the same chunks and errors under
    /// either policy, holds at most its limit, and names offsets inside the stream; when strict
    /// it stops at its first error.
    #[test]
    fn chunk_decoder_any_split_gives_the_same_result(
        format in formats(),
        policy in policies(),
        stream in chunk_bytes(200),
        points in prop::collection::vec(any::<usize>(), 0..8),
        limit in 0usize..12,
    ) {
        let make = || ChunkDecoder::new(format.clone()).with_limit(limit).on_malformed(policy);
        let whole = decode_all(make(), &[&stream]);
        let split = decode_all(make(), &cut(&stream, &points));
        prop_assert_eq!(&whole, &split);
        for (i, r) in whole.iter().enumerate() {
            if let Err(e) = r {
                prop_assert!(e.offset < stream.len() as u64, "{e:?}");
                if policy == OnMalformed::Fail {
                    prop_assert_eq!(i, whole.len() - 1, "nothing after a strict error");
                }
            }
        }
    }

    /// Resynchronising, a decoder that joins part way through (after bytes without the
    /// marker's first byte) recovers every chunk, with no error.
    #[test]
    fn chunk_decoder_skip_joins_mid_stream(
        format in formats(),
        garbage in chunk_bytes(40),
        chunks in prop::collection::vec(chunk_bytes(40), 1..6),
    ) {
        let m0 = format.marker()[0];
        let mut stream: Vec<u8> = garbage.into_iter().filter(|&b| b != m0).collect();
        for c in &chunks {
            format.encode(c, &mut stream);
        }
        let d = ChunkDecoder::new(format).on_malformed(OnMalformed::Skip);
        let got = decode_all(d, &[&stream]);
        let want: Vec<Result<Vec<u8>, ChunkError>> = chunks.into_iter().map(Ok).collect();
        prop_assert_eq!(got, want);
    }
}

/// ChunkFormat refuses a marker whose first byte repeats, an empty or long marker, and an
/// escape byte that clashes with the marker.
#[test]
fn chunk_format_refuses_ambiguous_markers() {
    assert_eq!(
        ChunkFormat::new(b"XXXX".to_vec(), 0),
        Err(ChunkFormatError::FirstByteRepeats { at: 1 })
    );
    assert_eq!(
        ChunkFormat::new(Vec::new(), 0),
        Err(ChunkFormatError::EmptyMarker)
    );
    assert_eq!(
        ChunkFormat::new(vec![1; 65], 0),
        Err(ChunkFormatError::MarkerTooLong { len: 65 })
    );
    assert_eq!(
        ChunkFormat::new(vec![0x41], 0x61),
        Err(ChunkFormatError::EscapeClashes)
    );
    assert!(ChunkFormat::new(b"#SYNC".to_vec(), b'\\').is_ok());
}

/// The strict decoder names each fault: stray bytes, a broken marker, a bad escape, a dangling
/// escape, a chunk over the limit, and a marker cut short by the end.
#[test]
fn chunk_decoder_names_each_fault() {
    let first_error = |stream: &[u8], limit: usize| {
        let d = ChunkDecoder::new(ChunkFormat::default()).with_limit(limit);
        decode_all(d, &[stream])
            .into_iter()
            .find_map(Result::err)
            .map(|e| (e.offset, e.kind))
    };
    let m = ChunkFormat::DEFAULT_MARKER;
    let with = |tail: &[u8]| [m, tail].concat();
    assert_eq!(
        first_error(b"x", 9),
        Some((0, ChunkErrorKind::OutsideChunk))
    );
    assert_eq!(
        first_error(&with(b"ab\xffKAX"), 9),
        Some((10, ChunkErrorKind::BrokenMarker))
    );
    assert_eq!(
        first_error(&with(b"a\xfeb"), 9),
        Some((9, ChunkErrorKind::BadEscape { byte: b'b' }))
    );
    assert_eq!(
        first_error(&with(b"a\xfe"), 9),
        Some((9, ChunkErrorKind::EscapeAtEnd))
    );
    assert_eq!(
        first_error(&with(b"abcd"), 3),
        Some((0, ChunkErrorKind::TooLong { limit: 3 }))
    );
    assert_eq!(
        first_error(&with(b"a\xffKAM"), 9),
        Some((9, ChunkErrorKind::TruncatedMarker))
    );
}

/// DataChunker then DataDeChunker gives back every message, the last one at the end of the
/// stream; ProducerFinished comes out at the end.
#[test]
fn data_chunker_and_dechunker_round_trip() {
    let msgs = vec![
        b"one".to_vec(),
        vec![0xff, 0xfe, 0xff],
        Vec::new(),
        b"last".to_vec(),
    ];
    let p = Pipeline::new(DataChunker::new())
        .then(MaxSizePacketiser::new(5))
        .then(DataDeChunker::new());
    let (out, signal) = run(p, msgs.clone(), Control::ProducerFinished);
    assert_eq!(out, msgs);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// On Shutdown DataChunker discards what is queued and passes the Shutdown on.
#[test]
fn data_chunker_shutdown_discards_queued_messages() {
    let (out, signal) = run(DataChunker::new(), bytes(&["a"]), Control::Shutdown);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

/// A message on `flush` sends the chunk in progress at once (after what was queued before it);
/// bytes after a flush belong to no chunk.
#[test]
fn data_dechunker_flush_sends_the_current_chunk() {
    let mut h = Harness::new(DataDeChunker::new().on_malformed(OnMalformed::Skip));
    h.put("inbox", b"\xffKAMSYNCfirst\xffKAMSYNCsec".to_vec())
        .unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<Vec<u8>>("outbox"), bytes(&["first"]));
    h.put("inbox", b"ond".to_vec()).unwrap();
    h.put("flush", ()).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<Vec<u8>>("outbox"), bytes(&["second"]));
    h.put("inbox", b"stray".to_vec()).unwrap();
    h.put("control", Control::ProducerFinished).unwrap();
    h.run_until_idle();
    assert!(h.take::<Vec<u8>>("outbox").is_empty());
    assert_eq!(h.take::<Control>("signal"), [Control::ProducerFinished]);
    assert!(h.is_finished());
}

/// Strict DataDeChunker: bytes before the first marker give one error naming offset 0, then
/// Failed, and it ends.
#[test]
fn data_dechunker_strict_garbage_reports_then_fails() {
    let d = DataDeChunker::new();
    let mut errors = collect(&d.errors);
    let (out, signal) = run(d, [b"junk\xffKAMSYNCa".to_vec()], Control::ProducerFinished);
    assert!(out.is_empty());
    assert_eq!(
        drain(&mut errors),
        [ChunkError {
            offset: 0,
            kind: ChunkErrorKind::OutsideChunk
        }]
    );
    let reason = failure(&signal);
    assert!(
        reason.starts_with("DataDeChunker") && reason.contains("byte 0"),
        "{reason}"
    );
}

/// Resynchronising DataDeChunker: a damaged chunk is reported and dropped, and the chunks
/// around it are delivered.
#[test]
fn data_dechunker_skip_drops_a_damaged_chunk_and_resynchronises() {
    let d = DataDeChunker::new().on_malformed(OnMalformed::Skip);
    let mut errors = collect(&d.errors);
    let stream = b"\xffKAMSYNCgood\xffKAMSYNCba\xfeXd\xffKAMSYNCalso good".to_vec();
    let (out, signal) = run(d, [stream], Control::ProducerFinished);
    assert_eq!(out, bytes(&["good", "also good"]));
    let errs = drain(&mut errors);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].kind, ChunkErrorKind::BadEscape { byte: b'X' });
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Resynchronising DataDeChunker sends the report of a damaged chunk before the chunks after
/// it, even when they arrive in the same piece of the stream and the receiver takes one chunk
/// at a time.
#[test]
fn data_dechunker_skip_reports_a_damaged_chunk_before_the_chunks_after_it() {
    let d = DataDeChunker::new().on_malformed(OnMalformed::Skip);
    let errors = collect(&d.errors);
    let stream = b"\xffKAMSYNCgood\xffKAMSYNCba\xfeXd\xffKAMSYNCalso good\xffKAMSYNClast".to_vec();
    let seen = outputs_and_reports_as_seen(d, errors, [stream]);
    let kinds: Vec<_> = seen
        .iter()
        .map(|r| {
            r.as_ref()
                .map(|c| String::from_utf8_lossy(c))
                .map_err(|e| &e.kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            Ok("good".into()),
            Err(&ChunkErrorKind::BadEscape { byte: b'X' }),
            Ok("also good".into()),
            Ok("last".into())
        ],
        "{seen:?}"
    );
}

/// On Shutdown DataDeChunker discards the chunk in progress.
#[test]
fn data_dechunker_shutdown_discards_the_chunk_in_progress() {
    let mut h = Harness::new(DataDeChunker::new());
    h.put("inbox", b"\xffKAMSYNCpartial".to_vec()).unwrap();
    h.run_until_idle();
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert!(h.is_finished());
    assert!(h.take::<Vec<u8>>("outbox").is_empty());
    assert_eq!(h.take::<Control>("signal"), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// MaxSizePacketiser
// ---------------------------------------------------------------------------------------------

proptest! {
    /// Packets are never longer than n, all but the last are exactly n, and together they are
    /// the stream.
    #[test]
    fn max_size_packetiser_packets_are_bounded_and_complete(
        msgs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..30), 0..10),
        n in 1usize..12,
    ) {
        let (packets, signal) = run(MaxSizePacketiser::new(n), msgs.clone(), Control::ProducerFinished);
        prop_assert_eq!(signal, [Control::ProducerFinished]);
        prop_assert_eq!(packets.concat(), msgs.concat());
        if let Some((last, full)) = packets.split_last() {
            prop_assert!(full.iter().all(|p| p.len() == n));
            prop_assert!(!last.is_empty() && last.len() <= n);
        }
    }
}

/// With no_delay, MaxSizePacketiser sends what it holds once its inbox is empty; on Shutdown
/// it discards the remainder.
#[test]
fn max_size_packetiser_no_delay_and_shutdown() {
    let mut h = Harness::new(MaxSizePacketiser::new(4).no_delay());
    h.put("inbox", b"abcdef".to_vec()).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<Vec<u8>>("outbox"), bytes(&["abcd", "ef"]));
    let mut h = Harness::new(MaxSizePacketiser::new(4));
    h.put("inbox", b"abcdef".to_vec()).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<Vec<u8>>("outbox"), bytes(&["abcd"]));
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert!(h.take::<Vec<u8>>("outbox").is_empty());
    assert_eq!(h.take::<Control>("signal"), [Control::Shutdown]);
    assert!(h.is_finished());
}

/// A framing component whose receiver takes nothing still stops on `Shutdown` while its
/// results wait for room (a `ProducerFinished` meanwhile is only noted).
#[test]
fn framing_waiting_for_room_still_stops_on_shutdown() {
    let lines = ["a", "b", "c"].map(String::from);
    stops_on_shutdown_while_waiting_for_room(LineFramer::text(), lines);
}

// ---------------------------------------------------------------------------------------------
// RecoverOrder
// ---------------------------------------------------------------------------------------------

/// Everything a buffer releases for `seqs`, then the end.
fn reorder(seqs: &[u64], window: usize) -> (Vec<Released<u64>>, OrderStats) {
    let mut b = ReorderBuffer::new(0, window);
    let mut got = Vec::new();
    for &s in seqs {
        b.push(s, s);
        assert!(b.held() <= window);
        got.extend(std::iter::from_fn(|| b.pop()));
    }
    b.finish();
    got.extend(std::iter::from_fn(|| b.pop()));
    (got, b.stats())
}

/// Numbers at the top of the range do not overflow the counts: the count of lost numbers
/// saturates, and a gap spanning every number has `u64::MAX` as its length.
#[test]
fn recover_order_counts_gaps_at_the_top_of_the_range_without_overflow() {
    let (got, stats) = reorder(&[u64::MAX - 1, u64::MAX, 5, 6], 1);
    assert_eq!(
        got[..3],
        [
            Released::Gap(Gap {
                first: 0,
                last: u64::MAX - 2
            }),
            Released::Item(u64::MAX - 1, u64::MAX - 1),
            Released::Item(u64::MAX, u64::MAX),
        ]
    );
    assert_eq!(stats.lost, u64::MAX, "saturated");
    assert_eq!(
        Gap {
            first: 0,
            last: u64::MAX
        }
        .len(),
        u64::MAX
    );
}

proptest! {
    /// With a window as large as the disorder, any permutation of 0..n with duplicates comes
    /// out as exactly 0..n, the duplicates counted and nothing lost.
    #[test]
    fn recover_order_restores_any_permutation(
        perm in (0u64..40).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle()),
        dups in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let mut seqs = perm.clone();
        if !perm.is_empty() {
            for d in &dups {
                let i = d.index(seqs.len());
                seqs.insert(i, perm[d.index(perm.len())]);
            }
        }
        let (got, stats) = reorder(&seqs, 40);
        let want: Vec<Released<u64>> = (0..perm.len() as u64).map(|s| Released::Item(s, s)).collect();
        prop_assert_eq!(got, want);
        let extra = if perm.is_empty() { 0 } else { dups.len() as u64 };
        prop_assert_eq!(stats, OrderStats { delivered: perm.len() as u64, duplicates: extra, lost: 0 });
    }

    /// With any window and any numbers, what comes out is in strictly increasing order, gaps and
    /// items together cover 0..=last exactly once, and every pair is delivered or counted.
    #[test]
    fn recover_order_output_is_ordered_and_accounted(
        seqs in prop::collection::vec(0u64..30, 0..60),
        window in 0usize..8,
    ) {
        let (got, stats) = reorder(&seqs, window);
        let mut next = 0;
        for r in &got {
            match r {
                Released::Item(s, v) => {
                    prop_assert_eq!(*s, next);
                    prop_assert_eq!(s, v);
                    next += 1;
                }
                Released::Gap(g) => {
                    prop_assert_eq!(g.first, next);
                    prop_assert!(g.last >= g.first);
                    next = g.last + 1;
                }
            }
        }
        prop_assert_eq!(stats.delivered + stats.duplicates, seqs.len() as u64);
    }
}

/// A gap larger than the window: RecoverOrder reports it on `gaps`, skips it, delivers on, drops
/// the missing pair when it turns up late, and counts it all in `stats`.
#[test]
fn recover_order_gives_up_on_a_gap_larger_than_the_window() {
    let r = RecoverOrder::new().window(2);
    let (mut gaps, mut stats) = (collect(&r.gaps), collect(&r.stats));
    let (out, signal) = run(
        r,
        [(0, 'a'), (2, 'c'), (3, 'd'), (4, 'e'), (1, 'b'), (4, 'e')],
        Control::ProducerFinished,
    );
    assert_eq!(out, [(0, 'a'), (2, 'c'), (3, 'd'), (4, 'e')]);
    assert_eq!(drain(&mut gaps), [Gap { first: 1, last: 1 }]);
    assert_eq!(
        drain(&mut stats),
        [OrderStats {
            delivered: 4,
            duplicates: 2,
            lost: 1
        }]
    );
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Pairs in order go out at once, without waiting for the window to fill.
#[test]
fn recover_order_sends_in_order_pairs_at_once() {
    let mut h = Harness::new(RecoverOrder::<u32>::new().starting_at(5));
    h.put("inbox", (5u64, 50u32)).unwrap();
    h.put("inbox", (7u64, 70u32)).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<(u64, u32)>("outbox"), [(5, 50)]);
    h.put("inbox", (6u64, 60u32)).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<(u64, u32)>("outbox"), [(6, 60), (7, 70)]);
}

/// At the end of the stream RecoverOrder sends what it holds in order, with the gaps; on
/// Shutdown it discards it.
#[test]
fn recover_order_flushes_at_end_and_discards_on_shutdown() {
    let r = RecoverOrder::new();
    let mut gaps = collect(&r.gaps);
    let (out, _) = run(r, [(3, 'd'), (1, 'b')], Control::ProducerFinished);
    assert_eq!(out, [(1, 'b'), (3, 'd')]);
    assert_eq!(
        drain(&mut gaps),
        [Gap { first: 0, last: 0 }, Gap { first: 2, last: 2 }]
    );
    let mut h = Harness::new(RecoverOrder::<char>::new());
    h.put("inbox", (3u64, 'd')).unwrap();
    h.run_until_idle();
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert!(h.take::<(u64, char)>("outbox").is_empty());
    assert_eq!(h.take::<OrderStats>("stats").len(), 1);
    assert_eq!(h.take::<Control>("signal"), [Control::Shutdown]);
    assert!(h.is_finished());
}

/// A RecoverOrder whose receiver takes nothing still stops on Shutdown, and passes it on.
#[test]
fn recover_order_waiting_for_room_still_stops_on_shutdown() {
    let pairs = [(0u64, 'a'), (1, 'b'), (2, 'c')];
    stops_on_shutdown_while_waiting_for_room(RecoverOrder::new(), pairs);
}

/// A RecoverOrder whose `gaps` receiver takes nothing still stops on Shutdown.
#[test]
fn recover_order_waiting_for_room_on_gaps_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let r = RecoverOrder::<char>::new().window(0);
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (output, mut signal) = (Inbox::<(u64, char)>::unbounded(), Inbox::new());
    let full = Inbox::<Gap>::with_capacity(1);
    axon::link(&input, &r.inbox).unwrap();
    axon::link(&stop, &r.control).unwrap();
    axon::link(&r.outbox, &output).unwrap();
    axon::link(&r.signal, &signal).unwrap();
    axon::link(&r.gaps, &full).unwrap();
    let id = system.spawn(r);
    // Window 0: each pair after a missing number reports a gap at once.
    for pair in [(1u64, 'b'), (3, 'd'), (5, 'f')] {
        input.try_send(pair).unwrap();
    }
    system.run_until_idle();
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room on gaps"
    );
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(full.len(), 1);
}

/// A RecoverOrder whose `stats` receiver takes nothing still stops on Shutdown once the stream
/// has finished, and passes the Shutdown on.
#[test]
fn recover_order_waiting_for_room_for_its_stats_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let r = RecoverOrder::<char>::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
    let full = Inbox::<OrderStats>::with_capacity(1);
    let mut filler = Outbox::new();
    axon::link(&filler, &full).unwrap();
    filler.try_send(OrderStats::default()).unwrap();
    axon::link(&input, &r.inbox).unwrap();
    axon::link(&stop, &r.control).unwrap();
    axon::link(&r.outbox, &output).unwrap();
    axon::link(&r.signal, &signal).unwrap();
    axon::link(&r.stats, &full).unwrap();
    let id = system.spawn(r);
    input.try_send((0, 'a')).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut output), [(0, 'a')]);
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room for its stats"
    );
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A RecoverOrder whose receiver has ended fails, and says why on `signal` first.
#[test]
fn recover_order_whose_receiver_ended_fails_and_says_so_on_signal() {
    common::fails_saying_so_when_its_receiver_has_ended(
        "recover",
        RecoverOrder::<char>::new(),
        [(0, 'a')],
    );
}

// ---------------------------------------------------------------------------------------------
// Simple reliable multicast
// ---------------------------------------------------------------------------------------------

/// The boxes between srm_sender and srm_receiver that a simulated link connects.
struct Ends<'a> {
    sender_out: &'a Outbox<Vec<u8>>,
    sender_signal: &'a Outbox<Control>,
    receiver_in: &'a Inbox<Vec<u8>>,
    receiver_control: &'a Inbox<Control>,
}

/// A relay of the fault injectors: four standard boxes.
macro_rules! relay_ends {
    ($c:expr) => {
        (&$c.inbox, &$c.control, &$c.outbox, &$c.signal)
    };
}

/// Feeds `n` messages to srm_sender, whose chunks reach srm_receiver through the link `wire`
/// builds (it links the ends and spawns its components); returns what the receiver sent.
fn srm_through(
    n: u64,
    wire: impl FnOnce(&mut System, Ends<'_>),
) -> (Vec<(u64, Vec<u8>)>, Vec<Control>) {
    let mut system = System::deterministic();
    let sender = srm_sender();
    let receiver = srm_receiver();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&input, &sender.inbox).unwrap();
    axon::link(&stop, &sender.control).unwrap();
    axon::link(&receiver.outbox, &output).unwrap();
    axon::link(&receiver.signal, &signal).unwrap();
    wire(
        &mut system,
        Ends {
            sender_out: &sender.outbox,
            sender_signal: &sender.signal,
            receiver_in: &receiver.inbox,
            receiver_control: &receiver.control,
        },
    );
    system.spawn(sender);
    system.spawn(receiver);
    for i in 0..n {
        feed(&mut system, &mut input, message(i));
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().expect("everything should end");
    (drain(&mut output), drain(&mut signal))
}

fn message(i: u64) -> Vec<u8> {
    format!("message {i}").into_bytes()
}

/// Messages sent through srm_sender, a link that duplicates and reorders them
/// (`axon::testing::Duplicate` then `Reorder`), and srm_receiver come out once each, in order.
#[test]
fn srm_recovers_order_through_duplication_and_reordering() {
    let (out, signal) = srm_through(200, |system, ends| {
        let dup = Duplicate::<Vec<u8>>::new();
        let reorder = Reorder::<Vec<u8>>::new(5, 42);
        let (d_in, d_ctl, d_out, d_sig) = relay_ends!(dup);
        let (r_in, r_ctl, r_out, r_sig) = relay_ends!(reorder);
        axon::link(ends.sender_out, d_in).unwrap();
        axon::link(ends.sender_signal, d_ctl).unwrap();
        axon::link(d_out, r_in).unwrap();
        axon::link(d_sig, r_ctl).unwrap();
        axon::link(r_out, ends.receiver_in).unwrap();
        axon::link(r_sig, ends.receiver_control).unwrap();
        system.spawn(dup);
        system.spawn(reorder);
    });
    let want: Vec<(u64, Vec<u8>)> = (0..200).map(|i| (i, message(i))).collect();
    assert_eq!(out, want);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Through a link that loses every fifth chunk, srm_receiver delivers the other messages in
/// order, and still ends.
#[test]
fn srm_delivers_the_survivors_of_a_lossy_link_in_order() {
    let (out, signal) = srm_through(100, |system, ends| {
        let lossy = Discard::<Vec<u8>>::every(5);
        let (l_in, l_ctl, l_out, l_sig) = relay_ends!(lossy);
        axon::link(ends.sender_out, l_in).unwrap();
        axon::link(ends.sender_signal, l_ctl).unwrap();
        axon::link(l_out, ends.receiver_in).unwrap();
        axon::link(l_sig, ends.receiver_control).unwrap();
        system.spawn(lossy);
    });
    let want: Vec<(u64, Vec<u8>)> = (0..100)
        .filter(|i| (i + 1) % 5 != 0)
        .map(|i| (i, message(i)))
        .collect();
    assert_eq!(out, want);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// srm_receiver skips a chunk damaged on the way and carries on with the next.
#[test]
fn srm_receiver_skips_a_damaged_chunk() {
    let mut chunks = Vec::new();
    for (seq, text) in [(0u64, "a"), (1, "b"), (2, "c")] {
        let mut frame = Vec::new();
        encode_frame(seq, text.as_bytes(), &mut frame);
        let mut chunk = Vec::new();
        ChunkFormat::default().encode(&frame, &mut chunk);
        chunks.push(chunk);
    }
    let short = chunks[1].len() - 1;
    chunks[1].truncate(short); // the frame is one byte short
    let (out, signal) = run(srm_receiver(), chunks, Control::ProducerFinished);
    assert_eq!(out, [(0, b"a".to_vec()), (2, b"c".to_vec())]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

/// Every component and prefab of the family is in the catalogue, in the Protocol family, with
/// its boxes.
#[test]
fn framing_family_is_catalogued() {
    use kamaelia::catalogue::{all, Family};
    let entries = all();
    for name in [
        "LineFramer",
        "LengthPrefixFramer",
        "LengthPrefixDeframer",
        "Framer",
        "DeFramer",
        "DataChunker",
        "DataDeChunker",
        "MaxSizePacketiser",
        "RecoverOrder",
        "srm_sender",
        "srm_receiver",
    ] {
        let e = entries
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not catalogued"));
        assert_eq!(e.family, Family::Protocol, "{name}");
        assert!(e.boxes.iter().any(|b| b.name == "signal"), "{name}");
    }
    let dechunker = entries.iter().find(|e| e.name == "DataDeChunker").unwrap();
    assert!(dechunker.boxes.iter().any(|b| b.name == "flush"));
}
