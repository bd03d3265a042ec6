//! `builtin:sbom`: an SPDX 2.3 and a CycloneDX 1.6 document for each binary of a
//! target, next to it (`<binary>.spdx.json`, `<binary>.cdx.json`). Module facts come
//! from the Go build information inside ELF, Mach-O, PE, XCOFF and Plan 9 binaries; for
//! wasm, where the linker writes none, from go.mod, go.sum and vendor/modules.txt in
//! `/src`. The target, with its variant, is recorded in both documents.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};
use xhost_sbom::{BuildInfo, Subject};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// `["spdx", "cyclonedx"]` (default: both).
    formats: Option<Vec<String>>,
}

struct Sbom;

impl Stage for Sbom {
    fn describe() -> PluginInfo {
        PluginInfo::per_target(
            "sbom",
            env!("CARGO_PKG_VERSION"),
            "Writes SPDX 2.3 and CycloneDX 1.6 SBOMs for each Go binary",
        )
        .consuming([ArtifactKind::Binary])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let formats = config
            .formats
            .unwrap_or_else(|| vec!["spdx".into(), "cyclonedx".into()]);
        if let Some(bad) = formats
            .iter()
            .find(|f| !matches!(f.as_str(), "spdx" | "cyclonedx"))
        {
            return Err(StageError::invalid_config(format!(
                "formats: unknown format `{bad}`; use spdx and/or cyclonedx"
            )));
        }
        let tool = format!("xhost builtin:sbom {}", env!("CARGO_PKG_VERSION"));
        let mut outputs = Vec::new();
        for input in &job.inputs {
            let rel = input_rel(&input.path);
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let binary = read(&input.path)?;
            let sha256: String = Sha256::digest(&binary)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let facts = facts(&binary, input)?;
            let target = input.target.as_ref().map(|t| t.name());
            let subject = Subject {
                name: rel,
                sha256: &sha256,
                target: target.as_deref(),
                created: job.project.source_date_epoch.unwrap_or(0),
                tool: &tool,
            };
            for format in &formats {
                let (suffix, document) = match format.as_str() {
                    "spdx" => ("spdx.json", xhost_sbom::spdx::document(&subject, &facts)),
                    _ => (
                        "cdx.json",
                        xhost_sbom::cyclonedx::document(&subject, &facts),
                    ),
                };
                let file = format!("{name}.{suffix}");
                let text = serde_json::to_string_pretty(&document).expect("serialisable") + "\n";
                write(format!("/out/{file}"), text)?;
                outputs.push(
                    Artifact::output(&file, ArtifactKind::Sbom, input.target.clone())
                        .with_meta(
                            "format",
                            if *format == "spdx" {
                                "spdx-2.3"
                            } else {
                                "cyclonedx-1.6"
                            },
                        )
                        .with_meta("describes", rel),
                );
            }
            info!(
                "{name}: {} modules, {}",
                facts.deps.len() + 1,
                facts.go_version
            );
        }
        Ok(outputs)
    }
}

/// Build information from the binary, or for wasm from the sources.
fn facts(binary: &[u8], input: &Artifact) -> Result<BuildInfo, StageError> {
    let name = input_rel(&input.path);
    if !binary.starts_with(b"\0asm") {
        return xhost_sbom::buildinfo::read(binary)
            .map_err(|e| StageError::unsupported(format!("{name}: {e}")));
    }
    let go_mod = std::fs::read_to_string("/src/go.mod").map_err(|_| {
        StageError::failed(format!(
            "{name}: the Go linker records no module information in wasm binaries, so the SBOM needs go.mod from the source tree; grant the stage `source = true`"
        ))
    })?;
    let go_sum = std::fs::read_to_string("/src/go.sum").ok();
    let modules_txt = std::fs::read_to_string("/src/vendor/modules.txt").ok();
    let go_version = input
        .meta
        .iter()
        .find(|(k, _)| k == "go_version")
        .map(|(_, v)| v.as_str());
    let sources = xhost_sbom::gosource::Sources {
        go_mod: &go_mod,
        go_sum: go_sum.as_deref(),
        modules_txt: modules_txt.as_deref(),
    };
    xhost_sbom::gosource::read(&sources, go_version)
        .map_err(|e| StageError::failed(format!("{name}: {e}")))
}

xhost_plugin_sdk::export_plugin!(Sbom);
