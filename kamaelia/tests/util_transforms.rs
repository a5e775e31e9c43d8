//! The transforms of `kamaelia::util::transforms`: what each sends, and how each shuts down.

mod common;

use axon::{Control, Inbox, Outbox, System, TrySendError};
use common::{drain, stops_on_shutdown_while_waiting_for_room, strings};
use kamaelia::util::transforms::{
    Chunkifier, ChunksToLineResults, ChunksToLines, Detuple, Filter, FirstOnly, LineSplit,
    LineTooLong, PureTransformer, SequentialTransformer, Stringify, SyncBatch,
    TagWithSequenceNumber, UnseenOnly,
};
use kamaelia::Stage;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// One component on a deterministic system, fed and read through linked boxes.
struct Harness<S: Stage> {
    system: System,
    input: Outbox<S::In>,
    control: Outbox<Control>,
    output: Inbox<S::Out>,
    signal: Inbox<Control>,
}

impl<S: Stage> Harness<S> {
    fn new(stage: S) -> Self {
        let system = System::deterministic();
        let common::Harness {
            input,
            control,
            output,
            signal,
        } = common::harness(&system, stage);
        Harness {
            system,
            input,
            control,
            output,
            signal,
        }
    }

    /// Queues one message, letting the component run when its inbox is full.
    fn send(&mut self, msg: S::In) {
        let mut msg = msg;
        loop {
            match self.input.try_send(msg) {
                Ok(()) => return,
                Err(TrySendError::Full(back)) => {
                    msg = back;
                    self.system.run_until_idle();
                }
                Err(e) => panic!("cannot feed the component: {e}"),
            }
        }
    }

    fn send_all(&mut self, msgs: impl IntoIterator<Item = S::In>) {
        for m in msgs {
            self.send(m);
        }
    }

    fn stop(&mut self, c: Control) {
        self.control.try_send(c).unwrap();
    }

    /// Runs until idle and takes what has been sent so far.
    fn idle(&mut self) -> Vec<S::Out> {
        self.system.run_until_idle();
        drain(&mut self.output)
    }

    /// Runs until the component has ended; returns what it sent and what it signalled.
    fn end(mut self) -> (Vec<S::Out>, Vec<Control>) {
        self.system.run().expect("the component should end");
        assert_eq!(self.system.live(), 0);
        (drain(&mut self.output), drain(&mut self.signal))
    }
}

/// Sends `items`, then `ProducerFinished`, and runs to the end.
fn through<S: Stage>(stage: S, items: impl IntoIterator<Item = S::In>) -> Vec<S::Out> {
    let mut h = Harness::new(stage);
    h.send_all(items);
    h.stop(Control::ProducerFinished);
    let (out, signal) = h.end();
    assert_eq!(signal, [Control::ProducerFinished]);
    out
}

/// Queues `items` and `ProducerFinished` together before the component first runs (so the
/// control message is there first); returns what it sent and signalled.
fn finished_with_queue<S: Stage>(
    stage: S,
    items: impl IntoIterator<Item = S::In>,
) -> (Vec<S::Out>, Vec<Control>) {
    let mut h = Harness::new(stage);
    h.send_all(items);
    h.stop(Control::ProducerFinished);
    h.end()
}

/// Queues `items` and `Shutdown` together before the component first runs.
fn shut_down_with_queue<S: Stage>(
    stage: S,
    items: impl IntoIterator<Item = S::In>,
) -> (Vec<S::Out>, Vec<Control>) {
    let mut h = Harness::new(stage);
    h.send_all(items);
    h.stop(Control::Shutdown);
    h.end()
}

// ---------------------------------------------------------------------------------------------
// PureTransformer
// ---------------------------------------------------------------------------------------------

/// Every message's result is sent on, in arrival order.
#[test]
fn pure_transformer_sends_each_result_in_order() {
    let out = through(PureTransformer::new(|x: u32| Some(x * 2)), 1..=300);
    assert_eq!(out, (1..=300).map(|x| x * 2).collect::<Vec<_>>());
}

/// A `None` result drops that message and no other.
#[test]
fn pure_transformer_none_drops_the_message() {
    let out = through(
        PureTransformer::new(|x: i32| (x % 3 != 0).then_some(-x)),
        0..10,
    );
    assert_eq!(out, [-1, -2, -4, -5, -7, -8]);
}

/// `map` sends a result for every message.
#[test]
fn pure_transformer_map_never_drops() {
    let out = through(
        PureTransformer::map(|s: &'static str| s.len()),
        ["a", "", "abc"],
    );
    assert_eq!(out, [1, 0, 3]);
}

/// The function is called once per message, in order, and may keep state.
#[test]
fn pure_transformer_function_keeps_state_between_messages() {
    let mut total = 0;
    let out = through(
        PureTransformer::new(move |x: u64| {
            total += x;
            Some(total)
        }),
        [1, 2, 3, 4],
    );
    assert_eq!(out, [1, 3, 6, 10]);
}

/// A `ProducerFinished` queued with data is seen after all of that data is transformed.
#[test]
fn pure_transformer_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(PureTransformer::new(|x: u8| Some(x + 1)), [1, 2, 3]);
    assert_eq!(out, [2, 3, 4]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn pure_transformer_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(PureTransformer::new(|x: u8| Some(x)), [1, 2, 3]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

/// A receiver that takes nothing does not hide a stop: while its results wait for room a
/// `ProducerFinished` is noted and a `Shutdown` ends it at once, passed on.
#[test]
fn transform_waiting_for_room_still_stops_on_shutdown() {
    stops_on_shutdown_while_waiting_for_room(PureTransformer::new(|x: u32| Some(x)), 0..5);
}

/// Takes nothing and ends at once.
#[derive(axon::Boxes)]
struct EndsAtOnce {
    /// Never read.
    inbox: Inbox<u32>,
}

impl axon::Component for EndsAtOnce {
    async fn run(self, _ctx: axon::Context) -> Result<(), axon::Error> {
        Ok(())
    }
}

/// A transform whose receiver has ended fails, and says why on `signal` first.
#[test]
fn transform_whose_receiver_ended_fails_and_says_so_on_signal() {
    let mut system = System::deterministic();
    let t = PureTransformer::new(|x: u32| Some(x));
    let gone = EndsAtOnce {
        inbox: Inbox::new(),
    };
    let mut input = Outbox::new();
    let mut signal = Inbox::new();
    axon::link(&input, &t.inbox).unwrap();
    axon::link(&t.signal, &signal).unwrap();
    axon::link(&t.outbox, &gone.inbox).unwrap();
    system.spawn(gone);
    system.run_until_idle();
    system.spawn(t);
    input.try_send(1).unwrap();
    system.run().unwrap();
    assert_eq!(system.failures().len(), 1, "{:?}", system.failures());
    let said = drain(&mut signal);
    assert!(
        matches!(said.as_slice(), [c] if c.failure().is_some()),
        "{said:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Filter
// ---------------------------------------------------------------------------------------------

/// Exactly the accepted messages are sent on, unchanged and in order.
#[test]
fn filter_passes_only_accepted_messages_unchanged() {
    let out = through(Filter::new(|x: &u32| x % 2 == 0), 0..20);
    assert_eq!(out, (0..20).filter(|x| x % 2 == 0).collect::<Vec<_>>());
}

/// A `ProducerFinished` queued with data is seen after all of that data is filtered.
#[test]
fn filter_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(
        Filter::new(|s: &String| !s.is_empty()),
        strings(&["a", "", "b"]),
    );
    assert_eq!(out, strings(&["a", "b"]));
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn filter_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(Filter::new(|_: &u8| true), [1, 2]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// SequentialTransformer
// ---------------------------------------------------------------------------------------------

/// The steps are applied in the order given, each to the previous one's result.
#[test]
fn sequential_transformer_applies_steps_in_order() {
    let t = SequentialTransformer::new(|x: u32| x + 1)
        .then(|x| x * 10)
        .then(|x| format!("<{x}>"));
    assert_eq!(t.steps(), 3);
    assert_eq!(through(t, [0, 4]), strings(&["<10>", "<50>"]));
}

/// A step returning `None` drops the message, and the later steps are not called for it.
#[test]
fn sequential_transformer_none_stops_the_chain_for_that_message() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let later_calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&later_calls);
    let t =
        SequentialTransformer::new_maybe(|s: &'static str| s.parse::<i32>().ok()).then(move |n| {
            counter.fetch_add(1, Ordering::SeqCst);
            n * 2
        });
    assert_eq!(through(t, ["1", "x", "3", ""]), [2, 6]);
    assert_eq!(later_calls.load(Ordering::SeqCst), 2);
}

/// `from_steps` applies same-typed steps in list order; with no steps, messages pass unchanged.
#[test]
fn sequential_transformer_from_steps_applies_the_list_in_order() {
    type StepFn = Box<dyn FnMut(i64) -> i64 + Send>;
    let steps: Vec<StepFn> = vec![
        Box::new(|x| x + 1),
        Box::new(|x| x * 3),
        Box::new(|x| x - 2),
    ];
    assert_eq!(
        through(SequentialTransformer::from_steps(steps), [0, 1]),
        [1, 4]
    );
    let none: Vec<StepFn> = Vec::new();
    assert_eq!(
        through(SequentialTransformer::from_steps(none), [7, 8]),
        [7, 8]
    );
}

/// A `ProducerFinished` queued with data is seen after all of that data is transformed.
#[test]
fn sequential_transformer_producer_finished_drains_queued_input() {
    let t = SequentialTransformer::new(|x: u8| x).then(u32::from);
    let (out, signal) = finished_with_queue(t, [5, 6]);
    assert_eq!(out, [5u32, 6]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn sequential_transformer_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(SequentialTransformer::new(|x: u8| x), [5, 6]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Stringify
// ---------------------------------------------------------------------------------------------

/// `new` sends each message's `Display` text.
#[test]
fn stringify_uses_display() {
    assert_eq!(
        through(Stringify::new(), [1.5f64, -2.0]),
        strings(&["1.5", "-2"])
    );
}

/// `debug` sends each message's `Debug` text.
#[test]
fn stringify_debug_uses_debug() {
    let out = through(Stringify::debug(), [Some("a"), None]);
    assert_eq!(out, strings(&["Some(\"a\")", "None"]));
}

/// A `ProducerFinished` queued with data is seen after all of that data is rendered.
#[test]
fn stringify_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(Stringify::<u8>::new(), [1, 2]);
    assert_eq!(out, strings(&["1", "2"]));
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn stringify_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(Stringify::<u8>::new(), [1, 2]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Detuple
// ---------------------------------------------------------------------------------------------

/// Element `N` of each tuple is sent on, by value and with its own type.
#[test]
fn detuple_sends_element_n_of_each_tuple() {
    let items = || {
        [
            (1u8, "one".to_string(), 1.0f32),
            (2, "two".to_string(), 2.0),
        ]
    };
    assert_eq!(through(Detuple::<0, _>::new(), items()), [1, 2]);
    assert_eq!(
        through(Detuple::<1, _>::new(), items()),
        strings(&["one", "two"])
    );
    assert_eq!(through(Detuple::<2, _>::new(), items()), [1.0, 2.0]);
}

/// Tuples of up to eight elements are supported, up to their last element.
#[test]
fn detuple_reaches_the_last_element_of_an_eight_tuple() {
    let t = (0u8, 1u16, 2u32, 3u64, 4i8, 5i16, 6i32, "seven");
    assert_eq!(through(Detuple::<7, _>::new(), [t]), ["seven"]);
}

/// A `ProducerFinished` queued with data is seen after all of that data is detupled.
#[test]
fn detuple_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(Detuple::<1, (u8, u8)>::new(), [(1, 2), (3, 4)]);
    assert_eq!(out, [2, 4]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn detuple_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(Detuple::<0, (u8, u8)>::new(), [(1, 2)]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// TagWithSequenceNumber
// ---------------------------------------------------------------------------------------------

/// Messages are tagged 0, 1, 2, ... in arrival order.
#[test]
fn tag_with_sequence_number_counts_from_zero() {
    let out = through(TagWithSequenceNumber::new(), ['a', 'b', 'c']);
    assert_eq!(out, [(0, 'a'), (1, 'b'), (2, 'c')]);
}

/// `starting_at` sets the first number.
#[test]
fn tag_with_sequence_number_starting_at_sets_the_first_number() {
    let out = through(TagWithSequenceNumber::new().starting_at(41), ["x", "y"]);
    assert_eq!(out, [(41, "x"), (42, "y")]);
}

/// A `ProducerFinished` queued with data is seen after all of that data is tagged.
#[test]
fn tag_with_sequence_number_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(TagWithSequenceNumber::new(), [9u8, 9]);
    assert_eq!(out, [(0, 9), (1, 9)]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn tag_with_sequence_number_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(TagWithSequenceNumber::new(), [9u8]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

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

// ---------------------------------------------------------------------------------------------
// Chunkifier
// ---------------------------------------------------------------------------------------------

/// The stream is regrouped into chunks of exactly the size, whatever the input pieces.
#[test]
fn chunkifier_regroups_into_fixed_size_chunks() {
    let out = through(
        Chunkifier::new(3),
        [vec![1, 2], vec![3, 4, 5, 6, 7, 8, 9], vec![]],
    );
    assert_eq!(out, [vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]]);
}

/// The partial last chunk is delivered at end of stream.
#[test]
fn chunkifier_delivers_the_partial_last_chunk_at_end_of_stream() {
    let out = through(Chunkifier::new(4), [vec![1u8, 2, 3, 4, 5, 6]]);
    assert_eq!(out, [vec![1, 2, 3, 4], vec![5, 6]]);
}

/// Text is counted in characters, and a character is never split.
#[test]
fn chunkifier_counts_text_in_chars() {
    let out = through(Chunkifier::new(2), strings(&["héllo", "€"]));
    assert_eq!(out, strings(&["hé", "ll", "o€"]));
}

/// With `no_delay`, what is buffered goes out as soon as the inbox has been emptied.
#[test]
fn chunkifier_no_delay_sends_short_chunks_when_idle() {
    let mut h = Harness::new(Chunkifier::new(4).no_delay());
    h.send(b"abcdef".to_vec());
    assert_eq!(h.idle(), [b"abcd".to_vec(), b"ef".to_vec()]);
    h.send(b"g".to_vec());
    assert_eq!(h.idle(), [b"g".to_vec()]);
    h.stop(Control::ProducerFinished);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// Without `no_delay`, a short chunk waits for more input.
#[test]
fn chunkifier_holds_a_short_chunk_until_more_arrives() {
    let mut h = Harness::new(Chunkifier::new(4));
    h.send(b"ab".to_vec());
    assert!(h.idle().is_empty());
    h.send(b"cd".to_vec());
    assert_eq!(h.idle(), [b"abcd".to_vec()]);
}

/// Data queued with `ProducerFinished` is chunked and the partial chunk flushed before the end.
#[test]
fn chunkifier_producer_finished_drains_and_flushes() {
    let (out, signal) = finished_with_queue(Chunkifier::new(2), strings(&["abc"]));
    assert_eq!(out, strings(&["ab", "c"]));
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` discards queued input and the buffered partial chunk and passes `Shutdown` on.
#[test]
fn chunkifier_shutdown_discards_queue_and_buffer() {
    let mut h = Harness::new(Chunkifier::new(4));
    h.send(b"abcdef".to_vec());
    assert_eq!(h.idle(), [b"abcd".to_vec()]);
    h.send(b"gh".to_vec());
    h.stop(Control::Shutdown);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

/// A chunk size of 0 is refused, naming the component.
#[test]
#[should_panic(expected = "Chunkifier chunk size must be at least 1")]
fn chunkifier_refuses_size_zero() {
    let _ = Chunkifier::<Vec<u8>>::new(0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Bytes: the chunks join to the input, and all but the last are exactly the size.
    #[test]
    fn chunkifier_bytes_join_to_the_input_in_exact_chunks(
        pieces in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 0..20),
        size in 1usize..9,
    ) {
        let all: Vec<u8> = pieces.concat();
        let out = through(Chunkifier::new(size), pieces);
        prop_assert_eq!(out.concat(), all.clone());
        if let Some((last, full)) = out.split_last() {
            prop_assert!(full.iter().all(|c| c.len() == size));
            prop_assert!(!last.is_empty() && last.len() <= size);
        }
        prop_assert_eq!(out.len(), all.len().div_ceil(size));
    }

    /// Text: the chunks join to the input, and all but the last have exactly `size` chars.
    #[test]
    fn chunkifier_text_join_to_the_input_in_exact_chunks(
        pieces in prop::collection::vec("[a-zé€😀]{0,10}", 0..15),
        size in 1usize..7,
    ) {
        let all: String = pieces.concat();
        let out = through(Chunkifier::new(size), pieces);
        prop_assert_eq!(out.concat(), all.clone());
        if let Some((last, full)) = out.split_last() {
            prop_assert!(full.iter().all(|c| c.chars().count() == size));
            prop_assert!(!last.is_empty() && last.chars().count() <= size);
        }
        prop_assert_eq!(out.len(), all.chars().count().div_ceil(size));
    }
}

// ---------------------------------------------------------------------------------------------
// FirstOnly
// ---------------------------------------------------------------------------------------------

/// Only the first message is sent on.
#[test]
fn first_only_passes_only_the_first_message() {
    assert_eq!(through(FirstOnly::new(), [3, 1, 4, 1, 5]), [3]);
}

/// After the first message it keeps running and reads the rest, so the producer is never held
/// up, until a control message arrives.
#[test]
fn first_only_keeps_reading_after_the_first_message() {
    let mut h = Harness::new(FirstOnly::new());
    h.send_all(0..500u32); // more than an inbox holds: it must keep reading
    assert_eq!(h.idle(), [0]);
    assert_eq!(h.system.live(), 1);
    h.stop(Control::ProducerFinished);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// A first message queued with `ProducerFinished` is still sent on; with no message, nothing is.
#[test]
fn first_only_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(FirstOnly::new(), ["first", "second"]);
    assert_eq!(out, ["first"]);
    assert_eq!(signal, [Control::ProducerFinished]);
    let (out, _) = finished_with_queue(FirstOnly::<u8>::new(), []);
    assert!(out.is_empty());
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn first_only_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(FirstOnly::new(), [1u8]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// UnseenOnly
// ---------------------------------------------------------------------------------------------

/// Each distinct message is sent once, at its first arrival.
#[test]
fn unseen_only_passes_each_distinct_message_once() {
    let out = through(UnseenOnly::new(), strings(&["a", "b", "a", "c", "b", "a"]));
    assert_eq!(out, strings(&["a", "b", "c"]));
}

/// With a capacity, the oldest remembered message is forgotten first and may pass again.
#[test]
fn unseen_only_capacity_forgets_the_oldest_first() {
    // Remembers 2: after 1, 2, 3 it has forgotten 1 (but not 3).
    let out = through(UnseenOnly::new().capacity(2), [1, 2, 3, 3, 1, 2]);
    assert_eq!(out, [1, 2, 3, 1, 2]);
}

/// `unbounded` never forgets.
#[test]
fn unseen_only_unbounded_never_forgets() {
    let items: Vec<u32> = (0..1000).chain(0..1000).collect();
    let out = through(UnseenOnly::new().unbounded(), items);
    assert_eq!(out, (0..1000).collect::<Vec<_>>());
}

/// A capacity of 0 is refused, naming the component.
#[test]
#[should_panic(expected = "UnseenOnly::capacity must be at least 1")]
fn unseen_only_refuses_capacity_zero() {
    let _ = UnseenOnly::<u8>::new().capacity(0);
}

/// A `ProducerFinished` queued with data is seen after all of that data is checked.
#[test]
fn unseen_only_producer_finished_drains_queued_input() {
    let (out, signal) = finished_with_queue(UnseenOnly::new(), [1, 1, 2]);
    assert_eq!(out, [1, 2]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` ends it at once: queued input is discarded and `Shutdown` is passed on.
#[test]
fn unseen_only_shutdown_stops_at_once() {
    let (out, signal) = shut_down_with_queue(UnseenOnly::new(), [1, 1, 2]);
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// With room for every distinct item, the output is the input without repeats, in
    /// first-seen order.
    #[test]
    fn unseen_only_output_is_the_input_without_repeats(
        items in prop::collection::vec(0u8..20, 0..200),
    ) {
        let mut expected = Vec::new();
        for x in &items {
            if !expected.contains(x) {
                expected.push(*x);
            }
        }
        prop_assert_eq!(through(UnseenOnly::new().capacity(20), items), expected);
    }
}

// ---------------------------------------------------------------------------------------------
// SyncBatch
// ---------------------------------------------------------------------------------------------

/// The first message of each batch of `n` is sent when the batch is complete.
#[test]
fn sync_batch_sends_the_first_of_each_batch() {
    let mut h = Harness::new(SyncBatch::new(3));
    h.send_all([10, 11]);
    assert!(h.idle().is_empty(), "a batch is sent only when complete");
    h.send(12);
    assert_eq!(h.idle(), [10]);
}

/// `emit_last` sends the last message of each batch instead (what Kamaelia's code did).
#[test]
fn sync_batch_emit_last_sends_the_last_of_each_batch() {
    assert_eq!(through(SyncBatch::new(2).emit_last(), [1, 2, 3, 4]), [2, 4]);
}

/// Messages beyond a batch roll over into the next; none is ignored.
#[test]
fn sync_batch_excess_messages_roll_over() {
    assert_eq!(through(SyncBatch::new(2), [1, 2, 3, 4, 5, 6]), [1, 3, 5]);
}

/// The incomplete batch at end of stream is delivered (its first message) by default.
#[test]
fn sync_batch_delivers_the_partial_batch_at_end_of_stream() {
    assert_eq!(through(SyncBatch::new(3), [1, 2, 3, 4, 5]), [1, 4]);
    assert_eq!(
        through(SyncBatch::new(3).emit_last(), [1, 2, 3, 4, 5]),
        [3, 5]
    );
}

/// With `drop_partial`, the incomplete batch at end of stream is discarded.
#[test]
fn sync_batch_drop_partial_discards_the_incomplete_batch() {
    assert_eq!(
        through(SyncBatch::new(3).drop_partial(), [1, 2, 3, 4, 5]),
        [1]
    );
}

/// Several producers linked into one inbox are synchronised: one message once all have sent.
#[test]
fn sync_batch_waits_for_every_linked_producer() {
    let system = System::deterministic();
    let sync = SyncBatch::new(3);
    let mut producers: Vec<Outbox<Control>> = (0..3).map(|_| Outbox::new()).collect();
    for p in &producers {
        axon::link(p, &sync.inbox).unwrap();
    }
    let mut output = Inbox::unbounded();
    axon::link(&sync.outbox, &output).unwrap();
    let mut stop = Outbox::new();
    axon::link(&stop, &sync.control).unwrap();
    system.spawn(sync);
    let mut system = system;
    for (i, p) in producers.iter_mut().enumerate() {
        assert!(
            drain(&mut output).is_empty(),
            "sent after only {i} producers"
        );
        p.try_send(Control::ProducerFinished).unwrap();
        system.run_until_idle();
    }
    assert_eq!(drain(&mut output), [Control::ProducerFinished]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A batch size of 0 is refused, naming the component.
#[test]
#[should_panic(expected = "SyncBatch batch size n must be at least 1")]
fn sync_batch_refuses_size_zero() {
    let _ = SyncBatch::<u8>::new(0);
}

/// Data queued with `ProducerFinished` is counted and the partial batch delivered before the end.
#[test]
fn sync_batch_producer_finished_drains_and_flushes() {
    let (out, signal) = finished_with_queue(SyncBatch::new(2), [1, 2, 3]);
    assert_eq!(out, [1, 3]);
    assert_eq!(signal, [Control::ProducerFinished]);
}

/// `Shutdown` discards queued input and the incomplete batch and passes `Shutdown` on.
#[test]
fn sync_batch_shutdown_discards_the_incomplete_batch() {
    let mut h = Harness::new(SyncBatch::new(2));
    h.send_all([1, 2, 3]);
    assert_eq!(h.idle(), [1]);
    h.stop(Control::Shutdown);
    let (out, signal) = h.end();
    assert!(out.is_empty());
    assert_eq!(signal, [Control::Shutdown]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// One message per batch of `n` (the partial one included), and it is the batch's first.
    #[test]
    fn sync_batch_sends_one_first_message_per_batch(
        items in prop::collection::vec(any::<u16>(), 0..300),
        n in 1usize..7,
    ) {
        let expected: Vec<u16> = items.chunks(n).map(|batch| batch[0]).collect();
        prop_assert_eq!(through(SyncBatch::new(n), items), expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Together
// ---------------------------------------------------------------------------------------------

/// One `ProducerFinished` drains a pipeline of transforms in order, partial line included.
#[test]
fn transforms_in_a_pipeline_drain_in_order() {
    use kamaelia::chassis::Pipeline;
    let p = Pipeline::new(ChunksToLines::text())
        .then(UnseenOnly::new())
        .then(TagWithSequenceNumber::new())
        .then(Detuple::<0, _>::new());
    let out = through(p, strings(&["a\nb\na", "\nc"]));
    assert_eq!(out, [0, 1, 2]);
}

/// Every transform is in the catalogue under its Kamaelia name.
#[test]
fn catalogue_lists_every_transform() {
    let all = kamaelia::catalogue::all();
    for (name, kamaelia_name) in [
        (
            "PureTransformer",
            "Kamaelia.Util.PureTransformer.PureTransformer",
        ),
        ("Filter", "Kamaelia.Util.Filter.Filter"),
        (
            "SequentialTransformer",
            "Kamaelia.Util.SequentialTransformer.SequentialTransformer",
        ),
        ("Stringify", "Kamaelia.Util.Stringify.Stringify"),
        ("Detuple", "Kamaelia.Util.Detuple.SimpleDetupler"),
        (
            "TagWithSequenceNumber",
            "Kamaelia.Util.TagWithSequenceNumber.TagWithSequenceNumber",
        ),
        ("LineSplit", "Kamaelia.Util.LineSplit.LineSplit"),
        (
            "ChunksToLines",
            "Kamaelia.Visualisation.PhysicsGraph.chunks_to_lines.chunks_to_lines",
        ),
        (
            "ChunksToLineResults",
            "(none: chunks_to_lines with too-long lines reported in the stream)",
        ),
        ("Chunkifier", "Kamaelia.Util.Chunkifier.Chunkifier"),
        ("FirstOnly", "Kamaelia.Util.FirstOnly.FirstOnly"),
        ("UnseenOnly", "Kamaelia.Util.UnseenOnly.UnseenOnly"),
        ("SyncBatch", "Kamaelia.Util.Sync.Sync"),
    ] {
        let e = all
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue"));
        assert_eq!(e.kamaelia_name, kamaelia_name);
        let boxes: Vec<&str> = e.boxes.iter().map(|b| b.name.as_str()).collect();
        for standard in ["inbox", "control", "outbox", "signal"] {
            assert!(boxes.contains(&standard), "{name} lacks {standard}");
        }
        assert!(
            e.boxes.iter().all(|b| !b.doc.is_empty()),
            "{name} has an undocumented box"
        );
    }
}
