//! `dist/artifacts.json`: every published file with its digest and producer.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Kind, Record};
use crate::cache::Summary;
use crate::caps::signing::Signed;
use crate::config::Project;

/// The manifest's file name at the top of `dist/`.
pub const FILE_NAME: &str = "artifacts.json";
/// Identifies the manifest format; bumped on incompatible changes.
pub const SCHEMA: &str = "xhost.artifacts/v1";

#[derive(Serialize)]
struct Manifest<'a> {
    schema: &'static str,
    project: ProjectEntry<'a>,
    xhost: XhostEntry,
    artifacts: Vec<Entry<'a>>,
    /// What the action cache did for each stage invocation (absent for `plugin run`).
    #[serde(skip_serializing_if = "Option::is_none")]
    cache: Option<&'a Summary>,
    /// Every signature a plugin had the host make: stage, target, key, and what was
    /// signed (its SHA-256 and size, and the input artifact when it was one).
    signatures: &'a [Signed],
    /// What `xhost merge` takes back from a partial release (`xhost build --split`).
    #[serde(skip_serializing_if = "Option::is_none")]
    partial: Option<&'a super::partial::Section>,
}

#[derive(Serialize)]
struct ProjectEntry<'a> {
    name: &'a str,
    version: &'a str,
    commit: Option<&'a str>,
    source_date_epoch: Option<u64>,
}

#[derive(Serialize)]
struct XhostEntry {
    version: &'static str,
    /// True when native programs ran outside the tool sandbox
    /// (`--allow-unsandboxed-tools` on a machine that cannot confine them).
    unsandboxed_tools: bool,
}

#[derive(Serialize)]
struct Entry<'a> {
    name: &'a str,
    path: &'a str,
    kind: Kind,
    target: Option<String>,
    sha256: &'a str,
    size: u64,
    stage: &'a str,
    plugin: PluginEntry<'a>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    meta: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct PluginEntry<'a> {
    name: &'a str,
    /// None for what the host itself made (provenance).
    digest: Option<String>,
}

/// Renders the manifest for `records` (already in path order), ending in a newline.
pub fn render(
    project: &Project,
    records: &[Record],
    unsandboxed_tools: bool,
    cache: Option<&Summary>,
    signatures: &[Signed],
    partial: Option<&super::partial::Section>,
) -> String {
    let manifest = Manifest {
        schema: SCHEMA,
        project: ProjectEntry {
            name: &project.name,
            version: &project.version,
            commit: project.commit.as_deref(),
            source_date_epoch: project.source_date_epoch,
        },
        xhost: XhostEntry {
            version: env!("CARGO_PKG_VERSION"),
            unsandboxed_tools,
        },
        artifacts: records
            .iter()
            .map(|r| Entry {
                name: r.name(),
                path: &r.path,
                kind: r.kind,
                target: r.target.as_ref().map(ToString::to_string),
                sha256: &r.sha256,
                size: r.size,
                stage: &r.stage,
                plugin: PluginEntry {
                    name: &r.plugin,
                    digest: (!r.plugin_digest.is_empty())
                        .then(|| format!("sha256:{}", r.plugin_digest)),
                },
                meta: r
                    .meta
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect(),
            })
            .collect(),
        cache,
        signatures,
        partial,
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    json.push('\n');
    json
}
