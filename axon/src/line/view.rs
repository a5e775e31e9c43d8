//! A running line as the live model sees it: its transforms as components, read when someone
//! looks.
//!
//! The line's task owns the chain but keeps it behind a mutex it takes once per batch, so a
//! snapshot can read each transform's counters between batches (it waits while a batch is
//! being handed down the chain). Transforms get their ids when the line starts: one block of
//! consecutive ids, so transform `i` is `first + i` and nothing per transform is stored for it.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::chain::{Fault, FaultKind, Node, NodeInfo, Nodes};
use crate::boxes::meta::{BoxInfo, BoxStats, Direction};
use crate::model::{
    BoxAddress, BoxSnapshot, ComponentId, ComponentSnapshot, ComponentState, EventKind, Hosted,
    Hub, LinkSnapshot, Snapshot,
};
use crate::system::SystemShared;
use crate::{Context, Control};

/// What the line's task and the live model share.
pub(super) struct Shared {
    host: ComponentId,
    first: u64,
    hub: Arc<Hub>,
    core: Mutex<Core>,
}

struct Core {
    nodes: Nodes,
    /// Transforms before this one have ended (one by one as a `ProducerFinished` reaches
    /// them) and are no longer listed.
    ended: usize,
    /// When the line last handed a batch down the chain (or started).
    since: Duration,
}

impl Core {
    fn len(&self) -> usize {
        self.nodes.nodes.len()
    }
}

/// The line's hold on its transforms while it runs; when dropped (the line ended, or its task
/// was cancelled) the transforms still listed end and leave the model.
pub(super) struct Hosting {
    shared: Arc<Shared>,
    system: Arc<SystemShared>,
}

impl Hosting {
    /// Gives the transforms their ids and lists them in the model.
    pub(super) fn start(ctx: &Context, nodes: Nodes) -> Hosting {
        let system = ctx.system_shared().clone();
        let n = nodes.nodes.len();
        let first = system.reserve_ids(n as u64);
        let shared = Arc::new(Shared {
            host: ctx.id(),
            first,
            hub: system.hub.clone(),
            core: Mutex::new(Core {
                nodes,
                ended: 0,
                since: system.hub.now(),
            }),
        });
        if shared.hub.watched() {
            let core = shared.lock();
            for i in 0..n {
                let info = core.nodes.nodes[i].info();
                shared.hub.emit(|| EventKind::ComponentAdded {
                    id: shared.id(i),
                    name: shared.name(i, &info),
                    type_name: info.type_name,
                    parent: Some(shared.host),
                    boxes: box_infos(&info).to_vec(),
                });
            }
            for link in shared.links(&core) {
                shared.hub.emit(|| EventKind::LinkMade {
                    from: link.from,
                    to: link.to,
                });
            }
        }
        system.registry.host(shared.clone());
        Hosting { shared, system }
    }

    /// Hands `batch` down the chain; what comes out of it is left in `out` (which must be
    /// empty), also when a transform failed. The line's vectors and the chain's end buffers
    /// swap places: no message is copied and no allocation made.
    pub(super) fn pass<In: 'static, Out: 'static>(
        &self,
        batch: &mut Vec<In>,
        out: &mut Vec<Out>,
    ) -> Result<(), Fault> {
        let mut core = self.lock();
        std::mem::swap(batch, core.nodes.head());
        let ran = core.nodes.run_from(0);
        std::mem::swap(out, core.nodes.tail());
        ran
    }

    /// Calls each transform's `finish`, in order, handing what each emits down the rest of
    /// the chain; what comes out of it is added to `out`, also when a transform failed.
    pub(super) fn finish_all<Out: 'static>(&self, out: &mut Vec<Out>) -> Result<(), Fault> {
        let mut core = self.lock();
        while core.ended < core.len() {
            let i = core.ended;
            let ran = core.nodes.finish(i);
            // Taken out after each transform: the tail buffer may be the input of an earlier
            // transform, which the next `finish` may hand something to.
            out.append(core.nodes.tail());
            // A fault further down, in what `i` emitted, leaves `i` itself finished.
            let finished = match &ran {
                Ok(()) => true,
                Err(fault) => fault.index != i,
            };
            if finished {
                self.shared
                    .end(&mut core, i + 1, |_| ComponentState::Finished);
            }
            ran?;
        }
        Ok(())
    }

    /// Locks the chain, noting the time: the line is about to hand something down it.
    fn lock(&self) -> MutexGuard<'_, Core> {
        let mut core = self.shared.lock();
        core.since = self.shared.hub.now();
        core
    }

    /// The line stopped (on `Shutdown`, or it finished): the transforms still listed end
    /// with it.
    pub(super) fn stopped(&self) {
        self.shared.end_all(ComponentState::Finished);
    }

    /// A transform failed: the text naming it, after ending every transform still listed.
    pub(super) fn failed(&self, fault: Fault) -> String {
        let mut core = self.shared.lock();
        let info = core.nodes.nodes[fault.index].info();
        let name = self.shared.name(fault.index, &info);
        let (text, state) = match fault.kind {
            FaultKind::Failed(e) => (
                format!("transform {name} failed: {e}"),
                ComponentState::Failed {
                    error: e.to_string(),
                },
            ),
            FaultKind::Panicked(message) => (
                format!("transform {name} panicked: {message}"),
                ComponentState::Panicked { message },
            ),
        };
        let n = core.len();
        let at = fault.index;
        self.shared.end(&mut core, n, |i| {
            if i == at {
                state.clone()
            } else {
                ComponentState::Cancelled
            }
        });
        text
    }
}

impl Drop for Hosting {
    /// Whatever is still listed was cancelled (the line's task was dropped). The transforms
    /// are dropped here, on the line's thread, not by a snapshot that still holds the list.
    fn drop(&mut self) {
        let transforms = self.shared.end_all(ComponentState::Cancelled);
        let hosted: Arc<dyn Hosted> = self.shared.clone();
        self.system.registry.unhost(&hosted);
        drop(transforms);
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn id(&self, i: usize) -> ComponentId {
        ComponentId(std::num::NonZeroU64::new(self.first + i as u64).expect("ids count from 1"))
    }

    fn name(&self, i: usize, info: &NodeInfo) -> String {
        let short = crate::component::short_type_name_of(info.type_name);
        format!("{short}{}", self.id(i))
    }

    fn address(&self, i: usize, name: &'static str) -> BoxAddress {
        BoxAddress {
            component: Some(self.id(i)),
            name: name.into(),
        }
    }

    fn host_box(&self, name: &'static str) -> BoxAddress {
        BoxAddress {
            component: Some(self.host),
            name: name.into(),
        }
    }

    /// Ends every transform still listed with `state`, and takes them out of the chain.
    fn end_all(&self, state: ComponentState) -> Vec<Box<dyn Node>> {
        let mut core = self.lock();
        let n = core.len();
        self.end(&mut core, n, |_| state.clone());
        core.ended = 0;
        std::mem::take(&mut core.nodes.nodes)
    }

    /// Ends the listed transforms up to `upto` (exclusive), telling subscribers how (and, as
    /// for any component, that the links it touched went first).
    fn end(&self, core: &mut Core, upto: usize, state: impl Fn(usize) -> ComponentState) {
        let n = core.len();
        for i in core.ended..upto {
            if self.hub.watched() {
                for link in self.links_of(i, n) {
                    self.hub.emit(|| EventKind::LinkRemoved {
                        from: link.from,
                        to: link.to,
                    });
                }
            }
            self.hub.emit(|| EventKind::ComponentEnded {
                id: self.id(i),
                state: state(i),
            });
        }
        core.ended = core.ended.max(upto);
    }

    /// The links between transforms still listed, and between them and the line.
    fn links(&self, core: &Core) -> Vec<LinkSnapshot> {
        let n = core.len();
        (core.ended..n).flat_map(|i| self.links_of(i, n)).collect()
    }

    /// The links out of transform `i` of `n` (into the next one, or the line's own outboxes
    /// for the last), which go when it ends. Nothing is listed into the first: the line hands
    /// it messages itself, and a link from the line's `inbox` would read as a forward, making
    /// the transform's inbox (which holds nothing) look like where the line's senders deliver.
    fn links_of(&self, i: usize, n: usize) -> [LinkSnapshot; 2] {
        [("outbox", "inbox"), ("signal", "control")].map(|(out_box, in_box)| LinkSnapshot {
            from: self.address(i, out_box),
            to: if i + 1 == n {
                self.host_box(out_box)
            } else {
                self.address(i + 1, in_box)
            },
        })
    }
}

impl Hosted for Shared {
    fn add_to(&self, snap: &mut Snapshot, live: &[ComponentId]) {
        if live.binary_search(&self.host).is_err() {
            // The line ended since the snapshot listed the live components.
            return;
        }
        let core = self.lock();
        for i in core.ended..core.len() {
            let info = core.nodes.nodes[i].info();
            let infos = box_infos(&info);
            let figures = [
                (info.received, Some(0)),
                (0, Some(0)),
                (info.sent, Some(0)),
                (0, Some(0)),
            ];
            snap.components.push(ComponentSnapshot {
                id: self.id(i),
                name: self.name(i, &info),
                type_name: info.type_name,
                parent: Some(self.host),
                state: ComponentState::Receiving {
                    inbox: "inbox".into(),
                },
                state_since: core.since,
                boxes: infos
                    .into_iter()
                    .zip(figures)
                    .map(|(info, (passed, capacity))| BoxSnapshot {
                        info,
                        stats: BoxStats {
                            depth: 0,
                            capacity,
                            messages_in: passed,
                            messages_out: passed,
                            discarded: 0,
                        },
                        taps: 0,
                    })
                    .collect(),
            });
        }
        snap.links.extend(self.links(&core));
    }
}

/// A transform's four boxes.
fn box_infos(info: &NodeInfo) -> [BoxInfo; 4] {
    let control = std::any::type_name::<Control>();
    let made = |name, direction, type_name, doc| BoxInfo {
        name: Cow::Borrowed(name),
        direction,
        type_name,
        doc: Cow::Borrowed(doc),
    };
    [
        made(
            "inbox",
            Direction::Inbox,
            info.input,
            "Messages, handed over one by one by its line (it holds none).",
        ),
        made(
            "control",
            Direction::Inbox,
            control,
            "Its line's control: ProducerFinished reaches it after everything before it.",
        ),
        made(
            "outbox",
            Direction::Outbox,
            info.output,
            "What it emits, handed straight to the next transform.",
        ),
        made(
            "signal",
            Direction::Outbox,
            control,
            "Passes its line's control message on to the next transform.",
        ),
    ]
}
