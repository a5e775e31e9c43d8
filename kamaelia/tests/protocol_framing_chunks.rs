//! DataChunker/DataDeChunker and MaxSizePacketiser of `kamaelia::protocol::framing`: the chunk
//! codec (property tests: any split of a stream decodes the same, encode→decode round trips,
//! garbage gives positioned errors and never panics) and the components (what each sends, how
//! each shuts down, and what malformed input does).

mod common;

use axon::testing::Harness;
use axon::Control;
use common::framing::{
    bytes, collect, cut, decode_all, failure, outputs_and_reports_as_seen, rich_bytes, run,
};
use common::{drain, stops_on_shutdown_while_waiting_for_room};
use kamaelia::chassis::Pipeline;
use kamaelia::protocol::framing::codec::{
    ChunkDecoder, ChunkErrorKind, ChunkFormat, ChunkFormatError,
};
use kamaelia::protocol::framing::{
    ChunkError, DataChunker, DataDeChunker, LineFramer, MaxSizePacketiser, OnMalformed,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

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
