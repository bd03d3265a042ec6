//! The in-toto Statement v1 with its SLSA provenance v1 predicate.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::Run;
use crate::artifacts::Record;
use crate::config::PluginRef;
use crate::plan::Plan;

/// What kind of build this is (SLSA `buildType`).
const BUILD_TYPE: &str = "urn:xhost:build-type:release:v1";

pub fn build(plan: &Plan, records: &[Record], run: &Run) -> Result<Value> {
    let config = &plan.config;
    let subjects: Vec<Value> = records
        .iter()
        .map(|r| json!({ "name": r.path, "digest": { "sha256": r.sha256 } }))
        .collect();
    let stages: Vec<Value> = plan
        .stages
        .iter()
        .map(|s| {
            json!({
                "name": s.config.name,
                "plugin": s.prepared.plugin.label,
                "grants": s.config.grants.to_json(),
            })
        })
        .collect();
    Ok(json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {
                    "project": config.project.name,
                    "version": config.project.version,
                    "targets": config.targets.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "config": config.file.as_ref().map(|_| crate::config::FILE_NAME),
                },
                "internalParameters": {
                    "stages": stages,
                    "sourceDateEpoch": config.project.source_date_epoch,
                    "unsandboxedTools": run.unsandboxed_tools,
                },
                "resolvedDependencies": dependencies(plan)?,
            },
            "runDetails": {
                "builder": {
                    "id": format!("urn:xhost:builder:{}", env!("CARGO_PKG_VERSION")),
                    "version": { "xhost": env!("CARGO_PKG_VERSION") },
                },
                "metadata": {
                    "startedOn": rfc3339(run.started),
                    "finishedOn": rfc3339(run.finished),
                },
            },
        },
    }))
}

/// The plugins (by component digest), the configuration, the source commit and the
/// native tools (by executable digest) the release was built from.
fn dependencies(plan: &Plan) -> Result<Vec<Value>> {
    let mut deps = Vec::new();
    for stage in &plan.stages {
        let uri = match &stage.config.plugin {
            PluginRef::Builtin { name, .. } => format!("xhost:builtin/{name}"),
            PluginRef::File { written, .. } => format!("xhost:file/{written}"),
            PluginRef::Oci { reference, .. } => reference.to_string(),
        };
        deps.push(json!({
            "name": format!("stage:{}", stage.config.name),
            "uri": uri,
            "digest": { "sha256": stage.prepared.plugin.digest },
        }));
    }
    if let Some(file) = &plan.config.file {
        let (sha256, _) = crate::digest::sha256_file(file)?;
        deps.push(json!({ "name": "config", "uri": format!("file:{}", crate::config::FILE_NAME), "digest": { "sha256": sha256 } }));
    }
    if let Some(commit) = &plan.config.project.commit {
        deps.push(
            json!({ "name": "source", "uri": "git+file:.", "digest": { "gitCommit": commit } }),
        );
    }
    let mut tools: Vec<_> = plan
        .stages
        .iter()
        .flat_map(|s| crate::caps::exec::programs(s).values())
        .collect();
    tools.sort_by(|a, b| a.path.cmp(&b.path));
    tools.dedup_by(|a, b| a.path == b.path);
    for tool in tools {
        let (sha256, _) = crate::digest::sha256_file(&tool.path)
            .with_context(|| format!("hashing tool {}", tool.path.display()))?;
        deps.push(json!({
            "name": format!("tool:{}", tool.name),
            "uri": format!("file:{}", tool.path.display()),
            "digest": { "sha256": sha256 },
        }));
    }
    Ok(deps)
}

fn rfc3339(time: std::time::SystemTime) -> String {
    time::OffsetDateTime::from(time)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
