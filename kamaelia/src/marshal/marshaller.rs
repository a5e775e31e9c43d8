//! Marshaller: turns every value it gets into bytes in a wire format (Kamaelia:
//! `Kamaelia.Util.Marshalling.Marshaller`).
//!
//! Each message is one value of type `T: Serialize`; each message sent is that value's bytes in
//! the format `F` — [`Json`] or [`Postcard`] (see [`Format`]). A value the format cannot
//! represent (a JSON map whose keys are not strings, a `Serialize` impl that reports an error)
//! is skipped and reported on `errors` as a [`MarshalError`]; the values after it carry on.
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::marshal::Marshaller;
//!
//! let mut system = System::deterministic();
//! let marshaller = Marshaller::json();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &marshaller.inbox).unwrap();
//! axon::link(&stop, &marshaller.control).unwrap();
//! axon::link(&marshaller.outbox, &output).unwrap();
//! system.spawn(marshaller);
//! input.try_send(vec![Some(1), None]).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok(b"[1,null]".to_vec()));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T: Serialize` | values to encode |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `Vec<u8>` | each value's bytes, in order |
//! | `errors` | [`MarshalError`] | values that could not be encoded (they are skipped) |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `F: Format`, the wire format: [`Marshaller::json`], [`Marshaller::postcard`], or
//!   `Marshaller::<T, F>::new()` for another format.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it encodes everything already queued, sends the results, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` (or `Failed`, or a closed `control`)
//! it ends at once, discarding what is queued, and passes the message on `signal` (a closed
//! `control` as `Shutdown`). It keeps no partial state. `control` is also watched while results
//! wait for room on `outbox` or `errors`, so a receiver that takes nothing cannot hide a
//! `Shutdown`; a `ProducerFinished` that comes then is carried out once the wait is over. If
//! the component its `outbox` leads to has ended, it sends `Failed` on `signal`, then fails,
//! with the same text naming itself; nobody listening on `errors` is not a failure.

use std::marker::PhantomData;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use serde::Serialize;

use super::{convert_all, ConverterBoxes, Format, Json, MarshalError, Postcard};

/// Encodes every value in the format `F`. See the [module docs](self).
#[derive(Boxes)]
pub struct Marshaller<T: Send + 'static, F = Json> {
    /// Values to encode.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (encode what is queued, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Each value's bytes, in order.
    pub outbox: Outbox<Vec<u8>>,
    /// Values that could not be encoded (they are skipped).
    pub errors: Outbox<MarshalError>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
    format: PhantomData<fn() -> F>,
}

impl<T: Send + 'static, F> std::fmt::Debug for Marshaller<T, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Marshaller")
            .field("format", &std::any::type_name::<F>())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static, F> Marshaller<T, F> {
    fn make() -> Self {
        Marshaller {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            errors: Outbox::new(),
            signal: Outbox::new(),
            format: PhantomData,
        }
    }
}

impl<T: Serialize + Send + 'static, F: Format> Marshaller<T, F> {
    /// A marshaller to the format `F`.
    pub fn new() -> Self {
        Self::make()
    }
}

impl<T: Serialize + Send + 'static, F: Format> Default for Marshaller<T, F> {
    fn default() -> Self {
        Self::make()
    }
}

impl<T: Serialize + Send + 'static> Marshaller<T, Json> {
    /// A marshaller to JSON.
    pub fn json() -> Self {
        Self::make()
    }
}

impl<T: Serialize + Send + 'static> Marshaller<T, Postcard> {
    /// A marshaller to postcard.
    pub fn postcard() -> Self {
        Self::make()
    }
}

impl<T: Serialize + Send + 'static, F: Format> Component for Marshaller<T, F> {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let boxes = ConverterBoxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            errors: &mut self.errors,
            signal: &mut self.signal,
        };
        convert_all(&ctx, boxes, |value: T, index| {
            F::encode(&value).map_err(|message| MarshalError {
                format: F::NAME,
                index,
                message,
            })
        })
        .await
    }
}

crate::impl_stage!([T: Serialize + Send + 'static, F: Format] Marshaller<T, F>, T => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    Entry::new(
        "Marshaller",
        "Kamaelia.Util.Marshalling.Marshaller",
        Family::Marshal,
        "Encodes every value (serde Serialize) as one message of bytes in a wire format (JSON or postcard); values that cannot be encoded are reported on errors and skipped.",
        axon::box_infos(&Marshaller::<Msg, Json>::make()),
    )
    .parameter("F", "Format", "the wire format: Marshaller::json(), Marshaller::postcard(), or Marshaller::<T, F>::new()")
});
