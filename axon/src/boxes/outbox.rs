//! Outboxes: where a component sends. A send goes straight into the final inbox of the outbox's
//! resolved chain — no postman, no intermediate hops.
//!
//! ```
//! use axon::{Inbox, Outbox};
//! let mut out = Outbox::new();
//! // Unlinked: the message is held (up to the outbox's capacity) ...
//! out.try_send(1u8).unwrap();
//! let mut inbox = Inbox::new();
//! // ... and delivered, in order, when the outbox is linked.
//! axon::link(&out, &inbox).unwrap();
//! out.try_send(2).unwrap();
//! assert_eq!(inbox.try_recv(), Ok(1));
//! assert_eq!(inbox.try_recv(), Ok(2));
//! ```
//!
//! # Sending to an unlinked outbox
//!
//! Kamaelia discarded such messages silently. Here an unlinked outbox **holds** what is sent to
//! it, up to its capacity ([`DEFAULT_CAPACITY`](crate::DEFAULT_CAPACITY) unless set), and
//! delivers the held messages in order as soon as it is linked — so nothing is lost while a
//! parent rewires a running system. Beyond that capacity, [`Outbox::send`] discards the message
//! and counts it ([`Outbox::discarded`], and `discarded` in the box's figures), so an optional
//! outbox that nobody links never stalls its component; [`Outbox::try_send`] instead hands the
//! message back as [`TrySendError::Unlinked`].

#[cfg(axon_loom)]
use loom::sync::atomic::AtomicU64;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
#[cfg(not(axon_loom))]
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::lock::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use super::inbox::{InboxCore, Push, PushMany, DEFAULT_CAPACITY};
use super::meta::{BoxMeta, BoxStats};
use crate::error::{SendError, TrySendError};
use crate::link::{Route, Target};
use crate::model::{text_of, MessageFormat, Taps};

pub(crate) struct OutboxCore<T> {
    state: Mutex<OutboxState<T>>,
    pub(crate) meta: BoxMeta,
    /// Written only by the outbox's single owner (load + store, no read-modify-write).
    sent: AtomicU64,
    /// True while a tap watches this outbox: read on every send, next to `sent`, which every
    /// send writes anyway. (A plain std atomic even under loom: it guards no protocol.)
    tapped: std::sync::atomic::AtomicBool,
    /// Set when the owning component ends, for readers that watch the source of what they
    /// receive (the bridge's [`Handle`](crate::bridge::Handle)).
    ended: std::sync::atomic::AtomicBool,
    /// A send on this outbox waits for room: set when it finds the destination full, cleared
    /// when that send ends (delivered, failed or dropped). Read by the live model, so that a
    /// send given up on is not shown as blocked. Written only on the blocked path.
    blocked: std::sync::atomic::AtomicBool,
}

/// What an unlinked outbox holds until it is linked. Most outboxes are linked before anything
/// is sent, so the queue is made only when something is held: one null pointer otherwise
/// (boxed, not a `VecDeque`'s four words).
#[allow(clippy::box_collection)]
pub(crate) struct Held<T>(Option<Box<VecDeque<T>>>);

impl<T> Default for Held<T> {
    fn default() -> Self {
        Held(None)
    }
}

impl<T> Held<T> {
    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |q| q.len())
    }

    pub(crate) fn push_back(&mut self, msg: T) {
        self.0.get_or_insert_with(Box::default).push_back(msg);
    }

    pub(crate) fn extend(&mut self, msgs: impl IntoIterator<Item = T>) {
        self.0.get_or_insert_with(Box::default).extend(msgs);
    }

    /// Everything held, in order, leaving nothing.
    pub(crate) fn take(&mut self) -> VecDeque<T> {
        self.0.take().map(|q| *q).unwrap_or_default()
    }
}

pub(crate) struct OutboxState<T> {
    pub(crate) target: Option<Target<T>>,
    pub(crate) held: Held<T>,
    pub(crate) hold_capacity: usize,
    pub(crate) discarded: u64,
    /// How messages become text for taps and tracing (`None`: the type's name).
    pub(crate) format: Option<MessageFormat<T>>,
    /// Taps recording what is sent from here.
    pub(crate) taps: Taps,
}

impl<T> OutboxCore<T> {
    pub(crate) fn new(hold_capacity: usize) -> Arc<Self> {
        Arc::new(OutboxCore {
            state: Mutex::new(OutboxState {
                target: None,
                held: Held::default(),
                hold_capacity,
                discarded: 0,
                format: None,
                taps: Taps::default(),
            }),
            meta: BoxMeta::new(super::meta::outbox_kind::<T>),
            sent: AtomicU64::new(0),
            tapped: std::sync::atomic::AtomicBool::new(false),
            ended: std::sync::atomic::AtomicBool::new(false),
            blocked: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The owning component has ended: remember it, and wake a reader that may be watching
    /// this source — one waiting on an inbox no component owns (plain code's end of a
    /// [`Handle`](crate::bridge::Handle)), linked directly from here. Components never watch
    /// their sources, so ending costs them nothing more than a flag.
    pub(crate) fn close(&self) {
        self.ended.store(true, Ordering::SeqCst);
        let reader = match &self.lock().target {
            Some(Target::Inbox(i)) if i.meta.owner().is_none() => Some(Arc::clone(i)),
            _ => None,
        };
        if let Some(inbox) = reader {
            inbox.wake_reader();
        }
    }

    /// True once the owning component has ended.
    pub(crate) fn has_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, OutboxState<T>> {
        self.state.lock()
    }

    pub(crate) fn stats(&self) -> BoxStats {
        let st = self.lock();
        let sent = self.sent.load(Ordering::Relaxed);
        BoxStats {
            depth: st.held.len(),
            capacity: Some(st.hold_capacity),
            messages_in: sent,
            messages_out: sent.saturating_sub(st.held.len() as u64 + st.discarded),
            discarded: st.discarded,
        }
    }

    /// True if sends must be shown to a tap or to tracing.
    #[inline(always)]
    fn watched(&self) -> bool {
        self.tapped.load(Ordering::Relaxed) || crate::trace::messages_enabled()
    }

    pub(crate) fn add_tap(&self, tap: std::sync::Arc<crate::model::TapShared>) {
        self.lock().taps.add(tap);
        self.tapped.store(true, Ordering::Relaxed);
    }

    pub(crate) fn remove_tap(&self, tap: &std::sync::Arc<crate::model::TapShared>) {
        let mut st = self.lock();
        if st.taps.remove(tap) {
            self.tapped.store(false, Ordering::Relaxed);
        }
    }

    fn count_sent(&self) {
        self.count_sent_n(1);
    }

    /// True while a send on this outbox waits for room.
    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked.load(Ordering::Acquire)
    }

    /// Sets or clears the `blocked` flag (a plain store).
    fn set_blocked(&self, blocked: bool) {
        self.blocked.store(blocked, Ordering::Release);
    }

    fn count_sent_n(&self, n: usize) {
        // Single writer: a plain load and store, no locked instruction on the hot path.
        self.sent.store(
            self.sent.load(Ordering::Relaxed) + n as u64,
            Ordering::Relaxed,
        );
    }
}

/// The future of [`send`](Outbox::send): a share of the scheduler's budget, then a delivery
/// if there is room; else it waits for room. If it is dropped while waiting (a `select!` took
/// another branch, a timeout ran out), it clears the outbox's `blocked` flag, so the live model
/// does not show a send given up on. (A hand-written future: as an `async fn` with a guard for
/// that, every send paid for the state machine's drop glue.)
struct SendFuture<'a, T> {
    outbox: &'a mut Outbox<T>,
    /// The message, until it is delivered or handed back.
    slot: Option<T>,
    /// Its share of the scheduler's budget, taken before the first delivery attempt.
    share: crate::coop::Share,
    /// The destination was full: it waits for room.
    waiting: bool,
}

// The message is moved in and out, never pinned.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T: Send + 'static> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if !this.waiting {
            if this.share.poll_take(cx).is_pending() {
                return Poll::Pending;
            }
            // Fast path: room in the cached destination, nothing registered.
            let msg = this.slot.take().expect("polled after it completed");
            match this.outbox.push_cached(msg, None) {
                Ok(()) => return Poll::Ready(Ok(())),
                Err(Push::Closed(m)) => return Poll::Ready(Err(SendError::Closed(m))),
                Err(Push::Stale(m)) => {
                    this.outbox.discard(m);
                    return Poll::Ready(Ok(()));
                }
                Err(Push::Full(m)) => this.slot = Some(m),
                Err(Push::Done) => unreachable!(),
            }
            this.waiting = true;
        }
        this.outbox.poll_send(cx, &mut this.slot)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if self.waiting && self.slot.is_some() {
            self.outbox.core.set_blocked(false);
        }
    }
}

/// The body of [`send_all`](Outbox::send_all), which keeps the outbox's `blocked` flag as
/// [`SendFuture`] does.
struct BatchWait<'a, T> {
    outbox: &'a mut Outbox<T>,
    /// The messages not yet delivered.
    buf: &'a mut Vec<T>,
}

impl<T: Send + 'static> Future for BatchWait<'_, T> {
    type Output = Result<(), SendError<Vec<T>>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let polled = this.outbox.poll_send_all(cx, this.buf);
        this.outbox.core.set_blocked(polled.is_pending());
        polled
    }
}

impl<T> Drop for BatchWait<'_, T> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.outbox.core.set_blocked(false);
        }
    }
}

/// A typed box a component sends from (Kamaelia's outbox).
///
/// An outbox is linked to at most one destination ([`link`](crate::link()) refuses a second:
/// fan-out is a component or a backplane); many outboxes may feed one inbox, and their messages
/// interleave in exact send order.
pub struct Outbox<T> {
    pub(crate) core: Arc<OutboxCore<T>>,
    /// The final inbox of the chain and the epoch it was resolved at.
    cache: Option<(Arc<InboxCore<T>>, u64)>,
}

impl<T: Send + 'static> Outbox<T> {
    /// An outbox that holds up to [`DEFAULT_CAPACITY`] messages while unlinked.
    pub fn new() -> Self {
        Self::with_hold_capacity(DEFAULT_CAPACITY)
    }

    /// An outbox that holds up to `capacity` messages while unlinked.
    pub fn with_hold_capacity(capacity: usize) -> Self {
        Outbox {
            core: OutboxCore::new(capacity),
            cache: None,
        }
    }

    /// Sends `msg` to the final inbox of this outbox's chain, waiting while that inbox is full.
    ///
    /// If the outbox is unlinked, the message is held until it is linked, or discarded and
    /// counted if the hold buffer is full (see the [`Outbox`] type docs and [`crate::boxes`]).
    ///
    /// # Errors
    /// [`SendError::Closed`] with the message if the destination's component has ended.
    ///
    /// # Cancel safety
    /// If the future is dropped before completing, the message was not delivered and is dropped
    /// with it.
    pub fn send(&mut self, msg: T) -> impl Future<Output = Result<(), SendError<T>>> + '_ {
        SendFuture {
            outbox: self,
            slot: Some(msg),
            share: crate::coop::Share::default(),
            waiting: false,
        }
    }

    /// Polls a send of the message in `slot` (the building block of [`send`](Self::send)).
    ///
    /// While it returns `Pending`, the live model shows the component blocked sending on this
    /// outbox; a caller that gives the send up shows so until its next `poll_send` on this outbox
    /// returns `Ready` ([`send`](Self::send) clears it when its future is dropped).
    pub fn poll_send(
        &mut self,
        cx: &mut Context<'_>,
        slot: &mut Option<T>,
    ) -> Poll<Result<(), SendError<T>>> {
        let msg = slot.take().expect("poll_send called without a message");
        let polled = match self.push_cached(msg, Some(cx)) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(Push::Closed(m)) => Poll::Ready(Err(SendError::Closed(m))),
            Err(Push::Full(m)) => {
                *slot = Some(m);
                Poll::Pending
            }
            Err(Push::Stale(m)) => {
                self.discard(m);
                Poll::Ready(Ok(()))
            }
            Err(Push::Done) => unreachable!(),
        };
        self.core.set_blocked(polled.is_pending());
        polled
    }

    /// Unlinked with a full hold buffer: the message is dropped and counted.
    fn discard(&mut self, msg: T) {
        self.core.lock().discarded += 1;
        self.core.count_sent();
        drop(msg);
    }

    /// Sends every message in `buf`, in order, emptying it: as many as fit go into the
    /// destination under one lock, and the call waits for space for the rest. The batch form of
    /// [`send`](Self::send) for components that process in batches.
    ///
    /// # Errors
    /// [`SendError::Closed`] with the messages not yet delivered, if the destination's component
    /// has ended.
    ///
    /// # Cancel safety
    /// Messages still in `buf` when the future is dropped were not sent; they stay in `buf`.
    pub async fn send_all(&mut self, buf: &mut Vec<T>) -> Result<(), SendError<Vec<T>>> {
        crate::coop::consume().await;
        BatchWait { outbox: self, buf }.await
    }

    /// One poll of [`send_all`](Self::send_all).
    fn poll_send_all(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<T>,
    ) -> Poll<Result<(), SendError<Vec<T>>>> {
        loop {
            if buf.is_empty() {
                return Poll::Ready(Ok(()));
            }
            if let Some((sink, epoch)) = self.cache.as_ref().filter(|_| !self.core.watched()) {
                match sink.push_many(buf, Some(*epoch), Some(cx)) {
                    PushMany::Done(k) => {
                        self.core.count_sent_n(k);
                        return Poll::Ready(Ok(()));
                    }
                    PushMany::Full(k) => {
                        self.core.count_sent_n(k);
                        return Poll::Pending;
                    }
                    PushMany::Closed => {
                        return Poll::Ready(Err(SendError::Closed(std::mem::take(buf))))
                    }
                    PushMany::Stale => {}
                }
            }
            // No current route: send the first message alone, which resolves the route (or
            // holds/discards it when unlinked), then go on in batches.
            let first = buf.remove(0);
            let mut slot = Some(first);
            match self.poll_send(cx, &mut slot) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(SendError::Closed(m))) => {
                    buf.insert(0, m);
                    return Poll::Ready(Err(SendError::Closed(std::mem::take(buf))));
                }
                Poll::Pending => {
                    buf.insert(0, slot.take().expect("a pending send keeps its message"));
                    return Poll::Pending;
                }
            }
        }
    }

    /// Sends `msg` if the destination has space now (Kamaelia's `send` raising `noSpaceInBox`).
    ///
    /// # Errors
    /// [`TrySendError::Full`] if the destination is full, [`TrySendError::Unlinked`] if the
    /// outbox is unlinked and its hold buffer is full, [`TrySendError::Closed`] if the
    /// destination's component has ended; each hands the message back.
    pub fn try_send(&mut self, msg: T) -> Result<(), TrySendError<T>> {
        match self.push_cached(msg, None) {
            Ok(()) => Ok(()),
            Err(Push::Full(m)) => Err(TrySendError::Full(m)),
            Err(Push::Closed(m)) => Err(TrySendError::Closed(m)),
            Err(Push::Stale(m)) => Err(TrySendError::Unlinked(m)),
            Err(Push::Done) => unreachable!(),
        }
    }

    /// Blocking form of [`send`](Self::send) for threaded components and plain code. Never call
    /// it inside an async component: it would block its scheduler thread.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_blocking(&mut self, msg: T) -> Result<(), SendError<T>> {
        crate::blocking::block_on(self.send(msg))
    }

    /// Tries the cached route, re-resolving it when links have changed. `Err(Stale)` here means
    /// "unlinked and the hold buffer is full" (the message was not taken).
    #[inline(always)]
    fn push_cached(&mut self, msg: T, cx: Option<&mut Context<'_>>) -> Result<(), Push<T>> {
        if self.core.watched() {
            return self.push_watched(msg, cx);
        }
        self.push_route(msg, cx)
    }

    /// [`push_cached`](Self::push_cached) while a tap or tracing watches: the message's text
    /// is made first and shown once the message is taken.
    #[cold]
    #[inline(never)]
    fn push_watched(&mut self, msg: T, cx: Option<&mut Context<'_>>) -> Result<(), Push<T>> {
        let trace = crate::trace::messages_enabled() && crate::trace::messages_wanted();
        if !trace && !self.core.tapped.load(Ordering::Relaxed) {
            return self.push_route(msg, cx);
        }
        let format = self.core.lock().format;
        let text = text_of(format, &msg);
        let pushed = self.push_route(msg, cx);
        if pushed.is_ok() {
            self.core.lock().taps.record(&text);
            if trace {
                crate::trace::sent(&self.core.meta, &text);
            }
        }
        pushed
    }

    #[inline]
    fn push_route(&mut self, mut msg: T, mut cx: Option<&mut Context<'_>>) -> Result<(), Push<T>> {
        loop {
            if let Some((sink, epoch)) = &self.cache {
                match sink.push(msg, Some(*epoch), cx.as_deref_mut()) {
                    Push::Done => {
                        self.core.count_sent();
                        return Ok(());
                    }
                    Push::Stale(m) => msg = m,
                    other => return Err(other),
                }
            }
            match crate::link::route(&self.core, msg) {
                Route::Inbox(sink, epoch, m) => {
                    self.cache = Some((sink, epoch));
                    msg = m;
                }
                Route::Held => {
                    self.cache = None;
                    self.core.count_sent();
                    return Ok(());
                }
                Route::HoldFull(m) => {
                    self.cache = None;
                    return Err(Push::Stale(m));
                }
            }
        }
    }
}

impl<T> Outbox<T> {
    /// Shows this outbox's messages with their `Debug` form in taps and tracing events, as
    /// [`Inbox::debuggable`](crate::Inbox::debuggable).
    pub fn debuggable(self) -> Self
    where
        T: std::fmt::Debug,
    {
        self.core.lock().format = Some(MessageFormat::debug());
        self
    }

    /// A shareable reference to this outbox, for linking it later (for example from a parent
    /// after the component has started).
    pub fn handle(&self) -> OutboxRef<T> {
        OutboxRef {
            core: Arc::clone(&self.core),
        }
    }

    /// True if the outbox is linked to something.
    pub fn is_linked(&self) -> bool {
        self.core.lock().target.is_some()
    }

    /// How many messages sent to this outbox while unlinked were discarded.
    pub fn discarded(&self) -> u64 {
        self.core.lock().discarded
    }

    /// How many messages this outbox has sent (held ones included).
    pub fn sent(&self) -> u64 {
        self.core.sent.load(Ordering::Relaxed)
    }

    /// How many messages wait in the final destination of this outbox's chain (Kamaelia's
    /// `len(self.outboxes["outbox"])`): a producer can use it to wait until the consumer has
    /// caught up. Messages held while unlinked count when unlinked.
    pub fn backlog(&self) -> usize {
        crate::link::backlog(&self.core)
    }

    /// `component.box` once its component is registered; `(unregistered inbox)` or
    /// `(unregistered outbox)` before.
    pub fn name(&self) -> String {
        self.core.meta.label()
    }
}

impl<T: Send + 'static> Default for Outbox<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for Outbox<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("name", &self.core.meta.label())
            .field("type", &self.core.meta.type_name())
            .field("linked", &self.is_linked())
            .finish()
    }
}

/// A shareable reference to an outbox, for linking it after its component has started.
pub struct OutboxRef<T> {
    pub(crate) core: Arc<OutboxCore<T>>,
}

impl<T> Clone for OutboxRef<T> {
    fn clone(&self) -> Self {
        OutboxRef {
            core: Arc::clone(&self.core),
        }
    }
}

impl<T> std::fmt::Debug for OutboxRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRef")
            .field("name", &self.core.meta.label())
            .finish()
    }
}

impl<T: Send + 'static> crate::model::__private::Carrier for Outbox<T> {
    type Message = T;
    fn set_message_format(&self, format: MessageFormat<T>) {
        self.core.lock().format.get_or_insert(format);
    }
}
