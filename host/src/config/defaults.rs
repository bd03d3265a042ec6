//! Defaults that are data: the pipeline a project without `[[stage]]` gets. `xhost
//! check --explain` describes it from the same table.

use super::{Grants, Limits, PluginRef, StageConfig};

/// One stage of the default pipeline.
#[derive(Clone, Copy)]
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
    /// Its `config`, as a TOML inline table (`{}` for none).
    pub config: &'static str,
}

/// Which default pipeline a project gets: by the files at its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// go.mod; `downloads` when modules are neither vendored nor absent.
    Go { downloads: bool },
    /// Cargo.toml; `downloads` when crates are pinned and not vendored.
    Rust { downloads: bool },
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
    config: "{}",
};

/// A Rust project's fetch stage: crates.io's sparse index and its downloads.
pub const RUST_FETCH: DefaultStage = DefaultStage {
    name: "crates",
    plugin: "cargo-fetch",
    exec: &["cargo"],
    source: true,
    net: &["index.crates.io", "static.crates.io"],
    config: "{}",
};

/// A Rust project's compile → strip → sbom → archive → checksum: cargo, linking through
/// cargo-zigbuild and zig, then the same stages as Go's.
pub const RUST_PIPELINE: &[DefaultStage] = &[
    DefaultStage {
        name: "compile",
        plugin: "cargo-build",
        exec: &["cargo", "cargo-zigbuild", "zig"],
        source: true,
        net: &[],
        config: "{}",
    },
    DEFAULT_PIPELINE[1],
    DEFAULT_PIPELINE[2],
    DEFAULT_PIPELINE[3],
    DEFAULT_PIPELINE[4],
];

/// compile → strip → sbom → archive → checksum.
pub const DEFAULT_PIPELINE: &[DefaultStage] = &[
    DefaultStage {
        name: "compile",
        plugin: "go-build",
        exec: &["go"],
        source: true,
        net: &[],
        config: "{}",
    },
    DefaultStage {
        name: "strip",
        plugin: "strip",
        exec: &[],
        source: false,
        net: &[],
        config: "{}",
    },
    DefaultStage {
        name: "sbom",
        plugin: "sbom",
        exec: &[],
        source: true,
        net: &[],
        config: "{}",
    },
    DefaultStage {
        name: "archive",
        plugin: "archive",
        exec: &[],
        source: true,
        net: &[],
        config: "{}",
    },
    DefaultStage {
        name: "checksum",
        plugin: "checksum",
        exec: &[],
        source: false,
        net: &[],
        config: "{}",
    },
];

/// The default pipeline's stages for `language`, its fetch stage first when the build
/// downloads.
fn pipeline(language: Language) -> impl Iterator<Item = &'static DefaultStage> {
    let (fetch, downloads, rest) = match language {
        Language::Go { downloads } => (&FETCH, downloads, DEFAULT_PIPELINE),
        Language::Rust { downloads } => (&RUST_FETCH, downloads, RUST_PIPELINE),
    };
    downloads.then_some(fetch).into_iter().chain(rest)
}

/// The default pipeline's stages, each with `limits`.
pub fn stages(limits: Limits, language: Language) -> Vec<StageConfig> {
    pipeline(language)
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
            config_json: config_json(stage.config),
            rendered: Default::default(),
            origin: "default pipeline".to_string(),
        })
        .collect()
}

/// A default stage's `config` as canonical JSON.
fn config_json(inline: &str) -> String {
    let table: toml::Table =
        toml::from_str(&format!("config = {inline}")).expect("default configs are TOML");
    let config = table["config"].as_table().expect("an inline table");
    super::json::canonical_json(config)
}

/// The default pipeline in one line: `compile (builtin:go-build) → strip (…) → …`.
pub fn described(language: Language) -> String {
    pipeline(language)
        .map(|s| format!("{} (builtin:{})", s.name, s.plugin))
        .collect::<Vec<_>>()
        .join(" → ")
}
