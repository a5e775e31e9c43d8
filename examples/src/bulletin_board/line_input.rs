//! LineInput: turns a connection's bytes into the lines a dialogue reads, and says so when a
//! line was too long (Kamaelia: `Kamaelia.Apps.Europython09.BB.LineOrientedInputBuffer`, BB15).
//!
//! TCP delivers bytes in pieces that have nothing to do with lines: one piece may hold half a
//! line, another three lines. BB15 put a line buffer in front of the per-connection `Seq` so
//! that each stage is handed whole lines. Here the framing is done by a
//! [`ChunksToLines`] child with its errors in band (lines end at LF or CRLF; bytes that are not
//! UTF-8 become U+FFFD), and `LineInput` adds what a dialogue needs on top:
//!
//! * a line longer than the limit is not silently dropped: it becomes an
//!   [`Input::TooLong`] in the stream, in the place of the line, so the stage waiting for that
//!   line can tell the user and ask again;
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
//! place of the line it stands for (the framer, a
//! [`ChunksToLineResults`](kamaelia::util::transforms::ChunksToLineResults), sends them in
//! that order on one outbox).

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

/// What the framer sends (a line, or the report of a too-long one) as what the dialogue reads.
impl From<Result<String, LineTooLong>> for Input {
    fn from(r: Result<String, LineTooLong>) -> Self {
        match r {
            Ok(line) => Input::Line(line),
            Err(e) => Input::TooLong(e),
        }
    }
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
    Send(Input),
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
            ChunksToLines::<Vec<u8>, String>::new()
                .max_line_length(max_line)
                .errors_in_band(),
        );
        let (mut lines, mut done) = (Inbox::new(), Inbox::new());
        ctx.forward_inbox(&inbox, &framer.inbox)?;
        ctx.link(&framer.outbox, &lines)?;
        ctx.link(&framer.signal, &done)?;
        let framer_control = framer.control.handle();
        ctx.activate(framer);
        let _inbox = inbox; // must outlive the forward
        let mut finishing = false;
        loop {
            let step = tokio::select! {
                biased;
                c = control.recv(), if !finishing => match c {
                    Some(Control::ProducerFinished) => Step::Finish,
                    other => Step::Stop(other.unwrap_or(Control::Shutdown)),
                },
                Some(c) = done.recv() => Step::FramerDone(c),
                Some(r) = lines.recv() => Step::Send(Input::from(r)),
                exit = ctx.next_child_exit() => Step::FramerGone(exit),
            };
            match step {
                Step::Finish => {
                    finishing = true;
                    framer_control.send(Control::ProducerFinished).await.ok();
                }
                Step::Stop(c) => return stop(&mut ctx, &framer_control, &mut signal, c).await,
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
                }
                Step::FramerDone(c) => {
                    // The framer sent everything before its signal: it is all here, in order.
                    while let Ok(r) = lines.try_recv() {
                        if outbox.send(Input::from(r)).await.is_err() {
                            break;
                        }
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
