//! Inboxes: the queue a component reads from, and the shared core every sender delivers into.
//!
//! ```
//! use axon::{Inbox, Outbox};
//! let mut inbox: Inbox<&str> = Inbox::new();
//! let mut outbox = Outbox::new();
//! axon::link(&outbox, &inbox).unwrap();
//! outbox.try_send("hello").unwrap();
//! assert_eq!(inbox.try_recv(), Ok("hello"));
//! ```

#[cfg(axon_loom)]
use loom::sync::atomic::AtomicUsize;
use std::future::poll_fn;
#[cfg(not(axon_loom))]
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::lock::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use super::meta::BoxMeta;
use super::queue::Queue;
use super::senders::Senders;
use crate::error::TryRecvError;
use crate::model::{text_of, MessageFormat, Taps};

/// The capacity of a box when none is given: the bound that makes backpressure the default.
pub const DEFAULT_CAPACITY: usize = 128;

/// The state of an inbox shared by its owner and everyone who delivers into it.
pub(crate) struct InboxCore<T> {
    state: Mutex<InboxState<T>>,
    /// The queue length, published after every change so it can be read without the lock
    /// (a relaxed store: a plain write, no locked instruction).
    len: AtomicUsize,
    pub(crate) meta: BoxMeta,
}

pub(crate) struct InboxState<T> {
    pub(crate) queue: Queue<T>,
    /// `usize::MAX` means unbounded.
    pub(crate) capacity: usize,
    /// Bumped whenever the set of chains ending here changes, so that senders holding a cached
    /// route re-resolve it (see `link.rs`).
    pub(crate) epoch: u64,
    /// `Some` while this inbox is forwarded onward (Kamaelia's inbox→inbox passthrough).
    pub(crate) forward: Option<Arc<InboxCore<T>>>,
    /// The consumer's waker, kept between waits (so a wait costs no clone when it is the same
    /// task) and used only while `rx_parked`.
    rx_waker: Option<Waker>,
    /// The consumer waits for a message (read by the live model too).
    pub(crate) rx_parked: bool,
    /// Producers waiting for room (the live model finds blocked senders here by their waker).
    pub(crate) tx_waiters: Senders,
    pub(crate) closed: bool,
    /// Keep what is left unread when the owner ends, for [`InboxRef::take_unread`].
    keep_unread: bool,
    pub(crate) pushed: u64,
    pub(crate) popped: u64,
    pub(crate) discarded: u64,
    /// How messages become text for taps (`None`: the type's name).
    pub(crate) format: Option<MessageFormat<T>>,
    /// Taps recording what is delivered here (normally none: one test of this field).
    pub(crate) taps: Taps,
}

impl<T> InboxState<T> {
    /// Shows `msgs`, about to be delivered, to the taps (the caller checked there are some).
    #[cold]
    fn tap<'a>(&self, msgs: impl IntoIterator<Item = &'a T>)
    where
        T: 'a,
    {
        for m in msgs {
            self.taps.record(&text_of(self.format, m));
        }
    }

    /// Records that the consumer waits, reusing the stored waker when it is the same task's.
    #[inline]
    fn park_rx(&mut self, cx: &Context<'_>) {
        if !self
            .rx_waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            self.rx_waker = Some(cx.waker().clone());
        }
        self.rx_parked = true;
    }

    /// Wakes the consumer if it waits: only on the transition, and without giving up the
    /// waker, so a busy hand-off costs no reference-count traffic. Called under the box lock;
    /// wakers never take a box lock, so this cannot deadlock.
    #[inline]
    fn wake_rx(&mut self) {
        if self.rx_parked {
            self.rx_parked = false;
            if let Some(w) = &self.rx_waker {
                w.wake_by_ref();
            }
        }
    }
}

/// What a batch push into a core did.
pub(crate) enum PushMany {
    /// All delivered (this many).
    Done(usize),
    /// This many delivered; the rest wait for space.
    Full(usize),
    Closed,
    Stale,
}

/// What a push into a core did.
pub(crate) enum Push<T> {
    Done,
    Full(T),
    Closed(T),
    /// The route the sender cached is out of date; resolve again.
    Stale(T),
}

impl<T> InboxCore<T> {
    pub(crate) fn new(capacity: usize) -> Arc<Self> {
        Arc::new(InboxCore {
            state: Mutex::new(InboxState {
                queue: Queue::default(),
                capacity,
                epoch: 0,
                forward: None,
                rx_waker: None,
                rx_parked: false,
                tx_waiters: Senders::default(),
                closed: false,
                keep_unread: false,
                pushed: 0,
                popped: 0,
                discarded: 0,
                format: None,
                taps: Taps::default(),
            }),
            len: AtomicUsize::new(0),
            meta: BoxMeta::new(super::meta::inbox_kind::<T>),
        })
    }

    /// Publishes the queue length for lock-free readers; call after changing the queue.
    pub(crate) fn sync_len(&self, st: &InboxState<T>) {
        self.len.store(st.queue.len(), Ordering::Relaxed);
    }

    /// The queue length without taking the lock (may be momentarily stale).
    pub(crate) fn len_hint(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, InboxState<T>> {
        // parking_lot: no poisoning (every critical section is a handful of operations that
        // cannot leave the queue half-updated) and an inlined uncontended fast path.
        self.state.lock()
    }

    /// Delivers `msg` if the caller's route (checked by `epoch`) is still current. If `cx` is given
    /// and the box is full, the caller's waker is queued to be woken when space appears.
    pub(crate) fn push(&self, msg: T, epoch: Option<u64>, cx: Option<&mut Context<'_>>) -> Push<T> {
        let mut st = self.lock();
        if epoch.is_some_and(|e| e != st.epoch) || st.forward.is_some() {
            return Push::Stale(msg);
        }
        if st.closed {
            return Push::Closed(msg);
        }
        if st.queue.len() >= st.capacity {
            if let Some(cx) = cx {
                st.tx_waiters.add(cx.waker(), || self.meta.now());
            }
            return Push::Full(msg);
        }
        if !st.taps.is_empty() {
            st.tap([&msg]);
        }
        st.queue.push_back(msg);
        st.pushed += 1;
        self.sync_len(&st);
        st.wake_rx();
        Push::Done
    }

    /// Appends without a capacity check (used to flush messages onward when links change).
    pub(crate) fn append_flushed(&self, msgs: impl IntoIterator<Item = T>) {
        let mut st = self.lock();
        if st.closed {
            // Linking refuses closed destinations; this is the race where the owner ended in
            // between. The messages cannot be delivered: count them.
            st.discarded += msgs.into_iter().count() as u64;
            return;
        }
        let before = st.queue.len();
        st.queue.extend(msgs);
        if !st.taps.is_empty() {
            st.tap(st.queue.iter_from(before));
        }
        let n = (st.queue.len() - before) as u64;
        st.pushed += n;
        self.sync_len(&st);
        if n > 0 {
            st.wake_rx();
        }
    }

    /// Bumps the epoch and wakes every waiting producer so that it re-resolves its route.
    pub(crate) fn invalidate_routes(&self) {
        let mut st = self.lock();
        st.epoch += 1;
        let waiters = st.tx_waiters.take();
        drop(st);
        waiters.wake();
    }

    /// Takes the next message; if there is none and `cx` is given, parks the consumer.
    /// `Err(true)`: closed and empty; `Err(false)`: empty.
    #[inline(always)]
    fn pop(&self, cx: Option<&mut Context<'_>>) -> Result<T, bool> {
        let mut st = self.lock();
        match st.queue.pop_front() {
            Some(m) => {
                st.popped += 1;
                self.sync_len(&st);
                let waiters = Self::after_pop(&mut st);
                drop(st);
                wake_all(waiters);
                crate::trace::on_received(&self.meta, 1);
                Ok(m)
            }
            None if st.closed => Err(true),
            None => {
                if let Some(cx) = cx {
                    st.park_rx(cx);
                }
                Err(false)
            }
        }
    }

    pub(crate) fn poll_pop(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.pop(Some(cx)) {
            Ok(m) => Poll::Ready(Some(m)),
            Err(true) => Poll::Ready(None),
            Err(false) => Poll::Pending,
        }
    }

    pub(crate) fn try_pop(&self) -> Result<T, TryRecvError> {
        self.pop(None).map_err(|closed| {
            if closed {
                TryRecvError::Closed
            } else {
                TryRecvError::Empty
            }
        })
    }

    /// As [`pop_many`](Self::pop_many), but registers `cx` to be woken if nothing is waiting.
    pub(crate) fn poll_pop_many(
        &self,
        cx: &mut Context<'_>,
        buf: &mut Vec<T>,
        max: usize,
    ) -> Poll<usize> {
        let n = self.pop_many(buf, max);
        if n > 0 {
            return Poll::Ready(n);
        }
        let mut st = self.lock();
        if !st.queue.is_empty() {
            drop(st);
            return Poll::Ready(self.pop_many(buf, max));
        }
        if st.closed {
            return Poll::Ready(0);
        }
        st.park_rx(cx);
        Poll::Pending
    }

    /// Delivers as many messages from the front of `buf` as fit, under one lock (the batch form
    /// of [`push`](Self::push)). If some are left and `cx` is given, the caller is queued to be
    /// woken when space appears.
    pub(crate) fn push_many(
        &self,
        buf: &mut Vec<T>,
        epoch: Option<u64>,
        cx: Option<&mut Context<'_>>,
    ) -> PushMany {
        let mut st = self.lock();
        if epoch.is_some_and(|e| e != st.epoch) || st.forward.is_some() {
            return PushMany::Stale;
        }
        if st.closed {
            return PushMany::Closed;
        }
        let k = st.capacity.saturating_sub(st.queue.len()).min(buf.len());
        if !st.taps.is_empty() {
            st.tap(&buf[..k]);
        }
        st.queue.extend(buf.drain(..k));
        st.pushed += k as u64;
        self.sync_len(&st);
        if k > 0 {
            st.wake_rx();
        }
        let full = !buf.is_empty();
        if full {
            if let Some(cx) = cx {
                st.tx_waiters.add(cx.waker(), || self.meta.now());
            }
        }
        drop(st);
        if full {
            PushMany::Full(k)
        } else {
            PushMany::Done(k)
        }
    }

    /// Moves up to `max` waiting messages into `buf` under one lock.
    pub(crate) fn pop_many(&self, buf: &mut Vec<T>, max: usize) -> usize {
        let mut st = self.lock();
        let n = st.queue.len().min(max);
        st.queue.pop_into(buf, n);
        st.popped += n as u64;
        self.sync_len(&st);
        let waiters = if n > 0 {
            Self::after_pop(&mut st)
        } else {
            None
        };
        drop(st);
        wake_all(waiters);
        if n > 0 {
            crate::trace::on_received(&self.meta, n);
        }
        n
    }

    /// Bookkeeping after taking messages: producers waiting for space are woken only on the
    /// transition from full to not full, so wake-ups are paid per batch, not per message.
    #[inline]
    fn after_pop(st: &mut InboxState<T>) -> Option<Senders> {
        if st.tx_waiters.is_empty() || st.queue.len() >= st.capacity {
            None
        } else {
            Some(st.tx_waiters.take())
        }
    }

    /// Wakes the consumer if it waits, without delivering anything (it looks again at what it
    /// waits for).
    pub(crate) fn wake_reader(&self) {
        self.lock().wake_rx();
    }

    /// Marks the box closed: later sends fail with `Closed`, waiting messages are discarded
    /// (or kept for [`InboxRef::take_unread`] if asked for; counted as discarded until taken).
    pub(crate) fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        st.discarded += st.queue.len() as u64;
        let dropped = if st.keep_unread {
            Queue::default()
        } else {
            std::mem::take(&mut st.queue)
        };
        self.sync_len(&st);
        let waiters = st.tx_waiters.take();
        let rx = st.rx_waker.take();
        st.rx_parked = false;
        drop(st);
        drop(dropped);
        waiters.wake();
        if let Some(w) = rx {
            w.wake();
        }
    }

    /// The final inbox of the chain that starts at this inbox.
    pub(crate) fn final_inbox(self: &Arc<Self>) -> Arc<InboxCore<T>> {
        let mut at = Arc::clone(self);
        loop {
            let next = at.lock().forward.clone();
            match next {
                Some(n) => at = n,
                None => return at,
            }
        }
    }
}

/// A typed, bounded queue that a component reads from (Kamaelia's inbox).
///
/// An inbox is owned by one component; senders reach it through links from their outboxes (see
/// [`link`](crate::link())) or through an [`InboxRef`]. It holds at most its capacity
/// ([`DEFAULT_CAPACITY`] unless set); a sender whose destination is full waits
/// ([`Outbox::send`](crate::Outbox::send)) or gets its message back
/// ([`Outbox::try_send`](crate::Outbox::try_send)).
///
/// While an inbox is forwarded onward with [`forward_inbox`](crate::forward_inbox), messages go
/// straight to the end of the chain and `recv` on it waits (Kamaelia let `recv` steal from the
/// downstream inbox; we do not).
pub struct Inbox<T> {
    pub(crate) core: Arc<InboxCore<T>>,
}

impl<T: Send + 'static> Inbox<T> {
    /// An inbox holding at most [`DEFAULT_CAPACITY`] messages.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// An inbox holding at most `capacity` messages (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Inbox {
            core: InboxCore::new(capacity.max(1)),
        }
    }

    /// An inbox with no limit. Opt in only where something else bounds what can arrive: memory
    /// grows with every message nobody takes.
    pub fn unbounded() -> Self {
        Inbox {
            core: InboxCore::new(usize::MAX),
        }
    }

    /// Waits for the next message. Returns `None` only once the inbox is closed (its owner ended
    /// or the system stopped) and empty.
    ///
    /// # Cancel safety
    /// Cancel-safe: if this future loses a `select!` race, no message is lost.
    pub async fn recv(&mut self) -> Option<T> {
        crate::coop::consume().await;
        poll_fn(|cx| self.core.poll_pop(cx)).await
    }

    /// Polls for the next message (the building block of [`recv`](Self::recv)).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.core.poll_pop(cx)
    }

    /// Takes the next message if one is waiting (Kamaelia's `dataReady()` + `recv()`).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.core.try_pop()
    }

    /// Moves up to `max` waiting messages into `buf` under one lock and returns how many.
    /// Never waits.
    pub fn recv_many(&mut self, buf: &mut Vec<T>, max: usize) -> usize {
        self.core.pop_many(buf, max)
    }

    /// Waits until at least one message is waiting, then moves up to `max` of them into `buf`
    /// under one lock and returns how many (0 only once the inbox is closed). Draining in
    /// batches is how a busy component pays for locking and wake-ups once per batch.
    ///
    /// # Cancel safety
    /// Cancel-safe: messages are moved only when the future completes.
    pub async fn recv_batch(&mut self, buf: &mut Vec<T>, max: usize) -> usize {
        crate::coop::consume().await;
        poll_fn(|cx| self.core.poll_pop_many(cx, buf, max.max(1))).await
    }

    /// Blocks the calling OS thread until a message arrives. For threaded components and plain
    /// code only: calling it inside an async component would block its scheduler thread.
    ///
    /// An inbox that no component owns is never closed by the end of what feeds it (links can
    /// be made again at any time), so in plain code this waits for ever once its sources have
    /// ended. To read a component's output from plain code, use a
    /// [`Handle`](crate::bridge::Handle), whose `recv` ends with the component, or
    /// [`recv_blocking_timeout`](Self::recv_blocking_timeout).
    pub fn recv_blocking(&mut self) -> Option<T> {
        crate::blocking::block_on(self.recv())
    }

    /// Like [`recv_blocking`](Self::recv_blocking), giving up after `timeout`.
    pub fn recv_blocking_timeout(
        &mut self,
        timeout: std::time::Duration,
    ) -> Result<T, TryRecvError> {
        match crate::blocking::block_on_timeout(self.recv(), timeout) {
            Some(Some(m)) => Ok(m),
            Some(None) => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Shows this inbox's messages with their `Debug` form in taps and tracing events (see
    /// [`crate::model`]). `#[derive(Boxes)]` does this by itself wherever the message type is
    /// known to be `Debug`; call it in the constructor of a generic component whose `T: Debug`
    /// is known there but not on the struct.
    pub fn debuggable(self) -> Self
    where
        T: std::fmt::Debug,
    {
        self.core.lock().format = Some(MessageFormat::debug());
        self
    }

    /// A cloneable, thread-safe reference for linking to or sending into this inbox later.
    pub fn handle(&self) -> InboxRef<T> {
        InboxRef {
            core: Arc::clone(&self.core),
        }
    }
}

impl<T> Inbox<T> {
    /// How many messages are waiting in this inbox's own queue. Read without locking, so it
    /// costs a load; a concurrent delivery may not be counted yet.
    pub fn len(&self) -> usize {
        self.core.len_hint()
    }

    /// True if no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most messages this inbox holds; `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        capacity_of(&self.core.lock())
    }

    /// Changes the capacity (`None` = unbounded). Messages already waiting stay even if they now
    /// exceed it; senders wait until the inbox drains below the new limit.
    pub fn set_capacity(&self, capacity: Option<usize>) {
        set_capacity(&self.core, capacity);
    }

    /// `component.box` once its component is registered; `(unregistered inbox)` or
    /// `(unregistered outbox)` before.
    pub fn name(&self) -> String {
        self.core.meta.label()
    }
}

#[cold]
fn wake_all_cold(waiters: Senders) {
    waiters.wake();
}

#[inline]
fn wake_all(waiters: Option<Senders>) {
    if let Some(w) = waiters {
        wake_all_cold(w);
    }
}

fn capacity_of<T>(st: &InboxState<T>) -> Option<usize> {
    (st.capacity != usize::MAX).then_some(st.capacity)
}

pub(crate) fn set_capacity<T>(core: &InboxCore<T>, capacity: Option<usize>) {
    let mut st = core.lock();
    st.capacity = capacity.map_or(usize::MAX, |c| c.max(1));
    let waiters = if st.queue.len() < st.capacity {
        st.tx_waiters.take()
    } else {
        Senders::default()
    };
    drop(st);
    waiters.wake();
}

impl<T: Send + 'static> Default for Inbox<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for Inbox<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.core.lock();
        f.debug_struct("Inbox")
            .field("name", &self.core.meta.label())
            .field("type", &self.core.meta.type_name())
            .field("len", &st.queue.len())
            .field("capacity", &capacity_of(&st))
            .finish()
    }
}

/// A shareable reference to an inbox: link to it, or send into it directly from anywhere
/// (services, bridges, other threads). Sending through an `InboxRef` counts as one more source
/// feeding the inbox; ordering is exact send order among all sources.
pub struct InboxRef<T> {
    pub(crate) core: Arc<InboxCore<T>>,
}

impl<T> Clone for InboxRef<T> {
    fn clone(&self) -> Self {
        InboxRef {
            core: Arc::clone(&self.core),
        }
    }
}

impl<T> std::fmt::Debug for InboxRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxRef")
            .field("name", &self.core.meta.label())
            .finish()
    }
}

impl<T: Send + 'static> InboxRef<T> {
    /// Delivers `msg` to the end of this inbox's chain, waiting while it is full.
    ///
    /// # Errors
    /// [`SendError::Closed`](crate::SendError::Closed) with the message if the inbox's owner ended.
    pub async fn send(&self, msg: T) -> Result<(), crate::SendError<T>> {
        crate::coop::consume().await;
        let mut slot = Some(msg);
        poll_fn(|cx| {
            let msg = slot.take().expect("polled after completion");
            match self.push(msg, Some(cx)) {
                Push::Closed(m) => Poll::Ready(Err(crate::SendError::Closed(m))),
                Push::Full(m) => {
                    slot = Some(m);
                    Poll::Pending
                }
                Push::Done | Push::Stale(_) => Poll::Ready(Ok(())),
            }
        })
        .await
    }

    /// Pushes into this inbox if it is the end of its chain (the common case: no global lock);
    /// otherwise resolves the end of the chain under the topology lock, so that a message sent
    /// while the inbox is being forwarded lands after the messages the forward flushes onward.
    /// Never returns `Stale`.
    fn push(&self, mut msg: T, mut cx: Option<&mut Context<'_>>) -> Push<T> {
        match self.core.push(msg, None, cx.as_deref_mut()) {
            Push::Stale(m) => msg = m,
            other => return other,
        }
        loop {
            let (sink, epoch) = crate::link::resolve_inbox(&self.core);
            match sink.push(msg, Some(epoch), cx.as_deref_mut()) {
                Push::Stale(m) => msg = m,
                other => return other,
            }
        }
    }

    /// Delivers `msg` if there is space now.
    ///
    /// # Errors
    /// `Full` or `Closed`, with the message.
    pub fn try_send(&self, msg: T) -> Result<(), crate::TrySendError<T>> {
        match self.push(msg, None) {
            Push::Done | Push::Stale(_) => Ok(()),
            Push::Full(m) => Err(crate::TrySendError::Full(m)),
            Push::Closed(m) => Err(crate::TrySendError::Closed(m)),
        }
    }

    /// Blocking form of [`send`](Self::send), for threads outside the scheduler.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_blocking(&self, msg: T) -> Result<(), crate::SendError<T>> {
        crate::blocking::block_on(self.send(msg))
    }

    /// How many messages wait in this inbox.
    pub fn len(&self) -> usize {
        self.core.lock().queue.len()
    }

    /// True if nothing waits in this inbox.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True once the inbox's owner has ended.
    pub fn is_closed(&self) -> bool {
        self.core.lock().closed
    }

    /// Changes the capacity of the inbox (`None` = unbounded), as [`Inbox::set_capacity`].
    pub fn set_capacity(&self, capacity: Option<usize>) {
        set_capacity(&self.core, capacity);
    }

    /// Asks that messages left unread when the inbox's owner ends be kept for
    /// [`take_unread`](Self::take_unread) instead of being dropped. For whoever fed the owner
    /// and wants its unread input back — a chassis handing input to one child after another
    /// (`Seq` and `Carousel` in the component library), a supervisor restarting a child. They
    /// are still counted as discarded until taken, and they are dropped with the inbox if
    /// nobody takes them; at most the inbox's capacity is kept.
    pub fn keep_unread(&self) {
        self.core.lock().keep_unread = true;
    }

    /// Takes back, in order, the messages the inbox's owner left unread when it ended (see
    /// [`keep_unread`](Self::keep_unread)). Empty while the owner is running — what waits in
    /// its inbox is still its to read — and when nothing was left or kept.
    ///
    /// ```
    /// use axon::{Boxes, Component, Context, Error, Inbox, System};
    /// /// Ends without reading anything.
    /// #[derive(Boxes)]
    /// struct Deaf {
    ///     /// Never read.
    ///     inbox: Inbox<u32>,
    /// }
    /// impl Component for Deaf {
    ///     async fn run(self, _ctx: Context) -> Result<(), Error> { Ok(()) }
    /// }
    ///
    /// let mut system = System::deterministic();
    /// let deaf = Deaf { inbox: Inbox::new() };
    /// let feed = deaf.inbox.handle();
    /// feed.keep_unread();
    /// feed.try_send(1).unwrap();
    /// feed.try_send(2).unwrap();
    /// assert_eq!(feed.take_unread(), []); // not ended yet: still Deaf's to read
    /// system.spawn(deaf);
    /// system.run().unwrap();
    /// assert_eq!(feed.take_unread(), [1, 2]);
    /// ```
    pub fn take_unread(&self) -> Vec<T> {
        let mut st = self.core.lock();
        if !st.closed {
            return Vec::new();
        }
        let unread: Vec<T> = std::mem::take(&mut st.queue).into_iter().collect();
        st.discarded -= unread.len() as u64;
        self.core.sync_len(&st);
        unread
    }
}

impl<T: Send + 'static> crate::model::__private::Carrier for Inbox<T> {
    type Message = T;
    fn set_message_format(&self, format: MessageFormat<T>) {
        self.core.lock().format.get_or_insert(format);
    }
}
