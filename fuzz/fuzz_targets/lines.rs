//! Fuzz target: the line decoder (`kamaelia::protocol::framing::codec::LineDecoder`, which
//! `ChunksToLines` runs).
//!
//! The first input byte chooses the line limit (0 to 15), the next four the sizes of the pieces
//! the rest is pushed in. The decoder must never panic, never hold more than the limit plus one
//! byte, give only lines within the limit and without `\n`, give error offsets inside the stream
//! with increasing line numbers, and give the same result whether the stream arrives whole or in
//! pieces.
#![no_main]

use kamaelia::protocol::framing::codec::{Decoder, LineDecoder, LineTooLong};
use libfuzzer_sys::fuzz_target;

type Decoded = Vec<Result<Vec<u8>, LineTooLong>>;

/// Pushes `input` in pieces whose sizes cycle through `sizes` (1 to 32 bytes each; whole if
/// `sizes` is empty), checking the buffer bound after every push.
fn decode(limit: usize, input: &[u8], sizes: &[u8]) -> Decoded {
    let mut decoder = LineDecoder::new(limit);
    let mut got = Vec::new();
    decoder.push(&[]);
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
    let limit = usize::from(head % 16);
    let (sizes, input) = rest.split_at(rest.len().min(4));
    let whole = decode(limit, input, &[]);
    let mut last_line = 0;
    for r in &whole {
        match r {
            Ok(line) => assert!(line.len() <= limit && !line.contains(&b'\n')),
            Err(e) => {
                assert!(e.offset < input.len() as u64, "{e}");
                assert!(e.line > last_line, "{e}");
                last_line = e.line;
            }
        }
    }
    assert_eq!(decode(limit, input, sizes), whole);
});
