//! Behaviour of the bridge (`axon::bridge::Handle`) over a system running in the background
//! (`System::start`): driving a component from plain synchronous code and from async code.
//!
//! Kamaelia's Axon test suite has no tests for `Axon.background`, `Axon.Handle` or `likefile`;
//! these tests state what `kamaelia.md` §1.13 asks of their replacement: blocking, non-blocking
//! and async send/receive; a timed receive; stopping the component through its `control` and
//! seeing the `Control` come back on `signal`; and no throughput ceiling (Kamaelia's `Handle`
//! forwarded one message per 10 ms poll, about 100 messages a second).
//!
//! From `test_Ipc` only what still has a counterpart is kept: `producerFinished` and
//! `shutdownMicroprocess` are the two `Control` values a handle sends (`finish`, `shutdown`) and
//! gets back on `signal`. The rest of `test_Ipc` (class hierarchy, `newComponent`, `notify`,
//! `status`, `wouldblock`, `errorInformation` payload accessors) describes Python message
//! classes that became plain enum variants or method calls and has nothing to test here.
//!
//! These tests use real threads (a background system), so they never sleep to wait for
//! something: every wait is a blocking receive that returns as soon as the message arrives.
//! The only timed call is `recv_timeout` asserting that nothing came, which no scheduling
//! delay can make pass by luck.

use std::time::Duration;

use axon::bridge::Handle;
use axon::{
    Boxes, Component, Context, Control, Error, Inbox, Outbox, SendError, System, TryRecvError,
};

/// Upper-cases every string; follows the control convention (drain on `ProducerFinished`, stop
/// at once on `Shutdown`, pass the message on `signal`).
#[derive(Boxes, Default)]
struct Upper {
    /// Strings to upper-case.
    inbox: Inbox<String>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Upper-cased strings.
    outbox: Outbox<String>,
    /// The control message that stopped it.
    signal: Outbox<Control>,
}

impl Component for Upper {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    if c.is_producer_finished() {
                        while let Ok(s) = self.inbox.try_recv() {
                            self.outbox.send(s.to_uppercase()).await?;
                        }
                    }
                    self.signal.send(c).await?;
                    return Ok(());
                }
                Some(s) = self.inbox.recv() => self.outbox.send(s.to_uppercase()).await?,
            }
        }
    }
}

/// Adds one to every number; same control convention as [`Upper`].
#[derive(Boxes, Default)]
struct Increment {
    /// Numbers.
    inbox: Inbox<u64>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Numbers plus one.
    outbox: Outbox<u64>,
    /// The control message that stopped it.
    signal: Outbox<Control>,
}

impl Component for Increment {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    self.signal.send(c).await?;
                    return Ok(());
                }
                Some(n) = self.inbox.recv() => self.outbox.send(n + 1).await?,
            }
        }
    }
}

fn start_upper() -> (System, Handle<String, String>) {
    let mut system = System::new();
    let upper = Upper::default();
    let handle =
        Handle::attach(&upper.inbox, &upper.control, &upper.outbox, &upper.signal).unwrap();
    system.spawn(upper);
    system.start();
    (system, handle)
}

fn start_increment() -> (System, Handle<u64, u64>) {
    let mut system = System::new();
    let inc = Increment::default();
    let handle = Handle::attach(&inc.inbox, &inc.control, &inc.outbox, &inc.signal).unwrap();
    system.spawn(inc);
    system.start();
    (system, handle)
}

/// Stops the component through the handle and checks that the system then ends.
fn stop(mut system: System, handle: &mut Handle<impl Send + 'static, impl Send + 'static>) {
    handle.shutdown();
    assert_eq!(handle.wait_signal(), Some(Control::Shutdown));
    system.run().unwrap();
    assert_eq!(system.live(), 0);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// A blocking send and a blocking receive from a plain `#[test]` make a round trip through the
/// component.
#[test]
fn blocking_send_and_receive_round_trip_from_plain_code() {
    let (system, mut handle) = start_upper();
    handle.send_blocking("hello".to_string()).unwrap();
    assert_eq!(handle.recv_blocking().as_deref(), Some("HELLO"));
    handle.send_blocking("again".to_string()).unwrap();
    assert_eq!(handle.recv_blocking().as_deref(), Some("AGAIN"));
    stop(system, &mut handle);
}

/// Many messages sent through the handle come back complete and in order.
#[test]
fn many_messages_come_back_in_order() {
    let (system, mut handle) = start_increment();
    // Batches smaller than the boxes' capacity, so sending never waits on our own receiving.
    for batch in 0..20u64 {
        let range = batch * 100..(batch + 1) * 100;
        for n in range.clone() {
            handle.send_blocking(n).unwrap();
        }
        for n in range {
            assert_eq!(handle.recv_blocking(), Some(n + 1));
        }
    }
    assert_eq!(handle.try_recv(), Err(TryRecvError::Empty));
    stop(system, &mut handle);
}

/// Async `send` and `recv` work from a tokio runtime the test makes itself.
#[test]
fn async_send_and_receive_from_a_tokio_runtime() {
    let (system, mut handle) = start_upper();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let got = rt.block_on(async {
        let mut got = Vec::new();
        for word in ["one", "two", "three"] {
            handle.send(word.to_string()).await.unwrap();
        }
        for _ in 0..3 {
            got.push(handle.recv().await.unwrap());
        }
        got
    });
    assert_eq!(got, ["ONE", "TWO", "THREE"]);
    stop(system, &mut handle);
}

/// Async `send` and `recv` work inside `#[tokio::test]`, one message at a time.
#[tokio::test]
async fn async_round_trips_inside_a_tokio_test() {
    let (system, mut handle) = start_increment();
    for n in 0..50 {
        handle.send(n).await.unwrap();
        assert_eq!(handle.recv().await, Some(n + 1));
    }
    // The handle has no async form of `wait_signal`; the blocking one is fine in a test.
    stop(system, &mut handle);
}

/// `recv_timeout` returns `Empty` when nothing comes, and the message when one does.
#[test]
fn recv_timeout_returns_empty_when_nothing_comes() {
    let (system, mut handle) = start_upper();
    assert_eq!(
        handle.recv_timeout(Duration::from_millis(50)),
        Err(TryRecvError::Empty)
    );
    assert_eq!(handle.try_recv(), Err(TryRecvError::Empty));
    handle.send_blocking("late".to_string()).unwrap();
    assert_eq!(
        handle.recv_timeout(Duration::from_secs(60)).as_deref(),
        Ok("LATE")
    );
    stop(system, &mut handle);
}

/// `shutdown` makes the component end; `wait_signal` returns the `Shutdown` it passes on, later
/// sends hand the message back, and `System::run` returns.
#[test]
fn shutdown_ends_the_component_and_the_signal_comes_back() {
    let (mut system, mut handle) = start_upper();
    assert_eq!(handle.try_signal(), None);
    assert_eq!(system.live(), 1);
    handle.shutdown();
    assert_eq!(handle.wait_signal(), Some(Control::Shutdown));
    system.run().unwrap();
    assert_eq!(system.live(), 0);
    assert!(system.snapshot().components.is_empty());
    assert_eq!(
        handle.send_blocking("too late".to_string()),
        Err(SendError::Closed("too late".to_string()))
    );
    assert_eq!(handle.try_recv(), Err(TryRecvError::Empty));
}

/// `finish` asks the component to drain then stop: what was sent before it still comes back,
/// followed by `ProducerFinished` on `signal`.
#[test]
fn finish_drains_then_signals_producer_finished() {
    let (mut system, mut handle) = start_upper();
    for word in ["a", "b", "c"] {
        handle.send_blocking(word.to_string()).unwrap();
    }
    handle.finish();
    assert_eq!(handle.wait_signal(), Some(Control::ProducerFinished));
    // Sends deliver directly, so everything sent before the signal is waiting already.
    let got: Vec<String> = std::iter::from_fn(|| handle.try_recv().ok()).collect();
    assert_eq!(got, ["A", "B", "C"]);
    system.run().unwrap();
    assert_eq!(system.live(), 0);
}

/// Ten thousand messages go through a handle (Kamaelia's `Handle` managed about 100 a second).
#[test]
fn ten_thousand_messages_go_through_the_handle() {
    let (system, mut handle) = start_increment();
    let mut sum = 0;
    for batch in 0..100u64 {
        for n in batch * 100..(batch + 1) * 100 {
            handle.send_blocking(n).unwrap();
        }
        for _ in 0..100 {
            sum += handle.recv_blocking().unwrap();
        }
    }
    assert_eq!(sum, (1..=10_000).sum::<u64>());
    stop(system, &mut handle);
}

/// Two systems started in the background run side by side, each with its own handle (Kamaelia
/// allowed one `background` per process).
#[test]
fn two_background_systems_run_side_by_side() {
    let (one, mut a) = start_upper();
    let (two, mut b) = start_increment();
    a.send_blocking("x".to_string()).unwrap();
    b.send_blocking(41).unwrap();
    assert_eq!(b.recv_blocking(), Some(42));
    assert_eq!(a.recv_blocking().as_deref(), Some("X"));
    stop(one, &mut a);
    stop(two, &mut b);
}

/// Sends two strings, then ends without a word on `signal`.
#[derive(Boxes, Default)]
struct TwoThenQuiet {
    /// Unused.
    inbox: Inbox<String>,
    /// Unused.
    control: Inbox<Control>,
    /// "one", then "two".
    outbox: Outbox<String>,
    /// Never used.
    signal: Outbox<Control>,
}

impl Component for TwoThenQuiet {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        self.outbox.send("one".to_string()).await?;
        self.outbox.send("two".to_string()).await?;
        Ok(())
    }
}

/// A component that ends without signalling does not leave plain code waiting for ever: what it
/// sent is read first, then every wait on the handle returns (`None`, `Closed`). The timed read
/// is bounded only so that a regression fails instead of hanging; it returns at once.
#[test]
fn reads_return_once_the_component_has_ended_and_its_messages_are_read() {
    let mut system = System::new();
    let quiet = TwoThenQuiet::default();
    let mut handle: Handle<String, String> =
        Handle::attach(&quiet.inbox, &quiet.control, &quiet.outbox, &quiet.signal).unwrap();
    system.spawn(quiet);
    system.start();
    assert_eq!(handle.recv_blocking().as_deref(), Some("one"));
    assert_eq!(handle.recv_blocking().as_deref(), Some("two"));
    assert_eq!(
        handle.recv_timeout(Duration::from_secs(60)),
        Err(TryRecvError::Closed)
    );
    assert_eq!(handle.recv_blocking(), None);
    assert_eq!(handle.wait_signal(), None);
    system.run().unwrap();
}

/// Sends `count` numbers, then ends.
#[derive(Boxes)]
struct Chatty {
    /// Never read.
    inbox: Inbox<u64>,
    /// Never read.
    control: Inbox<Control>,
    /// The numbers.
    outbox: Outbox<u64>,
    /// Never used.
    signal: Outbox<Control>,
    count: u64,
}

impl Component for Chatty {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 0..self.count {
            self.outbox.send(n).await?;
        }
        Ok(())
    }
}

/// Dropping a handle means nobody reads what its component sends: the component's sends fail
/// as closed instead of waiting for ever once the handle's inbox is full.
#[test]
fn dropping_a_handle_lets_its_component_end_instead_of_waiting_for_ever() {
    let mut system = System::deterministic();
    let chatty = Chatty {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        count: 500,
    };
    let handle: Handle<u64, u64> = Handle::attach(
        &chatty.inbox,
        &chatty.control,
        &chatty.outbox,
        &chatty.signal,
    )
    .unwrap();
    drop(handle);
    system.spawn_named("chatty", chatty);
    system.run().unwrap();
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].name, "chatty");
    assert!(failures[0].what.contains("closed"), "{failures:?}");
}
