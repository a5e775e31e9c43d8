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
//! something is published, and whenever a subscriber joins, so churn alone cannot grow it).
//!
//! # Shutdown
//!
//! `ProducerFinished` on the backplane's `control`: what was published before it is delivered
//! first, then it is passed on `signal` and the backplane ends. `Shutdown` (or `Failed`): it
//! ends at once, passing that on; publications still queued are dropped.
//!
//! Either way the backplane also tells every subscriber: the message that ended it goes to
//! each [`SubscribeTo`]'s `control` (offered like a publication, so a subscriber whose
//! `control` is full is not waited for). A subscriber told `ProducerFinished` sends on the
//! copies it holds and then ends, so one message shuts down a backplane and the pipelines
//! behind its subscribers in order. Publishers are not told: a [`PublishTo`] ends when its own
//! `control` says so.
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

fn publish_key<T>(name: &str) -> ServiceKey<T> {
    ServiceKey::named(format!("backplane:{name}"))
}

fn subscribe_key<T: Send + 'static>(name: &str) -> ServiceKey<Subscription<T>> {
    ServiceKey::named(format!("backplane-subscribe:{name}"))
}

/// A subscriber joining a backplane (what a [`SubscribeTo`] sends to its `subscribe` inbox).
#[derive(Debug)]
pub struct Subscription<T: Send + 'static> {
    /// Where the copies go.
    pub feed: InboxRef<T>,
    /// Where the message that ends the backplane goes.
    pub control: InboxRef<Control>,
}

impl<T: Send + 'static> Subscription<T> {
    fn is_closed(&self) -> bool {
        self.feed.is_closed()
    }
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
/// subscribers), `control` (any [`Control`] stops it; it passes the message on `signal` and to
/// every subscriber).
#[derive(Boxes)]
pub struct Backplane<T: Clone + Send + 'static> {
    /// Messages to publish.
    pub inbox: Inbox<T>,
    /// New subscribers.
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
        ctx.services()
            .register(&publish_key::<T>(&self.name), &self.inbox)?;
        ctx.services()
            .register(&subscribe_key::<T>(&self.name), &self.subscribe)?;
        let mut subscribers: Vec<Subscription<T>> = Vec::new();
        let stats = self.stats.0.clone();
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    if c.is_producer_finished() {
                        // Drain, then stop: what was published before it still goes out.
                        while let Ok(msg) = self.inbox.try_recv() {
                            publish(&mut subscribers, msg, &stats);
                        }
                    }
                    // Subscribers whose joining is still queued are told too.
                    while let Ok(joining) = self.subscribe.try_recv() {
                        subscribers.push(joining);
                    }
                    for s in &subscribers {
                        // Offered, never waited for (see "Slow subscribers").
                        s.control.try_send(c.clone()).ok();
                    }
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
                Some(joining) = self.subscribe.recv() => {
                    subscribers.retain(|s| !s.is_closed());
                    subscribers.push(joining);
                    stats.subscribers.store(subscribers.len(), Ordering::Relaxed);
                }
                Some(msg) = self.inbox.recv() => publish(&mut subscribers, msg, &stats),
            }
        }
    }
}

/// Offers `msg` to every subscriber (a full feed misses it), dropping those that have ended.
fn publish<T: Clone + Send + 'static>(
    subscribers: &mut Vec<Subscription<T>>,
    msg: T,
    stats: &StatsInner,
) {
    stats.published.fetch_add(1, Ordering::Relaxed);
    subscribers.retain(|s| match s.feed.try_send(msg.clone()) {
        Ok(()) => true,
        Err(TrySendError::Full(_)) => {
            stats.missed.fetch_add(1, Ordering::Relaxed);
            true
        }
        Err(_) => false,
    });
    stats
        .subscribers
        .store(subscribers.len(), Ordering::Relaxed);
}

/// Publishes whatever arrives on its `inbox` to the backplane `name` (waiting for the backplane
/// to appear if it has not started yet). Any [`Control`] on `control` stops it; the message is
/// passed on `signal` (a closed `control` as `Shutdown`). If the backplane carries another
/// message type, it sends `Failed` with the reason on `signal` and ends with that error.
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
        if let Err(e) = ctx.forward_inbox(&self.inbox, &target) {
            let reason = format!("PublishTo {:?}: {e}", self.name);
            return fail_with(&mut self.signal, reason).await;
        }
        let c = self.control.recv().await.unwrap_or(Control::Shutdown);
        stop_with(&mut self.signal, c).await
    }
}

/// Sends out on its `outbox` a copy of everything published to the backplane `name` after it
/// joined (waiting for the backplane to appear if it has not started yet).
///
/// # Shutdown
///
/// `ProducerFinished` on `control` — from its own producer, or from the backplane as it ends —
/// means "drain, then stop": it sends on the copies that were in its feed when it came (not
/// those published after), then passes `ProducerFinished` on `signal` and ends. `Shutdown`,
/// `Failed` or a closed `control` ends it at once (copies not yet sent are dropped) and is
/// passed on `signal` (a closed `control` as `Shutdown`); `control` is watched while it waits
/// for the backplane and while a copy waits for room downstream, so neither can hide a stop. If
/// it cannot join (the backplane carries another message type, or has ended) or the component
/// its `outbox` leads to has ended, it sends `Failed` with the reason on `signal` and ends with
/// that error.
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
        let joining = Subscription {
            feed: self.feed.handle(),
            control: self.control.handle(),
        };
        let joined = tokio::select! {
            biased;
            c = self.control.recv() => return self.stop(c.unwrap_or(Control::Shutdown)).await,
            sent = hub.send(joining) => sent.is_ok(),
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
                    c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                        Control::ProducerFinished => { finishing = true; continue; }
                        c => return self.stop(c).await,
                    },
                    Some(m) = self.feed.recv() => m,
                },
            };
            match self.deliver(copy, &mut finishing).await {
                Delivery::Sent => {}
                Delivery::Stopped(c) => return self.stop(c).await,
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
    /// A `Shutdown` or `Failed` (or a closed `control`) arrived first.
    Stopped(Control),
    /// The receiver has ended.
    Gone,
}

impl<T: Send + 'static> SubscribeTo<T> {
    /// Sends `copy` on `outbox`, watching `control` while it waits for room: `ProducerFinished`
    /// sets `finishing` and the send goes on; anything else abandons it.
    async fn deliver(&mut self, copy: T, finishing: &mut bool) -> Delivery {
        let mut send = std::pin::pin!(self.outbox.send(copy));
        loop {
            tokio::select! {
                biased;
                c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                    Control::ProducerFinished => *finishing = true,
                    c => return Delivery::Stopped(c),
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
