//! Detuple: sends on element `N` of every tuple (Kamaelia: `Kamaelia.Util.Detuple.SimpleDetupler`).
//!
//! The index is a const generic and the element is taken by value through [`TupleElement`],
//! which is implemented for tuples of up to 8 elements: an index past the end of the tuple is a
//! compile error, not a run-time one, and the output type is the element's type. For anything
//! that is not a tuple (a struct field, a map lookup), use a projection closure with
//! [`PureTransformer`](super::PureTransformer).
//!
//! ```
//! use axon::{Control, Inbox, Outbox, System};
//! use kamaelia::util::transforms::Detuple;
//!
//! let mut system = System::deterministic();
//! let d = Detuple::<1, (u32, &'static str)>::new();
//! let (mut input, mut stop, mut output) = (Outbox::new(), Outbox::new(), Inbox::new());
//! axon::link(&input, &d.inbox).unwrap();
//! axon::link(&stop, &d.control).unwrap();
//! axon::link(&d.outbox, &output).unwrap();
//! system.spawn(d);
//! input.try_send((7, "seven")).unwrap();
//! stop.try_send(Control::ProducerFinished).unwrap();
//! system.run().unwrap();
//! assert_eq!(output.try_recv(), Ok("seven"));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `T` (a tuple) | tuples |
//! | `control` | [`Control`] | `ProducerFinished` or `Shutdown` |
//! | `outbox` | `<T as TupleElement<N>>::Output` | element `N` of each tuple, in order |
//! | `signal` | [`Control`] | the control message that ended it |
//!
//! # Parameters
//!
//! * `N`: the element's index (from 0), a const generic: `Detuple::<N, T>::new()`.
//!
//! # Shutdown
//!
//! On `ProducerFinished` it sends on element `N` of everything already queued, then sends
//! `ProducerFinished` on `signal` and ends. On `Shutdown` it ends at once, discarding what is
//! queued, and sends `Shutdown` on `signal`. It keeps no partial state.

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::step::{self, Step};

/// A tuple whose element `N` can be taken out by value.
///
/// ```
/// use kamaelia::util::transforms::TupleElement;
/// let t = (1u8, "two", 3.0f32);
/// assert_eq!(TupleElement::<2>::into_element(t), 3.0);
/// ```
pub trait TupleElement<const N: usize> {
    /// The type of element `N`.
    type Output;
    /// Element `N`, by value.
    fn into_element(self) -> Self::Output;
}

macro_rules! tuple_element {
    (($($all:ident),+) $n:tt => $t:ident) => {
        impl<$($all),+> TupleElement<$n> for ($($all,)+) {
            type Output = $t;
            fn into_element(self) -> $t {
                self.$n
            }
        }
    };
}

macro_rules! tuple_elements {
    ($($all:tt { $($n:tt => $t:ident),+ })+) => {
        $( $( tuple_element!($all $n => $t); )+ )+
    };
}

tuple_elements! {
    (A) { 0 => A }
    (A, B) { 0 => A, 1 => B }
    (A, B, C) { 0 => A, 1 => B, 2 => C }
    (A, B, C, D) { 0 => A, 1 => B, 2 => C, 3 => D }
    (A, B, C, D, E) { 0 => A, 1 => B, 2 => C, 3 => D, 4 => E }
    (A, B, C, D, E, F) { 0 => A, 1 => B, 2 => C, 3 => D, 4 => E, 5 => F }
    (A, B, C, D, E, F, G) { 0 => A, 1 => B, 2 => C, 3 => D, 4 => E, 5 => F, 6 => G }
    (A, B, C, D, E, F, G, H) { 0 => A, 1 => B, 2 => C, 3 => D, 4 => E, 5 => F, 6 => G, 7 => H }
}

/// Sends on element `N` of every tuple. See the [module docs](self).
#[derive(Boxes)]
pub struct Detuple<const N: usize, T>
where
    T: TupleElement<N> + Send + 'static,
    T::Output: Send + 'static,
{
    /// Tuples.
    pub inbox: Inbox<T>,
    /// `ProducerFinished` (drain, then stop) or `Shutdown` (stop now).
    pub control: Inbox<Control>,
    /// Element `N` of each tuple, in order.
    pub outbox: Outbox<T::Output>,
    /// The control message that ended it.
    pub signal: Outbox<Control>,
}

impl<const N: usize, T> Detuple<N, T>
where
    T: TupleElement<N> + Send + 'static,
    T::Output: Send + 'static,
{
    /// A detupler taking element `N`.
    pub fn new() -> Self {
        Detuple {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<const N: usize, T> Default for Detuple<N, T>
where
    T: TupleElement<N> + Send + 'static,
    T::Output: Send + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, T> std::fmt::Debug for Detuple<N, T>
where
    T: TupleElement<N> + Send + 'static,
    T::Output: Send + 'static,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detuple").field("index", &N).finish()
    }
}

struct Take<const N: usize, T>(std::marker::PhantomData<fn(T)>);

impl<const N: usize, T> Step for Take<N, T>
where
    T: TupleElement<N> + Send + 'static,
    T::Output: Send + 'static,
{
    type In = T;
    type Out = T::Output;
    fn step(&mut self, msg: T, out: &mut Vec<T::Output>) {
        out.push(msg.into_element());
    }
}

impl<const N: usize, T> Component for Detuple<N, T>
where
    T: TupleElement<N> + Send + 'static,
    T::Output: Send + 'static,
{
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let boxes = step::Boxes {
            inbox: &mut self.inbox,
            control: &mut self.control,
            outbox: &mut self.outbox,
            signal: &mut self.signal,
        };
        step::drive(Take::<N, T>(std::marker::PhantomData), boxes).await
    }
}

crate::impl_stage!(
    [const N: usize, T: TupleElement<N, Output: Send + 'static> + Send + 'static] Detuple<N, T>,
    T => <T as TupleElement<N>>::Output
);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family, Msg};
    let d = Detuple::<0, (Msg, Msg)>::new();
    Entry::new(
        "Detuple",
        "Kamaelia.Util.Detuple.SimpleDetupler",
        Family::Util,
        "Sends on element N of every tuple (the index is checked at compile time).",
        axon::box_infos(&d),
    )
    .parameter(
        "N",
        "const usize",
        "Detuple::<N, T>::new(): the element's index, from 0",
    )
});
