//! The line transforms of `kamaelia::util::transforms`: LineSplit, ChunksToLines and
//! ChunksToLineResults (`ChunksToLines::errors_in_band`) — what each sends, and how each shuts
//! down.

mod common;

use axon::{Control, Inbox, Outbox, System};
use common::transforms::{finished_with_queue, shut_down_with_queue, through, Harness};
use common::{drain, strings};
use kamaelia::util::transforms::{ChunksToLineResults, ChunksToLines, LineSplit, LineTooLong};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// LineSplit
// ---------------------------------------------------------------------------------------------

/// Each message is split at LF and CRLF, line endings removed, blank lines kept.
#[test]
fn line_split_splits_at_lf_and_crlf() {
    let out = through(
        LineSplit::new(),
        ["a\r\nb\n\nc".to_string(), "d\n".to_string()],
    );
    assert_eq!(out, strings(&["a", "b", "", "c", "d"]));
}

/// A final line ending adds no empty line, and an empty message gives no lines.
#[test]
fn line_split_final_line_ending_is_optional() {
    assert_eq!(
        through(LineSplit::new(), ["x\n", "x", ""]),
        strings(&["x", "x"])
    );
}

/// Each message is complete: a line is never joined with the next message.
#[test]
fn line_split_never_joins_messages() {
    assert_eq!(
        through(LineSplit::new(), ["ab", "cd\nef"]),
        strings(&["ab", "cd", "ef"])
    );
}

/// A `ProducerFinished` queued with data is seen after all of that data is split.
#[test]
fn line_split_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(LineSplit::new(), ["1\n2", "3"]);
    assert_eq!(out, strings(&["1", "2", "3"]));
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn line_split_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(LineSplit::new(), ["1\n2"]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// ChunksToLines
// ---------------------------------------------------------------------------------------------

/// Lines cut across chunks come out whole; several lines in one chunk come out one by one.
#[test]
fn chunks_to_lines_reassembles_lines_across_chunks() {
    let out = through(
        ChunksToLines::text(),
        strings(&["he", "llo\nwo", "rld\nand\nmore\n"]),
    );
    assert_eq!(out, strings(&["hello", "world", "and", "more"]));
}

/// A CRLF whose CR and LF arrive in different chunks still ends the line, CR removed.
#[test]
fn chunks_to_lines_handles_crlf_split_between_chunks() {
    let out = through(ChunksToLines::text(), strings(&["one\r", "\ntwo\r\n"]));
    assert_eq!(out, strings(&["one", "two"]));
}

/// A CR that is not followed by LF is data, not a line ending.
#[test]
fn chunks_to_lines_keeps_a_lone_cr_as_data() {
    let out = through(ChunksToLines::text(), strings(&["a\rb\n"]));
    assert_eq!(out, strings(&["a\rb"]));
}

/// The partial last line is delivered at end of stream (Kamaelia dropped it).
#[test]
fn chunks_to_lines_delivers_the_partial_last_line_at_end_of_stream() {
    let out = through(ChunksToLines::text(), strings(&["whole\npart", "ial"]));
    assert_eq!(out, strings(&["whole", "partial"]));
}

/// A stream ending with a line break has no partial line to deliver.
#[test]
fn chunks_to_lines_stream_ending_in_a_line_break_has_no_partial_line() {
    let out = through(ChunksToLines::text(), strings(&["a\n", "\n"]));
    assert_eq!(out, strings(&["a", ""]));
}

/// A single unterminated chunk queued together with `ProducerFinished` is not lost (Kamaelia
/// lost it: it read control first and stopped).
#[test]
fn chunks_to_lines_producer_finished_drains_and_flushes() {
    let (out, signal) = finished_with_queue(ChunksToLines::text(), strings(&["only line"]));
    assert_eq!(out, strings(&["only line"]));
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn chunks_to_lines_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(ChunksToLines::text(), strings(&["a\nb\n"]));
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

/// `Shutdown` discards the partial line being assembled.
#[test]
fn chunks_to_lines_shutdown_discards_the_partial_line() {
    let mut h = Harness::new(ChunksToLines::text());
    h.send_all(strings(&["done\npart"]));
    assert_eq!(h.idle(), strings(&["done"]));
    h.stop(Control::Shutdown);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

/// A line longer than the limit is discarded and reported on `errors` with its number and the
/// limit; the lines around it are delivered.
#[test]
fn chunks_to_lines_reports_and_discards_a_too_long_line() {
    let c = ChunksToLines::text().max_line_length(4);
    let mut errors = Inbox::unbounded();
    axon::link(&c.errors, &errors).unwrap();
    let out = through(c, strings(&["ok\n12345\n1234\n"]));
    assert_eq!(out, strings(&["ok", "1234"]));
    assert_eq!(
        drain(&mut errors),
        [LineTooLong {
            line: 2,
            offset: 3,
            limit: 4
        }]
    );
    let text = LineTooLong {
        line: 2,
        offset: 3,
        limit: 4,
    }
    .to_string();
    assert!(text.contains("line 2") && text.contains('4'), "{text}");
}

/// A too-long line arriving in many chunks is reported once, nothing of it is kept, and the
/// line after it is delivered.
#[test]
fn chunks_to_lines_too_long_line_across_chunks_is_reported_once() {
    let c = ChunksToLines::text().max_line_length(3);
    let mut errors = Inbox::unbounded();
    axon::link(&c.errors, &errors).unwrap();
    let out = through(c, strings(&["ab", "cd", "ef", "gh\nxyz\n", "wxyz"]));
    assert_eq!(out, strings(&["xyz"]));
    assert_eq!(
        drain(&mut errors),
        [
            LineTooLong {
                line: 1,
                offset: 0,
                limit: 3
            },
            LineTooLong {
                line: 3,
                offset: 13,
                limit: 3
            }
        ]
    );
}

/// The report of a too-long line is sent before the line after it, even with both in one chunk:
/// read one line at a time (the line box holds one), nothing after the long line arrives before
/// its report has.
#[test]
fn chunks_to_lines_sends_a_too_long_report_before_the_next_line() {
    let c = ChunksToLines::text().max_line_length(3);
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut lines, mut errors) = (Inbox::with_capacity(1), Inbox::unbounded());
    axon::link(&input, &c.inbox).unwrap();
    axon::link(&stop, &c.control).unwrap();
    axon::link(&c.outbox, &lines).unwrap();
    axon::link(&c.errors, &errors).unwrap();
    let mut system = System::deterministic();
    system.spawn(c);
    input.try_send("a\ntoo long\nb\nc\n".to_string()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    let mut seen = Vec::new();
    for _ in 0..100 {
        system.run_until_idle();
        let line = lines.try_recv().ok();
        let done = line.is_none() && system.live() == 0;
        seen.extend(line.map(Ok));
        seen.extend(drain(&mut errors).into_iter().map(Err));
        if done {
            break;
        }
    }
    let report = LineTooLong {
        line: 2,
        offset: 2,
        limit: 3,
    };
    assert_eq!(
        seen,
        [
            Ok("a".to_string()),
            Err(report),
            Ok("b".into()),
            Ok("c".into())
        ]
    );
}

/// A line of exactly the limit is kept, even when its CR arrives in one chunk and its LF in the
/// next.
#[test]
fn chunks_to_lines_line_at_the_limit_is_kept_with_crlf_split() {
    let c = ChunksToLines::text().max_line_length(3);
    let mut errors = Inbox::unbounded();
    axon::link(&c.errors, &errors).unwrap();
    let out = through(c, strings(&["abc\r", "\n"]));
    assert_eq!(out, strings(&["abc"]));
    assert!(drain(&mut errors).is_empty());
}

/// In byte mode any bytes pass through unchanged; in text mode bytes that are not UTF-8 become
/// U+FFFD.
#[test]
fn chunks_to_lines_bytes_mode_is_exact_and_text_mode_is_lossy() {
    let chunks = || vec![vec![0xff, b'a', b'\n'], vec![0xfe]];
    assert_eq!(
        through(ChunksToLines::bytes(), chunks()),
        [vec![0xff, b'a'], vec![0xfe]]
    );
    let text = through(ChunksToLines::<Vec<u8>, String>::new(), chunks());
    assert_eq!(text, strings(&["\u{fffd}a", "\u{fffd}"]));
}

/// A multi-byte character cut between chunks is reassembled intact.
#[test]
fn chunks_to_lines_reassembles_a_character_cut_between_chunks() {
    let bytes = "né\n".as_bytes();
    let out = through(
        ChunksToLines::<Vec<u8>, String>::new(),
        [bytes[..2].to_vec(), bytes[2..].to_vec()],
    );
    assert_eq!(out, strings(&["né"]));
}

/// What lines a stream holds, by the documented rules (the model the component is checked
/// against): complete lines lose their LF and a CR just before it; the rest is the partial line.
fn model_lines(stream: &[u8], limit: usize) -> (Vec<Vec<u8>>, Vec<u64>) {
    let mut parts: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
    let last = parts.pop().unwrap_or_default();
    let (mut lines, mut too_long) = (Vec::new(), Vec::new());
    for (i, p) in parts.iter().enumerate() {
        let p = p.strip_suffix(b"\r").unwrap_or(p);
        if p.len() > limit {
            too_long.push(i as u64 + 1);
        } else {
            lines.push(p.to_vec());
        }
    }
    if !last.is_empty() {
        if last.len() > limit {
            too_long.push(parts.len() as u64 + 1);
        } else {
            lines.push(last.to_vec());
        }
    }
    (lines, too_long)
}

/// Cuts `data` at the given points (taken modulo its length, sorted).
fn cut(data: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    at.push(0);
    at.push(data.len());
    at.sort_unstable();
    at.windows(2).map(|w| data[w[0]..w[1]].to_vec()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Lines joined with LF or CRLF and cut anywhere come out exactly as the lines.
    #[test]
    fn chunks_to_lines_recovers_lines_however_the_text_is_cut(
        lines in prop::collection::vec(("[a-zé ]{0,8}", any::<bool>()), 0..12),
        unterminated in "[a-z]{0,5}",
        cuts in prop::collection::vec(any::<usize>(), 0..10),
    ) {
        let mut text = String::new();
        for (line, crlf) in &lines {
            text.push_str(line);
            text.push_str(if *crlf { "\r\n" } else { "\n" });
        }
        text.push_str(&unterminated);
        let chunks = cut(text.as_bytes(), &cuts);
        let out = through(ChunksToLines::<Vec<u8>, String>::new(), chunks);
        let mut expected: Vec<String> = lines.into_iter().map(|(l, _)| l).collect();
        if !unterminated.is_empty() {
            expected.push(unterminated);
        }
        prop_assert_eq!(out, expected);
    }

    /// For any bytes cut anywhere, the lines and the too-long reports are those of the rules.
    #[test]
    fn chunks_to_lines_matches_the_model_for_any_bytes_and_cuts(
        stream in prop::collection::vec(prop::sample::select(vec![b'a', b'b', b'\r', b'\n', 0xff]), 0..80),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
        limit in 0usize..8,
    ) {
        let c = ChunksToLines::bytes().max_line_length(limit);
        let mut errors = Inbox::unbounded();
        axon::link(&c.errors, &errors).unwrap();
        let out = through(c, cut(&stream, &cuts));
        let reported: Vec<u64> = drain(&mut errors).into_iter().map(|e| e.line).collect();
        let (lines, too_long) = model_lines(&stream, limit);
        prop_assert_eq!(out, lines);
        prop_assert_eq!(reported, too_long);
    }
}

// ---------------------------------------------------------------------------------------------
// ChunksToLineResults (ChunksToLines::errors_in_band)
// ---------------------------------------------------------------------------------------------

/// A report with limit `limit` for line `line` starting at byte `offset`.
fn too_long(line: u64, offset: u64, limit: usize) -> LineTooLong {
    LineTooLong {
        line,
        offset,
        limit,
    }
}

/// The report of a too-long line comes out between the line before it and the line after it.
#[test]
fn in_band_too_long_report_arrives_between_the_lines_around_it() {
    let c = ChunksToLines::text().max_line_length(6).errors_in_band();
    let out = through(c, strings(&["before\nfar too long\nafter\n"]));
    assert_eq!(
        out,
        [
            Ok("before".to_string()),
            Err(too_long(2, 7, 6)),
            Ok("after".to_string())
        ]
    );
}

/// A too-long line arriving over several chunks, with lines before and after it in the same
/// chunks as its first and last pieces, is reported once, in its place.
#[test]
fn in_band_report_of_a_line_spanning_chunks_arrives_in_its_place() {
    let c = ChunksToLineResults::text().max_line_length(3);
    let out = through(c, strings(&["a\nlo", "ng li", "ne\r", "\nb\nc"]));
    assert_eq!(
        out,
        [
            Ok("a".to_string()),
            Err(too_long(2, 2, 3)),
            Ok("b".to_string()),
            Ok("c".to_string())
        ]
    );
}

/// Reports and lines keep their order however many lines follow a long one in the same chunk,
/// even when the component downstream takes one message at a time.
#[test]
fn in_band_order_holds_with_a_one_message_outbox() {
    let c = ChunksToLineResults::text().max_line_length(2);
    let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::with_capacity(1));
    axon::link(&input, &c.inbox).unwrap();
    axon::link(&stop, &c.control).unwrap();
    axon::link(&c.outbox, &output).unwrap();
    let mut system = System::deterministic();
    system.spawn(c);
    input
        .try_send("1\n22\n333\n4\n5555\n6".to_string())
        .unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    let mut seen = Vec::new();
    for _ in 0..100 {
        system.run_until_idle();
        match output.try_recv() {
            Ok(r) => seen.push(r),
            Err(_) if system.live() == 0 => break,
            Err(_) => {}
        }
    }
    assert_eq!(
        seen,
        [
            Ok("1".to_string()),
            Ok("22".to_string()),
            Err(too_long(3, 5, 2)),
            Ok("4".to_string()),
            Err(too_long(5, 11, 2)),
            Ok("6".to_string())
        ]
    );
}

/// A too-long partial last line is reported at end of stream, after the lines before it.
#[test]
fn in_band_too_long_partial_line_is_reported_last() {
    let c = ChunksToLineResults::bytes().max_line_length(2);
    let out = through(c, [b"ok\n".to_vec(), b"tail".to_vec()]);
    assert_eq!(out, [Ok(b"ok".to_vec()), Err(too_long(2, 3, 2))]);
}

/// `errors_in_band` keeps the types and the limit already chosen.
#[test]
fn errors_in_band_keeps_the_types_and_the_limit() {
    let c = ChunksToLines::<Vec<u8>, String>::new()
        .max_line_length(2)
        .errors_in_band();
    let out = through(c, [vec![0xff, b'\n', b'a', b'b', b'c', b'\n']]);
    assert_eq!(out, [Ok("\u{fffd}".to_string()), Err(too_long(2, 2, 2))]);
}

/// `ProducerFinished` drains the queue and flushes the partial line, then is passed on.
#[test]
fn in_band_producer_finished_drains_and_flushes() {
    let (out, signal) = finished_with_queue(ChunksToLineResults::text(), strings(&["x\ny"]));
    assert_eq!(out, [Ok("x".to_string()), Ok("y".to_string())]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` and `Failed` end it at once, discarding queued input, and are passed on.
#[test]
fn in_band_shutdown_or_failed_stops_at_once() {
    for c in [Control::Shutdown, Control::failed("upstream broke")] {
        let mut h = Harness::new(ChunksToLineResults::text());
        h.send_all(strings(&["done\npart"]));
        assert_eq!(h.idle(), [Ok("done".to_string())]);
        h.send_all(strings(&["ial\nqueued\n"]));
        h.stop(c.clone());
        let (out, signal) = h.end();
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(signal, [c]);
    }
}

/// What the in-band form gives for a stream, by the documented rules: [`model_lines`] with
/// each report (as its line number) in its place.
fn model_in_band(stream: &[u8], limit: usize) -> Vec<Result<Vec<u8>, u64>> {
    let mut parts: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
    let last = parts.pop().unwrap_or_default();
    let mut out = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let p = p.strip_suffix(b"\r").unwrap_or(p);
        out.push(if p.len() > limit {
            Err(i as u64 + 1)
        } else {
            Ok(p.to_vec())
        });
    }
    if !last.is_empty() {
        out.push(if last.len() > limit {
            Err(parts.len() as u64 + 1)
        } else {
            Ok(last.to_vec())
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// However the stream is cut, the in-band sequence is the same as for the stream in one
    /// piece (reports included, offsets and all), and it is the rules' sequence.
    #[test]
    fn in_band_any_split_gives_the_same_sequence(
        stream in prop::collection::vec(prop::sample::select(vec![b'a', b'b', b'\r', b'\n', 0xff]), 0..80),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
        limit in 0usize..8,
    ) {
        let whole = through(ChunksToLineResults::bytes().max_line_length(limit), [stream.clone()]);
        let split = through(ChunksToLineResults::bytes().max_line_length(limit), cut(&stream, &cuts));
        prop_assert_eq!(&split, &whole);
        let lines: Vec<Result<Vec<u8>, u64>> =
            split.into_iter().map(|r| r.map_err(|e| e.line)).collect();
        prop_assert_eq!(lines, model_in_band(&stream, limit));
    }
}
