//! What a resolved configuration holds: every value checked, every default filled in.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::keys::KeySource;
use crate::target::Target;

/// A fully resolved project configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project directory (canonical).
    pub root: PathBuf,
    /// `xhost.toml`, when the project has one.
    pub file: Option<PathBuf>,
    pub project: Project,
    pub build: Build,
    pub targets: Vec<Target>,
    /// Default limits for every stage (`[limits]`).
    pub limits: Limits,
    /// `[tools]`: program name → path, for `grants.exec`.
    pub tools: BTreeMap<String, PathBuf>,
    /// `[signing.keys]`: where each signing key comes from.
    pub keys: BTreeMap<String, KeySource>,
    /// `[provenance] key`: the key the host signs provenance with; none: no provenance.
    pub provenance_key: Option<String>,
    pub stages: Vec<StageConfig>,
    /// Each setting with where its value came from, for `xhost check --explain`.
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub version: String,
    pub commit: Option<String>,
    pub source_date_epoch: Option<u64>,
}

/// `[build]`, with placeholders expanded.
#[derive(Debug, Clone)]
pub struct Build {
    pub main: String,
    pub binary: String,
    pub ldflags: String,
    pub flags: Vec<String>,
}

/// Per-invocation resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory a plugin may use, in MiB.
    pub memory_mib: u64,
    /// Time a plugin may run, in seconds, not counting time spent in `exec`.
    pub time_secs: u64,
    /// Time one `exec` call may run, in seconds.
    pub exec_time_secs: u64,
    /// Address space a native program may use, in MiB.
    pub exec_memory_mib: u64,
    /// Processes and threads native programs may have at once.
    pub exec_processes: u64,
    /// Bytes an invocation may write (its `/out` and temporary files), in MiB; also the
    /// largest file a native program may write.
    pub output_mib: u64,
    /// Files and directories an invocation may create.
    pub output_files: u64,
}

/// The limits of a stage no table sets.
impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_mib: 512,
            time_secs: 60,
            exec_time_secs: 600,
            exec_memory_mib: 8192,
            exec_processes: 8192,
            output_mib: 4096,
            output_files: 20_000,
        }
    }
}

/// One `[[stage]]`.
#[derive(Debug, Clone)]
pub struct StageConfig {
    pub name: String,
    pub plugin: PluginRef,
    pub grants: Grants,
    pub limits: Limits,
    /// The stage's `config` table as canonical JSON (sorted keys), `{}` when absent.
    pub config_json: String,
    /// `xhost.toml:LINE` of the stage, or "default pipeline".
    pub origin: String,
}

/// Where a stage's plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginRef {
    /// Embedded in the xhost binary: `builtin:<name>`, optionally pinned.
    Builtin {
        name: String,
        sha256: Option<String>,
    },
    /// A component file, always pinned by digest.
    File {
        path: PathBuf,
        sha256: String,
        /// The path as written in `xhost.toml`, for messages.
        written: String,
    },
}

impl std::fmt::Display for PluginRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginRef::Builtin { name, .. } => write!(f, "builtin:{name}"),
            PluginRef::File { written, .. } => f.write_str(written),
        }
    }
}

/// Capabilities granted to a stage beyond the always-granted `log`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Native programs the stage may run.
    pub exec: Vec<String>,
    /// Read-only access to the source tree at `/src`.
    pub source: bool,
    /// Ids of the signing keys the stage may sign with.
    pub signing: Vec<String>,
    /// Network access for the programs it runs (none otherwise).
    pub net: bool,
}

/// A resolved setting and its origin.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub origin: String,
}

/// Command-line values that replace configured ones.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub targets: Vec<Target>,
}
