//! Defaults that are data: the pipeline a project without `[[stage]]` gets. `xhost
//! check --explain` describes it from the same table.

use super::{Grants, Limits, PluginRef, StageConfig};

/// One stage of the default pipeline.
pub struct DefaultStage {
    pub name: &'static str,
    /// The built-in plugin (`builtin:<plugin>`).
    pub plugin: &'static str,
    /// Programs granted (`grants.exec`).
    pub exec: &'static [&'static str],
    /// `grants.source`.
    pub source: bool,
}

/// compile → strip → sbom → archive → checksum.
pub const DEFAULT_PIPELINE: &[DefaultStage] = &[
    DefaultStage {
        name: "compile",
        plugin: "go-build",
        exec: &["go"],
        source: true,
    },
    DefaultStage {
        name: "strip",
        plugin: "strip",
        exec: &[],
        source: false,
    },
    DefaultStage {
        name: "sbom",
        plugin: "sbom",
        exec: &[],
        source: true,
    },
    DefaultStage {
        name: "archive",
        plugin: "archive",
        exec: &[],
        source: true,
    },
    DefaultStage {
        name: "checksum",
        plugin: "checksum",
        exec: &[],
        source: false,
    },
];

/// The default pipeline's stages, each with `limits`.
pub fn stages(limits: Limits) -> Vec<StageConfig> {
    DEFAULT_PIPELINE
        .iter()
        .map(|stage| StageConfig {
            name: stage.name.to_string(),
            plugin: PluginRef::Builtin {
                name: stage.plugin.to_string(),
                sha256: None,
            },
            grants: Grants::default()
                .with_names("exec", stage.exec.iter().map(|p| p.to_string()))
                .with_flag("source", stage.source),
            limits,
            config_json: "{}".to_string(),
            origin: "default pipeline".to_string(),
        })
        .collect()
}

/// The default pipeline in one line: `compile (builtin:go-build) → strip (…) → …`.
pub fn described() -> String {
    DEFAULT_PIPELINE
        .iter()
        .map(|s| format!("{} (builtin:{})", s.name, s.plugin))
        .collect::<Vec<_>>()
        .join(" → ")
}
