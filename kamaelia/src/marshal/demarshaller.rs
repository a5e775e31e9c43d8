//! DeMarshaller: turns every message of bytes it gets back into a value (Kamaelia:
//! `Kamaelia.Util.Marshalling.DeMarshaller`).
//!
//! Each message must hold exactly one value of type `T: Deserialize` in the format `F` —
//! [`Json`] or [`Postcard`] (see [`Format`]). A message that does not (malformed, truncated,
//! the wrong type, bytes left over after the value) is skipped and reported on `errors` as a
//! [`DemarshalError`] giving the message's index and length, the byte offset where decoding
//! failed and the format's own message; the messages after it carry on. No input, however
//! malformed, makes it panic.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::marshal::DeMarshaller;
//!
//! let mut system = System::deterministic();
//! let demarshaller = DeMarshaller::<Vec<u32>, _>::json();
//! let (mut input, mut stop) = (Outbox::new(), Outbox::new());
//! let (mut output, mut errors) = (Inbox::new(), Inbox::new());
//! axon::link(&input, &demarshaller.inbox).unwrap();
//! axon::link(&stop, &demarshaller.control).unwrap();
//! axon::link(&demarshaller.outbox, &output).unwrap();
//! axon::link(&demarshaller.errors, &errors).unwrap();
//! system.spawn(demarshaller);
//! input.try_send(b"[1,2,3]".to_vec()).unwrap();
//! input.try_send(b"[1,2,".to_vec()).unwrap(); // truncated: skipped
//! input.try_send(b"[]".to_vec()).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(vec![1, 2, 3]));
//! assert_eq!(output.try_recv(), Ok(vec![]));
//! let error = errors.try_recv().unwrap();
//! assert_eq!((error.index, error.offset), (1, Some(5)));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | encoded values, one per message |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `T: Deserialize` | each decoded value, in order |
//! | `errors` | [`DemarshalError`] | messages that could not be decoded (they are skipped) |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `F: Format`, the wire format: [`DeMarshaller::json`], [`DeMarshaller::postcard`], or
//!   `DeMarshaller::<T, F>::new()` for another format.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it decodes everything already queued, sends the results (and errors),
//! then sends `ProducerFinished` on `signal` and ends. On `Shutdown` (or `Failed`, or a closed
//! `control`) it ends at once, discarding what is queued, and passes the message on `signal` (a
//! closed `control` as `Shutdown`). It keeps no partial state: every message is decoded on its
//! own. `control` is also watched while results wait for room on `outbox` or `errors`, so a
//! receiver that takes nothing cannot hide a `Shutdown`; a `ProducerFinished` that comes then
//! is carried out once the wait is over. If the component its `outbox` leads to has ended, it
//! sends `Failed` on `signal`, then fails, with the same text naming itself; nobody listening
//! on `errors` is not a failure.

use std::marker::PhantomData;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use serde::de::DeserializeOwned;

use super::{convert_all, ConverterBoxes, DemarshalError, Format, Json, Postcard};

/// Decodes every message from the format `F`. See the [module docs](self).
#[derive(Boxes)]
pub struct DeMarshaller<T: Send + 'static, F = Json> {
    /// Encoded values, one per message.
    pub inbox: Inbox<Vec<u8>>,
    /// `ProducerFinished` (decode what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each decoded value, in order.
    pub outbox: Outbox<T>,
    /// Messages that could not be decoded (they are skipped).
    pub errors: Outbox<DemarshalError>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    format: PhantomData<fn() -> F>,
}

impl<T: Send + 'static, F> std::fmt::Debug for DeMarshaller<T, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeMarshaller")
            .field("format", &std::any::type_name::<F>())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static, F> DeMarshaller<T, F> {
    fn make() -> Self {
        DeMarshaller {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            format: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static, F: Format> DeMarshaller<T, F> {
    /// A demarshaller from the format `F`.
    pub fn new() -> Self {
        Self::make()
    }
}

impl<T: DeserializeOwned + Send + 'static, F: Format> Default for DeMarshaller<T, F> {
    fn default() -> Self {
        Self::make()
    }
}

impl<T: DeserializeOwned + Send + 'static> DeMarshaller<T, Json> {
    /// A demarshaller from JSON.
    pub fn json() -> Self {
        Self::make()
    }
}

impl<T: DeserializeOwned + Send + 'static> DeMarshaller<T, Postcard> {
    /// A demarshaller from postcard.
    pub fn postcard() -> Self {
        Self::make()
    }
}

impl<T: DeserializeOwned + Send + 'static, F: Format> Component for DeMarshaller<T, F> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let boxes = ConverterBoxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            errors: &mut self.errors,
            signal: &mut self.signal,
        };
        convert_all(&ctx, boxes, |bytes: Vec<u8>, index| {
            F::decode(&bytes).map_err(|failure| DemarshalError {
                format: F::NAME,
                index,
                len: bytes.len(),
                offset: failure.offset,
                message: failure.message,
            })
        })
        .await
    }
}

crate::impl_stage!([T: DeserializeOwned + Send + 'static, F: Format] DeMarshaller<T, F>, Vec<u8> => T);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "DeMarshaller",
        "Kamaelia.Util.Marshalling.DeMarshaller",
        Family::Marshal,
        "Decodes every message of bytes (one value each, JSON or postcard) into a value (serde Deserialize); malformed messages are reported on errors, with the byte offset, and skipped.",
        axon::box_infos(&DeMarshaller::<Msg, Json>::make()),
    )
    .parameter("F", "Format", "the wire format: DeMarshaller::json(), DeMarshaller::postcard(), or DeMarshaller::<T, F>::new()")
});
