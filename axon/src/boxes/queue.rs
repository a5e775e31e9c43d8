//! An inbox's queue: the first message is held in place, and a buffer is allocated only when a
//! second one waits beside it.
//!
//! Many inboxes never hold more than one message at a time — a `control` inbox receives one
//! `ProducerFinished`, a request/response exchange has one message in flight — and a new
//! component's first message would otherwise pay for allocating (and later freeing) a buffer.
//! Once a buffer exists it is kept for the life of the inbox, so a busy inbox allocates nothing
//! per message, and its push and pop are a `VecDeque`'s plus one predictable test. The length
//! is kept beside the elements, so reading it (several times per delivery) is one load. The
//! cost: an inbox's state is as large as one message (or a `VecDeque`, 32 bytes, whichever is
//! larger), so a message type of several hundred bytes makes every inbox of it that much
//! larger; send large payloads behind a `Box` or `Arc`.

use std::collections::VecDeque;

/// A FIFO queue with room for one element in place (see the module docs).
pub(crate) struct Queue<T> {
    len: usize,
    slots: Slots<T>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue {
            len: 0,
            slots: Slots::Empty,
        }
    }
}

#[derive(Default)]
enum Slots<T> {
    /// Empty, and no buffer allocated.
    #[default]
    Empty,
    /// One element, held in place.
    One(T),
    /// A buffer (kept once allocated, even when empty).
    Many(VecDeque<T>),
}

impl<T> Queue<T> {
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buffer, made now (holding what was here) if there was none.
    #[cold]
    #[inline(never)]
    fn many(&mut self) -> &mut VecDeque<T> {
        if !matches!(self.slots, Slots::Many(_)) {
            let mut q = VecDeque::new();
            if let Slots::One(m) = std::mem::take(&mut self.slots) {
                q.push_back(m);
            }
            self.slots = Slots::Many(q);
        }
        match &mut self.slots {
            Slots::Many(q) => q,
            _ => unreachable!("made just above"),
        }
    }

    /// Adds `msg` at the back.
    #[inline(always)]
    pub(crate) fn push_back(&mut self, msg: T) {
        self.len += 1;
        // Test for the buffer first: a two-way test on the enum is cheaper than a three-way
        // match, and a busy inbox takes this branch every time.
        if let Slots::Many(q) = &mut self.slots {
            return q.push_back(msg);
        }
        if matches!(self.slots, Slots::Empty) {
            self.slots = Slots::One(msg);
        } else {
            self.many().push_back(msg);
        }
    }

    /// Takes the front element.
    #[inline(always)]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        if let Slots::Many(q) = &mut self.slots {
            return q.pop_front();
        }
        match std::mem::take(&mut self.slots) {
            Slots::One(m) => Some(m),
            _ => None,
        }
    }

    /// Appends everything `msgs` yields.
    pub(crate) fn extend(&mut self, msgs: impl IntoIterator<Item = T>) {
        let mut msgs = msgs.into_iter();
        if let Slots::Many(q) = &mut self.slots {
            let before = q.len();
            q.extend(msgs);
            self.len += q.len() - before;
            return;
        }
        // Held in place while only one is waiting.
        while self.is_empty() {
            match msgs.next() {
                Some(m) => self.push_back(m),
                None => return,
            }
        }
        if let Some(m) = msgs.next() {
            self.push_back(m);
            let q = self.many();
            let before = q.len();
            q.extend(msgs);
            let added = q.len() - before;
            self.len += added;
        }
    }

    /// Moves the first `n` elements (at most [`len`](Self::len)) to the end of `buf`.
    pub(crate) fn pop_into(&mut self, buf: &mut Vec<T>, n: usize) {
        let n = n.min(self.len);
        match &mut self.slots {
            Slots::Many(q) => {
                buf.extend(q.drain(..n));
                self.len -= n;
            }
            _ if n == 0 => {}
            _ => buf.extend(self.pop_front()),
        }
    }

    /// The elements from position `start` on, front to back.
    pub(crate) fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> {
        let (one, many) = match &self.slots {
            Slots::Empty => (None, None),
            Slots::One(m) => ((start == 0).then_some(m), None),
            Slots::Many(q) => (None, Some(q.range(start.min(q.len())..))),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

impl<T> IntoIterator for Queue<T> {
    type Item = T;
    type IntoIter = std::iter::Chain<
        std::option::IntoIter<T>,
        std::iter::Flatten<std::option::IntoIter<VecDeque<T>>>,
    >;

    fn into_iter(self) -> Self::IntoIter {
        let (one, many) = match self.slots {
            Slots::Empty => (None, None),
            Slots::One(m) => (Some(m), None),
            Slots::Many(q) => (None, Some(q)),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::{Queue, Slots};

    fn drain(q: Queue<u32>) -> Vec<u32> {
        q.into_iter().collect()
    }

    #[test]
    fn the_first_element_is_held_in_place_and_a_second_makes_a_buffer() {
        let mut q = Queue::default();
        q.push_back(1);
        assert!(matches!(q.slots, Slots::One(1)));
        q.push_back(2);
        assert!(matches!(&q.slots, Slots::Many(d) if d.len() == 2));
        assert_eq!(q.pop_front(), Some(1));
        assert_eq!(q.pop_front(), Some(2));
        assert_eq!(q.pop_front(), None);
        // The buffer is kept once made.
        assert!(matches!(q.slots, Slots::Many(_)));
    }

    #[test]
    fn it_behaves_as_a_fifo_through_every_operation() {
        // The same operations on a Queue and on a VecDeque give the same elements, in order.
        let mut q = Queue::default();
        let mut model = std::collections::VecDeque::new();
        let mut next = 0;
        let mut out = (Vec::new(), Vec::new());
        for step in 0..200u32 {
            match step % 7 {
                0 | 3 => {
                    q.push_back(next);
                    model.push_back(next);
                    next += 1;
                }
                1 => {
                    let k = step % 3;
                    q.extend(next..next + k);
                    model.extend(next..next + k);
                    next += k;
                }
                2 | 5 => assert_eq!(q.pop_front(), model.pop_front()),
                4 => {
                    let n = (step % 4) as usize;
                    q.pop_into(&mut out.0, n);
                    out.1.extend(model.drain(..n.min(model.len())));
                }
                _ => {
                    let start = (step % 3) as usize;
                    let a: Vec<_> = q.iter_from(start).copied().collect();
                    let b: Vec<_> = model.iter().skip(start).copied().collect();
                    assert_eq!(a, b);
                }
            }
            assert_eq!(q.len(), model.len());
            assert_eq!(q.is_empty(), model.is_empty());
        }
        assert_eq!(out.0, out.1);
        assert_eq!(drain(q), model.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn extend_keeps_a_single_element_in_place() {
        let mut q = Queue::default();
        q.extend([7]);
        assert!(matches!(q.slots, Slots::One(7)));
        q.extend(std::iter::empty());
        assert!(matches!(q.slots, Slots::One(7)));
        q.extend([8, 9]);
        assert_eq!(drain(q), [7, 8, 9]);
    }

    #[test]
    fn pop_into_moves_at_most_what_is_there() {
        let mut q = Queue::default();
        let mut buf = Vec::new();
        q.pop_into(&mut buf, 5);
        assert!(buf.is_empty());
        q.push_back(1);
        q.pop_into(&mut buf, 0);
        assert!(buf.is_empty());
        q.pop_into(&mut buf, 5);
        assert_eq!(buf, [1]);
        assert!(q.is_empty());
    }
}
