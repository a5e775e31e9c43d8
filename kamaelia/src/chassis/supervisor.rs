//! Supervisor: keeps worker children running, restarting those that fail, in the manner of an
//! Erlang/OTP supervisor (Kamaelia: none — Kamaelia had no supervision; this chassis is new in
//! Kamaelia for Rust).
//!
//! Children are given as **factories**: closures that make a fresh component each time one is
//! (re)started, so a restarted child never inherits the state that made it fail.
//!
//! ```text
//! Supervisor::new(Strategy::OneForOne)
//!     .child("fetcher", || Fetcher::new(url.clone()))
//!     .child("parser", Parser::default)
//! ```
//!
//! **Wiring.** The children are independent workers of one shape: each is a [`Stage`] taking `I`
//! and sending `O`. The supervisor reads its own `inbox` and hands each message to one running
//! child, round robin; every child's `outbox` leaves through the supervisor's `outbox`. Children
//! are not linked to each other: a link into a child that is being restarted would make its
//! sender fail, which would spread one failure through the graph. To supervise a chain of
//! stages, make the chain one child (`.child("chain", || Pipeline::new(a()).then(b()))`): a
//! pipeline fails when any stage fails, so the whole chain is restarted.
//!
//! **No input lost to a restart.** Because the supervisor itself delivers the input, a message
//! it could not hand over (the child ended first) is kept and given to the next running child.
//! What a child had been handed but not read when it ended is taken back
//! ([`InboxRef::keep_unread`](axon::InboxRef::keep_unread)): if the child is restarted — because
//! it failed, or because a sibling's failure stopped it under `OneForAll` or `RestForOne` — its
//! next incarnation is handed those messages first, in their order, before anything the
//! supervisor still holds or receives later. What a child had already read — the message it
//! was working on when it failed, say — is *not* handed over again: it may be what made the
//! child fail, and giving it back could make every incarnation fail the same way until the
//! restart intensity runs out. (If a child is itself a chassis that forwards its inbox to a
//! child of its own, a [`Pipeline`](crate::chassis::pipeline::Pipeline) say, what that inner
//! child leaves unread is lost with it.) For a child that ends for good, see
//! [Restarts](#restarts).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::supervisor::{Strategy, Supervisor};
//! # use axon::{next_event, Boxes, Component, Context, Error, Event};
//! # /// Sends 100 / n; fails on 0.
//! # #[derive(Boxes, Default)]
//! # struct Reciprocal { /// in
//! #   inbox: Inbox<u32>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<u32>, /// sig
//! #   signal: Outbox<Control> }
//! # impl Component for Reciprocal {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     loop { match next_event(&mut self.control, &mut self.inbox).await {
//! #       Event::Message(0) => return Err(Error::msg("division by zero")),
//! #       Event::Message(n) => self.outbox.send(100 / n).await?,
//! #       Event::Control(c) => { while let Ok(n) = self.inbox.try_recv() {
//! #           self.outbox.send(100 / n.max(1)).await?; }
//! #         self.signal.send(c).await?; return Ok(()) } } } } }
//! # kamaelia::impl_stage!([] Reciprocal, u32 => u32);
//!
//! let mut system = System::deterministic();
//! let supervisor = Supervisor::new(Strategy::OneForOne).child("reciprocal", Reciprocal::default);
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &supervisor.inbox).unwrap();
//! axon::link(&stop, &supervisor.control).unwrap();
//! axon::link(&supervisor.outbox, &output).unwrap();
//! system.spawn(supervisor);
//! input.try_send(4).unwrap();
//! input.try_send(0).unwrap(); // the child fails; the supervisor starts a fresh one
//! system.run_until_idle();
//! input.try_send(5).unwrap(); // handled by the second incarnation
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(25));
//! assert_eq!(output.try_recv(), Ok(20));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | work, handed to the running children one message each, round robin |
//! | `control` | [`Control`] | `ProducerFinished` (drain into the children, then stop them) or `Shutdown` (stop now) |
//! | `outbox` | `O` | everything the children send on their `outbox`, merged |
//! | `signal` | [`Control`] | `ProducerFinished` or `Shutdown` once it has ended cleanly (nothing if it escalates) |
//!
//! # Parameters
//!
//! * [`Strategy`], given to [`Supervisor::new`]: which children a failure restarts —
//!   [`OneForOne`](Strategy::OneForOne) (the failed one), [`OneForAll`](Strategy::OneForAll)
//!   (all of them), [`RestForOne`](Strategy::RestForOne) (the failed one and those declared after
//!   it, which are taken to depend on it).
//! * the children, in order: [`Supervisor::child`] (`name`, factory) restarts a child when it
//!   fails or panics ([`Restart::Transient`]); [`Supervisor::child_with`] takes a [`Restart`]
//!   policy: [`Permanent`](Restart::Permanent) (also restarted after finishing normally),
//!   [`Transient`](Restart::Transient), [`Temporary`](Restart::Temporary) (never restarted).
//!   Names must be distinct; they name the child in errors and in the live model.
//! * [`Supervisor::intensity`]`(max_restarts, within)`: at most this many restarts in any window
//!   of this length (default 3 in 5 s); one more failure and the supervisor gives up
//!   (escalation, below).
//! * [`Supervisor::backoff`]: how long to wait before a restart ([`Backoff::None`] by default;
//!   [`Backoff::Fixed`]; [`Backoff::exponential`] doubling per recent restart of the same child,
//!   up to a cap).
//! * [`Supervisor::shutdown_timeout`]: how long a child asked to stop may take (default 5 s).
//! * [`Supervisor::child_capacity`]: the capacity of each child's inbox, i.e. at most how many
//!   messages a child is handed ahead of the one it is working on — input it holds back from
//!   its siblings, and what its next incarnation is handed first if it is restarted (default:
//!   the child's own capacity).
//!
//! Times are tokio time, so in a [`System::deterministic`](axon::System::deterministic) they are
//! virtual: a test of a five-second backoff runs at once and measures exactly five seconds.
//!
//! # Restarts
//!
//! * **Which exits restart.** A child that fails ([`Exit::Failed`]) or panics
//!   ([`Exit::Panicked`]) is restarted unless it is `Temporary`. One that finishes normally is
//!   restarted only if it is `Permanent` (and not after it was passed `ProducerFinished`). A
//!   child stopped from outside ([`Exit::Cancelled`]: the system is shutting down) is never
//!   restarted. Ends that do not restart the child do not touch its siblings either.
//! * **Strategies.** With `OneForAll` and `RestForOne` the affected siblings that are running are
//!   sent [`Control::Shutdown`], and nothing is restarted until every one of them has ended.
//!   Then the affected children start again in their declared order; a child that had ended for
//!   good (it finished, or was temporary) is not started again by a sibling's failure (OTP
//!   would restart a finished transient child here; in Kamaelia finished work stays finished).
//! * **No overlap.** A restart is triggered by the old incarnation's exit, so the new one never
//!   runs alongside it; siblings stopped for a group restart are waited for as above. A child
//!   that does not end within [`shutdown_timeout`](Supervisor::shutdown_timeout) of being sent
//!   `Shutdown` cannot be killed (axon has no kill): the supervisor sends `Shutdown` to the
//!   others and fails with an error naming it, leaving it running rather than start a second
//!   copy next to it.
//! * **Intensity and escalation.** Every restart (one per failure, however many siblings it
//!   restarts) is counted; if a failure would make more than `max_restarts` restarts within the
//!   window, the supervisor stops all its children (`Shutdown`, then waits), and ends with an
//!   error naming the child and the count, which its own parent sees as [`Exit::Failed`] — and
//!   may itself be a supervisor.
//! * **Backoff.** The n-th restart of the same child within the intensity window waits
//!   `Backoff::delay(n)` (n from 0) after the failure; a child that stays up for a whole window
//!   starts again from the first delay. Input waits meanwhile (in the supervisor's inbox, so
//!   its senders feel the backpressure) unless another child is running; what the child left
//!   unread waits for its next incarnation.
//! * **Unread input of a child that is not restarted.** A child that ends for good while the
//!   supervisor is still working (a temporary child, or a transient one that finished
//!   normally) leaves what it had not read to the children that still take input: it is
//!   handed to them round robin, ahead of anything that arrived after it. The supervisor
//!   accepted that input and no child has looked at it, so it is still work to be done; the
//!   child is not restarted for it. It is discarded instead — like the input queued in the
//!   supervisor itself — when no child will take input any more (all have ended for good, or
//!   been passed `ProducerFinished`), when the child was cancelled, and when the supervisor is
//!   shutting down or giving up (escalation), which also drops what was kept for a child
//!   waiting to restart. Messages left in an ended child's inbox count among that inbox's
//!   discarded messages, as axon counts anything an inbox's owner leaves unread.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it hands every message already queued to the children (still
//! restarting any that fail), then passes `ProducerFinished` to each child (and to any
//! incarnation started after that), waits until all have ended, sends `ProducerFinished` on
//! `signal` and ends. On `Shutdown` it discards the queued input (and what its children leave
//! unread), restarts nothing more, sends `Shutdown` to every child, waits for them (up to the
//! shutdown timeout), sends `Shutdown` on `signal` and ends. When every child has ended for
//! good by itself (all finished normally, say) it sends `ProducerFinished` on `signal` and
//! ends; input still queued then has no one to take it and is dropped. The children's own `signal`s are not passed on: the supervisor
//! speaks for them once. It keeps no partial state besides the input it may be holding for the
//! next running child (normally one message; more after a child that ended for good left some
//! unread) and, for a child waiting to restart, what its last incarnation left unread; both are
//! delivered on `ProducerFinished` (or dropped, on `Shutdown`).

use std::collections::VecDeque;
use std::future::poll_fn;
use std::time::Duration;

use axon::{
    Boxes, ChildExit, Component, ComponentId, Context, Control, Error, Exit, Inbox, InboxRef,
    LinkError, Outbox, SendError,
};
use tokio::time::Instant;

use crate::Stage;

/// Which children a failure restarts (OTP's restart strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Only the child that failed.
    OneForOne,
    /// Every child: the others are stopped, then all start again in order.
    OneForAll,
    /// The child that failed and every child declared after it (which depend on it); those
    /// after it are stopped, then all of them start again in order.
    RestForOne,
}

/// When a child is restarted (OTP's restart types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Restart {
    /// Always, even after it finished normally (unless it was passed `ProducerFinished`).
    Permanent,
    /// When it fails or panics, not when it finishes normally. The default.
    #[default]
    Transient,
    /// Never; its failure does not affect its siblings either.
    Temporary,
}

/// How long to wait before restarting a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backoff {
    /// Restart at once. The default.
    #[default]
    None,
    /// Always wait this long.
    Fixed(Duration),
    /// Wait `initial`, then twice as long for each earlier restart of the same child within
    /// the intensity window, never more than `max`.
    Exponential {
        /// The first delay.
        initial: Duration,
        /// The cap.
        max: Duration,
    },
}

impl Backoff {
    /// Exponential backoff from `initial`, doubling, capped at `max`.
    pub fn exponential(initial: Duration, max: Duration) -> Self {
        Backoff::Exponential { initial, max }
    }

    /// The delay before a restart of a child that was already restarted `n` times within the
    /// intensity window.
    ///
    /// ```
    /// use kamaelia::chassis::supervisor::Backoff;
    /// use std::time::Duration;
    /// let b = Backoff::exponential(Duration::from_millis(100), Duration::from_millis(500));
    /// let delays: Vec<_> = (0..5).map(|n| b.delay(n).as_millis()).collect();
    /// assert_eq!(delays, [100, 200, 400, 500, 500]);
    /// ```
    pub fn delay(&self, n: u32) -> Duration {
        match *self {
            Backoff::None => Duration::ZERO,
            Backoff::Fixed(d) => d,
            Backoff::Exponential { initial, max } => {
                let factor = 1u32.checked_shl(n).unwrap_or(u32::MAX);
                initial.checked_mul(factor).map_or(max, |d| d.min(max))
            }
        }
    }
}

/// Makes, links and activates one incarnation of a child, with what the last incarnation left
/// unread put into its inbox first (taken from the queue; anything that could not be put there
/// is left in it).
type Start<I, O> = Box<
    dyn FnMut(
            &mut Context,
            &str,
            &Outbox<I>,
            &Outbox<O>,
            Option<usize>,
            &mut VecDeque<I>,
        ) -> Result<Started<I>, LinkError>
        + Send,
>;

/// The handles the supervisor keeps on a running incarnation.
struct Started<I> {
    id: ComponentId,
    control: InboxRef<Control>,
    /// Its inbox, kept so that what it leaves unread when it ends can be taken back.
    input: InboxRef<I>,
}

/// One declared child.
struct ChildSpec<I, O> {
    name: String,
    restart: Restart,
    start: Start<I, O>,
}

/// Keeps worker children running, restarting those that fail. See the [module docs](self).
#[derive(Boxes)]
pub struct Supervisor<I: Send + 'static, O: Send + 'static> {
    /// Work, handed to the running children one message each, round robin.
    pub inbox: Inbox<I>,
    /// `ProducerFinished` (drain into the children, then stop them) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Everything the children send on their outboxes, merged.
    pub outbox: Outbox<O>,
    /// `ProducerFinished` or `Shutdown` once the supervisor has ended cleanly.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    strategy: Strategy,
    #[boxes(skip)]
    children: Vec<ChildSpec<I, O>>,
    #[boxes(skip)]
    max_restarts: u32,
    #[boxes(skip)]
    window: Duration,
    #[boxes(skip)]
    backoff: Backoff,
    #[boxes(skip)]
    shutdown_timeout: Duration,
    #[boxes(skip)]
    child_capacity: Option<usize>,
}

impl<I: Send + 'static, O: Send + 'static> std::fmt::Debug for Supervisor<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.children.iter().map(|c| c.name.as_str()).collect();
        f.debug_struct("Supervisor")
            .field("strategy", &self.strategy)
            .field("children", &names)
            .field("max_restarts", &self.max_restarts)
            .field("window", &self.window)
            .field("backoff", &self.backoff)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("child_capacity", &self.child_capacity)
            .finish_non_exhaustive()
    }
}

impl<I: Send + 'static, O: Send + 'static> Supervisor<I, O> {
    /// A supervisor with no children yet, restarting by `strategy`, allowing 3 restarts in 5
    /// seconds, with no backoff and a 5-second shutdown timeout.
    pub fn new(strategy: Strategy) -> Self {
        Supervisor {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            strategy,
            children: Vec::new(),
            max_restarts: 3,
            window: Duration::from_secs(5),
            backoff: Backoff::None,
            shutdown_timeout: Duration::from_secs(5),
            child_capacity: None,
        }
    }

    /// Adds a [`Restart::Transient`] child: `factory` is called for every (re)start.
    pub fn child<S, F>(self, name: impl Into<String>, factory: F) -> Self
    where
        S: Stage<In = I, Out = O>,
        F: FnMut() -> S + Send + 'static,
    {
        self.child_with(name, Restart::Transient, factory)
    }

    /// Adds a child with the given restart policy: `factory` is called for every (re)start.
    pub fn child_with<S, F>(
        mut self,
        name: impl Into<String>,
        restart: Restart,
        mut factory: F,
    ) -> Self
    where
        S: Stage<In = I, Out = O>,
        F: FnMut() -> S + Send + 'static,
    {
        let start: Start<I, O> = Box::new(
            move |ctx: &mut Context,
                  name: &str,
                  feed: &Outbox<I>,
                  out: &Outbox<O>,
                  capacity: Option<usize>,
                  unread: &mut VecDeque<I>| {
                let child = ctx.adopt_named(name, factory());
                if let Some(c) = capacity {
                    child.inbox().set_capacity(Some(c));
                }
                let input = child.inbox().handle();
                input.keep_unread();
                // Before the link: nothing the supervisor sends can overtake these.
                hand_ahead(child.inbox(), unread);
                ctx.link(feed, child.inbox())?;
                ctx.forward_outbox(child.outbox(), out)?;
                let control = child.control().handle();
                Ok(Started {
                    id: ctx.activate(child),
                    control,
                    input,
                })
            },
        );
        self.children.push(ChildSpec {
            name: name.into(),
            restart,
            start,
        });
        self
    }

    /// Allows at most `max_restarts` restarts within any `within`; one more failure makes the
    /// supervisor stop its children and fail (escalate). `max_restarts = 0` escalates the first
    /// failure.
    pub fn intensity(mut self, max_restarts: u32, within: Duration) -> Self {
        self.max_restarts = max_restarts;
        self.window = within;
        self
    }

    /// Waits before each restart (see [`Backoff`]).
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// How long a child sent `Shutdown` may take to end before the supervisor gives up on it.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Sets every child's inbox capacity to `capacity` (at least 1): the supervisor then hands a
    /// child at most that many messages ahead of the one it is working on. Those are not lost if
    /// the child fails: its next incarnation is handed them first (see the
    /// [module docs](self)). So the capacity bounds how much input one child holds back
    /// from its siblings — while it is slow, or waiting to be restarted — and how soon
    /// backpressure reaches the supervisor's senders; a small capacity spreads input more
    /// evenly.
    pub fn child_capacity(mut self, capacity: usize) -> Self {
        self.child_capacity = Some(capacity.max(1));
        self
    }
}

/// Where a child is in its life.
enum State<I> {
    /// Waiting to be (re)started, not before `at`.
    Pending { at: Instant },
    /// Running.
    Running {
        id: ComponentId,
        control: InboxRef<Control>,
        /// Its inbox, to take back what it leaves unread.
        input: InboxRef<I>,
        /// `ProducerFinished` was passed to this incarnation.
        finishing: bool,
        /// A send to it found its inbox closed: it is ending; send it nothing more.
        closed: bool,
    },
    /// Sent `Shutdown`; once it has ended, restart it at `restart_at` (or not at all).
    Stopping {
        id: ComponentId,
        /// Its inbox, to take back what it leaves unread if it is restarted.
        input: InboxRef<I>,
        restart_at: Option<Instant>,
    },
    /// Ended for good.
    Done,
}

impl<I> State<I> {
    fn id(&self) -> Option<ComponentId> {
        match self {
            State::Running { id, .. } | State::Stopping { id, .. } => Some(*id),
            _ => None,
        }
    }
}

/// One child at run time.
struct Slot<I, O> {
    spec: ChildSpec<I, O>,
    /// The supervisor's outbox linked to the current incarnation's inbox.
    feed: Outbox<I>,
    state: State<I>,
    /// What the last incarnation left unread, in order, for the next one (which is handed it
    /// before anything else).
    unread: VecDeque<I>,
    /// When this child was restarted recently (within the intensity window), for backoff.
    restarts: VecDeque<Instant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    /// Working.
    Normal,
    /// `ProducerFinished` arrived: deliver what is queued, then finish the children.
    Draining,
    /// `Shutdown` arrived: stop the children and end.
    ShuttingDown,
    /// Giving up: stop the children and fail with this message.
    Escalating(String),
}

/// Drops the times older than `window` before `now`.
fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

/// Sends `Shutdown` to every running child and cancels every pending restart, dropping the
/// input kept for those waiting to restart: the supervisor is giving up or shutting down.
fn stop_all<I, O>(slots: &mut [Slot<I, O>]) {
    for s in slots {
        s.state = match std::mem::replace(&mut s.state, State::Done) {
            State::Running {
                id, control, input, ..
            } => {
                control.try_send(Control::Shutdown).ok();
                State::Stopping {
                    id,
                    input,
                    restart_at: None,
                }
            }
            State::Stopping { id, input, .. } => State::Stopping {
                id,
                input,
                restart_at: None,
            },
            State::Pending { .. } | State::Done => State::Done,
        };
        s.unread.clear();
    }
}

/// Puts `unread` (what the previous incarnation left unread) into a new incarnation's inbox, in
/// order, before anything else reaches it. They go in even beyond the inbox's capacity, which
/// is restored afterwards: they were already accepted once, and a factory may make a smaller
/// inbox than the last incarnation had. Whatever cannot be put in is left in `unread`.
fn hand_ahead<I: Send + 'static>(inbox: &Inbox<I>, unread: &mut VecDeque<I>) {
    if unread.is_empty() {
        return;
    }
    let capacity = inbox.capacity();
    inbox.set_capacity(None);
    let handle = inbox.handle();
    while let Some(m) = unread.pop_front() {
        if let Err(e) = handle.try_send(m) {
            unread.push_front(e.into_inner());
            break;
        }
    }
    inbox.set_capacity(capacity);
}

/// True if some child will still take input from the supervisor: one running that has not been
/// passed `ProducerFinished`, or one that will be restarted (unless all the input has been
/// handed over, so that it will be passed `ProducerFinished` as soon as it starts).
fn someone_takes_input<I, O>(slots: &[Slot<I, O>], input_done: bool) -> bool {
    slots.iter().any(|s| match s.state {
        State::Running { finishing, .. } => !finishing,
        State::Pending { .. } => !input_done,
        State::Stopping { restart_at, .. } => restart_at.is_some() && !input_done,
        State::Done => false,
    })
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl<I: Send + 'static, O: Send + 'static> Component for Supervisor<I, O> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let Supervisor {
            mut inbox,
            mut control,
            outbox,
            mut signal,
            strategy,
            children,
            max_restarts,
            window,
            backoff,
            shutdown_timeout,
            child_capacity,
        } = self;
        if children.is_empty() {
            return Err(Error::msg(
                "the supervisor has no children: add them with .child(name, factory)",
            ));
        }
        for (i, c) in children.iter().enumerate() {
            if children[..i].iter().any(|d| d.name == c.name) {
                return Err(Error::msg(format!(
                    "the supervisor has two children named {:?}: names must be distinct",
                    c.name
                )));
            }
        }
        let start_time = Instant::now();
        let mut slots: Vec<Slot<I, O>> = children
            .into_iter()
            .map(|spec| Slot {
                spec,
                feed: Outbox::new(),
                state: State::Pending { at: start_time },
                unread: VecDeque::new(),
                restarts: VecDeque::new(),
            })
            .collect();
        let mut mode = Mode::Normal;
        // Restarts within the intensity window, all children together.
        let mut restarts: VecDeque<Instant> = VecDeque::new();
        // The next messages to hand to the children round robin, in order, before anything
        // more is taken from `inbox`: normally at most one, taken from it; more when a child
        // that ended for good left input unread.
        let mut held: VecDeque<I> = VecDeque::new();
        // Draining: everything queued has been handed over.
        let mut input_done = false;
        // Where the round robin resumes.
        let mut cursor = 0usize;
        let mut stop_deadline: Option<Instant> = None;

        loop {
            let now = Instant::now();
            let working = matches!(mode, Mode::Normal | Mode::Draining);
            let stopping = slots
                .iter()
                .any(|s| matches!(s.state, State::Stopping { .. }));

            // Start the children that are due, in declared order; with a group strategy a child
            // never starts before an earlier one that also waits, and nothing starts while a
            // sibling is still being stopped.
            if working && !stopping {
                for k in 0..slots.len() {
                    let at = match slots[k].state {
                        State::Pending { at } => at,
                        _ => continue,
                    };
                    if at > now {
                        if strategy == Strategy::OneForOne {
                            continue;
                        }
                        break;
                    }
                    let slot = &mut slots[k];
                    match (slot.spec.start)(
                        &mut ctx,
                        &slot.spec.name,
                        &slot.feed,
                        &outbox,
                        child_capacity,
                        &mut slot.unread,
                    ) {
                        Ok(Started { id, control, input }) => {
                            slot.state = State::Running {
                                id,
                                control,
                                input,
                                finishing: false,
                                closed: false,
                            };
                            // A fresh inbox takes them all; should one ever refuse some, they go
                            // to whichever child is next rather than be lost.
                            while let Some(m) = slot.unread.pop_back() {
                                held.push_front(m);
                            }
                        }
                        Err(e) => {
                            slot.state = State::Done;
                            mode = Mode::Escalating(format!(
                                "could not start child {:?}: {e}",
                                slot.spec.name
                            ));
                            held.clear();
                            stop_all(&mut slots);
                            break;
                        }
                    }
                }
            }

            // Draining: take the next queued message; once none is left, pass the
            // `ProducerFinished` on to every running child.
            if mode == Mode::Draining && held.is_empty() && !input_done {
                match inbox.try_recv() {
                    Ok(m) => held.push_back(m),
                    Err(_) => input_done = true,
                }
            }
            if mode == Mode::Draining && input_done {
                for s in &mut slots {
                    if let State::Running {
                        control, finishing, ..
                    } = &mut s.state
                    {
                        if !*finishing {
                            control.try_send(Control::ProducerFinished).ok();
                            *finishing = true;
                        }
                    }
                }
            }

            // A child that does not stop cannot be killed: give up on it rather than wait
            // forever or start a second copy beside it.
            let stopping: Vec<&str> = slots
                .iter()
                .filter(|s| matches!(s.state, State::Stopping { .. }))
                .map(|s| s.spec.name.as_str())
                .collect();
            if stopping.is_empty() {
                stop_deadline = None;
            } else {
                let deadline = *stop_deadline.get_or_insert(now + shutdown_timeout);
                if now >= deadline {
                    let names = stopping
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let msg = format!(
                        "child {names} did not stop within {shutdown_timeout:?} of being sent \
                         Shutdown; the supervisor gives up and leaves it running"
                    );
                    let msg = match &mode {
                        Mode::Escalating(why) => format!("{why}; then {msg}"),
                        _ => msg,
                    };
                    stop_all(&mut slots);
                    return Err(Error::msg(msg));
                }
            }

            // Every child has ended for good: so does the supervisor.
            if slots.iter().all(|s| matches!(s.state, State::Done)) {
                return match mode {
                    Mode::Escalating(msg) => Err(Error::msg(msg)),
                    Mode::ShuttingDown => {
                        signal.send(Control::Shutdown).await.ok();
                        Ok(())
                    }
                    Mode::Normal | Mode::Draining => {
                        signal.send(Control::ProducerFinished).await.ok();
                        Ok(())
                    }
                };
            }

            // When to look again without being woken: the next due restart, the stop deadline.
            let stopping = slots
                .iter()
                .any(|s| matches!(s.state, State::Stopping { .. }));
            let mut wake_at = stop_deadline;
            if working && !stopping {
                let pending = slots.iter().filter_map(|s| match s.state {
                    State::Pending { at } => Some(at),
                    _ => None,
                });
                let next = if strategy == Strategy::OneForOne {
                    pending.min()
                } else {
                    pending.take(1).next()
                };
                wake_at = match (wake_at, next) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }

            // The running child the held message goes to, round robin.
            let target = if !held.is_empty() && working {
                (0..slots.len())
                    .map(|i| (cursor + i) % slots.len())
                    .find(|&k| {
                        matches!(
                            slots[k].state,
                            State::Running {
                                closed: false,
                                finishing: false,
                                ..
                            }
                        )
                    })
            } else {
                None
            };
            let accepting = mode == Mode::Normal && held.is_empty();
            let feed = &mut slots[target.unwrap_or(0)].feed;

            tokio::select! {
                biased;
                Some(c) = control.recv() => {
                    match (&mode, c) {
                        (Mode::Escalating(_) | Mode::ShuttingDown, _) => {}
                        (Mode::Normal | Mode::Draining, Control::ProducerFinished) => {
                            mode = Mode::Draining;
                        }
                        _ => {
                            mode = Mode::ShuttingDown;
                            held.clear();
                            stop_all(&mut slots);
                        }
                    }
                }
                Some(exit) = ctx.next_child_exit() => {
                    ctx.remove_child(exit.id);
                    let ended = on_exit(
                        exit,
                        &mut slots,
                        &mut mode,
                        &mut held,
                        &mut restarts,
                        Policy { strategy, max_restarts, window, backoff },
                    );
                    // A child that ended for good while the others work: what it left unread
                    // goes to them, ahead of what is held (which arrived later). With no one
                    // left to take it, it stays in the closed inbox, counted as discarded.
                    if let Some(input) = ended {
                        if someone_takes_input(&slots, input_done) {
                            for m in input.take_unread().into_iter().rev() {
                                held.push_front(m);
                            }
                        }
                    }
                }
                () = sleep_until(wake_at) => {}
                sent = poll_fn(|cx| {
                    let mut next = held.pop_front();
                    let sent = feed.poll_send(cx, &mut next);
                    if let Some(m) = next {
                        held.push_front(m);
                    }
                    sent
                }), if target.is_some() => {
                    let k = target.unwrap_or(0);
                    match sent {
                        Ok(()) => cursor = (k + 1) % slots.len(),
                        Err(SendError::Closed(m)) => {
                            held.push_front(m);
                            if let State::Running { closed, .. } = &mut slots[k].state {
                                *closed = true;
                            }
                        }
                    }
                }
                Some(m) = inbox.recv(), if accepting => held.push_back(m),
            }
        }
    }
}

/// The settings a child's exit is judged by.
#[derive(Clone, Copy)]
struct Policy {
    strategy: Strategy,
    max_restarts: u32,
    window: Duration,
    backoff: Backoff,
}

/// Deals with a child's end: marks it stopped, schedules restarts (its own and, by strategy,
/// its siblings'), or escalates. A child that will be restarted has what it left unread taken
/// back for its next incarnation. Returns the inbox of a child that has ended for good while
/// the supervisor is still working, so that the caller can hand what it left unread to the
/// others; otherwise (the supervisor is shutting down or giving up, or the child was cancelled)
/// that input is left in the closed inbox, counted as discarded.
fn on_exit<I: Send + 'static, O>(
    exit: ChildExit,
    slots: &mut [Slot<I, O>],
    mode: &mut Mode,
    held: &mut VecDeque<I>,
    restarts: &mut VecDeque<Instant>,
    policy: Policy,
) -> Option<InboxRef<I>> {
    let k = slots.iter().position(|s| s.state.id() == Some(exit.id))?;
    let (finishing, input) = match &slots[k].state {
        State::Stopping {
            restart_at, input, ..
        } => {
            // Asked to stop: however it ended, it is not a new failure.
            slots[k].state = match restart_at {
                Some(at) => {
                    let at = *at;
                    let unread = input.take_unread();
                    slots[k].unread.extend(unread);
                    State::Pending { at }
                }
                None => State::Done,
            };
            return None;
        }
        State::Running {
            finishing, input, ..
        } => (*finishing, input.clone()),
        State::Pending { .. } | State::Done => return None,
    };
    let why = match &exit.exit {
        Exit::Finished => "finished".to_string(),
        Exit::Failed(e) => format!("failed: {e}"),
        Exit::Panicked(m) => format!("panicked: {m}"),
        Exit::Cancelled => {
            slots[k].state = State::Done;
            return None;
        }
    };
    let abnormal = !exit.exit.is_finished();
    let working = matches!(mode, Mode::Normal | Mode::Draining);
    let restart = working
        && match slots[k].spec.restart {
            Restart::Temporary => false,
            Restart::Transient => abnormal,
            Restart::Permanent => abnormal || !finishing,
        };
    if !restart {
        slots[k].state = State::Done;
        return working.then_some(input);
    }

    let now = Instant::now();
    prune(restarts, now, policy.window);
    if restarts.len() as u64 >= u64::from(policy.max_restarts) {
        slots[k].state = State::Done;
        *mode = Mode::Escalating(format!(
            "child {:?} {why}; restarting it would make {} restarts within {:?}, more than the \
             limit of {}, so the supervisor gives up",
            slots[k].spec.name,
            restarts.len() + 1,
            policy.window,
            policy.max_restarts
        ));
        held.clear();
        stop_all(slots);
        return None;
    }
    restarts.push_back(now);
    // The next incarnation is handed this first, in order (the message the child was working
    // on is not among it: it was read).
    slots[k].unread.extend(input.take_unread());

    let own = &mut slots[k].restarts;
    prune(own, now, policy.window);
    let n = u32::try_from(own.len()).unwrap_or(u32::MAX);
    own.push_back(now);
    let at = now + policy.backoff.delay(n);
    slots[k].state = State::Pending { at };

    let affected = match policy.strategy {
        Strategy::OneForOne => k..k + 1,
        Strategy::OneForAll => 0..slots.len(),
        Strategy::RestForOne => k..slots.len(),
    };
    // The group starts again together, in declared order, at the latest time any member of it
    // was already due to.
    let group_at = slots[affected.clone()]
        .iter()
        .filter_map(|s| match s.state {
            State::Pending { at } => Some(at),
            State::Stopping { restart_at, .. } => restart_at,
            _ => None,
        })
        .fold(at, Instant::max);
    for s in &mut slots[affected] {
        s.state = match std::mem::replace(&mut s.state, State::Done) {
            State::Running {
                id, control, input, ..
            } => {
                control.try_send(Control::Shutdown).ok();
                State::Stopping {
                    id,
                    input,
                    restart_at: Some(group_at),
                }
            }
            State::Stopping { id, input, .. } => State::Stopping {
                id,
                input,
                restart_at: Some(group_at),
            },
            State::Pending { .. } => State::Pending { at: group_at },
            State::Done => State::Done,
        };
    }
    None
}

crate::impl_stage!([I: Send + 'static, O: Send + 'static] Supervisor<I, O>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let s: Supervisor<Msg, Msg> = Supervisor::new(Strategy::OneForOne);
    Entry::new(
        "Supervisor",
        "(none: new in Kamaelia for Rust)",
        Family::Chassis,
        "Keeps worker children running, restarting those that fail (one-for-one, one-for-all or rest-for-one) within a restart intensity, with backoff, escalating to its parent when the limit is exceeded; input is handed to the children round robin, their outputs merged.",
        axon::box_infos(&s),
    )
    .parameter("strategy", "Strategy", "Supervisor::new(Strategy::OneForOne | OneForAll | RestForOne)")
    .parameter("children", "name, FnMut() -> Stage", ".child(name, factory) (transient) or .child_with(name, Restart::Permanent | Transient | Temporary, factory), in start order")
    .parameter("intensity", "u32, Duration", ".intensity(max_restarts, within): default 3 in 5 s; one more failure escalates")
    .parameter("backoff", "Backoff", ".backoff(Backoff::None | Fixed(d) | exponential(initial, max)): delay before a restart")
    .parameter("shutdown_timeout", "Duration", "how long a child sent Shutdown may take to end (default 5 s)")
    .parameter("child_capacity", "usize", "each child's inbox capacity: how many messages a child is handed ahead of the one it works on; what a failed child left unread goes first to its next incarnation")
});
