//! UnixProcess: a child program as a component — input, output, error output, exit status,
//! and how it ends on its own, on ProducerFinished and on Shutdown.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox, System};
use common::{drain, only_failure};
use kamaelia::chassis::Pipeline;
use kamaelia::process::UnixProcess;
use kamaelia::util::sources::DataSource;

/// A UnixProcess wired to test boxes (collectors unbounded, so it never waits for the test).
struct Harness {
    input: Outbox<Vec<u8>>,
    control: Outbox<Control>,
    output: Inbox<Vec<u8>>,
    stderr: Inbox<Vec<u8>>,
    status: Inbox<ExitStatus>,
    signal: Inbox<Control>,
}

impl Harness {
    fn stdout(&mut self) -> Vec<u8> {
        drain(&mut self.output).concat()
    }
    fn stderr(&mut self) -> Vec<u8> {
        drain(&mut self.stderr).concat()
    }
}

fn harness(system: &System, p: UnixProcess) -> Harness {
    let h = Harness {
        input: Outbox::new(),
        control: Outbox::new(),
        output: Inbox::unbounded(),
        stderr: Inbox::unbounded(),
        status: Inbox::unbounded(),
        signal: Inbox::unbounded(),
    };
    axon::link(&h.input, &p.inbox).unwrap();
    axon::link(&h.control, &p.control).unwrap();
    axon::link(&p.outbox, &h.output).unwrap();
    axon::link(&p.stderr, &h.stderr).unwrap();
    axon::link(&p.status, &h.status).unwrap();
    axon::link(&p.signal, &h.signal).unwrap();
    system.spawn(p);
    h
}

/// Sends `Shutdown` on `signal` as soon as anything arrives on `inbox`, then ends.
#[derive(Boxes, Default)]
struct StopOnFirst {
    /// Anything.
    inbox: Inbox<Vec<u8>>,
    /// `Shutdown`, once.
    signal: Outbox<Control>,
}

impl Component for StopOnFirst {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        self.inbox.recv().await;
        self.signal.send(Control::Shutdown).await.ok();
        Ok(())
    }
}

/// `cat` gives back what it is given; ProducerFinished closes its input, so it exits; then the
/// status and ProducerFinished come out.
#[test]
fn cat_echoes_its_input_and_ends_after_producer_finished() {
    let mut system = System::deterministic();
    let mut h = harness(&system, UnixProcess::new("cat"));
    for part in ["hello ", "from ", "cat\n"] {
        h.input.try_send(part.as_bytes().to_vec()).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(h.stdout(), b"hello from cat\n");
    assert!(h.stderr().is_empty());
    let status = drain(&mut h.status);
    assert_eq!(status.len(), 1);
    assert!(status[0].success());
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// The exit status is reported on `status`; a non-zero exit is not a failure of the component.
#[test]
fn exit_status_is_reported_on_status() {
    let mut system = System::deterministic();
    let mut h = harness(&system, UnixProcess::shell("echo done; exit 3"));
    system.run().unwrap();
    assert_eq!(h.stdout(), b"done\n");
    assert_eq!(drain(&mut h.status)[0].code(), Some(3));
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
    assert!(system.failures().is_empty());
}

/// Standard error comes out of `stderr`, separately from standard output.
#[test]
fn standard_error_goes_to_the_stderr_outbox() {
    let mut system = System::deterministic();
    let mut h = harness(&system, UnixProcess::shell("echo to-out; echo to-err >&2"));
    system.run().unwrap();
    assert_eq!(h.stdout(), b"to-out\n");
    assert_eq!(h.stderr(), b"to-err\n");
}

/// A program that ends by itself ends the component, even though its input was never closed.
#[test]
fn program_ending_by_itself_ends_the_component() {
    let mut system = System::deterministic();
    let mut h = harness(&system, UnixProcess::new("true"));
    system.run().unwrap();
    assert!(drain(&mut h.status)[0].success());
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// Megabytes through `cat` arrive whole and in order: writing input and reading output go on
/// at once, so neither pipe filling up deadlocks it.
#[test]
fn large_input_and_output_flow_through_without_deadlock() {
    let chunks: Vec<Vec<u8>> = (0..256u32)
        .map(|i| (0..8192u32).map(|j| (i * 31 + j) as u8).collect())
        .collect();
    let expected = chunks.concat();
    let mut system = System::deterministic();
    let pipeline = Pipeline::new(DataSource::new(chunks)).then(UnixProcess::new("cat"));
    let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
    axon::link(&pipeline.outbox, &output).unwrap();
    axon::link(&pipeline.signal, &signal).unwrap();
    system.spawn(pipeline);
    system.run().unwrap();
    let got = drain(&mut output);
    assert!(got.iter().all(|c| c.len() <= 64 * 1024));
    assert_eq!(got.concat(), expected);
    assert_eq!(drain(&mut signal), [Control::ProducerFinished]);
}

/// chunk_size bounds the size of every output message.
#[test]
fn chunk_size_bounds_output_messages() {
    let mut system = System::deterministic();
    let mut h = harness(
        &system,
        UnixProcess::new("head")
            .args(["-c", "10000", "/dev/zero"])
            .chunk_size(1000),
    );
    system.run().unwrap();
    let got = drain(&mut h.output);
    assert!(got.iter().all(|c| !c.is_empty() && c.len() <= 1000));
    assert_eq!(got.concat(), vec![0; 10_000]);
}

/// Shutdown kills the running program: its status shows SIGKILL, and Shutdown is passed on.
#[test]
fn shutdown_kills_the_program() {
    let mut system = System::deterministic();
    let p = UnixProcess::shell("echo started; exec sleep 1000");
    let stopper = StopOnFirst::default();
    let (mut status, mut signal) = (Inbox::new(), Inbox::new());
    // The first output triggers the Shutdown, so the program is surely running when it comes.
    axon::link(&p.outbox, &stopper.inbox).unwrap();
    axon::link(&stopper.signal, &p.control).unwrap();
    axon::link(&p.status, &status).unwrap();
    axon::link(&p.signal, &signal).unwrap();
    system.spawn(p);
    system.spawn(stopper);
    system.run().unwrap();
    assert_eq!(status.try_recv().unwrap().signal(), Some(9));
    assert_eq!(drain(&mut signal), [Control::Shutdown]);
}

/// A Shutdown already waiting when the component starts means the program is never started:
/// no output, no status, and Shutdown is passed on.
#[test]
fn shutdown_before_start_never_starts_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let mut system = System::deterministic();
    let script = format!("touch '{}'", marker.display());
    let mut h = harness(&system, UnixProcess::shell(script));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(!marker.exists());
    assert!(drain(&mut h.status).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// ProducerFinished: input queued before it is all written before standard input is closed.
#[test]
fn producer_finished_writes_queued_input_first() {
    let mut system = System::deterministic();
    let mut h = harness(&system, UnixProcess::new("wc").arg("-c"));
    for _ in 0..100 {
        h.input.try_send(vec![b'x'; 1000]).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    let count = String::from_utf8(h.stdout()).unwrap();
    assert_eq!(count.trim(), "100000");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// Input for a program that does not read it is discarded; the component still ends normally.
#[test]
fn input_the_program_does_not_read_is_discarded() {
    let mut system = System::deterministic();
    let mut h = harness(&system, UnixProcess::shell("exec 0<&-; echo closed"));
    for _ in 0..50 {
        h.input.try_send(vec![b'y'; 10_000]).unwrap();
    }
    h.control.try_send(Control::ProducerFinished).unwrap();
    system.run().unwrap();
    assert_eq!(h.stdout(), b"closed\n");
    assert!(drain(&mut h.status)[0].success());
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
    assert!(system.failures().is_empty());
}

/// A program that cannot be started fails the component with an error naming the command,
/// after sending Shutdown on signal.
#[test]
fn missing_program_fails_naming_the_command() {
    let mut system = System::deterministic();
    let mut h = harness(
        &system,
        UnixProcess::new("no-such-program-kamaelia").arg("x"),
    );
    system.run().unwrap();
    let what = only_failure(&system);
    assert!(what.contains("no-such-program-kamaelia"), "{what}");
    assert!(what.contains("cannot start"), "{what}");
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}

/// Environment variables and the working directory reach the program.
#[test]
fn environment_and_working_directory_are_passed() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let mut system = System::deterministic();
    let mut h = harness(
        &system,
        UnixProcess::shell("echo \"$KAMAELIA_TEST\"; pwd")
            .env("KAMAELIA_TEST", "value")
            .current_dir(&dir),
    );
    system.run().unwrap();
    let out = String::from_utf8(h.stdout()).unwrap();
    assert_eq!(out, format!("value\n{}\n", dir.display()));
}

/// On a deterministic system the virtual clock does not jump ahead while a program runs: a
/// program taking real time is waited for, not reported as a stall.
#[test]
fn deterministic_run_waits_for_a_running_program() {
    let mut system = System::deterministic();
    let mut h = harness(&system, UnixProcess::shell("sleep 0.2; echo late"));
    system.run().unwrap();
    assert_eq!(h.stdout(), b"late\n");
    assert_eq!(drain(&mut h.signal), [Control::ProducerFinished]);
}

/// All output is sent before the status, and the status before ProducerFinished.
#[test]
fn output_comes_before_status_and_status_before_signal() {
    use std::sync::{Arc, Mutex};
    /// Records, in arrival order, which box each message came from.
    #[derive(Boxes)]
    struct Order {
        /// Output.
        inbox: Inbox<Vec<u8>>,
        /// Status.
        status: Inbox<ExitStatus>,
        /// Signal.
        control: Inbox<Control>,
        #[boxes(skip)]
        log: Arc<Mutex<Vec<&'static str>>>,
    }
    impl Component for Order {
        async fn run(mut self, _: Context) -> Result<(), Error> {
            loop {
                // Biased: whatever was sent first is seen first.
                let what = tokio::select! {
                    biased;
                    Some(_) = self.inbox.recv() => "out",
                    Some(_) = self.status.recv() => "status",
                    Some(_) = self.control.recv() => "signal",
                };
                self.log.lock().unwrap().push(what);
                if what == "signal" {
                    return Ok(());
                }
            }
        }
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut system = System::deterministic();
    let p = UnixProcess::shell("echo one; echo two >&2; echo three").chunk_size(4);
    let order = Order {
        inbox: Inbox::unbounded(),
        status: Inbox::new(),
        control: Inbox::new(),
        log: Arc::clone(&log),
    };
    axon::link(&p.outbox, &order.inbox).unwrap();
    axon::link(&p.status, &order.status).unwrap();
    axon::link(&p.signal, &order.control).unwrap();
    system.spawn(p);
    system.spawn(order);
    system.run().unwrap();
    let log = log.lock().unwrap();
    let n = log.len();
    assert!(n >= 4, "{log:?}");
    assert!(log[..n - 2].iter().all(|w| *w == "out"), "{log:?}");
    assert_eq!(&log[n - 2..], ["status", "signal"]);
}

/// UnixProcess is in the catalogue under its Kamaelia name, with its extra boxes.
#[test]
fn unix_process_is_catalogued() {
    let entries = kamaelia::catalogue::all();
    let e = entries.iter().find(|e| e.name == "UnixProcess").unwrap();
    assert_eq!(e.kamaelia_name, "Kamaelia.File.UnixProcess2.UnixProcess2");
    for b in ["inbox", "control", "outbox", "stderr", "status", "signal"] {
        assert!(e.boxes.iter().any(|x| x.name == b), "no box {b}");
    }
}
