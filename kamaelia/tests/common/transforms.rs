//! Helpers for the transform tests (`util_transforms.rs`, `util_transforms_lines.rs`,
//! `util_transforms_batch.rs`): one component on a deterministic system, fed and read through
//! linked boxes, and runs of it to the end.

use axon::{Control, Inbox, Outbox, System, TrySendError};
use kamaelia::Stage;

use super::drain;

/// One component on a deterministic system, fed and read through linked boxes.
pub(crate) struct Harness<S: Stage> {
    pub(crate) system: System,
    input: Outbox<S::In>,
    control: Outbox<Control>,
    output: Inbox<S::Out>,
    signal: Inbox<Control>,
}

impl<S: Stage> Harness<S> {
    pub(crate) fn new(stage: S) -> Self {
        let system = System::deterministic();
        let super::Harness {
            input,
            control,
            output,
            signal,
        } = super::harness(&system, stage);
        Harness {
            system,
            input,
            control,
            output,
            signal,
        }
    }

    /// Queues one message, letting the component run when its inbox is full.
    pub(crate) fn send(&mut self, msg: S::In) {
        let mut msg = msg;
        loop {
            match self.input.try_send(msg) {
                Ok(()) => return,
                Err(TrySendError::Full(back)) => {
                    msg = back;
                    self.system.run_until_idle();
                }
                Err(e) => panic!("cannot feed the component: {e}"),
            }
        }
    }

    pub(crate) fn send_all(&mut self, msgs: impl IntoIterator<Item = S::In>) {
        for m in msgs {
            self.send(m);
        }
    }

    pub(crate) fn stop(&mut self, c: Control) {
        self.control.try_send(c).unwrap();
    }

    /// Runs until idle and takes what has been sent so far.
    pub(crate) fn idle(&mut self) -> Vec<S::Out> {
        self.system.run_until_idle();
        drain(&mut self.output)
    }

    /// Runs until the component has ended; returns what it sent and what it signalled.
    pub(crate) fn end(mut self) -> (Vec<S::Out>, Vec<Control>) {
        self.system.run().expect("the component should end");
        assert_eq!(self.system.live(), 0);
        (drain(&mut self.output), drain(&mut self.signal))
    }
}

/// Sends `items`, then `ProducerFinished`, and runs to the end.
pub(crate) fn through<S: Stage>(stage: S, items: impl IntoIterator<Item = S::In>) -> Vec<S::Out> {
    let mut h = Harness::new(stage);
    h.send_all(items);
    h.stop(Control::ProducerFinished);
    let (out, signal) = h.end();
    assert_eq!(signal, [Control::ProducerFinished]);
    out
}

/// Queues `items` and `ProducerFinished` together before the component first runs (so the
/// control message is there first); returns what it sent and signalled.
pub(crate) fn finished_with_queue<S: Stage>(
    stage: S,
    items: impl IntoIterator<Item = S::In>,
) -> (Vec<S::Out>, Vec<Control>) {
    let mut h = Harness::new(stage);
    h.send_all(items);
    h.stop(Control::ProducerFinished);
    h.end()
}

/// Queues `items` and `Shutdown` together before the component first runs.
pub(crate) fn shut_down_with_queue<S: Stage>(
    stage: S,
    items: impl IntoIterator<Item = S::In>,
) -> (Vec<S::Out>, Vec<Control>) {
    let mut h = Harness::new(stage);
    h.send_all(items);
    h.stop(Control::Shutdown);
    h.end()
}
