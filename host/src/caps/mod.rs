//! Host side of each capability interface a plugin can import. Each capability owns its
//! state, its `add_to_linker` and its checks; `exec` is split by concern.

pub mod exec;
mod exec_args;
mod exec_env;
mod exec_policy;
pub mod log;
mod process;
pub mod signing;
pub mod tools;
