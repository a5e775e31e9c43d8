//! The chain a line runs: its transforms with their types erased, and the batches between them.
//!
//! Between two transforms there is no queue, only a batch buffer: a `Vec` of the type the
//! first emits and the second takes. Transform `i` reads buffer `nodes[i].input`, emptying it,
//! and writes `nodes[i].output`, which is transform `i + 1`'s input. A chain needs only two
//! buffers per message type it carries (a transform's input and output are never the same
//! buffer), however long it is, because every buffer but the one being handed on is empty
//! between calls: the line fills the head buffer only when the chain is empty, and takes
//! everything out of the tail buffer after each pass and after each transform's `finish` (the
//! tail may also be an earlier transform's input).

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{Emit, Transform};
use crate::Error;

/// A sequence of [`Transform`]s: `In` enters the first, `Out` leaves the last. Build it with
/// [`then`](Self::then) (the compiler checks that each transform takes what the one before it
/// emits), then run it in a [`Line`](super::Line).
///
/// ```
/// use axon::line::{map, Chain, PassThrough};
/// let mut chain: Chain<u64, u64> = Chain::new();
/// for _ in 0..3 {
///     chain = chain.then(PassThrough::new());
/// }
/// let chain = chain.then(map(|n: u64| n.to_string()));
/// assert_eq!(chain.len(), 4);
/// ```
pub struct Chain<In, Out> {
    pub(super) nodes: Nodes,
    _types: PhantomData<fn(In) -> Out>,
}

impl<T: Send + 'static> Chain<T, T> {
    /// A chain with no transforms: it passes messages on unchanged.
    pub fn new() -> Self {
        Chain {
            nodes: Nodes {
                nodes: Vec::new(),
                buffers: vec![Box::new(Vec::<T>::new())],
                head: 0,
                tail: 0,
            },
            _types: PhantomData,
        }
    }
}

impl<T: Send + 'static> Default for Chain<T, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<In, Out> std::fmt::Debug for Chain<In, Out> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("transforms", &self.nodes.nodes.len())
            .finish()
    }
}

impl<In: Send + 'static, Out: Send + 'static> Chain<In, Out> {
    /// This chain with `transform` added at the end.
    pub fn then<S: Transform<In = Out>>(self, transform: S) -> Chain<In, S::Out> {
        let mut c = self.nodes;
        let input = c.tail;
        let wanted = TypeId::of::<Vec<S::Out>>();
        let output = (0..c.buffers.len())
            .find(|&b| b != input && (*c.buffers[b]).type_id() == wanted)
            .unwrap_or_else(|| {
                c.buffers.push(Box::new(Vec::<S::Out>::new()));
                c.buffers.len() - 1
            });
        c.tail = output;
        c.nodes.push(Box::new(Step {
            transform,
            input: input as u32,
            output: output as u32,
            received: 0,
            sent: 0,
        }));
        Chain {
            nodes: c,
            _types: PhantomData,
        }
    }

    /// How many transforms it has.
    pub fn len(&self) -> usize {
        self.nodes.nodes.len()
    }

    /// True if it has none.
    pub fn is_empty(&self) -> bool {
        self.nodes.nodes.is_empty()
    }
}

/// What a snapshot shows of one transform.
pub(super) struct NodeInfo {
    pub(super) type_name: &'static str,
    pub(super) input: &'static str,
    pub(super) output: &'static str,
    pub(super) received: u64,
    pub(super) sent: u64,
}

/// A transform with its types erased, and where its batches are.
pub(super) trait Node: Send {
    /// Handles every message in its input buffer. True if it emitted anything.
    fn pass(&mut self, buffers: &mut [Box<dyn Any + Send>]) -> Result<bool, Error>;
    /// Calls the transform's `finish`. True if it emitted anything.
    fn finish(&mut self, buffers: &mut [Box<dyn Any + Send>]) -> Result<bool, Error>;
    fn info(&self) -> NodeInfo;
}

struct Step<S> {
    transform: S,
    input: u32,
    output: u32,
    received: u64,
    sent: u64,
}

impl<S: Transform> Step<S> {
    fn buffers<'b>(
        &self,
        buffers: &'b mut [Box<dyn Any + Send>],
    ) -> (&'b mut Vec<S::In>, &'b mut Vec<S::Out>) {
        let (i, o) = (self.input as usize, self.output as usize);
        // Two distinct elements of one slice (`then` never gives a step one buffer for both).
        let (input, output) = if i < o {
            let (low, high) = buffers.split_at_mut(o);
            (&mut low[i], &mut high[0])
        } else {
            let (low, high) = buffers.split_at_mut(i);
            (&mut high[0], &mut low[o])
        };
        (typed(input), typed(output))
    }
}

/// The buffer `b` as the `Vec<T>` [`Chain::then`] made it for.
fn typed<T: 'static>(b: &mut Box<dyn Any + Send>) -> &mut Vec<T> {
    b.downcast_mut()
        .expect("Chain::then gives each buffer the type of its transforms")
}

impl<S: Transform> Node for Step<S> {
    fn pass(&mut self, buffers: &mut [Box<dyn Any + Send>]) -> Result<bool, Error> {
        let (input, output) = self.buffers(buffers);
        let before = output.len();
        let mut out = Emit { buf: output };
        let result = input.drain(..).try_for_each(|msg| {
            self.received += 1;
            self.transform.handle(msg, &mut out)
        });
        let emitted = out.buf.len() - before;
        self.sent += emitted as u64;
        result.map(|()| emitted > 0)
    }

    fn finish(&mut self, buffers: &mut [Box<dyn Any + Send>]) -> Result<bool, Error> {
        let (_, output) = self.buffers(buffers);
        let before = output.len();
        let mut out = Emit { buf: output };
        let result = self.transform.finish(&mut out);
        let emitted = out.buf.len() - before;
        self.sent += emitted as u64;
        result.map(|()| emitted > 0)
    }

    fn info(&self) -> NodeInfo {
        NodeInfo {
            type_name: std::any::type_name::<S>(),
            input: std::any::type_name::<S::In>(),
            output: std::any::type_name::<S::Out>(),
            received: self.received,
            sent: self.sent,
        }
    }
}

/// A transform that failed: which one, and how.
pub(super) struct Fault {
    pub(super) index: usize,
    pub(super) kind: FaultKind,
}

pub(super) enum FaultKind {
    Failed(Error),
    Panicked(String),
}

/// A chain with its types erased, as a line runs it.
pub(super) struct Nodes {
    pub(super) nodes: Vec<Box<dyn Node>>,
    buffers: Vec<Box<dyn Any + Send>>,
    /// The buffer the line puts its input into.
    head: usize,
    /// The buffer the last transform emits into (the head, for an empty chain).
    tail: usize,
}

impl Nodes {
    /// The line's input buffer.
    pub(super) fn head<T: 'static>(&mut self) -> &mut Vec<T> {
        typed(&mut self.buffers[self.head])
    }

    /// The last transform's output buffer.
    pub(super) fn tail<T: 'static>(&mut self) -> &mut Vec<T> {
        typed(&mut self.buffers[self.tail])
    }

    /// Hands what is in the input of transform `from` down the chain, as far as messages go.
    ///
    /// A transform that fails loses the rest of its batch (the message it failed on and those
    /// after it), but what it emitted before failing still goes down the rest of the chain, so
    /// nothing a transform finished with is lost. The first fault is the one reported.
    pub(super) fn run_from(&mut self, mut from: usize) -> Result<(), Fault> {
        let mut first = None;
        while let Err(fault) = self.sweep(from) {
            from = fault.index + 1;
            first.get_or_insert(fault);
        }
        first.map_or(Ok(()), Err)
    }

    /// Hands what is in the input of transform `from` down the chain, up to the first fault.
    fn sweep(&mut self, from: usize) -> Result<(), Fault> {
        let mut at = from;
        let Nodes { nodes, buffers, .. } = self;
        let ran = catch_unwind(AssertUnwindSafe(|| {
            for (i, node) in nodes.iter_mut().enumerate().skip(from) {
                at = i;
                if !node.pass(buffers)? {
                    break;
                }
            }
            Ok(())
        }));
        settle(ran, at)
    }

    /// Calls transform `index`'s `finish` and hands what it emits down the chain.
    pub(super) fn finish(&mut self, index: usize) -> Result<(), Fault> {
        let Nodes { nodes, buffers, .. } = self;
        let ran = catch_unwind(AssertUnwindSafe(|| nodes[index].finish(buffers)));
        // What it emitted before failing still goes on, as in `run_from`.
        let settled = settle(ran, index);
        if settled.as_ref().map_or(true, |&emitted| emitted) {
            let after = self.run_from(index + 1);
            settled?;
            return after;
        }
        Ok(())
    }
}

fn settle<R>(ran: std::thread::Result<Result<R, Error>>, at: usize) -> Result<R, Fault> {
    let kind = match ran {
        Ok(Ok(r)) => return Ok(r),
        Ok(Err(e)) => FaultKind::Failed(e),
        Err(p) => FaultKind::Panicked(crate::component::panic_message(p.as_ref())),
    };
    Err(Fault { index: at, kind })
}
