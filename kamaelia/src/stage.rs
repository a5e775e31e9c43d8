//! [`Stage`]: a component with Kamaelia's four standard boxes, so chassis can wire it.
//!
//! Kamaelia's chassis link children by the conventional box names `inbox`, `control`, `outbox`
//! and `signal`. Here a component that has those four boxes implements [`Stage`], which gives the
//! chassis typed access to them: a [`Pipeline`](crate::chassis::Pipeline) only accepts a next
//! stage whose `In` is the previous stage's `Out`, checked by the compiler.
//!
//! ```
//! use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
//! use kamaelia::Stage;
//!
//! /// Counts characters.
//! #[derive(Boxes, Default)]
//! struct Len {
//!     /// Text.
//!     inbox: Inbox<String>,
//!     /// Stop requests.
//!     control: Inbox<Control>,
//!     /// Lengths.
//!     outbox: Outbox<usize>,
//!     /// Passes the stop request on.
//!     signal: Outbox<Control>,
//! }
//! # impl Component for Len {
//! #   async fn run(self, _: Context) -> Result<(), Error> { Ok(()) } }
//! kamaelia::impl_stage!([] Len, String => usize);
//!
//! fn wants_a_stage<S: Stage<In = String>>(_: &S) {}
//! wants_a_stage(&Len::default());
//! ```

use axon::{Component, Control, Inbox, Outbox};

/// A component with the four standard boxes. Implement it with [`impl_stage!`](crate::impl_stage)
/// when the fields are named `inbox`, `control`, `outbox` and `signal`.
pub trait Stage: Component {
    /// What arrives on `inbox`.
    type In: Send + 'static;
    /// What leaves from `outbox`.
    type Out: Send + 'static;
    /// Data in.
    fn inbox(&self) -> &Inbox<Self::In>;
    /// Stop requests in.
    fn control(&self) -> &Inbox<Control>;
    /// Data out.
    fn outbox(&self) -> &Outbox<Self::Out>;
    /// Stop notices out.
    fn signal(&self) -> &Outbox<Control>;
}

/// Implements [`Stage`] for a component whose standard boxes are the fields `inbox`, `control`,
/// `outbox` and `signal`: `impl_stage!([generics] Type, In => Out);`.
///
/// ```text
/// kamaelia::impl_stage!([T: Send + 'static] PassThrough<T>, T => T);
/// kamaelia::impl_stage!([] ConsoleEchoer, String => String);
/// ```
#[macro_export]
macro_rules! impl_stage {
    ([$($gen:tt)*] $ty:ty, $in:ty => $out:ty) => {
        impl<$($gen)*> $crate::Stage for $ty {
            type In = $in;
            type Out = $out;
            fn inbox(&self) -> &::axon::Inbox<$in> {
                &self.inbox
            }
            fn control(&self) -> &::axon::Inbox<::axon::Control> {
                &self.control
            }
            fn outbox(&self) -> &::axon::Outbox<$out> {
                &self.outbox
            }
            fn signal(&self) -> &::axon::Outbox<::axon::Control> {
                &self.signal
            }
        }
    };
}

// A line of transforms (`axon::line`) is a stage like any other: a pipeline can hold task
// components and lines side by side.
impl_stage!([In: Send + 'static, Out: Send + 'static] axon::line::Line<In, Out>, In => Out);
