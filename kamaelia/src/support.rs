//! Small helpers every component family here shares.

use axon::{Control, Error, Outbox};

/// Sends the control message that ended a component on `signal`. If nobody listens any more the
/// message is dropped: that is not an error for a component that is ending anyway.
pub(crate) async fn pass_on(signal: &mut Outbox<Control>, c: Control) {
    signal.send(c).await.ok();
}

/// The error of a component whose outbox leads to a component that has ended.
pub(crate) fn gone(component: &str, outbox: &str) -> Error {
    Error::msg(format!(
        "{component}: cannot send on {outbox}: the component it leads to has ended"
    ))
}
