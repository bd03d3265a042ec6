//! The per-invocation sandbox: the directories behind `/in`, `/out` and `/src`, the
//! WASI context built from them, the quota on what it writes, and the checks on what a
//! plugin hands back.

pub mod mounts;
pub mod outputs;
pub mod quota;
pub mod wasi;

pub use mounts::{Mounts, Roots};
