//! Conveniences on the contract's types.

use serde::de::DeserializeOwned;

use crate::{Artifact, ArtifactKind, Job, PluginInfo, RequestedGrants, Scope, StageError, Target};

/// The stage's `config` table, deserialised. Unknown keys are the plugin's to reject
/// (use `#[serde(deny_unknown_fields)]`); any error becomes `invalid-config`.
pub fn config<T: DeserializeOwned>(job: &Job) -> Result<T, StageError> {
    serde_json::from_str(&job.config).map_err(|e| StageError::InvalidConfig(e.to_string()))
}

impl Target {
    /// `os/arch[/variant]`, as `xhost.toml` names it.
    pub fn name(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}/{}/{variant}", self.os, self.arch),
            None => format!("{}/{}", self.os, self.arch),
        }
    }

    /// `os_arch[_variant]`, as file and directory names have it.
    pub fn slug(&self) -> String {
        self.name().replace('/', "_")
    }

    /// The extension executables get on this target, with the dot, or "".
    pub fn executable_suffix(&self) -> &'static str {
        match (self.os.as_str(), self.arch.as_str()) {
            ("windows", _) => ".exe",
            (_, "wasm") => ".wasm",
            _ => "",
        }
    }
}

impl Artifact {
    /// An artifact the plugin wrote at `/out/<rel>`.
    pub fn output(rel: &str, kind: ArtifactKind, target: Option<Target>) -> Self {
        Artifact {
            path: crate::files::out_path(rel),
            kind,
            target,
            meta: Vec::new(),
        }
    }

    /// Adds a metadata entry.
    pub fn with_meta(mut self, key: &str, value: impl Into<String>) -> Self {
        self.meta.push((key.to_string(), value.into()));
        self
    }
}

impl StageError {
    pub fn failed(message: impl Into<String>) -> Self {
        StageError::Failed(message.into())
    }

    pub fn invalid_config(message: impl Into<String>) -> Self {
        StageError::InvalidConfig(message.into())
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        StageError::Unsupported(message.into())
    }
}

impl From<std::io::Error> for StageError {
    fn from(error: std::io::Error) -> Self {
        StageError::Failed(error.to_string())
    }
}

/// Building a [`PluginInfo`]:
/// `PluginInfo::per_target("go-build", env!("CARGO_PKG_VERSION"), "…").running(["go"]).reading_source()`.
impl PluginInfo {
    /// A plugin that runs once per target.
    pub fn per_target(name: &str, version: &str, summary: &str) -> Self {
        Self::new(name, version, summary, Scope::PerTarget)
    }

    /// A plugin that runs once per release, after every target.
    pub fn release(name: &str, version: &str, summary: &str) -> Self {
        Self::new(name, version, summary, Scope::Release)
    }

    fn new(name: &str, version: &str, summary: &str, scope: Scope) -> Self {
        PluginInfo {
            name: name.into(),
            version: version.into(),
            summary: summary.into(),
            scope,
            consumes: Vec::new(),
            needs: RequestedGrants {
                programs: Vec::new(),
                source: false,
                signing_keys: 0,
            },
        }
    }

    /// The artifact kinds it wants as inputs.
    pub fn consuming(mut self, kinds: impl IntoIterator<Item = ArtifactKind>) -> Self {
        self.consumes.extend(kinds);
        self
    }

    /// Native programs it runs (its stage must grant them in `grants.exec`).
    pub fn running<S: Into<String>>(mut self, programs: impl IntoIterator<Item = S>) -> Self {
        self.needs
            .programs
            .extend(programs.into_iter().map(Into::into));
        self
    }

    /// It reads the source tree at `/src` (its stage must grant `source`).
    pub fn reading_source(mut self) -> Self {
        self.needs.source = true;
        self
    }

    /// It signs with `keys` host-held keys (its stage must grant them in `grants.signing`).
    pub fn signing_with(mut self, keys: u32) -> Self {
        self.needs.signing_keys = keys;
        self
    }
}
