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
//! sequence runs out on the way), sends `ProducerFinished` on `signal` and ends. On `Shutdown`
//! it ends at once, ignoring queued commands, and sends `Shutdown` on `signal`. Items not yet
//! taken from the iterator are never taken.

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};

use super::chooser::ChooserCommand;

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

impl<T: Clone + Send + 'static> ForwardIteratingChooser<T> {
    /// Carries out `cmd`. Returns false once the sequence has run out.
    async fn obey(&mut self, cmd: ChooserCommand, current: &mut T) -> Result<bool, Error> {
        match cmd {
            ChooserCommand::Next => match self.items.next() {
                Some(item) => {
                    *current = item.clone();
                    self.outbox.send(item).await?;
                }
                None => return Ok(false),
            },
            ChooserCommand::Same => self.outbox.send(current.clone()).await?,
            ChooserCommand::Prev | ChooserCommand::First | ChooserCommand::Last => {}
        }
        Ok(true)
    }
}

impl<T: Clone + Send + 'static> Component for ForwardIteratingChooser<T> {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        // Whoever listens on signal may have gone; that is no reason to fail.
        let Some(mut current) = self.items.next() else {
            self.signal.send(Control::ProducerFinished).await.ok();
            return Ok(());
        };
        self.outbox.send(current.clone()).await?;
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(cmd) => {
                    if !self.obey(cmd, &mut current).await? {
                        break;
                    }
                }
                Event::Control(c) if c.is_producer_finished() => {
                    while let Ok(cmd) = self.inbox.try_recv() {
                        if !self.obey(cmd, &mut current).await? {
                            break;
                        }
                    }
                    break;
                }
                Event::Control(c) => {
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
        self.signal.send(Control::ProducerFinished).await.ok();
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
