//! ForwardIteratingChooser: steps forwards through any sequence on request (Kamaelia:
//! `Kamaelia.Util.Chooser.ForwardIteratingChooser`).
//!
//! Like a [`Chooser`](super::Chooser) that can only go forwards, so it takes any iterator — a
//! lazy or endless one included — instead of a list. It sends the first item when it starts and
//! the next one for each [`ChooserCommand::Next`]; when the sequence runs out it says
//! `ProducerFinished` and ends. That makes it the natural source for a playlist that ends:
//! [`JoinChooserToCarousel`](crate::chassis::join_chooser_to_carousel::JoinChooserToCarousel)
//! with it and a carousel plays each item once, then finishes.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::{ChooserCommand, ForwardIteratingChooser};
//!
//! let mut system = System::deterministic();
//! // Any iterator will do; this one is lazy.
//! let squares = ForwardIteratingChooser::new((1..=3u32).map(|n| n * n));
//! let (mut ask, mut got, mut signal) = (Outbox::new(), Inbox::new(), Inbox::new());
//! axon::link(&ask, &squares.inbox).unwrap();
//! axon::link(&squares.outbox, &got).unwrap();
//! axon::link(&squares.signal, &signal).unwrap();
//! system.spawn(squares);
//! for _ in 0..3 {
//!     ask.try_send(ChooserCommand::Next).unwrap();
//! }
//! system.run().unwrap(); // the third Next finds nothing: it ends
//! assert_eq!(got.try_recv(), Ok(1));
//! assert_eq!(got.try_recv(), Ok(4));
//! assert_eq!(got.try_recv(), Ok(9));
//! assert!(got.try_recv().is_err());
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`ChooserCommand`] | `Next` (the next item) or `Same` (the current one again); others are ignored |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the first item at start, then one item per `Next` |
//! | `signal` | [`Control`] | `ProducerFinished` when the sequence has run out, or the control message that ended it |
//!
//! # Parameters
//!
//! * `items: impl IntoIterator<Item = T>` (`T: Clone`, the iterator `Send`), given to
//!   [`ForwardIteratingChooser::new`]. Items are taken from it one at a time, when needed: the
//!   first when the component starts, then one per `Next`.
//!
//! # Commands
//!
//! * `Next`: take the next item and send it; if there is none, send `ProducerFinished` on
//!   `signal` and end (commands still queued are ignored).
//! * `Same`: send the current item again.
//! * `Prev`, `First`, `Last`: ignored — it cannot go back.
//! * If the sequence is empty it sends `ProducerFinished` at once and ends. (Kamaelia's waited
//!   for a `"NEXT"` first; an empty sequence has nothing to offer, so it ends like any source
//!   that has run dry.)
//!
//! # Shutdown
//!
//! On `ProducerFinished` it carries out every command already queued (ending early if the
//! sequence runs out on the way), sends `ProducerFinished` on `signal` and ends. On `Shutdown` —
//! also while an item waits for room downstream — it ends at once, ignoring queued commands (and
//! dropping the item that waits), and sends `Shutdown` on `signal`. Items not yet taken from the
//! iterator are never taken. If the component its `outbox` leads to has ended, it sends
//! [`Control::Failed`] on `signal` saying so and fails with the same error.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::chooser::{send_then_next, ChooserCommand};
use crate::support::{fail_gone, pass_on};

/// Steps forwards through any sequence on request. See the [module docs](self).
#[derive(Boxes)]
pub struct ForwardIteratingChooser<T: Clone + Send + 'static> {
    /// `Next` or `Same`; others are ignored.
    pub inbox: Inbox<ChooserCommand>,
    /// `ProducerFinished` (carry out queued commands, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The first item at start, then one item per `Next`.
    pub outbox: Outbox<T>,
    /// `ProducerFinished` when the sequence has run out, or the control message that ended it.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    items: Box<dyn Iterator<Item = T> + Send>,
}

impl<T: Clone + Send + 'static> std::fmt::Debug for ForwardIteratingChooser<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForwardIteratingChooser")
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> ForwardIteratingChooser<T> {
    /// A chooser over `items`, which are taken one at a time as they are asked for.
    pub fn new<It>(items: It) -> Self
    where
        It: IntoIterator<Item = T>,
        It::IntoIter: Send + 'static,
    {
        ForwardIteratingChooser {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            items: Box::new(items.into_iter()),
        }
    }
}

impl<T: Clone + Send + 'static> Component for ForwardIteratingChooser<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let Some(first) = self.items.next() else {
            pass_on(&mut self.signal, Control::ProducerFinished).await;
            return Ok(());
        };
        let mut current = first.clone();
        // The item to send next, if any: the first one at start.
        let mut pending = Some(first);
        let mut finishing = false;
        let stop = loop {
            let chooser = (&mut self.control, &mut self.inbox, &mut self.outbox);
            let cmd = match send_then_next(chooser, &mut finishing, pending.take()).await {
                Ok(cmd) => cmd,
                Err(None) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
                Err(Some(c)) => break c,
            };
            match cmd {
                ChooserCommand::Next => match self.items.next() {
                    Some(item) => {
                        current = item.clone();
                        pending = Some(item);
                    }
                    // The sequence has run out.
                    None => break Control::ProducerFinished,
                },
                ChooserCommand::Same => pending = Some(current.clone()),
                ChooserCommand::Prev | ChooserCommand::First | ChooserCommand::Last => {}
            }
        };
        pass_on(&mut self.signal, stop).await;
        Ok(())
    }
}

crate::impl_stage!([T: Clone + Send + 'static] ForwardIteratingChooser<T>, ChooserCommand => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let c: ForwardIteratingChooser<Msg> = ForwardIteratingChooser::new(std::iter::empty());
    Entry::new(
        "ForwardIteratingChooser",
        "Kamaelia.Util.Chooser.ForwardIteratingChooser",
        Family::Util,
        "Steps forwards through any (lazy or endless) sequence: sends the first item at start and one more per Next; sends ProducerFinished and ends when the sequence runs out.",
        axon::box_infos(&c),
    )
    .parameter("items", "IntoIterator<Item = T>", "ForwardIteratingChooser::new(items); taken one at a time, T: Clone")
});
