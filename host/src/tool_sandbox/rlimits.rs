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

/// Sets both limits to `value`, or to the hard limit already in force when that is
/// lower (raising it would need CAP_SYS_RESOURCE, and lower is stricter anyway).
fn set(resource: Resource, value: u64) -> Result<(), String> {
    let value = rustix::process::getrlimit(resource)
        .maximum
        .map_or(value, |hard| hard.min(value));
    let limit = Rlimit {
        current: Some(value),
        maximum: Some(value),
    };
    setrlimit(resource, limit).map_err(|e| format!("setting the {resource:?} limit: {e}"))
}
