//! What the two HTTP fuzz targets share: the decoder (`kamaelia::protocol::http::HttpDecoder`)
//! for either kind of message head, fed the same input whole and cut into pieces.
//!
//! The first input byte chooses how the rest is cut into pushes. The decoder must never panic,
//! must hold less than its documented bound after each push is drained, must give error offsets
//! within what was pushed, and must decode the same messages (body chunks merged) and the same
//! error whether the stream arrives whole or in pieces.

use kamaelia::protocol::http::decoder::MAX_CHUNK_LINE;
use kamaelia::protocol::http::{HttpDecoder, HttpError, HttpMessage, Limits, MessageHead};

const LIMITS: Limits = Limits {
    max_head_bytes: 1024,
    max_headers: 16,
    max_body_chunk: 64,
};

type Decoded<H> = (Vec<HttpMessage<H>>, Option<HttpError>);

/// Decodes `input` pushed in pieces of the sizes `cut` gives, checking the bounds as it goes.
fn decode<H: MessageHead>(input: &[u8], mut cut: impl FnMut() -> usize) -> Decoded<H> {
    let mut decoder = HttpDecoder::<H>::with_limits(LIMITS);
    let mut messages: Vec<HttpMessage<H>> = Vec::new();
    let mut rest = input;
    let mut pushed = 0u64;
    let mut drain = |decoder: &mut HttpDecoder<H>, pushed: u64| -> Option<HttpError> {
        loop {
            match decoder.next() {
                Ok(Some(HttpMessage::Body(b))) => {
                    assert!(!b.is_empty() && b.len() <= LIMITS.max_body_chunk);
                    match messages.last_mut() {
                        Some(HttpMessage::Body(prev)) => prev.extend_from_slice(&b),
                        _ => messages.push(HttpMessage::Body(b)),
                    }
                }
                Ok(Some(m)) => messages.push(m),
                Ok(None) => return None,
                Err(e) => {
                    assert!(e.offset <= pushed, "{e} beyond the {pushed} bytes pushed");
                    return Some(e);
                }
            }
        }
    };
    loop {
        let n = cut().clamp(1, rest.len().max(1)).min(rest.len());
        let (piece, after) = rest.split_at(n);
        rest = after;
        decoder.push(piece);
        pushed += piece.len() as u64;
        if let Some(e) = drain(&mut decoder, pushed) {
            return (messages, Some(e));
        }
        assert!(decoder.buffered() < LIMITS.max_head_bytes.max(MAX_CHUNK_LINE));
        if rest.is_empty() {
            break;
        }
    }
    decoder.finish();
    let error = drain(&mut decoder, pushed);
    (messages, error)
}

/// The whole check for one input: `data`'s first byte chooses the cuts.
pub fn check<H: MessageHead>(data: &[u8]) {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let whole = decode::<H>(input, || input.len());
    let mut state = u32::from(seed) | 1;
    let max = usize::from(seed % 64) + 1;
    let pieces = decode::<H>(input, || {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) as usize % max + 1
    });
    assert_eq!(whole, pieces);
}
