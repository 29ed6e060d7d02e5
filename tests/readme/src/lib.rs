//! The repository README's Rust examples, compiled as doctests so they stay true.
#![doc = include_str!("../../../README.md")]
