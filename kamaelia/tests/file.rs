//! File components: ChunkReader, LineReader, MaxSpeedFileReader, PromptedFileReader,
//! TriggeredFileReader, SimpleFileWriter, Append, WholeFileWriter — what each reads or writes,
//! how each ends, and how each reports a file it cannot use.

mod common;

use std::path::{Path, PathBuf};

use axon::{Control, Inbox, Outbox, System};
use common::{drain, harness, only_failure};
use kamaelia::chassis::Pipeline;
use kamaelia::file::{
    Append, ChunkReader, LineReader, MaxSpeedFileReader, PromptedFileReader, SimpleFileWriter,
    TriggeredFileReader, WholeFileWriter,
};
use kamaelia::util::flow::ByteRateRequestControl;
use kamaelia::util::sources::DataSource;

/// A file in a fresh temporary directory, holding `contents`.
fn file_with(contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, contents).unwrap();
    (dir, path)
}

/// Bytes that are not all alike, so misplaced chunks show.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn mentions(text: &str, path: &Path) -> bool {
    text.contains(&path.display().to_string())
}

// ---------------------------------------------------------------------------------------------
// ChunkReader

/// The file arrives as full chunks of chunk_size and one shorter last chunk, then
/// ProducerFinished.
#[test]
fn chunk_reader_sends_fixed_size_chunks_then_producer_finished() {
    let data = pattern(10_000);
    let (_dir, path) = file_with(&data);
    let mut system = System::deterministic();
    let mut h = harness(&system, ChunkReader::new(&path).chunk_size(4096));
    system.run().unwrap();
    let chunks = drain(&mut h.output);
    let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
    assert_eq!(sizes, [4096, 4096, 1808]);
    assert_eq!(chunks.concat(), data);
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A file whose size is a multiple of chunk_size ends with a full chunk, no empty one.
#[test]
fn chunk_reader_sends_no_empty_chunk_at_an_exact_multiple() {
    let (_dir, path) = file_with(&pattern(8));
    let mut system = System::deterministic();
    let mut h = harness(&system, ChunkReader::new(&path).chunk_size(4));
    system.run().unwrap();
    assert_eq!(drain(&mut h.output).len(), 2);
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// An empty file sends no chunk, only ProducerFinished.
#[test]
fn chunk_reader_of_an_empty_file_sends_only_producer_finished() {
    let (_dir, path) = file_with(b"");
    let mut system = System::deterministic();
    let mut h = harness(&system, ChunkReader::new(&path));
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// ProducerFinished on control does not cut the file short: it is read to the end.
#[test]
fn chunk_reader_reads_the_whole_file_despite_producer_finished() {
    let data = pattern(1000);
    let (_dir, path) = file_with(&data);
    let mut system = System::deterministic();
    let mut h = harness(&system, ChunkReader::new(&path).chunk_size(100));
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output).concat(), data);
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// Shutdown on control stops it before it reads anything, and is passed on.
#[test]
fn chunk_reader_shutdown_stops_at_once() {
    let (_dir, path) = file_with(&pattern(1000));
    let mut system = System::deterministic();
    let mut h = harness(&system, ChunkReader::new(&path).chunk_size(10));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A missing file makes it send Shutdown and fail with an error naming the file and the
/// operation.
#[test]
fn chunk_reader_missing_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.bin");
    let mut system = System::deterministic();
    let mut h = harness(&system, ChunkReader::new(&path));
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(mentions(&what, &path), "{what}");
    assert!(what.contains("cannot open for reading"), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A file that cannot be read (a directory) fails naming the file.
#[test]
fn chunk_reader_unreadable_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut system = System::deterministic();
    let mut h = harness(&system, ChunkReader::new(dir.path()));
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(mentions(&what, dir.path()), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// The reader follows a slow consumer: with a one-message destination it never holds more
/// than one chunk there, and everything still arrives.
#[test]
fn chunk_reader_waits_for_a_bounded_consumer() {
    let data = pattern(5000);
    let (_dir, path) = file_with(&data);
    let mut system = System::deterministic();
    let reader = ChunkReader::new(&path).chunk_size(100);
    let mut out = Inbox::with_capacity(1);
    let mut signal = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    let mut got = Vec::new();
    let mut waits = 0;
    // Each run ends in a stall while the reader waits for room, until it has finished.
    while system.run().is_err() {
        waits += 1;
        assert_eq!(out.len(), 1);
        got.extend(out.try_recv().unwrap());
    }
    got.extend(drain(&mut out).concat());
    assert!(waits >= 49, "the reader ran ahead: {waits} waits");
    assert_eq!(got, data);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

// ---------------------------------------------------------------------------------------------
// LineReader

/// Each line arrives without its ending (`\n` or `\r\n`); empty lines and an unterminated last
/// line are kept.
#[test]
fn line_reader_sends_each_line_without_its_ending() {
    let (_dir, path) = file_with(b"one\r\ntwo\n\nfour\nlast");
    let mut system = System::deterministic();
    let mut h = harness(&system, LineReader::new(&path));
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), ["one", "two", "", "four", "last"]);
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A file ending in a newline has no extra empty line at the end.
#[test]
fn line_reader_adds_no_line_after_a_final_newline() {
    let (_dir, path) = file_with(b"a\nb\n");
    let mut system = System::deterministic();
    let mut h = harness(&system, LineReader::new(&path));
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), ["a", "b"]);
}

/// A line that is not UTF-8 fails the reader with an error naming the file, the line number
/// and the offset of the first bad byte; the lines before it were delivered.
#[test]
fn line_reader_fails_on_a_line_that_is_not_utf8() {
    let (_dir, path) = file_with(b"fine\nalso fine\nbad \xff here\nnever\n");
    let mut system = System::deterministic();
    let mut h = harness(&system, LineReader::new(&path));
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), ["fine", "also fine"]);
    let what = only_failure(&system);
    assert!(mentions(&what, &path), "{what}");
    assert!(what.contains("line 3 as UTF-8 (byte 19)"), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A line longer than the limit fails the reader with an error naming the file, the line and
/// the byte it starts at; the lines before it were delivered, and no more than the limit (and a
/// line ending) was read into memory for it. A line exactly at the limit, with `\r\n`, is fine.
#[test]
fn line_reader_fails_on_a_line_longer_than_the_limit() {
    let (_dir, path) = file_with(b"12345\r\nok\n123456\nnever\n");
    let mut system = System::deterministic();
    let mut h = harness(&system, LineReader::new(&path).max_line_length(5));
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), ["12345", "ok"]);
    let what = only_failure(&system);
    assert!(mentions(&what, &path), "{what}");
    assert!(what.contains("line 3 (from byte 10)"), "{what}");
    assert!(what.contains("longer than the limit of 5 bytes"), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A file with no line break at all is refused once the limit is passed, not read whole.
#[test]
fn line_reader_refuses_a_file_without_line_breaks() {
    let (_dir, path) = file_with(&[b'x'; 100_000]);
    let mut system = System::deterministic();
    let mut h = harness(&system, LineReader::new(&path).max_line_length(1000));
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert!(only_failure(&system).contains("line 1 (from byte 0)"));
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Shutdown on control stops it at once and is passed on.
#[test]
fn line_reader_shutdown_stops_at_once() {
    let (_dir, path) = file_with(b"a\nb\nc\n");
    let mut system = System::deterministic();
    let mut h = harness(&system, LineReader::new(&path));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A missing file fails naming the file.
#[test]
fn line_reader_missing_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.txt");
    let mut system = System::deterministic();
    let mut h = harness(&system, LineReader::new(&path));
    system.run().unwrap();
    assert!(mentions(&only_failure(&system), &path));
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// MaxSpeedFileReader

/// A big file arrives whole and in order, in full chunks and one shorter last chunk.
#[test]
fn max_speed_reader_delivers_the_whole_file_in_chunks() {
    let data = pattern(300_001);
    let (_dir, path) = file_with(&data);
    let mut system = System::deterministic();
    let mut h = harness(&system, MaxSpeedFileReader::new(&path).chunk_size(65_536));
    system.run().unwrap();
    let chunks = drain(&mut h.output);
    let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
    assert_eq!(sizes, [65_536, 65_536, 65_536, 65_536, 37_857]);
    assert_eq!(chunks.concat(), data);
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// An empty file sends no chunk, only ProducerFinished.
#[test]
fn max_speed_reader_of_an_empty_file_sends_only_producer_finished() {
    let (_dir, path) = file_with(b"");
    let mut system = System::deterministic();
    let mut h = harness(&system, MaxSpeedFileReader::new(&path));
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// Shutdown on control stops it at once and is passed on.
#[test]
fn max_speed_reader_shutdown_stops_at_once() {
    let (_dir, path) = file_with(&pattern(100_000));
    let mut system = System::deterministic();
    let mut h = harness(&system, MaxSpeedFileReader::new(&path).chunk_size(1000));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A missing file fails naming the file.
#[test]
fn max_speed_reader_missing_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone");
    let mut system = System::deterministic();
    let mut h = harness(&system, MaxSpeedFileReader::new(&path));
    system.run().unwrap();
    assert!(mentions(&only_failure(&system), &path));
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// PromptedFileReader

/// Each request n is answered with the next n bytes.
#[test]
fn prompted_reader_answers_each_request_with_n_bytes() {
    let (_dir, path) = file_with(b"0123456789");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::bytes(&path));
    for n in [3, 1, 4] {
        h.input.try_send(n).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(
        drain(&mut h.output),
        [b"012".to_vec(), b"3".to_vec(), b"4567".to_vec()]
    );
    // The file was not exhausted: it stopped because no more requests would come.
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// Each request n is answered with the next n lines, line endings kept.
#[test]
fn prompted_reader_answers_each_request_with_n_lines() {
    let (_dir, path) = file_with(b"a\nbb\r\nccc\nd\n");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::lines(&path));
    for n in [2, 1] {
        h.input.try_send(n).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(
        drain(&mut h.output),
        [b"a\nbb\r\n".to_vec(), b"ccc\n".to_vec()]
    );
}

/// A request for more bytes than one message may hold is answered by several full messages,
/// in order; the next request carries on where it ended.
#[test]
fn prompted_reader_splits_a_big_byte_request_into_messages_of_the_limit() {
    let (_dir, path) = file_with(b"0123456789abc");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::bytes(&path).max_message(4));
    for n in [10, 2] {
        h.input.try_send(n).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(
        drain(&mut h.output),
        [
            b"0123".to_vec(),
            b"4567".to_vec(),
            b"89".to_vec(),
            b"ab".to_vec()
        ]
    );
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A request for more lines than fit in one message is answered by several, split between
/// lines; a line longer than the limit fails the reader naming the file, the line and the byte
/// it starts at, after what came before it was sent.
#[test]
fn prompted_reader_splits_lines_between_messages_and_refuses_a_line_over_the_limit() {
    let (_dir, path) = file_with(b"aa\nbb\ncc\ntoolong\nnever\n");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::lines(&path).max_message(6));
    h.input.try_send(5).unwrap();
    system.run().unwrap();
    assert_eq!(
        drain(&mut h.output),
        [b"aa\nbb\n".to_vec(), b"cc\n".to_vec()]
    );
    let what = only_failure(&system);
    assert!(mentions(&what, &path), "{what}");
    assert!(
        what.contains("line 4 (from byte 9) is longer than the limit of 6 bytes"),
        "{what}"
    );
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Once the last byte has been sent it sends ProducerFinished and ends, leaving later requests
/// unanswered.
#[test]
fn prompted_reader_finishes_as_soon_as_the_file_is_exhausted() {
    let (_dir, path) = file_with(b"abcdef");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::bytes(&path));
    for n in [4, 4, 4] {
        h.input.try_send(n).unwrap();
    }
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), [b"abcd".to_vec(), b"ef".to_vec()]);
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A request that exactly reaches the end of the file finishes the reader too.
#[test]
fn prompted_reader_finishes_when_a_request_ends_exactly_at_the_end() {
    let (_dir, path) = file_with(b"x\ny\n");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::lines(&path));
    h.input.try_send(2).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), [b"x\ny\n".to_vec()]);
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A request for 0 sends nothing.
#[test]
fn prompted_reader_request_for_zero_sends_nothing() {
    let (_dir, path) = file_with(b"abc");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::bytes(&path));
    h.input.try_send(0).unwrap();
    h.input.try_send(1).unwrap();
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), [b"a".to_vec()]);
}

/// Shutdown on control leaves queued requests unanswered and is passed on.
#[test]
fn prompted_reader_shutdown_answers_nothing_more() {
    let (_dir, path) = file_with(b"abcdef");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::bytes(&path));
    h.input.try_send(2).unwrap();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Kamaelia's RateControlledFileReader: a ByteRateRequestControl feeding a PromptedFileReader
/// reads the whole file in rate-sized chunks, and the pair ends when the file is exhausted.
#[test]
fn prompted_reader_driven_by_a_byte_rate_request_control_reads_the_whole_file() {
    let data = pattern(1000);
    let (_dir, path) = file_with(&data);
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(ByteRateRequestControl::new(1000.0).chunk_size(100.0))
        .then(PromptedFileReader::bytes(&path));
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
    axon::link(&pipeline.outbox, &output).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    let chunks = drain(&mut output);
    assert!(
        chunks.iter().all(|c| c.len() == 100),
        "{:?}",
        chunks.iter().map(Vec::len).collect::<Vec<_>>()
    );
    assert_eq!(chunks.concat(), data);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// A missing file fails naming the file.
#[test]
fn prompted_reader_missing_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent");
    let mut system = System::deterministic();
    let mut h = harness(&system, PromptedFileReader::bytes(&path));
    h.input.try_send(1).unwrap();
    system.run().unwrap();
    assert!(mentions(&only_failure(&system), &path));
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// TriggeredFileReader

/// Each file name is answered with that file's whole contents, in order.
#[test]
fn triggered_reader_sends_each_named_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::write(&a, b"first file").unwrap();
    std::fs::write(&b, pattern(100_000)).unwrap();
    let mut system = System::deterministic();
    let mut h = harness(&system, TriggeredFileReader::new());
    for p in [&a, &b, &a] {
        h.input.try_send(p.clone()).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(
        drain(&mut h.output),
        [
            b"first file".to_vec(),
            pattern(100_000),
            b"first file".to_vec()
        ]
    );
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A name that is not a readable file fails the reader naming that file; the files before it
/// were sent.
#[test]
fn triggered_reader_missing_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    std::fs::write(&good, b"ok").unwrap();
    let bad = dir.path().join("bad");
    let mut system = System::deterministic();
    let mut h = harness(&system, TriggeredFileReader::new());
    h.input.try_send(good).unwrap();
    h.input.try_send(bad.clone()).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), [b"ok".to_vec()]);
    let what = only_failure(&system);
    assert!(mentions(&what, &bad), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Shutdown on control leaves queued names unread and is passed on.
#[test]
fn triggered_reader_shutdown_reads_nothing_more() {
    let (_dir, path) = file_with(b"data");
    let mut system = System::deterministic();
    let mut h = harness(&system, TriggeredFileReader::new());
    h.input.try_send(path).unwrap();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// SimpleFileWriter

/// Every message is written in order, and the file is complete when ProducerFinished comes
/// out of signal.
#[test]
fn simple_writer_writes_every_message_before_passing_producer_finished_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    let mut system = System::deterministic();
    let mut h = harness(&system, SimpleFileWriter::<Vec<u8>>::new(&path));
    let mut expected = Vec::new();
    for i in 0..50 {
        let msg = pattern(i * 13);
        expected.extend_from_slice(&msg);
        h.input.try_send(msg).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
    assert_eq!(std::fs::read(&path).unwrap(), expected);
    assert!(drain(&mut h.output).is_empty());
}

/// An existing file is replaced, not appended to.
#[test]
fn simple_writer_empties_an_existing_file() {
    let (_dir, path) = file_with(b"old contents that are longer");
    let mut system = System::deterministic();
    let mut h = harness(&system, SimpleFileWriter::<&'static str>::new(&path));
    h.input.try_send("new").unwrap();
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
}

/// Shutdown discards queued messages; the file is created, closed, and Shutdown passed on.
#[test]
fn simple_writer_shutdown_discards_queued_messages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    let mut system = System::deterministic();
    let mut h = harness(&system, SimpleFileWriter::<String>::new(&path));
    h.input.try_send("queued".into()).unwrap();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
    assert!(std::fs::read(&path).unwrap_or_default().is_empty());
}

/// A file that cannot be created (its directory does not exist) fails naming the file.
#[test]
fn simple_writer_uncreatable_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("out");
    let mut system = System::deterministic();
    let mut h = harness(&system, SimpleFileWriter::<Vec<u8>>::new(&path));
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(mentions(&what, &path), "{what}");
    assert!(what.contains("cannot create"), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// A reader piped into a writer copies a file exactly.
#[test]
fn chunk_reader_into_simple_writer_copies_a_file() {
    let data = pattern(200_000);
    let (dir, path) = file_with(&data);
    let copy = dir.path().join("copy");
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(ChunkReader::new(&path).chunk_size(3000))
        .then(SimpleFileWriter::<Vec<u8>>::new(&copy));
    let mut signal = Inbox::new();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    assert_eq!(std::fs::read(&copy).unwrap(), data);
}

/// In a pipeline, a reader that cannot open its file fails the pipeline naming the file, and
/// the writer after it is stopped.
#[test]
fn failing_reader_fails_its_pipeline_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(ChunkReader::new(&missing))
        .then(SimpleFileWriter::<Vec<u8>>::new(dir.path().join("out")));
    let mut signal = Inbox::new();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    let failures = system.failures();
    assert!(
        failures.iter().any(|f| mentions(&f.what, &missing)),
        "{failures:?}"
    );
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Append

/// Messages are added after what the file already holds.
#[test]
fn append_adds_to_the_end_of_an_existing_file() {
    let (_dir, path) = file_with(b"start:");
    let mut system = System::deterministic();
    let mut h = harness(&system, Append::<&'static str>::new(&path));
    for s in ["a", "b", "c"] {
        h.input.try_send(s).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"start:abc");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
    assert!(drain(&mut h.output).is_empty());
}

/// A missing file is created.
#[test]
fn append_creates_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new");
    let mut system = System::deterministic();
    let mut h = harness(&system, Append::<Vec<u8>>::new(&path));
    h.input.try_send(b"x".to_vec()).unwrap();
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"x");
}

/// truncate() empties the file first.
#[test]
fn append_truncate_empties_the_file_first() {
    let (_dir, path) = file_with(b"old");
    let mut system = System::deterministic();
    let mut h = harness(&system, Append::<&'static str>::new(&path).truncate());
    h.input.try_send("new").unwrap();
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
}

/// forward() passes every message on, in order, after writing it.
#[test]
fn append_forward_passes_every_message_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tap");
    let words: Vec<String> = (0..300).map(|i| format!("{i},")).collect();
    let mut system = System::deterministic();
    let pipeline =
        Pipeline::new(DataSource::new(words.clone())).then(Append::<String>::new(&path).forward());
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
    axon::link(&pipeline.outbox, &output).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert_eq!(drain(&mut output), words);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), words.concat());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Shutdown discards queued messages and is passed on; the file keeps what it had.
#[test]
fn append_shutdown_discards_queued_messages() {
    let (_dir, path) = file_with(b"kept");
    let mut system = System::deterministic();
    let mut h = harness(&system, Append::<&'static str>::new(&path).forward());
    h.input.try_send("dropped").unwrap();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Takes nothing and ends at once.
#[derive(axon::Boxes)]
struct EndsAtOnce {
    /// Never read.
    inbox: Inbox<&'static str>,
}

impl axon::Component for EndsAtOnce {
    async fn run(self, _ctx: axon::Context) -> Result<(), axon::Error> {
        Ok(())
    }
}

/// A forwarding writer whose outbox leads to a component that has ended fails naming itself,
/// after saying Shutdown on signal like every other failure of the family; what it took is
/// in the file.
#[test]
fn append_forwarding_to_an_ended_component_fails_and_signals_shutdown() {
    let (_dir, path) = file_with(b"");
    let mut system = System::deterministic();
    let ended = EndsAtOnce {
        inbox: Inbox::new(),
    };
    let writer = Append::<&'static str>::new(&path).forward();
    let (mut input, mut signal) = (Outbox::new(), Inbox::new());
    axon::link(&input, &writer.inbox).unwrap();
    axon::link(&writer.outbox, &ended.inbox).unwrap();
    axon::link(&writer.signal, &signal).unwrap();
    system.spawn(ended);
    system.run_until_idle();
    system.spawn_named("log", writer);
    input.try_send("kept").unwrap();
    system.run().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
    let what = only_failure(&system);
    assert!(what.contains("log: cannot send on outbox"), "{what}");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A file that cannot be opened fails naming the file.
#[test]
fn append_unopenable_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut system = System::deterministic();
    let mut h = harness(&system, Append::<Vec<u8>>::new(dir.path()));
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(mentions(&what, dir.path()), "{what}");
    assert!(what.contains("cannot open for appending"), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// WholeFileWriter

/// Every job writes its file whole (replacing an old one) and its name comes out when done.
#[test]
fn whole_file_writer_writes_each_job_and_reports_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::write(&b, b"a much longer old content").unwrap();
    let mut system = System::deterministic();
    let mut h = harness(&system, WholeFileWriter::new());
    h.input.try_send((a.clone(), pattern(70_000))).unwrap();
    h.input.try_send((b.clone(), b"short".to_vec())).unwrap();
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), [a.clone(), b.clone()]);
    assert_eq!(std::fs::read(&a).unwrap(), pattern(70_000));
    assert_eq!(std::fs::read(&b).unwrap(), b"short");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// A job whose file cannot be written fails the writer naming that file; jobs before it were
/// done, jobs after it are not.
#[test]
fn whole_file_writer_unwritable_file_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    let bad = dir.path().join("missing-dir").join("bad");
    let after = dir.path().join("after");
    let mut system = System::deterministic();
    let mut h = harness(&system, WholeFileWriter::new());
    h.input.try_send((good.clone(), b"1".to_vec())).unwrap();
    h.input.try_send((bad.clone(), b"2".to_vec())).unwrap();
    h.input.try_send((after.clone(), b"3".to_vec())).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut h.output), [good]);
    let what = only_failure(&system);
    assert!(mentions(&what, &bad), "{what}");
    assert!(!after.exists());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Shutdown leaves queued jobs undone and is passed on.
#[test]
fn whole_file_writer_shutdown_does_no_more_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never");
    let mut system = System::deterministic();
    let mut h = harness(&system, WholeFileWriter::new());
    h.input.try_send((path.clone(), b"x".to_vec())).unwrap();
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(!path.exists());
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Catalogue

/// Every file component is in the catalogue under its Kamaelia name.
#[test]
fn file_components_are_catalogued() {
    let entries = kamaelia::catalogue::all();
    for (name, kamaelia_name) in [
        ("ChunkReader", "Kamaelia.File.Reading.SimpleReader"),
        (
            "LineReader",
            "Kamaelia.File.ReadFileAdaptor.ReadFileAdaptor",
        ),
        (
            "MaxSpeedFileReader",
            "Kamaelia.File.MaxSpeedFileReader.MaxSpeedFileReader",
        ),
        (
            "PromptedFileReader",
            "Kamaelia.File.Reading.PromptedFileReader",
        ),
        (
            "TriggeredFileReader",
            "Kamaelia.File.TriggeredFileReader.TriggeredFileReader",
        ),
        ("SimpleFileWriter", "Kamaelia.File.Writing.SimpleFileWriter"),
        ("Append", "Kamaelia.File.Append.Append"),
        (
            "WholeFileWriter",
            "Kamaelia.File.WholeFileWriter.WholeFileWriter",
        ),
    ] {
        let e = entries
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not catalogued"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        assert_eq!(e.family, kamaelia::catalogue::Family::File);
    }
}
