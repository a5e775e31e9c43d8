//! RecoverOrder: puts `(sequence number, data)` pairs that arrive out of order, duplicated or
//! with some missing back in sequence order, holding a bounded number of them (Kamaelia:
//! `Kamaelia.Protocol.RecoverOrder.RecoverOrder`, also in `SimpleReliableMulticast`).
//!
//! It expects the numbers to run on from the first ([`starting_at`](RecoverOrder::starting_at),
//! default 0, which is where [`TagWithSequenceNumber`](crate::util::transforms::TagWithSequenceNumber)
//! starts) one at a time, and sends each pair as soon as every pair before it has been sent:
//!
//! * **In order** — the next number expected: sent at once, with any held pairs that follow on.
//! * **Early** — a later number: held, up to `window` pairs (default 30, Kamaelia's).
//! * **Gap larger than the window** — when one more pair arrives than the window holds, it
//!   stops waiting for the missing numbers: it reports them on `gaps` as one [`Gap`], skips to
//!   the lowest number held and sends on from there. So memory is bounded by the window, and a
//!   lost pair delays the stream by at most `window` arrivals.
//! * **Duplicate or late** — a number already sent, already held, or given up on in a gap:
//!   dropped, and counted in the [`OrderStats`] sent on `stats` when it ends.
//!
//! The pure rule is [`ReorderBuffer`], usable on its own. Numbers are compared as plain
//! integers: the wrap after `u64::MAX` is not handled. They are trusted: a number far ahead of
//! the stream (from a sender that restarted, or forged) moves it on, and the real numbers
//! behind it then count as late. Where the sender is not trusted, authenticate the frames
//! before they get here.
//!
//! Departures from Kamaelia, whose version held exactly `bufsize` items and sent the lowest
//! whenever full (so it always lagged `bufsize` items, even with nothing missing, and never
//! sent the last `bufsize` items): here a pair in order goes out at once, the end of the stream
//! sends what is held, and gaps and duplicates are reported.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::protocol::framing::{Gap, RecoverOrder};
//!
//! let mut system = System::deterministic();
//! let r = RecoverOrder::new().window(2);
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut gaps) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &r.inbox).unwrap();
//! axon::link(&stop, &r.control).unwrap();
//! axon::link(&r.outbox, &output).unwrap();
//! axon::link(&r.gaps, &gaps).unwrap();
//! system.spawn(r);
//! for seq in [1, 0, 0, 3, 4, 5] { // 0 is duplicated, 2 is lost
//!     input.try_send((seq, seq * 10)).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let got: Vec<_> = std::iter::from_fn(|| output.try_recv().ok()).collect();
//! assert_eq!(got, [(0, 0), (1, 10), (3, 30), (4, 40), (5, 50)]);
//! assert_eq!(gaps.try_recv(), Ok(Gap { first: 2, last: 2 }));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `(u64, T)` | pairs, in any order |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `(u64, T)` | the pairs in increasing sequence order, without duplicates |
//! | `signal` | [`Control`] | the control message that ended it |
//! | `gaps` | [`Gap`] | each run of numbers given up on, in order |
//! | `stats` | [`OrderStats`] | one summary (sent, duplicates, lost) when it ends |
//!
//! # Parameters
//!
//! * [`window`](RecoverOrder::window)`(n)`: the most pairs held (default 30; 0 never waits).
//! * [`starting_at`](RecoverOrder::starting_at)`(first)`: the first number expected (default 0).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it takes everything already queued, then sends every pair it holds in
//! order (reporting the gaps between them), sends its [`OrderStats`] on `stats`, passes
//! `ProducerFinished` on `signal` and ends. On `Shutdown` (or `Failed`, or a closed `control`,
//! taken as `Shutdown`) it discards what is queued and held, sends its `OrderStats`, passes the
//! message on and ends.
//!
//! `control` is also watched while pairs, gaps or the stats wait for room downstream, so a
//! receiver that takes nothing cannot hide a `Shutdown`: it then ends at once as above (pairs
//! not yet sent are dropped). A `ProducerFinished` that comes while pairs wait is carried out
//! once they are sent. A stop request that comes while the stats wait drops them; after a
//! finished stream, that request is what it passes on.
//!
//! Its one error case: if the component its `outbox` leads to has ended, it sends `Failed` on
//! `signal` (and no stats), then fails, with the same text naming itself. Nobody listening on
//! `gaps` or `stats` is not a failure.

use std::collections::{BTreeMap, VecDeque};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use crate::support::{fail_gone, next_or_drain, pass_on, watching_if_it_waits, Next, Stopped};

/// Kamaelia's default buffer size.
const DEFAULT_WINDOW: usize = 30;

/// How many messages are taken from the inbox at once.
const BATCH: usize = 64;

/// A run of sequence numbers given up on: `first..=last` never arrived in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Gap {
    /// The first number missing.
    pub first: u64,
    /// The last number missing.
    pub last: u64,
}

impl Gap {
    /// How many numbers are missing (`u64::MAX` for the one gap that spans every number).
    pub fn len(&self) -> u64 {
        (self.last - self.first).saturating_add(1)
    }

    /// Always false: a gap has at least one number.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// What a [`ReorderBuffer`] (or [`RecoverOrder`]) did, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OrderStats {
    /// Pairs sent on.
    pub delivered: u64,
    /// Pairs dropped: numbers already sent, already held, or given up on.
    pub duplicates: u64,
    /// Numbers given up on (the total length of the gaps).
    pub lost: u64,
}

/// What a [`ReorderBuffer`] releases, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Released<T> {
    /// The next pair in sequence.
    Item(u64, T),
    /// Numbers given up on; the next item follows the gap.
    Gap(Gap),
}

/// The rule of [`RecoverOrder`] as a plain type: push pairs in any order, pop them in order.
/// See the [module docs](self).
///
/// ```
/// use kamaelia::protocol::framing::{Gap, Released, ReorderBuffer};
///
/// let mut b = ReorderBuffer::new(0, 1);
/// b.push(1, 'b');
/// assert_eq!(b.pop(), None); // waiting for 0
/// b.push(2, 'c'); // one more than the window: give up on 0
/// assert_eq!(b.pop(), Some(Released::Gap(Gap { first: 0, last: 0 })));
/// assert_eq!(b.pop(), Some(Released::Item(1, 'b')));
/// assert_eq!(b.pop(), Some(Released::Item(2, 'c')));
/// ```
#[derive(Debug, Clone)]
pub struct ReorderBuffer<T> {
    next: u64,
    window: usize,
    held: BTreeMap<u64, T>,
    out: VecDeque<Released<T>>,
    stats: OrderStats,
}

impl<T> ReorderBuffer<T> {
    /// Expects `first` next; holds at most `window` early pairs.
    pub fn new(first: u64, window: usize) -> Self {
        ReorderBuffer {
            next: first,
            window,
            held: BTreeMap::new(),
            out: VecDeque::new(),
            stats: OrderStats::default(),
        }
    }

    /// Takes one pair.
    pub fn push(&mut self, seq: u64, item: T) {
        if seq < self.next || self.held.contains_key(&seq) {
            self.stats.duplicates += 1;
            return;
        }
        self.held.insert(seq, item);
        self.release_run();
        while self.held.len() > self.window {
            self.skip_gap();
            self.release_run();
        }
    }

    /// The stream has ended: releases everything held, in order, with the gaps between.
    pub fn finish(&mut self) {
        while !self.held.is_empty() {
            self.skip_gap();
            self.release_run();
        }
    }

    /// The next pair or gap, in order.
    pub fn pop(&mut self) -> Option<Released<T>> {
        self.out.pop_front()
    }

    /// The number expected next.
    pub fn next_expected(&self) -> u64 {
        self.next
    }

    /// How many pairs are held.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// The counts so far.
    pub fn stats(&self) -> OrderStats {
        self.stats
    }

    /// Releases the held pairs that follow on from `next`.
    fn release_run(&mut self) {
        while let Some(item) = self.held.remove(&self.next) {
            self.out.push_back(Released::Item(self.next, item));
            self.stats.delivered += 1;
            self.next = self.next.wrapping_add(1);
        }
    }

    /// Gives up on the numbers before the lowest held.
    fn skip_gap(&mut self) {
        if let Some((&lowest, _)) = self.held.first_key_value() {
            if lowest > self.next {
                let gap = Gap {
                    first: self.next,
                    last: lowest - 1,
                };
                self.stats.lost = self.stats.lost.saturating_add(gap.len());
                self.out.push_back(Released::Gap(gap));
                self.next = lowest;
            }
        }
    }
}

/// Puts `(seq, data)` pairs back in order. See the [module docs](self).
#[derive(Boxes)]
pub struct RecoverOrder<T: Send + 'static> {
    /// Pairs, in any order.
    pub inbox: Inbox<(u64, T)>,
    /// `ProducerFinished` (send what is held in order, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The pairs in increasing sequence order, without duplicates.
    pub outbox: Outbox<(u64, T)>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    /// Each run of numbers given up on, in order.
    pub gaps: Outbox<Gap>,
    /// One summary (sent, duplicates, lost) when it ends.
    pub stats: Outbox<OrderStats>,
    window: usize,
    first: u64,
}

impl<T: Send + 'static> RecoverOrder<T> {
    /// Expects 0 first; holds up to 30 pairs.
    pub fn new() -> Self {
        RecoverOrder {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            gaps: Outbox::new(),
            stats: Outbox::new(),
            window: DEFAULT_WINDOW,
            first: 0,
        }
    }

    /// Holds up to `n` early pairs before giving up on missing ones (0: never waits).
    pub fn window(mut self, n: usize) -> Self {
        self.window = n;
        self
    }

    /// Expects `first` as the first number.
    pub fn starting_at(mut self, first: u64) -> Self {
        self.first = first;
        self
    }
}

impl<T: Send + 'static> Default for RecoverOrder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> std::fmt::Debug for RecoverOrder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoverOrder")
            .field("window", &self.window)
            .field("first", &self.first)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> RecoverOrder<T> {
    /// Sends what the buffer released, watching `control` while it waits for room (a
    /// `ProducerFinished` then only sets `finishing`): `Ok(false)` if the component `outbox`
    /// leads to has ended, `Err(Stopped)` for a stop that came first.
    async fn deliver(
        &mut self,
        buffer: &mut ReorderBuffer<T>,
        items: &mut Vec<(u64, T)>,
        gaps: &mut Vec<Gap>,
        finishing: &mut bool,
    ) -> Result<bool, Stopped> {
        while let Some(r) = buffer.pop() {
            match r {
                Released::Item(seq, item) => items.push((seq, item)),
                Released::Gap(gap) => gaps.push(gap),
            }
        }
        if !gaps.is_empty() {
            // Nobody listening on `gaps` is not a failure.
            watching_if_it_waits(&mut self.control, finishing, self.gaps.send_all(gaps))
                .await?
                .ok();
            gaps.clear();
        }
        if items.is_empty() {
            return Ok(true);
        }
        let sent = self.outbox.send_all(items);
        Ok(watching_if_it_waits(&mut self.control, finishing, sent)
            .await?
            .is_ok())
    }
}

impl<T: Send + 'static> Component for RecoverOrder<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut buffer = ReorderBuffer::new(self.first, self.window);
        let (mut buf, mut items, mut gaps) = (Vec::with_capacity(BATCH), Vec::new(), Vec::new());
        let mut finishing = false;
        let mut ending = loop {
            // After ProducerFinished: take what is queued; once nothing is (`last`), send what
            // is held and pass it on.
            let next = next_or_drain(
                &mut self.control,
                &mut self.inbox,
                &mut buf,
                BATCH,
                &mut finishing,
            );
            let last = match next.await {
                Next::Batch => false,
                Next::Drained => true,
                Next::Stop(c) => break c,
            };
            for (seq, item) in buf.drain(..) {
                buffer.push(seq, item);
            }
            if last {
                buffer.finish();
            }
            let sent = self.deliver(&mut buffer, &mut items, &mut gaps, &mut finishing);
            match sent.await {
                Ok(true) if last => break Control::ProducerFinished,
                Ok(true) => {}
                Ok(false) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
                Err(Stopped(c)) => break c,
            }
        };
        let stats = self.stats.send(buffer.stats());
        if let Err(Stopped(c)) =
            watching_if_it_waits(&mut self.control, &mut finishing, stats).await
        {
            // Stopped while the stats waited for room: they are dropped, and a stop request
            // outranks the ProducerFinished of a finished stream.
            if ending.is_producer_finished() {
                ending = c;
            }
        }
        pass_on(&mut self.signal, ending).await;
        Ok(())
    }
}

crate::impl_stage!([T: Send + 'static] RecoverOrder<T>, (u64, T) => (u64, T));

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "RecoverOrder",
        "Kamaelia.Protocol.RecoverOrder.RecoverOrder",
        Family::Protocol,
        "Puts (sequence number, data) pairs arriving out of order back in order, holding at most a window of them; drops and counts duplicates; gives up on numbers missing for longer than the window and reports them on gaps.",
        axon::box_infos(&RecoverOrder::<Msg>::new()),
    )
    .parameter("window", "usize", "the most pairs held before giving up on missing numbers (default 30)")
    .parameter("starting_at", "u64", "the first sequence number expected (default 0)")
});
