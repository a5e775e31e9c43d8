//! The component test harness and the fault-injection components of `axon::testing`.

use std::time::Duration;

use axon::control::{next_event, Event};
use axon::testing::{
    Delay, Discard, Duplicate, Ended, FailAt, Harness, HarnessError, PanicAt, Reorder,
};
use axon::{Boxes, Component, Context, Control, Direction, Error, Inbox, Outbox};

/// Doubles numbers; passes on the control message that ends it.
#[derive(Boxes, Default)]
struct Doubler {
    /// Numbers.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Doubled numbers.
    outbox: Outbox<u32>,
    /// The control message that ended it.
    signal: Outbox<Control>,
}

impl Component for Doubler {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(n) => self.outbox.send(n * 2).await?,
                Event::Control(c) => {
                    self.signal.send(c).await?;
                    return Ok(());
                }
            }
        }
    }
}

/// A message type the harness does not watch by itself.
#[derive(Debug, Clone, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

/// Turns numbers into points on the diagonal, then fails or panics on demand.
#[derive(Boxes)]
struct Diagonal {
    /// Numbers; 99 makes it fail, 666 makes it panic.
    inbox: Inbox<i32>,
    /// Points.
    outbox: Outbox<Point>,
}

impl Component for Diagonal {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while let Some(n) = self.inbox.recv().await {
            match n {
                99 => return Err(Error::msg("ninety-nine")),
                666 => panic!("the beast"),
                _ => self.outbox.send(Point { x: n, y: n }).await?,
            }
        }
        Ok(())
    }
}

/// Waits forever on a timer.
#[derive(Boxes)]
struct Stubborn {
    /// Ignored.
    control: Inbox<Control>,
}

impl Component for Stubborn {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Says "tick" every second of virtual time, three times.
#[derive(Boxes, Default)]
struct Ticker {
    /// The ticks.
    outbox: Outbox<String>,
}

impl Component for Ticker {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for i in 1..=3 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            self.outbox.send(format!("tick {i}")).await?;
        }
        Ok(())
    }
}

#[test]
fn transcript_records_inputs_outputs_signal_and_end_in_order() {
    let mut h = Harness::new(Doubler::default());
    h.put::<u32>("inbox", 5).unwrap();
    h.put::<u32>("inbox", 6).unwrap();
    h.run_until_idle();
    h.note("now stop it");
    h.put("control", Control::ProducerFinished).unwrap();
    h.run_until_idle();
    assert_eq!(
        h.transcript(),
        "\
> inbox: 5
> inbox: 6
< outbox: 10
< outbox: 12
# now stop it
> control: ProducerFinished
< signal: ProducerFinished
= finished
"
    );
    assert!(h.is_finished());
    assert_eq!(h.exit(), Some(Ended::Finished));
}

#[test]
fn take_and_next_return_what_was_sent_oldest_first() {
    let mut h = Harness::new(Doubler::default());
    for n in 1..=3 {
        h.put::<u32>("inbox", n).unwrap();
    }
    h.run_until_idle();
    assert_eq!(h.next::<u32>("outbox"), Some(2));
    assert_eq!(h.take::<u32>("outbox"), [4, 6]);
    assert_eq!(h.take::<u32>("outbox"), Vec::<u32>::new());
    assert_eq!(h.next::<Control>("signal"), None);
    assert!(!h.has_ended());
    assert_eq!(h.exit(), None);
}

#[test]
fn nothing_runs_until_the_harness_is_driven() {
    let mut h = Harness::new(Doubler::default());
    h.put::<u32>("inbox", 1).unwrap();
    assert_eq!(h.take::<u32>("outbox"), Vec::<u32>::new());
    assert!(h.step());
    assert_eq!(h.take::<u32>("outbox"), [2]);
}

#[test]
fn put_to_an_unknown_inbox_names_the_inboxes_there_are() {
    let mut h = Harness::named("doubler", Doubler::default());
    let err = h.put::<u32>("inbx", 1).unwrap_err();
    assert_eq!(
        err,
        HarnessError::NoSuchBox {
            component: "doubler".into(),
            name: "inbx".into(),
            direction: Direction::Inbox,
            available: vec!["inbox".into(), "control".into()],
        }
    );
    assert!(err.to_string().contains("inbox, control"), "{err}");
}

#[test]
fn put_of_the_wrong_type_names_the_box_and_both_types() {
    let mut h = Harness::named("doubler", Doubler::default());
    let err = h.put::<String>("inbox", "five".into()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "doubler.inbox carries u32, not alloc::string::String"
    );
    assert!(h.transcript().is_empty());
}

#[test]
#[should_panic(expected = "doubler.outbox carries u32, not i64")]
fn take_of_the_wrong_type_panics_naming_both_types() {
    let mut h = Harness::named("doubler", Doubler::default());
    h.take::<i64>("outbox");
}

#[test]
fn put_to_a_full_inbox_is_refused_until_the_component_takes_some() {
    let doubler = Doubler::default();
    doubler.inbox.set_capacity(Some(2));
    let mut h = Harness::new(doubler);
    h.put::<u32>("inbox", 1).unwrap();
    h.put::<u32>("inbox", 2).unwrap();
    assert!(matches!(
        h.put::<u32>("inbox", 3),
        Err(HarnessError::Full { .. })
    ));
    h.run_until_idle();
    h.put::<u32>("inbox", 3).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<u32>("outbox"), [2, 4, 6]);
}

#[test]
fn put_after_the_component_ended_is_closed() {
    let mut h = Harness::new(Doubler::default());
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert!(h.is_finished());
    assert!(matches!(
        h.put::<u32>("inbox", 1),
        Err(HarnessError::Closed { .. })
    ));
}

#[test]
fn outboxes_of_other_types_are_watched_on_demand() {
    let mut h = Harness::new(Diagonal {
        inbox: Inbox::new(),
        outbox: Outbox::new(),
    });
    h.watch::<Point>("outbox").unwrap();
    h.put::<i32>("inbox", 3).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<Point>("outbox"), [Point { x: 3, y: 3 }]);
    assert_eq!(
        h.transcript(),
        "> inbox: 3\n< outbox: Point { x: 3, y: 3 }\n"
    );
}

#[test]
fn what_was_sent_before_watching_is_taken_later() {
    let mut h = Harness::new(Diagonal {
        inbox: Inbox::new(),
        outbox: Outbox::new(),
    });
    h.put::<i32>("inbox", 1).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<Point>("outbox"), [Point { x: 1, y: 1 }]);
}

#[test]
fn a_failing_component_ends_as_failed_with_its_error() {
    let mut h = Harness::new(Diagonal {
        inbox: Inbox::new(),
        outbox: Outbox::new(),
    });
    h.put::<i32>("inbox", 99).unwrap();
    h.run_until_idle();
    assert_eq!(h.exit(), Some(Ended::Failed("ninety-nine".into())));
    assert!(!h.is_finished());
    assert!(h.has_ended());
    assert_eq!(h.transcript(), "> inbox: 99\n= failed: ninety-nine\n");
}

#[test]
fn a_panicking_component_ends_as_panicked_with_its_message() {
    let mut h = Harness::new(Diagonal {
        inbox: Inbox::new(),
        outbox: Outbox::new(),
    });
    h.put::<i32>("inbox", 666).unwrap();
    h.run_until_idle();
    assert_eq!(h.exit(), Some(Ended::Panicked("the beast".into())));
}

#[test]
fn a_cancelled_component_ends_as_cancelled() {
    let mut h = Harness::new(Stubborn {
        control: Inbox::new(),
    });
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert!(!h.has_ended());
    h.cancel();
    assert_eq!(h.exit(), Some(Ended::Cancelled));
    assert!(h.transcript().ends_with("= cancelled\n"));
}

#[test]
fn virtual_time_moves_only_when_advanced() {
    let mut h = Harness::new(Ticker::default());
    h.run_until_idle();
    assert!(h.take::<String>("outbox").is_empty());
    h.advance(Duration::from_millis(1500));
    h.advance(Duration::from_secs(2));
    assert_eq!(
        h.transcript(),
        "\
~ advance 1.5s
< outbox: \"tick 1\"
~ advance 2s
< outbox: \"tick 2\"
< outbox: \"tick 3\"
= finished
"
    );
}

#[test]
fn duplicate_passes_every_message_on_twice() {
    let mut h = Harness::new(Duplicate::<u32>::new());
    h.put::<u32>("inbox", 1).unwrap();
    h.put::<u32>("inbox", 2).unwrap();
    h.put("control", Control::ProducerFinished).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<u32>("outbox"), [1, 1, 2, 2]);
    assert_eq!(h.take::<Control>("signal"), [Control::ProducerFinished]);
    assert!(h.is_finished());
}

#[test]
fn duplicate_times_three() {
    let mut h = Harness::new(Duplicate::<char>::times(3));
    h.put::<char>("inbox", 'a').unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<char>("outbox"), ['a', 'a', 'a']);
}

#[test]
fn discard_every_third_loses_the_third_sixth_and_so_on() {
    let mut h = Harness::new(Discard::<u32>::every(3));
    for n in 1..=7 {
        h.put::<u32>("inbox", n).unwrap();
    }
    h.run_until_idle();
    assert_eq!(h.take::<u32>("outbox"), [1, 2, 4, 5, 7]);
}

#[test]
fn discard_when_loses_what_the_predicate_picks() {
    let mut h = Harness::new(Discard::<u32>::when(|n| n % 2 == 0));
    for n in 1..=6 {
        h.put::<u32>("inbox", n).unwrap();
    }
    h.put("control", Control::Shutdown).unwrap();
    h.run_until_idle();
    assert_eq!(h.take::<u32>("outbox"), Vec::<u32>::new());
    assert_eq!(h.take::<Control>("signal"), [Control::Shutdown]);
}

#[test]
fn discard_when_loses_what_the_predicate_picks_after_running() {
    let mut h = Harness::new(Discard::<u32>::when(|n| n % 2 == 0));
    for n in 1..=6 {
        h.put::<u32>("inbox", n).unwrap();
    }
    h.run_until_idle();
    assert_eq!(h.take::<u32>("outbox"), [1, 3, 5]);
}

#[test]
fn delay_holds_each_message_for_the_virtual_delay_in_order() {
    let mut h = Harness::new(Delay::<u32>::new(Duration::from_secs(1)));
    h.put::<u32>("inbox", 1).unwrap();
    h.run_until_idle();
    h.advance(Duration::from_millis(500));
    h.put::<u32>("inbox", 2).unwrap();
    h.advance(Duration::from_millis(500));
    h.put("control", Control::ProducerFinished).unwrap();
    h.advance(Duration::from_millis(500));
    assert_eq!(
        h.transcript(),
        "\
> inbox: 1
~ advance 500ms
> inbox: 2
~ advance 500ms
< outbox: 1
> control: ProducerFinished
~ advance 500ms
< outbox: 2
< signal: ProducerFinished
= finished
"
    );
}

#[test]
fn delay_discards_what_it_holds_on_shutdown() {
    let mut h = Harness::new(Delay::<u32>::new(Duration::from_secs(1)));
    h.put::<u32>("inbox", 1).unwrap();
    h.run_until_idle();
    h.put("control", Control::Shutdown).unwrap();
    h.advance(Duration::from_secs(5));
    assert_eq!(h.take::<u32>("outbox"), Vec::<u32>::new());
    assert_eq!(h.take::<Control>("signal"), [Control::Shutdown]);
}

/// A `Failed` stop is passed on unchanged, with its reason, and what is held is discarded.
#[test]
fn delay_passes_a_failure_on_unchanged() {
    let mut h = Harness::new(Delay::<u32>::new(Duration::from_secs(1)));
    h.put::<u32>("inbox", 1).unwrap();
    h.run_until_idle();
    h.put("control", Control::failed("upstream broke")).unwrap();
    h.advance(Duration::from_secs(5));
    assert_eq!(h.take::<u32>("outbox"), Vec::<u32>::new());
    assert_eq!(
        h.take::<Control>("signal"),
        [Control::failed("upstream broke")]
    );
}

fn reordered(seed: u64) -> Vec<u32> {
    let mut h = Harness::new(Reorder::<u32>::new(3, seed));
    for n in 0..20 {
        h.put::<u32>("inbox", n).unwrap();
    }
    h.put("control", Control::ProducerFinished).unwrap();
    h.run_until_idle();
    assert!(h.is_finished());
    h.take::<u32>("outbox")
}

#[test]
fn reorder_is_reproducible_and_loses_nothing() {
    let a = reordered(7);
    assert_eq!(a, reordered(7));
    assert_ne!(a, (0..20).collect::<Vec<_>>());
    let mut sorted = a.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    assert_ne!(a, reordered(8));
}

#[test]
fn reorder_moves_a_message_at_most_window_places_early() {
    let out = reordered(42);
    for (i, n) in out.iter().enumerate() {
        assert!(*n as usize <= i + 3, "{n} came out at {i}");
    }
}

#[test]
fn fail_at_passes_n_messages_on_then_fails() {
    let mut h = Harness::new(FailAt::<u32>::new(2));
    for n in 1..=4 {
        h.put::<u32>("inbox", n).unwrap();
    }
    h.run_until_idle();
    assert_eq!(h.take::<u32>("outbox"), [1, 2]);
    assert_eq!(
        h.exit(),
        Some(Ended::Failed(
            "FailAt: injected fault after 2 messages".into()
        ))
    );
    assert!(h.take::<Control>("signal").is_empty());
}

#[test]
fn fail_at_zero_fails_at_once() {
    let mut h = Harness::new(FailAt::<u32>::new(0));
    h.run_until_idle();
    assert!(matches!(h.exit(), Some(Ended::Failed(_))));
}

#[test]
fn panic_at_passes_n_messages_on_then_panics() {
    let mut h = Harness::new(PanicAt::<u32>::new(1));
    h.put::<u32>("inbox", 10).unwrap();
    h.put::<u32>("inbox", 20).unwrap();
    h.run_until_idle();
    assert_eq!(
        h.transcript(),
        "\
> inbox: 10
> inbox: 20
< outbox: 10
= panicked: PanicAt: injected fault after 1 messages
"
    );
}

#[test]
fn fault_components_sit_between_components_in_a_system() {
    // A Duplicate between a Doubler and a test inbox, wired by hand in an ordinary system.
    let mut system = axon::System::deterministic();
    let doubler = system.adopt(Doubler::default());
    let dup = system.adopt(Duplicate::<u32>::new());
    axon::link(&doubler.outbox, &dup.inbox).unwrap();
    axon::link(&doubler.signal, &dup.control).unwrap();
    let mut feed = Outbox::new();
    let mut result = Inbox::unbounded();
    axon::link(&feed, &doubler.inbox).unwrap();
    axon::link(&dup.outbox, &result).unwrap();
    let mut stop = Outbox::new();
    axon::link(&stop, &doubler.control).unwrap();
    system.activate(doubler);
    system.activate(dup);
    feed.try_send(3).unwrap();
    system.run_until_idle();
    stop.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let mut got = Vec::new();
    while let Ok(n) = result.try_recv() {
        got.push(n);
    }
    assert_eq!(got, [6, 6]);
}
