//! LineInput: turns a connection's bytes into the lines a dialogue reads, and says so when a
//! line was too long (Kamaelia: `Kamaelia.Apps.Europython09.BB.LineOrientedInputBuffer`, BB15).
//!
//! TCP delivers bytes in pieces that have nothing to do with lines: one piece may hold half a
//! line, another three lines. BB15 put a line buffer in front of the per-connection `Seq` so
//! that each stage is handed whole lines. Here the framing is done by a
//! [`ChunksToLines`] child (lines end at LF or CRLF; bytes that are not UTF-8 become U+FFFD),
//! and `LineInput` adds what a dialogue needs on top:
//!
//! * a line longer than the limit is not silently dropped: it becomes an
//!   [`Input::TooLong`] in the stream, so the stage waiting for a line can tell the user and
//!   ask again;
//! * it keeps listening to its own `control` while the dialogue is not taking input, so a
//!   `Shutdown` is seen at once even when everything downstream is full.
//!
//! (BB15's buffer also released a line only once the consumer's inbox was empty; here that
//! hand-over is [`Seq`](kamaelia::chassis::Seq)'s job.)
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use examples::bulletin_board::line_input::{Input, LineInput};
//!
//! let mut system = System::deterministic();
//! let lines = LineInput::new(8);
//! let (mut bytes, mut stop, mut out) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&bytes, &lines.inbox).unwrap();
//! axon::link(&stop, &lines.control).unwrap();
//! axon::link(&lines.outbox, &out).unwrap();
//! system.spawn(lines);
//! bytes.try_send(b"lo".to_vec()).unwrap();
//! bytes.try_send(b"gin\r\nfar too long a line\r\n\xff\r\n".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(out.try_recv(), Ok(Input::Line("login".into())));
//! assert!(matches!(out.try_recv(), Ok(Input::TooLong(_))));
//! assert_eq!(out.try_recv(), Ok(Input::Line("\u{fffd}".into())));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | the connection's bytes, in pieces of any size |
//! | `control` | [`Control`] | `ProducerFinished`: the peer has closed; `Shutdown`/`Failed`: stop now |
//! | `outbox` | [`Input`] | each line (without its line ending), or a notice that one was too long |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `max_line`, given to [`LineInput::new`]: the longest line kept, in bytes without its line
//!   ending. Nothing else is buffered beyond the bounded inboxes.
//!
//! # Shutdown
//!
//! `ProducerFinished`: every line already received is sent, then the partial last line (bytes
//! after the last line break) as a line of its own, then `ProducerFinished` on `signal`.
//! `Shutdown` or `Failed`: ends at once, discarding queued bytes, and passes the message on.
//! If the dialogue downstream has ended (its inbox is closed), it stops its child and ends
//! without error: the connection is being closed anyway.
//!
//! Ordering: lines and notices come out in the order the lines were sent, a notice taking the
//! place of the line it stands for. (The framer reports a burst's notices after its lines;
//! `LineInput` puts each back in place by its line number. The one exception: if more lines
//! follow a too-long one in a single burst than fit in `LineInput`'s own bounded inbox, the
//! notice may come after some of them.)

use std::collections::VecDeque;

use axon::{Boxes, ChildExit, Component, Context, Control, Error, Inbox, InboxRef, Outbox};
use kamaelia::util::transforms::{ChunksToLines, LineTooLong};

/// What the dialogue receives: a line, or word that a line was too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// One line, without its line ending.
    Line(String),
    /// A line longer than the limit arrived and was discarded.
    TooLong(LineTooLong),
}

/// Bytes in, lines out. See the [module docs](self).
#[derive(Boxes)]
pub struct LineInput {
    /// The connection's bytes, in pieces of any size.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished` (the peer closed: flush, then stop) or `Shutdown`/`Failed` (stop now).
    pub control: Inbox<Control>,
    /// Each line, or a notice that a line was too long.
    pub outbox: Outbox<Input>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    max_line: usize,
}

impl std::fmt::Debug for LineInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineInput")
            .field("max_line", &self.max_line)
            .finish_non_exhaustive()
    }
}

impl LineInput {
    /// Keeps lines of up to `max_line` bytes (without the line ending).
    pub fn new(max_line: usize) -> Self {
        LineInput {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            max_line,
        }
    }
}

/// What happened while waiting.
enum Step {
    Stop(Control),
    Finish,
    FramerDone(Control),
    FramerGone(Option<ChildExit>),
    Hold(LineTooLong),
    Send(Input),
}

/// Puts each too-long notice back in its place among the lines. The framer numbers every line
/// (discarded ones too) and sends a batch's lines before its notices, so a notice numbered `n`
/// arrives once every line before `n` has been sent to us: holding the notice until `n - 1`
/// items have gone out restores the order.
#[derive(Default)]
struct Order {
    /// Items sent on so far.
    sent: u64,
    /// A notice waiting for its turn.
    held: Option<LineTooLong>,
}

impl Order {
    /// The held notice, if its turn has come.
    fn due(&mut self) -> Option<LineTooLong> {
        self.held.take_if(|e| e.line <= self.sent + 1)
    }
}

impl Component for LineInput {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let LineInput {
            inbox,
            mut control,
            mut outbox,
            mut signal,
            max_line,
        } = self;
        let framer = ctx.adopt_named(
            "line framer",
            ChunksToLines::<Vec<u8>, String>::new().max_line_length(max_line),
        );
        let (mut lines, mut errors, mut done) = (Inbox::new(), Inbox::new(), Inbox::new());
        ctx.forward_inbox(&inbox, &framer.inbox)?;
        ctx.link(&framer.outbox, &lines)?;
        ctx.link(&framer.errors, &errors)?;
        ctx.link(&framer.signal, &done)?;
        let framer_control = framer.control.handle();
        ctx.activate(framer);
        let _inbox = inbox; // must outlive the forward
        let mut finishing = false;
        let mut order = Order::default();
        loop {
            let step = match order.due() {
                Some(e) => Step::Send(Input::TooLong(e)),
                None => tokio::select! {
                    biased;
                    c = control.recv(), if !finishing => match c {
                        Some(Control::ProducerFinished) => Step::Finish,
                        other => Step::Stop(other.unwrap_or(Control::Shutdown)),
                    },
                    Some(c) = done.recv() => Step::FramerDone(c),
                    Some(e) = errors.recv(), if order.held.is_none() => Step::Hold(e),
                    Some(l) = lines.recv() => Step::Send(Input::Line(l)),
                    exit = ctx.next_child_exit() => Step::FramerGone(exit),
                },
            };
            match step {
                Step::Finish => {
                    finishing = true;
                    framer_control.send(Control::ProducerFinished).await.ok();
                }
                Step::Stop(c) => return stop(&mut ctx, &framer_control, &mut signal, c).await,
                Step::Hold(e) => order.held = Some(e),
                Step::Send(input) => {
                    // While the dialogue is busy, keep an ear on control.
                    let send = outbox.send(input);
                    tokio::pin!(send);
                    let delivered = loop {
                        tokio::select! {
                            biased;
                            c = control.recv(), if !finishing => match c {
                                Some(Control::ProducerFinished) => {
                                    finishing = true;
                                    framer_control.send(Control::ProducerFinished).await.ok();
                                }
                                other => {
                                    let c = other.unwrap_or(Control::Shutdown);
                                    return stop(&mut ctx, &framer_control, &mut signal, c).await;
                                }
                            },
                            r = &mut send => break r.is_ok(),
                        }
                    };
                    if !delivered {
                        // The dialogue has ended: nobody wants more lines.
                        return stop(&mut ctx, &framer_control, &mut signal, Control::Shutdown)
                            .await;
                    }
                    order.sent += 1;
                }
                Step::FramerDone(c) => {
                    // The framer sent everything before its signal: it is all here.
                    let mut rest_lines: VecDeque<String> =
                        std::iter::from_fn(|| lines.try_recv().ok()).collect();
                    let mut rest_errors: VecDeque<LineTooLong> = order
                        .held
                        .take()
                        .into_iter()
                        .chain(std::iter::from_fn(|| errors.try_recv().ok()))
                        .collect();
                    loop {
                        let due = rest_errors
                            .front()
                            .is_some_and(|e| e.line <= order.sent + 1 || rest_lines.is_empty());
                        let input = if due {
                            rest_errors.pop_front().map(Input::TooLong)
                        } else {
                            rest_lines.pop_front().map(Input::Line)
                        };
                        let Some(input) = input else { break };
                        if outbox.send(input).await.is_err() {
                            break;
                        }
                        order.sent += 1;
                    }
                    while ctx.next_child_exit().await.is_some() {}
                    signal.send(c).await.ok();
                    return Ok(());
                }
                Step::FramerGone(exit) => {
                    let c = match exit {
                        Some(e) if !e.exit.is_finished() => {
                            Control::failed(format!("LineInput: {} {:?}", e.name, e.exit))
                        }
                        _ => Control::ProducerFinished,
                    };
                    signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}

/// Stops the framer, waits for it, passes `c` on.
async fn stop(
    ctx: &mut Context,
    framer: &InboxRef<Control>,
    signal: &mut Outbox<Control>,
    c: Control,
) -> Result<(), Error> {
    framer.try_send(Control::Shutdown).ok();
    while ctx.next_child_exit().await.is_some() {}
    signal.send(c).await.ok();
    Ok(())
}

kamaelia::impl_stage!([] LineInput, Vec<u8> => Input);
