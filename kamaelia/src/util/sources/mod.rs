//! Sources and sinks (Kamaelia's `Kamaelia.Util` sources, sinks and test aids): where messages
//! come from and where they end up.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`DataSource`] | `Util.DataSource.DataSource` | sends a list of messages, then `ProducerFinished` |
//! | [`TriggeredSource`] | `Util.DataSource.TriggeredSource` | sends a fixed message for each message it gets |
//! | [`OneShot`] | `Util.OneShot.OneShot` | sends one message, then `ProducerFinished` |
//! | [`TriggeredOneShot`] | `Util.OneShot.TriggeredOneShot` | sends one message when first triggered |
//! | [`Chargen`] | `Util.Chargen.Chargen` | sends `"Hello World"` for ever, as fast as it is taken |
//! | [`NullSink`] | `Util.NullSink.nullSinkComponent` | discards everything |
//! | [`Collate`] | `Util.Collate.Collate` | collects everything, sends one `Vec` at end of stream |
//! | [`ConsoleReader`] | `Util.Console.ConsoleReader` | standard input, a line at a time |
//! | [`ConsoleEchoer`] | `Util.Console.ConsoleEchoer` | writes what it gets to standard output |
//! | [`PassThrough`] | `Util.PassThrough.PassThrough` | passes everything on unchanged |
//! | [`TestResult`] | `Util.TestResult.TestResult` | fails on the first `false` |
//! | [`Comparator`] | `Util.Comparator.Comparator` | compares pairs from `inA` and `inB` |
//!
//! ```
//! use axon::{Inbox, System};
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::util::sources::{Collate, DataSource, PassThrough};
//!
//! let mut system = System::deterministic();
//! let pipeline = Pipeline::new(DataSource::new(vec![1, 2, 3]))
//!     .then(PassThrough::new())
//!     .then(Collate::new());
//! let mut result = Inbox::new();
//! axon::link(&pipeline.outbox, &result).unwrap();
//! system.spawn(pipeline);
//! system.run().unwrap();
//! assert_eq!(result.try_recv(), Ok(vec![1, 2, 3]));
//! ```
//!
//! Every one of them follows the control convention of [`axon::control`]: `control` is looked
//! at first, also while a send waits for room downstream; `ProducerFinished` lets the component
//! finish what it holds and is then passed on; any other stop ends it at once and is passed on.

pub mod chargen;
pub mod collate;
pub mod comparator;
pub mod console_echoer;
pub mod console_reader;
pub mod data_source;
pub mod null_sink;
pub mod one_shot;
pub mod pass_through;
pub mod test_result;
pub mod triggered_one_shot;
pub mod triggered_source;

pub use chargen::Chargen;
pub use collate::Collate;
pub use comparator::Comparator;
pub use console_echoer::ConsoleEchoer;
pub use console_reader::ConsoleReader;
pub use data_source::DataSource;
pub use null_sink::NullSink;
pub use one_shot::OneShot;
pub use pass_through::PassThrough;
pub use test_result::TestResult;
pub use triggered_one_shot::TriggeredOneShot;
pub use triggered_source::TriggeredSource;

use std::future::Future;
use std::task::Poll;

use axon::{Control, Inbox, Outbox, SendError};

/// How many messages these components take from an inbox, or prepare for an outbox, at once.
pub(crate) const BATCH: usize = axon::DEFAULT_CAPACITY;

/// How a [`send_watching`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sent {
    /// Everything was sent.
    All,
    /// A stop other than `ProducerFinished` arrived first; what was not sent is still in the
    /// buffer.
    Stopped(Control),
}

/// Sends everything in `buf`, in order, while watching `control` (looked at first, also while
/// the send waits for room downstream).
///
/// A `ProducerFinished` that arrives meanwhile sets `*finished` and the send goes on (it asks
/// for what is held to be delivered); any other control message, or a closed `control`, stops
/// the send and is returned, leaving the unsent messages in `buf`.
pub(crate) async fn send_watching<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    control: &mut Inbox<Control>,
    buf: &mut Vec<T>,
    finished: &mut bool,
) -> Result<Sent, SendError<Vec<T>>> {
    send_inner(outbox, control, buf, Some(finished)).await
}

/// As [`send_watching`], but every control message, `ProducerFinished` included, stops the send
/// (for endless sources, which have no "rest" to deliver).
pub(crate) async fn send_until_control<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    control: &mut Inbox<Control>,
    buf: &mut Vec<T>,
) -> Result<Sent, SendError<Vec<T>>> {
    send_inner(outbox, control, buf, None).await
}

async fn send_inner<T: Send + 'static>(
    outbox: &mut Outbox<T>,
    control: &mut Inbox<Control>,
    buf: &mut Vec<T>,
    mut finished: Option<&mut bool>,
) -> Result<Sent, SendError<Vec<T>>> {
    let mut send = std::pin::pin!(outbox.send_all(buf));
    // Whether `c` stops the send (otherwise it is a `ProducerFinished` that was noted).
    let mut stops = |c: &Control| match finished.as_deref_mut() {
        Some(f) if c.is_producer_finished() => {
            *f = true;
            false
        }
        _ => true,
    };
    std::future::poll_fn(|cx| loop {
        if !control.is_empty() {
            if let Ok(c) = control.try_recv() {
                if stops(&c) {
                    return Poll::Ready(Ok(Sent::Stopped(c)));
                }
                continue;
            }
        }
        if let Poll::Ready(r) = send.as_mut().poll(cx) {
            return Poll::Ready(r.map(|()| Sent::All));
        }
        // The send waits for room: wait for a control message too.
        match control.poll_recv(cx) {
            Poll::Ready(Some(c)) if stops(&c) => return Poll::Ready(Ok(Sent::Stopped(c))),
            Poll::Ready(Some(_)) => {}
            Poll::Ready(None) => return Poll::Ready(Ok(Sent::Stopped(Control::Shutdown))),
            Poll::Pending => return Poll::Pending,
        }
    })
    .await
}

pub(crate) use axon::yield_now;

pub(crate) use crate::support::pass_on;

pub(crate) use crate::support::gone;
