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
//! load of tracing's global level filter, and a poll nothing: a component started while no
//! subscriber wanted its span runs as a plain task, and only one started with a span is wrapped
//! to enter it. So a subscriber installed later sees events from components started before it
//! without their span. Built without the feature, none of this exists.

#[cfg(feature = "tracing")]
mod on {
    use crate::boxes::meta::BoxMeta;
    use crate::model::ComponentCell;

    /// The component span type.
    pub(crate) type Span = tracing::Span;

    /// Makes the span of a component about to start; `None` if nothing listens (then a poll
    /// pays one test of the option).
    pub(crate) fn component_span(cell: &ComponentCell) -> Option<Span> {
        let span = tracing::info_span!(
            target: "axon::component",
            "component",
            id = cell.id.get(),
            name = %cell.name(),
            r#type = cell.type_name,
        );
        (!span.is_disabled()).then_some(span)
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

    pin_project_lite::pin_project! {
        /// A component task that enters its span on every poll.
        struct InSpan {
            span: Span,
            #[pin]
            task: crate::scheduler::TaskFuture,
        }
    }

    impl std::future::Future for InSpan {
        type Output = ();
        fn poll(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            let this = self.project();
            let _in = this.span.enter();
            this.task.poll(cx)
        }
    }

    /// `task`, polled inside `span`.
    pub(crate) fn in_span(
        span: Span,
        task: crate::scheduler::TaskFuture,
    ) -> crate::scheduler::TaskFuture {
        Box::pin(InSpan { span, task })
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

    pub(crate) fn component_span(_cell: &ComponentCell) -> Option<Span> {
        None
    }

    pub(crate) fn in_span(
        _span: Span,
        task: crate::scheduler::TaskFuture,
    ) -> crate::scheduler::TaskFuture {
        task
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
