//! Fuzz target: the frame decoder of `DeFramer`
//! (`kamaelia::protocol::framing::codec::FrameDecoder`, frames `<seq> <len>\n<payload>`).
//!
//! `DeFramer` takes one frame per message, so there is no stream to split: the first four input
//! bytes choose how the rest is cut into messages, each decoded on its own, and the whole rest
//! is decoded as one message too. The decoder must never panic, must number the messages it was
//! given, must name an offset inside the message (or at its end), and must be exact: a message
//! that decodes re-encodes to exactly the same bytes.
#![no_main]

use kamaelia::protocol::framing::codec::{encode_frame, FrameDecoder};
use libfuzzer_sys::fuzz_target;

/// Decodes `msg` as message number `index` of `decoder`, checking the decoder's promises.
fn check(decoder: &mut FrameDecoder, index: u64, msg: &[u8]) {
    match decoder.decode(msg) {
        Ok((seq, payload)) => {
            let mut again = Vec::new();
            encode_frame(seq, &payload, &mut again);
            assert_eq!(again, msg);
        }
        Err(e) => {
            assert_eq!(e.message, index);
            assert!(e.offset <= msg.len(), "{e}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (sizes, input) = data.split_at(data.len().min(4));
    check(&mut FrameDecoder::new(), 0, input);
    let mut decoder = FrameDecoder::new();
    let mut rest = input;
    let mut index = 0;
    while !rest.is_empty() {
        let n = match sizes {
            [] => rest.len(),
            _ => (usize::from(sizes[index as usize % sizes.len()]) % 64 + 1).min(rest.len()),
        };
        let (msg, after) = rest.split_at(n);
        rest = after;
        check(&mut decoder, index, msg);
        index += 1;
    }
    assert_eq!(decoder.messages(), index);
});
