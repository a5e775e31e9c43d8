//! `impl=axon`: workloads W1–W4 written with axon components, the way a user would write them.
//!
//! Every stage is a component with typed boxes, linked with bounded inboxes of
//! [`LINK_CAPACITY`] (128), on a one-thread [`System`] built per call. End of stream follows
//! the control/signal convention: the source sends `ProducerFinished` on `signal`, which each
//! stage receives on `control`, drains, and passes on.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use axon::{
    next_batch, next_event, Batch, Boxes, Component, Context, Control, DynamicOutboxes, Error,
    Event, Inbox, Outbox, OutboxRef, System,
};

use crate::measure;
use crate::outcome::{ChainOutcome, FlowOutcome, RingOutcome, CHAIN_MESSAGE, LINK_CAPACITY};

fn inbox<T: Send + 'static>() -> Inbox<T> {
    Inbox::with_capacity(LINK_CAPACITY)
}

/// Sends `0..n`, then `ProducerFinished`.
#[derive(Boxes)]
struct Source {
    /// The numbers.
    outbox: Outbox<u64>,
    /// End of stream.
    signal: Outbox<Control>,
    n: u64,
    started: Arc<Mutex<Option<Instant>>>,
}

impl Component for Source {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        *self.started.lock().expect("lock") = Some(Instant::now());
        for i in 0..self.n {
            self.outbox.send(i).await?;
        }
        self.signal.send(Control::ProducerFinished).await?;
        Ok(())
    }
}

/// Passes every message on; on a control message, drains and passes that on too.
#[derive(Boxes)]
struct PassThrough<T: Send + 'static> {
    /// Messages in.
    inbox: Inbox<T>,
    /// End of stream.
    control: Inbox<Control>,
    /// Messages out.
    outbox: Outbox<T>,
    /// End of stream, passed on.
    signal: Outbox<Control>,
    /// One message at a time (`next_event` + `send`) instead of in batches.
    per_message: bool,
}

impl<T: Send + 'static> PassThrough<T> {
    fn new() -> Self {
        PassThrough {
            inbox: inbox(),
            control: inbox(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            per_message: per_message(),
        }
    }

    /// Passes on what is left in `inbox`, then `control`.
    async fn finish(&mut self, control: Control, batch: &mut Vec<T>) -> Result<(), Error> {
        while self.inbox.recv_many(batch, LINK_CAPACITY) > 0 {
            self.outbox.send_all(batch).await?;
        }
        self.signal.send(control).await?;
        Ok(())
    }
}

/// Set `AXON_BENCH_PER_MESSAGE=1` to run the pass-through stages one message at a time
/// (`next_event` + `send`) instead of in batches, to see what batching buys. Read once per
/// process: W4 builds 100,000 stages, and reading the environment for each cost about 300
/// instructions a component, charged to axon alone.
fn per_message() -> bool {
    static PER_MESSAGE: OnceLock<bool> = OnceLock::new();
    *PER_MESSAGE
        .get_or_init(|| std::env::var_os("AXON_BENCH_PER_MESSAGE").is_some_and(|v| v == "1"))
}

impl<T: Send + 'static> Component for PassThrough<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        // The batch grows to what arrives at once (at most a link's capacity): a stage that
        // only ever sees one message never holds room for 128.
        let mut batch = Vec::new();
        loop {
            if self.per_message {
                match next_event(&mut self.control, &mut self.inbox).await {
                    Event::Message(m) => self.outbox.send(m).await?,
                    Event::Control(c) => return self.finish(c, &mut batch).await,
                }
            } else {
                // Take what is waiting in one go and pass it on in one go: locking and
                // wake-ups are paid per batch, not per message.
                match next_batch(
                    &mut self.control,
                    &mut self.inbox,
                    &mut batch,
                    LINK_CAPACITY,
                )
                .await
                {
                    Batch::Messages(_) => self.outbox.send_all(&mut batch).await?,
                    Batch::Control(c) => return self.finish(c, &mut batch).await,
                }
            }
        }
    }
}

type SinkResult = Arc<Mutex<Option<(u64, u64, Instant)>>>;

/// Counts and adds up until `ProducerFinished` has arrived `expected_finishes` times.
#[derive(Boxes)]
struct Sink {
    /// Numbers.
    inbox: Inbox<u64>,
    /// End of stream.
    control: Inbox<Control>,
    result: SinkResult,
}

impl Component for Sink {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let (mut count, mut sum) = (0u64, 0u64);
        while let Event::Message(m) = next_event(&mut self.control, &mut self.inbox).await {
            count += 1;
            sum = sum.wrapping_add(m);
        }
        while let Ok(m) = self.inbox.try_recv() {
            count += 1;
            sum = sum.wrapping_add(m);
        }
        *self.result.lock().expect("lock") = Some((count, sum, Instant::now()));
        Ok(())
    }
}

fn flow_outcome(started: &Mutex<Option<Instant>>, result: &SinkResult) -> FlowOutcome {
    let start = started.lock().expect("lock").expect("the source ran");
    let (count, sum, end) = result.lock().expect("lock").expect("the sink finished");
    FlowOutcome {
        elapsed: end - start,
        count,
        sum,
    }
}

/// W1: source → `stages` pass-through stages → summing sink, `n` messages (rules in
/// [`FlowOutcome`]).
pub fn w1_pipeline(n: u64, stages: usize) -> FlowOutcome {
    w1_between(n, |system, mut out, mut sig| {
        for _ in 0..stages {
            let stage = system.adopt(PassThrough::<u64>::new());
            axon::link(&out, &stage.inbox).expect("link");
            axon::link(&sig, &stage.control).expect("link");
            (out, sig) = (stage.outbox.handle(), stage.signal.handle());
            system.activate(stage);
        }
        (out, sig)
    })
}

/// W1 with the pass-through stages as one [`Line`](axon::line::Line) of `stages` transforms
/// between the same source and sink: two task hand-offs per message instead of eleven, and ten
/// calls.
pub fn w1_line(n: u64, stages: usize) -> FlowOutcome {
    use axon::line::{Chain, Line, PassThrough as Pass};
    w1_between(n, |system, out, sig| {
        let mut chain = Chain::new();
        for _ in 0..stages {
            chain = chain.then(Pass::new());
        }
        let line = system.adopt(Line::new(chain));
        axon::link(&out, &line.inbox).expect("link");
        axon::link(&sig, &line.control).expect("link");
        let ends = (line.outbox.handle(), line.signal.handle());
        system.activate(line);
        ends
    })
}

/// W1's source and summing sink, with what `middle` builds between them: it gets the source's
/// `outbox` and `signal` and returns the two the sink is linked to.
fn w1_between(
    n: u64,
    middle: impl FnOnce(
        &mut System,
        OutboxRef<u64>,
        OutboxRef<Control>,
    ) -> (OutboxRef<u64>, OutboxRef<Control>),
) -> FlowOutcome {
    let mut system = System::new();
    let started = Arc::new(Mutex::new(None));
    let result: SinkResult = Arc::new(Mutex::new(None));
    let source = system.adopt(Source {
        outbox: Outbox::new(),
        signal: Outbox::new(),
        n,
        started: started.clone(),
    });
    let (out, sig) = (source.outbox.handle(), source.signal.handle());
    system.activate(source);
    let (out, sig) = middle(&mut system, out, sig);
    let sink = system.adopt(Sink {
        inbox: inbox(),
        control: inbox(),
        result: result.clone(),
    });
    axon::link(&out, &sink.inbox).expect("link");
    axon::link(&sig, &sink.control).expect("link");
    system.activate(sink);
    system.run().expect("W1 runs to the end");
    flow_outcome(&started, &result)
}

/// Deals messages round-robin to its dynamic outboxes; on a control message, passes it to every
/// worker.
#[derive(Boxes)]
struct Splitter {
    /// Messages in.
    inbox: Inbox<u64>,
    /// End of stream.
    control: Inbox<Control>,
    /// One outbox per worker.
    #[boxes(flatten)]
    outs: DynamicOutboxes<u64>,
    /// One control outbox per worker.
    #[boxes(flatten)]
    signals: DynamicOutboxes<Control>,
}

impl Component for Splitter {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let keys = self.outs.keys();
        let mut next = 0;
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => {
                    self.outs.send(keys[next], m).await?;
                    next = (next + 1) % keys.len();
                }
                Event::Control(c) => {
                    while let Ok(m) = self.inbox.try_recv() {
                        self.outs.send(keys[next], m).await?;
                        next = (next + 1) % keys.len();
                    }
                    for k in self.signals.keys() {
                        self.signals.send(k, c.clone()).await?;
                    }
                    return Ok(());
                }
            }
        }
    }
}

/// Merges many inputs (many-to-one into its inbox); ends after `inputs` control messages.
#[derive(Boxes)]
struct Merge {
    /// Messages from every worker.
    inbox: Inbox<u64>,
    /// End of stream from every worker.
    control: Inbox<Control>,
    /// Merged messages.
    outbox: Outbox<u64>,
    /// End of stream, once all inputs have ended.
    signal: Outbox<Control>,
    inputs: usize,
}

impl Component for Merge {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut finished = 0;
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => self.outbox.send(m).await?,
                Event::Control(c) => {
                    finished += 1;
                    if finished == self.inputs {
                        while let Ok(m) = self.inbox.try_recv() {
                            self.outbox.send(m).await?;
                        }
                        self.signal.send(c).await?;
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// W2: source → round-robin splitter → `workers` pass-through workers → merge (its own component)
/// → summing sink, `n` messages (rules in [`FlowOutcome`]).
pub fn w2_fan_out_in(n: u64, workers: usize) -> FlowOutcome {
    let mut system = System::new();
    let started = Arc::new(Mutex::new(None));
    let result: SinkResult = Arc::new(Mutex::new(None));
    let source = system.adopt(Source {
        outbox: Outbox::new(),
        signal: Outbox::new(),
        n,
        started: started.clone(),
    });
    let mut splitter = Splitter {
        inbox: inbox(),
        control: inbox(),
        outs: DynamicOutboxes::new("outbox", "to one worker"),
        signals: DynamicOutboxes::new("signal", "end of stream to one worker"),
    };
    let merge = system.adopt(Merge {
        inbox: inbox(),
        control: inbox(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        inputs: workers,
    });
    for _ in 0..workers {
        let worker = system.adopt(PassThrough::<u64>::new());
        let (_, out) = splitter.outs.add();
        let (_, sig) = splitter.signals.add();
        axon::link(&out, &worker.inbox).expect("link");
        axon::link(&sig, &worker.control).expect("link");
        axon::link(&worker.outbox, &merge.inbox).expect("link");
        axon::link(&worker.signal, &merge.control).expect("link");
        system.activate(worker);
    }
    let splitter = system.adopt(splitter);
    axon::link(&source.outbox, &splitter.inbox).expect("link");
    axon::link(&source.signal, &splitter.control).expect("link");
    let sink = system.adopt(Sink {
        inbox: inbox(),
        control: inbox(),
        result: result.clone(),
    });
    axon::link(&merge.outbox, &sink.inbox).expect("link");
    axon::link(&merge.signal, &sink.control).expect("link");
    system.activate(merge);
    system.activate(sink);
    system.activate(splitter);
    system.activate(source);
    system.run().expect("W2 runs to the end");
    flow_outcome(&started, &result)
}

/// A message on the W3 ring.
#[derive(Debug, Clone, Copy)]
enum Token {
    Count(u64),
    Stop,
}

#[derive(Debug, Default)]
struct RingResult {
    start: Option<Instant>,
    done: Option<(Instant, usize)>,
    hops: u64,
    ended: usize,
}

/// One stage of the ring.
#[derive(Boxes)]
struct RingStage {
    /// The token.
    inbox: Inbox<Token>,
    /// The next stage.
    outbox: Outbox<Token>,
    index: usize,
    result: Arc<Mutex<RingResult>>,
}

impl Component for RingStage {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut hops = 0;
        while let Some(t) = self.inbox.recv().await {
            match t {
                Token::Count(0) => {
                    self.result.lock().expect("lock").done = Some((Instant::now(), self.index));
                    self.outbox.send(Token::Stop).await.ok();
                }
                Token::Count(v) => {
                    hops += 1;
                    self.outbox.send(Token::Count(v - 1)).await?;
                }
                Token::Stop => {
                    // The next stage may have ended already (it started the stop lap).
                    self.outbox.send(Token::Stop).await.ok();
                    break;
                }
            }
        }
        let mut r = self.result.lock().expect("lock");
        r.hops += hops;
        r.ended += 1;
        Ok(())
    }
}

/// Injects the token into stage 0, timing from just before.
#[derive(Boxes)]
struct Injector {
    /// Into stage 0.
    outbox: Outbox<Token>,
    hops: u64,
    result: Arc<Mutex<RingResult>>,
}

impl Component for Injector {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        self.result.lock().expect("lock").start = Some(Instant::now());
        self.outbox.send(Token::Count(self.hops)).await?;
        Ok(())
    }
}

/// W3: a ring of `ring_size` stages passing one token `hops` times, then a stop lap (rules in
/// [`RingOutcome`]).
pub fn w3_ring(hops: u64, ring_size: usize) -> RingOutcome {
    let mut system = System::new();
    let result = Arc::new(Mutex::new(RingResult::default()));
    let stages: Vec<_> = (0..ring_size)
        .map(|index| {
            system.adopt(RingStage {
                inbox: inbox(),
                outbox: Outbox::new(),
                index,
                result: result.clone(),
            })
        })
        .collect();
    for (i, s) in stages.iter().enumerate() {
        axon::link(&s.outbox, &stages[(i + 1) % ring_size].inbox).expect("link");
    }
    let injector = system.adopt(Injector {
        outbox: Outbox::new(),
        hops,
        result: result.clone(),
    });
    axon::link(&injector.outbox, &stages[0].inbox).expect("link");
    for s in stages {
        system.activate(s);
    }
    system.activate(injector);
    system.run().expect("W3 runs to the end");
    let r = result.lock().expect("lock");
    let (end, finisher) = r.done.expect("the token reached 0");
    RingOutcome {
        elapsed: end - r.start.expect("injected"),
        hops: r.hops,
        finisher,
        stages_ended: r.ended,
    }
}

/// W4: spawn and link a chain of `n` pass-through components, send one message through, then close
/// the head and wait until every component has ended (rules in [`ChainOutcome`]).
pub fn w4_spawn_chain(n: usize) -> ChainOutcome {
    let mut system = System::new();
    let before = measure::live_heap_bytes();
    let spawn_start = Instant::now();
    let mut head = Outbox::new();
    let mut head_control = Outbox::new();
    let (mut out, mut sig) = (head.handle(), head_control.handle());
    for _ in 0..n {
        let stage = system.adopt(PassThrough::<u64>::new());
        axon::link(&out, &stage.inbox).expect("link");
        axon::link(&sig, &stage.control).expect("link");
        (out, sig) = (stage.outbox.handle(), stage.signal.handle());
        system.activate(stage);
    }
    let mut tail: Inbox<u64> = inbox();
    let tail_control: Inbox<Control> = inbox();
    axon::link(&out, &tail).expect("link");
    axon::link(&sig, &tail_control).expect("link");
    let spawn = spawn_start.elapsed();
    let bytes_spawned = measure::live_heap_bytes() - before;

    let (traverse, shutdown, delivered) =
        traverse_and_shut_down(&mut system, &mut head, &mut head_control, &mut tail);
    let ended = n - system.failures().len();
    drop(system);
    ChainOutcome {
        spawn,
        traverse,
        shutdown,
        bytes_spawned,
        delivered,
        ended,
    }
}

/// W4's last two phases, the same whatever the chain is made of: one message from `head` to
/// `tail` (traverse), then `ProducerFinished` at the head and the system run until every
/// component has ended (shutdown). The message delivered, unless another one followed it.
fn traverse_and_shut_down(
    system: &mut System,
    head: &mut Outbox<u64>,
    head_control: &mut Outbox<Control>,
    tail: &mut Inbox<u64>,
) -> (std::time::Duration, std::time::Duration, Option<u64>) {
    let traverse_start = Instant::now();
    system.start();
    head.send_blocking(CHAIN_MESSAGE)
        .expect("the head is running");
    let delivered = tail.recv_blocking();
    let traverse = traverse_start.elapsed();

    let shutdown_start = Instant::now();
    head_control
        .send_blocking(Control::ProducerFinished)
        .expect("the head is running");
    system.run().expect("W4 shuts down");
    let shutdown = shutdown_start.elapsed();
    let extra = tail.try_recv().ok();
    (traverse, shutdown, delivered.filter(|_| extra.is_none()))
}

/// W4 with the chain as a [`Line`](axon::line::Line) of `n` pass-through transforms: the same
/// spawn, one message through, `ProducerFinished` at the head and every transform ended, but the
/// components share the line's task (see `axon::line`).
pub fn w4_spawn_line(n: usize) -> ChainOutcome {
    use axon::line::{Chain, Line, PassThrough as Pass};
    let mut system = System::new();
    let before = measure::live_heap_bytes();
    let spawn_start = Instant::now();
    let mut head = Outbox::new();
    let mut head_control = Outbox::new();
    let mut chain = Chain::new();
    for _ in 0..n {
        chain = chain.then(Pass::new());
    }
    let line = system.adopt(Line::new(chain));
    let mut tail: Inbox<u64> = inbox();
    let mut tail_control: Inbox<Control> = inbox();
    axon::link(&head, &line.inbox).expect("link");
    axon::link(&head_control, &line.control).expect("link");
    axon::link(&line.outbox, &tail).expect("link");
    axon::link(&line.signal, &tail_control).expect("link");
    system.activate(line);
    let spawn = spawn_start.elapsed();
    let bytes_spawned = measure::live_heap_bytes() - before;

    let (traverse, shutdown, delivered) =
        traverse_and_shut_down(&mut system, &mut head, &mut head_control, &mut tail);
    // The line ended with every transform finished, in order, only if it passed the
    // `ProducerFinished` on.
    let finished = tail_control.try_recv().ok() == Some(Control::ProducerFinished);
    let ended = if finished && system.failures().is_empty() {
        n
    } else {
        0
    };
    drop(system);
    ChainOutcome {
        spawn,
        traverse,
        shutdown,
        bytes_spawned,
        delivered,
        ended,
    }
}
