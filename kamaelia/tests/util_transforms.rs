//! The transforms of `kamaelia::util::transforms` that map, filter and tag one message at a
//! time — PureTransformer, Filter, SequentialTransformer, Stringify, Detuple,
//! TagWithSequenceNumber — what each sends, and how each shuts down; then transforms together in
//! a pipeline, and the catalogue entries of all of them. LineSplit, ChunksToLines and
//! ChunksToLineResults are tested in `util_transforms_lines.rs`, Chunkifier, FirstOnly,
//! UnseenOnly and SyncBatch in `util_transforms_batch.rs`.

mod common;

use axon::{Control, Inbox, Outbox, System};
use common::transforms::{finished_with_queue, shut_down_with_queue, through};
use common::{drain, stops_on_shutdown_while_waiting_for_room, strings};
use kamaelia::util::transforms::{
    ChunksToLines, Detuple, Filter, PureTransformer, SequentialTransformer, Stringify,
    TagWithSequenceNumber, UnseenOnly,
};

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
