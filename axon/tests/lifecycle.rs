//! Component lifecycle: identity, adopt-then-activate, how a parent hears a child end, failure
//! containment, what ending does to a component's boxes and links, and the control/signal
//! convention carried down a chain.
//!
//! Ports these Kamaelia Axon unit-test behaviours (reference §6.2, semantics §1.2, §1.3, §1.8):
//! * `test_Microprocess`: every microprocess gets a distinct id; construction and activation are
//!   separate steps; a stopped microprocess yields nothing further (here: a finished component's
//!   inboxes are closed).
//! * `test_Scheduler`: "a microprocess that pauses and then ends immediately still terminates
//!   properly", and every finished one has had its close-down run.
//! * `test_Component`: `addChildren` registers for the child's termination (here
//!   `Context::next_child_exit`, which also says *how* it ended); `removeChild` deregisters the
//!   child and removes the parent's links to it; `_closeDownMicroprocess` removes every linkage
//!   the component created, leaving links made by others in place.
//! * §1.8: one `producerFinished` cascades down a pipeline and shuts it in order.
//!
//! Deliberately left out: `setSchedulerClass` / `activate(Scheduler=...)` (no scheduler class to
//! swap: a component runs on the system that adopted it); `_isStopped` / `_isRunnable` /
//! `pause` / `unpause` (there is no pause call: a component waits by awaiting; see
//! `scheduler.rs`); `_closeDownMicroprocess` return values and knock-on actions (no knock-on
//! here, `Exit` says how a component ended); the default `main()` / `mainBody()` /
//! `initialiseComponent()` generator protocol, `next()` stepping and `str()` formats (Python
//! generator protocol details); `immortalise` (a panic is always contained here).

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axon::model::{BoxAddress, LinkSnapshot};
use axon::{
    Boxes, Component, ComponentId, ComponentState, Context, Control, Error, Exit, Inbox, InboxRef,
    Outbox, OutboxRef, System, TryRecvError, TrySendError,
};

type Log = Arc<Mutex<Vec<String>>>;
type Shared<T> = Arc<Mutex<T>>;

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

fn describe(exit: &Exit) -> String {
    match exit {
        Exit::Finished => "finished".into(),
        Exit::Failed(e) => format!("failed: {e}"),
        Exit::Panicked(m) => format!("panicked: {m}"),
        Exit::Cancelled => "cancelled".into(),
    }
}

/// Ends on the first message to `inbox` or `control`, passing a control message on.
#[derive(Boxes, Default)]
struct Idle {
    /// Any message ends it.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Unused data out.
    outbox: Outbox<u32>,
    /// The control message that stopped it.
    signal: Outbox<Control>,
}

impl Component for Idle {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        tokio::select! {
            biased;
            Some(c) = self.control.recv() => self.signal.send(c).await?,
            Some(_) = self.inbox.recv() => {}
        }
        Ok(())
    }
}

/// Takes one turn, then finishes (`None`), fails (`Some(Ok(msg))`) or panics (`Some(Err(msg))`).
#[derive(Boxes)]
struct Ender(Option<Result<&'static str, &'static str>>);

impl Component for Ender {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        axon::yield_now().await;
        match self.0 {
            None => Ok(()),
            Some(Ok(m)) => Err(Error::msg(m)),
            Some(Err(m)) => panic!("{m}"),
        }
    }
}

const FINISH: Ender = Ender(None);

/// Adopts `n` children (dropping them unstarted), recording its own and their ids and names.
#[derive(Boxes)]
struct Adopter {
    n: usize,
    ids: Shared<Vec<(ComponentId, String)>>,
}

impl Component for Adopter {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let mut ids = vec![(ctx.id(), ctx.name().to_string())];
        for _ in 0..self.n {
            let child = ctx.adopt(Idle::default());
            ids.push((child.id(), child.name().to_string()));
        }
        self.ids.lock().unwrap().extend(ids);
        Ok(())
    }
}

/// Every component registered in a system, top-level or child, gets an id no other has, and
/// its default name is `Type#id`.
#[test]
fn every_component_gets_a_distinct_id() {
    let mut system = System::deterministic();
    let ids = Arc::new(Mutex::new(Vec::new()));
    let top: Vec<_> = (0..50).map(|_| system.adopt(Idle::default())).collect();
    for c in &top {
        assert_eq!(c.name(), format!("Idle{}", c.id()));
        ids.lock().unwrap().push((c.id(), c.name().to_string()));
    }
    let ids2 = Arc::clone(&ids);
    system.spawn(Adopter { n: 50, ids: ids2 });
    system.run().unwrap();
    let ids = ids.lock().unwrap();
    assert_eq!(ids.len(), 101);
    let distinct: HashSet<_> = ids.iter().map(|(id, _)| *id).collect();
    assert_eq!(distinct.len(), 101, "ids repeat: {ids:?}");
    let names: HashSet<_> = ids.iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(names.len(), 101, "default names repeat");
}

/// Sets a flag when it runs.
#[derive(Boxes)]
struct Marker {
    /// Listed so the snapshot shows its boxes.
    inbox: Inbox<u32>,
    ran: Arc<AtomicBool>,
}

impl Marker {
    fn new(ran: &Arc<AtomicBool>) -> Self {
        Marker {
            inbox: Inbox::new(),
            ran: Arc::clone(ran),
        }
    }
}

impl Component for Marker {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        self.ran.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// `adopt` registers a component (visible as `Created` with its boxes) but nothing runs, and
/// nothing counts as live, until `activate`.
#[test]
fn adopt_registers_but_nothing_runs_until_activate() {
    let mut system = System::deterministic();
    let ran = Arc::new(AtomicBool::new(false));
    let child = system.adopt_named("marker", Marker::new(&ran));
    let snap = system.snapshot();
    assert_eq!(snap.components.len(), 1);
    let c = &snap.components[0];
    assert_eq!(
        (c.id, c.name.as_str(), c.parent),
        (child.id(), "marker", None)
    );
    assert_eq!(c.state, ComponentState::Created);
    let boxes: Vec<_> = c.boxes.iter().map(|b| b.info.name.to_string()).collect();
    assert_eq!(boxes, ["inbox"]);
    assert_eq!(system.live(), 0);
    assert_eq!(
        system.run_until_idle(),
        0,
        "an adopted component was polled"
    );
    system.run().unwrap();
    assert!(!ran.load(Ordering::SeqCst), "ran before activate");

    system.activate(child);
    assert_eq!(system.live(), 1);
    system.run().unwrap();
    assert!(ran.load(Ordering::SeqCst));
    assert!(system.snapshot().components.is_empty());
}

/// Once activated, a component is live and runnable (`Running`), no longer `Created`, even
/// before the scheduler first polls it.
#[test]
fn an_activated_component_is_no_longer_shown_as_created() {
    let system = System::deterministic();
    let ran = Arc::new(AtomicBool::new(false));
    let id = system.spawn(Marker::new(&ran));
    assert_eq!(system.live(), 1);
    let snap = system.snapshot();
    assert_eq!(snap.components[0].id, id);
    assert!(!ran.load(Ordering::SeqCst));
    assert_eq!(snap.components[0].state, ComponentState::Running);
}

/// Starts three children that end in three different ways and logs what it hears.
#[derive(Boxes)]
struct Parent {
    log: Log,
}

impl Component for Parent {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let mut started = vec![
            ctx.spawn(FINISH),
            ctx.spawn(Ender(Some(Ok("disk full")))),
            ctx.spawn(Ender(Some(Err("kaboom")))),
        ];
        let mut heard = Vec::new();
        while let Some(exit) = ctx.next_child_exit().await {
            started.retain(|id| *id != exit.id); // each id heard once
            heard.push(format!("{}: {}", exit.name, describe(&exit.exit)));
        }
        heard.sort();
        heard.push(format!(
            "unheard {} left {:?}",
            started.len(),
            ctx.children()
        ));
        self.log.lock().unwrap().extend(heard);
        Ok(())
    }
}

/// A parent hears every child's end exactly once, with `Finished`, `Failed(error text)` or
/// `Panicked(panic message)`, and `next_child_exit` returns `None` once all are collected.
#[test]
fn a_parent_hears_each_child_end_and_how() {
    let mut system = System::deterministic();
    let log = Log::default();
    system.spawn(Parent {
        log: Arc::clone(&log),
    });
    system.run().unwrap();
    let want = [
        "Ender#2: finished",
        "Ender#3: failed: disk full",
        "Ender#4: panicked: kaboom",
        "unheard 0 left []",
    ];
    assert_eq!(entries(&log), want);
}

/// `System::failures` lists components that failed or panicked, oldest first, by id and name
/// with what happened, and does not list those that finished.
#[test]
fn failures_lists_failed_and_panicked_components_by_name() {
    let mut system = System::deterministic();
    let failed = system.spawn_named("fails", Ender(Some(Ok("disk full"))));
    let panicked = system.spawn_named("panics", Ender(Some(Err("oh no"))));
    system.spawn_named("fine", FINISH);
    system.run().unwrap();
    let got: Vec<_> = system
        .failures()
        .into_iter()
        .map(|f| (f.id, f.name, f.what))
        .collect();
    let want = [
        (failed, "fails".to_string(), "failed: disk full".to_string()),
        (
            panicked,
            "panics".to_string(),
            "panicked: oh no".to_string(),
        ),
    ];
    assert_eq!(got, want);
}

/// Sends `1..=n`, then `ProducerFinished`.
#[derive(Boxes, Default)]
struct Source {
    /// The numbers.
    outbox: Outbox<u64>,
    /// `ProducerFinished` at the end.
    signal: Outbox<Control>,
    n: u64,
}

impl Component for Source {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for i in 1..=self.n {
            self.outbox.send(i).await?;
        }
        self.signal.send(Control::ProducerFinished).await?;
        Ok(())
    }
}

/// Adds `add` to each number; on control it drains its inbox, logs, passes the control on and
/// ends (the convention of `axon::control`).
#[derive(Boxes)]
struct Stage {
    /// Numbers in.
    inbox: Inbox<u64>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Numbers out.
    outbox: Outbox<u64>,
    /// The control message, passed on.
    signal: Outbox<Control>,
    add: u64,
    log: Log,
}

impl Component for Stage {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => {
                    while let Ok(n) = self.inbox.try_recv() {
                        self.outbox.send(n + self.add).await?;
                    }
                    self.log.lock().unwrap().push(format!("{}: {c:?}", ctx.name()));
                    self.signal.send(c).await?;
                    return Ok(());
                }
                Some(n) = self.inbox.recv() => self.outbox.send(n + self.add).await?,
            }
        }
    }
}

/// Source(1..=n) → s1(+1) → s2(+10) → s3(+100), signal → control all along; inboxes of 4.
/// Returns the inboxes that get the results and the final signal.
fn chain(system: &System, n: u64, log: &Log) -> (Inbox<u64>, Inbox<Control>) {
    let source = system.adopt(Source {
        n,
        ..Source::default()
    });
    let stages: Vec<_> = [1, 10, 100]
        .into_iter()
        .enumerate()
        .map(|(i, add)| {
            let (inbox, control) = (Inbox::with_capacity(4), Inbox::new());
            let (outbox, signal, log) = (Outbox::new(), Outbox::new(), Arc::clone(log));
            let stage = Stage {
                inbox,
                control,
                outbox,
                signal,
                add,
                log,
            };
            system.adopt_named(format!("s{}", i + 1), stage)
        })
        .collect();
    let (results, signal) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&source.outbox, &stages[0].inbox).unwrap();
    axon::link(&source.signal, &stages[0].control).unwrap();
    for w in stages.windows(2) {
        axon::link(&w[0].outbox, &w[1].inbox).unwrap();
        axon::link(&w[0].signal, &w[1].control).unwrap();
    }
    axon::link(&stages[2].outbox, &results).unwrap();
    axon::link(&stages[2].signal, &signal).unwrap();
    system.activate(source);
    for s in stages {
        system.activate(s);
    }
    (results, signal)
}

/// A `ProducerFinished` sent after the data flows down a three-stage chain (signal → control),
/// shutting each stage in order, and every message sent before it arrives, in order.
#[test]
fn producer_finished_shuts_a_three_stage_chain_in_order_without_losing_data() {
    const N: u64 = 500;
    let systems = [
        System::deterministic(),
        System::builder().threads(2).build(),
    ];
    for mut system in systems {
        let log = Log::default();
        let (mut results, mut signal) = chain(&system, N, &log);
        system.run().unwrap();
        let mut got = Vec::new();
        results.recv_many(&mut got, usize::MAX);
        assert_eq!(
            got,
            (1..=N).map(|i| i + 111).collect::<Vec<_>>(),
            "{system:?}"
        );
        assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
        let want = [
            "s1: ProducerFinished",
            "s2: ProducerFinished",
            "s3: ProducerFinished",
        ];
        assert_eq!(entries(&log), want, "{system:?}");
    }
}

/// A component that panics while others are mid-run does not take the system down: the others
/// keep running and finish, `run` returns normally and the panic is listed in `failures`.
#[test]
fn a_panicking_component_does_not_take_down_the_others() {
    let systems = [
        System::deterministic(),
        System::new(),
        System::builder().threads(2).build(),
    ];
    for mut system in systems {
        let label = format!("{system:?}");
        let panicker = system.spawn_named("panicker", Ender(Some(Err("bad luck"))));
        let (mut results, _signal) = chain(&system, 1000, &Log::default());
        system.run().unwrap();
        let mut got = Vec::new();
        results.recv_many(&mut got, usize::MAX);
        assert_eq!(got.len(), 1000, "{label}");
        let failures = system.failures();
        assert_eq!(failures.len(), 1, "{label}: {failures:?}");
        let f = &failures[0];
        let want = (panicker, "panicker", "panicked: bad luck");
        assert_eq!((f.id, f.name.as_str(), f.what.as_str()), want, "{label}");
        assert_eq!(system.live(), 0, "{label}");
    }
}

/// Links two boxes that are not its own, says so, then waits for a control message.
#[derive(Boxes)]
struct Linker {
    /// Never read.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// "linked" once the link exists.
    outbox: Outbox<&'static str>,
    from: OutboxRef<u32>,
    to: InboxRef<u32>,
}

impl Linker {
    fn new(from: &Outbox<u32>, to: &Inbox<u32>) -> Self {
        let (inbox, control, outbox) = (Inbox::new(), Inbox::new(), Outbox::new());
        Linker {
            inbox,
            control,
            outbox,
            from: from.handle(),
            to: to.handle(),
        }
    }
}

impl Component for Linker {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        ctx.link(&self.from, &self.to)?;
        self.outbox.send("linked").await?;
        self.control.recv().await;
        Ok(())
    }
}

/// Ending closes a component's inboxes (discarding what was unread) and removes the links it
/// made; links made by others stay: another component's link keeps delivering, and a link
/// someone else made into the dead component now reports `Closed` instead of holding.
#[test]
fn ending_closes_inboxes_and_removes_only_the_links_it_made() {
    let mut system = System::deterministic();
    let (mut a_out, mut a_in) = (Outbox::new(), Inbox::unbounded());
    let (mut b_out, mut b_in) = (Outbox::new(), Inbox::unbounded());
    let first = system.adopt_named("first", Linker::new(&a_out, &a_in));
    let second = system.adopt_named("second", Linker::new(&b_out, &b_in));
    let (mut feed, mut stop1, mut stop2) = (Outbox::new(), Outbox::new(), Outbox::new());
    let (mut told, told2) = (Inbox::unbounded(), Inbox::unbounded());
    axon::link(&feed, &first.inbox).unwrap();
    axon::link(&stop1, &first.control).unwrap();
    axon::link(&stop2, &second.control).unwrap();
    axon::link(&first.outbox, &told).unwrap();
    axon::link(&second.outbox, &told2).unwrap();
    let first_inbox = first.inbox.handle();
    system.activate(first);
    system.activate(second);
    system.run_until_idle();
    assert_eq!(told.try_recv(), Ok("linked"));
    a_out.try_send(1).unwrap(); // delivered through first's link, left unread
    feed.try_send(7).unwrap(); // waits, unread, in first's inbox
    assert_eq!(first_inbox.len(), 1);

    stop1.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(system.live(), 1, "first should have ended");
    // Its inbox is closed and what was unread is gone; the test's link into it remains.
    assert!(first_inbox.is_closed());
    assert_eq!(first_inbox.len(), 0);
    assert!(feed.is_linked());
    assert_eq!(feed.try_send(8), Err(TrySendError::Closed(8)));
    // The link it made is gone; what it had delivered stays where it is.
    assert!(!a_out.is_linked());
    assert_eq!(a_in.try_recv(), Ok(1));
    a_out.try_send(2).unwrap(); // held by the now unlinked outbox
    assert_eq!(a_in.try_recv(), Err(TryRecvError::Empty));
    // The link made by the other component still delivers.
    b_out.try_send(3).unwrap();
    assert_eq!(b_in.try_recv(), Ok(3));

    stop2.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(!b_out.is_linked());
}

fn link_between(from: (ComponentId, &str), to: (ComponentId, &str)) -> LinkSnapshot {
    let end = |(id, name): (ComponentId, &str)| BoxAddress {
        component: Some(id),
        name: name.into(),
    };
    LinkSnapshot {
        from: end(from),
        to: end(to),
    }
}

/// Wires three `Idle` children a, b, c, removes a, records the links before and after, then
/// stops a (waiting for its signal), stops b (which stops c) and logs the ends it hears.
#[derive(Boxes, Default)]
struct Remover {
    /// Where `a` says it stopped (linked with plain `axon::link`: not owned by this component).
    inbox: Inbox<Control>,
    log: Log,
    links: Shared<Vec<BTreeSet<LinkSnapshot>>>,
    kids: Shared<Vec<ComponentId>>,
}

impl Component for Remover {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let a = ctx.adopt_named("a", Idle::default());
        let b = ctx.adopt_named("b", Idle::default());
        let c = ctx.adopt_named("c", Idle::default());
        let kids = [a.id(), b.id(), c.id()];
        self.kids.lock().unwrap().extend(kids);
        ctx.link(&a.outbox, &b.inbox)?;
        ctx.link(&b.outbox, &a.inbox)?;
        ctx.link(&b.signal, &c.control)?;
        axon::link(&a.signal, &self.inbox)?;
        let (a_ctl, b_ctl) = (a.control.handle(), b.control.handle());
        let to_kids = |ctx: &Context| -> BTreeSet<LinkSnapshot> {
            let links = ctx.snapshot().links.into_iter();
            links
                .filter(|l| l.to.component.is_some_and(|id| kids.contains(&id)))
                .collect()
        };
        self.links.lock().unwrap().push(to_kids(&ctx));
        ctx.activate(a);
        ctx.activate(b);
        ctx.activate(c);
        ctx.remove_child(kids[0]);
        self.links.lock().unwrap().push(to_kids(&ctx));
        let mut log = vec![format!("children: {}", ctx.children().len())];
        // `a` keeps running after removal; stop it and wait until it has said so.
        a_ctl.try_send(Control::Shutdown)?;
        log.push(format!("a said {:?}", self.inbox.recv().await));
        b_ctl.try_send(Control::Shutdown)?;
        while let Some(exit) = ctx.next_child_exit().await {
            log.push(format!("{} {}", exit.name, describe(&exit.exit)));
        }
        self.log.lock().unwrap().extend(log);
        Ok(())
    }
}

/// Runs a `Remover`; returns its log, the links to its children before and after the removal,
/// and the children's ids.
fn run_remover() -> (Vec<String>, Vec<BTreeSet<LinkSnapshot>>, Vec<ComponentId>) {
    let mut system = System::deterministic();
    let remover = Remover::default();
    let (log, links, kids) = (
        remover.log.clone(),
        remover.links.clone(),
        remover.kids.clone(),
    );
    system.spawn(remover);
    system.run().unwrap();
    let (links, kids) = (links.lock().unwrap().clone(), kids.lock().unwrap().clone());
    (entries(&log), links, kids)
}

/// `Context::remove_child` removes every link the parent made that involves that child (to or
/// from it) and leaves the parent's other links alone; the removed child keeps running.
#[test]
fn remove_child_removes_the_parents_links_involving_that_child() {
    let (log, links, kids) = run_remover();
    let [a, b, c] = kids[..] else {
        panic!("{kids:?}")
    };
    let before: BTreeSet<_> = [
        link_between((a, "outbox"), (b, "inbox")),
        link_between((b, "outbox"), (a, "inbox")),
        link_between((b, "signal"), (c, "control")),
    ]
    .into();
    let after: BTreeSet<_> = [link_between((b, "signal"), (c, "control"))].into();
    assert_eq!(links, [before, after]);
    assert_eq!(log[..2], ["children: 2", "a said Some(Shutdown)"]);
}

/// A removed child is forgotten: its parent no longer hears of its end (Kamaelia's
/// `removeChild` deregisters the close-down callback).
#[test]
fn a_removed_childs_end_is_not_reported_to_its_parent() {
    let (log, _, _) = run_remover();
    assert_eq!(
        log[2..],
        ["b finished", "c finished"],
        "heard of a removed child"
    );
}

/// Spawns one `Idle` child, hands out its inbox, and logs how it ended.
#[derive(Boxes)]
struct Waiter {
    child_inbox: Shared<Option<InboxRef<u32>>>,
    log: Log,
}

impl Component for Waiter {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let child = ctx.adopt_named("idle", Idle::default());
        *self.child_inbox.lock().unwrap() = Some(child.inbox.handle());
        ctx.activate(child);
        let exit = ctx.next_child_exit().await.unwrap();
        self.log.lock().unwrap().push(describe(&exit.exit));
        Ok(())
    }
}

/// A component that is waiting for a message and ends as soon as it gets one terminates
/// properly: its parent hears `Finished`, its inbox closes, it leaves the live model.
#[test]
fn a_waiting_component_that_ends_at_once_terminates_properly() {
    let mut system = System::deterministic();
    let (slot, log) = (Shared::default(), Log::default());
    let waiter = Waiter {
        child_inbox: Arc::clone(&slot),
        log: Arc::clone(&log),
    };
    system.spawn_named("waiter", waiter);
    system.run_until_idle();
    let snap = system.snapshot().components;
    let states: Vec<_> = snap.into_iter().map(|c| (c.name, c.state)).collect();
    assert_eq!(states.len(), 2);
    assert_eq!(states[0], ("waiter".into(), ComponentState::Waiting));
    assert_eq!(states[1].0, "idle");
    assert!(
        matches!(states[1].1, ComponentState::Receiving { .. }),
        "{states:?}"
    );
    let inbox = slot.lock().unwrap().take().unwrap();
    inbox.try_send(1).unwrap();
    system.run().unwrap();
    assert_eq!(entries(&log), ["finished"]);
    assert!(inbox.is_closed());
    assert_eq!(inbox.try_send(2), Err(TrySendError::Closed(2)));
    assert!(system.snapshot().components.is_empty());
    assert_eq!(system.live(), 0);
}

/// Adopts a child, lets a few turns pass, logs what the model says of it, then drops it
/// without activating it and logs what it hears.
#[derive(Boxes)]
struct Abandoner {
    ran: Arc<AtomicBool>,
    log: Log,
}

impl Component for Abandoner {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let child = ctx.adopt_named("unstarted", Marker::new(&self.ran));
        let child_id = child.id();
        for _ in 0..3 {
            axon::yield_now().await;
        }
        let snap = ctx.snapshot().components;
        let c = snap.iter().find(|c| c.id == child_id).unwrap();
        let mine = c.parent == Some(ctx.id());
        let before = format!("{:?} mine={mine} of {}", c.state, snap.len());
        drop(child);
        let exit = ctx.next_child_exit().await.unwrap();
        let after = ctx.snapshot().components.len();
        let how = format!("{} {} of {after}", exit.name, describe(&exit.exit));
        self.log.lock().unwrap().extend([before, how]);
        Ok(())
    }
}

/// A child adopted with `Context::adopt` is registered under its parent but does not run until
/// activated; dropped without activation, it is reported `Cancelled` and leaves the model.
#[test]
fn an_adopted_child_never_runs_unless_activated_and_is_cancelled_when_dropped() {
    let mut system = System::deterministic();
    let (ran, log) = (Arc::new(AtomicBool::new(false)), Log::default());
    let ran2 = Arc::clone(&ran);
    system.spawn(Abandoner {
        ran: ran2,
        log: Arc::clone(&log),
    });
    system.run().unwrap();
    assert_eq!(
        entries(&log),
        ["Created mine=true of 2", "unstarted cancelled of 1"]
    );
    assert!(!ran.load(Ordering::SeqCst));
}

/// `Context::cancel_child` stops a child that ignores control: it ends as `Cancelled`, its
/// inboxes are closed, and its parent hears of it.
#[test]
fn cancel_child_stops_a_child_that_ignores_control() {
    #[derive(Boxes)]
    struct Stubborn {
        /// Never used: it waits here forever.
        inbox: Inbox<u8>,
        /// Ignored.
        control: Inbox<Control>,
    }
    impl Component for Stubborn {
        async fn run(mut self, _ctx: Context) -> Result<(), Error> {
            loop {
                self.inbox.recv().await;
            }
        }
    }
    #[derive(Boxes)]
    struct Parent {
        /// The exit it heard, as text.
        outbox: Outbox<String>,
    }
    impl Component for Parent {
        async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
            let child = ctx.adopt(Stubborn {
                inbox: Inbox::new(),
                control: Inbox::new(),
            });
            let control = child.control.handle();
            let id = ctx.activate(child);
            axon::yield_now().await;
            control.try_send(Control::Shutdown).ok(); // ignored
            axon::yield_now().await;
            assert!(ctx.cancel_child(id));
            let exit = ctx.next_child_exit().await.expect("the child ends");
            assert!(control.is_closed(), "its inboxes are closed");
            self.outbox.send(format!("{:?}", exit.exit)).await?;
            Ok(())
        }
    }
    let mut system = System::deterministic();
    let parent = Parent {
        outbox: Outbox::new(),
    };
    let mut heard = Inbox::new();
    axon::link(&parent.outbox, &heard).unwrap();
    system.spawn(parent);
    system.run().unwrap();
    assert_eq!(heard.try_recv().unwrap(), "Cancelled");
}
