//! Resource limits, inherited by the program and all it starts. The process count is
//! counted per user (and, for unprivileged xhost, per user namespace); it does not bind
//! root, which is one reason programs run as `nobody` when xhost runs as root.

use rustix::process::{Resource, Rlimit, setrlimit};

use super::ToolLimits;

pub fn apply(limits: &ToolLimits) -> Result<(), String> {
    set(Resource::Cpu, limits.cpu_secs)?;
    set(Resource::Fsize, limits.file_size_bytes)?;
    set(Resource::As, limits.address_space_bytes)?;
    set(Resource::Core, 0)?;
    set(Resource::Nproc, limits.processes)
}

fn set(resource: Resource, value: u64) -> Result<(), String> {
    let limit = Rlimit {
        current: Some(value),
        maximum: Some(value),
    };
    setrlimit(resource, limit).map_err(|e| format!("setting the {resource:?} limit: {e}"))
}
