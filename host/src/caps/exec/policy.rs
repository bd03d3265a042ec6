//! Puts one `exec` under the tool sandbox ([`crate::tool_sandbox`]): the policy for this
//! tool and invocation, and the launcher command line that applies it.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::args::Roots;
use super::process::{Finished, Spec};
use super::tools::Tool;
use crate::config::Limits;
use crate::runtime::bindings::exec::ExecError;
use crate::tool_sandbox::{self, Mode, NOBODY, Network, Policy, ToolLimits};

/// What a program may reach besides the system, its installation, the source tree and
/// `/in`.
pub struct Access {
    /// Directories it may read (granted `paths`, a read-only module cache).
    pub read_only: Vec<PathBuf>,
    /// The invocation's `/out` and temporary directory, which may hold files the
    /// plugin just wrote and its program must be able to replace.
    pub fresh: Vec<PathBuf>,
    /// The tool's home and caches, kept between builds.
    pub kept: Vec<PathBuf>,
}

/// Rewrites `spec` to run through the launcher; unchanged when tools run unconfined.
pub fn confine(
    spec: Spec,
    tool: &Tool,
    roots: &Roots,
    access: &Access,
    network: Network,
    limits: &Limits,
) -> Result<Spec, ExecError> {
    let launcher = match tool_sandbox::mode() {
        Ok(Mode::Unconfined) => return Ok(spec),
        Ok(Mode::Confined { launcher }) => launcher,
        Err(e) => return Err(ExecError::Unavailable(format!("{e:#}"))),
    };
    let mut read_only = tool_sandbox::system_read_only();
    if matches!(network, Network::Egress(_)) {
        // The launcher writes its own: allowed hosts only, no name server.
        read_only.retain(|p| !p.ends_with("etc/hosts") && !p.ends_with("etc/resolv.conf"));
    }
    read_only.extend(roots.source.iter().cloned());
    read_only.push(roots.input.clone());
    read_only.push(tool.installation.clone());
    read_only.extend(access.read_only.iter().cloned());
    let mut read_write = tool_sandbox::system_read_write();
    read_write.extend(access.fresh.iter().chain(&access.kept).cloned());
    if rustix::process::geteuid().is_root() {
        // Programs run as `nobody` then; give it what it is meant to write.
        let dirs =
            (access.fresh.iter().map(|d| (d, true))).chain(access.kept.iter().map(|d| (d, false)));
        for (dir, walk) in dirs {
            hand_over(dir, walk)
                .map_err(|e| ExecError::Unavailable(format!("preparing {}: {e}", dir.display())))?;
        }
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let policy = Policy {
        read_only,
        read_write,
        cwd: spec.cwd.clone(),
        network,
        limits: ToolLimits {
            // Per process: at most every core busy for the whole wall-clock limit.
            cpu_secs: limits.exec_time_secs.saturating_mul(cpus).max(1),
            file_size_bytes: limits.output_mib << 20,
            address_space_bytes: limits.exec_memory_mib << 20,
            processes: limits.exec_processes,
        },
    };
    let args = tool_sandbox::launcher_args(&policy, &spec.program, &spec.args)
        .map_err(|e| ExecError::Unavailable(format!("{e:#}")))?;
    Ok(Spec {
        program: launcher,
        args,
        ..spec
    })
}

/// The message when the launcher could not set the sandbox up (its own exit status
/// and message prefix), as opposed to the program failing.
pub fn setup_failure(finished: &Finished) -> Option<String> {
    if finished.exit_code != Some(tool_sandbox::SETUP_FAILED) {
        return None;
    }
    let stderr = String::from_utf8_lossy(&finished.stderr);
    let reasons: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix(tool_sandbox::MESSAGE_PREFIX))
        .collect();
    (!reasons.is_empty())
        .then(|| format!("the tool sandbox could not start: {}", reasons.join("; ")))
}

/// Makes `dir` and what is in it owned by `nobody`. A kept directory already handed
/// over is left alone: its owner is checked, not walked, which is sound because the
/// top is changed last (parallel targets share the tool's cache). Links are not
/// followed.
fn hand_over(dir: &Path, walk: bool) -> std::io::Result<()> {
    if !walk && std::fs::symlink_metadata(dir)?.uid() == NOBODY {
        return Ok(());
    }
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
        if meta.uid() != NOBODY && !meta.is_symlink() {
            found.push(path);
        }
    }
    let owner = Some(rustix::process::Uid::from_raw(NOBODY));
    let group = Some(rustix::process::Gid::from_raw(NOBODY));
    // Found parents first; changed children first.
    for path in found.iter().rev() {
        rustix::fs::chownat(
            rustix::fs::CWD,
            path,
            owner,
            group,
            rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
        )?;
    }
    Ok(())
}
