//! General-purpose components (Kamaelia's `Kamaelia.Util`): sources and sinks, transforms, and
//! fan-out and flow control.

pub mod flow;
pub mod sources;
pub mod transforms;
