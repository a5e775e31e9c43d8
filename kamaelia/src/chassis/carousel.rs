//! Carousel: one child at a time, rebuilt from a factory on request (Kamaelia:
//! `Kamaelia.Chassis.Carousel.Carousel`).
//!
//! Each message on the `next` inbox is turned into a new child by the factory; the carousel
//! wires the child in (its own `inbox` feeds the child, the child's `outbox` leaves as the
//! carousel's) and starts it. When the child ends, the carousel asks for the next one with a
//! [`NextRequest`] on `request_next`. So a component that does one job and stops — read one
//! file, play one clip — becomes reusable: send it a file name on `next` as often as you like.
//! The name comes from a broadcast carousel, where programmes play one after another.
//!
//! A [`Chooser`](crate::util::flow) feeding `next`, with `request_next` linked back to it, makes a
//! playlist; [`JoinChooserToCarousel`](super::join_chooser_to_carousel::JoinChooserToCarousel)
//! wires exactly that.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::carousel::{Carousel, NextRequest};
//! # use axon::{Boxes, Component, Context, Error};
//! # /// Sends the lines of a (pretend) file, then ends.
//! # #[derive(Boxes)]
//! # struct ReadFile { /// in
//! #   inbox: Inbox<()>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<String>, /// sig
//! #   signal: Outbox<Control>, name: String }
//! # impl ReadFile { fn new(name: String) -> Self {
//! #   ReadFile { inbox: Inbox::new(), control: Inbox::new(), outbox: Outbox::new(), signal: Outbox::new(), name } } }
//! # impl Component for ReadFile {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     for i in 1..=2 { self.outbox.send(format!("{} line {i}", self.name)).await?; }
//! #     self.signal.send(Control::ProducerFinished).await.ok(); Ok(()) } }
//! # kamaelia::impl_stage!([] ReadFile, () => String);
//!
//! let mut system = System::deterministic();
//! let reader = Carousel::new(|name: String| ReadFile::new(name));
//! let (mut next, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut lines, mut requests) = (Inbox::new(), Inbox::new());
//! axon::link(&next, &reader.next).unwrap();
//! axon::link(&stop, &reader.control).unwrap();
//! axon::link(&reader.outbox, &lines).unwrap();
//! axon::link(&reader.request_next, &requests).unwrap();
//! system.spawn(reader);
//!
//! next.try_send("a.txt".to_string()).unwrap();
//! system.run_until_idle();
//! assert_eq!(lines.try_recv(), Ok("a.txt line 1".to_string()));
//! assert_eq!(lines.try_recv(), Ok("a.txt line 2".to_string()));
//! assert_eq!(requests.try_recv(), Ok(NextRequest)); // the reader ended: next, please
//!
//! next.try_send("b.txt".to_string()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap(); // b.txt is still read first
//! system.run().unwrap();
//! assert_eq!(lines.try_recv(), Ok("b.txt line 1".to_string()));
//! assert_eq!(lines.try_recv(), Ok("b.txt line 2".to_string()));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | handed to the current child's `inbox`, one message at a time; waits here while there is no child |
//! | `next` | `A` | the factory's argument for the next child |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown`, passed to the current child too (see below) |
//! | `outbox` | `O` | the current child's `outbox` |
//! | `signal` | [`Control`] | the `ProducerFinished` or `Shutdown` that ended the carousel |
//! | `request_next` | `R` ([`NextRequest`] by default) | sent when the child has ended and no `next` is waiting (Kamaelia's `requestNext`) |
//!
//! The child's own `signal` is ignored: the carousel learns that a child has ended from the child
//! ending, not from what it says.
//!
//! # Parameters
//!
//! * `factory: FnMut(A) -> C`, where `C: Stage<In = I, Out = O>`, given to [`Carousel::new`].
//! * [`Carousel::make_first_request`]: send a request on `request_next` as soon as the carousel
//!   starts (Kamaelia's `make1stRequest=True`).
//! * [`Carousel::requests_as`]: the message type of `request_next`, any `R: From<NextRequest>`;
//!   `requests_as::<ChooserCommand>()` lets `request_next` feed a Chooser's `inbox` directly.
//!
//! # The rules
//!
//! * **No child, a message on `next`**: the factory builds a child from it; the carousel links
//!   its own `inbox` and the child's `outbox` through and starts the child.
//! * **A child is running and a `next` message arrives**: the child is sent `Shutdown` (once)
//!   and the `next` message waits; the new child is built only when the old one has ended.
//! * **The child ends**: if a `next` message is waiting, the next child is built from it;
//!   otherwise the carousel sends a request on `request_next` — unless it has been told to stop.
//! * **Input** on `inbox` is handed to the current child once the child's inbox is empty (its
//!   capacity is set to one); input arriving while there is no child waits for the next one. So
//!   a child that ends leaves behind at most the one message it was handed last; the carousel
//!   takes it back and hands it to the next child first, then the rest — no input is lost
//!   between children.
//!
//! # Shutdown
//!
//! Stop messages are remembered: once received, they apply to every later child as well.
//!
//! * **`ProducerFinished`**: the current child is sent `ProducerFinished` once it has been handed
//!   all waiting input. `next` messages already waiting are still served, one child after
//!   another (each is replaced as described above, so only the last one runs to its end; it too
//!   gets `ProducerFinished` after its input). When no child is running and no `next` message
//!   waits, the carousel sends `ProducerFinished` on `signal` and ends. It never asks for more on
//!   `request_next` after `ProducerFinished`.
//! * **`Shutdown`**: the current child is sent `Shutdown`; waiting `next` messages and waiting
//!   input are discarded; when the child has ended (at once if there is none) the carousel sends
//!   `Shutdown` on `signal` and ends.
//! * The carousel never ends before its child has: a child that ignores its `control` keeps the
//!   carousel running.
//! * **A child that fails or panics** ends the carousel: it sends `Shutdown` on `signal` and ends
//!   with an error naming the child.
//! * `ProducerFinished` tells a child that no more input is coming; it does not cut a source
//!   short (the library's sources, such as the file readers, read on to their end), so the item
//!   playing when it arrives still finishes.

use axon::{Boxes, Component, Context, Control, Error, Inbox, LinkError, Outbox};

use super::seq::{failure, start_stage, Handover, Running};
use crate::Stage;

/// "The child has ended: what next?" — what a [`Carousel`] sends on `request_next` (Kamaelia's
/// `"NEXT"`). A Chooser's command type converts from it (`ChooserCommand::Next`), see
/// [`Carousel::requests_as`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NextRequest;

/// Builds, wires and starts a child from an argument.
type Factory<A, I, O> =
    Box<dyn FnMut(A, &mut Context, &Outbox<O>) -> Result<Running<I>, LinkError> + Send>;

/// One child at a time, rebuilt from a factory on request. See the [module docs](self).
#[derive(Boxes)]
pub struct Carousel<
    A: Send + 'static,
    I: Send + 'static,
    O: Send + 'static,
    R: Send + 'static = NextRequest,
> {
    /// Handed to the current child's inbox, one message at a time.
    pub inbox: Inbox<I>,
    /// The factory's argument for the next child.
    pub next: Inbox<A>,
    /// `ProducerFinished` (finish the current and waiting children, then end) or `Shutdown`
    /// (stop the child and end); passed to the current child.
    pub control: Inbox<Control>,
    /// The current child's outbox.
    pub outbox: Outbox<O>,
    /// The control message that ended the carousel.
    pub signal: Outbox<Control>,
    /// A request for the next child's argument, sent when a child has ended and none is waiting.
    pub request_next: Outbox<R>,
    #[boxes(skip)]
    factory: Factory<A, I, O>,
    #[boxes(skip)]
    first_request: bool,
}

impl<A: Send + 'static, I: Send + 'static, O: Send + 'static, R: Send + 'static> std::fmt::Debug
    for Carousel<A, I, O, R>
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Carousel")
            .field("first_request", &self.first_request)
            .finish_non_exhaustive()
    }
}

impl<A: Send + 'static, I: Send + 'static, O: Send + 'static> Carousel<A, I, O> {
    /// A carousel whose children are made by `factory` from the messages on `next`.
    pub fn new<C, F>(mut factory: F) -> Self
    where
        C: Stage<In = I, Out = O>,
        F: FnMut(A) -> C + Send + 'static,
    {
        Carousel {
            inbox: Inbox::new(),
            next: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            request_next: Outbox::new(),
            factory: Box::new(move |arg, ctx, outbox| start_stage(ctx, factory(arg), outbox)),
            first_request: false,
        }
    }
}

impl<A: Send + 'static, I: Send + 'static, O: Send + 'static, R: Send + 'static>
    Carousel<A, I, O, R>
{
    /// Sends a request on `request_next` as soon as the carousel starts, for a source that
    /// waits to be asked before sending the first argument.
    pub fn make_first_request(mut self) -> Self {
        self.first_request = true;
        self
    }

    /// The same carousel with `request_next` carrying `R2` (made from [`NextRequest`]), e.g.
    /// `requests_as::<ChooserCommand>()` to link it to a Chooser's inbox. Call it before linking
    /// `request_next`: the box is replaced.
    pub fn requests_as<R2: From<NextRequest> + Send + 'static>(self) -> Carousel<A, I, O, R2> {
        Carousel {
            inbox: self.inbox,
            next: self.next,
            control: self.control,
            outbox: self.outbox,
            signal: self.signal,
            request_next: Outbox::new(),
            factory: self.factory,
            first_request: self.first_request,
        }
    }
}

impl<A, I, O, R> Component for Carousel<A, I, O, R>
where
    A: Send + 'static,
    I: Send + 'static,
    O: Send + 'static,
    R: From<NextRequest> + Send + 'static,
{
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let Carousel {
            mut inbox,
            mut next,
            mut control,
            outbox,
            mut signal,
            mut request_next,
            mut factory,
            first_request,
        } = self;
        // The requester may have gone; that is no reason to fail.
        if first_request {
            request_next.send(R::from(NextRequest)).await.ok();
        }
        let mut handover = Handover::new();
        let mut child: Option<Running<I>> = None;
        // A `next` message taken while a child runs, waiting for that child to end.
        let mut waiting: Option<A> = None;
        // The stop message received, if any (it stays in force).
        let mut stop: Option<Control> = None;
        // Per child: has it been sent Shutdown / ProducerFinished?
        let (mut told_to_stop, mut told_finished) = (false, false);
        loop {
            let shutting_down = stop.as_ref().is_some_and(|c| !c.is_producer_finished());
            match &child {
                None if shutting_down => break,
                None => {
                    if waiting.is_none() {
                        waiting = next.try_recv().ok();
                    }
                    match waiting.take() {
                        Some(arg) => {
                            let c = factory(arg, &mut ctx, &outbox)?;
                            handover.attach(c.inbox.clone());
                            child = Some(c);
                            (told_to_stop, told_finished) = (false, false);
                            continue;
                        }
                        None if stop.is_some() => break,
                        None => {}
                    }
                }
                Some(c) => {
                    if (shutting_down || waiting.is_some()) && !told_to_stop {
                        c.control.try_send(Control::Shutdown).ok();
                        told_to_stop = true;
                    } else if stop.is_some()
                        && !told_finished
                        && !told_to_stop
                        && handover.all_delivered(&mut inbox)
                    {
                        c.control.try_send(Control::ProducerFinished).ok();
                        told_finished = true;
                    }
                }
            }
            tokio::select! {
                biased;
                Some(c) = control.recv(), if !shutting_down => match c {
                    Control::ProducerFinished => stop = Some(c),
                    _ => {
                        stop = Some(Control::Shutdown);
                        // Queued nexts are aborted, queued input discarded.
                        waiting = None;
                        while next.try_recv().is_ok() {}
                        handover.clear();
                    }
                },
                exit = ctx.next_child_exit(), if child.is_some() => {
                    handover.detach();
                    if let Some(c) = child.take() {
                        // Removes the link from the child's outbox to ours.
                        ctx.remove_child(c.id);
                    }
                    if let Some(how) = exit.as_ref().and_then(|e| failure(&e.exit)) {
                        signal.send(Control::Shutdown).await.ok();
                        let name = exit.map(|e| e.name).unwrap_or_default();
                        return Err(Error::msg(format!("Carousel child {name} {how}")));
                    }
                    if stop.is_none() && waiting.is_none() {
                        waiting = next.try_recv().ok();
                        if waiting.is_none() {
                            request_next.send(R::from(NextRequest)).await.ok();
                        }
                    }
                },
                Some(arg) = next.recv(), if waiting.is_none() && !shutting_down => waiting = Some(arg),
                () = handover.pump(&mut inbox), if handover.attached() && !shutting_down => {}
            }
        }
        signal
            .send(stop.unwrap_or(Control::ProducerFinished))
            .await
            .ok();
        Ok(())
    }
}

crate::impl_stage!(
    [A: Send + 'static, I: Send + 'static, O: Send + 'static, R: From<NextRequest> + Send + 'static]
    Carousel<A, I, O, R>, I => O
);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    // Only the boxes are read: the factory is never called.
    let c: Carousel<Msg, Msg, Msg> = Carousel {
        inbox: Inbox::new(),
        next: Inbox::new(),
        control: Inbox::new(),
        outbox: Outbox::new(),
        signal: Outbox::new(),
        request_next: Outbox::new(),
        factory: Box::new(|_, _, _| {
            Err(LinkError::Cycle {
                from: String::new(),
                to: String::new(),
            })
        }),
        first_request: false,
    };
    Entry::new(
        "Carousel",
        "Kamaelia.Chassis.Carousel.Carousel",
        Family::Chassis,
        "One child at a time, built by a factory from each message on next; a next while a child runs shuts that child down first; when a child ends with nothing waiting, asks for more on request_next.",
        axon::box_infos(&c),
    )
    .parameter("factory", "FnMut(A) -> Stage", "Carousel::new(factory)")
    .parameter("make_first_request", "bool", "Carousel::make_first_request(): ask on request_next as soon as it starts")
    .parameter("request type", "R: From<NextRequest>", "Carousel::requests_as::<R>(): what request_next carries (default NextRequest)")
});
