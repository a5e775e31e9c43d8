//! Fuzz target: the HTTP request decoder (`kamaelia::protocol::http::RequestDecoder`);
//! the checks are in `http_common.rs`.
#![no_main]

#[path = "http_common.rs"]
mod http_common;

use kamaelia::protocol::http::RequestHead;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| http_common::check::<RequestHead>(data));
