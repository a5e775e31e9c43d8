//! Chunkifier: regroups a stream of bytes or text into chunks of a fixed size (Kamaelia:
//! `Kamaelia.Util.Chunkifier.Chunkifier`).
//!
//! The messages that arrive are treated as one continuous stream, without regard to where one
//! message ends and the next begins, and sent on in chunks of exactly `size` units: bytes for
//! `Vec<u8>`, characters (`char`s) for `String` — a character is never split. The concatenation
//! of the chunks sent is always the concatenation of the messages received.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::Chunkifier;
//!
//! let mut system = System::deterministic();
//! let c = Chunkifier::<String>::new(4);
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &c.inbox).unwrap();
//! axon::link(&stop, &c.control).unwrap();
//! axon::link(&c.outbox, &output).unwrap();
//! system.spawn(c);
//! for piece in ["ab", "cdef", "ghij"] {
//!     input.try_send(piece.to_string()).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv().as_deref(), Ok("abcd"));
//! assert_eq!(output.try_recv().as_deref(), Ok("efgh"));
//! assert_eq!(output.try_recv().as_deref(), Ok("ij")); // the partial last chunk, at the end
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` (`Vec<u8>` or `String`) | the stream, in pieces of any size |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | chunks of exactly `size` units (the last may be shorter, see below) |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `size`: units per chunk (bytes or chars), given to [`Chunkifier::new`]; at least 1.
//! * [`no_delay`](Chunkifier::no_delay)`()`: whenever the inbox has been emptied, send what is
//!   buffered at once as a short chunk instead of waiting for more (Kamaelia's `nodelay`).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it chunks everything already queued, sends the chunks, then sends the
//! **partial last chunk** (fewer than `size` units; nothing if the stream length was a multiple
//! of `size`), then sends `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once,
//! discarding what is queued and what is buffered, and sends `Shutdown` on `signal`. It buffers
//! fewer than `size` units between messages.

use std::ops::Range;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

mod sealed {
    pub trait Sealed {}
    impl Sealed for Vec<u8> {}
    impl Sealed for String {}
}

/// A message type [`Chunkifier`] can regroup: `Vec<u8>` (counted in bytes) or `String` (counted
/// in `char`s).
pub trait ChunkData: sealed::Sealed + Default + Send + 'static {
    /// From byte offset `from`, counts up to `max` units; returns how many it counted and the
    /// byte offset after them.
    fn count_units(&self, from: usize, max: usize) -> (usize, usize);
    /// Length in bytes.
    fn byte_len(&self) -> usize;
    /// Appends the bytes `range` of `src` (on unit boundaries).
    fn append_range(&mut self, src: &Self, range: Range<usize>);
}

impl ChunkData for Vec<u8> {
    fn count_units(&self, from: usize, max: usize) -> (usize, usize) {
        let n = max.min(self.len() - from);
        (n, from + n)
    }
    fn byte_len(&self) -> usize {
        self.len()
    }
    fn append_range(&mut self, src: &Self, range: Range<usize>) {
        self.extend_from_slice(&src[range]);
    }
}

impl ChunkData for String {
    fn count_units(&self, from: usize, max: usize) -> (usize, usize) {
        let rest = &self[from..];
        match rest.char_indices().nth(max) {
            Some((end, _)) => (max, from + end),
            None => (rest.chars().count(), self.len()),
        }
    }
    fn byte_len(&self) -> usize {
        self.len()
    }
    fn append_range(&mut self, src: &Self, range: Range<usize>) {
        self.push_str(&src[range]);
    }
}

/// Regroups a stream into fixed-size chunks. See the [module docs](self).
#[derive(Boxes)]
pub struct Chunkifier<T: ChunkData> {
    /// The stream, in pieces of any size.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, flush the partial chunk, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Chunks of exactly `size` units; the last one, at end of stream, may be shorter.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    size: usize,
    no_delay: bool,
}

impl<T: ChunkData> Chunkifier<T> {
    /// Chunks of `size` units (bytes for `Vec<u8>`, chars for `String`).
    ///
    /// # Panics
    /// If `size` is 0.
    pub fn new(size: usize) -> Self {
        assert!(size > 0, "Chunkifier chunk size must be at least 1");
        Chunkifier {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            size,
            no_delay: false,
        }
    }

    /// Sends what is buffered as a short chunk whenever the inbox has been emptied, instead of
    /// waiting for a full chunk.
    pub fn no_delay(mut self) -> Self {
        self.no_delay = true;
        self
    }
}

impl<T: ChunkData> std::fmt::Debug for Chunkifier<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunkifier")
            .field("size", &self.size)
            .field("no_delay", &self.no_delay)
            .finish_non_exhaustive()
    }
}

struct Regroup<T> {
    size: usize,
    no_delay: bool,
    /// Fewer than `size` units.
    pending: T,
    pending_units: usize,
}

impl<T: ChunkData> Regroup<T> {
    fn flush(&mut self, out: &mut Vec<T>) {
        if self.pending.byte_len() > 0 {
            out.push(std::mem::take(&mut self.pending));
            self.pending_units = 0;
        }
    }
}

impl<T: ChunkData> Step for Regroup<T> {
    type In = T;
    type Out = T;
    fn step(&mut self, msg: T, out: &mut Vec<T>) {
        let mut from = 0;
        if self.pending_units > 0 {
            let (n, end) = msg.count_units(0, self.size - self.pending_units);
            self.pending.append_range(&msg, 0..end);
            self.pending_units += n;
            from = end;
            if self.pending_units < self.size {
                return; // the message is used up
            }
            out.push(std::mem::take(&mut self.pending));
            self.pending_units = 0;
        }
        loop {
            let (n, end) = msg.count_units(from, self.size);
            if n < self.size {
                self.pending.append_range(&msg, from..end);
                self.pending_units = n;
                return;
            }
            if from == 0 && end == msg.byte_len() {
                out.push(msg); // exactly one chunk: no copy
                return;
            }
            let mut chunk = T::default();
            chunk.append_range(&msg, from..end);
            out.push(chunk);
            from = end;
        }
    }

    fn after_batch(&mut self, out: &mut Vec<T>) {
        if self.no_delay {
            self.flush(out);
        }
    }

    fn finish(&mut self, out: &mut Vec<T>) {
        self.flush(out);
    }
}

impl<T: ChunkData> Component for Chunkifier<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        let regroup = Regroup {
            size: self.size,
            no_delay: self.no_delay,
            pending: T::default(),
            pending_units: 0,
        };
        step::drive(regroup, boxes).await
    }
}

crate::impl_stage!([T: ChunkData] Chunkifier<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let c = Chunkifier::<Vec<u8>>::new(1);
    Entry::new(
        "Chunkifier",
        "Kamaelia.Util.Chunkifier.Chunkifier",
        Family::Util,
        "Regroups a stream of bytes (Vec<u8>) or text (String, by chars) into chunks of a fixed size; the partial last chunk is sent at end of stream.",
        axon::box_infos(&c),
    )
    .parameter("size", "usize", "units per chunk (bytes or chars), at least 1")
    .parameter("no_delay", "bool", "no_delay(): send a short chunk whenever the inbox has been emptied")
});
