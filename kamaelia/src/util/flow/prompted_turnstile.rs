//! PromptedTurnstile: lets one message through per prompt on its `next` inbox (Kamaelia:
//! `Kamaelia.Util.PromptedTurnstile.PromptedTurnstile`).
//!
//! Messages queue up on `inbox`; every message that arrives on `next` (whatever it is) lets the
//! oldest one through to `outbox`, first in first out — a turnstile with people queueing for it.
//! Prompts that arrive while nothing is queued are remembered: that many messages go straight
//! through as they arrive. Use it to pull data at the pace of a consumer, a button or a
//! [`Clock`](super::Clock).
//!
//! The queue is the turnstile's own bounded `inbox`, so a producer far ahead of the prompts waits
//! (backpressure) rather than filling memory. A full destination holds the released message
//! until it has room.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::PromptedTurnstile;
//!
//! let mut system = System::deterministic();
//! let gate = PromptedTurnstile::new();
//! let (mut input, mut prompt, mut stop) = (Outbox::new(), Outbox::new(), Outbox::new());
//! let mut output = Inbox::new();
//! axon::link(&input, &gate.inbox).unwrap();
//! axon::link(&prompt, &gate.next).unwrap();
//! axon::link(&stop, &gate.control).unwrap();
//! axon::link(&gate.outbox, &output).unwrap();
//! system.spawn(gate);
//! for line in ["one", "two", "three"] {
//!     input.try_send(line).unwrap();
//! }
//! system.run_until_idle();
//! assert!(output.try_recv().is_err()); // nothing without a prompt
//! prompt.try_send(()).unwrap();
//! system.run_until_idle();
//! assert_eq!(output.try_recv(), Ok("one"));
//! assert!(output.try_recv().is_err());
//! stop.try_send(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages waiting to go through (the queue) |
//! | `next` | `P` | each message lets one queued message through (its content is ignored) |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the messages let through, in arrival order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! None. The prompt type `P` (default `()`) is whatever the prompting component sends.
//!
//! # Shutdown
//!
//! On `ProducerFinished` no more data will come, but the turnstile keeps its contract: it goes
//! on letting one queued message through per prompt, and once the queue is empty it sends
//! `ProducerFinished` on `signal` and ends (at once, if the queue is already empty). Nothing
//! queued is lost as long as prompts keep coming; queued messages left when prompts stop can be
//! dropped only with `Shutdown`. On `Shutdown` — also while it waits for a prompt or for a full
//! destination — it ends at once, discarding the queue, and sends `Shutdown` on `signal`. Unused
//! prompts are discarded at the end. If the component its `outbox` leads to has ended, it sends
//! `Shutdown` on `signal` and fails with an error saying so.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::watch::{note, pass_on, send_watching, Sent, Stopped};

/// Lets one message through per prompt. See the [module docs](self).
#[derive(Boxes)]
pub struct PromptedTurnstile<T: Send + 'static, P: Send + 'static = ()> {
    /// Messages waiting to go through (the queue).
    pub inbox: Inbox<T>,
    /// Each message lets one queued message through; its content is ignored.
    pub next: Inbox<P>,
    /// `ProducerFinished` (serve the rest of the queue, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The messages let through, in arrival order.
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
}

impl<T: Send + 'static, P: Send + 'static> PromptedTurnstile<T, P> {
    /// A turnstile with nothing queued and no prompts banked.
    pub fn new() -> Self {
        PromptedTurnstile {
            inbox: Inbox::new(),
            next: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static, P: Send + 'static> Default for PromptedTurnstile<T, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static, P: Send + 'static> std::fmt::Debug for PromptedTurnstile<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptedTurnstile")
            .field("queued", &self.inbox.len())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static, P: Send + 'static> PromptedTurnstile<T, P> {
    /// The body: returns the control message to pass on, or an error.
    async fn serve(&mut self) -> Result<Control, Error> {
        // Prompts received and not yet used.
        let mut credit: u64 = 0;
        let mut finishing = false;
        loop {
            if finishing && self.inbox.is_empty() {
                return Ok(Control::ProducerFinished);
            }
            let msg = if credit == 0 {
                tokio::select! {
                    biased;
                    c = self.control.recv() => {
                        if let Err(Stopped(c)) = note(c, &mut finishing) {
                            return Ok(c);
                        }
                    }
                    Some(_) = self.next.recv() => credit += 1,
                }
                continue;
            } else {
                tokio::select! {
                    biased;
                    c = self.control.recv() => {
                        if let Err(Stopped(c)) = note(c, &mut finishing) {
                            return Ok(c);
                        }
                        continue;
                    }
                    Some(_) = self.next.recv() => {
                        credit = credit.saturating_add(1);
                        continue;
                    }
                    Some(m) = self.inbox.recv() => m,
                }
            };
            match send_watching(&mut self.outbox, msg, &mut self.control, &mut finishing).await {
                Ok(Sent::Delivered) => credit -= 1,
                Ok(Sent::Closed(_)) => {
                    return Err(Error::msg(
                        "PromptedTurnstile: the component its outbox leads to has ended",
                    ))
                }
                Err(Stopped(c)) => return Ok(c),
            }
        }
    }
}

impl<T: Send + 'static, P: Send + 'static> Component for PromptedTurnstile<T, P> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let end = self.serve().await;
        pass_on(
            &mut self.signal,
            end.as_ref().cloned().unwrap_or(Control::Shutdown),
        )
        .await;
        end.map(|_| ())
    }
}

crate::impl_stage!([T: Send + 'static, P: Send + 'static] PromptedTurnstile<T, P>, T => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let t: PromptedTurnstile<Msg, Msg> = PromptedTurnstile::new();
    Entry::new(
        "PromptedTurnstile",
        "Kamaelia.Util.PromptedTurnstile.PromptedTurnstile",
        Family::Util,
        "Queues messages and lets one through, oldest first, for each message on its next inbox; prompts that come early are banked.",
        axon::box_infos(&t),
    )
});
