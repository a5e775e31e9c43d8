//! `tracing` integration (cargo feature `tracing`, on by default).
//!
//! * Every component gets a span, `component` (target `axon::component`, level INFO, fields
//!   `id`, `name`, `type`), made when it is activated and entered on each poll (for a threaded
//!   component: for its whole run), so whatever the component logs carries its identity.
//! * With DEBUG enabled for target `axon::message`, every send from an outbox and every
//!   receive from an inbox is an event (`send` with fields `outbox` and `message`; `recv` with
//!   fields `inbox` and `count`), inside the component's span. The message text is its `Debug`
//!   form where the box knows one (see [`crate::model`] on taps), else its type's name.
//!
//! Without a subscriber, or with these levels filtered out, a send or receive costs one relaxed
//! load of tracing's global level filter; a span made while nothing listened is a no-op to
//! enter. A span is made when its component is activated, so a subscriber installed later sees
//! events from components started before it without their span. Built without the feature,
//! none of this exists.

#[cfg(feature = "tracing")]
mod on {
    use crate::boxes::meta::BoxMeta;
    use crate::model::ComponentCell;

    /// The component span type.
    pub(crate) type Span = tracing::Span;

    /// Makes the span of a component about to start.
    pub(crate) fn component_span(cell: &ComponentCell) -> Span {
        tracing::info_span!(
            target: "axon::component",
            "component",
            id = cell.id.get(),
            name = %cell.name(),
            r#type = cell.type_name,
        )
    }

    /// True if DEBUG events may be wanted at all: one relaxed load of tracing's global level
    /// filter, inlined on the message path. [`messages_wanted`] asks the subscriber.
    #[inline(always)]
    pub(crate) fn messages_enabled() -> bool {
        tracing::Level::DEBUG <= tracing::level_filters::STATIC_MAX_LEVEL
            && tracing::Level::DEBUG <= tracing::level_filters::LevelFilter::current()
    }

    /// True if the subscriber wants send and receive events (call only when
    /// [`messages_enabled`]).
    #[cold]
    #[inline(never)]
    pub(crate) fn messages_wanted() -> bool {
        tracing::enabled!(target: "axon::message", tracing::Level::DEBUG)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn sent(meta: &BoxMeta, text: &str) {
        tracing::debug!(target: "axon::message", outbox = %meta.label(), message = text, "send");
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn received(meta: &BoxMeta, count: usize) {
        tracing::debug!(target: "axon::message", inbox = %meta.label(), count, "recv");
    }
}

#[cfg(not(feature = "tracing"))]
mod on {
    use crate::boxes::meta::BoxMeta;
    use crate::model::ComponentCell;

    /// Nothing to enter.
    #[derive(Clone, Debug, Default)]
    pub(crate) struct Span;

    /// Nothing entered.
    pub(crate) struct Entered;

    impl Span {
        #[inline(always)]
        pub(crate) fn enter(&self) -> Entered {
            Entered
        }
    }

    pub(crate) fn component_span(_cell: &ComponentCell) -> Span {
        Span
    }

    #[inline(always)]
    pub(crate) fn messages_enabled() -> bool {
        false
    }

    pub(crate) fn messages_wanted() -> bool {
        false
    }

    pub(crate) fn sent(_meta: &BoxMeta, _text: &str) {}

    pub(crate) fn received(_meta: &BoxMeta, _count: usize) {}
}

pub(crate) use on::*;

/// Tells tracing that `count` messages were taken from the inbox with `meta`.
#[inline(always)]
pub(crate) fn on_received(meta: &crate::boxes::meta::BoxMeta, count: usize) {
    if messages_enabled() {
        received(meta, count);
    }
}
