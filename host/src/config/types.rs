//! What a resolved configuration holds: every value checked, every default filled in.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use super::error::{ConfigError, Located};
pub use super::rendered::Rendered;
use super::template::Fields;
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
    /// The line of `xhost.toml` naming it.
    pub provenance_line: Option<usize>,
    pub stages: Vec<StageConfig>,
    /// What templates see for this release (rendering a plugin's config per target).
    pub templates: Fields,
    /// `[metadata] goreleaser`: write GoReleaser's `metadata.json` and artifact list.
    pub goreleaser_metadata: bool,
    /// `[[publish]]`: the registries and repositories `xhost publish` pushes images to.
    pub publish: Vec<crate::publish::Destination>,
    /// `[remote_cache]`, as written (flags and the environment may override the URL
    /// and read-only mode).
    pub remote_cache: crate::cache::remote::Configured,
    /// `[ci]`: what `xhost ci init` writes.
    pub ci: crate::ci::Settings,
    /// The release notes (`[changelog]`); none when absent or disabled.
    pub release_notes: Option<super::ReleaseNotes>,
    /// Each setting with where its value came from, for `xhost check --explain`.
    pub settings: Vec<Setting>,
    /// The file's text and its name as the user wrote it, for errors found later
    /// (grants are checked when the build is planned).
    pub text: Option<(Arc<str>, PathBuf)>,
    /// What it was resolved with: the commit facts git gave (or that were given) and
    /// the command line's overrides, so a remote worker resolves the same.
    pub resolved_with: Overrides,
}

impl Config {
    /// An error at byte range `span` of `xhost.toml`, showing the line; without a file
    /// (or a span), a plain message.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        match &self.text {
            Some((text, shown)) if span != (0..0) => {
                ConfigError::At(Located::new(shown, text, span, message))
            }
            _ => ConfigError::Plain(message.into()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub version: String,
    pub commit: Option<String>,
    /// The commit's committer time, seconds since 1970.
    pub commit_time: Option<u64>,
    pub source_date_epoch: Option<u64>,
    /// The release tag at HEAD (none for a snapshot).
    pub tag: Option<String>,
    /// The tag before this release, where the release notes start.
    pub previous_tag: Option<String>,
    /// Whether this is a snapshot build (`--snapshot`, or no tag at HEAD).
    pub snapshot: bool,
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
    /// The stage's `config` table as canonical JSON (sorted keys), `{}` when absent;
    /// its strings are templates.
    pub config_json: String,
    /// That config with its templates rendered, for the release and per target.
    pub rendered: Rendered,
    /// `xhost.toml:LINE` of the stage, or "default pipeline".
    pub origin: String,
}

impl StageConfig {
    /// The config an invocation for `lane` gets, its templates rendered. The plan has
    /// refused a release stage whose config renders only per target (`release_config`).
    pub fn json_for(&self, lane: Option<&Target>) -> &str {
        self.rendered.for_lane(lane).unwrap_or(&self.config_json)
    }

    /// For a release stage: its rendered config, or why it cannot be rendered once for
    /// the whole release (it uses a target's fields).
    pub fn release_config(&self) -> Result<&str, &str> {
        self.rendered.for_lane(None)
    }
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
    /// A component in an OCI registry, by manifest digest (`oci://…@sha256:…`),
    /// optionally required to be signed by one of `trust`'s public keys.
    Oci {
        reference: crate::plugin_registry::OciRef,
        trust: Vec<PathBuf>,
    },
}

impl std::fmt::Display for PluginRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginRef::Builtin { name, .. } => write!(f, "builtin:{name}"),
            PluginRef::File { written, .. } => f.write_str(written),
            PluginRef::Oci { reference, .. } => write!(f, "{reference}"),
        }
    }
}

/// What a stage's `grants` table gives it, by capability name (`exec`, `source`, …;
/// the capabilities are `crate::caps::REGISTRY`, which also checks them). Each grant
/// keeps where it was written, for errors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(BTreeMap<String, Granted>);

/// One grant and where it is in `xhost.toml` (`0..0` when it is not from the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    pub value: Grant,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// `name = true` / `false`.
    Flag(bool),
    /// `name = ["…"]`, each name with its span.
    Names(Vec<(String, Range<usize>)>),
}

impl Grants {
    /// Whether capability `name` is granted: `true`, or at least one name.
    pub fn has(&self, name: &str) -> bool {
        match self.0.get(name).map(|g| &g.value) {
            Some(Grant::Flag(on)) => *on,
            Some(Grant::Names(names)) => !names.is_empty(),
            None => false,
        }
    }

    /// The names granted under `name` (programs, key ids), in the order written.
    pub fn names(&self, name: &str) -> Vec<String> {
        match self.0.get(name).map(|g| &g.value) {
            Some(Grant::Names(names)) => names.iter().map(|(n, _)| n.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every grant as written, by capability name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Granted)> {
        self.0.iter()
    }

    /// Grants `name` (a flag) where it is not from a file (defaults, the command line).
    pub fn with_flag(mut self, name: &str, on: bool) -> Self {
        self.insert(name, Grant::Flag(on), 0..0);
        self
    }

    /// Grants `names` under `name` where they are not from a file.
    pub fn with_names(mut self, name: &str, names: impl IntoIterator<Item = String>) -> Self {
        let names = names.into_iter().map(|n| (n, 0..0)).collect();
        self.insert(name, Grant::Names(names), 0..0);
        self
    }

    pub fn insert(&mut self, name: &str, value: Grant, span: Range<usize>) {
        self.0.insert(name.to_string(), Granted { value, span });
    }

    /// The grants as JSON, for the provenance statement: `{"exec": ["go"], "source": true}`.
    pub fn to_json(&self) -> serde_json::Value {
        self.0
            .iter()
            .filter(|(name, _)| self.has(name))
            .map(|(name, granted)| {
                let value = match &granted.value {
                    Grant::Flag(on) => serde_json::Value::Bool(*on),
                    Grant::Names(_) => serde_json::json!(self.names(name)),
                };
                (name.clone(), value)
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
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
    /// `--snapshot`: a snapshot version whatever the tags say.
    pub snapshot: bool,
    /// `--allow-lower-tag`: release a tag that is not above the previous one.
    pub allow_lower_tag: bool,
    /// The commit facts, when given rather than read from git (a remote worker builds a
    /// copy of the tree without `.git`); then there are no release notes either.
    pub commit: Option<super::vcs::Commit>,
}
