//! Shared helpers for the tutorial examples.
