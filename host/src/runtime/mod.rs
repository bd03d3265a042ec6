//! The wasmtime side of xhost: one engine per process, plugin components, and
//! invocations of a plugin in a fresh, limited store.

pub mod bindings;
mod compiled_cache;
pub mod contract;
pub mod contract_v0_1;
mod drive;
mod engine;
pub mod invoke;
mod limits;
pub mod linker;
pub mod plugin;
pub mod state;

pub use engine::Runtime;
pub use limits::ProgramTime;
pub use plugin::LoadedPlugin;
