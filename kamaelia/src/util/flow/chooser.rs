//! Chooser: steps through a list of items on command (Kamaelia: `Kamaelia.Util.Chooser.Chooser`).
//!
//! A `Chooser` holds a list and a cursor on it. When it starts it sends the first item; after
//! that each [`ChooserCommand`] on its `inbox` moves the cursor and sends the item it lands on,
//! like stepping through a slideshow with "next" and "previous" buttons. Linked to a
//! [`Carousel`](crate::chassis::carousel::Carousel) (see
//! [`JoinChooserToCarousel`](crate::chassis::join_chooser_to_carousel::JoinChooserToCarousel)),
//! its items become the carousel's children one after another.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::flow::{Chooser, ChooserCommand};
//!
//! let mut system = System::deterministic();
//! let slides = Chooser::new(["intro", "middle", "end"]);
//! let (mut buttons, mut stop, mut shown) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&buttons, &slides.inbox).unwrap();
//! axon::link(&stop, &slides.control).unwrap();
//! axon::link(&slides.outbox, &shown).unwrap();
//! system.spawn(slides);
//! for press in [ChooserCommand::Next, ChooserCommand::Next, ChooserCommand::Next, ChooserCommand::Prev] {
//!     buttons.try_send(press).unwrap();
//! }
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! let mut got = Vec::new();
//! while let Ok(slide) = shown.try_recv() {
//!     got.push(slide);
//! }
//! // The third Next is at the end already: nothing is sent for it.
//! assert_eq!(got, ["intro", "middle", "end", "middle"]);
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | [`ChooserCommand`] | where to move the cursor |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T` | the item the cursor is on, after each move (and the first item at start) |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `items: impl IntoIterator<Item = T>` (`T: Clone`), given to [`Chooser::new`]; the list is
//!   finite and taken when the chooser is made.
//! * [`Chooser::looping`]: `Next` on the last item goes to the first and `Prev` on the first goes
//!   to the last (Kamaelia's `loop=True`; unlike Kamaelia's, `Prev` on the first item sends the
//!   last item instead of going silent for good).
//!
//! # Commands
//!
//! * `Next` / `Prev`: move one item forwards / backwards and send it. Without looping, at the
//!   last / first item nothing moves and nothing is sent.
//! * `First` / `Last`: move to the first / last item and send it, even if already there.
//! * `Same`: send the current item again.
//! * With an empty list nothing is ever sent.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it carries out every command already queued, sends `ProducerFinished`
//! on `signal` and ends. On `Shutdown` — also while an item waits for room downstream — it ends
//! at once, ignoring queued commands (and dropping the item that waits), and sends `Shutdown` on
//! `signal`. It keeps no partial state. It never ends by itself: reaching the end of the list is
//! not the end (you can still go back); use a
//! [`ForwardIteratingChooser`](super::ForwardIteratingChooser) for a sequence that ends. If the
//! component its `outbox` leads to has ended, it sends [`Control::Failed`] on `signal` saying
//! so and fails with the same error.

use axon::{next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox};

use crate::chassis::carousel::NextRequest;
use crate::support::{fail_gone, pass_on, watching_if_it_waits, Stopped};

/// A command to a [`Chooser`] (Kamaelia's `"NEXT"`, `"PREV"`, `"FIRST"`, `"LAST"`, `"SAME"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChooserCommand {
    /// Move forwards one item and send it.
    Next,
    /// Move backwards one item and send it.
    Prev,
    /// Move to the first item and send it.
    First,
    /// Move to the last item and send it.
    Last,
    /// Send the current item again.
    Same,
}

/// A carousel's request for the next item is [`ChooserCommand::Next`].
impl From<NextRequest> for ChooserCommand {
    fn from(_: NextRequest) -> Self {
        ChooserCommand::Next
    }
}

/// Steps through a list of items on command. See the [module docs](self).
#[derive(Boxes)]
pub struct Chooser<T: Clone + Send + 'static> {
    /// Where to move the cursor.
    pub inbox: Inbox<ChooserCommand>,
    /// `ProducerFinished` (carry out queued commands, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// The item the cursor is on, after each move (and the first item at start).
    pub outbox: Outbox<T>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    items: Vec<T>,
    #[boxes(skip)]
    looping: bool,
}

impl<T: Clone + Send + 'static> std::fmt::Debug for Chooser<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chooser")
            .field("items", &self.items.len())
            .field("looping", &self.looping)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> Chooser<T> {
    /// A chooser over `items`, starting at the first.
    pub fn new(items: impl IntoIterator<Item = T>) -> Self {
        Chooser {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            items: items.into_iter().collect(),
            looping: false,
        }
    }

    /// Wraps around at both ends.
    pub fn looping(mut self) -> Self {
        self.looping = true;
        self
    }
}

/// The cursor: where a command moves it, if it moves (or stays and is to be sent again).
struct Cursor {
    at: usize,
    len: usize,
    looping: bool,
}

impl Cursor {
    /// Carries out `cmd`; returns the index to send, or `None` to send nothing.
    fn apply(&mut self, cmd: ChooserCommand) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let last = self.len - 1;
        self.at = match cmd {
            ChooserCommand::Same => self.at,
            ChooserCommand::First => 0,
            ChooserCommand::Last => last,
            ChooserCommand::Next if self.at < last => self.at + 1,
            ChooserCommand::Next if self.looping => 0,
            ChooserCommand::Prev if self.at > 0 => self.at - 1,
            ChooserCommand::Prev if self.looping => last,
            ChooserCommand::Next | ChooserCommand::Prev => return None,
        };
        Some(self.at)
    }
}

impl<T: Clone + Send + 'static> Component for Chooser<T> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let mut cursor = Cursor {
            at: 0,
            len: self.items.len(),
            looping: self.looping,
        };
        // The index of the item to send next, if any: the first item at start.
        let mut pending = (!self.items.is_empty()).then_some(0);
        let mut finishing = false;
        let stop = loop {
            let item = pending.take().map(|i| self.items[i].clone());
            let chooser = (&mut self.control, &mut self.inbox, &mut self.outbox);
            match send_then_next(chooser, &mut finishing, item).await {
                Ok(cmd) => pending = cursor.apply(cmd),
                Err(None) => return fail_gone(&mut self.signal, &ctx.name(), "outbox").await,
                Err(Some(c)) => break c,
            }
        };
        pass_on(&mut self.signal, stop).await;
        Ok(())
    }
}

crate::impl_stage!([T: Clone + Send + 'static] Chooser<T>, ChooserCommand => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let c: Chooser<Msg> = Chooser::new([]);
    Entry::new(
        "Chooser",
        "Kamaelia.Util.Chooser.Chooser",
        Family::Util,
        "Steps through a list of items on Next/Prev/First/Last/Same commands, sending the item it lands on (the first at start); optionally wraps around.",
        axon::box_infos(&c),
    )
    .parameter("items", "IntoIterator<Item = T>", "Chooser::new(items); a finite list, T: Clone")
    .parameter("looping", "bool", "Chooser::looping(): wrap around at both ends")
});

/// A chooser's step: sends `item` (if any), watching `control` while it waits for room, then
/// takes the next command. Once `ProducerFinished` has come (`finishing`), only the commands
/// already queued are taken. `Err(Some(c))`: stop, passing `c` on; `Err(None)`: the component
/// `outbox` leads to has ended.
pub(super) async fn send_then_next<T: Send + 'static>(
    (control, inbox, outbox): (
        &mut Inbox<Control>,
        &mut Inbox<ChooserCommand>,
        &mut Outbox<T>,
    ),
    finishing: &mut bool,
    item: Option<T>,
) -> Result<ChooserCommand, Option<Control>> {
    if let Some(item) = item {
        match watching_if_it_waits(control, finishing, outbox.send(item)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(None),
            Err(Stopped(c)) => return Err(Some(c)),
        }
    }
    loop {
        if *finishing {
            return inbox
                .try_recv()
                .map_err(|_| Some(Control::ProducerFinished));
        }
        match next_event(control, inbox).await {
            Event::Message(cmd) => return Ok(cmd),
            Event::Control(Control::ProducerFinished) => *finishing = true,
            Event::Control(c) => return Err(Some(c)),
        }
    }
}
