//! size-report: an example xhost plugin (world `plugin`, release scope). It writes
//! `<name>_<version>_sizes.txt` (or `.json`) listing every binary and archive of the
//! release with its size, per target, largest first, with totals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use xhost_plugin_sdk::files::{input_rel, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// `text` (default) or `json`.
    format: Option<String>,
    /// Warn about any artifact larger than this many bytes.
    warn_above: Option<u64>,
}

#[derive(Serialize)]
struct Entry {
    path: String,
    target: Option<String>,
    kind: &'static str,
    bytes: u64,
}

struct SizeReport;

impl Stage for SizeReport {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "size-report",
            env!("CARGO_PKG_VERSION"),
            "Reports the size of every binary and archive",
        )
        .consuming([ArtifactKind::Binary, ArtifactKind::Archive])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let json = match config.format.as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(StageError::invalid_config(format!(
                    "format `{other}`: use text or json"
                )));
            }
        };
        let mut entries = job
            .inputs
            .iter()
            .map(|input| {
                Ok(Entry {
                    path: input_rel(&input.path).to_string(),
                    target: input.target.as_ref().map(|t| t.name()),
                    kind: kind_name(input.kind),
                    bytes: std::fs::metadata(&input.path)?.len(),
                })
            })
            .collect::<Result<Vec<_>, StageError>>()?;
        entries.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.path.cmp(&b.path)));
        if let Some(limit) = config.warn_above {
            for big in entries.iter().filter(|e| e.bytes > limit) {
                xhost_plugin_sdk::warn!("{} is {} bytes, over {limit}", big.path, big.bytes);
            }
        }
        let total: u64 = entries.iter().map(|e| e.bytes).sum();
        let stem = format!("{}_{}_sizes", job.project.name, job.project.version);
        let (name, text) = if json {
            let body = serde_json::json!({ "total_bytes": total, "artifacts": entries });
            (
                format!("{stem}.json"),
                serde_json::to_string_pretty(&body).expect("serialisable") + "\n",
            )
        } else {
            (format!("{stem}.txt"), render_text(&job, &entries, total))
        };
        write(format!("/out/{name}"), text)?;
        info!("{} artifacts, {total} bytes in all", entries.len());
        Ok(vec![
            Artifact::output(&name, ArtifactKind::Other, None)
                .with_meta("total_bytes", total.to_string()),
        ])
    }
}

fn render_text(job: &Job, entries: &[Entry], total: u64) -> String {
    let mut per_target: BTreeMap<&str, u64> = BTreeMap::new();
    for entry in entries {
        *per_target
            .entry(entry.target.as_deref().unwrap_or("-"))
            .or_default() += entry.bytes;
    }
    let mut text = format!(
        "Artifact sizes of {} {}\n\n",
        job.project.name, job.project.version
    );
    for entry in entries {
        text.push_str(&format!(
            "{:>12}  {:<9} {}\n",
            entry.bytes, entry.kind, entry.path
        ));
    }
    text.push_str("\nper target\n");
    for (target, bytes) in per_target {
        text.push_str(&format!("{bytes:>12}  {target}\n"));
    }
    text.push_str(&format!("\n{total:>12}  total\n"));
    text
}

fn kind_name(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::Binary => "binary",
        ArtifactKind::Archive => "archive",
        ArtifactKind::Checksum => "checksum",
        ArtifactKind::Sbom => "sbom",
        ArtifactKind::Signature => "signature",
        ArtifactKind::Provenance => "provenance",
        ArtifactKind::Other => "other",
    }
}

xhost_plugin_sdk::export_plugin!(SizeReport);
