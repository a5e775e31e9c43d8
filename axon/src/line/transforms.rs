//! The transforms every line needs: one that changes nothing, and ones that apply a function
//! to each message (keeping its result, or keeping the message only if the function says so).

use std::fmt;
use std::marker::PhantomData;

use super::{Emit, Transform};
use crate::Error;

/// Emits every message unchanged.
pub struct PassThrough<T> {
    _carries: PhantomData<fn(T) -> T>,
}

impl<T> PassThrough<T> {
    /// A pass-through.
    pub const fn new() -> Self {
        PassThrough {
            _carries: PhantomData,
        }
    }
}

impl<T> Default for PassThrough<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for PassThrough<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassThrough")
    }
}

impl<T: Send + 'static> Transform for PassThrough<T> {
    type In = T;
    type Out = T;

    #[inline]
    fn handle(&mut self, msg: T, out: &mut Emit<'_, T>) -> Result<(), Error> {
        out.send(msg);
        Ok(())
    }
}

/// Emits `f(message)` for every message (Kamaelia's `PureTransformer`). Made by [`map`].
pub struct Map<In, Out, F> {
    f: F,
    _types: PhantomData<fn(In) -> Out>,
}

/// A transform that emits `f(message)` for every message.
///
/// ```
/// use axon::line::{map, Chain};
/// let chain = Chain::new().then(map(|n: u8| u32::from(n) * 1000));
/// assert_eq!(chain.len(), 1);
/// ```
pub fn map<In, Out, F>(f: F) -> Map<In, Out, F>
where
    F: FnMut(In) -> Out + Send + 'static,
{
    Map {
        f,
        _types: PhantomData,
    }
}

impl<In, Out, F> fmt::Debug for Map<In, Out, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Map")
    }
}

impl<In, Out, F> Transform for Map<In, Out, F>
where
    In: Send + 'static,
    Out: Send + 'static,
    F: FnMut(In) -> Out + Send + 'static,
{
    type In = In;
    type Out = Out;

    #[inline]
    fn handle(&mut self, msg: In, out: &mut Emit<'_, Out>) -> Result<(), Error> {
        out.send((self.f)(msg));
        Ok(())
    }
}

/// Emits the result of `f(message)` when it is `Some`, nothing otherwise. Made by
/// [`filter_map`] and [`filter`].
pub struct FilterMap<In, Out, F> {
    f: F,
    _types: PhantomData<fn(In) -> Out>,
}

/// A transform that emits `f(message)` when it is `Some`.
///
/// ```
/// use axon::line::{filter_map, Chain};
/// let chain = Chain::new().then(filter_map(|text: String| text.parse::<u32>().ok()));
/// assert_eq!(chain.len(), 1);
/// ```
pub fn filter_map<In, Out, F>(f: F) -> FilterMap<In, Out, F>
where
    F: FnMut(In) -> Option<Out> + Send + 'static,
{
    FilterMap {
        f,
        _types: PhantomData,
    }
}

/// A transform that emits the messages for which `keep` is true, unchanged.
///
/// ```
/// use axon::line::{filter, Chain};
/// let chain = Chain::new().then(filter(|n: &u32| n % 2 == 0));
/// assert_eq!(chain.len(), 1);
/// ```
pub fn filter<T, K>(mut keep: K) -> FilterMap<T, T, impl FnMut(T) -> Option<T> + Send + 'static>
where
    T: Send + 'static,
    K: FnMut(&T) -> bool + Send + 'static,
{
    filter_map(move |msg| keep(&msg).then_some(msg))
}

impl<In, Out, F> fmt::Debug for FilterMap<In, Out, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FilterMap")
    }
}

impl<In, Out, F> Transform for FilterMap<In, Out, F>
where
    In: Send + 'static,
    Out: Send + 'static,
    F: FnMut(In) -> Option<Out> + Send + 'static,
{
    type In = In;
    type Out = Out;

    #[inline]
    fn handle(&mut self, msg: In, out: &mut Emit<'_, Out>) -> Result<(), Error> {
        if let Some(m) = (self.f)(msg) {
            out.send(m);
        }
        Ok(())
    }
}
