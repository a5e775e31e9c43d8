//! Stringify: turns every message into text (Kamaelia: `Kamaelia.Util.Stringify.Stringify`).
//!
//! [`Stringify::new`] uses the message's [`Display`] form (Kamaelia's
//! `str(msg)`); [`Stringify::debug`] uses its [`Debug`] form (like Python's
//! `repr`), which also covers types without a `Display`.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::Stringify;
//!
//! let mut system = System::deterministic();
//! let s = Stringify::<f64>::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &s.inbox).unwrap();
//! axon::link(&stop, &s.control).unwrap();
//! axon::link(&s.outbox, &output).unwrap();
//! system.spawn(s);
//! input.try_send(1.5).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv().as_deref(), Ok("1.5"));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` | messages to render |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `String` | the text of each message, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * the form: [`Stringify::new`] (`Display`, `T: Display`) or [`Stringify::debug`] (`Debug`,
//!   `T: Debug`).
//!
//! # Shutdown
//!
//! On `ProducerFinished` it renders everything already queued, sends the text, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what is
//! queued, and sends `Shutdown` on `signal`. It keeps no partial state.

use std::fmt::{Debug, Display};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// Turns every message into text. See the [module docs](self).
#[derive(Boxes)]
pub struct Stringify<T: Send + 'static> {
    /// Messages to render.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The text of each message, in order.
    pub outbox: Outbox<String>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    render: fn(&T) -> String,
    form: &'static str,
}

impl<T: Display + Send + 'static> Stringify<T> {
    /// Renders each message with its `Display` form (`to_string()`).
    pub fn new() -> Self {
        Self::with(|x: &T| x.to_string(), "Display")
    }
}

impl<T: Display + Send + 'static> Default for Stringify<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Debug + Send + 'static> Stringify<T> {
    /// Renders each message with its `Debug` form (`format!("{:?}", x)`).
    ///
    /// ```
    /// let _s = kamaelia::util::transforms::Stringify::<Vec<u8>>::debug();
    /// ```
    pub fn debug() -> Self {
        Self::with(|x: &T| format!("{x:?}"), "Debug")
    }
}

impl<T: Send + 'static> Stringify<T> {
    fn with(render: fn(&T) -> String, form: &'static str) -> Self {
        Stringify {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            render,
            form,
        }
    }
}

impl<T: Send + 'static> std::fmt::Debug for Stringify<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stringify")
            .field("form", &self.form)
            .finish_non_exhaustive()
    }
}

struct Render<T>(fn(&T) -> String);

impl<T: Send + 'static> Step for Render<T> {
    type In = T;
    type Out = String;
    fn step(&mut self, msg: T, out: &mut Vec<String>) {
        out.push((self.0)(&msg));
    }
}

impl<T: Send + 'static> Component for Stringify<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Render(self.render), boxes).await
    }
}

crate::impl_stage!([T: Send + 'static] Stringify<T>, T => String);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let s = Stringify::<Msg>::debug();
    Entry::new(
        "Stringify",
        "Kamaelia.Util.Stringify.Stringify",
        Family::Util,
        "Turns every message into text with its Display form (or its Debug form).",
        axon::box_infos(&s),
    )
    .parameter(
        "form",
        "Display | Debug",
        "Stringify::new() uses Display, Stringify::debug() uses Debug",
    )
});
