//! Chargen: sends `"Hello World"` over and over, for ever, as fast as it is taken (Kamaelia:
//! `Kamaelia.Util.Chargen.Chargen`) — a load generator.
//!
//! Kamaelia's Chargen sent as fast as the scheduler ran it and ignored its inboxes, so nothing
//! could stop it. Here its speed is bounded by backpressure (it waits while the consumer's inbox
//! is full, so memory stays bounded) and it stops on any control message. It lets the other
//! components on its thread run after every batch it sends.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::sources::Chargen;
//!
//! let mut system = System::deterministic();
//! let chargen = Chargen::new();
//! let mut stop = Outbox::new();
//! let mut out = Inbox::with_capacity(3);
//! axon::link(&stop, &chargen.control).unwrap();
//! axon::link(&chargen.outbox, &out).unwrap();
//! system.spawn(chargen);
//! system.run_until_idle(); // it fills the consumer's inbox and waits
//! assert_eq!(out.len(), 3);
//! assert_eq!(out.try_recv().as_deref(), Ok("Hello World"));
//! stop.try_send(Control::Shutdown).unwrap();
//! system.run().unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `()` | not used |
//! | `control` | [`Control`] | stop requests: any one stops it |
//! | `outbox` | `String` | the text, over and over |
//! | `signal` | [`Control`] | the stop request, passed on |
//!
//! # Parameters
//!
//! * [`Chargen::text`]: what to send each time (default `"Hello World"`).
//!
//! # Shutdown
//!
//! It never ends by itself. Any control message — `ProducerFinished` or `Shutdown` — stops it
//! at once (it is looked at first, also while a send waits for room): an endless stream has no
//! "rest" to deliver, so what of the current batch has not gone is dropped. The control message
//! goes on `signal`. If the component its `outbox` leads to has ended, it fails with an error
//! naming itself; the same text goes on `signal` first, as [`Control::Failed`], so what listens
//! there learns why.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::{pass_on, send_until_control, yield_now, Sent, BATCH};
use crate::support::fail_gone;

/// Sends a text over and over until told to stop. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct Chargen {
    /// Not used.
    pub inbox: Inbox<()>,
    /// Stop requests: any one stops it.
    pub control: Inbox<Control>,
    /// The text, over and over.
    pub outbox: Outbox<String>,
    /// The stop request, passed on.
    pub signal: Outbox<Control>,
    text: String,
}

impl Default for Chargen {
    fn default() -> Self {
        Self::new()
    }
}

impl Chargen {
    /// Sends `"Hello World"`.
    pub fn new() -> Self {
        Chargen {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            text: "Hello World".to_string(),
        }
    }

    /// Sends `text` instead.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }
}

impl Component for Chargen {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut buf = Vec::new();
        loop {
            buf.extend(std::iter::repeat_n(&self.text, BATCH - buf.len()).cloned());
            match send_until_control(&mut self.outbox, &mut self.control, &mut buf).await {
                Ok(Sent::All) => {}
                Ok(Sent::Stopped(c)) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
                Err(_) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
            }
            // Every send may have found room at once: let the other components run.
            yield_now().await;
        }
    }
}

crate::impl_stage!([] Chargen, () => String);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "Chargen",
        "Kamaelia.Util.Chargen.Chargen",
        Family::Util,
        "Sends \"Hello World\" over and over as fast as it is taken (bounded by backpressure) until any control message stops it.",
        axon::box_infos(&Chargen::new()),
    )
    .parameter("text", "String", "Chargen::text(t): what to send (default \"Hello World\")")
});
