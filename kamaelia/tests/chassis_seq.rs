//! Seq: stages one after another on one input stream, sharing state; its control behaviour
//! (ProducerFinished lets the remaining stages finish, Shutdown stops the sequence) and how input
//! is handed from stage to stage.

mod common;

use std::sync::{Arc, Mutex};

use axon::{
    next_event, Boxes, Component, Context, Control, Error, Event, Inbox, InboxRef, Outbox, System,
};
use common::drain;
use kamaelia::chassis::seq::Seq;

/// What the stages did, in order, as text ("A got x", "A control ProducerFinished", ...).
type Log = Arc<Mutex<Vec<String>>>;

fn log(log: &Log, line: String) {
    log.lock().unwrap().push(line);
}

fn lines(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// The four standard boxes for a `String => String` test stage.
macro_rules! stage {
    ($name:ident { $($field:ident : $ty:ty),* }) => {
        #[derive(Boxes)]
        struct $name {
            /// in
            inbox: Inbox<String>,
            /// ctl
            control: Inbox<Control>,
            /// out
            outbox: Outbox<String>,
            /// sig
            signal: Outbox<Control>,
            $(#[boxes(skip)] $field: $ty,)*
        }
        impl $name {
            #[allow(dead_code)]
            fn new($($field: $ty),*) -> Self {
                $name {
                    inbox: Inbox::new(),
                    control: Inbox::new(),
                    outbox: Outbox::new(),
                    signal: Outbox::new(),
                    $($field,)*
                }
            }
        }
        kamaelia::impl_stage!([] $name, String => String);
    };
}

// Sends its words, says ProducerFinished on its own signal, and ends without reading input.
stage!(Say { words: Vec<&'static str> });
impl Component for Say {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        for w in &self.words {
            self.outbox.send(w.to_string()).await?;
        }
        self.signal.send(Control::ProducerFinished).await.ok();
        Ok(())
    }
}

// Echoes up to `n` inputs as "tag:input" and ends; on ProducerFinished it echoes what is queued
// (still at most `n`) and ends; on Shutdown it ends at once. Logs what it gets on control.
stage!(Take { tag: &'static str, n: usize, log: Log });
impl Component for Take {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        let mut taken = 0;
        while taken < self.n {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => {
                    self.outbox.send(format!("{}:{m}", self.tag)).await?;
                    taken += 1;
                }
                Event::Control(c) => {
                    log(&self.log, format!("{} control {c:?}", self.tag));
                    if c.is_producer_finished() {
                        while taken < self.n {
                            let Ok(m) = self.inbox.try_recv() else { break };
                            self.outbox.send(format!("{}:{m}", self.tag)).await?;
                            taken += 1;
                        }
                    }
                    break;
                }
            }
        }
        log(&self.log, format!("{} ended", self.tag));
        Ok(())
    }
}

fn take(tag: &'static str, n: usize, log: &Log) -> Take {
    Take::new(tag, n, Arc::clone(log))
}

/// Orders for a `Gate`.
enum Order {
    Stop,
}

// Reads no input; logs its control messages and ends when the test says so.
stage!(Gate { tag: &'static str, log: Log, orders: Inbox<Order> });
impl Component for Gate {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => log(&self.log, format!("{} control {c:?}", self.tag)),
                Some(Order::Stop) = self.orders.recv() => break,
            }
        }
        log(&self.log, format!("{} ended", self.tag));
        Ok(())
    }
}

/// A gate and the test's handle to stop it.
fn gate(tag: &'static str, log: &Log) -> (Gate, InboxRef<Order>) {
    let g = Gate::new(tag, Arc::clone(log), Inbox::new());
    let orders = g.orders.handle();
    (g, orders)
}

/// A `Seq` with every box linked to the test.
struct Rig {
    system: System,
    input: Outbox<String>,
    control: Outbox<Control>,
    output: Inbox<String>,
    signal: Inbox<Control>,
}

impl Rig {
    fn new<S: Clone + Send + 'static>(seq: Seq<String, String, S>) -> Rig {
        let system = System::deterministic();
        let rig = Rig {
            system,
            input: Outbox::new(),
            control: Outbox::new(),
            output: Inbox::unbounded(),
            signal: Inbox::new(),
        };
        axon::link(&rig.input, &seq.inbox).unwrap();
        axon::link(&rig.control, &seq.control).unwrap();
        axon::link(&seq.outbox, &rig.output).unwrap();
        axon::link(&seq.signal, &rig.signal).unwrap();
        rig.system.spawn(seq);
        rig
    }

    fn send(&mut self, msgs: &[&str]) {
        for m in msgs {
            self.input.try_send(m.to_string()).unwrap();
        }
    }

    fn settle(&mut self) {
        self.system.run_until_idle();
    }

    fn output(&mut self) -> Vec<String> {
        drain(&mut self.output)
    }

    fn signals(&mut self) -> Vec<Control> {
        drain(&mut self.signal)
    }
}

/// Stages run in order, each after the previous one has ended; then the `Seq` sends
/// `ProducerFinished` on `signal` and ends.
#[test]
fn stages_run_one_after_another() {
    let mut rig = Rig::new(
        Seq::new(())
            .then(|()| Say::new(vec!["a"]))
            .then(|()| Say::new(vec!["b", "c"]))
            .then_stage(Say::new(vec!["d"])),
    );
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["a", "b", "c", "d"]);
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// A stage's factory runs only when the previous stage has ended.
#[test]
fn each_stage_is_built_when_its_turn_comes() {
    let log: Log = Arc::default();
    let built = Arc::new(Mutex::new(Vec::new()));
    let (b1, b2) = (Arc::clone(&built), Arc::clone(&built));
    let (l1, l2) = (Arc::clone(&log), Arc::clone(&log));
    let mut rig = Rig::new(
        Seq::new(())
            .then(move |()| {
                b1.lock().unwrap().push("A");
                take("A", 1, &l1)
            })
            .then(move |()| {
                b2.lock().unwrap().push("B");
                take("B", 1, &l2)
            }),
    );
    rig.settle();
    assert_eq!(*built.lock().unwrap(), ["A"]);
    rig.send(&["x"]);
    rig.settle();
    assert_eq!(*built.lock().unwrap(), ["A", "B"]);
    assert_eq!(lines(&log), ["A ended"]);
}

/// The current stage is handed the `Seq`'s input and its output leaves from the `Seq`; input it
/// did not take goes to the next stage, in order.
#[test]
fn input_goes_to_the_current_stage_then_the_next() {
    let log: Log = Arc::default();
    let (l1, l2) = (Arc::clone(&log), Arc::clone(&log));
    let mut rig = Rig::new(
        Seq::new(())
            .then(move |()| take("A", 2, &l1))
            .then(move |()| take("B", 3, &l2)),
    );
    rig.send(&["1", "2", "3", "4", "5"]);
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["A:1", "A:2", "B:3", "B:4", "B:5"]);
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// Input that arrives while a stage handed no input runs waits for the stage after it.
#[test]
fn input_waits_through_a_no_input_stage() {
    let log: Log = Arc::default();
    let (g, stop) = gate("G", &log);
    let l2 = Arc::clone(&log);
    let mut rig = Rig::new(
        Seq::new(())
            .then_no_input(move |()| g)
            .then(move |()| take("B", 2, &l2)),
    );
    rig.settle();
    rig.send(&["x", "y"]);
    rig.settle();
    assert!(rig.output().is_empty());
    stop.try_send(Order::Stop).expect("gate running");
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["B:x", "B:y"]);
}

/// A stage that ends without reading its input loses nothing: the one message it was handed
/// goes back to the front, and the next stage gets everything in order.
#[test]
fn input_a_stage_left_unread_goes_to_the_next_stage_in_order() {
    let log: Log = Arc::default();
    let (g, stop) = gate("G", &log);
    let l2 = Arc::clone(&log);
    let mut rig = Rig::new(
        Seq::new(())
            // Declared as taking input, but never reads it.
            .then(move |()| g)
            .then(move |()| take("B", 4, &l2)),
    );
    rig.send(&["m0", "m1", "m2", "m3", "m4"]);
    rig.settle();
    stop.try_send(Order::Stop).expect("gate running");
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["B:m0", "B:m1", "B:m2", "B:m3"]);
}

/// What a stage sends on its own `signal` does not leave the `Seq`: only its final
/// `ProducerFinished` does.
#[test]
fn stage_signal_is_not_passed_on() {
    let mut rig = Rig::new(
        Seq::new(())
            .then(|()| Say::new(vec!["a"]))
            .then(|()| Say::new(vec!["b"])),
    );
    rig.system.run().unwrap();
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// Each factory gets the `Seq`'s state; a stage built later sees what earlier stages stored.
#[test]
fn state_is_shared_between_stages() {
    // Stores the first input in the state, then ends.
    stage!(Remember { state: Arc<Mutex<String>> });
    impl Component for Remember {
        async fn run(mut self, _: Context) -> Result<(), Error> {
            if let Event::Message(m) = next_event(&mut self.control, &mut self.inbox).await {
                *self.state.lock().unwrap() = m;
            }
            Ok(())
        }
    }
    let state = Arc::new(Mutex::new(String::new()));
    let mut rig = Rig::new(Seq::new(Arc::clone(&state)).then(Remember::new).then(
        |state: Arc<Mutex<String>>| {
            let name = state.lock().unwrap().clone();
            Say::new(vec![if name == "ada" { "hello ada" } else { "who?" }])
        },
    ));
    rig.send(&["ada"]);
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["hello ada"]);
    assert_eq!(*state.lock().unwrap(), "ada");
}

/// `ProducerFinished` loses no input and still runs every remaining stage: the current stage
/// gets it after all queued input, later stages get it at once, and the `Seq` then passes it on.
#[test]
fn producer_finished_lets_remaining_stages_finish() {
    let log: Log = Arc::default();
    let (l1, l2) = (Arc::clone(&log), Arc::clone(&log));
    let mut rig = Rig::new(
        Seq::new(())
            .then(move |()| take("A", 10, &l1))
            .then(move |()| take("B", 10, &l2))
            .then(|()| Say::new(vec!["bye"])),
    );
    rig.send(&["x", "y"]);
    rig.control.try_send(Control::ProducerFinished).unwrap();
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["A:x", "A:y", "bye"]);
    assert_eq!(
        lines(&log),
        [
            "A control ProducerFinished",
            "A ended",
            "B control ProducerFinished",
            "B ended"
        ]
    );
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// A stage handed no input is not sent `ProducerFinished`; the next stage that takes input is.
#[test]
fn no_input_stage_is_not_told_producer_finished() {
    let log: Log = Arc::default();
    let (g, stop) = gate("G", &log);
    let l2 = Arc::clone(&log);
    let mut rig = Rig::new(
        Seq::new(())
            .then_no_input(move |()| g)
            .then(move |()| take("B", 10, &l2)),
    );
    rig.send(&["x"]);
    rig.control.try_send(Control::ProducerFinished).unwrap();
    rig.settle();
    assert!(lines(&log).is_empty());
    stop.try_send(Order::Stop).expect("gate running");
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["B:x"]);
    assert_eq!(
        lines(&log),
        ["G ended", "B control ProducerFinished", "B ended"]
    );
}

/// `Shutdown` stops the current stage, no later stage is built, and the `Seq` passes `Shutdown`
/// on once the stage has ended.
#[test]
fn shutdown_stops_the_current_stage_and_skips_the_rest() {
    let log: Log = Arc::default();
    let built_b = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&built_b);
    let (l1, l2) = (Arc::clone(&log), Arc::clone(&log));
    let mut rig = Rig::new(
        Seq::new(())
            .then(move |()| take("A", 10, &l1))
            .then(move |()| {
                *flag.lock().unwrap() = true;
                take("B", 10, &l2)
            }),
    );
    rig.send(&["x"]);
    rig.settle();
    rig.send(&["y", "z"]);
    rig.control.try_send(Control::Shutdown).unwrap();
    rig.system.run().unwrap();
    assert_eq!(lines(&log), ["A control Shutdown", "A ended"]);
    assert!(!*built_b.lock().unwrap());
    assert_eq!(rig.output(), ["A:x"]);
    assert_eq!(rig.signals(), [Control::Shutdown]);
}

/// The `Seq` does not end before its current stage has, even after `Shutdown`.
#[test]
fn shutdown_waits_for_the_stage_to_end() {
    let log: Log = Arc::default();
    let (g, stop) = gate("G", &log);
    let mut rig = Rig::new(Seq::new(()).then(move |()| g));
    rig.settle();
    rig.control.try_send(Control::Shutdown).unwrap();
    rig.settle();
    assert_eq!(lines(&log), ["G control Shutdown"]);
    assert!(rig.signals().is_empty());
    assert!(rig.system.live() > 0);
    stop.try_send(Order::Stop).expect("gate running");
    rig.system.run().unwrap();
    assert_eq!(rig.signals(), [Control::Shutdown]);
}

/// A stage that fails ends the sequence: no later stage runs, `Shutdown` goes out on `signal`,
/// and the `Seq` fails with an error naming the stage.
#[test]
fn failing_stage_ends_the_seq_with_an_error() {
    stage!(Broken {});
    impl Component for Broken {
        async fn run(self, _: Context) -> Result<(), Error> {
            Err(Error::msg("bad password file"))
        }
    }
    let mut rig = Rig::new(
        Seq::new(())
            .then(|()| Say::new(vec!["a"]))
            .then(|()| Broken::new())
            .then(|()| Say::new(vec!["never"])),
    );
    rig.system.run().unwrap();
    assert_eq!(rig.output(), ["a"]);
    assert_eq!(rig.signals(), [Control::Shutdown]);
    let failures = rig.system.failures();
    let seq = failures
        .iter()
        .find(|f| f.name.starts_with("Seq"))
        .expect("the Seq failed");
    assert!(
        seq.what.contains("stage 2")
            && seq.what.contains("Broken")
            && seq.what.contains("bad password file"),
        "{}",
        seq.what
    );
}

/// A `Seq` with no stages ends at once with `ProducerFinished`.
#[test]
fn empty_seq_ends_at_once() {
    let mut rig = Rig::new(Seq::<String, String>::new(()));
    rig.system.run().unwrap();
    assert_eq!(rig.signals(), [Control::ProducerFinished]);
}

/// A component feeding the `Seq` never gets an error because a stage ended: the `Seq`'s inbox
/// stays open from stage to stage.
#[test]
fn a_sender_never_sees_a_stage_end() {
    #[derive(Boxes)]
    struct Numbers {
        /// out
        outbox: Outbox<String>,
    }
    impl Component for Numbers {
        async fn run(mut self, _: Context) -> Result<(), Error> {
            for i in 1..=6 {
                self.outbox.send(i.to_string()).await?;
                tokio::task::yield_now().await;
            }
            Ok(())
        }
    }
    let log: Log = Arc::default();
    let (l1, l2) = (Arc::clone(&log), Arc::clone(&log));
    let seq = Seq::new(())
        .then(move |()| take("A", 3, &l1))
        .then(move |()| take("B", 3, &l2));
    let numbers = Numbers {
        outbox: Outbox::new(),
    };
    let mut output = Inbox::new();
    axon::link(&numbers.outbox, &seq.inbox).unwrap();
    axon::link(&seq.outbox, &output).unwrap();
    let mut system = System::deterministic();
    system.spawn(seq);
    system.spawn(numbers);
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    let got: Vec<String> = drain(&mut output);
    assert_eq!(got, ["A:1", "A:2", "A:3", "B:4", "B:5", "B:6"]);
}
