//! Threaded components (`ThreadedComponent`): a body on its own OS thread using the ordinary
//! boxes with blocking calls.
//!
//! Ports these Kamaelia `test_ThreadedComponent` behaviours (reference §6.2, semantics §1.11):
//! * `main()` runs in a different OS thread from the scheduler;
//! * the thread can receive from its inboxes and send to its outboxes (here `recv_blocking` /
//!   `send_blocking` on the very same `Inbox` / `Outbox` types async components use);
//! * the component terminates when its thread's `main()` returns, and only after every message
//!   it sent has been delivered (here there is no out-queue: a send completes in the
//!   destination, so everything is delivered when the parent hears `Finished`);
//! * with a destination limit B the thread can send B messages and then cannot send more until
//!   the consumer takes some; taking allows more to be delivered (here `send_blocking` waits
//!   instead of raising `noSpaceInBox`, and `try_send` reports `Full`).
//!
//! And what Rust should do better (§1.11): an exception in the thread no longer kills the
//! whole system; it is contained and reported as `Exit::Panicked`. Threaded components also run
//! under a deterministic system, whose `run` must notice a thread ending after everything else
//! has gone idle (last test; the other tests use real systems).
//!
//! Deliberately left out: `queuelengths` and the "Q + B messages before `noSpaceInBox`"
//! arithmetic (there is no internal queue, so the effective capacity is the destination's B);
//! `link`/`unlink` requested from the thread and executed in the scheduler thread (links are
//! thread-safe here; a threaded component uses its `Context` directly); `pause(timeout)` and
//! `sync()` (blocking calls replace them); and the adaptive variant's add/delete box calls
//! (covered by the dynamic-box tests).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use axon::{
    Boxes, Component, Context, Error, Exit, Inbox, InboxRef, Outbox, System, ThreadedComponent,
    TrySendError,
};

/// A generous bound for waits that only fail if something is broken.
const PATIENCE: Duration = Duration::from_secs(30);

type Thread = Arc<Mutex<Option<ThreadId>>>;

fn note_thread(slot: &Thread) {
    *slot.lock().unwrap() = Some(std::thread::current().id());
}

fn thread_of(slot: &Thread) -> ThreadId {
    slot.lock().unwrap().expect("never ran")
}

fn describe(exit: &Exit) -> String {
    match exit {
        Exit::Finished => "finished".into(),
        Exit::Failed(e) => format!("failed: {e}"),
        Exit::Panicked(m) => format!("panicked: {m}"),
        Exit::Cancelled => "cancelled".into(),
    }
}

/// Data, then an end marker (a threaded body cannot `select!` on a separate control inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Msg {
    Data(u64),
    End,
}

/// Async: sends `Data(1..=n)` then `End`.
#[derive(Boxes, Default)]
struct Source {
    /// The stream.
    outbox: Outbox<Msg>,
    n: u64,
    #[boxes(skip)]
    thread: Thread,
}

impl Component for Source {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        note_thread(&self.thread);
        for i in 1..=self.n {
            self.outbox.send(Msg::Data(i)).await?;
        }
        self.outbox.send(Msg::End).await?;
        Ok(())
    }
}

/// Threaded: doubles every number with blocking receives and sends, passing `End` on.
#[derive(Boxes, Default)]
struct Doubler {
    /// The stream in.
    inbox: Inbox<Msg>,
    /// The stream out.
    outbox: Outbox<Msg>,
    #[boxes(skip)]
    thread: Thread,
}

impl ThreadedComponent for Doubler {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        note_thread(&self.thread);
        loop {
            match self.inbox.recv_blocking() {
                Some(Msg::Data(n)) => self.outbox.send_blocking(Msg::Data(2 * n))?,
                Some(Msg::End) => {
                    self.outbox.send_blocking(Msg::End)?;
                    return Ok(());
                }
                None => return Err(Error::msg("inbox closed")),
            }
        }
    }
}

/// Async: adds up the stream and sends the total at `End`.
#[derive(Boxes, Default)]
struct Sum {
    /// The stream.
    inbox: Inbox<Msg>,
    /// The total.
    outbox: Outbox<u64>,
    #[boxes(skip)]
    thread: Thread,
}

impl Component for Sum {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        note_thread(&self.thread);
        let mut total = 0;
        while let Some(Msg::Data(n)) = self.inbox.recv().await {
            total += n;
        }
        self.outbox.send(total).await?;
        Ok(())
    }
}

/// Runs source → threaded doubler → sum on `system`; returns the total and the three threads.
fn run_pipeline(mut system: System, n: u64) -> (u64, [ThreadId; 3]) {
    let source = system.adopt(Source {
        n,
        ..Source::default()
    });
    let doubler = system.adopt(Doubler::default());
    let sum = system.adopt(Sum::default());
    let threads = [&source.thread, &doubler.thread, &sum.thread].map(Arc::clone);
    let mut result = Inbox::new();
    axon::link(&source.outbox, &doubler.inbox).unwrap();
    axon::link(&doubler.outbox, &sum.inbox).unwrap();
    axon::link(&sum.outbox, &result).unwrap();
    system.activate(source);
    system.activate_threaded(doubler);
    system.activate(sum);
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert_eq!(system.live(), 0);
    (result.try_recv().unwrap(), threads.map(|t| thread_of(&t)))
}

/// A threaded component's body runs on an OS thread of its own, not on the scheduler's.
#[test]
fn a_threaded_component_runs_on_its_own_os_thread() {
    let (total, [source, doubler, sum]) = run_pipeline(System::new(), 10);
    assert_eq!(total, 110);
    assert_eq!(
        source, sum,
        "one scheduler thread runs both async components"
    );
    assert_ne!(
        doubler, source,
        "the threaded body ran on the scheduler thread"
    );
    assert_ne!(doubler, std::thread::current().id());
}

/// A threaded component receives and sends with blocking calls on the same boxes async
/// components use, with backpressure both ways.
#[test]
fn a_threaded_component_uses_blocking_recv_and_send_on_ordinary_boxes() {
    const N: u64 = 10_000;
    for system in [System::new(), System::builder().threads(2).build()] {
        let label = format!("{system:?}");
        let (total, _) = run_pipeline(system, N);
        assert_eq!(total, N * (N + 1), "{label}");
    }
}

/// Threaded: sends `0..n` as fast as it can and returns at once.
#[derive(Boxes, Default)]
struct Burst {
    /// The numbers.
    outbox: Outbox<u32>,
    /// Never used; closed when it ends.
    inbox: Inbox<u32>,
    n: u32,
}

impl ThreadedComponent for Burst {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.send_blocking(i)?;
        }
        Ok(())
    }
}

/// Starts a `Burst` child into its own inbox, waits for the child's end, and only then looks
/// at what arrived.
#[derive(Boxes)]
struct Collector {
    /// Where the child's numbers go.
    inbox: Inbox<u32>,
    n: u32,
    log: Arc<Mutex<Vec<String>>>,
}

impl Component for Collector {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let burst = ctx.adopt_named(
            "burst",
            Burst {
                n: self.n,
                ..Burst::default()
            },
        );
        ctx.link(&burst.outbox, &self.inbox)?;
        let burst_inbox = burst.inbox.handle();
        ctx.activate_threaded(burst);
        let exit = ctx.next_child_exit().await.unwrap();
        let waiting = self.inbox.len();
        let mut got = Vec::new();
        self.inbox.recv_many(&mut got, usize::MAX);
        let in_order = got == (0..self.n).collect::<Vec<_>>();
        self.log.lock().unwrap().extend([
            format!("{} {}", exit.name, describe(&exit.exit)),
            format!("waiting {waiting} in order {in_order}"),
            format!("its inbox closed {}", burst_inbox.is_closed()),
        ]);
        Ok(())
    }
}

/// Everything a threaded component sent before its body returned is in the destination when
/// its parent hears it `Finished`; it ends cleanly, with its inbox closed.
#[test]
fn everything_sent_before_ending_is_delivered_and_the_parent_hears_finished() {
    for mut system in [System::new(), System::builder().threads(2).build()] {
        let log = Arc::new(Mutex::new(Vec::new()));
        system.spawn(Collector {
            inbox: Inbox::with_capacity(1000),
            n: 1000,
            log: Arc::clone(&log),
        });
        system.run().unwrap();
        assert_eq!(
            *log.lock().unwrap(),
            [
                "burst finished",
                "waiting 1000 in order true",
                "its inbox closed true"
            ]
        );
        assert!(system.failures().is_empty());
        assert_eq!(system.live(), 0);
    }
}

/// Threaded: fails or panics as told.
#[derive(Boxes)]
struct Faulty {
    panic: bool,
}

impl ThreadedComponent for Faulty {
    fn run(self, _ctx: Context) -> Result<(), Error> {
        if self.panic {
            panic!("thread went wrong");
        }
        Err(Error::msg("no disk"))
    }
}

/// Starts two faulty threaded children and an async pipeline, and logs how each ended.
#[derive(Boxes)]
struct Supervisor {
    log: Arc<Mutex<Vec<String>>>,
}

impl Component for Supervisor {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let panicking = ctx.adopt_named("panicking", Faulty { panic: true });
        ctx.activate_threaded(panicking);
        let failing = ctx.adopt_named("failing", Faulty { panic: false });
        ctx.activate_threaded(failing);
        let source = ctx.adopt_named(
            "source",
            Source {
                n: 100,
                ..Source::default()
            },
        );
        let sum = ctx.adopt_named("sum", Sum::default());
        ctx.link(&source.outbox, &sum.inbox)?;
        let total = Inbox::new();
        ctx.link(&sum.outbox, &total)?;
        ctx.activate(source);
        ctx.activate(sum);
        let mut heard = Vec::new();
        while let Some(exit) = ctx.next_child_exit().await {
            heard.push(format!("{} {}", exit.name, describe(&exit.exit)));
        }
        heard.sort();
        let mut total = total;
        heard.push(format!("total {:?}", total.try_recv()));
        self.log.lock().unwrap().extend(heard);
        Ok(())
    }
}

/// A panic (or error) in a threaded component's body is contained: its parent hears
/// `Panicked(message)` (or `Failed(error)`), `failures` lists it, and other components finish.
#[test]
fn a_panic_in_the_thread_is_contained_and_reported_as_panicked() {
    let mut system = System::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    system.spawn(Supervisor {
        log: Arc::clone(&log),
    });
    system.run().unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [
            "failing failed: no disk",
            "panicking panicked: thread went wrong",
            "source finished",
            "sum finished",
            "total Ok(5050)",
        ]
    );
    let mut failures: Vec<_> = system
        .failures()
        .into_iter()
        .map(|f| format!("{}: {}", f.name, f.what))
        .collect();
    failures.sort();
    assert_eq!(
        failures,
        [
            "failing: failed: no disk",
            "panicking: panicked: thread went wrong"
        ]
    );
}

/// Threaded: fills a destination of capacity `cap`, shows it is full, then keeps sending,
/// reporting through `progress` and checking the destination never holds more than `cap`.
#[derive(Boxes)]
struct Pusher {
    /// The numbers.
    outbox: Outbox<u32>,
    dest: InboxRef<u32>,
    cap: u32,
    total: u32,
    taken: Arc<AtomicBool>,
    progress: mpsc::Sender<String>,
}

impl ThreadedComponent for Pusher {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let too_full = |len: usize| Error::msg(format!("destination holds {len}"));
        for i in 0..self.cap {
            self.outbox.send_blocking(i)?;
        }
        let held = self.dest.len();
        let next = match self.outbox.try_send(self.cap) {
            Err(TrySendError::Full(v)) => v,
            other => return Err(Error::msg(format!("expected Full, got {other:?}"))),
        };
        self.progress.send(format!("full holding {held}"))?;
        self.outbox.send_blocking(next)?; // must wait until the consumer takes one
        let taken = self.taken.load(Ordering::SeqCst);
        let len = self.dest.len();
        self.progress
            .send(format!("resumed taken {taken} len {len}"))?;
        for i in self.cap + 1..self.total {
            self.outbox.send_blocking(i)?;
            let len = self.dest.len();
            if len > self.cap as usize {
                return Err(too_full(len));
            }
        }
        Ok(())
    }
}

/// With destination capacity B, a threaded component's `send_blocking` waits while the
/// destination is full and resumes when the consumer takes a message; nothing is lost or
/// reordered and the destination never holds more than B.
#[test]
fn send_blocking_waits_while_the_destination_is_full_and_resumes_when_the_consumer_takes() {
    const B: u32 = 4;
    const TOTAL: u32 = 200;
    let mut system = System::new();
    let mut dest = Inbox::with_capacity(B as usize);
    let (progress, progress_rx) = mpsc::channel();
    let taken = Arc::new(AtomicBool::new(false));
    let pusher = system.adopt(Pusher {
        outbox: Outbox::new(),
        dest: dest.handle(),
        cap: B,
        total: TOTAL,
        taken: Arc::clone(&taken),
        progress,
    });
    axon::link(&pusher.outbox, &dest).unwrap();
    system.activate_threaded(pusher);
    system.start();

    assert_eq!(
        progress_rx.recv_timeout(PATIENCE).unwrap(),
        "full holding 4"
    );
    assert_eq!(dest.len(), B as usize);
    taken.store(true, Ordering::SeqCst);
    assert_eq!(dest.recv_blocking_timeout(PATIENCE), Ok(0));
    assert_eq!(
        progress_rx.recv_timeout(PATIENCE).unwrap(),
        "resumed taken true len 4"
    );
    for expected in 1..TOTAL {
        assert_eq!(dest.recv_blocking_timeout(PATIENCE), Ok(expected));
    }
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    assert_eq!(dest.try_recv(), Err(axon::TryRecvError::Empty));
}

/// Threaded: blocks for a while (standing for blocking work), then ends by itself.
#[derive(Boxes, Default)]
struct BlockingWork {
    /// Nothing is ever sent here: the receive just blocks for `work`.
    inbox: Inbox<u32>,
    work: Duration,
}

impl ThreadedComponent for BlockingWork {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        match self.inbox.recv_blocking_timeout(self.work) {
            Err(axon::TryRecvError::Empty) => Ok(()),
            other => Err(Error::msg(format!("unexpected {other:?}"))),
        }
    }
}

/// On a deterministic system, `run` returns once a threaded component that ends by itself,
/// after the async side has gone idle, has ended (and never hangs waiting for it). The 50 ms
/// of blocking work only makes the thread end after the scheduler has gone idle; the expected
/// outcome does not depend on it.
#[test]
fn deterministic_run_returns_when_a_threaded_component_ends_after_the_scheduler_went_idle() {
    let (done, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut system = System::deterministic();
        system.spawn_threaded(BlockingWork {
            work: Duration::from_millis(50),
            ..BlockingWork::default()
        });
        let result = system.run();
        // The receiver is gone only if the test already failed.
        done.send((result, system.live(), system.failures())).ok();
    });
    let (result, live, failures) = done_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("System::run never returned after the threaded component ended");
    assert_eq!(result, Ok(()));
    assert_eq!(live, 0);
    assert!(failures.is_empty(), "{failures:?}");
}

/// Threaded: passes every number on, with blocking receives and sends; ends at 0.
#[derive(Boxes, Default)]
struct Relay {
    /// Numbers in.
    inbox: Inbox<u64>,
    /// The same numbers out.
    outbox: Outbox<u64>,
}

impl ThreadedComponent for Relay {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv_blocking() {
            if n == 0 {
                break;
            }
            self.outbox.send_blocking(n)?;
        }
        Ok(())
    }
}

/// Waits for the model to say that component `id` waits on its `inbox` (again).
fn until_receiving(events: &mut axon::model::Events, id: axon::ComponentId) {
    let receiving = axon::ComponentState::Receiving {
        inbox: "inbox".into(),
    };
    loop {
        let event = events.next_timeout(PATIENCE).expect("the relay waits");
        if let axon::model::EventKind::StateChanged { id: changed, state } = event.kind {
            if changed == id && state == receiving {
                return;
            }
        }
    }
}

/// A threaded component's wait begins when it waits again after handling a message, not when
/// it first waited: a component that has just worked is not reported as stalled.
#[test]
fn a_threaded_components_next_wait_starts_when_it_begins() {
    let mut system = System::deterministic();
    let mut events = system.events(256);
    let relay = system.adopt(Relay::default());
    let (mut input, mut output) = (Outbox::new(), Inbox::new());
    axon::link(&input, &relay.inbox).unwrap();
    axon::link(&relay.outbox, &output).unwrap();
    let id = system.activate_threaded(relay);
    until_receiving(&mut events, id);
    system.advance(Duration::from_secs(5));
    input.try_send(7).unwrap();
    assert_eq!(output.recv_blocking_timeout(PATIENCE), Ok(7));
    until_receiving(&mut events, id);
    let snapshot = system.snapshot();
    assert_eq!(
        snapshot.component(id).unwrap().state_since,
        Duration::from_secs(5)
    );
    assert!(snapshot.stalls(Duration::from_secs(3)).is_empty());
    input.try_send(0).unwrap();
    system.run().unwrap();
}

/// A threaded component blocked in `send_blocking` on a full destination is shown sending on
/// that outbox: the model recognises its thread's waker among the full inbox's senders.
#[test]
fn a_threaded_component_blocked_sending_shows_sending() {
    let mut system = System::deterministic();
    let mut events = system.events(256);
    let relay = system.adopt(Relay::default());
    let (mut input, mut output) = (Outbox::new(), Inbox::with_capacity(1));
    axon::link(&input, &relay.inbox).unwrap();
    axon::link(&relay.outbox, &output).unwrap();
    let id = system.activate_threaded(relay);
    input.try_send(1).unwrap();
    input.try_send(2).unwrap();
    let sending = axon::ComponentState::Sending {
        outbox: "outbox".into(),
    };
    loop {
        let event = events.next_timeout(PATIENCE).expect("the relay blocks");
        if let axon::model::EventKind::StateChanged { id: changed, state } = event.kind {
            if changed == id && state == sending {
                break;
            }
        }
    }
    assert_eq!(system.snapshot().component(id).unwrap().state, sending);
    assert_eq!(output.try_recv(), Ok(1));
    assert_eq!(output.recv_blocking_timeout(PATIENCE), Ok(2));
    input.try_send(0).unwrap();
    system.run().unwrap();
}

/// Threaded: tries a send for a moment, gives it up, then waits on its inbox until a 0 comes.
#[derive(Boxes, Default)]
struct GivesUp {
    /// Waited on after the send is given up.
    inbox: Inbox<u64>,
    /// Where it tries to send.
    outbox: Outbox<u64>,
}

impl ThreadedComponent for GivesUp {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let tried = axon::blocking::block_on_timeout(self.outbox.send(1), Duration::from_millis(5));
        assert!(tried.is_none(), "the destination was full");
        while self.inbox.recv_blocking().is_some_and(|n| n != 0) {}
        Ok(())
    }
}

/// A threaded component whose blocking send timed out is not shown as blocked sending once it
/// waits on something else, although the full inbox still lists its thread's waker.
#[test]
fn a_threaded_send_that_timed_out_is_not_shown_as_blocked() {
    let mut system = System::deterministic();
    let mut events = system.events(256);
    let gives_up = system.adopt(GivesUp::default());
    let full = Inbox::<u64>::with_capacity(1);
    let mut filler = Outbox::new();
    axon::link(&filler, &full).unwrap();
    filler.try_send(0).unwrap();
    axon::link(&gives_up.outbox, &full).unwrap();
    let mut input = Outbox::new();
    axon::link(&input, &gives_up.inbox).unwrap();
    let id = system.activate_threaded(gives_up);
    until_receiving(&mut events, id);
    assert_eq!(
        system.snapshot().component(id).unwrap().state,
        axon::ComponentState::Receiving {
            inbox: "inbox".into()
        }
    );
    input.try_send(0).unwrap();
    system.run().unwrap();
}
