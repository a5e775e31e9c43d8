//! Fuzz target: the length-prefixed frame decoder
//! (`kamaelia::protocol::framing::codec::LengthPrefixDecoder`, which `LengthPrefixDeframer`
//! runs).
//!
//! The first input byte chooses the frame limit (0 to 1020 bytes), the next four the sizes of
//! the pieces the rest is pushed in. The decoder must never panic, never hold more than one
//! frame, stop at its first error (which is the last thing it gives and names an offset inside
//! the stream), give the same result whether the stream arrives whole or in pieces, and, when it
//! gives no error, have decoded the stream exactly: re-encoding the frames gives the input back.
#![no_main]

use kamaelia::protocol::framing::codec::{
    encode_length_prefixed, Decoder, LengthPrefixDecoder, LengthPrefixError,
};
use libfuzzer_sys::fuzz_target;

type Decoded = Vec<Result<Vec<u8>, LengthPrefixError>>;

/// Pushes `input` in pieces whose sizes cycle through `sizes` (1 to 32 bytes each; whole if
/// `sizes` is empty), checking the buffer bound after every push.
fn decode(limit: usize, input: &[u8], sizes: &[u8]) -> Decoded {
    let mut decoder = LengthPrefixDecoder::with_limit(limit);
    let mut got = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let n = match sizes {
            [] => rest.len(),
            _ => (usize::from(sizes[i % sizes.len()]) % 32 + 1).min(rest.len()),
        };
        i += 1;
        let (piece, after) = rest.split_at(n);
        rest = after;
        decoder.push(piece);
        assert!(decoder.buffered() <= decoder.buffer_limit());
        got.extend(std::iter::from_fn(|| decoder.pop()));
    }
    decoder.finish();
    got.extend(std::iter::from_fn(|| decoder.pop()));
    got
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let limit = usize::from(head) * 4;
    let (sizes, input) = rest.split_at(rest.len().min(4));
    let whole = decode(limit, input, &[]);
    match whole.iter().position(Result::is_err) {
        Some(i) => {
            assert_eq!(i, whole.len() - 1, "nothing after the error");
            let e = whole[i].as_ref().unwrap_err();
            assert!(e.offset() < input.len() as u64, "{e}");
        }
        None => {
            let mut again = Vec::new();
            for frame in whole.iter().flatten() {
                assert!(frame.len() <= limit);
                encode_length_prefixed(frame, &mut again);
            }
            assert_eq!(again, input);
        }
    }
    assert_eq!(decode(limit, input, sizes), whole);
});
