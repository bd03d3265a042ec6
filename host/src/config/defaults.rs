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
    /// `grants.net`: the hosts it may reach.
    pub net: &'static [&'static str],
}

/// The fetch stage the default pipeline starts with when the project's modules are
/// neither vendored nor absent: Go's module proxy, and its checksum database for
/// modules go.sum does not list.
pub const FETCH: DefaultStage = DefaultStage {
    name: "modules",
    plugin: "go-mod",
    exec: &["go"],
    source: true,
    net: &["proxy.golang.org", "sum.golang.org"],
};

/// compile → strip → sbom → archive → checksum.
pub const DEFAULT_PIPELINE: &[DefaultStage] = &[
    DefaultStage {
        name: "compile",
        plugin: "go-build",
        exec: &["go"],
        source: true,
        net: &[],
    },
    DefaultStage {
        name: "strip",
        plugin: "strip",
        exec: &[],
        source: false,
        net: &[],
    },
    DefaultStage {
        name: "sbom",
        plugin: "sbom",
        exec: &[],
        source: true,
        net: &[],
    },
    DefaultStage {
        name: "archive",
        plugin: "archive",
        exec: &[],
        source: true,
        net: &[],
    },
    DefaultStage {
        name: "checksum",
        plugin: "checksum",
        exec: &[],
        source: false,
        net: &[],
    },
];

/// The default pipeline's stages, first [`FETCH`] when the build `downloads` modules.
fn pipeline(downloads: bool) -> impl Iterator<Item = &'static DefaultStage> {
    downloads
        .then_some(&FETCH)
        .into_iter()
        .chain(DEFAULT_PIPELINE)
}

/// The default pipeline's stages, each with `limits`.
pub fn stages(limits: Limits, downloads: bool) -> Vec<StageConfig> {
    pipeline(downloads)
        .map(|stage| {
            let mut grants = Grants::default()
                .with_names("exec", stage.exec.iter().map(|p| p.to_string()))
                .with_flag("source", stage.source);
            if !stage.net.is_empty() {
                grants = grants.with_names("net", stage.net.iter().map(|h| h.to_string()));
            }
            (stage, grants)
        })
        .map(|(stage, grants)| StageConfig {
            name: stage.name.to_string(),
            plugin: PluginRef::Builtin {
                name: stage.plugin.to_string(),
                sha256: None,
            },
            grants,
            limits,
            config_json: "{}".to_string(),
            rendered: Default::default(),
            origin: "default pipeline".to_string(),
        })
        .collect()
}

/// The default pipeline in one line: `compile (builtin:go-build) → strip (…) → …`.
pub fn described(downloads: bool) -> String {
    pipeline(downloads)
        .map(|s| format!("{} (builtin:{})", s.name, s.plugin))
        .collect::<Vec<_>>()
        .join(" → ")
}
