//! Backplanes: named publish/subscribe hubs (Kamaelia's `Backplane`, `PublishTo`,
//! `SubscribeTo`).
//!
//! A [`Backplane`] registers itself in the system's services under its name. Any number of
//! [`PublishTo`] components feed it — their inbox is forwarded straight into the backplane's, so
//! publishing costs no extra hop — and any number of [`SubscribeTo`] components receive a copy
//! of everything published after they joined. Publishers and subscribers join and leave while
//! the system runs.
//!
//! # Slow subscribers
//!
//! The backplane **never waits for a subscriber**. Each subscriber has a bounded feed
//! ([`SubscribeTo::with_capacity`], default [`DEFAULT_CAPACITY`]); if
//! a subscriber's feed is full when a message is published, *that subscriber* misses the
//! message, the miss is counted ([`BackplaneStats::missed`]), and every other subscriber gets it
//! as usual. So one stuck subscriber cannot hold up the others, and memory stays bounded by the
//! subscribers' capacities. A subscriber that has ended is dropped from the list (when
//! something is published, and whenever anyone joins, so churn alone cannot grow it; the same
//! goes for publishers, which join to be told when the backplane ends).
//!
//! # Shutdown
//!
//! `ProducerFinished` on the backplane's `control`: what was published before it is delivered
//! first, then it is passed on `signal` and the backplane ends. `Shutdown` (or `Failed`): it
//! ends at once, passing that on; publications still queued are dropped.
//!
//! Either way the backplane also tells everyone who joined it, subscribers and publishers, the
//! message that ended it. The notice goes through the [`Subscription`] each sent when it joined
//! — a channel of its own that holds that one message — not through its `control`, so it is
//! never waited for and never missed, however full that `control` is. A subscriber told
//! `ProducerFinished` sends on the copies it holds and then ends, so one message shuts down a
//! backplane and the pipelines behind its subscribers in order; a publisher passes the message
//! on and ends (nothing given to it could be published any more).
//!
//! A backplane that ends without a `Control` (it failed, panicked or was cancelled) tells
//! nobody, but its subscribers and publishers notice that it has gone: each sends `Failed`
//! naming itself and the backplane on `signal` and ends with that error.
//!
//! ```
//! use axon::backplane::{Backplane, PublishTo, SubscribeTo};
//! use axon::{Inbox, Outbox, System};
//!
//! let mut system = System::deterministic();
//! let backplane = Backplane::<String>::new("news");
//! let stats = backplane.stats();
//! system.spawn(backplane);
//! let subscriber = SubscribeTo::<String>::new("news");
//! let mut got = Inbox::new();
//! axon::link(&subscriber.outbox, &got).unwrap();
//! system.spawn(subscriber);
//! let publisher = PublishTo::<String>::new("news");
//! let mut say = Outbox::new();
//! axon::link(&say, &publisher.inbox).unwrap();
//! system.spawn(publisher);
//! system.run_until_idle();
//! say.try_send("extra!".to_string()).unwrap();
//! system.run_until_idle();
//! assert_eq!(got.try_recv().unwrap(), "extra!");
//! assert_eq!(stats.subscribers(), 1);
//! ```

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::boxes::{Inbox, InboxRef, Outbox, DEFAULT_CAPACITY};
use crate::component::Component;
use crate::context::Context;
use crate::control::Control;
use crate::error::{Error, TrySendError};
use crate::services::ServiceKey;
use crate::Boxes;
use std::fmt;
use tokio::sync::oneshot;

fn publish_key<T>(name: &str) -> ServiceKey<T> {
    ServiceKey::named(format!("backplane:{name}"))
}

fn subscribe_key<T: Send + 'static>(name: &str) -> ServiceKey<Subscription<T>> {
    ServiceKey::named(format!("backplane-subscribe:{name}"))
}

/// Someone joining a backplane, to be told when it ends (what a [`SubscribeTo`] or a
/// [`PublishTo`] sends to its `subscribe` inbox): a subscriber, which also gets a copy of
/// everything published, or a publisher. Only those components make one.
#[derive(Debug)]
pub struct Subscription<T: Send + 'static> {
    /// Where the copies go (`None` for a publisher).
    feed: Option<InboxRef<T>>,
    /// Where the message that ends the backplane goes. A backplane that ends without one (it
    /// failed, panicked or was cancelled) drops it unused, which the member notices too.
    end: oneshot::Sender<Control>,
}

impl<T: Send + 'static> Subscription<T> {
    /// A subscription for a member whose copies go to `feed` (`None`: a publisher), and the
    /// member's end of it.
    fn new(feed: Option<InboxRef<T>>) -> (Self, Ending) {
        let (end, ending) = oneshot::channel();
        (Subscription { feed, end }, Ending(Some(ending)))
    }

    /// The member has ended.
    fn has_left(&self) -> bool {
        self.end.is_closed() || self.feed.as_ref().is_some_and(InboxRef::is_closed)
    }
}

/// A member's end of its [`Subscription`]: how it hears that the backplane has ended.
struct Ending(Option<oneshot::Receiver<Control>>);

/// The backplane ended without saying how: it failed, panicked or was cancelled.
struct Vanished;

impl Ending {
    /// Waits until the backplane ends: the message that ended it, or [`Vanished`]. Once it has
    /// answered it never completes again.
    async fn wait(&mut self) -> Result<Control, Vanished> {
        let Some(ending) = &mut self.0 else {
            return std::future::pending().await;
        };
        let end = ending.await.map_err(|_| Vanished);
        self.0 = None;
        end
    }
}

/// Sends `joining` to a backplane's `subscribe` inbox, watching `control` (looked at first):
/// `Ok(true)` once joined, `Ok(false)` if the backplane has ended, `Err(c)` if a control message
/// came first (a closed `control` as `Shutdown`).
async fn join<T: Send + 'static>(
    control: &mut Inbox<Control>,
    hub: &InboxRef<Subscription<T>>,
    joining: Subscription<T>,
) -> Result<bool, Control> {
    tokio::select! {
        biased;
        c = control.recv() => Err(c.unwrap_or(Control::Shutdown)),
        sent = hub.send(joining) => Ok(sent.is_ok()),
    }
}

/// What stops a member: a message on its `control` (looked at first; a closed `control` as
/// `Shutdown`) or the one its backplane ended with; [`Vanished`] if the backplane ended without
/// one.
async fn stop_request(
    control: &mut Inbox<Control>,
    ending: &mut Ending,
) -> Result<Control, Vanished> {
    tokio::select! {
        biased;
        c = control.recv() => Ok(c.unwrap_or(Control::Shutdown)),
        end = ending.wait() => end,
    }
}

/// Why a member of the backplane `name` fails when the backplane has ended without saying how.
fn vanished(who: &str, name: &str) -> String {
    format!(
        "{who}: the backplane {name:?} has ended without saying so (it failed, panicked or was \
         cancelled)"
    )
}

/// Figures a backplane keeps, readable while it runs.
#[derive(Debug, Clone, Default)]
pub struct BackplaneStats(Arc<StatsInner>);

#[derive(Debug, Default)]
struct StatsInner {
    published: AtomicU64,
    missed: AtomicU64,
    subscribers: AtomicUsize,
}

impl BackplaneStats {
    /// Messages published.
    pub fn published(&self) -> u64 {
        self.0.published.load(Ordering::Relaxed)
    }

    /// Copies not delivered because a subscriber's feed was full.
    pub fn missed(&self) -> u64 {
        self.0.missed.load(Ordering::Relaxed)
    }

    /// Subscribers currently attached.
    pub fn subscribers(&self) -> usize {
        self.0.subscribers.load(Ordering::Relaxed)
    }
}

/// A named hub: copies everything published to every subscriber. See the [module docs](self).
///
/// Boxes: `inbox` (messages to publish; publishers are forwarded into it), `subscribe` (new
/// subscribers and publishers), `control` (any [`Control`] stops it; it passes the message on
/// `signal` and to every subscriber and publisher).
#[derive(Boxes)]
pub struct Backplane<T: Clone + Send + 'static> {
    /// Messages to publish.
    pub inbox: Inbox<T>,
    /// New subscribers and publishers.
    pub subscribe: Inbox<Subscription<T>>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// The control message that stopped it.
    pub signal: Outbox<Control>,
    name: String,
    stats: BackplaneStats,
}

impl<T: Clone + Send + 'static> Backplane<T> {
    /// A backplane registered under `name` when it starts.
    pub fn new(name: impl Into<String>) -> Self {
        Backplane {
            inbox: Inbox::new(),
            subscribe: Inbox::new(),
            control: Inbox::new(),
            signal: Outbox::new(),
            name: name.into(),
            stats: BackplaneStats::default(),
        }
    }

    /// A handle on its figures.
    pub fn stats(&self) -> BackplaneStats {
        self.stats.clone()
    }
}

impl<T: Clone + Send + 'static> Component for Backplane<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        // Subscribing first: a publisher that finds the backplane's inbox finds this too.
        ctx.services()
            .register(&subscribe_key::<T>(&self.name), &self.subscribe)?;
        ctx.services()
            .register(&publish_key::<T>(&self.name), &self.inbox)?;
        let mut members: Vec<Subscription<T>> = Vec::new();
        let stats = self.stats.0.clone();
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    if c.is_producer_finished() {
                        // Drain, then stop: what was published before it still goes out.
                        while let Ok(msg) = self.inbox.try_recv() {
                            publish(&mut members, msg, &stats);
                        }
                    }
                    tell(&mut members, &mut self.subscribe, &c);
                    self.signal.send(c.clone()).await.ok();
                    // Those who joined while the signal waited for room.
                    tell(&mut members, &mut self.subscribe, &c);
                    return Ok(());
                }
                Some(joining) = self.subscribe.recv() => {
                    members.retain(|m| !m.has_left());
                    members.push(joining);
                    let subscribers = members.iter().filter(|m| m.feed.is_some()).count();
                    stats.subscribers.store(subscribers, Ordering::Relaxed);
                }
                Some(msg) = self.inbox.recv() => publish(&mut members, msg, &stats),
            }
        }
    }
}

/// Tells every member, and everyone whose joining is still queued, that the backplane has
/// ended with `c`.
fn tell<T: Send + 'static>(
    members: &mut Vec<Subscription<T>>,
    joining: &mut Inbox<Subscription<T>>,
    c: &Control,
) {
    while let Ok(j) = joining.try_recv() {
        members.push(j);
    }
    for m in members.drain(..) {
        // One message into a channel of its own: never full, never waited for.
        m.end.send(c.clone()).ok();
    }
}

/// Offers `msg` to every subscriber (a full feed misses it), dropping those that have ended.
fn publish<T: Clone + Send + 'static>(
    members: &mut Vec<Subscription<T>>,
    msg: T,
    stats: &StatsInner,
) {
    stats.published.fetch_add(1, Ordering::Relaxed);
    let mut subscribers = 0;
    members.retain(|m| {
        let Some(feed) = &m.feed else {
            return true; // a publisher
        };
        let kept = match feed.try_send(msg.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                stats.missed.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(_) => false,
        };
        subscribers += usize::from(kept);
        kept
    });
    stats.subscribers.store(subscribers, Ordering::Relaxed);
}

/// Publishes whatever arrives on its `inbox` to the backplane `name` (waiting for the backplane
/// to appear if it has not started yet).
///
/// # Shutdown
///
/// Any [`Control`] on `control` stops it; the message is passed on `signal` (a closed `control`
/// as `Shutdown`). Nothing is queued in the publisher itself (its `inbox` is forwarded into the
/// backplane's), so there is nothing to drain.
///
/// It also ends with its backplane, since nothing given to it could be published any more:
///
/// * a backplane that ends on a [`Control`] tells its publishers (as it tells its subscribers):
///   the publisher passes that message on `signal` and ends;
/// * a backplane that ends without saying so (it failed, panicked or was cancelled) leaves its
///   publishers with a receiver that has ended, which for any component is a failure: the
///   publisher sends `Failed` naming itself and the backplane on `signal` and ends with that
///   error.
///
/// If the backplane carries another message type, or has ended before the publisher could join
/// it, it sends `Failed` with the reason on `signal` and ends with that error.
#[derive(Boxes)]
pub struct PublishTo<T: Send + 'static> {
    /// Messages to publish (forwarded straight into the backplane).
    pub inbox: Inbox<T>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// The control message that stopped it.
    pub signal: Outbox<Control>,
    name: String,
}

impl<T: Send + 'static> PublishTo<T> {
    /// A publisher to the backplane `name`.
    pub fn new(name: impl Into<String>) -> Self {
        PublishTo {
            inbox: Inbox::new(),
            control: Inbox::new(),
            signal: Outbox::new(),
            name: name.into(),
        }
    }
}

impl<T: Send + 'static> Component for PublishTo<T> {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let key = publish_key::<T>(&self.name);
        let target = tokio::select! {
            biased;
            c = self.control.recv() => {
                return stop_with(&mut self.signal, c.unwrap_or(Control::Shutdown)).await;
            }
            found = ctx.services().wait_for(&key) => match found {
                Ok(target) => target,
                Err(e) => {
                    let reason = format!("PublishTo {:?}: {e}", self.name);
                    return fail_with(&mut self.signal, reason).await;
                }
            },
        };
        // Join, to be told when the backplane ends (registered before `target`, so found).
        let (joining, mut ending) = Subscription::new(None);
        let joined = match ctx.services().lookup(&subscribe_key::<T>(&self.name)) {
            Ok(hub) => match join(&mut self.control, &hub, joining).await {
                Ok(joined) => joined,
                Err(c) => return stop_with(&mut self.signal, c).await,
            },
            Err(_) => false,
        };
        if !joined {
            let reason = format!("PublishTo {:?}: the backplane has ended", self.name);
            return fail_with(&mut self.signal, reason).await;
        }
        if let Err(e) = ctx.forward_inbox(&self.inbox, &target) {
            let reason = format!("PublishTo {:?}: {e}", self.name);
            return fail_with(&mut self.signal, reason).await;
        }
        match stop_request(&mut self.control, &mut ending).await {
            Ok(c) => stop_with(&mut self.signal, c).await,
            Err(Vanished) => fail_with(&mut self.signal, vanished(&ctx.name(), &self.name)).await,
        }
    }
}

/// Sends out on its `outbox` a copy of everything published to the backplane `name` after it
/// joined (waiting for the backplane to appear if it has not started yet).
///
/// # Shutdown
///
/// `ProducerFinished` — on `control` from its own producer, or from the backplane as it ends —
/// means "drain, then stop": it sends on the copies that were in its feed when it came (not
/// those published after), then passes `ProducerFinished` on `signal` and ends. `Shutdown` or
/// `Failed` (from either) or a closed `control` ends it at once (copies not yet sent are
/// dropped) and is passed on `signal` (a closed `control` as `Shutdown`). `control` is looked
/// at first; it is watched while the subscriber waits for the backplane, and it and the
/// backplane's notice while a copy waits for room downstream, so no wait can hide a stop. The
/// backplane's notice comes through the subscription, not through `control`, so a full
/// `control` cannot make the subscriber miss it.
///
/// If it cannot join (the backplane carries another message type, or has ended), its backplane
/// ends without saying so (it failed, panicked or was cancelled), or the component its `outbox`
/// leads to has ended, it sends `Failed` with the reason (naming it and the backplane) on
/// `signal` and ends with that error.
#[derive(Boxes)]
pub struct SubscribeTo<T: Send + 'static> {
    /// Copies from the backplane (bounded: see "Slow subscribers").
    pub feed: Inbox<T>,
    /// Stop requests.
    pub control: Inbox<Control>,
    /// The copies.
    pub outbox: Outbox<T>,
    /// The control message that stopped it.
    pub signal: Outbox<Control>,
    name: String,
}

impl<T: Send + 'static> SubscribeTo<T> {
    /// A subscriber to the backplane `name` with a feed of the default capacity.
    pub fn new(name: impl Into<String>) -> Self {
        Self::with_capacity(name, DEFAULT_CAPACITY)
    }

    /// A subscriber whose feed holds at most `capacity` messages.
    pub fn with_capacity(name: impl Into<String>, capacity: usize) -> Self {
        SubscribeTo {
            feed: Inbox::with_capacity(capacity),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            name: name.into(),
        }
    }
}

impl<T: Send + 'static> Component for SubscribeTo<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let key = subscribe_key::<T>(&self.name);
        // Until it has joined there is nothing to drain: any control message ends it.
        let hub = tokio::select! {
            biased;
            c = self.control.recv() => return self.stop(c.unwrap_or(Control::Shutdown)).await,
            found = ctx.services().wait_for(&key) => match found {
                Ok(hub) => hub,
                Err(e) => return self.fail(format!("SubscribeTo {:?}: {e}", self.name)).await,
            },
        };
        let (joining, mut ending) = Subscription::new(Some(self.feed.handle()));
        let joined = match join(&mut self.control, &hub, joining).await {
            Ok(joined) => joined,
            Err(c) => return self.stop(c).await,
        };
        if !joined {
            let reason = format!("SubscribeTo {:?}: the backplane has ended", self.name);
            return self.fail(reason).await;
        }
        let mut finishing = false;
        // After a `ProducerFinished`: how many copies are left to send — those in the feed when
        // it came. (The backplane goes on publishing into the feed, so waiting for the feed to
        // be empty might never end.)
        let mut left: Option<usize> = None;
        loop {
            if finishing && left.is_none() {
                left = Some(self.feed.len());
            }
            let copy = match &mut left {
                Some(0) => break,
                Some(n) => {
                    *n -= 1;
                    match self.feed.try_recv() {
                        Ok(m) => m,
                        Err(_) => break,
                    }
                }
                None => tokio::select! {
                    biased;
                    stop = stop_request(&mut self.control, &mut ending) => match stop {
                        Ok(Control::ProducerFinished) => { finishing = true; continue; }
                        Ok(c) => return self.stop(c).await,
                        Err(Vanished) => return self.fail(vanished(&ctx.name(), &self.name)).await,
                    },
                    Some(m) = self.feed.recv() => m,
                },
            };
            match self.deliver(copy, &mut ending, &mut finishing).await {
                Delivery::Sent => {}
                Delivery::Stopped(c) => return self.stop(c).await,
                Delivery::Vanished => return self.fail(vanished(&ctx.name(), &self.name)).await,
                Delivery::Gone => {
                    let reason = format!(
                        "SubscribeTo {:?}: cannot send on outbox: the component it leads to has ended",
                        self.name
                    );
                    return self.fail(reason).await;
                }
            }
        }
        self.stop(Control::ProducerFinished).await
    }
}

/// How [`SubscribeTo::deliver`] ended.
enum Delivery {
    Sent,
    /// A `Shutdown` or `Failed` (or a closed `control`) arrived first, on `control` or from the
    /// backplane.
    Stopped(Control),
    /// The backplane ended without saying so.
    Vanished,
    /// The receiver has ended.
    Gone,
}

impl<T: Send + 'static> SubscribeTo<T> {
    /// Sends `copy` on `outbox`, watching `control` (first) and the backplane's notice while it
    /// waits for room: `ProducerFinished` sets `finishing` and the send goes on; anything else
    /// abandons it.
    async fn deliver(&mut self, copy: T, ending: &mut Ending, finishing: &mut bool) -> Delivery {
        let mut send = std::pin::pin!(self.outbox.send(copy));
        loop {
            tokio::select! {
                biased;
                stop = stop_request(&mut self.control, ending) => match stop {
                    Ok(Control::ProducerFinished) => *finishing = true,
                    Ok(c) => return Delivery::Stopped(c),
                    Err(Vanished) => return Delivery::Vanished,
                },
                sent = &mut send => {
                    return if sent.is_ok() { Delivery::Sent } else { Delivery::Gone };
                }
            }
        }
    }

    /// Passes `c` on `signal` and ends.
    async fn stop(&mut self, c: Control) -> Result<(), Error> {
        stop_with(&mut self.signal, c).await
    }

    /// Says why on `signal` (`Failed`), then ends with the same reason.
    async fn fail(&mut self, reason: String) -> Result<(), Error> {
        fail_with(&mut self.signal, reason).await
    }
}

/// Passes `c` on `signal` (if anyone still listens) and ends.
async fn stop_with(signal: &mut Outbox<Control>, c: Control) -> Result<(), Error> {
    signal.send(c).await.ok();
    Ok(())
}

/// Says why on `signal` (`Failed`), then ends with the same reason.
async fn fail_with(signal: &mut Outbox<Control>, reason: String) -> Result<(), Error> {
    signal.send(Control::failed(reason.as_str())).await.ok();
    Err(Error::msg(reason))
}

impl<T: Clone + Send + 'static> fmt::Debug for Backplane<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backplane")
            .field("name", &self.name)
            .field("stats", &self.stats)
            .finish()
    }
}

impl<T: Send + 'static> fmt::Debug for PublishTo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublishTo")
            .field("name", &self.name)
            .finish()
    }
}

impl<T: Send + 'static> fmt::Debug for SubscribeTo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscribeTo")
            .field("name", &self.name)
            .finish()
    }
}
