//! The HTTP `Date` field: `http_date` on known dates and, for any second it can write, checked
//! by a strict IMF-fixdate parser written for these tests; and the request handler dating
//! every response from its clock (fixed clocks, on a deterministic system).

mod common;

use std::time::{Duration, UNIX_EPOCH};

use axon::{Control, System};
use common::http::{
    get, group, parse_imf_fixdate, request_parts, rfc_example_time, router, OWN_DATE,
};
use common::{drain, harness};
use kamaelia::protocol::http::{http_date, HttpRequestHandler, RequestHead};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The Date field

/// Seconds from the epoch to 10000-01-01T00:00:00Z, the first time IMF-fixdate cannot write.
const YEAR_10000: u64 = 253_402_300_800;

const RFC_EXAMPLE_DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

/// Known dates: RFC 9110's example, the epoch, a leap day, the last second of a year, the last
/// second IMF-fixdate can write; fractions of a second are dropped; times it cannot write give
/// `None`.
#[test]
fn http_date_writes_imf_fixdate() {
    let at = |secs: u64| http_date(UNIX_EPOCH + Duration::from_secs(secs));
    assert_eq!(
        http_date(rfc_example_time()).as_deref(),
        Some(RFC_EXAMPLE_DATE)
    );
    assert_eq!(at(0).as_deref(), Some("Thu, 01 Jan 1970 00:00:00 GMT"));
    assert_eq!(
        at(951_782_400).as_deref(),
        Some("Tue, 29 Feb 2000 00:00:00 GMT")
    );
    assert_eq!(
        at(951_827_696).as_deref(),
        Some("Tue, 29 Feb 2000 12:34:56 GMT")
    );
    assert_eq!(
        at(951_868_800).as_deref(),
        Some("Wed, 01 Mar 2000 00:00:00 GMT")
    );
    assert_eq!(
        at(1_704_067_199).as_deref(),
        Some("Sun, 31 Dec 2023 23:59:59 GMT")
    );
    assert_eq!(
        at(1_704_067_200).as_deref(),
        Some("Mon, 01 Jan 2024 00:00:00 GMT")
    );
    assert_eq!(
        at(YEAR_10000 - 1).as_deref(),
        Some("Fri, 31 Dec 9999 23:59:59 GMT")
    );
    let fraction = rfc_example_time() + Duration::from_millis(999);
    assert_eq!(http_date(fraction).as_deref(), Some(RFC_EXAMPLE_DATE));
    assert_eq!(at(YEAR_10000), None);
    assert_eq!(http_date(UNIX_EPOCH - Duration::from_nanos(1)), None);
}

/// The parser of these tests agrees with the known dates (so the property below means
/// something), and refuses near misses.
#[test]
fn the_test_parser_reads_known_dates_and_refuses_others() {
    assert_eq!(parse_imf_fixdate(RFC_EXAMPLE_DATE), Some(784_111_777));
    assert_eq!(parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(
        parse_imf_fixdate("Tue, 29 Feb 2000 12:34:56 GMT"),
        Some(951_827_696)
    );
    assert_eq!(
        parse_imf_fixdate("Sun, 31 Dec 2023 23:59:59 GMT"),
        Some(1_704_067_199)
    );
    for wrong in [
        "Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
        "Sun, 6 Nov 1994 08:49:37 GMT",  // no leading zero
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sunday, 06-Nov-94 08:49:37 GMT", // RFC 850 form
        "Sun Nov  6 08:49:37 1994",       // asctime form
        "Thu, 29 Feb 2001 00:00:00 GMT",  // no such day
        "Sun, 06 Nov 1994 24:00:00 GMT",
    ] {
        assert_eq!(parse_imf_fixdate(wrong), None, "{wrong}");
    }
}

proptest! {
    /// Any second from 1970 to the end of 9999, written and read back, is the same second.
    #[test]
    fn http_date_reads_back_as_the_same_second(secs in 0..YEAR_10000, nanos in 0u32..1_000_000_000) {
        let time = UNIX_EPOCH + Duration::new(secs, nanos);
        let text = http_date(time).expect("a time IMF-fixdate can write");
        prop_assert_eq!(parse_imf_fixdate(&text), Some(secs), "{}", text);
    }
}

/// Every response the request handler sends carries the `Date` its clock reads — a resource
/// handler's, an error page, `100 Continue`, the 500 for a silent handler, the 400 for
/// malformed input — except where the resource handler set its own, which is kept.
#[test]
fn request_handler_dates_every_response_from_its_clock() {
    let mut requests = request_parts(get("/missing"), &[]);
    requests.extend(request_parts(
        RequestHead::new("POST", "/echo")
            .header("Host", "t")
            .header("Expect", "100-continue"),
        &["x"],
    ));
    requests.extend(request_parts(get("/dated"), &[]));
    requests.extend(request_parts(get("/silent"), &[]));
    let mut system = System::deterministic();
    let handler = HttpRequestHandler::new(router).clock(rfc_example_time);
    let mut h = harness(&system, handler);
    for m in requests {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(Control::failed("malformed")).unwrap();
    system.run().unwrap();
    let got = group(drain(&mut h.output));
    let statuses: Vec<u16> = got.iter().map(|r| r.0.status).collect();
    assert_eq!(statuses, [404, 100, 200, 200, 500, 400]);
    let dates: Vec<Vec<&[u8]>> = got
        .iter()
        .map(|r| r.0.headers.get_all("date").collect())
        .collect();
    let example = RFC_EXAMPLE_DATE.as_bytes();
    let own = OWN_DATE.as_bytes();
    assert_eq!(
        dates,
        [
            vec![example],
            vec![example],
            vec![example],
            vec![own],
            vec![example],
            vec![example]
        ]
    );
}

/// A clock that reads a time IMF-fixdate cannot write is not trusted: no `Date` is sent.
#[test]
fn request_handler_sends_no_date_from_a_clock_before_1970() {
    let mut system = System::deterministic();
    let handler = HttpRequestHandler::new(router).clock(|| UNIX_EPOCH - Duration::from_secs(1));
    let mut h = harness(&system, handler);
    for m in request_parts(get("/missing"), &[]) {
        h.input.try_send(m).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let got = group(drain(&mut h.output));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.status, 404);
    assert!(!got[0].0.headers.contains("date"));
}
