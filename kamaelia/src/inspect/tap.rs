//! `GET /api/tap?from=<component id>&box=<name>`: the last messages that crossed a link.
//!
//! The first request for a box installs a tap there; the tap keeps the last [`TAP_CAPACITY`]
//! messages (debug-formatted and truncated by axon) and is removed once nobody has asked for it
//! for [`UNWATCHED`]. At most [`MAX_TAPS`] taps exist at once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axon::model::{BoxAddress, Tap};
use axon::{ComponentId, Direction, Snapshot, SystemHandle};
use serde::Serialize;

/// Messages a tap remembers.
pub(crate) const TAP_CAPACITY: usize = 32;
/// A tap nobody asked for this long is removed.
pub(crate) const UNWATCHED: Duration = Duration::from_secs(30);
/// Most taps installed at once.
pub(crate) const MAX_TAPS: usize = 8;
/// Longest box name accepted in a query.
const MAX_BOX_NAME: usize = 128;

/// The taps installed for the page, by box.
pub(crate) struct Taps {
    handle: SystemHandle,
    installed: HashMap<BoxAddress, Installed>,
}

struct Installed {
    tap: Tap,
    last_asked: Instant,
}

impl std::fmt::Debug for Taps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Taps")
            .field("installed", &self.installed.len())
            .finish()
    }
}

#[derive(Serialize)]
struct TapView {
    /// The link's source, as asked for.
    component: u64,
    #[serde(rename = "box")]
    box_name: String,
    /// Where the tap sits: `name.box`.
    tapped: String,
    capacity: usize,
    /// How many messages the tap has seen since it was installed.
    seen: u64,
    messages: Vec<MessageView>,
}

#[derive(Serialize)]
struct MessageView {
    seq: u64,
    at_ms: u64,
    text: String,
}

#[derive(Serialize)]
struct ErrorView {
    error: String,
}

fn error(status: u16, text: impl Into<String>) -> (u16, String) {
    let body = serde_json::to_string(&ErrorView { error: text.into() }).unwrap_or_default();
    (status, body)
}

impl Taps {
    pub(crate) fn new(handle: SystemHandle) -> Self {
        Taps {
            handle,
            installed: HashMap::new(),
        }
    }

    /// Removes the taps nobody asked for in the last [`UNWATCHED`].
    pub(crate) fn remove_unwatched(&mut self, now: Instant) {
        self.installed
            .retain(|_, t| now.saturating_duration_since(t.last_asked) < UNWATCHED);
    }

    /// Answers a tap request: the status and the JSON body.
    pub(crate) fn request(&mut self, query: &str, now: Instant) -> (u16, String) {
        let (id, box_name) = match parse_query(query) {
            Ok(q) => q,
            Err(e) => return error(400, e),
        };
        let snap = self.handle.snapshot();
        let from = BoxAddress {
            component: snap
                .components
                .iter()
                .find(|c| c.id.get() == id)
                .map(|c| c.id),
            name: box_name.clone(),
        };
        if from.component.is_none() {
            return error(404, format!("no live component has id {id}"));
        }
        let at = tap_point(&snap, &from);
        if !self.installed.contains_key(&at) {
            self.remove_unwatched(now);
            if self.installed.len() >= MAX_TAPS {
                return error(
                    503,
                    format!("at most {MAX_TAPS} links can be watched at once"),
                );
            }
            match self.handle.tap(&at, TAP_CAPACITY) {
                Ok(tap) => {
                    let last_asked = now;
                    self.installed
                        .insert(at.clone(), Installed { tap, last_asked });
                }
                Err(e) => return error(404, e.to_string()),
            }
        }
        let installed = self.installed.get_mut(&at).expect("installed above");
        installed.last_asked = now;
        let view = TapView {
            component: id,
            box_name,
            tapped: name_of(&snap, &at),
            capacity: TAP_CAPACITY,
            seen: installed.tap.seen(),
            messages: installed
                .tap
                .recent()
                .into_iter()
                .map(|r| MessageView {
                    seq: r.seq,
                    at_ms: r.at.as_millis() as u64,
                    text: r.text,
                })
                .collect(),
        };
        (200, serde_json::to_string(&view).unwrap_or_default())
    }
}

/// Where to watch the messages leaving `from`: the outbox itself when its component sends on
/// it; otherwise (a box that only forwards: a chassis's inbox passed to a child, or its outbox
/// standing for a child's) the inbox the messages finally land in, since forwarded messages go
/// straight there.
fn tap_point(snap: &Snapshot, from: &BoxAddress) -> BoxAddress {
    let is_outbox = from
        .component
        .and_then(|id| snap.component(id))
        .is_some_and(|c| {
            c.boxes
                .iter()
                .any(|b| b.info.name == from.name && b.info.direction == Direction::Outbox)
        });
    let forwarded = snap.links.iter().any(|l| l.to == *from);
    if is_outbox && !forwarded {
        return from.clone();
    }
    snap.final_destination(from)
        .filter(|to| to.component.is_some())
        .unwrap_or_else(|| from.clone())
}

/// `name.box` for an address.
fn name_of(snap: &Snapshot, at: &BoxAddress) -> String {
    let name = at
        .component
        .and_then(|id: ComponentId| snap.component(id))
        .map_or_else(|| super::json::OUTSIDE.to_string(), |c| c.name.clone());
    format!("{name}.{}", at.name)
}

/// `from=<id>&box=<name>` (percent-encoded) → the component id and box name.
pub(crate) fn parse_query(query: &str) -> Result<(u64, String), String> {
    let mut from = None;
    let mut box_name = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "from" => {
                from = Some(
                    v.parse::<u64>()
                        .map_err(|_| format!("from={v:?} is not a component id"))?,
                )
            }
            "box" => box_name = Some(percent_decode(v)?),
            _ => {}
        }
    }
    let from = from.ok_or("the query needs from=<component id>")?;
    let box_name = box_name.ok_or("the query needs box=<box name>")?;
    if box_name.is_empty() || box_name.len() > MAX_BOX_NAME {
        return Err(format!("box names are 1 to {MAX_BOX_NAME} bytes long"));
    }
    Ok((from, box_name))
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad percent escape at byte {i} of the query value"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "the box name is not UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tap is installed by the first request and removed after [`UNWATCHED`] without one.
    #[test]
    fn unwatched_taps_are_removed() {
        let mut system = axon::System::deterministic();
        let id = system.spawn(crate::util::sources::PassThrough::<u8>::new());
        system.run_until_idle();
        let mut taps = Taps::new(system.handle());
        let t0 = Instant::now();
        let (status, body) = taps.request(&format!("from={}&box=outbox", id.get()), t0);
        assert_eq!(status, 200, "{body}");
        assert_eq!(taps.installed.len(), 1);
        taps.remove_unwatched(t0 + UNWATCHED / 2);
        assert_eq!(taps.installed.len(), 1);
        taps.remove_unwatched(t0 + UNWATCHED);
        assert!(taps.installed.is_empty());
    }

    #[test]
    fn queries_name_a_component_and_a_box() {
        assert_eq!(parse_query("from=3&box=outbox"), Ok((3, "outbox".into())));
        assert_eq!(parse_query("box=a%20b&from=7"), Ok((7, "a b".into())));
        assert!(parse_query("from=x&box=outbox").is_err());
        assert!(parse_query("from=1").is_err());
        assert!(parse_query("from=1&box=%zz").is_err());
    }
}
