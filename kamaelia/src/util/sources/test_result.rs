//! TestResult: checks that every message it receives is `true`, and fails on the first `false`
//! (Kamaelia: `Kamaelia.Util.TestResult.TestResult`) — a test aid, typically after a
//! [`Comparator`](super::Comparator).
//!
//! A `false` makes the component fail with an error naming itself and the position of the
//! message (counting from 0), which its parent sees as [`axon::Exit::Failed`] (a
//! [`Pipeline`](crate::chassis::Pipeline) then stops its other stages) and
//! [`System::failures`](axon::System::failures) lists. Kamaelia raised an `AssertionError`.
//!
//! Kamaelia's `StopSystem` control message halted the whole system from here; the equivalent is
//! [`TestResult::stop_system`]: when the stream ends, or on a `false`, the component asks every
//! component in the system to stop ([`SystemHandle::request_shutdown`](axon::SystemHandle::request_shutdown)),
//! so a test of components that never end by themselves (servers) can still finish.
//!
//! ```
//! use axon::{Control, Outbox, System};
//! use kamaelia::util::sources::TestResult;
//!
//! let mut system = System::deterministic();
//! let check = TestResult::new();
//! let (mut results, mut stop) = (Outbox::new(), Outbox::new());
//! axon::link(&results, &check.inbox).unwrap();
//! axon::link(&stop, &check.control).unwrap();
//! system.spawn(check);
//! results.try_send(true).unwrap();
//! results.try_send(false).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let failures = system.failures();
//! assert!(failures[0].what.contains("message 1 was false"), "{}", failures[0].what);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `bool` | results to check: `false` fails the component |
//! | `control` | [`Control`] | end of stream, stop requests |
//! | `outbox` | `()` | not used |
//! | `signal` | [`Control`] | the stop request, passed on; `Failed` on a `false` |
//!
//! # Parameters
//!
//! * [`TestResult::stop_system`]: at the end of the stream, or on a `false`, ask the whole
//!   system to stop (Kamaelia's `StopSystem`).
//!
//! # Shutdown
//!
//! * `ProducerFinished`: it checks every result already waiting in its inbox (a `false` among
//!   them still fails it), then sends `ProducerFinished` on `signal` and ends.
//! * `Shutdown`: it ends at once without checking what waits, and sends `Shutdown` on `signal`.
//! * A `false` ends it at once with an error; the same text goes on `signal` first, as
//!   [`Control::Failed`], so what listens there learns why.
//! * With [`stop_system`](TestResult::stop_system), whichever way it ends it then asks the whole
//!   system to stop.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, BATCH};
use crate::support::{fail, next_or_drain};

/// Fails on the first `false` it receives. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct TestResult {
    /// Results to check: `false` fails the component.
    pub inbox: Inbox<bool>,
    /// End of stream, stop requests.
    pub control: Inbox<Control>,
    /// Not used.
    pub outbox: Outbox<()>,
    /// The stop request, passed on; `Failed` on a `false`.
    pub signal: Outbox<Control>,
    stop_system: bool,
}

impl Default for TestResult {
    fn default() -> Self {
        Self::new()
    }
}

impl TestResult {
    /// A checker.
    pub fn new() -> Self {
        TestResult {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            stop_system: false,
        }
    }

    /// When it ends (end of stream, a stop request, or a `false`), ask every component in the
    /// system to stop (Kamaelia's `StopSystem`).
    pub fn stop_system(mut self) -> Self {
        self.stop_system = true;
        self
    }

    async fn check(&mut self, name: &str) -> Result<(), Error> {
        let mut buf = Vec::with_capacity(BATCH);
        let mut index: u64 = 0;
        // The reason for failing, at the first false.
        let mut check = |buf: &mut Vec<bool>| {
            for ok in buf.drain(..) {
                if !ok {
                    return Err(format!("{name}: message {index} was false"));
                }
                index += 1;
            }
            Ok(())
        };
        let mut finishing = false;
        let end = loop {
            let next = next_or_drain(
                &mut self.control,
                &mut self.inbox,
                &mut buf,
                BATCH,
                &mut finishing,
            );
            if let Some(end) = next.await.end() {
                break end;
            }
            if let Err(reason) = check(&mut buf) {
                return fail(&mut self.signal, reason).await;
            }
        };
        pass_on(&mut self.signal, end).await;
        Ok(())
    }
}

impl Component for TestResult {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let result = self.check(&ctx.name()).await;
        if self.stop_system {
            ctx.system().request_shutdown();
        }
        result
    }
}

crate::impl_stage!([] TestResult, bool => ());

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "TestResult",
        "Kamaelia.Util.TestResult.TestResult",
        Family::Util,
        "Test aid: checks that every message is true; the first false fails it with an error naming the message's position.",
        axon::box_infos(&TestResult::new()),
    )
    .parameter(
        "stop_system",
        "bool",
        "TestResult::stop_system(): when it ends (or on a false), ask the whole system to stop (Kamaelia's StopSystem)",
    )
});
