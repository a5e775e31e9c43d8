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

use axon::{Control, Outbox};

/// Sends the control message that ended a component on `signal`; if nobody listens any more
/// that is not an error for a component that is ending anyway.
async fn pass_on(signal: &mut Outbox<Control>, c: Control) {
    signal.send(c).await.ok();
}

/// The error of a component whose outbox leads to a component that has ended.
fn gone(component: &str, outbox: &str) -> axon::Error {
    axon::Error::msg(format!(
        "{component}: cannot send on {outbox}: the component it leads to has ended"
    ))
}
