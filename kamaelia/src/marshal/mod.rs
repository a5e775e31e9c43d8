//! Marshalling (Kamaelia's `Kamaelia.Util.Marshalling`): typed values to bytes and back, with
//! `serde`.
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`Marshaller`] | `Util.Marshalling.Marshaller` | each value in, its bytes out |
//! | [`DeMarshaller`] | `Util.Marshalling.DeMarshaller` | each message of bytes in, the value out |
//!
//! Kamaelia's versions took a class with `marshall`/`demarshall` methods; here the value type
//! only needs `serde`'s `Serialize` / `Deserialize`, and the wire format is a type parameter:
//! [`Json`] (text, self-describing) or [`Postcard`] (compact binary), or any other [`Format`].
//! One message carries exactly one value; to send values over a byte stream, frame the
//! messages.
//!
//! A message that cannot be decoded (or a value that cannot be encoded) never stops the
//! component and never panics: it is skipped, and a typed error — [`DemarshalError`], with the
//! message's index, the byte offset where decoding failed and the format's own message, or
//! [`MarshalError`] — is sent on the `errors` outbox; the messages after it carry on. Leave
//! `errors` unlinked to ignore them (an unlinked outbox holds a few, then discards and counts).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::chassis::Pipeline;
//! use kamaelia::marshal::{DeMarshaller, Marshaller};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Reading {
//!     sensor: String,
//!     value: i32,
//! }
//!
//! let mut system = System::deterministic();
//! let round_trip = Pipeline::new(Marshaller::postcard()).then(DeMarshaller::postcard());
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &round_trip.inbox).unwrap();
//! axon::link(&stop, &round_trip.control).unwrap();
//! axon::link(&round_trip.outbox, &output).unwrap();
//! system.spawn(round_trip);
//! input.try_send(Reading { sensor: "t1".into(), value: -4 }).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(Reading { sensor: "t1".into(), value: -4 }));
//! ```

pub mod demarshaller;
pub mod format;
pub mod marshaller;

pub use demarshaller::DeMarshaller;
pub use format::{DecodeFailure, DemarshalError, Format, Json, MarshalError, Postcard};
pub use marshaller::Marshaller;

use axon::{Context, Control, Error, Inbox, Outbox};

use crate::support::{fail_gone, next_or_drain, pass_on, watching_if_it_waits, Stopped};

/// How many messages a converter takes from its inbox at once.
const BATCH: usize = axon::DEFAULT_CAPACITY;

/// The boxes of a [`Marshaller`] or [`DeMarshaller`], borrowed.
struct ConverterBoxes<'a, I: Send + 'static, O: Send + 'static, E: Send + 'static> {
    inbox: &'a mut Inbox<I>,
    control: &'a mut Inbox<Control>,
    outbox: &'a mut Outbox<O>,
    errors: &'a mut Outbox<E>,
    signal: &'a mut Outbox<Control>,
}

/// The shared body of [`Marshaller`] and [`DeMarshaller`]: converts every message with
/// `convert` (given the message and its index, counting from 0) a batch at a time, sending the
/// results on `outbox` and the failures on `errors` (skipped if nobody listens); after
/// `ProducerFinished` it converts what is queued, then passes on the control message that
/// ended it. `control` is also watched while results wait for room downstream, so a receiver
/// that takes nothing cannot hide a `Shutdown`. If the component `outbox` leads to has ended,
/// it sends `Failed` with the reason on `signal` and fails.
async fn convert_all<I, O, E>(
    ctx: &Context,
    boxes: ConverterBoxes<'_, I, O, E>,
    mut convert: impl FnMut(I, u64) -> Result<O, E>,
) -> Result<(), Error>
where
    I: Send + 'static,
    O: Send + 'static,
    E: Send + 'static,
{
    let ConverterBoxes {
        inbox,
        control,
        outbox,
        errors: error_box,
        signal,
    } = boxes;
    let mut buf = Vec::with_capacity(BATCH);
    let mut out = Vec::with_capacity(BATCH);
    let mut errors = Vec::new();
    let mut index = 0u64;
    let mut finishing = false;
    let mut convert_batch = |buf: &mut Vec<I>, out: &mut Vec<O>, errors: &mut Vec<E>| {
        for msg in buf.drain(..) {
            match convert(msg, index) {
                Ok(converted) => out.push(converted),
                Err(e) => errors.push(e),
            }
            index += 1;
        }
    };
    let end = loop {
        if let Some(end) = next_or_drain(control, inbox, &mut buf, BATCH, &mut finishing)
            .await
            .end()
        {
            break end;
        }
        convert_batch(&mut buf, &mut out, &mut errors);
        let sent = send_batch(
            control,
            &mut finishing,
            error_box,
            &mut errors,
            outbox,
            &mut out,
        );
        match sent.await {
            Ok(true) => {}
            Ok(false) => return fail_gone(signal, &ctx.name(), "outbox").await,
            Err(Stopped(c)) => break c,
        }
    };
    pass_on(signal, end).await;
    Ok(())
}

/// Sends a batch's failures on `errors` (dropped if nobody listens there), then its results
/// on `outbox`, watching `control` while either waits for room: `Ok(false)` if the component
/// `outbox` leads to has ended, `Err(Stopped)` for a stop that came first (a
/// `ProducerFinished` only sets `finishing`).
async fn send_batch<O: Send + 'static, E: Send + 'static>(
    control: &mut Inbox<Control>,
    finishing: &mut bool,
    error_box: &mut Outbox<E>,
    errors: &mut Vec<E>,
    outbox: &mut Outbox<O>,
    out: &mut Vec<O>,
) -> Result<bool, Stopped> {
    if !errors.is_empty() {
        watching_if_it_waits(control, finishing, error_box.send_all(errors))
            .await?
            .ok();
        errors.clear();
    }
    if out.is_empty() {
        return Ok(true);
    }
    Ok(
        watching_if_it_waits(control, finishing, outbox.send_all(out))
            .await?
            .is_ok(),
    )
}
