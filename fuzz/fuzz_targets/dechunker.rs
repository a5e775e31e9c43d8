//! Fuzz target: the chunk decoder (`kamaelia::protocol::framing::codec::ChunkDecoder`, which
//! `DataDeChunker` runs).
//!
//! The first input byte chooses the format (the default 8-byte marker, a 1-byte or a 3-byte
//! one), the policy (strict or resynchronising) and the chunk limit (0 to 42); the next four
//! choose the sizes of the pieces the rest is pushed in. The decoder must never panic, never
//! hold more than the limit, give only chunks within the limit, name offsets inside the stream,
//! stop at its first error when strict, give the same result whether the stream arrives whole or
//! in pieces, and, when strict and without error, have decoded the stream exactly: re-encoding
//! the chunks gives the input back.
#![no_main]

use kamaelia::protocol::framing::codec::{
    ChunkDecoder, ChunkError, ChunkFormat, Decoder, OnMalformed,
};
use libfuzzer_sys::fuzz_target;

type Decoded = Vec<Result<Vec<u8>, ChunkError>>;

/// Pushes `input` in pieces whose sizes cycle through `sizes` (1 to 32 bytes each; whole if
/// `sizes` is empty), checking the buffer bound after every push.
fn decode(make: impl Fn() -> ChunkDecoder, input: &[u8], sizes: &[u8]) -> Decoded {
    let mut decoder = make();
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
    let format = match head % 3 {
        0 => ChunkFormat::default(),
        1 => ChunkFormat::new(vec![0x01], 0x02).expect("a valid format"),
        _ => ChunkFormat::new(b"\x01XY".to_vec(), 0x02).expect("a valid format"),
    };
    let policy = if (head / 3) % 2 == 0 {
        OnMalformed::Fail
    } else {
        OnMalformed::Skip
    };
    let limit = usize::from(head / 6);
    let make = || {
        ChunkDecoder::new(format.clone())
            .with_limit(limit)
            .on_malformed(policy)
    };
    let (sizes, input) = rest.split_at(rest.len().min(4));
    let whole = decode(make, input, &[]);
    let mut clean = true;
    for (i, r) in whole.iter().enumerate() {
        match r {
            Ok(chunk) => assert!(chunk.len() <= limit),
            Err(e) => {
                clean = false;
                assert!(e.offset < input.len() as u64, "{e}");
                if policy == OnMalformed::Fail {
                    assert_eq!(i, whole.len() - 1, "nothing after a strict error");
                }
            }
        }
    }
    if clean && policy == OnMalformed::Fail {
        let mut again = Vec::new();
        for chunk in whole.iter().flatten() {
            format.encode(chunk, &mut again);
        }
        assert_eq!(again, input);
    }
    assert_eq!(decode(make, input, sizes), whole);
});
