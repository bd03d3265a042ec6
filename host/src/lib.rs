//! xhost: builds multi-platform releases by running every pipeline stage as a
//! sandboxed WASI component plugin. See `docs/ARCHITECTURE.md` for the map.

pub mod artifacts;
pub mod build_state;
pub mod builtin;
pub mod cache;
pub mod cache_layout;
pub mod caps;
pub mod cargo_crates;
pub mod changelog;
pub mod ci;
pub mod cli;
pub mod config;
pub mod digest;
pub mod files;
pub mod go_modules;
pub mod init;
pub mod interrupt;
pub mod keys;
pub mod known_digest;
pub mod lock;
pub mod pipeline;
pub mod plan;
pub mod plugin_registry;
pub mod plugin_sandbox;
pub mod provenance;
pub mod publish;
pub mod remote_exec;
pub mod report;
pub mod runtime;
pub mod scaffold;
pub mod session;
pub mod target;
pub mod tool_sandbox;
pub mod trace;
pub mod up_to_date;
pub mod verify;
