//! TwoWayBalancer: shares requests between two workers, giving each request to a worker that is
//! free (Kamaelia: `Kamaelia.Apps.Europython09.Util.TwoWayBalancer`, from the Europython '09
//! transcode-and-upload example).
//!
//! # The protocol
//!
//! * Requests arrive on `inbox`. Worker 1 gets its requests from `outbox1` and its stop message
//!   from `signal1`; worker 2 from `outbox2` and `signal2`.
//! * Each worker has a number of slots ([`TwoWayBalancer::credit`], default 1: one request at a
//!   time). A request goes to a worker with a free slot; when both have one, to the worker that
//!   has been free longest, so an even load alternates.
//! * **A worker says it has finished a request by sending exactly one message to its done inbox**
//!   (`done1` or `done2`) — normally its result, by linking its `outbox` there. That frees the
//!   slot. The message is passed on from the balancer's `outbox`, so the workers' results merge
//!   into one stream, in the order they are taken (when both workers have reported, `done1` is
//!   looked at first). A worker with nothing to report sends `()`
//!   (choose `R = ()`).
//! * While no worker is free, requests wait in the balancer's bounded `inbox` (backpressure).
//!
//! A worker whose component has ended (a request sent to it comes back) is left out from then
//! on, with its unfinished requests forgotten; the request goes to the other worker. If both
//! have ended, the balancer fails with an error saying so.
//!
//! [`TwoWayBalancer::round_robin`] gives Kamaelia's original behaviour: requests alternate
//! between the workers regardless of whether they are free, and done messages (if any are
//! linked) are passed on but not waited for.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::TwoWayBalancer;
//!
//! let mut system = System::deterministic();
//! let balancer = TwoWayBalancer::new();
//! let (mut jobs, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&jobs, &balancer.inbox).unwrap();
//! axon::link(&stop, &balancer.control).unwrap();
//! // Stand-ins for the two workers: their request inboxes and their "done" outboxes.
//! let (mut work1, mut work2) = (Inbox::new(), Inbox::new());
//! let (mut done1, mut done2) = (Outbox::new(), Outbox::new());
//! axon::link(&balancer.outbox1, &work1).unwrap();
//! axon::link(&balancer.outbox2, &work2).unwrap();
//! axon::link(&done1, &balancer.done1).unwrap();
//! axon::link(&done2, &balancer.done2).unwrap();
//! let mut results = Inbox::new();
//! axon::link(&balancer.outbox, &results).unwrap();
//! system.spawn(balancer);
//! for job in ["a", "b", "c"] {
//!     jobs.try_send(job).unwrap();
//! }
//! system.run_until_idle();
//! assert_eq!((work1.try_recv(), work2.try_recv()), (Ok("a"), Ok("b")));
//! assert!(work1.try_recv().is_err()); // "c" waits: both workers are busy
//! done2.try_send("B".to_string()).unwrap(); // worker 2 finishes first...
//! system.run_until_idle();
//! assert_eq!(work2.try_recv(), Ok("c")); // ...so it gets the next request
//! assert_eq!(results.try_recv().unwrap(), "B");
//! stop.try_send(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | requests |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `done1` | `R` | worker 1: one message per finished request (its result) |
//! | `done2` | `R` | worker 2: one message per finished request (its result) |
//! | `outbox` | `R` | the workers' done messages, in the order they are taken |
//! | `outbox1` | `T` | requests for worker 1 |
//! | `outbox2` | `T` | requests for worker 2 |
//! | `signal` | [`Control`] | the control message that ended it, after the workers were told |
//! | `signal1` | [`Control`] | the same, for worker 1's `control` |
//! | `signal2` | [`Control`] | the same, for worker 2's `control` |
//!
//! # Parameters
//!
//! * [`TwoWayBalancer::credit`]: requests a worker may have in hand at once (default 1).
//! * [`TwoWayBalancer::round_robin`]: alternate blindly, as Kamaelia's original did.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it hands out every request already queued as workers become free,
//! waits until every request handed out is done (passing the results on), then sends
//! `ProducerFinished` on `signal1`, `signal2` and `signal` and ends; in round-robin mode it does
//! not wait for done messages. On `Shutdown` — also while it waits for a worker — it ends at
//! once, discarding queued requests, and sends `Shutdown` on `signal1`, `signal2` and `signal`.
//! A worker that never reports a request done keeps a `ProducerFinished` waiting; `Shutdown`
//! still ends it.

use std::collections::VecDeque;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::watch::{note, pass_on, send_watching, Sent, Stopped};

/// Shares requests between two workers. See the [module docs](self).
#[derive(Boxes)]
pub struct TwoWayBalancer<T: Send + 'static, R: Send + 'static = ()> {
    /// Requests.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (finish the queued requests, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Worker 1: one message per finished request (its result).
    pub done1: Inbox<R>,
    /// Worker 2: one message per finished request (its result).
    pub done2: Inbox<R>,
    /// The workers' done messages, in the order they are taken.
    pub outbox: Outbox<R>,
    /// Requests for worker 1.
    pub outbox1: Outbox<T>,
    /// Requests for worker 2.
    pub outbox2: Outbox<T>,
    /// The control message that ended it, sent after the workers were told.
    pub signal: Outbox<Control>,
    /// The control message that ended it, for worker 1.
    pub signal1: Outbox<Control>,
    /// The control message that ended it, for worker 2.
    pub signal2: Outbox<Control>,
    credit: usize,
    round_robin: bool,
}

impl<T: Send + 'static, R: Send + 'static> TwoWayBalancer<T, R> {
    /// A balancer giving each worker one request at a time.
    pub fn new() -> Self {
        TwoWayBalancer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            done1: Inbox::new(),
            done2: Inbox::new(),
            outbox: Outbox::new(),
            outbox1: Outbox::new(),
            outbox2: Outbox::new(),
            signal: Outbox::new(),
            signal1: Outbox::new(),
            signal2: Outbox::new(),
            credit: 1,
            round_robin: false,
        }
    }

    /// Lets each worker have up to `requests` requests in hand at once.
    ///
    /// # Panics
    /// If `requests` is 0.
    pub fn credit(mut self, requests: usize) -> Self {
        assert!(requests > 0, "TwoWayBalancer: credit must be at least 1");
        self.credit = requests;
        self
    }

    /// Alternates requests between the workers without waiting for them to be free
    /// (Kamaelia's original behaviour).
    pub fn round_robin(mut self) -> Self {
        self.round_robin = true;
        self
    }
}

impl<T: Send + 'static, R: Send + 'static> Default for TwoWayBalancer<T, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static, R: Send + 'static> std::fmt::Debug for TwoWayBalancer<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoWayBalancer")
            .field("credit", &self.credit)
            .field("round_robin", &self.round_robin)
            .finish_non_exhaustive()
    }
}

/// What the balancer knows about the workers.
struct Workers {
    /// Free slots, the one free longest first (each entry is a worker: 0 or 1).
    free: VecDeque<usize>,
    /// Requests handed out and not yet done, per worker.
    busy: [usize; 2],
    /// Workers whose component has ended.
    gone: [bool; 2],
    round_robin: bool,
    /// Round-robin: who is next.
    turn: usize,
}

impl Workers {
    fn new(credit: usize, round_robin: bool) -> Self {
        Workers {
            free: (0..credit).flat_map(|_| [0, 1]).collect(),
            busy: [0, 0],
            gone: [false, false],
            round_robin,
            turn: 0,
        }
    }

    /// Whether a request can be handed out now.
    fn can_take(&self) -> bool {
        if self.round_robin {
            !(self.gone[0] && self.gone[1])
        } else {
            !self.free.is_empty()
        }
    }

    /// The worker for the next request (call only if [`can_take`](Self::can_take)).
    fn pick(&mut self) -> usize {
        if self.round_robin {
            let w = if self.gone[self.turn] {
                1 - self.turn
            } else {
                self.turn
            };
            self.turn = 1 - w;
            w
        } else {
            let w = self.free.pop_front().unwrap_or(0);
            self.busy[w] += 1;
            w
        }
    }

    /// Worker `w` finished a request.
    fn done(&mut self, w: usize) {
        if !self.round_robin && self.busy[w] > 0 && !self.gone[w] {
            self.busy[w] -= 1;
            self.free.push_back(w);
        }
    }

    /// Worker `w` has ended: it gets nothing more, and its requests will never be done.
    fn ended(&mut self, w: usize) {
        self.gone[w] = true;
        self.busy[w] = 0;
        self.free.retain(|&x| x != w);
    }

    fn outstanding(&self) -> usize {
        if self.round_robin {
            0
        } else {
            self.busy[0] + self.busy[1]
        }
    }
}

/// How the body ended.
enum End {
    Control(Control),
    Failed(Error),
}

impl<T: Send + 'static, R: Send + 'static> TwoWayBalancer<T, R> {
    async fn serve(&mut self) -> End {
        let mut workers = Workers::new(self.credit, self.round_robin);
        let mut finishing = false;
        // A request that came back from a worker that has ended, to hand to the other.
        let mut retry: Option<T> = None;
        loop {
            if finishing && retry.is_none() && self.inbox.is_empty() && workers.outstanding() == 0 {
                return End::Control(Control::ProducerFinished);
            }
            let ready = workers.can_take();
            if workers.gone[0] && workers.gone[1] {
                return End::Failed(Error::msg(
                    "TwoWayBalancer: both workers have ended; requests can no longer be handed out",
                ));
            }
            let request = match retry.take() {
                Some(r) if ready => Some(r),
                r => {
                    retry = r;
                    let take_new = ready && retry.is_none();
                    tokio::select! {
                        biased;
                        c = self.control.recv() => {
                            if let Err(Stopped(c)) = note(c, &mut finishing) {
                                return End::Control(c);
                            }
                            None
                        }
                        Some(r) = self.done1.recv() => {
                            workers.done(0);
                            if let Err(e) = self.pass(r, &mut finishing).await {
                                return e;
                            }
                            None
                        }
                        Some(r) = self.done2.recv() => {
                            workers.done(1);
                            if let Err(e) = self.pass(r, &mut finishing).await {
                                return e;
                            }
                            None
                        }
                        Some(req) = self.inbox.recv(), if take_new => Some(req),
                    }
                }
            };
            let Some(request) = request else { continue };
            let w = workers.pick();
            let out = if w == 0 {
                &mut self.outbox1
            } else {
                &mut self.outbox2
            };
            match send_watching(out, request, &mut self.control, &mut finishing).await {
                Ok(Sent::Delivered) => {}
                Ok(Sent::Closed(request)) => {
                    workers.ended(w);
                    retry = Some(request);
                }
                Err(Stopped(c)) => return End::Control(c),
            }
        }
    }

    /// Passes a done message on from `outbox`.
    async fn pass(&mut self, r: R, finishing: &mut bool) -> Result<(), End> {
        match send_watching(&mut self.outbox, r, &mut self.control, finishing).await {
            Ok(Sent::Delivered) => Ok(()),
            Ok(Sent::Closed(_)) => Err(End::Failed(Error::msg(
                "TwoWayBalancer: the component its outbox leads to has ended",
            ))),
            Err(Stopped(c)) => Err(End::Control(c)),
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> Component for TwoWayBalancer<T, R> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let (end, result) = match self.serve().await {
            End::Control(c) => (c, Ok(())),
            End::Failed(e) => (Control::Shutdown, Err(e)),
        };
        pass_on(&mut self.signal1, end.clone()).await;
        pass_on(&mut self.signal2, end.clone()).await;
        pass_on(&mut self.signal, end).await;
        result
    }
}

crate::impl_stage!([T: Send + 'static, R: Send + 'static] TwoWayBalancer<T, R>, T => R);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let b: TwoWayBalancer<Msg, Msg> = TwoWayBalancer::new();
    Entry::new(
        "TwoWayBalancer",
        "Kamaelia.Apps.Europython09.Util.TwoWayBalancer",
        Family::Util,
        "Hands each request to whichever of two workers is free; a worker reports each request done with one message (its result) on done1/done2, passed on from outbox.",
        axon::box_infos(&b),
    )
    .parameter("credit", "usize", "requests a worker may have in hand at once (default 1)")
    .parameter("round_robin", "bool", "TwoWayBalancer::round_robin(): alternate blindly, as Kamaelia's original did")
});
