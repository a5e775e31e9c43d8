//! Fuzz target: the formats the `DeMarshaller` runs (`kamaelia::marshal::{Json, Postcard}`).
//!
//! Arbitrary bytes are decoded as a value with strings, numbers, options, sequences and maps,
//! in both formats. Decoding must never panic; a failure's byte offset, when the format gives
//! one, lies inside the input; and whatever decodes must encode and decode again to the same
//! value (for JSON: floats are left out of the value type, as they round-trip only roughly).
#![no_main]

use std::collections::BTreeMap;

use kamaelia::marshal::{Format, Json, Postcard};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

/// A value touching most of what serde formats parse.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Value {
    name: String,
    count: u64,
    delta: i32,
    flag: Option<bool>,
    items: Vec<(u8, String)>,
    table: BTreeMap<String, Vec<u16>>,
    bytes: Vec<u8>,
}

fn check<F: Format>(data: &[u8]) {
    match F::decode::<Value>(data) {
        Ok(value) => {
            let again = F::encode(&value).expect("a decoded value encodes");
            assert_eq!(
                F::decode::<Value>(&again).expect("re-encoded bytes decode"),
                value
            );
        }
        Err(failure) => {
            if let Some(offset) = failure.offset {
                assert!(offset <= data.len(), "offset {offset} past {}", data.len());
            }
            assert!(!failure.message.is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check::<Json>(data);
    check::<Postcard>(data);
});
