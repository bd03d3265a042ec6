//! `builtin:go-build`: builds the project's main package for one target with the
//! granted `go`, statically (`CGO_ENABLED=0`) and path-independent (`-trimpath`). The
//! target's variant sets `GOARM` (arm `v7` → `7`) or `GOAMD64` (amd64 `v3`).

use serde::Deserialize;
use xhost_plugin_sdk::exec::Command;
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, log};

/// The stage's `config` table.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Granted program to run; default `go`.
    tool: Option<String>,
    /// `-ldflags` (xhost fills it in from `[build] ldflags`, placeholders expanded).
    ldflags: Option<String>,
    /// Extra `go build` flags after the defaults.
    flags: Vec<String>,
    /// Extra variables (`GOAMD64 = "v3"`, …), from the host's allow-list.
    env: std::collections::BTreeMap<String, String>,
}

struct GoBuild;

impl Stage for GoBuild {
    fn describe() -> PluginInfo {
        PluginInfo::per_target(
            "go-build",
            env!("CARGO_PKG_VERSION"),
            "Builds the main Go package for one target (CGO_ENABLED=0, -trimpath)",
        )
        .running(["go"])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let target = job.target.clone().ok_or_else(|| {
            StageError::Unsupported("go-build runs per target; it got a release job".into())
        })?;
        let binary = format!("{}{}", job.build.binary, target.executable_suffix());
        let tool = config.tool.as_deref().unwrap_or("go");
        let mut command = Command::new(tool)
            .args(["build", "-trimpath", "-buildvcs=false", "-o"])
            .output(binary.as_str());
        if let Some(ldflags) = &config.ldflags {
            command = command.arg("-ldflags").arg(ldflags.as_str());
        }
        let mut command = command
            .args(job.build.flags.iter().cloned())
            .args(config.flags.iter().cloned())
            .source(job.build.main.as_str())
            .env("GOOS", target.os.as_str())
            .env("GOARCH", target.arch.as_str())
            .env("CGO_ENABLED", "0");
        if let Some(variant) = &target.variant {
            command = match target.arch.as_str() {
                "arm" => command.env("GOARM", variant.trim_start_matches('v')),
                "amd64" => command.env("GOAMD64", variant.as_str()),
                other => {
                    return Err(StageError::Unsupported(format!(
                        "go-build knows no variant `{variant}` of {other}"
                    )));
                }
            };
        }
        for (name, value) in &config.env {
            command = command.env(name, value.as_str());
        }
        if let Some(epoch) = job.project.source_date_epoch {
            command = command.env("SOURCE_DATE_EPOCH", epoch.to_string());
        }
        log::info(&format!(
            "go build {} for {}",
            job.build.main,
            target.name()
        ));
        let output = command.run()?;
        if !output.success() {
            let status = output.exit_code.map_or_else(
                || "was killed by a signal".to_string(),
                |c| format!("exited with status {c}"),
            );
            return Err(StageError::failed(format!(
                "go build {status}:\n{}",
                output.stderr_text().trim_end()
            )));
        }
        // The SBOM of a wasm binary needs the toolchain version, which the Go linker
        // records in native binaries only.
        let go_version = Command::new(tool).args(["env", "GOVERSION"]).run()?;
        let go_version = String::from_utf8_lossy(&go_version.stdout)
            .trim()
            .to_string();
        Ok(vec![
            Artifact::output(&binary, ArtifactKind::Binary, Some(target.clone()))
                .with_meta("go_version", go_version)
                .with_meta("goos", target.os.as_str())
                .with_meta("goarch", target.arch.as_str()),
        ])
    }
}

xhost_plugin_sdk::export_plugin!(GoBuild);
