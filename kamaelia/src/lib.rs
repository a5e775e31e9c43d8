//! Kamaelia for Rust: the component library.
