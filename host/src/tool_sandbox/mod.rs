//! Confinement of the native programs plugins run through `exec`.
//!
//! xhost is multi-threaded, and after `fork` only async-signal-safe calls are allowed,
//! so the host does not set up a sandbox in a `pre_exec` hook. It runs itself instead:
//! `xhost __sandbox-exec POLICY PROGRAM ARGS…` ([`launcher`]) is a fresh single-threaded
//! process that
//! 1. closes every descriptor it inherited above stderr ([`process_state`]);
//! 2. enters new namespaces: user (when not root), mount, PID, IPC, UTS, cgroup, and
//!    network unless the stage grants `net = true` ([`namespaces`]); with `net` as a
//!    list of hosts, that namespace gets listeners relayed to those hosts only
//!    ([`egress`]);
//! 3. pivots into a new root holding only the policy's paths, bind-mounted read-only or
//!    writable ([`new_root`]), so nothing else of the machine even has a name;
//! 4. starts the program as PID 1 of the new PID namespace, which first mounts a
//!    `/proc` showing only the sandbox's processes, sets resource limits ([`rlimits`]),
//!    restricts itself with Landlock ([`landlock_rules`]), becomes `nobody` when xhost
//!    runs as root, resets what it would inherit (a fresh session keyring, default
//!    signal actions and an empty mask, umask, personality: [`process_state`]) and
//!    installs the seccomp filter ([`seccomp`]) last.
//!
//! Killing the launcher (the host kills its process group on timeout) kills the program
//! by its parent-death signal, and with PID 1 every process in the namespace, including
//! any that left the process group.

pub mod egress;
mod landlock_rules;
pub mod launcher;
mod namespaces;
mod new_root;
pub mod probe_memo;
pub mod process_state;
mod rlimits;
pub mod seccomp;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The hidden subcommand the launcher answers to.
pub const LAUNCHER_COMMAND: &str = "__sandbox-exec";
/// The launcher's exit status when it could not set the sandbox up.
pub const SETUP_FAILED: i32 = 125;
/// Prefix of the launcher's own messages on stderr.
pub const MESSAGE_PREFIX: &str = "xhost sandbox: ";
/// The unprivileged user and group programs run as when xhost runs as root.
pub const NOBODY: u32 = 65534;

/// What the sandbox allows one program.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    /// Readable and executable: the source tree, the tool's installation, system dirs.
    pub read_only: Vec<PathBuf>,
    /// Writable: the invocation's output and temporary directories, the tool's caches.
    pub read_write: Vec<PathBuf>,
    /// Paths above (as the program sees them) that show another directory of the
    /// machine, as `(seen, real)`; every other path shows itself.
    #[serde(default)]
    pub moved: Vec<(PathBuf, PathBuf)>,
    /// The program's working directory (one of the above).
    pub cwd: PathBuf,
    /// What network the program has.
    pub network: Network,
    pub limits: ToolLimits,
}

/// A program's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Network {
    /// None: a network namespace with only a downed loopback.
    Isolated,
    /// The runner's (`net = true`).
    Host,
    /// A network namespace whose loopback carries one listener per allowed host and
    /// port, each relayed to xhost's egress socket for it ([`egress`]); the host names
    /// resolve to those listeners (`/etc/hosts`), nothing else resolves or routes.
    Egress(Vec<Route>),
}

/// One allowed destination as the sandbox sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The name programs use (absent for an address written as such).
    pub name: Option<String>,
    /// The loopback address inside the sandbox that stands for it.
    pub address: std::net::Ipv4Addr,
    pub port: u16,
    /// xhost's UNIX socket that reaches the real destination.
    pub socket: PathBuf,
}

/// Resource limits of a program and everything it starts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ToolLimits {
    pub cpu_secs: u64,
    pub file_size_bytes: u64,
    pub address_space_bytes: u64,
    pub processes: u64,
}

/// How `exec` runs programs in this process: confined (the default), or not at all
/// confined when the user said `--allow-unsandboxed-tools` on a machine without support.
#[derive(Debug, Clone)]
pub enum Mode {
    Confined { launcher: PathBuf },
    Unconfined,
}

static MODE: OnceLock<Mode> = OnceLock::new();

/// Sets the mode once, at start-up.
pub fn set_mode(mode: Mode) {
    let _ = MODE.set(mode);
}

/// The mode set at start-up; an error when nobody set it, so no program ever runs
/// without a decision.
pub fn mode() -> Result<Mode> {
    MODE.get()
        .cloned()
        .context("the tool sandbox was not set up before running a program (internal error)")
}

/// The launcher's arguments that run `program` with `args` under `policy`.
pub fn launcher_args(policy: &Policy, program: &Path, args: &[OsString]) -> Result<Vec<OsString>> {
    let mut line = vec![
        LAUNCHER_COMMAND.into(),
        serde_json::to_string(policy)?.into(),
        program.as_os_str().to_owned(),
    ];
    line.extend(args.iter().cloned());
    Ok(line)
}

/// Checks that this machine can confine programs, by running the launcher in probe
/// mode. The error says what is missing and how to proceed.
pub fn probe(launcher: &Path) -> Result<()> {
    let output = std::process::Command::new(launcher)
        .args([LAUNCHER_COMMAND, "--probe"])
        .env_clear()
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running {} {LAUNCHER_COMMAND} --probe", launcher.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let why = String::from_utf8_lossy(&output.stderr);
    bail!(
        "{}\nxhost confines the programs plugins run (Landlock, namespaces); this machine cannot. Run on a kernel with Landlock and user namespaces, or pass --allow-unsandboxed-tools to run them unconfined (recorded in artifacts.json)",
        why.trim().trim_start_matches(MESSAGE_PREFIX)
    )
}

/// System paths a statically linked or libc-dynamic program needs to read, and that
/// hold nothing of the user's.
pub fn system_read_only() -> Vec<PathBuf> {
    [
        "/usr",
        "/lib",
        "/lib64",
        "/lib32",
        "/bin",
        "/sbin",
        "/etc/ld.so.cache",
        "/etc/alternatives",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/localtime",
        "/etc/ssl",
        "/etc/ca-certificates",
        "/etc/nsswitch.conf",
        "/etc/resolv.conf",
        "/etc/hosts",
        "/dev/zero",
        "/dev/urandom",
        "/dev/random",
    ]
    .iter()
    .map(PathBuf::from)
    .filter(|p| p.exists())
    .collect()
}

/// Device files any program may write.
pub fn system_read_write() -> Vec<PathBuf> {
    vec![PathBuf::from("/dev/null")]
}
