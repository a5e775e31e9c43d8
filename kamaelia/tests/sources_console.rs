//! The console: ConsoleReader and ConsoleEchoer, over readers and writers the tests provide —
//! what each reads or writes, and how each ends.

mod common;

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use axon::{Control, Inbox, Outbox, System};
use common::{drain, failed_saying_so, only_failure};
use kamaelia::util::sources::{ConsoleEchoer, ConsoleReader};
use tokio::io::AsyncWrite;

/// A writer tests can read back.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl AsyncWrite for SharedBuf {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A writer that always fails, like standard output whose reader has gone.
struct BrokenPipe;

impl AsyncWrite for BrokenPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
        _: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

// ---------------------------------------------------------------------------------------------
// ConsoleReader

/// ConsoleReader sends every line, its terminator replaced by "\n", then ProducerFinished.
#[test]
fn console_reader_sends_each_line_then_producer_finished_at_end_of_input() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"one\ntwo\r\n\nthree"[..]);
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&reader.outbox, &out).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["one\n", "two\n", "\n", "three\n"]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// ConsoleReader::eol sets what is appended to each line.
#[test]
fn console_reader_appends_the_given_eol() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"a\nb\n"[..]).eol(";");
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["a;", "b;"]);
}

/// Empty input: only ProducerFinished.
#[test]
fn console_reader_on_empty_input_sends_only_producer_finished() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b""[..]);
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&reader.outbox, &out).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// The prompt is written before each line is read, to the prompt writer.
#[test]
fn console_reader_writes_the_prompt_before_each_read() {
    let mut system = System::deterministic();
    let prompts = SharedBuf::default();
    let reader = ConsoleReader::from_reader(&b"x\ny\n"[..])
        .prompt(">>> ")
        .prompt_writer(prompts.clone());
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["x\n", "y\n"]);
    assert_eq!(
        prompts.text(),
        ">>> >>> >>> ",
        "two lines, then the read that met the end"
    );
}

/// A waiting ConsoleReader sends lines as they complete; Shutdown stops it, partial line unsent.
#[test]
fn console_reader_waits_for_input_and_stops_on_shutdown() {
    use tokio::io::AsyncWriteExt;
    let mut system = System::deterministic();
    let (mut typing, terminal) = tokio::io::duplex(64);
    let reader = ConsoleReader::from_reader(tokio::io::BufReader::new(terminal));
    let mut stop = Outbox::new();
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&stop, &reader.control).unwrap();
    axon::link(&reader.outbox, &out).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run_until_idle();
    axon::blocking::block_on(typing.write_all(b"hello\nunfini")).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut out), ["hello\n"]);
    assert_eq!(system.live(), 1, "waits for the rest of the line");
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// ProducerFinished also stops a ConsoleReader waiting for input, and is passed on.
#[test]
fn console_reader_producer_finished_stops_it_and_is_passed_on() {
    let mut system = System::deterministic();
    let (_typing, terminal) = tokio::io::duplex(64);
    let reader = ConsoleReader::from_reader(tokio::io::BufReader::new(terminal));
    let mut stop = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&stop, &reader.control).unwrap();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn(reader);
    system.run_until_idle();
    assert_eq!(system.live(), 1);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// A line longer than the limit fails the ConsoleReader with an error naming it and the line.
#[test]
fn console_reader_fails_on_a_line_longer_than_the_limit() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"short\nmuch too long\n"[..]).max_line(8);
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn_named("keyboard", reader);
    system.run().unwrap();
    assert_eq!(drain(&mut out), ["short\n"]);
    let what = only_failure(&system);
    assert!(
        what.contains("keyboard") && what.contains("line 2") && what.contains("8 bytes"),
        "{what}"
    );
}

/// A line that is exactly the limit long, with "\r\n", is accepted.
#[test]
fn console_reader_accepts_a_line_exactly_at_the_limit() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"12345678\r\n"[..])
        .max_line(8)
        .eol("");
    let mut out = Inbox::new();
    axon::link(&reader.outbox, &out).unwrap();
    system.spawn(reader);
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert_eq!(drain(&mut out), ["12345678"]);
}

/// A line that is not UTF-8 fails the ConsoleReader with an error naming the line and the
/// byte where it stops being UTF-8; the same text goes on `signal` as `Failed`.
#[test]
fn console_reader_fails_on_a_line_that_is_not_utf8() {
    let mut system = System::deterministic();
    let reader = ConsoleReader::from_reader(&b"fine\nok\xff\xfe\n"[..]);
    let mut signal = Inbox::new();
    axon::link(&reader.signal, &signal).unwrap();
    system.spawn_named("keyboard", reader);
    system.run().unwrap();
    failed_saying_so(
        &system,
        &mut signal,
        &["keyboard", "line 2 is not valid UTF-8 (at byte 2)"],
    );
}

// ---------------------------------------------------------------------------------------------
// ConsoleEchoer

/// Feeds `messages` and ProducerFinished to `echo`, runs it, returns what it wrote.
fn echo_all<T: Send + 'static>(echo: ConsoleEchoer<T>, messages: Vec<T>) -> String {
    let mut system = System::deterministic();
    let written = SharedBuf::default();
    let echo = echo.writer(written.clone());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    for m in messages {
        input.try_send(m).unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(echo);
    system.run().unwrap();
    written.text()
}

/// By default each message's Display text is written with nothing in between (as in Kamaelia).
#[test]
fn console_echoer_writes_display_text_back_to_back() {
    assert_eq!(echo_all(ConsoleEchoer::new(), vec![1, 22, 333]), "122333");
}

/// The tag goes before every message, and newline() puts a line break after each.
#[test]
fn console_echoer_writes_tag_and_newline() {
    let echo = ConsoleEchoer::new().tag("> ").newline();
    assert_eq!(echo_all(echo, vec!["a", "b"]), "> a\n> b\n");
}

/// debug() writes each message's Debug text (Kamaelia's use_repr).
#[test]
fn console_echoer_debug_writes_debug_text() {
    let echo = ConsoleEchoer::debug();
    assert_eq!(echo_all(echo, vec!["a", "b\n"]), "\"a\"\"b\\n\"");
}

/// with_format writes whatever the function makes of each message.
#[test]
fn console_echoer_with_format_writes_the_functions_text() {
    let echo = ConsoleEchoer::with_format(|v: &Vec<u8>| format!("{} bytes;", v.len()));
    assert_eq!(echo_all(echo, vec![vec![1, 2], vec![]]), "2 bytes;0 bytes;");
}

/// forwarding() sends every echoed message on, unchanged, and ProducerFinished after them.
#[test]
fn console_echoer_forwarding_sends_what_it_echoed() {
    let mut system = System::deterministic();
    let written = SharedBuf::default();
    let echo = ConsoleEchoer::new().forwarding().writer(written.clone());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut out, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.outbox, &out).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    system.spawn(echo);
    input.try_send("x".to_string()).unwrap();
    system.run_until_idle();
    assert_eq!(written.text(), "x");
    assert_eq!(drain(&mut out), ["x"]);
    input.try_send("y".to_string()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(written.text(), "xy");
    assert_eq!(drain(&mut out), ["y"]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Without forwarding nothing goes out on outbox.
#[test]
fn console_echoer_without_forwarding_sends_nothing_on() {
    let mut system = System::deterministic();
    let echo = ConsoleEchoer::new().writer(SharedBuf::default());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut out = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.outbox, &out).unwrap();
    input.try_send(5).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(echo);
    system.run().unwrap();
    assert!(drain(&mut out).is_empty());
}

/// ProducerFinished: everything waiting is written before it ends and passes it on.
#[test]
fn console_echoer_producer_finished_writes_everything_waiting() {
    assert_eq!(
        echo_all(ConsoleEchoer::new(), (0..120).collect()),
        (0..120).map(|i| i.to_string()).collect::<String>()
    );
}

/// Shutdown: it ends at once without writing what waits, and passes Shutdown on.
#[test]
fn console_echoer_shutdown_stops_without_writing_what_waits() {
    let mut system = System::deterministic();
    let written = SharedBuf::default();
    let echo = ConsoleEchoer::new().writer(written.clone());
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut signal = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    input.try_send("unsaid").unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.spawn(echo);
    system.run().unwrap();
    assert_eq!(written.text(), "");
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A failing writer fails the ConsoleEchoer with an error naming it and the cause; the same
/// text goes on `signal` as `Failed`.
#[test]
fn console_echoer_fails_naming_itself_when_writing_fails() {
    let mut system = System::deterministic();
    let echo = ConsoleEchoer::new().writer(BrokenPipe);
    let mut input = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    input.try_send(1).unwrap();
    system.spawn_named("screen", echo);
    system.run().unwrap();
    failed_saying_so(&system, &mut signal, &["screen", "cannot write"]);
}

/// A write that waits for an output nobody reads does not hold up a Shutdown; a
/// ProducerFinished that arrives meanwhile lets the write go on.
#[test]
fn console_echoer_shutdown_is_seen_while_a_write_waits() {
    let mut system = System::deterministic();
    // One byte of room, and nobody reading the other end: the write waits for ever.
    let (screen, _unread) = tokio::io::duplex(1);
    let echo = ConsoleEchoer::new().writer(screen);
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let mut signal = Inbox::new();
    axon::link(&input, &echo.inbox).unwrap();
    axon::link(&stop, &echo.control).unwrap();
    axon::link(&echo.signal, &signal).unwrap();
    let id = system.spawn(echo);
    input.try_send("a long line").unwrap();
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(system.snapshot().component(id).is_some(), "still writing");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}
