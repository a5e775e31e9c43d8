//! Fan-out and flow control (Kamaelia's `Kamaelia.Util` splitters, gates, rate limiters and
//! clock, and the Europython '09 load balancer).
//!
//! | component | Kamaelia | what it does |
//! |---|---|---|
//! | [`Fanout`] | `Util.Fanout.Fanout` | copies every message to a fixed list of named outboxes |
//! | [`TwoWaySplitter`] | `Util.TwoWaySplitter.TwoWaySplitter` | copies to `outbox` and `outbox2` |
//! | [`PlugSplitter`], [`Plug`] | `Util.Splitter.PlugSplitter`, `Plug` | fan-out to subscribers that join and leave at run time |
//! | [`LossyConnector`] | `Util.LossyConnector.lossyConnector` | passes on, dropping (and counting) what does not fit |
//! | [`PromptedTurnstile`] | `Util.PromptedTurnstile.PromptedTurnstile` | lets one message through per prompt |
//! | [`MessageRateLimit`] | `Util.RateFilter.MessageRateLimit` | at most N messages per second |
//! | [`ByteRateRequestControl`] | `Util.RateFilter.ByteRate_RequestControl` | byte-count requests at a steady rate |
//! | [`Clock`] | `Util.Clock.CheapAndCheerfulClock` | a tick every interval |
//! | [`TwoWayBalancer`] | `Apps.Europython09.Util.TwoWayBalancer` | hands requests to whichever of two workers is free |
//!
//! Everything timed runs on tokio time, so tests drive it with
//! [`System::advance`](axon::System::advance) on [`System::deterministic`](axon::System::deterministic).
//! Every component here keeps looking at `control` while it waits (for a slow consumer, a
//! prompt or a timer), so `Shutdown` always stops it promptly.

pub mod byte_rate_request_control;
pub mod chooser;
pub mod clock;
pub mod fanout;
pub mod forward_iterating_chooser;
pub mod lossy_connector;
pub mod message_rate_limit;
pub mod plug;
pub mod plug_splitter;
pub mod prompted_turnstile;
pub mod two_way_balancer;
pub mod two_way_splitter;
mod watch;

pub use byte_rate_request_control::ByteRateRequestControl;
pub use chooser::{Chooser, ChooserCommand};
pub use clock::Clock;
pub use fanout::Fanout;
pub use forward_iterating_chooser::ForwardIteratingChooser;
pub use lossy_connector::{LossyConnector, LossyStats};
pub use message_rate_limit::MessageRateLimit;
pub use plug::Plug;
pub use plug_splitter::{PlugSplitter, SinkId, SlowSink, SplitterConfig, SplitterStats};
pub use prompted_turnstile::PromptedTurnstile;
pub use two_way_balancer::TwoWayBalancer;
pub use two_way_splitter::TwoWaySplitter;
