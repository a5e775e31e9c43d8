//! JoinChooserToCarousel: a chooser feeding a carousel, the playlist pattern (Kamaelia:
//! `Kamaelia.Chassis.Prefab.JoinChooserToCarousel`).
//!
//! The chooser's items become the carousel's children one after another: the chooser's
//! `outbox` feeds the carousel's `next`, and the carousel's `request_next` goes back to the
//! chooser's `inbox`, so each time a child ends the carousel asks for, and the chooser sends,
//! the next item. With a [`ForwardIteratingChooser`](crate::util::flow) over file names and a
//! carousel of file readers, that is a playlist; a looping `Chooser` makes it play forever.
//!
//! Any stage can play the chooser's part, as long as its `inbox` takes a type made from
//! [`NextRequest`] (the Choosers' `ChooserCommand` is) and its `outbox` carries the carousel's
//! argument type.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::carousel::{Carousel, NextRequest};
//! use kamaelia::chassis::join_chooser_to_carousel::JoinChooserToCarousel;
//! # use axon::{next_event, Boxes, Component, Context, Error, Event};
//! # /// Sends its first item at once and one more per request; ends when it runs out.
//! # #[derive(Boxes)]
//! # struct Items { /// in
//! #   inbox: Inbox<NextRequest>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<u32>, /// sig
//! #   signal: Outbox<Control>, items: std::vec::IntoIter<u32> }
//! # impl Items { fn new(items: Vec<u32>) -> Self {
//! #   Items { inbox: Inbox::new(), control: Inbox::new(), outbox: Outbox::new(), signal: Outbox::new(), items: items.into_iter() } } }
//! # impl Component for Items {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     loop {
//! #       match self.items.next() { Some(i) => self.outbox.send(i).await?, None => break }
//! #       match next_event(&mut self.control, &mut self.inbox).await { Event::Message(_) => {}, Event::Control(_) => break }
//! #     }
//! #     self.signal.send(Control::ProducerFinished).await.ok(); Ok(()) } }
//! # kamaelia::impl_stage!([] Items, NextRequest => u32);
//! # /// Counts from 1 to n, then ends.
//! # #[derive(Boxes)]
//! # struct Count { /// in
//! #   inbox: Inbox<()>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<u32>, /// sig
//! #   signal: Outbox<Control>, n: u32 }
//! # impl Count { fn new(n: u32) -> Self {
//! #   Count { inbox: Inbox::new(), control: Inbox::new(), outbox: Outbox::new(), signal: Outbox::new(), n } } }
//! # impl Component for Count {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     for i in 1..=self.n { self.outbox.send(i).await?; } Ok(()) } }
//! # kamaelia::impl_stage!([] Count, () => u32);
//!
//! let mut system = System::deterministic();
//! // A playlist of counters: count to 2, then to 3.
//! let playlist = JoinChooserToCarousel::new(Items::new(vec![2, 3]), Carousel::new(Count::new));
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&playlist.outbox, &output).unwrap();
//! axon::link(&playlist.signal, &signal).unwrap();
//! system.spawn(playlist);
//! system.run().unwrap();
//! let mut got = Vec::new();
//! while let Ok(n) = output.try_recv() {
//!     got.push(n);
//! }
//! assert_eq!(got, [1, 2, 1, 2, 3]);
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | forwarded to the carousel's `inbox` (input for the current child) |
//! | `control` | [`Control`] | forwarded to the chooser's `control` |
//! | `outbox` | `O` | the carousel's `outbox` (what the children send) |
//! | `signal` | [`Control`] | the carousel's `signal` |
//!
//! Inside: chooser `outbox` → carousel `next`; chooser `signal` → carousel `control`; carousel
//! `request_next` → chooser `inbox`. The carousel's `request_next` is converted to the chooser's
//! command type with [`Carousel::requests_as`].
//!
//! # Parameters
//!
//! * `chooser`: any [`Stage`] whose `In` is made from [`NextRequest`] and whose `Out` is the
//!   carousel's argument type;
//! * `carousel`: a [`Carousel`], given to [`JoinChooserToCarousel::new`].
//!
//! # Shutdown
//!
//! A [`Control`] sent to the prefab goes to the chooser, which passes it on its `signal` to the
//! carousel, which passes it to its current child and, when done, on `signal` out of the prefab
//! (see [`Carousel`] for the rules). When the chooser runs out of items and ends with
//! `ProducerFinished` (a `ForwardIteratingChooser` does), the carousel finishes its current
//! child and ends too. The prefab ends when both have ended. If either fails or panics, the
//! other is sent `Shutdown` and the prefab ends with an error naming the one that failed.

use axon::{Boxes, Component, Context, Control, Error, Inbox, InboxRef, LinkError, Outbox};

use super::carousel::{Carousel, NextRequest};
use super::wait_for_children;
use crate::Stage;

/// Adopts, wires and starts both children; returns their `control` inboxes.
type Build<I, O> = Box<
    dyn FnOnce(
            &mut Context,
            &Inbox<I>,
            &Inbox<Control>,
            &Outbox<O>,
            &Outbox<Control>,
        ) -> Result<Vec<InboxRef<Control>>, LinkError>
        + Send,
>;

/// A chooser feeding a carousel. See the [module docs](self).
#[derive(Boxes)]
pub struct JoinChooserToCarousel<I: Send + 'static, O: Send + 'static> {
    /// Forwarded to the carousel's inbox.
    pub inbox: Inbox<I>,
    /// Forwarded to the chooser's control.
    pub control: Inbox<Control>,
    /// The carousel's outbox.
    pub outbox: Outbox<O>,
    /// The carousel's signal.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    build: Build<I, O>,
}

impl<I: Send + 'static, O: Send + 'static> std::fmt::Debug for JoinChooserToCarousel<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinChooserToCarousel")
            .finish_non_exhaustive()
    }
}

impl<I: Send + 'static, O: Send + 'static> JoinChooserToCarousel<I, O> {
    /// Joins `chooser` to `carousel`: the chooser's items become the carousel's children.
    pub fn new<Ch, A>(chooser: Ch, carousel: Carousel<A, I, O>) -> Self
    where
        Ch: Stage<Out = A>,
        Ch::In: From<NextRequest>,
        A: Send + 'static,
    {
        let build: Build<I, O> = Box::new(move |ctx, inbox, control, outbox, signal| {
            let chooser = ctx.adopt(chooser);
            let carousel = ctx.adopt(carousel.requests_as::<Ch::In>());
            ctx.link(chooser.outbox(), &carousel.next)?;
            ctx.link(chooser.signal(), &carousel.control)?;
            ctx.link(&carousel.request_next, chooser.inbox())?;
            ctx.forward_inbox(inbox, &carousel.inbox)?;
            ctx.forward_inbox(control, chooser.control())?;
            ctx.forward_outbox(&carousel.outbox, outbox)?;
            ctx.forward_outbox(&carousel.signal, signal)?;
            let controls = vec![chooser.control().handle(), carousel.control.handle()];
            ctx.activate(chooser);
            ctx.activate(carousel);
            Ok(controls)
        });
        JoinChooserToCarousel {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            build,
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Component for JoinChooserToCarousel<I, O> {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let JoinChooserToCarousel {
            inbox,
            control,
            outbox,
            signal,
            build,
        } = self;
        let controls = build(&mut ctx, &inbox, &control, &outbox, &signal)?;
        // The boxes must outlive the forwards made from and to them.
        let _boxes = (inbox, control, outbox, signal);
        wait_for_children(&mut ctx, &controls).await
    }
}

crate::impl_stage!([I: Send + 'static, O: Send + 'static] JoinChooserToCarousel<I, O>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    // Only the boxes are read: nothing is built.
    let j: JoinChooserToCarousel<Msg, Msg> = JoinChooserToCarousel {
        inbox: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        build: Box::new(|_, _, _, _, _| Ok(Vec::new())),
    };
    Entry::new(
        "JoinChooserToCarousel",
        "Kamaelia.Chassis.Prefab.JoinChooserToCarousel",
        Family::Chassis,
        "The playlist pattern: a chooser's items feed a carousel's next, and the carousel's requests go back to the chooser, so each item becomes a child in turn.",
        axon::box_infos(&j),
    )
    .parameter("chooser", "Stage<In: From<NextRequest>, Out = A>", "JoinChooserToCarousel::new(chooser, carousel); e.g. a Chooser or ForwardIteratingChooser")
    .parameter("carousel", "Carousel<A, I, O>", "the carousel whose children the items become")
});
