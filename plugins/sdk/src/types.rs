//! Conveniences on the contract's types.

use serde::de::DeserializeOwned;

use crate::{Artifact, ArtifactKind, Job, StageError, Target};

/// The stage's `config` table, deserialised. Unknown keys are the plugin's to reject
/// (use `#[serde(deny_unknown_fields)]`); any error becomes `invalid-config`.
pub fn config<T: DeserializeOwned>(job: &Job) -> Result<T, StageError> {
    serde_json::from_str(&job.config).map_err(|e| StageError::InvalidConfig(e.to_string()))
}

impl Target {
    /// `os/arch`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.os, self.arch)
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
}
