//! PlugSplitter: copies every message to a set of subscribers that join and leave while it runs
//! (Kamaelia: `Kamaelia.Util.Splitter.PlugSplitter`).
//!
//! A subscriber ("sink") is an inbox, and optionally a control inbox, added with a
//! [`SplitterConfig::Add`] message on the `configuration` inbox and removed with
//! [`SplitterConfig::Remove`]. The easy way to subscribe a component is to wrap it in a
//! [`Plug`](super::Plug), which adds it when it starts and removes it when it ends. Every message
//! arriving on `inbox` goes to `outbox` and to every sink present when the message is handled; a
//! sink sees only messages handled after it joined. Control messages go to every sink's control
//! inbox as well as to `signal`, so stopping the splitter stops its subscribers.
//!
//! # Slow subscribers
//!
//! What happens when a sink's inbox is full is a choice ([`SlowSink`]):
//!
//! * [`SlowSink::Wait`] (the default) — backpressure on all: the splitter waits until the slow
//!   sink has room, so no sink ever misses a message and the source is slowed to the pace of the
//!   slowest sink. While it waits it still handles `control` and `configuration` (removing the
//!   sink it waits for abandons that copy). This is the right choice inside a processing graph,
//!   where losing data is a bug; it is what Kamaelia's splitter did.
//! * [`SlowSink::Drop`] — that sink misses the message, the miss is counted
//!   ([`SplitterStats::dropped`]) and every other sink gets it as usual, so a stuck subscriber
//!   cannot hold up the rest. This is the policy of [`axon::backplane`]'s `Backplane` (built
//!   for publish/subscribe), for when the splitter feeds monitors or live views.
//!
//! Either way memory stays bounded by the sinks' capacities. A sink whose component has ended is
//! removed. The standard `outbox` always waits (it is an ordinary outbox; unlinked it holds up to
//! its hold capacity and then discards, as unlinked outboxes do).
//!
//! Kamaelia's optional wrapped source component is a [`Pipeline`](crate::chassis::Pipeline)
//! here: `Pipeline::new(source).then(splitter)`.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::{PlugSplitter, SinkId, SplitterConfig};
//!
//! let mut system = System::deterministic();
//! let splitter = PlugSplitter::new();
//! let stats = splitter.stats();
//! let (mut input, mut stop, mut config) = (Outbox::new(), Outbox::new(), Outbox::new());
//! axon::link(&input, &splitter.inbox).unwrap();
//! axon::link(&stop, &splitter.control).unwrap();
//! axon::link(&config, &splitter.configuration).unwrap();
//! system.spawn(splitter);
//! let (mut a, mut b) = (Inbox::new(), Inbox::new());
//! config.try_send(SplitterConfig::add(SinkId::new(), &a, None)).unwrap();
//! config.try_send(SplitterConfig::add(SinkId::new(), &b, None)).unwrap();
//! system.run_until_idle();
//! input.try_send("news").unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!((a.try_recv(), b.try_recv()), (Ok("news"), Ok("news")));
//! assert_eq!(stats.sinks(), 2);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to copy to every sink |
//! | `configuration` | [`SplitterConfig<T>`] | sinks joining and leaving |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown`; passed to every sink's control too |
//! | `outbox` | `T` | a copy of every message |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * [`PlugSplitter::when_full`]: the [`SlowSink`] policy (default [`SlowSink::Wait`]).
//! * [`PlugSplitter::stats`]: a handle on its figures (sinks, drops), readable while it runs.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it applies the configuration changes already queued, copies everything
//! already queued on `inbox` to `outbox` and every sink, then sends `ProducerFinished` to every
//! sink's control inbox and on `signal`, and ends. On `Shutdown` — also while it waits for a slow
//! sink — it ends at once, discarding what is queued, and sends `Shutdown` to every sink's control
//! inbox and on `signal`. It keeps no partial state.
//!
//! A sink's control inbox that is full is waited for, in the order the sinks joined, while
//! `control` is still watched: a `Shutdown` (or `Failed`) that arrives then ends the wait. It
//! goes, instead of the message that was waiting, to that sink and to each sink not told yet,
//! if their control inboxes have room (they are not waited for again), and on `signal`.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use axon::{AsInbox, Boxes, Component, Context, Control, Error, Inbox, InboxRef, Outbox};

use super::watch::{note, pass_on, send_watching, Stopped, BATCH};
use crate::support::watching_if_it_waits;

/// Names one sink of a [`PlugSplitter`]; unique within the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SinkId(u64);

impl SinkId {
    /// A new, unique id.
    pub fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        SinkId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl Default for SinkId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for SinkId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sink#{}", self.0)
    }
}

/// A change to the sinks of a [`PlugSplitter`] (Kamaelia's `addsink` / `removesink`).
pub enum SplitterConfig<T> {
    /// Adds a sink: copies of the data go to `inbox`, copies of control messages to `control`.
    /// Adding an id that is present already replaces that sink.
    Add {
        /// The sink's id, for removing it later.
        id: SinkId,
        /// Where copies of the data go.
        inbox: InboxRef<T>,
        /// Where copies of control messages go, if anywhere.
        control: Option<InboxRef<Control>>,
    },
    /// Removes a sink (no-op if there is no such sink).
    Remove(SinkId),
}

impl<T: Send + 'static> SplitterConfig<T> {
    /// An [`Add`](SplitterConfig::Add) for `inbox` and, optionally, `control`.
    pub fn add(id: SinkId, inbox: &impl AsInbox<T>, control: Option<InboxRef<Control>>) -> Self {
        SplitterConfig::Add {
            id,
            inbox: inbox.inbox_ref(),
            control,
        }
    }
}

impl<T> std::fmt::Debug for SplitterConfig<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SplitterConfig::Add { id, inbox, control } => f
                .debug_struct("Add")
                .field("id", id)
                .field("inbox", inbox)
                .field("control", control)
                .finish(),
            SplitterConfig::Remove(id) => f.debug_tuple("Remove").field(id).finish(),
        }
    }
}

/// What a [`PlugSplitter`] does when a sink's inbox is full. See "Slow subscribers" in the
/// [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlowSink {
    /// Wait until the sink has room (backpressure on all; nothing is lost).
    #[default]
    Wait,
    /// That sink misses the message; the miss is counted.
    Drop,
}

/// Figures a [`PlugSplitter`] keeps, readable while it runs.
#[derive(Debug, Clone, Default)]
pub struct SplitterStats(Arc<StatsInner>);

#[derive(Debug, Default)]
struct StatsInner {
    sinks: AtomicUsize,
    dropped: AtomicU64,
}

impl SplitterStats {
    /// Sinks currently attached.
    pub fn sinks(&self) -> usize {
        self.0.sinks.load(Ordering::Relaxed)
    }

    /// Copies not delivered because a sink was full ([`SlowSink::Drop`] only).
    pub fn dropped(&self) -> u64 {
        self.0.dropped.load(Ordering::Relaxed)
    }
}

/// Copies every message to subscribers that join and leave at run time. See the
/// [module docs](self).
#[derive(Boxes)]
pub struct PlugSplitter<T: Clone + Send + 'static> {
    /// Messages to copy to every sink.
    pub inbox: Inbox<T>,
    /// Sinks joining and leaving.
    pub configuration: Inbox<SplitterConfig<T>>,
    /// `ProducerFinished` (copy what is queued, then stop) or `Shutdown` (stop now); passed to
    /// every sink's control too.
    pub control: Inbox<Control>,
    /// A copy of every message.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    policy: SlowSink,
    stats: SplitterStats,
}

impl<T: Clone + Send + 'static> PlugSplitter<T> {
    /// A splitter with no sinks that waits for slow ones.
    pub fn new() -> Self {
        PlugSplitter {
            inbox: Inbox::new(),
            configuration: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            policy: SlowSink::Wait,
            stats: SplitterStats::default(),
        }
    }

    /// Sets what happens when a sink is full.
    pub fn when_full(mut self, policy: SlowSink) -> Self {
        self.policy = policy;
        self
    }

    /// A handle on its figures.
    pub fn stats(&self) -> SplitterStats {
        self.stats.clone()
    }
}

impl<T: Clone + Send + 'static> Default for PlugSplitter<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Send + 'static> std::fmt::Debug for PlugSplitter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlugSplitter")
            .field("policy", &self.policy)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

struct Sink<T> {
    id: SinkId,
    inbox: InboxRef<T>,
    control: Option<InboxRef<Control>>,
}

/// The sinks, in the order they joined.
struct Sinks<T> {
    list: Vec<Sink<T>>,
    stats: Arc<StatsInner>,
}

impl<T: Send + 'static> Sinks<T> {
    fn apply(&mut self, change: SplitterConfig<T>) {
        match change {
            SplitterConfig::Add { id, inbox, control } => {
                let sink = Sink { id, inbox, control };
                match self.list.iter_mut().find(|s| s.id == id) {
                    Some(old) => *old = sink,
                    None => self.list.push(sink),
                }
            }
            SplitterConfig::Remove(id) => self.remove(id),
        }
        self.count();
    }

    fn remove(&mut self, id: SinkId) {
        self.list.retain(|s| s.id != id);
        self.count();
    }

    fn get(&self, id: SinkId) -> Option<&Sink<T>> {
        self.list.iter().find(|s| s.id == id)
    }

    fn count(&self) {
        self.stats.sinks.store(self.list.len(), Ordering::Relaxed);
    }
}

/// The running splitter's state.
struct Running<T: Clone + Send + 'static> {
    inbox: Inbox<T>,
    configuration: Inbox<SplitterConfig<T>>,
    control: Inbox<Control>,
    outbox: Outbox<T>,
    sinks: Sinks<T>,
    policy: SlowSink,
    finishing: bool,
}

impl<T: Clone + Send + 'static> Running<T> {
    /// Returns the control message that ends the splitter.
    async fn serve(&mut self) -> Control {
        let mut buf = Vec::new();
        loop {
            if self.finishing {
                while let Ok(change) = self.configuration.try_recv() {
                    self.sinks.apply(change);
                }
                if self.inbox.recv_many(&mut buf, BATCH) == 0 {
                    return Control::ProducerFinished;
                }
            } else {
                tokio::select! {
                    biased;
                    c = self.control.recv() => {
                        if let Err(Stopped(c)) = note(c, &mut self.finishing) {
                            return c;
                        }
                        continue;
                    }
                    Some(change) = self.configuration.recv() => {
                        self.sinks.apply(change);
                        continue;
                    }
                    n = self.inbox.recv_batch(&mut buf, BATCH) => {
                        if n == 0 {
                            return Control::Shutdown; // closed: the system is stopping
                        }
                    }
                }
            }
            for msg in buf.drain(..) {
                if let Err(Stopped(c)) = self.broadcast(msg).await {
                    return c;
                }
            }
        }
    }

    /// Copies `msg` to `outbox` and every sink present now.
    async fn broadcast(&mut self, msg: T) -> Result<(), Stopped> {
        // A closed destination of the standard outbox is not an error: the sinks go on.
        send_watching(
            &mut self.outbox,
            msg.clone(),
            &mut self.control,
            &mut self.finishing,
        )
        .await?;
        let ids: Vec<SinkId> = self.sinks.list.iter().map(|s| s.id).collect();
        for id in ids {
            let Some(sink) = self.sinks.get(id) else {
                continue; // removed while an earlier sink was waited for
            };
            let target = sink.inbox.clone();
            match target.try_send(msg.clone()) {
                Ok(()) => {}
                Err(axon::TrySendError::Closed(_)) => self.sinks.remove(id),
                Err(axon::TrySendError::Full(m) | axon::TrySendError::Unlinked(m)) => {
                    match self.policy {
                        SlowSink::Drop => {
                            self.sinks.stats.dropped.fetch_add(1, Ordering::Relaxed);
                        }
                        SlowSink::Wait => self.wait_for(id, &target, m).await?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Waits until the sink `id` takes `msg`, handling `control` (first) and `configuration`
    /// meanwhile; gives up if the sink is removed or has ended.
    async fn wait_for(&mut self, id: SinkId, target: &InboxRef<T>, msg: T) -> Result<(), Stopped> {
        let mut send = std::pin::pin!(target.send(msg));
        loop {
            tokio::select! {
                biased;
                c = self.control.recv() => note(c, &mut self.finishing)?,
                Some(change) = self.configuration.recv() => {
                    self.sinks.apply(change);
                    if self.sinks.get(id).is_none() {
                        return Ok(());
                    }
                }
                r = &mut send => {
                    if r.is_err() {
                        self.sinks.remove(id);
                    }
                    return Ok(());
                }
            }
        }
    }
}

impl<T: Clone + Send + 'static> Component for PlugSplitter<T> {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        let PlugSplitter {
            inbox,
            configuration,
            control,
            outbox,
            mut signal,
            policy,
            stats,
        } = self;
        let mut running = Running {
            inbox,
            configuration,
            control,
            outbox,
            sinks: Sinks {
                list: Vec::new(),
                stats: Arc::clone(&stats.0),
            },
            policy,
            finishing: false,
        };
        let mut end = running.serve().await;
        // Tell every sink, waiting for room in its control inbox if need be, but watching
        // `control` meanwhile: a sink that reads nothing must not hide a stop request.
        let mut may_wait = true;
        for sink in &running.sinks.list {
            let Some(c) = &sink.control else {
                continue;
            };
            if !may_wait {
                c.try_send(end.clone()).ok();
                continue;
            }
            let told = c.send(end.clone());
            if let Err(Stopped(stop)) =
                watching_if_it_waits(&mut running.control, &mut running.finishing, told).await
            {
                // This sink and those not told yet get the stop request instead, if they
                // have room.
                c.try_send(stop.clone()).ok();
                end = stop;
                may_wait = false;
            }
        }
        pass_on(&mut signal, end).await;
        Ok(())
    }
}

crate::impl_stage!([T: Clone + Send + 'static] PlugSplitter<T>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let s: PlugSplitter<Msg> = PlugSplitter::new();
    Entry::new(
        "PlugSplitter",
        "Kamaelia.Util.Splitter.PlugSplitter",
        Family::Util,
        "Copies every message (and the control message that ends it) to subscribers that join and leave at run time; a slow subscriber either holds all up or misses messages, as chosen.",
        axon::box_infos(&s),
    )
    .parameter("when_full", "SlowSink", "SlowSink::Wait (default: backpressure on all) or SlowSink::Drop (that sink misses the message, counted)")
    .parameter("stats", "SplitterStats", "PlugSplitter::stats(): sinks attached and copies dropped, readable while it runs")
});
