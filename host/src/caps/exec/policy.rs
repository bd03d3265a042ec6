//! Puts one `exec` under the tool sandbox ([`crate::tool_sandbox`]): where the program
//! sees each directory it is given ([`View`]), the policy for this tool and invocation,
//! and the launcher command line that applies it.
//!
//! Confined, every directory that differs between checkouts, caches and machines has a
//! fixed place: the source tree at `/xhost/src`, the invocation's `/xhost/in`,
//! `/xhost/out` and `/xhost/tmp`, the tool's `/xhost/home` and `/xhost/cache`, the
//! fetched modules at `/xhost/modules`, and a toolchain outside the system directories
//! at `/xhost/tool` (the project stays where it is for a stage granted `paths` outside
//! it, which its files name relative to it). What a program sees, and so what it can write into its outputs,
//! is then the same wherever the project or the toolchain lives, which is what lets
//! action keys leave those paths out. Unconfined, programs see the real paths, and the
//! keys hold them.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::args::Roots;
use super::process::{Finished, Spec};
use super::tools::Tool;
use crate::config::Limits;
use crate::runtime::bindings::exec::ExecError;
use crate::tool_sandbox::{self, Mode, NOBODY, Network, Policy, ToolLimits};

/// Where the sandbox shows the directories of one invocation.
pub const SOURCE: &str = "/xhost/src";
const INPUT: &str = "/xhost/in";
const OUTPUT: &str = "/xhost/out";
const TMP: &str = "/xhost/tmp";
const HOME: &str = "/xhost/home";
const CACHE: &str = "/xhost/cache";
const MODULES: &str = "/xhost/modules";
/// Where a movable tool's installation is shown ([`Tool::movable`]).
pub const TOOL: &str = "/xhost/tool";
/// Where the stage's other movable programs' installations are shown, each under its
/// name (`/xhost/tools/zig`).
pub const TOOLS: &str = "/xhost/tools";

/// What a program may reach besides the system, its installation, the source tree and
/// `/in`.
pub struct Access {
    /// Directories outside the project it may read (`grants.paths`), where they are.
    /// A project's files name them relative to itself (`replace … => ../lib`), so
    /// with any granted the project stays where it is too.
    pub paths: Vec<PathBuf>,
    /// Other directories it reads where they are (the network relays).
    pub read_only: Vec<PathBuf>,
    /// The invocation's temporary directory.
    pub tmp: PathBuf,
    /// The tool's home and caches, kept between builds.
    pub home: PathBuf,
    pub cache: PathBuf,
    /// The fetched modules, and whether this run fills them.
    pub modules: Option<(PathBuf, bool)>,
}

/// How one directory is mounted.
#[derive(Clone, Copy, PartialEq)]
enum Use {
    ReadOnly,
    /// Writable, and made fresh for this invocation: may hold files the plugin just
    /// wrote and its program must be able to replace.
    Fresh,
    /// Writable, and kept between builds.
    Kept,
}

struct Place {
    host: PathBuf,
    seen: PathBuf,
    used: Use,
}

/// Where a program sees the directories it is given: at fixed places when confined,
/// where they are when not.
pub struct View {
    /// The launcher that confines it; none when programs run unconfined.
    launcher: Option<PathBuf>,
    places: Vec<Place>,
}

impl View {
    /// The view `tool`, run beside its stage's other programs `companions`, gets of
    /// `roots` and `access` in this process's sandbox mode.
    pub fn new(
        tool: &Tool,
        companions: &[&Tool],
        roots: &Roots,
        access: &Access,
    ) -> Result<View, ExecError> {
        let launcher = match tool_sandbox::mode() {
            Ok(Mode::Unconfined) => None,
            Ok(Mode::Confined { launcher }) => Some(launcher),
            Err(e) => return Err(ExecError::Unavailable(format!("{e:#}"))),
        };
        let moved = launcher.is_some();
        let at = |host: &Path, fixed: &str, used: Use| Place {
            host: host.to_path_buf(),
            seen: if moved {
                PathBuf::from(fixed)
            } else {
                host.to_path_buf()
            },
            used,
        };
        let stay = |host: &Path| Place {
            host: host.to_path_buf(),
            seen: host.to_path_buf(),
            used: Use::ReadOnly,
        };
        let mut places = Vec::new();
        places.extend(roots.source.iter().map(|source| {
            if project_at_fixed_place(moved, &access.paths) {
                at(source, SOURCE, Use::ReadOnly)
            } else {
                stay(source)
            }
        }));
        places.push(at(&roots.input, INPUT, Use::ReadOnly));
        places.push(at(&roots.output, OUTPUT, Use::Fresh));
        places.push(at(&access.tmp, TMP, Use::Fresh));
        places.push(at(&access.home, HOME, Use::Kept));
        places.push(at(&access.cache, CACHE, Use::Kept));
        if let Some((dir, filling)) = &access.modules {
            let used = if *filling { Use::Fresh } else { Use::ReadOnly };
            places.push(at(dir, MODULES, used));
        }
        places.push(if tool.movable {
            at(&tool.installation, TOOL, Use::ReadOnly)
        } else {
            stay(&tool.installation)
        });
        for other in companions {
            places.push(if other.movable {
                at(
                    &other.installation,
                    &format!("{TOOLS}/{}", other.name),
                    Use::ReadOnly,
                )
            } else {
                stay(&other.installation)
            });
        }
        places.extend(
            access
                .paths
                .iter()
                .chain(&access.read_only)
                .map(|dir| stay(dir)),
        );
        Ok(View { launcher, places })
    }

    /// Where the program sees `host`, a path inside one of its directories. The
    /// deepest directory holding it wins (a fresh `/out` inside the project, say).
    pub fn seen(&self, host: &Path) -> PathBuf {
        self.places
            .iter()
            .filter_map(|p| Some((p, host.strip_prefix(&p.host).ok()?)))
            .max_by_key(|(p, _)| p.host.components().count())
            .map_or_else(
                || host.to_path_buf(),
                |(place, rest)| {
                    if rest.as_os_str().is_empty() {
                        place.seen.clone()
                    } else {
                        place.seen.join(rest)
                    }
                },
            )
    }
}

/// Whether programs run confined, and so see every per-build directory and a movable
/// toolchain at fixed places (false when the mode is not set yet: paths then count).
pub fn at_fixed_places() -> bool {
    matches!(tool_sandbox::mode(), Ok(Mode::Confined { .. }))
}

/// Whether programs granted `paths` outside the project see the project at a fixed
/// place (only when granted none: [`Access::paths`]).
pub fn project_at_fixed_place(confined: bool, paths: &[PathBuf]) -> bool {
    confined && paths.is_empty()
}

/// Where `tool`'s program is as it sees itself, confined or not.
pub fn program_seen(tool: &Tool, confined: bool) -> PathBuf {
    match tool.path.strip_prefix(&tool.installation) {
        Ok(rest) if confined && tool.movable => Path::new(TOOL).join(rest),
        _ => tool.path.clone(),
    }
}

/// Rewrites `spec`, whose program, arguments and environment are as `view` shows them
/// and whose working directory is the host's, to run through the launcher; unchanged
/// when tools run unconfined.
pub fn confine(
    spec: Spec,
    view: &View,
    network: Network,
    limits: &Limits,
) -> Result<Spec, ExecError> {
    let Some(launcher) = view.launcher.clone() else {
        return Ok(spec);
    };
    let mut read_only = tool_sandbox::system_read_only();
    if matches!(network, Network::Egress(_)) {
        // The launcher writes its own: allowed hosts only, no name server.
        read_only.retain(|p| !p.ends_with("etc/hosts") && !p.ends_with("etc/resolv.conf"));
    }
    let mut read_write = tool_sandbox::system_read_write();
    let mut moved = Vec::new();
    for place in &view.places {
        match place.used {
            Use::ReadOnly => read_only.push(place.seen.clone()),
            Use::Fresh | Use::Kept => read_write.push(place.seen.clone()),
        }
        if place.seen != place.host {
            moved.push((place.seen.clone(), place.host.clone()));
        }
    }
    if rustix::process::geteuid().is_root() {
        // Programs run as `nobody` then; give it what it is meant to write.
        for place in view.places.iter().filter(|p| p.used != Use::ReadOnly) {
            hand_over(&place.host, place.used == Use::Fresh).map_err(|e| {
                ExecError::Unavailable(format!("preparing {}: {e}", place.host.display()))
            })?;
        }
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let policy = Policy {
        read_only,
        read_write,
        moved,
        cwd: view.seen(&spec.cwd),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn places(pairs: &[(&str, &str)]) -> View {
        View {
            launcher: Some("/xhost".into()),
            places: pairs
                .iter()
                .map(|(host, seen)| Place {
                    host: host.into(),
                    seen: seen.into(),
                    used: Use::ReadOnly,
                })
                .collect(),
        }
    }

    #[test]
    fn a_path_is_seen_under_the_deepest_directory_holding_it() {
        let view = places(&[
            ("/home/me/proj", SOURCE),
            ("/home/me/proj/.cache/inv/out", OUTPUT),
            ("/opt/go", TOOL),
        ]);
        assert_eq!(view.seen(Path::new("/home/me/proj")), Path::new(SOURCE));
        assert_eq!(
            view.seen(Path::new("/home/me/proj/cmd/main.go")),
            Path::new("/xhost/src/cmd/main.go")
        );
        assert_eq!(
            view.seen(Path::new("/home/me/proj/.cache/inv/out/bin")),
            Path::new("/xhost/out/bin")
        );
        assert_eq!(
            view.seen(Path::new("/opt/go/bin")),
            Path::new("/xhost/tool/bin")
        );
        // A sibling whose name merely starts the same is not inside.
        assert_eq!(
            view.seen(Path::new("/home/me/project2/x")),
            Path::new("/home/me/project2/x")
        );
    }
}
