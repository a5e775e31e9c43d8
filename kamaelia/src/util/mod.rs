//! General-purpose components (Kamaelia's `Kamaelia.Util`): sources and sinks, transforms, and
//! fan-out and flow control.

pub mod axon_visualiser_lines;
pub mod flow;
pub mod introspector;
pub mod sources;
pub mod transforms;

pub use axon_visualiser_lines::AxonVisualiserLines;
pub use introspector::{Introspector, LinkEnd, TopologyChange};
