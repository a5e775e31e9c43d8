//! Par (Kamaelia's PAR, reference §2): children run side by side, activated only when the `Par`
//! runs; their outboxes are merged into the `Par`'s; every inbox message goes to every child
//! (the inbox policy chosen here: broadcast — Kamaelia discarded it); every control message
//! goes to every child; the `Par` ends only when all children have; and it sends exactly one
//! message on signal at the end (Shutdown if there was one, else ProducerFinished).

use std::sync::{Arc, Mutex};

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use kamaelia::chassis::par::Par;
use kamaelia::chassis::Pipeline;

type Log = Arc<Mutex<Vec<String>>>;

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

fn entries_of(log: &Log, who: &str) -> Vec<String> {
    entries(log)
        .into_iter()
        .filter(|e| e.starts_with(&format!("{who} ")) && !e.ends_with("started"))
        .collect()
}

/// A child driven by the test: it records what reaches its `inbox` and `control`, sends what it
/// is told to on `outbox` and `signal`, ends on `Shutdown` or when told, and fails when told.
#[derive(Boxes)]
struct Puppet {
    /// Recorded.
    inbox: Inbox<u32>,
    /// Recorded; `Shutdown` ends it.
    control: Inbox<Control>,
    /// What arrives on `say`.
    outbox: Outbox<u32>,
    /// What arrives on `say_signal`.
    signal: Outbox<Control>,
    /// Numbers to send on `outbox`.
    say: Inbox<u32>,
    /// Messages to send on `signal`.
    say_signal: Inbox<Control>,
    /// `Ok` ends it, `Err` fails it.
    end: Inbox<Result<(), String>>,
    #[boxes(skip)]
    name: &'static str,
    #[boxes(skip)]
    log: Log,
}

/// The test's end of a puppet's strings.
struct Strings {
    say: Outbox<u32>,
    say_signal: Outbox<Control>,
    end: Outbox<Result<(), String>>,
}

fn puppet(name: &'static str, log: &Log) -> (Puppet, Strings) {
    let p = Puppet {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        say: Inbox::new(),
        say_signal: Inbox::new(),
        end: Inbox::new(),
        name,
        log: Arc::clone(log),
    };
    let s = Strings {
        say: Outbox::new(),
        say_signal: Outbox::new(),
        end: Outbox::new(),
    };
    axon::link(&s.say, &p.say).unwrap();
    axon::link(&s.say_signal, &p.say_signal).unwrap();
    axon::link(&s.end, &p.end).unwrap();
    (p, s)
}

impl Component for Puppet {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        let log = |s: String| self.log.lock().unwrap().push(s);
        log(format!("{} started", self.name));
        loop {
            tokio::select! {
                biased;
                Some(end) = self.end.recv() => return end.map_err(Error::msg),
                Some(c) = self.control.recv() => {
                    log(format!("{} control {c:?}", self.name));
                    if c == Control::Shutdown {
                        return Ok(());
                    }
                }
                Some(m) = self.inbox.recv() => log(format!("{} got {m}", self.name)),
                Some(m) = self.say.recv() => self.outbox.send(m).await?,
                Some(c) = self.say_signal.recv() => self.signal.send(c).await?,
            }
        }
    }
}
kamaelia::impl_stage!([] Puppet, u32 => u32);

/// Applies a function; follows the control convention.
#[derive(Boxes)]
struct Map {
    /// Numbers.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Results.
    outbox: Outbox<u32>,
    /// The stop request, passed on.
    signal: Outbox<Control>,
    #[boxes(skip)]
    f: fn(u32) -> u32,
}

fn map(f: fn(u32) -> u32) -> Map {
    Map {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        f,
    }
}

impl Component for Map {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(n) => self.outbox.send((self.f)(n)).await?,
                Event::Control(c) => {
                    if c.is_producer_finished() {
                        while let Ok(n) = self.inbox.try_recv() {
                            self.outbox.send((self.f)(n)).await?;
                        }
                    }
                    self.signal.send(c).await?;
                    return Ok(());
                }
            }
        }
    }
}
kamaelia::impl_stage!([] Map, u32 => u32);

/// The test's connections to a Par's four boxes.
struct Ends {
    inbox: Outbox<u32>,
    control: Outbox<Control>,
    outbox: Inbox<u32>,
    signal: Inbox<Control>,
}

impl Ends {
    fn all(&mut self) -> Vec<u32> {
        std::iter::from_fn(|| self.outbox.try_recv().ok()).collect()
    }
    fn signals(&mut self) -> Vec<Control> {
        std::iter::from_fn(|| self.signal.try_recv().ok()).collect()
    }
}

fn ends(p: &Par<u32, u32>) -> Ends {
    let e = Ends {
        inbox: Outbox::new(),
        control: Outbox::new(),
        outbox: Inbox::new(),
        signal: Inbox::new(),
    };
    axon::link(&e.inbox, &p.inbox).unwrap();
    axon::link(&e.control, &p.control).unwrap();
    axon::link(&p.outbox, &e.outbox).unwrap();
    axon::link(&p.signal, &e.signal).unwrap();
    e
}

fn is_live(system: &System, name: &str) -> bool {
    system.snapshot().components.iter().any(|c| c.name == name)
}

/// Children are activated when the Par is activated, and no sooner.
#[test]
fn children_start_only_when_par_runs() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let mut system = System::deterministic();
    let par = system.adopt(Par::new(a).with(b));
    system.run_until_idle();
    assert!(entries(&log).is_empty(), "{:?}", entries(&log));
    system.activate(par);
    system.run_until_idle();
    assert_eq!(entries(&log), ["A started", "B started"]);
}

/// The Par ends only once every child has ended, and only then says so on signal.
#[test]
fn par_ends_only_after_every_child_has_ended() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn_named("P", par);
    system.run_until_idle();
    sb.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(is_live(&system, "P"));
    assert!(e.signals().is_empty());
    sa.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, "P"));
    assert_eq!(e.signals(), [Control::ProducerFinished]);
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// Every child's outbox leaves through the Par's outbox, in the order sent.
#[test]
fn outputs_of_all_children_merge_into_the_par_outbox() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, mut sc) = puppet("C", &log);
    let par = Par::new(a).with(b).with(c);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    sa.say.try_send(1).unwrap();
    system.run_until_idle();
    sc.say.try_send(3).unwrap();
    system.run_until_idle();
    sb.say.try_send(2).unwrap();
    system.run_until_idle();
    assert_eq!(e.all(), [1, 3, 2]);
}

/// Inbox policy: every message on the Par's inbox goes to every child, in order.
#[test]
fn every_inbox_message_goes_to_every_child() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    for n in 1..=3 {
        e.inbox.try_send(n).unwrap();
    }
    system.run_until_idle();
    assert_eq!(entries_of(&log, "A"), ["A got 1", "A got 2", "A got 3"]);
    assert_eq!(entries_of(&log, "B"), ["B got 1", "B got 2", "B got 3"]);
}

/// Every message on the Par's control goes to every child's control.
#[test]
fn every_control_message_goes_to_every_child() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    e.control.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    // Later control messages are still passed on: Shutdown can cut a drain short.
    e.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(
        entries_of(&log, "A"),
        ["A control ProducerFinished", "A control Shutdown"]
    );
    assert_eq!(
        entries_of(&log, "B"),
        ["B control ProducerFinished", "B control Shutdown"]
    );
    assert_eq!(e.signals(), [Control::Shutdown]);
}

/// ProducerFinished: input queued before it reaches every child first, the children drain, and
/// the Par sends one ProducerFinished on signal.
#[test]
fn producer_finished_hands_on_queued_input_then_ends_with_producer_finished() {
    let par = Par::new(map(|n| n * 10)).with(map(|n| n + 1));
    let mut e = ends(&par);
    let mut system = System::deterministic();
    for n in 1..=3 {
        e.inbox.try_send(n).unwrap();
    }
    e.control.try_send(Control::ProducerFinished).unwrap();
    system.spawn(par);
    system.run().unwrap();
    let mut got = e.all();
    got.sort_unstable();
    assert_eq!(got, [2, 3, 4, 10, 20, 30]);
    assert_eq!(e.signals(), [Control::ProducerFinished]);
}

/// Shutdown: passed to every child at once, queued input is not handed on, and the Par sends
/// Shutdown on signal.
#[test]
fn shutdown_stops_every_child_and_is_sent_on_signal() {
    let par = Par::new(map(|n| n)).with(map(|n| n));
    let mut e = ends(&par);
    let mut system = System::deterministic();
    for n in 1..=3 {
        e.inbox.try_send(n).unwrap();
    }
    e.control.try_send(Control::Shutdown).unwrap();
    system.spawn(par);
    system.run().unwrap();
    assert!(e.all().is_empty());
    assert_eq!(e.signals(), [Control::Shutdown]);
    assert_eq!(system.live(), 0);
}

/// The children's own signals are not passed through one by one: downstream hears once, after
/// the last child has ended.
#[test]
fn childrens_signals_are_collected_into_one_at_the_end() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    sa.say_signal.try_send(Control::ProducerFinished).unwrap();
    sa.end.try_send(Ok(())).unwrap();
    system.run_until_idle();
    assert!(e.signals().is_empty());
    sb.say_signal.try_send(Control::ProducerFinished).unwrap();
    sb.end.try_send(Ok(())).unwrap();
    system.run().unwrap();
    assert_eq!(e.signals(), [Control::ProducerFinished]);
}

/// A child that signals Shutdown makes the Par's final signal Shutdown.
#[test]
fn a_child_signalling_shutdown_makes_the_final_signal_shutdown() {
    let log = Log::default();
    let (a, mut sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    system.spawn(par);
    sa.say_signal.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    sa.end.try_send(Ok(())).unwrap();
    sb.end.try_send(Ok(())).unwrap();
    system.run().unwrap();
    assert_eq!(e.signals(), [Control::Shutdown]);
}

/// A child that fails makes the Par send Shutdown to the others, send Shutdown on signal and
/// end with an error naming the child.
#[test]
fn failing_child_makes_par_stop_the_others_and_fail_naming_it() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, mut sb) = puppet("B", &log);
    let (c, _sc) = puppet("C", &log);
    let par = Par::new(a).with(b).with(c);
    let mut e = ends(&par);
    let mut system = System::deterministic();
    let par = system.adopt_named("P", par);
    let p_id = system.activate(par);
    system.run_until_idle();
    // B is the second child the Par adopted.
    let mut children: Vec<_> = system
        .snapshot()
        .components
        .into_iter()
        .filter(|c| c.parent == Some(p_id))
        .collect();
    children.sort_by_key(|c| c.id);
    let b_name = children[1].name.clone();
    sb.end.try_send(Err("boom".to_string())).unwrap();
    system.run().unwrap();
    assert_eq!(entries_of(&log, "A"), ["A control Shutdown"]);
    assert_eq!(entries_of(&log, "C"), ["C control Shutdown"]);
    assert_eq!(e.signals(), [Control::Shutdown]);
    let failures = system.failures();
    let p = failures.iter().find(|f| f.name == "P").expect("P failed");
    assert!(
        p.what.contains(&format!("child {b_name} failed: boom")),
        "{}",
        p.what
    );
}

/// Messages sent to the Par before it starts wait, then reach every child in order.
#[test]
fn messages_sent_before_par_starts_are_delivered() {
    let log = Log::default();
    let (a, _sa) = puppet("A", &log);
    let (b, _sb) = puppet("B", &log);
    let par = Par::new(a).with(b);
    let mut e = ends(&par);
    for n in 1..=2 {
        e.inbox.try_send(n).unwrap();
    }
    let mut system = System::deterministic();
    system.spawn(par);
    system.run_until_idle();
    assert_eq!(entries_of(&log, "A"), ["A got 1", "A got 2"]);
    assert_eq!(entries_of(&log, "B"), ["B got 1", "B got 2"]);
}

/// A Par works as a pipeline stage: what follows it sees every child's output, and is told to
/// stop only after all of them have finished.
#[test]
fn par_works_as_a_pipeline_stage() {
    let p = Pipeline::new(Par::new(map(|n| n * 10)).with(map(|n| n + 1))).then(map(|n| n));
    let (mut input, mut stop) = (Outbox::new(), Outbox::new());
    axon::link(&input, &p.inbox).unwrap();
    axon::link(&stop, &p.control).unwrap();
    let mut output = Inbox::new();
    axon::link(&p.outbox, &output).unwrap();
    let mut system = System::deterministic();
    system.spawn(p);
    input.try_send(5).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let mut got: Vec<u32> = std::iter::from_fn(|| output.try_recv().ok()).collect();
    got.sort_unstable();
    assert_eq!(got, [6, 50]);
}

/// The catalogue lists Par with its Kamaelia name and the four standard boxes.
#[test]
fn par_is_listed_in_the_catalogue() {
    let entries = kamaelia::catalogue::all();
    let p = entries.iter().find(|e| e.name == "Par").unwrap();
    assert_eq!(p.kamaelia_name, "Kamaelia.Chassis.PAR.PAR");
    let boxes: Vec<_> = p.boxes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(boxes, ["inbox", "control", "outbox", "signal"]);
}
