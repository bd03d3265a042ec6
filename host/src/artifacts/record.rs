//! One artifact: where it goes in `dist/`, what it is, its digest, and who made it.

use serde::{Deserialize, Serialize};

use crate::runtime::bindings::types::ArtifactKind;
use crate::target::Target;

/// Artifact kinds, as the host and `artifacts.json` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Binary,
    Archive,
    Checksum,
    Sbom,
    Signature,
    Provenance,
    Other,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Binary => "binary",
            Kind::Archive => "archive",
            Kind::Checksum => "checksum",
            Kind::Sbom => "sbom",
            Kind::Signature => "signature",
            Kind::Provenance => "provenance",
            Kind::Other => "other",
        }
    }
}

impl From<ArtifactKind> for Kind {
    fn from(kind: ArtifactKind) -> Self {
        match kind {
            ArtifactKind::Binary => Kind::Binary,
            ArtifactKind::Archive => Kind::Archive,
            ArtifactKind::Checksum => Kind::Checksum,
            ArtifactKind::Sbom => Kind::Sbom,
            ArtifactKind::Signature => Kind::Signature,
            ArtifactKind::Provenance => Kind::Provenance,
            ArtifactKind::Other => Kind::Other,
        }
    }
}

impl From<Kind> for ArtifactKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Binary => ArtifactKind::Binary,
            Kind::Archive => ArtifactKind::Archive,
            Kind::Checksum => ArtifactKind::Checksum,
            Kind::Sbom => ArtifactKind::Sbom,
            Kind::Signature => ArtifactKind::Signature,
            Kind::Provenance => ArtifactKind::Provenance,
            Kind::Other => ArtifactKind::Other,
        }
    }
}

/// (Serialised whole in a partial release's manifest, and read back strictly.)
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Path inside `dist/`, `/`-separated.
    pub path: String,
    pub kind: Kind,
    pub target: Option<Target>,
    pub sha256: String,
    pub size: u64,
    /// Published with mode 0755 rather than 0644.
    pub executable: bool,
    pub meta: Vec<(String, String)>,
    /// The stage that produced it.
    pub stage: String,
    /// The producing plugin, as named in the config, and its component digest.
    pub plugin: String,
    pub plugin_digest: String,
}

impl Record {
    /// The file name, the last part of `path`.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}
