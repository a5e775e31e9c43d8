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

fn subscribe_key<T>(name: &str) -> ServiceKey<InboxRef<T>> {
    ServiceKey::named(format!("backplane-subscribe:{name}"))
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
/// Boxes: `inbox` (messages to publish; publishers are forwarded into it), `subscribe` (feeds of
/// new subscribers), `control` (any [`Control`] stops it; it passes the message on `signal`).
#[derive(Boxes)]
pub struct Backplane<T: Clone + Send + 'static> {
    /// Messages to publish.
    pub inbox: Inbox<T>,
    /// Feeds of new subscribers.
    pub subscribe: Inbox<InboxRef<T>>,
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
        let mut subscribers: Vec<InboxRef<T>> = Vec::new();
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
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
                Some(feed) = self.subscribe.recv() => {
                    subscribers.retain(|s| !s.is_closed());
                    subscribers.push(feed);
                    stats.subscribers.store(subscribers.len(), Ordering::Relaxed);
                }
                Some(msg) = self.inbox.recv() => publish(&mut subscribers, msg, &stats),
            }
        }
    }
}

/// Offers `msg` to every subscriber (a full feed misses it), dropping those that have ended.
fn publish<T: Clone + Send + 'static>(
    subscribers: &mut Vec<InboxRef<T>>,
    msg: T,
    stats: &StatsInner,
) {
    stats.published.fetch_add(1, Ordering::Relaxed);
    subscribers.retain(|s| match s.try_send(msg.clone()) {
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
/// passed on `signal`.
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
            Some(c) = self.control.recv() => { self.signal.send(c).await.ok(); return Ok(()); }
            t = ctx.services().wait_for(&key) => t?,
        };
        ctx.forward_inbox(&self.inbox, &target)?;
        let c = self.control.recv().await.unwrap_or(Control::Shutdown);
        self.signal.send(c).await.ok();
        Ok(())
    }
}

/// Sends out on its `outbox` a copy of everything published to the backplane `name` after it
/// joined. Any [`Control`] on `control` stops it (it leaves the backplane); the message is passed
/// on `signal`.
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
        let hub = tokio::select! {
            biased;
            Some(c) = self.control.recv() => { self.signal.send(c).await.ok(); return Ok(()); }
            t = ctx.services().wait_for(&key) => t?,
        };
        hub.send(self.feed.handle())
            .await
            .map_err(|_| Error::msg(format!("backplane {:?} has ended", self.name)))?;
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
                Some(m) = self.feed.recv() => self.outbox.send(m).await?,
            }
        }
    }
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
