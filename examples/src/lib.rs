//! Shared helpers for the tutorial examples.
pub mod bulletin_board;
