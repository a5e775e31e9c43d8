//! PlugSplitter and Plug: a splitter whose sinks join and leave at run time, and the wrapper
//! that plugs a component into one.
//!
//! Everything runs on `System::deterministic()`; time moves only with `advance`.

mod common;

use axon::{AsInbox, Control, Inbox, Outbox, System};
use common::drain;
use common::flow::{closed_inbox, feed, receiver, sender, Failer, Relay};
use kamaelia::util::flow::{Plug, PlugSplitter, SinkId, SlowSink, SplitterConfig};

// ---------------------------------------------------------------------------------------------
// PlugSplitter

/// Outboxes feeding a splitter's `inbox`, `configuration` and `control`.
fn splitter_senders<T: Clone + Send + 'static>(
    s: &PlugSplitter<T>,
) -> (Outbox<T>, Outbox<SplitterConfig<T>>, Outbox<Control>) {
    (
        sender(&s.inbox),
        sender(&s.configuration),
        sender(&s.control),
    )
}

/// Asks the splitter to add `sink` (without a control inbox); returns its id.
fn add_sink<T: Send + 'static>(
    config: &mut Outbox<SplitterConfig<T>>,
    sink: &impl AsInbox<T>,
) -> SinkId {
    let id = SinkId::new();
    config
        .try_send(SplitterConfig::add(id, sink, None))
        .unwrap();
    id
}

/// Every message goes to `outbox` and to every sink.
#[test]
fn plug_splitter_copies_to_every_sink_and_outbox() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut main = receiver(&s.outbox, 1000);
    let mut sinks: Vec<Inbox<u32>> = (0..3).map(|_| Inbox::with_capacity(1000)).collect();
    for sink in &sinks {
        add_sink(&mut config, sink);
    }
    system.spawn(s);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 3);
    feed(&mut system, &mut input, 0..300);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut main), (0..300).collect::<Vec<_>>());
    for sink in &mut sinks {
        assert_eq!(drain(sink), (0..300).collect::<Vec<_>>());
    }
}

/// A sink sees only messages handled after it joined, and nothing after it left.
#[test]
fn plug_splitter_sinks_join_and_leave_at_run_time() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    system.spawn(s);
    let mut early = Inbox::new();
    let early_id = add_sink(&mut config, &early);
    system.run_until_idle();
    feed(&mut system, &mut input, [1]);
    system.run_until_idle();
    let mut late = Inbox::new();
    add_sink(&mut config, &late);
    system.run_until_idle();
    feed(&mut system, &mut input, [2]);
    system.run_until_idle();
    config.try_send(SplitterConfig::Remove(early_id)).unwrap();
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut early), [1, 2]);
    assert_eq!(drain(&mut late), [2, 3]);
}

/// Wait policy: a slow sink holds everyone up, and no sink misses anything.
#[test]
fn plug_splitter_wait_policy_holds_all_up_and_loses_nothing() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new().when_full(SlowSink::Wait);
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut slow = Inbox::with_capacity(1);
    let mut fast = Inbox::with_capacity(64);
    add_sink(&mut config, &slow);
    add_sink(&mut config, &fast);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(
        drain(&mut fast),
        [1],
        "the fast sink waits for the slow one"
    );
    stop.try_send(Control::ProducerFinished).unwrap();
    let (mut got_slow, mut got_fast) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        got_slow.extend(drain(&mut slow));
        got_fast.extend(drain(&mut fast));
        system.run_until_idle();
    }
    assert_eq!(got_slow, [1, 2, 3]);
    assert_eq!(got_fast, [2, 3]);
    assert_eq!(stats.dropped(), 0);
    assert_eq!(system.live(), 0);
}

/// Drop policy: a slow sink misses what does not fit (counted); the others get everything at
/// once, as on a backplane.
#[test]
fn plug_splitter_drop_policy_drops_for_the_slow_sink_only() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new().when_full(SlowSink::Drop);
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut slow = Inbox::with_capacity(1);
    let mut fast = Inbox::with_capacity(64);
    add_sink(&mut config, &slow);
    add_sink(&mut config, &fast);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut fast), [1, 2, 3]);
    assert_eq!(drain(&mut slow), [1]);
    assert_eq!(stats.dropped(), 2);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// Wait policy: removing the sink it is waiting for releases the splitter.
#[test]
fn plug_splitter_removing_the_awaited_sink_releases_it() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let stuck = Inbox::<u32>::with_capacity(1);
    let mut other = Inbox::with_capacity(64);
    let stuck_id = add_sink(&mut config, &stuck);
    add_sink(&mut config, &other);
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(drain(&mut other), [1]);
    config.try_send(SplitterConfig::Remove(stuck_id)).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut other), [2, 3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// A sink whose component has ended is removed.
#[test]
fn plug_splitter_removes_a_sink_that_has_ended() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let gone = closed_inbox::<u32>(&mut system);
    add_sink(&mut config, &gone);
    system.spawn(s);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [1]);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 0);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// `ProducerFinished` drains the queue to every sink, then reaches every sink's control and
/// `signal`.
#[test]
fn plug_splitter_producer_finished_drains_then_tells_every_sink() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut signal = receiver(&s.signal, 4);
    let (mut data, mut ctl) = (Inbox::new(), Inbox::new());
    config
        .try_send(SplitterConfig::add(
            SinkId::new(),
            &data,
            Some(ctl.handle()),
        ))
        .unwrap();
    input.try_send(1).unwrap();
    input.try_send(2).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.spawn(s);
    system.run().unwrap();
    assert_eq!(drain(&mut data), [1, 2]);
    assert_eq!(drain(&mut ctl), [Control::ProducerFinished]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// `Shutdown` stops it even while it waits for a slow sink, and reaches every sink's control and
/// `signal`.
#[test]
fn plug_splitter_shutdown_stops_while_blocked_and_tells_every_sink() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let (mut input, mut config, mut stop) = splitter_senders(&s);
    let mut signal = receiver(&s.signal, 4);
    let slow = Inbox::<u32>::with_capacity(1);
    let mut ctl = Inbox::new();
    config
        .try_send(SplitterConfig::add(
            SinkId::new(),
            &slow,
            Some(ctl.handle()),
        ))
        .unwrap();
    system.spawn(s);
    feed(&mut system, &mut input, [1, 2, 3]);
    system.run_until_idle();
    assert_eq!(system.live(), 1);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut ctl), [Control::Shutdown]);
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A sink whose control inbox is full holds up the end notice, but does not hide a `Shutdown`
/// sent meanwhile: that ends the wait, goes to the sink waited for (if it has room by then),
/// the sinks not told yet and on `signal`.
#[test]
fn plug_splitter_shutdown_stops_it_while_a_sinks_control_is_full() {
    let mut system = System::deterministic();
    let s = PlugSplitter::<u32>::new();
    let (_input, mut config, mut stop) = splitter_senders(&s);
    let mut signal = receiver(&s.signal, 4);
    let (deaf, mut deaf_ctl) = (Inbox::new(), Inbox::with_capacity(1));
    let (other, mut other_ctl) = (Inbox::new(), Inbox::new());
    deaf_ctl
        .handle()
        .try_send(Control::ProducerFinished)
        .unwrap(); // full, never read
    for (data, ctl) in [(&deaf, &deaf_ctl), (&other, &other_ctl)] {
        let add = SplitterConfig::add(SinkId::new(), data, Some(ctl.handle()));
        config.try_send(add).unwrap();
    }
    let id = system.spawn(s);
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting for room"
    );
    assert!(drain(&mut signal).is_empty());
    // Room appears in the deaf sink's control inbox just as the Shutdown comes: the Shutdown
    // goes there instead of the ProducerFinished that was waiting.
    assert_eq!(drain(&mut deaf_ctl), [Control::ProducerFinished]);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(drain(&mut other_ctl), [Control::Shutdown]);
    assert_eq!(drain(&mut deaf_ctl), [Control::Shutdown]);
}

// ---------------------------------------------------------------------------------------------
// Plug

/// A plug joins the splitter when it starts and leaves when its child ends.
#[test]
fn plug_joins_on_start_and_leaves_when_its_child_ends() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let plug = Plug::new(&s.configuration, Relay::new());
    let mut stop_plug = sender(&plug.control);
    let mut got = receiver(&plug.outbox, 64);
    let mut plug_signal = receiver(&plug.signal, 4);
    system.spawn(s);
    system.spawn(plug);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [1, 2]);
    system.run_until_idle();
    assert_eq!(drain(&mut got), [1, 2]);
    // Stop only the plugged component: it leaves, the splitter goes on.
    stop_plug.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut plug_signal), [Control::Shutdown]);
    assert_eq!(stats.sinks(), 0);
    assert_eq!(system.live(), 1);
    feed(&mut system, &mut input, [3]);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
}

/// Several plugs each get every message, and the splitter's `ProducerFinished` ends them all.
#[test]
fn plug_splitter_stop_reaches_every_plugged_component() {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let mut outs = Vec::new();
    let mut signals = Vec::new();
    for _ in 0..3 {
        let plug = Plug::new(&s.configuration, Relay::new());
        outs.push(receiver(&plug.outbox, 1000));
        signals.push(receiver(&plug.signal, 4));
        system.spawn(plug);
    }
    system.spawn(s);
    system.run_until_idle();
    feed(&mut system, &mut input, 0..200u32);
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    for (out, sig) in outs.iter_mut().zip(&mut signals) {
        assert_eq!(drain(out), (0..200).collect::<Vec<_>>());
        assert_eq!(drain(sig), [Control::ProducerFinished]);
    }
}

/// A plug started after the splitter has ended tells its child that nothing will come.
#[test]
fn plug_into_an_ended_splitter_finishes_its_child() {
    let mut system = System::deterministic();
    let s: PlugSplitter<u32> = PlugSplitter::new();
    let config = s.configuration.handle();
    let mut stop = sender(&s.control);
    system.spawn(s);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    let plug = Plug::new(&config, Relay::<u32>::new());
    let mut signal = receiver(&plug.signal, 4);
    system.spawn(plug);
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// Plugs a [`Failer`] into a splitter and gives it a message; checks that the plug left the
/// splitter. Returns the plug's failure and what it said on `signal`.
fn plug_a_failing_child(panics: bool) -> (String, Vec<Control>) {
    let mut system = System::deterministic();
    let s = PlugSplitter::new();
    let stats = s.stats();
    let mut input = sender(&s.inbox);
    let mut stop = sender(&s.control);
    let plug = Plug::new(&s.configuration, Failer::new(panics));
    let mut signal = receiver(&plug.signal, 4);
    system.spawn(s);
    let plug = system.spawn(plug);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 1);
    feed(&mut system, &mut input, [1]);
    system.run_until_idle();
    assert_eq!(stats.sinks(), 0, "the plug left");
    let failures = system.failures();
    let what = failures
        .iter()
        .find(|f| f.id == plug)
        .unwrap_or_else(|| panic!("the plug failed: {failures:?}"))
        .what
        .clone();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    (what, drain(&mut signal))
}

/// If the plugged component fails, the plug leaves the splitter and fails naming it; the same
/// text goes on its `signal` as `Failed`.
#[test]
fn plug_fails_naming_a_failed_child() {
    let (what, said) = plug_a_failing_child(false);
    assert!(
        what.contains("plugged child") && what.contains("Failer") && what.contains("bad input"),
        "{what}"
    );
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        what.ends_with(said[0].failure().expect("Failed")),
        "{said:?}"
    );
}

/// A plugged component that panics says nothing on `signal`: the plug says `Failed` there,
/// naming it and the panic.
#[test]
fn plug_says_failed_when_its_child_panics() {
    let (what, said) = plug_a_failing_child(true);
    assert!(
        what.contains("Failer") && what.contains("panicked") && what.contains("bad input"),
        "{what}"
    );
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        what.ends_with(said[0].failure().expect("Failed")),
        "{said:?}"
    );
}

/// A splitter's `configuration` inbox that holds one request and is full already: a stand-in
/// for a splitter that takes no requests.
fn full_configuration() -> Inbox<SplitterConfig<u32>> {
    let config = Inbox::with_capacity(1);
    config
        .handle()
        .try_send(SplitterConfig::Remove(SinkId::new()))
        .unwrap();
    config
}

/// A splitter that takes no requests cannot hide a stop from a plug waiting to join it: a
/// `ProducerFinished` meanwhile is only noted (the wait goes on), a `Shutdown` ends the wait at
/// once — the request to join is dropped, and the child, told `Shutdown`, passes it on the
/// plug's `signal`.
#[test]
fn plug_stops_on_shutdown_while_the_splitter_takes_no_request_to_join() {
    let mut system = System::deterministic();
    let mut config = full_configuration();
    let plug = Plug::new(&config, Relay::<u32>::new());
    let mut stop = sender(&plug.control);
    let mut signal = receiver(&plug.signal, 4);
    let id = system.spawn(plug);
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(system.snapshot().component(id).is_some(), "waiting to join");
    assert!(drain(&mut signal).is_empty());
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
    assert_eq!(
        drain(&mut config).len(),
        1,
        "the request to join was dropped"
    );
}

/// A `ProducerFinished` that came while the plug waited to join is not lost: once the splitter
/// takes the request the child is told, sends on what it was given, passes it on and ends.
#[test]
fn plug_passes_on_a_producer_finished_that_came_while_it_waited_to_join() {
    let mut system = System::deterministic();
    let mut config = full_configuration();
    let plug = Plug::new(&config, Relay::<u32>::new());
    let (mut input, mut stop) = (sender(&plug.inbox), sender(&plug.control));
    let (mut got, mut signal) = (receiver(&plug.outbox, 4), receiver(&plug.signal, 4));
    system.spawn(plug);
    system.run_until_idle();
    input.try_send(7).unwrap();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run_until_idle();
    assert!(drain(&mut signal).is_empty(), "waiting to join");
    let mut requests = drain(&mut config);
    system.run_until_idle();
    requests.extend(drain(&mut config));
    system.run().unwrap();
    requests.extend(drain(&mut config));
    assert_eq!(drain(&mut got), [7]);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
    assert!(
        matches!(
            requests[..],
            [
                SplitterConfig::Remove(_),
                SplitterConfig::Add { .. },
                SplitterConfig::Remove(_)
            ]
        ),
        "joined, then left: {} requests",
        requests.len()
    );
}

/// A splitter that takes no requests cannot hide a stop from a plug waiting to leave it: once
/// the child has ended (and said so on `signal`), a `Shutdown` on the plug's `control` ends the
/// wait, and the plug ends without saying more.
#[test]
fn plug_stops_on_shutdown_while_the_splitter_takes_no_request_to_leave() {
    let mut system = System::deterministic();
    let config = Inbox::<SplitterConfig<u32>>::with_capacity(1);
    let plug = Plug::new(&config, Relay::<u32>::new());
    let mut stop = sender(&plug.control);
    let mut signal = receiver(&plug.signal, 4);
    let id = system.spawn(plug);
    system.run_until_idle();
    assert_eq!(config.len(), 1, "the request to join");
    stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert_eq!(drain(&mut signal), [Control::Shutdown], "the child's");
    assert!(
        system.snapshot().component(id).is_some(),
        "waiting to leave"
    );
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut signal).is_empty());
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}
