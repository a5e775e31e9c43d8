//! Seq: stages run one after another on one input stream (Kamaelia:
//! `Kamaelia.Chassis.Seq.Seq`).
//!
//! A `Seq` holds a list of stages and runs them in order: the first stage is built and started
//! when the `Seq` starts; when it ends, the next one is built and started, and so on. While a
//! stage runs it is handed what arrives on the `Seq`'s `inbox`, and what it sends leaves from the
//! `Seq`'s `outbox`. Input that arrives between two stages, or that a stage ended without being
//! handed, waits in the `Seq`'s inbox and goes to the next stage. This is how one connection's
//! dialogue is written as small components — log in, then fetch the user, then the menu, then
//! save — each ending when its part of the conversation is done.
//!
//! # State shared between stages
//!
//! A `Seq` is made with a state value, [`Seq::new(state)`](Seq::new), and each stage is given
//! by a factory that receives a clone of it: `Seq::new(state).then(|state| Login::new(state))`.
//! A factory runs only when its stage starts, that is after the previous stage has ended, so it
//! can read whatever earlier stages stored. For state that stages change, use a shared cell such
//! as `Arc<Mutex<ConnectionInfo>>`: every stage then sees the same value. For read-only
//! configuration any `Clone` value will do, and `Seq::new(())` makes a `Seq` without state.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::seq::Seq;
//! # use axon::{next_event, Boxes, Component, Context, Error, Event};
//! # /// Takes one line, stores it in the shared state, then ends.
//! # #[derive(Boxes)]
//! # struct AskName { /// in
//! #   inbox: Inbox<String>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<String>, /// sig
//! #   signal: Outbox<Control>, state: Arc<Mutex<String>> }
//! # impl AskName { fn new(state: Arc<Mutex<String>>) -> Self {
//! #   AskName { inbox: Inbox::new(), control: Inbox::new(), outbox: Outbox::new(), signal: Outbox::new(), state } } }
//! # impl Component for AskName {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     self.outbox.send("name? ".to_string()).await?;
//! #     if let Event::Message(name) = next_event(&mut self.control, &mut self.inbox).await {
//! #       *self.state.lock().unwrap() = name; }
//! #     Ok(()) } }
//! # kamaelia::impl_stage!([] AskName, String => String);
//! # /// Greets the name it is given, then ends.
//! # #[derive(Boxes)]
//! # struct Greet { /// in
//! #   inbox: Inbox<String>, /// ctl
//! #   control: Inbox<Control>, /// out
//! #   outbox: Outbox<String>, /// sig
//! #   signal: Outbox<Control>, name: String }
//! # impl Greet { fn new(name: String) -> Self {
//! #   Greet { inbox: Inbox::new(), control: Inbox::new(), outbox: Outbox::new(), signal: Outbox::new(), name } } }
//! # impl Component for Greet {
//! #   async fn run(mut self, _: Context) -> Result<(), Error> {
//! #     self.outbox.send(format!("hello {}", self.name)).await?; Ok(()) } }
//! # kamaelia::impl_stage!([] Greet, String => String);
//!
//! let mut system = System::deterministic();
//! let state = Arc::new(Mutex::new(String::new()));
//! let dialogue = Seq::new(state)
//!     .then(|state| AskName::new(state))
//!     // Built only once AskName has ended, so it sees the name AskName stored.
//!     .then(|state| Greet::new(state.lock().unwrap().clone()));
//! let (mut input, mut output, mut signal) = (Outbox::new(), Inbox::new(), Inbox::new());
//! axon::link(&input, &dialogue.inbox).unwrap();
//! axon::link(&dialogue.outbox, &output).unwrap();
//! axon::link(&dialogue.signal, &signal).unwrap();
//! system.spawn(dialogue);
//! input.try_send("Ada".to_string()).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok("name? ".to_string()));
//! assert_eq!(output.try_recv(), Ok("hello Ada".to_string()));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `I` | input, handed to the current stage one message at a time; waits here between stages |
//! | `control` | [`Control`] | `ProducerFinished`: no more input; `Shutdown`: stop the current stage and end |
//! | `outbox` | `O` | what the current stage sends on its `outbox` |
//! | `signal` | [`Control`] | `ProducerFinished` after the last stage, or `Shutdown` if stopped or a stage failed |
//!
//! A stage's own `signal` is not linked anywhere: a stage saying it has finished must not stop
//! what is downstream of the `Seq`, since the next stage still has to run.
//!
//! # Parameters
//!
//! * `state: S` (`S: Clone + Send + 'static`), given to [`Seq::new`]; a clone goes to each
//!   stage's factory.
//! * the stages, in order: [`Seq::then`] takes a factory `FnOnce(S) -> stage`;
//!   [`Seq::then_stage`] takes a stage built in advance; [`Seq::then_no_input`] adds a stage
//!   that is not handed any input (a banner, a state saver), so input that arrives while it runs
//!   waits for the stage after it. Every stage must have the `Seq`'s message types
//!   (`Stage<In = I, Out = O>`). (Kamaelia's `Seq` also took strings, which it printed; here a
//!   stage that sends the text does that job.)
//!
//! # How input is handed over
//!
//! The `Seq` keeps its own inbox and hands each message to the current stage only once that
//! stage's inbox is empty (it sets the stage's inbox capacity to one). So when a stage ends, at
//! most the one message it was handed last can be left unread in its inbox; the `Seq` takes
//! that message back ([`InboxRef::keep_unread`](axon::InboxRef::keep_unread)) and hands it to
//! the next stage first, followed by everything still waiting — no input is lost between
//! stages. (If a stage is itself a chassis that forwards its inbox to a child, what that child
//! leaves unread is lost with it.) A
//! sender feeding the `Seq` never sees an error because a stage ended: the `Seq`'s own inbox
//! stays open until the `Seq` ends. Handing over one message at a time costs a wake-up per
//! message, which is what a dialogue needs, not what a bulk data path wants.
//!
//! # Shutdown
//!
//! Kamaelia's `Seq` ignored its `control` inbox; this one honours it.
//!
//! * **`ProducerFinished`** means no more input will come. The `Seq` goes on running the
//!   remaining stages in order. Each stage that takes input is handed whatever input is still
//!   waiting and then gets `ProducerFinished` on its `control`, so that it can finish. After the
//!   last stage the `Seq` sends `ProducerFinished` on `signal` and ends.
//! * **`Shutdown`** stops the sequence: the current stage gets `Shutdown` on its `control`,
//!   queued input is discarded, no later stage is built, and once the current stage has ended
//!   the `Seq` sends `Shutdown` on `signal` and ends.
//! * **When the last stage ends** the `Seq` sends `ProducerFinished` on `signal` and ends, whether
//!   or not it was told that input had finished; input still waiting then is discarded.
//! * **A stage that fails or panics** ends the sequence: no later stage is built, the `Seq`
//!   sends `Shutdown` on `signal` and ends with an error naming the stage.
//! * A `Seq` with no stages ends at once, sending `ProducerFinished`.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use axon::{
    Boxes, Component, ComponentId, Context, Control, Error, Exit, Inbox, InboxRef, LinkError,
    Outbox, SendError,
};

use crate::Stage;

/// A child a chassis has started: what it needs to feed it, stop it and recognise its end.
pub(crate) struct Running<I> {
    pub(crate) id: ComponentId,
    pub(crate) inbox: InboxRef<I>,
    pub(crate) control: InboxRef<Control>,
}

/// Adopts `stage`, publishes its `outbox` as `outbox`, and starts it. Its `signal` is left
/// unlinked; its `inbox` and `control` are returned, to be fed by the caller.
pub(crate) fn start_stage<S: Stage>(
    ctx: &mut Context,
    stage: S,
    outbox: &Outbox<S::Out>,
) -> Result<Running<S::In>, LinkError> {
    let child = ctx.adopt(stage);
    ctx.forward_outbox(child.outbox(), outbox)?;
    let running = Running {
        id: child.id(),
        inbox: child.inbox().handle(),
        control: child.control().handle(),
    };
    ctx.activate(child);
    Ok(running)
}

/// How a child that did not finish normally ended, in words; `None` if it finished.
pub(crate) fn failure(exit: &Exit) -> Option<String> {
    match exit {
        Exit::Finished => None,
        Exit::Failed(e) => Some(format!("failed: {e}")),
        Exit::Panicked(m) => Some(format!("panicked: {m}")),
        Exit::Cancelled => Some("was cancelled".to_string()),
    }
}

type Delivery<T> = Pin<Box<dyn Future<Output = Result<(), SendError<T>>> + Send>>;

/// Hands what arrives on a chassis' own inbox to its current child, one message at a time, so
/// that input the child was never given can go to the next child (used by [`Seq`] and
/// [`Carousel`](super::carousel::Carousel)).
///
/// Every message is owned by exactly one place at a time — the chassis' inbox, `held`, the
/// in-flight delivery, or the child's inbox — and every await point is cancel-safe, so
/// [`pump`](Self::pump) can sit in a `select!`.
pub(crate) struct Handover<T> {
    /// The current child's inbox, if input goes to a child now.
    target: Option<InboxRef<T>>,
    /// A message on its way into the child's inbox (waiting for it to have room).
    in_flight: Option<Delivery<T>>,
    /// Messages to hand over before anything else, in order: one taken from the chassis'
    /// inbox, or those a child that ended left unread (at most the one in its inbox and the
    /// one its closed inbox refused).
    held: VecDeque<T>,
}

impl<T: Send + 'static> Handover<T> {
    pub(crate) fn new() -> Self {
        Handover {
            target: None,
            in_flight: None,
            held: VecDeque::new(),
        }
    }

    /// Input goes to `inbox` from now on; its capacity becomes one, so it holds at most one
    /// message the child has not read, and that one comes back if the child ends without
    /// reading it.
    pub(crate) fn attach(&mut self, inbox: InboxRef<T>) {
        inbox.set_capacity(Some(1));
        inbox.keep_unread();
        self.target = Some(inbox);
    }

    /// The child's inbox has closed: take back what it left unread, to go first to the next
    /// child.
    fn reclaim(&mut self) {
        if let Some(target) = self.target.take() {
            let mut unread = VecDeque::from(target.take_unread());
            unread.append(&mut self.held);
            self.held = unread;
        }
    }

    /// True while input goes to a child.
    pub(crate) fn attached(&self) -> bool {
        self.target.is_some()
    }

    /// The child has ended: stop handing over, and take back the message that was on its way if
    /// the child's closed inbox refused it.
    pub(crate) fn detach(&mut self) {
        self.reclaim();
        if let Some(mut delivery) = self.in_flight.take() {
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            if let Poll::Ready(Err(SendError::Closed(m))) = delivery.as_mut().poll(&mut cx) {
                self.held.push_back(m);
            }
        }
    }

    /// Stops handing over and discards what was taken but not delivered (on `Shutdown`).
    pub(crate) fn clear(&mut self) {
        self.target = None;
        self.in_flight = None;
        self.held.clear();
    }

    /// True when everything that arrived on `inbox` has been delivered to a child and `inbox` is
    /// empty: the moment to tell the child that input has finished.
    pub(crate) fn all_delivered(&mut self, inbox: &mut Inbox<T>) -> bool {
        if self.in_flight.is_some() || !self.held.is_empty() {
            return false;
        }
        match inbox.try_recv() {
            Ok(m) => {
                self.held.push_back(m);
                false
            }
            Err(_) => true,
        }
    }

    /// Hands the next message from `inbox` to the child, waiting for one to arrive and for the
    /// child's inbox to have room; returns once it has gone (so that the caller can look at
    /// [`all_delivered`](Self::all_delivered) again). A message the child's closed inbox refuses
    /// is kept for the next child. Never returns while not [`attached`](Self::attached).
    pub(crate) async fn pump(&mut self, inbox: &mut Inbox<T>) {
        loop {
            if let Some(delivery) = self.in_flight.as_mut() {
                let result = delivery.await;
                self.in_flight = None;
                if let Err(SendError::Closed(m)) = result {
                    // The child has ended; its exit is on its way to the chassis.
                    self.reclaim();
                    self.held.push_back(m);
                }
                return;
            }
            let Some(target) = self.target.clone() else {
                return std::future::pending().await;
            };
            let msg = match self.held.pop_front() {
                Some(m) => m,
                None => match inbox.recv().await {
                    Some(m) => m,
                    None => return std::future::pending().await,
                },
            };
            self.in_flight = Some(Box::pin(async move { target.send(msg).await }));
        }
    }
}

/// Builds, wires and starts one stage, given the state.
type StartStage<I, O, S> =
    Box<dyn FnOnce(S, &mut Context, &Outbox<O>) -> Result<Running<I>, LinkError> + Send>;

struct StageSpec<I, O, S> {
    start: StartStage<I, O, S>,
    takes_input: bool,
}

/// Stages run one after another on one input stream. See the [module docs](self).
#[derive(Boxes)]
pub struct Seq<I: Send + 'static, O: Send + 'static, S = ()> {
    /// Input, handed to the current stage one message at a time; it waits here between stages.
    pub inbox: Inbox<I>,
    /// `ProducerFinished`: no more input (the stages still run); `Shutdown`: stop the current
    /// stage and end.
    pub control: Inbox<Control>,
    /// What the current stage sends.
    pub outbox: Outbox<O>,
    /// `ProducerFinished` after the last stage; `Shutdown` if stopped or a stage failed.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    state: S,
    #[boxes(skip)]
    stages: Vec<StageSpec<I, O, S>>,
}

impl<I: Send + 'static, O: Send + 'static, S> std::fmt::Debug for Seq<I, O, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seq")
            .field("stages", &self.stages.len())
            .finish_non_exhaustive()
    }
}

impl<I, O, S> Seq<I, O, S>
where
    I: Send + 'static,
    O: Send + 'static,
    S: Clone + Send + 'static,
{
    /// A sequence with no stages yet, whose stages will share `state` (use `()` for none).
    pub fn new(state: S) -> Self {
        Seq {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            state,
            stages: Vec::new(),
        }
    }

    fn push<C, F>(mut self, make: F, takes_input: bool) -> Self
    where
        C: Stage<In = I, Out = O>,
        F: FnOnce(S) -> C + Send + 'static,
    {
        self.stages.push(StageSpec {
            start: Box::new(move |state, ctx, outbox| start_stage(ctx, make(state), outbox)),
            takes_input,
        });
        self
    }

    /// Adds a stage built by `make` from (a clone of) the state when its turn comes, that is
    /// after the previous stage has ended.
    pub fn then<C, F>(self, make: F) -> Self
    where
        C: Stage<In = I, Out = O>,
        F: FnOnce(S) -> C + Send + 'static,
    {
        self.push(make, true)
    }

    /// Adds a stage built in advance.
    pub fn then_stage<C: Stage<In = I, Out = O>>(self, stage: C) -> Self {
        self.push(move |_| stage, true)
    }

    /// Adds a stage, built by `make` when its turn comes, that is handed no input: what arrives
    /// while it runs waits for the stage after it. It is not sent `ProducerFinished` either,
    /// since it reads no input.
    pub fn then_no_input<C, F>(self, make: F) -> Self
    where
        C: Stage<In = I, Out = O>,
        F: FnOnce(S) -> C + Send + 'static,
    {
        self.push(make, false)
    }
}

impl<I, O, S> Component for Seq<I, O, S>
where
    I: Send + 'static,
    O: Send + 'static,
    S: Clone + Send + 'static,
{
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let Seq {
            mut inbox,
            mut control,
            outbox,
            mut signal,
            state,
            stages,
        } = self;
        let mut handover = Handover::new();
        let mut input_finished = false;
        let mut shutdown = false;
        for (n, spec) in stages.into_iter().enumerate() {
            if shutdown {
                break;
            }
            let stage = (spec.start)(state.clone(), &mut ctx, &outbox)?;
            if spec.takes_input {
                handover.attach(stage.inbox.clone());
            }
            // A stage that reads no input is never told that input has finished.
            let mut finish_sent = !spec.takes_input;
            let exit = loop {
                if input_finished && !finish_sent && handover.all_delivered(&mut inbox) {
                    stage.control.try_send(Control::ProducerFinished).ok();
                    finish_sent = true;
                }
                tokio::select! {
                    biased;
                    Some(c) = control.recv(), if !shutdown => match c {
                        Control::ProducerFinished => input_finished = true,
                        _ => {
                            shutdown = true;
                            handover.clear();
                            stage.control.try_send(Control::Shutdown).ok();
                        }
                    },
                    exit = ctx.next_child_exit() => break exit,
                    () = handover.pump(&mut inbox), if handover.attached() && !shutdown => {}
                }
            };
            handover.detach();
            // Removes the link from the stage's outbox to ours.
            ctx.remove_child(stage.id);
            if let Some(how) = exit.as_ref().and_then(|e| failure(&e.exit)) {
                signal.send(Control::Shutdown).await.ok();
                let name = exit.map(|e| e.name).unwrap_or_default();
                return Err(Error::msg(format!("Seq stage {} ({name}) {how}", n + 1)));
            }
        }
        let last = if shutdown {
            Control::Shutdown
        } else {
            Control::ProducerFinished
        };
        signal.send(last).await.ok();
        Ok(())
    }
}

crate::impl_stage!([I: Send + 'static, O: Send + 'static, S: Clone + Send + 'static] Seq<I, O, S>, I => O);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let s: Seq<Msg, Msg> = Seq::new(());
    Entry::new(
        "Seq",
        "Kamaelia.Chassis.Seq.Seq",
        Family::Chassis,
        "Runs stages one after another on one input stream: each is built when the previous one ends, is handed the Seq's input and sends on its outbox; stages share a state value.",
        axon::box_infos(&s),
    )
    .parameter("state", "S: Clone", "Seq::new(state); each stage's factory gets a clone (Arc<Mutex<_>> for state stages change; () for none)")
    .parameter("stages", "FnOnce(S) -> Stage, ...", "Seq::then(factory), then_stage(stage), then_no_input(factory) for a stage handed no input")
});
