//! Chassis: components that hold and wire other components (Kamaelia's `Kamaelia.Chassis`).
//!
//! Every chassis is an ordinary component built on `axon`: it adopts its children when it
//! starts, links their boxes (owning those links), activates them, and ends when all of them
//! have ended — it never kills a child that is still running unless a sibling failed.
//!
//! ```
//! use kamaelia::chassis::Pipeline;
//! # use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//! # #[derive(Boxes, Default)] struct Id { /// i
//! #   inbox: Inbox<u8>, /// c
//! #   control: Inbox<Control>, /// o
//! #   outbox: Outbox<u8>, /// s
//! #   signal: Outbox<Control> }
//! # impl Component for Id { async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! # kamaelia::impl_stage!([] Id, u8 => u8);
//! let p: Pipeline<u8, u8> = Pipeline::new(Id::default()).then(Id::default());
//! # let _ = p;
//! ```

pub mod carousel;
pub mod graphline;
pub mod join_chooser_to_carousel;
pub mod par;
pub mod pipeline;
pub mod seq;
pub mod supervisor;

pub use carousel::{Carousel, NextRequest};
pub use graphline::{GraphError, Graphline, GraphlineBuilder};
pub use join_chooser_to_carousel::JoinChooserToCarousel;
pub use par::Par;
pub use pipeline::Pipeline;
pub use seq::Seq;
pub use supervisor::{Backoff, Restart, Strategy, Supervisor};

use axon::{Child, Component, Context, Control, Error, Exit, InboxRef};

/// Starts one adopted child, later.
pub(crate) type Activation = Box<dyn FnOnce(&mut Context) + Send>;

pub(crate) fn activation<C: Component>(child: Child<C>) -> Activation {
    Box::new(move |ctx: &mut Context| {
        ctx.activate(child);
    })
}

/// Waits until every child has ended. If one fails, panics or is cancelled, sends
/// [`Control::Shutdown`] to all of `controls` (the children still running stop; those that
/// ended ignore it) and, once all have ended, returns an error naming the first child that did
/// not finish normally.
pub(crate) async fn wait_for_children(
    ctx: &mut Context,
    controls: &[InboxRef<Control>],
) -> Result<(), Error> {
    let mut first_failure: Option<String> = None;
    while let Some(exit) = ctx.next_child_exit().await {
        let what = match &exit.exit {
            Exit::Finished => continue,
            Exit::Failed(e) => format!("failed: {e}"),
            Exit::Panicked(m) => format!("panicked: {m}"),
            Exit::Cancelled => "was cancelled".to_string(),
        };
        if first_failure.is_none() {
            for c in controls {
                c.try_send(Control::Shutdown).ok();
            }
            first_failure = Some(format!("child {} {what}", exit.name));
        }
    }
    match first_failure {
        None => Ok(()),
        Some(f) => Err(Error::msg(f)),
    }
}
