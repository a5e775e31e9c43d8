//! The JSON the inspector serves: serde views of an [`axon::Snapshot`], with per-box message
//! rates computed from successive snapshots and the components that look stalled.
//!
//! axon has no serde, so these are the inspector's own types; the field names are the JSON
//! names documented in the [module docs](super).

use std::collections::HashMap;
use std::time::Duration;

use axon::model::{BoxAddress, ComponentSnapshot, StallKind};
use axon::{ComponentId, ComponentState, Direction, Snapshot};
use serde::Serialize;

/// How long a component must stay blocked sending before it is reported as stalled.
pub(crate) const STALL_THRESHOLD: Duration = Duration::from_secs(1);
/// Rates are averaged over at least this long of the system's time.
const RATE_WINDOW: Duration = Duration::from_secs(1);
/// Longest error or panic text shown for a component.
const MAX_DETAIL: usize = 300;
/// Name shown for a link end owned by plain code rather than by a component.
pub(crate) const OUTSIDE: &str = "(outside)";

/// `GET /api/topology`: the whole system at one moment.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Topology {
    /// When the snapshot was taken: milliseconds on the system's clock (virtual time for a
    /// deterministic system).
    pub(crate) taken_at_ms: u64,
    /// Increases whenever anything but the time changed.
    pub(crate) version: u64,
    #[serde(flatten)]
    pub(crate) body: Body,
}

/// Everything in a [`Topology`] but its time stamp.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Body {
    pub(crate) components: Vec<ComponentView>,
    pub(crate) links: Vec<LinkView>,
    pub(crate) stalls: Vec<StallView>,
    pub(crate) deadlocks: Vec<DeadlockView>,
    pub(crate) ended: Vec<EndedView>,
}

/// One live component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ComponentView {
    pub(crate) id: u64,
    pub(crate) name: String,
    /// The Rust type without module paths (`DataSource<u32>`).
    #[serde(rename = "type")]
    pub(crate) type_name: String,
    pub(crate) parent: Option<u64>,
    /// `created`, `running`, `receiving`, `sending`, `waiting`, `finished`, `failed`,
    /// `panicked`, `cancelled` (or `unknown`).
    pub(crate) state: &'static str,
    /// The box it waits on, or the error text; may be empty.
    pub(crate) detail: String,
    pub(crate) stalled: bool,
    pub(crate) boxes: Vec<BoxView>,
}

/// One box of a component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct BoxView {
    pub(crate) name: String,
    /// `inbox` or `outbox`.
    pub(crate) direction: &'static str,
    #[serde(rename = "type")]
    pub(crate) type_name: String,
    pub(crate) depth: usize,
    pub(crate) capacity: Option<usize>,
    pub(crate) messages_in: u64,
    pub(crate) messages_out: u64,
    pub(crate) discarded: u64,
    /// Messages entering the box per second, averaged over about a second.
    pub(crate) rate: f64,
    /// How many taps watch the box.
    pub(crate) taps: usize,
}

/// One end of a link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EndView {
    /// `None` for a box owned by plain code (a bridge, a test).
    pub(crate) component: Option<u64>,
    /// The component's name, or `(outside)`.
    pub(crate) name: String,
    #[serde(rename = "box")]
    pub(crate) box_name: String,
    /// Whether the box is an `inbox` or an `outbox` (empty if unknown).
    pub(crate) direction: &'static str,
}

/// One link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LinkView {
    /// `from-name.box->to-name.box`, as the page's `data-link` attribute.
    pub(crate) id: String,
    pub(crate) from: EndView,
    pub(crate) to: EndView,
    /// Depth and capacity of the destination box.
    pub(crate) depth: usize,
    pub(crate) capacity: Option<usize>,
    /// Messages per second crossing the link.
    pub(crate) rate: f64,
}

/// A component that has been blocked for a while.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct StallView {
    pub(crate) component: u64,
    pub(crate) name: String,
    /// One line saying what it is blocked on.
    pub(crate) text: String,
    pub(crate) for_ms: u64,
}

/// A cycle of components each blocked sending into the full inbox of the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DeadlockView {
    /// The components of the cycle, in order.
    pub(crate) components: Vec<u64>,
    /// One line naming each component, outbox and full inbox.
    pub(crate) text: String,
}

/// A component that ended recently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EndedView {
    pub(crate) id: u64,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) type_name: String,
    pub(crate) state: &'static str,
    pub(crate) detail: String,
}

/// A box: its component and name.
type BoxKey = (ComponentId, String);

/// Turns successive snapshots into [`Topology`] views, keeping the counters of an earlier
/// snapshot for the rates.
#[derive(Debug)]
pub(crate) struct Views {
    version: u64,
    last: Option<Body>,
    /// Counters at the start of the current rate window, and when it started.
    baseline: Option<(Duration, HashMap<BoxKey, u64>)>,
    rates: HashMap<BoxKey, f64>,
}

impl Views {
    pub(crate) fn new() -> Self {
        Views {
            version: 0,
            last: None,
            baseline: None,
            rates: HashMap::new(),
        }
    }

    /// The view of `snap`.
    pub(crate) fn view(&mut self, snap: &Snapshot) -> Topology {
        self.update_rates(snap);
        let stalls = stalls(snap);
        let deadlocks: Vec<DeadlockView> = snap
            .deadlocks()
            .iter()
            .map(|d| DeadlockView {
                components: d.cycle.iter().map(|s| s.component.get()).collect(),
                text: {
                    let steps: Vec<String> = d
                        .cycle
                        .iter()
                        .map(|s| format!("{} → {}", s.name, address(&s.into, snap)))
                        .collect();
                    format!("deadlock: {}", steps.join(", "))
                },
            })
            .collect();
        let stuck = |id: ComponentId| {
            stalls.iter().any(|s| s.component == id.get())
                || deadlocks.iter().any(|d| d.components.contains(&id.get()))
        };
        let names: HashMap<ComponentId, &str> = snap
            .components
            .iter()
            .map(|c| (c.id, c.name.as_str()))
            .collect();
        let components = snap
            .components
            .iter()
            .map(|c| self.component(c, stuck(c.id)))
            .collect::<Vec<_>>();
        let links = snap
            .links
            .iter()
            .map(|l| {
                let from = end(&l.from, &names, &components);
                let to = end(&l.to, &names, &components);
                let stats = find_box(&components, &l.to);
                let rate = find_box(&components, &l.from)
                    .map_or(0.0, |b| b.rate)
                    .max(stats.map_or(0.0, |b| b.rate));
                LinkView {
                    id: format!(
                        "{}.{}->{}.{}",
                        from.name, from.box_name, to.name, to.box_name
                    ),
                    depth: stats.map_or(0, |b| b.depth),
                    capacity: stats.and_then(|b| b.capacity),
                    rate,
                    from,
                    to,
                }
            })
            .collect();
        let ended = snap
            .ended
            .iter()
            .map(|c| {
                let (state, detail) = state_of(&c.state);
                EndedView {
                    id: c.id.get(),
                    name: c.name.clone(),
                    type_name: short_type(c.type_name),
                    state,
                    detail,
                }
            })
            .collect();
        let body = Body {
            components,
            links,
            stalls,
            deadlocks,
            ended,
        };
        if self.last.as_ref() != Some(&body) {
            self.version += 1;
            self.last = Some(body.clone());
        }
        Topology {
            taken_at_ms: snap.taken_at.as_millis() as u64,
            version: self.version,
            body,
        }
    }

    fn component(&self, c: &ComponentSnapshot, stalled: bool) -> ComponentView {
        let (state, detail) = state_of(&c.state);
        ComponentView {
            id: c.id.get(),
            name: c.name.clone(),
            type_name: short_type(c.type_name),
            parent: c.parent.map(ComponentId::get),
            state,
            detail,
            stalled,
            boxes: c
                .boxes
                .iter()
                .map(|b| BoxView {
                    name: b.info.name.to_string(),
                    direction: direction(b.info.direction),
                    type_name: short_type(b.info.type_name),
                    depth: b.stats.depth,
                    capacity: b.stats.capacity,
                    messages_in: b.stats.messages_in,
                    messages_out: b.stats.messages_out,
                    discarded: b.stats.discarded,
                    taps: b.taps,
                    rate: self
                        .rates
                        .get(&(c.id, b.info.name.to_string()))
                        .copied()
                        .unwrap_or(0.0),
                })
                .collect(),
        }
    }

    /// Starts a new rate window once the current one is [`RATE_WINDOW`] old.
    fn update_rates(&mut self, snap: &Snapshot) {
        let now = snap.taken_at;
        if let Some((at, _)) = &self.baseline {
            if now.saturating_sub(*at) < RATE_WINDOW {
                return;
            }
        }
        let counters: HashMap<_, _> = snap
            .components
            .iter()
            .flat_map(|c| {
                c.boxes
                    .iter()
                    .map(move |b| ((c.id, b.info.name.to_string()), b.stats.messages_in))
            })
            .collect();
        if let Some((at, before)) = &self.baseline {
            let secs = now.saturating_sub(*at).as_secs_f64();
            self.rates = counters
                .iter()
                .map(|(k, n)| {
                    let rate = n.saturating_sub(before.get(k).copied().unwrap_or(0)) as f64 / secs;
                    (k.clone(), (rate * 10.0).round() / 10.0)
                })
                .collect();
        }
        self.baseline = Some((now, counters));
    }
}

/// Components blocked sending into a full box for [`STALL_THRESHOLD`] or more. (Waiting to
/// receive for a long time is being idle, not stalled.)
fn stalls(snap: &Snapshot) -> Vec<StallView> {
    snap.stalls(STALL_THRESHOLD)
        .into_iter()
        .filter_map(|s| {
            let StallKind::BlockedSending { outbox, to } = &s.kind else {
                return None;
            };
            let into = to
                .as_ref()
                .map(|to| format!(" into the full {}", address(to, snap)))
                .unwrap_or_default();
            Some(StallView {
                component: s.component.get(),
                text: format!("{} is blocked sending on {outbox}{into}", s.name),
                name: s.name,
                for_ms: s.blocked_for.as_millis() as u64,
            })
        })
        .collect()
}

/// `name.box` of a link end.
fn address(a: &BoxAddress, snap: &Snapshot) -> String {
    let name = a
        .component
        .and_then(|id| snap.components.iter().find(|c| c.id == id))
        .map_or(OUTSIDE, |c| c.name.as_str());
    format!("{name}.{}", a.name)
}

fn end(a: &BoxAddress, names: &HashMap<ComponentId, &str>, comps: &[ComponentView]) -> EndView {
    EndView {
        component: a.component.map(ComponentId::get),
        name: a
            .component
            .and_then(|id| names.get(&id))
            .map_or_else(|| OUTSIDE.to_string(), |n| n.to_string()),
        box_name: a.name.clone(),
        direction: find_box(comps, a).map_or("", |b| b.direction),
    }
}

/// The box at `a`, if it belongs to a live component. Names are unique per direction, so an
/// outbox is preferred for a link's source and either will do for figures.
fn find_box<'a>(comps: &'a [ComponentView], a: &BoxAddress) -> Option<&'a BoxView> {
    let id = a.component?.get();
    let c = comps.iter().find(|c| c.id == id)?;
    c.boxes.iter().find(|b| b.name == a.name)
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Inbox => "inbox",
        Direction::Outbox => "outbox",
    }
}

/// The state's JSON name and its detail text (bounded).
pub(crate) fn state_of(s: &ComponentState) -> (&'static str, String) {
    let (name, detail) = match s {
        ComponentState::Created => ("created", ""),
        ComponentState::Running => ("running", ""),
        ComponentState::Receiving { inbox } => ("receiving", inbox.as_str()),
        ComponentState::Sending { outbox } => ("sending", outbox.as_str()),
        ComponentState::Waiting => ("waiting", ""),
        ComponentState::Finished => ("finished", ""),
        ComponentState::Failed { error } => ("failed", error.as_str()),
        ComponentState::Panicked { message } => ("panicked", message.as_str()),
        ComponentState::Cancelled => ("cancelled", ""),
        _ => ("unknown", ""),
    };
    (name, truncate(detail, MAX_DETAIL))
}

/// At most `max` bytes of `s`, cut at a character boundary, with `…` if cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A Rust type name without module paths: `a::b::C<d::E>` → `C<E>`.
pub(crate) fn short_type(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut ident_start = 0;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.truncate(ident_start);
            continue;
        }
        out.push(c);
        if !(c.is_alphanumeric() || c == '_') {
            ident_start = out.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_type_drops_module_paths() {
        assert_eq!(
            short_type("kamaelia::util::sources::data_source::DataSource<u32>"),
            "DataSource<u32>"
        );
        assert_eq!(short_type("a::B<std::vec::Vec<u8>, c::D>"), "B<Vec<u8>, D>");
        assert_eq!(short_type("u8"), "u8");
    }

    #[test]
    fn truncate_cuts_at_a_char_boundary() {
        assert_eq!(truncate("héllo", 2), "h…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
