//! The framing family of `kamaelia::protocol::framing`, lines, length-prefixed frames and
//! Framer/DeFramer: their pure codecs (property tests: any split of a stream decodes the same,
//! encode→decode round trips, garbage gives positioned errors and never panics) and their
//! components (what each sends, how each shuts down, and what malformed input does) — and the
//! catalogue entries of the whole family. DataChunker/DataDeChunker and MaxSizePacketiser are
//! tested in `protocol_framing_chunks.rs`, RecoverOrder and simple reliable multicast in
//! `protocol_framing_order.rs`.

mod common;

use axon::testing::Harness;
use axon::Control;
use common::drain;
use common::framing::{
    bytes, collect, cut, decode_all, failure, outputs_and_reports_as_seen, rich_bytes, run,
};
use kamaelia::chassis::Pipeline;
use kamaelia::protocol::framing::codec::{
    encode_frame, encode_length_prefixed, encode_line, Decoder, FrameDecoder, FrameErrorKind,
    LengthPrefixDecoder, LineDecoder, LineEncodeErrorKind, LineTooLong,
};
use kamaelia::protocol::framing::{
    ChunksToLines, DeFramer, FrameError, Framer, LengthPrefixDeframer, LengthPrefixError,
    LengthPrefixFramer, LineEncodeError, LineFramer, MaxSizePacketiser, OnMalformed, Terminator,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Bytes rich in the characters line decoding cares about.
fn line_bytes() -> impl Strategy<Value = Vec<u8>> {
    rich_bytes(b"\n\r\n\rabc", 200)
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
