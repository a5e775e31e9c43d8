//! Per-box capacities set when wiring (Kamaelia's experimental bounded chassis: `Pipeline`'s
//! `boxsize`, `Graphline`'s `boxsizes`). Defaults stay bounded.

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System};
use kamaelia::chassis::{GraphError, Graphline, Pipeline};

/// Waits for control, then passes it on.
#[derive(Boxes, Default)]
struct Idle {
    /// Never read before control.
    inbox: Inbox<u8>,
    /// Stops it.
    control: Inbox<Control>,
    /// Nothing.
    outbox: Outbox<u8>,
    /// The stop message.
    signal: Outbox<Control>,
}

impl Component for Idle {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            if let Event::Control(c) = next_event(&mut self.control, &mut self.inbox).await {
                self.signal.send(c).await.ok();
                return Ok(());
            }
        }
    }
}
kamaelia::impl_stage!([] Idle, u8 => u8);

fn inbox_capacities(system: &System, type_suffix: &str) -> Vec<Option<usize>> {
    system
        .snapshot()
        .components
        .iter()
        .filter(|c| c.type_name.ends_with(type_suffix))
        .flat_map(|c| {
            c.boxes
                .iter()
                .filter(|b| b.info.name == "inbox")
                .map(|b| b.stats.capacity)
        })
        .collect()
}

/// `Pipeline::capacity(n)` sizes every child's inbox; without it children keep their own bound.
#[test]
fn pipeline_capacity_sizes_every_childs_inbox() {
    let mut system = System::deterministic();
    let mut stop = Outbox::new();
    let p = Pipeline::new(Idle::default())
        .then(Idle::default())
        .capacity(3)
        .then(Idle::default());
    axon::link(&stop, &p.control).unwrap();
    system.spawn(p);
    let plain = Pipeline::new(Idle::default()).then(Idle::default());
    let mut stop_plain = Outbox::new();
    axon::link(&stop_plain, &plain.control).unwrap();
    system.spawn(plain);
    system.run_until_idle();
    let caps = inbox_capacities(&system, "::Idle");
    assert_eq!(
        caps.iter().filter(|c| **c == Some(3)).count(),
        3,
        "{caps:?}"
    );
    assert_eq!(
        caps.iter()
            .filter(|c| **c == Some(axon::DEFAULT_CAPACITY))
            .count(),
        2,
        "{caps:?}"
    );
    stop.try_send(Control::Shutdown).unwrap();
    stop_plain.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// `GraphlineBuilder::capacity` sizes the named child inbox when the graph runs.
#[test]
fn graphline_capacity_sizes_the_named_inbox() {
    let mut system = System::deterministic();
    let g: Graphline<u8, u8> = Graphline::builder()
        .child("A", Idle::default())
        .child("B", Idle::default())
        .link(("A", "outbox"), ("B", "inbox"))
        .capacity(("B", "inbox"), 2)
        .build()
        .unwrap();
    let mut stop = Outbox::new();
    axon::link(&stop, &g.control).unwrap();
    system.spawn(g);
    system.run_until_idle();
    let caps = inbox_capacities(&system, "::Idle");
    assert!(
        caps.contains(&Some(2)) && caps.contains(&Some(axon::DEFAULT_CAPACITY)),
        "{caps:?}"
    );
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
}

/// A capacity for a box that does not exist is refused when the graph is built, naming it.
#[test]
fn graphline_capacity_for_an_unknown_box_is_refused_at_build() {
    let err = Graphline::<u8, u8>::builder()
        .child("A", Idle::default())
        .capacity(("A", "inbx"), 2)
        .build()
        .unwrap_err();
    assert!(matches!(err, GraphError::NoSuchBox { .. }), "{err:?}");
    assert!(err.to_string().contains("inbx"), "{err}");
}
