//! `builtin:sbom`: an SPDX 2.3 and a CycloneDX 1.6 document for each Go and Rust binary
//! of a target, next to it (`<binary>.spdx.json`, `<binary>.cdx.json`).
//!
//! Go: module facts come from the Go build information inside ELF, Mach-O, PE, XCOFF
//! and Plan 9 binaries; for wasm, where the linker writes none, from go.mod, go.sum and
//! vendor/modules.txt in `/src`.
//! Rust (a binary whose metadata has `rust_target`, as builtin:cargo-build writes it):
//! the crates come from the binary's `cargo auditable` section when it has one (what was
//! compiled for its target), with checksums and exact sources from `/src/Cargo.lock`;
//! otherwise from `/src/Cargo.lock` alone, the crates the binary's `package` reaches.
//! The target, with its variant, is recorded in both documents.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};
use xhost_sbom::cargo::{Lock, Origin};
use xhost_sbom::{BuildInfo, Program, RustProgram, Subject};

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
            "Writes SPDX 2.3 and CycloneDX 1.6 SBOMs for each Go and Rust binary",
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
                    "spdx" => (
                        "spdx.json",
                        xhost_sbom::spdx::document(&subject, facts.program()),
                    ),
                    _ => (
                        "cdx.json",
                        xhost_sbom::cyclonedx::document(&subject, facts.program()),
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
            info!("{name}: {}", facts.summary());
        }
        Ok(outputs)
    }
}

/// What a binary is made of.
enum Facts {
    Go(BuildInfo),
    Rust(RustProgram),
}

impl Facts {
    fn program(&self) -> Program<'_> {
        match self {
            Facts::Go(info) => Program::Go(info),
            Facts::Rust(program) => Program::Rust(program),
        }
    }

    fn summary(&self) -> String {
        match self {
            Facts::Go(info) => format!("{} modules, {}", info.deps.len() + 1, info.go_version),
            Facts::Rust(program) => format!(
                "{} crates (from {}), {}",
                program.crates.list.len(),
                match program.crates.origin {
                    Origin::Auditable => "its cargo auditable section",
                    Origin::CargoLock => "Cargo.lock",
                },
                program.rustc_version.as_deref().unwrap_or("rustc unknown")
            ),
        }
    }
}

/// A metadata value of the artifact.
fn meta<'a>(input: &'a Artifact, key: &str) -> Option<&'a str> {
    input
        .meta
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A Rust program's facts when the artifact says it is one, else a Go program's.
fn facts(binary: &[u8], input: &Artifact) -> Result<Facts, StageError> {
    match meta(input, "rust_target") {
        Some(target) => rust_facts(binary, input, target).map(Facts::Rust),
        None => go_facts(binary, input).map(Facts::Go),
    }
}

/// The crates of the binary's `cargo auditable` section, completed from Cargo.lock, or
/// without one, the crates Cargo.lock says the binary's package depends on.
fn rust_facts(binary: &[u8], input: &Artifact, target: &str) -> Result<RustProgram, StageError> {
    let name = input_rel(&input.path);
    let failed = |e: xhost_sbom::Error| StageError::failed(format!("{name}: {e}"));
    let package = meta(input, "package");
    let compiled = xhost_sbom::auditable::read(binary, package).map_err(failed)?;
    let parse = |text: String| Lock::parse(&text).map_err(failed);
    let crates = match (compiled, std::fs::read_to_string("/src/Cargo.lock")) {
        (Some(compiled), Ok(lock)) => compiled.with_lock(&parse(lock)?),
        (Some(compiled), Err(_)) => {
            info!("{name}: no /src/Cargo.lock, so the crates have no checksums");
            compiled
        }
        (None, Ok(lock)) => parse(lock)?.crates_of(package).map_err(failed)?,
        (None, Err(_)) if !std::path::Path::new("/src").is_dir() => {
            return Err(StageError::failed(format!(
                "{name}: the binary has no cargo auditable section, so the SBOM needs Cargo.lock from the source tree; grant the stage `source = true`"
            )));
        }
        (None, Err(e)) => {
            return Err(StageError::failed(format!(
                "{name}: the binary has no cargo auditable section and /src/Cargo.lock cannot be read ({e}); commit Cargo.lock"
            )));
        }
    };
    Ok(RustProgram {
        rustc_version: meta(input, "rustc_version").map(str::to_string),
        target: target.to_string(),
        crates,
    })
}

/// Build information from the binary, or for wasm from the sources.
fn go_facts(binary: &[u8], input: &Artifact) -> Result<BuildInfo, StageError> {
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
    let go_version = meta(input, "go_version");
    let sources = xhost_sbom::gosource::Sources {
        go_mod: &go_mod,
        go_sum: go_sum.as_deref(),
        modules_txt: modules_txt.as_deref(),
    };
    xhost_sbom::gosource::read(&sources, go_version)
        .map_err(|e| StageError::failed(format!("{name}: {e}")))
}

xhost_plugin_sdk::export_plugin!(Sbom);
