//! Marshalling: Marshaller and DeMarshaller with JSON and postcard — round trips for arbitrary
//! values, bad input reported on `errors` and skipped, and how each ends.

mod common;

use std::collections::{BTreeMap, HashMap};

use axon::{Control, Inbox, Outbox, System};
use common::{drain, stops_on_shutdown_while_waiting_for_room};
use kamaelia::chassis::Pipeline;
use kamaelia::marshal::{
    DeMarshaller, DemarshalError, Format, Json, MarshalError, Marshaller, Postcard,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
enum Kind {
    Unit,
    Pair(u16, char),
    Named { x: i32, label: Option<String> },
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Record {
    name: String,
    n: i64,
    big: u64,
    list: Vec<u32>,
    flag: Option<bool>,
    kind: Kind,
    pairs: Vec<(u8, String)>,
    map: BTreeMap<String, i16>,
    bytes: Vec<u8>,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Unit),
        (any::<u16>(), any::<char>()).prop_map(|(a, c)| Kind::Pair(a, c)),
        (any::<i32>(), any::<Option<String>>()).prop_map(|(x, label)| Kind::Named { x, label }),
    ]
}

prop_compose! {
    fn record()(
        name in any::<String>(),
        n in any::<i64>(),
        big in any::<u64>(),
        list in prop::collection::vec(any::<u32>(), 0..20),
        flag in any::<Option<bool>>(),
        kind in kind(),
        pairs in prop::collection::vec((any::<u8>(), any::<String>()), 0..5),
        map in prop::collection::btree_map(any::<String>(), any::<i16>(), 0..5),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) -> Record {
        Record { name, n, big, list, flag, kind, pairs, map, bytes }
    }
}

/// Sends `values` through Marshaller<F> → DeMarshaller<F> and returns what comes out, and the
/// errors of both stages.
fn round_trip<T, F>(values: Vec<T>) -> (Vec<T>, Vec<MarshalError>, Vec<DemarshalError>)
where
    T: Serialize + for<'de> Deserialize<'de> + Send + 'static,
    F: Format,
{
    let mut system = System::deterministic();
    let marshaller = Marshaller::<T, F>::new();
    let demarshaller = DeMarshaller::<T, F>::new();
    let (mut m_errors, mut d_errors) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&marshaller.errors, &m_errors).unwrap();
    axon::link(&demarshaller.errors, &d_errors).unwrap();
    let pipeline = Pipeline::new(kamaelia::util::sources::DataSource::new(values))
        .then(marshaller)
        .then(demarshaller);
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
    axon::link(&pipeline.outbox, &output).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    (
        drain(&mut output),
        drain(&mut m_errors),
        drain(&mut d_errors),
    )
}

/// A DeMarshaller<T, F> wired to test boxes.
struct Decoder<T: Send + 'static> {
    input: Outbox<Vec<u8>>,
    control: Outbox<Control>,
    output: Inbox<T>,
    errors: Inbox<DemarshalError>,
    signal: Inbox<Control>,
}

fn decoder<T, F>(system: &System) -> Decoder<T>
where
    T: for<'de> Deserialize<'de> + Send + 'static,
    F: Format,
{
    let d = DeMarshaller::<T, F>::new();
    let h = Decoder {
        input: Outbox::new(),
        control: Outbox::new(),
        output: Inbox::unbounded(),
        errors: Inbox::unbounded(),
        signal: Inbox::new(),
    };
    axon::link(&h.input, &d.inbox).unwrap();
    axon::link(&h.control, &d.control).unwrap();
    axon::link(&d.outbox, &h.output).unwrap();
    axon::link(&d.errors, &h.errors).unwrap();
    axon::link(&d.signal, &h.signal).unwrap();
    system.spawn(d);
    h
}

// ---------------------------------------------------------------------------------------------
// Round trips

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any record survives Marshaller → DeMarshaller in JSON unchanged, in order.
    #[test]
    fn json_round_trip_of_arbitrary_records(values in prop::collection::vec(record(), 0..8)) {
        let (out, m_errors, d_errors) = round_trip::<Record, Json>(values.clone());
        prop_assert!(m_errors.is_empty() && d_errors.is_empty());
        prop_assert_eq!(out, values);
    }

    /// Any record survives Marshaller → DeMarshaller in postcard unchanged, in order.
    #[test]
    fn postcard_round_trip_of_arbitrary_records(values in prop::collection::vec(record(), 0..8)) {
        let (out, m_errors, d_errors) = round_trip::<Record, Postcard>(values.clone());
        prop_assert!(m_errors.is_empty() && d_errors.is_empty());
        prop_assert_eq!(out, values);
    }

    /// Postcard keeps floating-point numbers exact, NaN and infinities included.
    #[test]
    fn postcard_round_trip_keeps_floats_exact(values in prop::collection::vec(any::<(f64, f32)>(), 0..16)) {
        let (out, _, _) = round_trip::<(f64, f32), Postcard>(values.clone());
        let bits = |v: &[(f64, f32)]| v.iter().map(|(a, b)| (a.to_bits(), b.to_bits())).collect::<Vec<_>>();
        prop_assert_eq!(bits(&out), bits(&values));
    }

    /// The formats on their own: decode(encode(v)) == v.
    #[test]
    fn formats_decode_what_they_encode(value in record()) {
        prop_assert_eq!(Json::decode::<Record>(&Json::encode(&value).unwrap()).unwrap(), value.clone());
        prop_assert_eq!(Postcard::decode::<Record>(&Postcard::encode(&value).unwrap()).unwrap(), value);
    }

    /// Arbitrary bytes never make a DeMarshaller panic: every message gives exactly one value
    /// or one error, in order, and the errors' offsets lie within their messages.
    #[test]
    fn arbitrary_bytes_give_a_value_or_an_error_each(
        messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..20),
        json in any::<bool>(),
    ) {
        let mut system = System::deterministic();
        let (values, errors) = if json {
            let mut d = decoder::<Record, Json>(&system);
            for m in &messages { d.input.try_send(m.clone()).unwrap(); }
            d.control.try_send(Control::ProducerFinished).unwrap();
            system.run().unwrap();
            (drain(&mut d.output).len(), drain(&mut d.errors))
        } else {
            let mut d = decoder::<Record, Postcard>(&system);
            for m in &messages { d.input.try_send(m.clone()).unwrap(); }
            d.control.try_send(Control::ProducerFinished).unwrap();
            system.run().unwrap();
            (drain(&mut d.output).len(), drain(&mut d.errors))
        };
        prop_assert_eq!(values + errors.len(), messages.len());
        let mut last = None;
        for e in &errors {
            prop_assert!(last < Some(e.index));
            last = Some(e.index);
            let len = messages[e.index as usize].len();
            prop_assert_eq!(e.len, len);
            prop_assert!(e.offset.is_some_and(|o| o <= len), "{}", e);
        }
    }

    /// A valid message with one byte changed decodes to some value or to an error whose offset
    /// lies within the message — never a panic.
    #[test]
    fn corrupted_messages_decode_or_fail_cleanly(value in record(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        for bytes in [Json::encode(&value).unwrap(), Postcard::encode(&value).unwrap()] {
            let mut bad = bytes.clone();
            let i = at.index(bad.len());
            bad[i] = byte;
            let json = Json::decode::<Record>(&bad).err().and_then(|e| e.offset);
            let postcard = Postcard::decode::<Record>(&bad).err().and_then(|e| e.offset);
            for offset in [json, postcard].into_iter().flatten() {
                prop_assert!(offset <= bad.len());
            }
        }
    }

    /// A postcard message with a byte cut off the end, or one added, is reported, never
    /// accepted.
    #[test]
    fn postcard_rejects_truncated_and_extended_messages(value in record(), extra in any::<u8>()) {
        let bytes = Postcard::encode(&value).unwrap();
        let short = &bytes[..bytes.len() - 1];
        prop_assert!(Postcard::decode::<Record>(short).is_err());
        let mut long = bytes.clone();
        long.push(extra);
        let e = Postcard::decode::<Record>(&long).unwrap_err();
        prop_assert_eq!(e.offset, Some(bytes.len()));
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input

/// A malformed JSON message is reported with its index, length and byte offset, and skipped;
/// the messages around it are decoded.
#[test]
fn demarshaller_reports_bad_json_with_its_offset_and_goes_on() {
    let mut system = System::deterministic();
    let mut d = decoder::<Vec<i32>, Json>(&system);
    for m in [
        &b"[1,2]"[..],
        b"[1,,2]",
        b"[3]",
        b"[4] x",
        b"",
        b"{\"a\":1}",
        b"[5]",
    ] {
        d.input.try_send(m.to_vec()).unwrap();
    }
    d.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut d.output), [vec![1, 2], vec![3], vec![5]]);
    let errors = drain(&mut d.errors);
    let summary: Vec<(u64, usize, Option<usize>)> =
        errors.iter().map(|e| (e.index, e.len, e.offset)).collect();
    assert_eq!(
        summary,
        [
            (1, 6, Some(3)), // the second comma
            (3, 5, Some(4)), // trailing characters: the `x`
            (4, 0, Some(0)), // nothing at all
            (5, 7, Some(0)), // a map where a list was expected
        ]
    );
    assert!(errors.iter().all(|e| e.format == "json"));
    assert_eq!(drain(&mut d.signal), [Control::ProducerFinished]);
}

/// A postcard message of the wrong shape is reported with where decoding stopped, and skipped.
#[test]
fn demarshaller_reports_bad_postcard_and_goes_on() {
    let mut system = System::deterministic();
    let mut d = decoder::<(u8, String), Postcard>(&system);
    let good = Postcard::encode(&(7u8, "seven")).unwrap();
    d.input.try_send(good.clone()).unwrap();
    d.input.try_send(vec![1, 3, b'a']).unwrap(); // string of 3 bytes, only 1 there
    d.input.try_send(vec![1, 2, 0xff, 0xfe]).unwrap(); // not UTF-8
    d.input.try_send([good.clone(), vec![0]].concat()).unwrap(); // a byte left over
    d.input.try_send(good).unwrap();
    d.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(
        drain(&mut d.output),
        [(7, "seven".to_string()), (7, "seven".to_string())]
    );
    let errors = drain(&mut d.errors);
    let summary: Vec<(u64, Option<usize>)> = errors.iter().map(|e| (e.index, e.offset)).collect();
    assert_eq!(summary, [(1, Some(2)), (2, Some(4)), (3, Some(7))]);
    assert!(errors[2].message.contains("left over"), "{}", errors[2]);
}

/// A demarshalling error says which message, how long, where, in what format, and why.
#[test]
fn demarshal_error_text_names_message_offset_and_format() {
    let mut system = System::deterministic();
    let mut d = decoder::<u32, Json>(&system);
    d.input.try_send(b"\"text\"".to_vec()).unwrap();
    d.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let text = drain(&mut d.errors)[0].to_string();
    assert!(
        text.starts_with("cannot decode message 0 (6 bytes) as json at byte "),
        "{text}"
    );
    assert!(text.contains("invalid type"), "{text}");
}

/// A value the format cannot represent is reported on errors and skipped; the others go on.
#[test]
fn marshaller_reports_an_unencodable_value_and_goes_on() {
    let mut system = System::deterministic();
    let m = Marshaller::<HashMap<(u8, u8), u8>, Json>::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut output, mut errors, mut signal) = (Inbox::new(), Inbox::new(), Inbox::new());
    axon::link(&input, &m.inbox).unwrap();
    axon::link(&stop, &m.control).unwrap();
    axon::link(&m.outbox, &output).unwrap();
    axon::link(&m.errors, &errors).unwrap();
    axon::link(&m.signal, &signal).unwrap();
    system.spawn(m);
    input.try_send(HashMap::new()).unwrap();
    input.try_send(HashMap::from([((1, 2), 3)])).unwrap(); // JSON keys must be strings
    input.try_send(HashMap::new()).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut output), [b"{}".to_vec(), b"{}".to_vec()]);
    let errors = drain(&mut errors);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].index, errors[0].format), (1, "json"));
    assert!(errors[0]
        .to_string()
        .starts_with("cannot encode message 1 as json: "));
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// With `errors` left unlinked, bad messages are still skipped and the good ones delivered.
#[test]
fn demarshaller_goes_on_with_errors_unlinked() {
    let mut system = System::deterministic();
    let d = DeMarshaller::<u8, Json>::new();
    let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
    axon::link(&input, &d.inbox).unwrap();
    axon::link(&stop, &d.control).unwrap();
    axon::link(&d.outbox, &output).unwrap();
    system.spawn(d);
    for i in 0..100u8 {
        input
            .try_send(if i % 2 == 0 {
                i.to_string().into_bytes()
            } else {
                b"bad".to_vec()
            })
            .unwrap();
    }
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut output), (0..100).step_by(2).collect::<Vec<u8>>());
}

// ---------------------------------------------------------------------------------------------
// Shutdown

/// ProducerFinished: every queued message is handled before ProducerFinished is passed on.
#[test]
fn producer_finished_drains_both_stages() {
    let values: Vec<u32> = (0..1000).collect();
    let (out, _, _) = round_trip::<u32, Json>(values.clone());
    assert_eq!(out, values);
}

/// Shutdown: a Marshaller discards what is queued and passes Shutdown on.
#[test]
fn marshaller_shutdown_discards_queued_values() {
    let mut system = System::deterministic();
    let m = Marshaller::<u8, Postcard>::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (mut output, mut signal) = (Inbox::new(), Inbox::new());
    axon::link(&input, &m.inbox).unwrap();
    axon::link(&stop, &m.control).unwrap();
    axon::link(&m.outbox, &output).unwrap();
    axon::link(&m.signal, &signal).unwrap();
    system.spawn(m);
    input.try_send(1).unwrap();
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut output).is_empty());
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// Shutdown: a DeMarshaller discards what is queued and passes Shutdown on.
#[test]
fn demarshaller_shutdown_discards_queued_messages() {
    let mut system = System::deterministic();
    let mut d = decoder::<u8, Json>(&system);
    d.input.try_send(b"1".to_vec()).unwrap();
    d.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut d.output).is_empty());
    assert_eq!(drain(&mut d.signal), [Control::Shutdown]);
}

/// Messages are handled as they come, before any stop request: a running DeMarshaller
/// delivers each value without waiting for the end of the stream.
#[test]
fn demarshaller_delivers_without_waiting_for_the_end() {
    let mut system = System::deterministic();
    let mut d = decoder::<String, Json>(&system);
    d.input.try_send(b"\"now\"".to_vec()).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut d.output), ["now"]);
    assert!(drain(&mut d.signal).is_empty());
    d.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut d.signal), [Control::ProducerFinished]);
}

/// A Marshaller whose receiver takes nothing still stops on Shutdown, and passes it on.
#[test]
fn marshaller_waiting_for_room_still_stops_on_shutdown() {
    stops_on_shutdown_while_waiting_for_room(Marshaller::<u8, Json>::new(), [1, 2, 3]);
}

/// A DeMarshaller whose receiver takes nothing still stops on Shutdown, and passes it on.
#[test]
fn demarshaller_waiting_for_room_still_stops_on_shutdown() {
    let messages = ["1", "2", "3"].map(|m| m.as_bytes().to_vec());
    stops_on_shutdown_while_waiting_for_room(DeMarshaller::<u8, Json>::new(), messages);
}

/// A DeMarshaller whose `errors` receiver takes nothing still stops on Shutdown.
#[test]
fn demarshaller_waiting_for_room_on_errors_still_stops_on_shutdown() {
    let mut system = System::deterministic();
    let d = DeMarshaller::<u8, Json>::new();
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    let (full, mut signal) = (Inbox::<DemarshalError>::with_capacity(1), Inbox::new());
    let mut output = Inbox::unbounded();
    axon::link(&input, &d.inbox).unwrap();
    axon::link(&stop, &d.control).unwrap();
    axon::link(&d.outbox, &output).unwrap();
    axon::link(&d.errors, &full).unwrap();
    axon::link(&d.signal, &signal).unwrap();
    let id = system.spawn(d);
    for _ in 0..3 {
        input.try_send(b"bad".to_vec()).unwrap();
    }
    system.run_until_idle();
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room"
    );
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert!(drain(&mut output).is_empty());
}

/// A Marshaller or DeMarshaller whose receiver has ended fails, and says why on `signal` first.
#[test]
fn converters_whose_receiver_ended_fail_and_say_so_on_signal() {
    common::fails_saying_so_when_its_receiver_has_ended(
        "marshaller",
        Marshaller::<u8, Json>::new(),
        [1],
    );
    common::fails_saying_so_when_its_receiver_has_ended(
        "demarshaller",
        DeMarshaller::<u8, Json>::new(),
        [b"1".to_vec()],
    );
}

/// Both components are in the catalogue under their Kamaelia names, with an `errors` outbox.
#[test]
fn marshal_components_are_catalogued() {
    let entries = kamaelia::catalogue::all();
    for (name, kamaelia_name) in [
        ("Marshaller", "Kamaelia.Util.Marshalling.Marshaller"),
        ("DeMarshaller", "Kamaelia.Util.Marshalling.DeMarshaller"),
    ] {
        let e = entries.iter().find(|e| e.name == name).unwrap();
        assert_eq!(e.kamaelia_name, kamaelia_name);
        assert!(e
            .boxes
            .iter()
            .any(|b| b.name == "errors" && b.direction == "outbox"));
    }
}
