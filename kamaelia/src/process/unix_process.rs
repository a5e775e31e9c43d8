//! UnixProcess: runs a program as a component — what arrives on its inbox goes to the
//! program's standard input, its standard output comes out of `outbox`, its standard error out
//! of `stderr`, and its exit status out of `status` (Kamaelia: `Kamaelia.File.UnixProcess2.UnixProcess2`).
//!
//! The program is started when the component starts, with all three standard streams piped (it
//! never sees the terminal). Output is sent in chunks as the pipes deliver them — not in lines:
//! a line may be split across messages, or several lines share one. Input is written in order,
//! a message at a time; while the program does not read its input, the inbox fills and
//! whoever sends to it waits. Reading output, writing input and watching `control` all go on
//! at once, so a program that writes a lot before reading everything never deadlocks with the
//! component.
//!
//! The component ends when the program has exited **and** closed its output (both pipes at end
//! of file): then every byte it wrote has been sent, and its [`ExitStatus`] goes out on `status`
//! followed by `ProducerFinished` on `signal`. A non-zero exit is not a failure of the component:
//! the status says how the program ended.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::process::UnixProcess;
//!
//! let mut system = System::deterministic();
//! let tr = UnixProcess::new("tr").args(["a-z", "A-Z"]);
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut status) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &tr.inbox).unwrap();
//! axon::link(&stop, &tr.control).unwrap();
//! axon::link(&tr.outbox, &output).unwrap();
//! axon::link(&tr.status, &status).unwrap();
//! system.spawn(tr);
//! input.try_send(b"shout".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap(); // closes tr's input: it finishes
//! system.run().unwrap();
//! let out: Vec<u8> = std::iter::from_fn(|| output.try_recv().ok()).flatten().collect();
//! assert_eq!(out, b"SHOUT");
//! assert!(status.try_recv().unwrap().success());
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | bytes for the program's standard input |
//! | `control` | [`Control`] | `ProducerFinished` closes standard input; `Shutdown` kills the program |
//! | `outbox` | `Vec<u8>` | the program's standard output, in chunks |
//! | `stderr` | `Vec<u8>` | the program's standard error, in chunks |
//! | `status` | [`ExitStatus`] | how the program ended, once, after all its output |
//! | `signal` | [`Control`] | `ProducerFinished` when the program has ended, or the stop request |
//!
//! # Parameters
//!
//! * the program: [`UnixProcess::new`] with [`arg`](UnixProcess::arg) /
//!   [`args`](UnixProcess::args), [`env`](UnixProcess::env) and
//!   [`current_dir`](UnixProcess::current_dir); [`UnixProcess::shell`] for `/bin/sh -c script`;
//!   [`UnixProcess::from_command`] for a prepared [`std::process::Command`] (its standard
//!   streams are replaced by pipes).
//! * [`chunk_size`](UnixProcess::chunk_size): the most bytes read from an output pipe at once,
//!   and so the largest message on `outbox` and `stderr`; default 64 KiB.
//!
//! # Shutdown
//!
//! * The program exiting (and closing its output) ends the component: all output is sent, then
//!   the status, then `ProducerFinished` on `signal`. Input still queued is discarded.
//! * `ProducerFinished` on `control` (no more input will come): it writes everything already
//!   queued to the program's standard input, closes it (the program sees end of file), and then
//!   waits for the program to end as above.
//! * `Shutdown` on `control` (looked at first, also while output waits for room downstream): it
//!   kills the program (`SIGKILL`), waits for it to be gone, sends its status on `status` and
//!   `Shutdown` on `signal`, and ends; output not yet sent and input not yet written are
//!   discarded. A `Shutdown` already waiting when the component starts means the program is
//!   never started (and no status is sent).
//! * Input that arrives after the program has closed its standard input is discarded.
//! * If the program cannot be started (not found, not executable) it sends `Shutdown` on
//!   `signal` and fails with an error naming the command. If the component `outbox` leads to has
//!   ended it kills the program and fails with an error naming itself.
//! * If the component is cancelled (system shutdown past its deadline), the program is killed.
//!
//! # Deterministic systems
//!
//! A program is real work outside the virtual clock, like a threaded component: while one
//! runs, a deterministic system's virtual time does not jump ahead to the next timer, and
//! [`System::run`](axon::System::run) waits for the program instead of reporting a stall. (Each
//! running program holds one of tokio's blocking threads, idle, to say so.)

use std::ffi::OsStr;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin};

use crate::support::{watching, Stopped};

/// Runs a program as a component. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct UnixProcess {
    /// Bytes for the program's standard input.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished` closes the program's standard input; `Shutdown` kills the program.
    pub control: Inbox<Control>,
    /// The program's standard output, in chunks.
    pub outbox: Outbox<Vec<u8>>,
    /// The program's standard error, in chunks.
    pub stderr: Outbox<Vec<u8>>,
    /// How the program ended, once, after all its output.
    pub status: Outbox<ExitStatus>,
    /// `ProducerFinished` when the program has ended, or the stop request that ended it.
    pub signal: Outbox<Control>,
    command: std::process::Command,
    chunk_size: usize,
}

impl UnixProcess {
    /// Runs `program` (looked up in `PATH` unless it contains a `/`).
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Self::from_command(std::process::Command::new(program))
    }

    /// Runs `script` with `/bin/sh -c`.
    pub fn shell(script: impl AsRef<OsStr>) -> Self {
        let mut command = std::process::Command::new("/bin/sh");
        command.arg("-c").arg(script);
        Self::from_command(command)
    }

    /// Runs a prepared command; its standard input, output and error are replaced by pipes.
    pub fn from_command(command: std::process::Command) -> Self {
        UnixProcess {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            stderr: Outbox::new(),
            status: Outbox::new(),
            signal: Outbox::new(),
            command,
            chunk_size: 64 * 1024,
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Sets an environment variable for the program.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Runs the program in `dir`.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// The most bytes read from an output pipe at once (at least 1; default 64 KiB).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }
}

/// Keeps a deterministic system's virtual clock from jumping ahead while it lives: tokio does
/// not advance paused time while a blocking task is running, and this holds one, idle, until
/// dropped.
struct ClockHold {
    _release: std::sync::mpsc::Sender<()>,
}

impl ClockHold {
    fn new() -> Self {
        let (release, released) = std::sync::mpsc::channel::<()>();
        drop(tokio::task::spawn_blocking(move || {
            // Returns when the sender is dropped.
            released.recv().ok();
        }));
        ClockHold { _release: release }
    }
}

type Write = Pin<Box<dyn Future<Output = (ChildStdin, std::io::Result<()>)> + Send>>;

fn write(mut stdin: ChildStdin, data: Vec<u8>) -> Write {
    Box::pin(async move {
        let result = stdin.write_all(&data).await;
        (stdin, result)
    })
}

/// The pending write, or never.
async fn written(write: &mut Option<Write>) -> (ChildStdin, std::io::Result<()>) {
    match write {
        Some(w) => w.await,
        None => std::future::pending().await,
    }
}

/// A read from the pipe, or never once it is closed.
async fn read_from<R: AsyncRead + Unpin>(
    pipe: &mut Option<R>,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    match pipe {
        Some(p) => p.read(buf).await,
        None => std::future::pending().await,
    }
}

/// What woke the component.
enum Step {
    Control(Option<Control>),
    Wrote(ChildStdin, std::io::Result<()>),
    Input(Option<Vec<u8>>),
    Stdout(std::io::Result<usize>),
    Stderr(std::io::Result<usize>),
    Exited(std::io::Result<ExitStatus>),
}

/// Kills the program (unless it has exited), reports its status and passes `c` on.
async fn stop(
    child: &mut Child,
    exit: Option<ExitStatus>,
    status: &mut Outbox<ExitStatus>,
    signal: &mut Outbox<Control>,
    c: Control,
) {
    let exit = match exit {
        Some(e) => Some(e),
        None => {
            child.start_kill().ok();
            child.wait().await.ok()
        }
    };
    if let Some(e) = exit {
        status.send(e).await.ok();
    }
    signal.send(c).await.ok();
}

impl Component for UnixProcess {
    async fn run(self, ctx: Context) -> Result<(), Error> {
        let UnixProcess {
            mut inbox,
            mut control,
            mut outbox,
            stderr: mut stderr_box,
            mut status,
            mut signal,
            command,
            chunk_size,
        } = self;
        let mut finishing = false;
        // Control first: a stop already waiting means the program is not started.
        match control.try_recv() {
            Ok(Control::ProducerFinished) => finishing = true,
            Ok(c) => {
                signal.send(c).await.ok();
                return Ok(());
            }
            Err(_) => {}
        }
        let described = format!("{command:?}");
        let mut command = tokio::process::Command::from(command);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                signal.send(Control::Shutdown).await.ok();
                return Err(Error::msg(format!(
                    "{}: cannot start {described}: {e}",
                    ctx.name()
                )));
            }
        };
        let _hold = ClockHold::new();
        let mut stdin = child.stdin.take();
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let mut writing: Option<Write> = None;
        let mut exit: Option<ExitStatus> = None;
        let mut out_buf = vec![0u8; chunk_size];
        let mut err_buf = vec![0u8; chunk_size];
        loop {
            if finishing && writing.is_none() && stdin.is_some() {
                // No more input will come: write what is queued, then close standard input.
                match inbox.try_recv() {
                    Ok(data) => writing = stdin.take().map(|s| write(s, data)),
                    Err(_) => stdin = None,
                }
            }
            if stdout.is_none() && stderr.is_none() && exit.is_some() {
                break;
            }
            let step = tokio::select! {
                biased;
                c = control.recv() => Step::Control(c),
                (s, r) = written(&mut writing) => Step::Wrote(s, r),
                m = inbox.recv(), if !finishing && writing.is_none() => Step::Input(m),
                r = read_from(&mut stdout, &mut out_buf) => Step::Stdout(r),
                r = read_from(&mut stderr, &mut err_buf) => Step::Stderr(r),
                r = child.wait(), if exit.is_none() => Step::Exited(r),
            };
            match step {
                Step::Control(Some(Control::ProducerFinished)) => finishing = true,
                Step::Control(c) => {
                    let c = c.unwrap_or(Control::Shutdown);
                    stop(&mut child, exit, &mut status, &mut signal, c).await;
                    return Ok(());
                }
                Step::Wrote(s, r) => {
                    writing = None;
                    // A failed write means the program closed its input: keep it closed.
                    stdin = r.ok().map(|()| s);
                }
                Step::Input(Some(data)) => {
                    // If the program closed its input, the data is discarded.
                    writing = stdin.take().map(|s| write(s, data));
                }
                Step::Input(None) => finishing = true,
                Step::Stdout(Ok(n)) if n > 0 => {
                    let chunk = out_buf[..n].to_vec();
                    let send = outbox.send(chunk);
                    match watching(&mut control, &mut finishing, send).await {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => {
                            stop(
                                &mut child,
                                exit,
                                &mut status,
                                &mut signal,
                                Control::Shutdown,
                            )
                            .await;
                            return Err(Error::msg(format!(
                                "{}: cannot send on outbox: the component it leads to has ended",
                                ctx.name()
                            )));
                        }
                        Err(Stopped(c)) => {
                            stop(&mut child, exit, &mut status, &mut signal, c).await;
                            return Ok(());
                        }
                    }
                }
                Step::Stdout(_) => stdout = None,
                Step::Stderr(Ok(n)) if n > 0 => {
                    let chunk = err_buf[..n].to_vec();
                    let send = stderr_box.send(chunk);
                    if let Err(Stopped(c)) = watching(&mut control, &mut finishing, send).await {
                        stop(&mut child, exit, &mut status, &mut signal, c).await;
                        return Ok(());
                    }
                }
                Step::Stderr(_) => stderr = None,
                Step::Exited(Ok(e)) => exit = Some(e),
                Step::Exited(Err(e)) => {
                    signal.send(Control::Shutdown).await.ok();
                    return Err(Error::msg(format!(
                        "{}: cannot wait for {described} to end: {e}",
                        ctx.name()
                    )));
                }
            }
        }
        if let Some(e) = exit {
            status.send(e).await.ok();
        }
        signal.send(Control::ProducerFinished).await.ok();
        Ok(())
    }
}

crate::impl_stage!([] UnixProcess, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "UnixProcess",
        "Kamaelia.File.UnixProcess2.UnixProcess2",
        Family::Process,
        "Runs a program: inbox to its standard input, its standard output to outbox, standard error to stderr, its exit status to status; ProducerFinished closes its input, Shutdown kills it.",
        axon::box_infos(&UnixProcess::new("program")),
    )
    .parameter("program", "impl AsRef<OsStr>", "UnixProcess::new(program).arg(..).args(..).env(..).current_dir(..); UnixProcess::shell(script); UnixProcess::from_command(cmd)")
    .parameter("chunk_size", "usize", "the most bytes read from an output pipe at once, default 64 KiB")
});
