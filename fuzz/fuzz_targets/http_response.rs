//! Fuzz target: the HTTP response decoder (`kamaelia::protocol::http::ResponseDecoder`);
//! the checks are in `http_common.rs`.
#![no_main]

#[path = "http_common.rs"]
mod http_common;

use kamaelia::protocol::http::ResponseHead;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| http_common::check::<ResponseHead>(data));
