//! The fault-injection components, and [`SplitMix`], the seeded generator behind [`Reorder`].

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::boxes::{Inbox, Outbox};
use crate::component::Component;
use crate::context::Context;
use crate::control::{next_event, Control, Event};
use crate::error::Error;

/// What a relay component does with each message.
trait Rule<T>: Send {
    /// Decides what to pass on for `msg`, appending it to `out`.
    fn on_message(&mut self, msg: T, out: &mut Vec<T>);
    /// Called at the start and after each message's output was sent: fail or panic here.
    fn check(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// On `ProducerFinished`, after the last message: pass on what is still held.
    fn on_finish(&mut self, _out: &mut Vec<T>) {}
}

async fn send_out<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    out: &mut Vec<T>,
) -> Result<(), Error> {
    for m in out.drain(..) {
        outbox.send(m).await?;
    }
    Ok(())
}

/// The loop every relay component shares: the control convention around a [`Rule`].
async fn relay<T: Send + 'static, R: Rule<T>>(
    mut inbox: Inbox<T>,
    mut control: Inbox<Control>,
    mut outbox: Outbox<T>,
    mut signal: Outbox<Control>,
    mut rule: R,
) -> Result<(), Error> {
    let mut out = Vec::new();
    rule.check()?;
    loop {
        match next_event(&mut control, &mut inbox).await {
            Event::Message(m) => {
                rule.on_message(m, &mut out);
                send_out(&mut outbox, &mut out).await?;
                rule.check()?;
            }
            Event::Control(c) if c.is_producer_finished() => {
                while let Ok(m) = inbox.try_recv() {
                    rule.on_message(m, &mut out);
                    send_out(&mut outbox, &mut out).await?;
                    rule.check()?;
                }
                rule.on_finish(&mut out);
                send_out(&mut outbox, &mut out).await?;
                signal.send(c).await?;
                return Ok(());
            }
            Event::Control(c) => {
                signal.send(c).await?;
                return Ok(());
            }
        }
    }
}

/// Declares a fault-injection component's four boxes and its `Debug`.
macro_rules! relay_boxes {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(axon_macros::Boxes)]
        pub struct $name<T: Send + 'static> {
            /// Messages to pass on.
            pub inbox: Inbox<T>,
            /// `ProducerFinished` (pass on what is held, then stop) or `Shutdown` (stop now).
            pub control: Inbox<Control>,
            /// The messages passed on, with the fault applied.
            pub outbox: Outbox<T>,
            /// The control message that ended it.
            pub signal: Outbox<Control>,
            $($field: $ty,)*
        }

        impl<T: Send + 'static> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

fn boxes4<T: Send + 'static>() -> (Inbox<T>, Inbox<Control>, Outbox<T>, Outbox<Control>) {
    (Inbox::new(), Inbox::new(), Outbox::new(), Outbox::new())
}

relay_boxes! {
    /// Passes every message on `times` times (twice by default): a link that duplicates.
    Duplicate { times: usize }
}

impl<T: Clone + Send + 'static> Duplicate<T> {
    /// Passes every message on twice.
    pub fn new() -> Self {
        Self::times(2)
    }

    /// Passes every message on `times` times (0 passes nothing on).
    pub fn times(times: usize) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Duplicate {
            inbox,
            control,
            outbox,
            signal,
            times,
        }
    }
}

impl<T: Clone + Send + 'static> Default for Duplicate<T> {
    fn default() -> Self {
        Self::new()
    }
}

struct DuplicateRule(usize);

impl<T: Clone + Send> Rule<T> for DuplicateRule {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        if self.0 > 0 {
            out.extend(std::iter::repeat_n(msg, self.0));
        }
    }
}

impl<T: Clone + Send + 'static> Component for Duplicate<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        relay(
            self.inbox,
            self.control,
            self.outbox,
            self.signal,
            DuplicateRule(self.times),
        )
        .await
    }
}

/// A boxed predicate, printed as `<predicate>`.
struct Predicate<T>(Box<dyn FnMut(&T) -> bool + Send>);

impl<T> fmt::Debug for Predicate<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<predicate>")
    }
}

relay_boxes! {
    /// Loses messages: every `n`-th one ([`every`](Discard::every)), or those a predicate picks
    /// ([`when`](Discard::when)). (Named `Discard` rather than `Drop`, which would shadow the
    /// standard trait.)
    Discard { lose: Predicate<T> }
}

impl<T: Send + 'static> Discard<T> {
    /// Loses the `n`-th message, the `2n`-th and so on (counting from 1); `n` = 0 loses none.
    pub fn every(n: usize) -> Self {
        let mut seen = 0usize;
        Self::when(move |_| {
            seen += 1;
            n != 0 && seen % n == 0
        })
    }

    /// Loses the messages for which `lose` returns true.
    pub fn when(lose: impl FnMut(&T) -> bool + Send + 'static) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Discard {
            inbox,
            control,
            outbox,
            signal,
            lose: Predicate(Box::new(lose)),
        }
    }
}

struct DiscardRule<T>(Predicate<T>);

impl<T: Send> Rule<T> for DiscardRule<T> {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        if !(self.0 .0)(&msg) {
            out.push(msg);
        }
    }
}

impl<T: Send + 'static> Component for Discard<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        relay(
            self.inbox,
            self.control,
            self.outbox,
            self.signal,
            DiscardRule(self.lose),
        )
        .await
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same choices on every run.
/// [`Reorder`] uses it; fault injectors elsewhere (such as kamaelia's network simulation) use it
/// too, so a seed means the same thing everywhere.
///
/// ```
/// let (mut a, mut b) = (axon::testing::SplitMix::new(7), axon::testing::SplitMix::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` must not be 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

relay_boxes! {
    /// Reorders messages reproducibly: it holds up to `window` messages and, when one more
    /// arrives, passes on one of those held, chosen by a generator seeded with `seed` — the same
    /// seed and input give the same order on every run. On `ProducerFinished` it passes on the
    /// rest, in an order chosen the same way.
    Reorder { window: usize, seed: u64 }
}

impl<T: Send + 'static> Reorder<T> {
    /// Holds up to `window` messages (at least 1), choosing with the given seed.
    pub fn new(window: usize, seed: u64) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Reorder {
            inbox,
            control,
            outbox,
            signal,
            window: window.max(1),
            seed,
        }
    }
}

struct ReorderRule<T> {
    held: Vec<T>,
    window: usize,
    rng: SplitMix,
}

impl<T: Send> Rule<T> for ReorderRule<T> {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        self.held.push(msg);
        if self.held.len() > self.window {
            let i = self.rng.below(self.held.len());
            out.push(self.held.remove(i));
        }
    }

    fn on_finish(&mut self, out: &mut Vec<T>) {
        while !self.held.is_empty() {
            let i = self.rng.below(self.held.len());
            out.push(self.held.remove(i));
        }
    }
}

impl<T: Send + 'static> Component for Reorder<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let rule = ReorderRule {
            held: Vec::with_capacity(self.window + 1),
            window: self.window,
            rng: SplitMix(self.seed),
        };
        relay(self.inbox, self.control, self.outbox, self.signal, rule).await
    }
}

relay_boxes! {
    /// Passes the first `n` messages on, then fails with an error (at once if `n` is 0),
    /// without a `signal`: a component that breaks mid-stream.
    FailAt { n: usize }
}

impl<T: Send + 'static> FailAt<T> {
    /// Fails after passing on `n` messages.
    pub fn new(n: usize) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        FailAt {
            inbox,
            control,
            outbox,
            signal,
            n,
        }
    }
}

/// Counts messages passed on; `panic` chooses panicking over failing.
struct FaultRule {
    n: usize,
    seen: usize,
    panic: bool,
}

impl<T: Send> Rule<T> for FaultRule {
    fn on_message(&mut self, msg: T, out: &mut Vec<T>) {
        self.seen += 1;
        out.push(msg);
    }

    fn check(&mut self) -> Result<(), Error> {
        if self.seen < self.n {
            return Ok(());
        }
        let what = format!("injected fault after {} messages", self.n);
        if self.panic {
            panic!("PanicAt: {what}");
        }
        Err(Error::msg(format!("FailAt: {what}")))
    }
}

impl<T: Send + 'static> Component for FailAt<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let rule = FaultRule {
            n: self.n,
            seen: 0,
            panic: false,
        };
        relay(self.inbox, self.control, self.outbox, self.signal, rule).await
    }
}

relay_boxes! {
    /// Passes the first `n` messages on, then panics (at once if `n` is 0): the panic is caught
    /// and the component ends as panicked, like any component that panics.
    PanicAt { n: usize }
}

impl<T: Send + 'static> PanicAt<T> {
    /// Panics after passing on `n` messages.
    pub fn new(n: usize) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        PanicAt {
            inbox,
            control,
            outbox,
            signal,
            n,
        }
    }
}

impl<T: Send + 'static> Component for PanicAt<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let rule = FaultRule {
            n: self.n,
            seen: 0,
            panic: true,
        };
        relay(self.inbox, self.control, self.outbox, self.signal, rule).await
    }
}

relay_boxes! {
    /// Holds each message for `delay` (tokio time: virtual under the deterministic scheduler)
    /// before passing it on, in order. On `ProducerFinished` it takes what is queued, passes
    /// everything on when due, then stops; `Shutdown` discards what it holds.
    Delay { delay: Duration }
}

impl<T: Send + 'static> Delay<T> {
    /// Delays every message by `delay`.
    pub fn new(delay: Duration) -> Self {
        let (inbox, control, outbox, signal) = boxes4();
        Delay {
            inbox,
            control,
            outbox,
            signal,
            delay,
        }
    }
}

impl<T: Send + 'static> Component for Delay<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        use tokio::time::Instant;
        let mut held: VecDeque<(Instant, T)> = VecDeque::new();
        let mut finishing = false;
        loop {
            let due = held.front().map(|(at, _)| *at);
            if finishing && due.is_none() {
                self.signal.send(Control::ProducerFinished).await?;
                return Ok(());
            }
            tokio::select! {
                biased;
                c = self.control.recv() => match c {
                    Some(c) if c.is_producer_finished() => {
                        if !finishing {
                            finishing = true;
                            let at = Instant::now() + self.delay;
                            while let Ok(m) = self.inbox.try_recv() {
                                held.push_back((at, m));
                            }
                        }
                    }
                    stop => {
                        // `Shutdown` and `Failed` pass on unchanged; a closed `control` is a
                        // `Shutdown`.
                        self.signal.send(stop.unwrap_or(Control::Shutdown)).await?;
                        return Ok(());
                    }
                },
                () = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                    if let Some((_, m)) = held.pop_front() {
                        self.outbox.send(m).await?;
                    }
                }
                Some(m) = self.inbox.recv(), if !finishing => {
                    held.push_back((Instant::now() + self.delay, m));
                }
            }
        }
    }
}
