//! `builtin:cargo-fetch`: downloads the crates the project's Cargo.lock names, once,
//! into the cargo home xhost gives it (a fetch stage: listed before the per-target
//! stages and granted `net` to the registry's hosts). `cargo fetch --locked` fetches
//! every platform's crates, so one fetch serves every target. Nothing is returned: the
//! directory is the stage's output, and xhost checks each crate against Cargo.lock's
//! checksum and unpacks it itself before any build reads it.

use serde::Deserialize;
use xhost_plugin_sdk::exec::Command;
use xhost_plugin_sdk::{Artifact, Job, PluginInfo, Stage, StageError, log};

/// The stage's `config` table.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Granted program to run; default `cargo`.
    tool: String,
    /// The package or workspace directory in the source tree; default `.`.
    package: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tool: "cargo".into(),
            package: ".".into(),
        }
    }
}

struct CargoFetch;

impl Stage for CargoFetch {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "cargo-fetch",
            env!("CARGO_PKG_VERSION"),
            "Downloads the crates Cargo.lock names, for every platform (a fetch stage)",
        )
        .running(["cargo"])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let manifest = format!("{}/Cargo.toml", config.package.trim_end_matches('/'));
        log::info("cargo fetch --locked");
        let output = Command::new(&config.tool)
            .args(["fetch", "--locked", "--manifest-path"])
            .source(manifest.as_str())
            .run()?;
        if output.success() {
            return Ok(Vec::new());
        }
        Err(StageError::failed(explain(&output.stderr_text())))
    }
}

/// cargo's message, with what to do about the failures users meet most.
fn explain(stderr: &str) -> String {
    let said = stderr.trim_end();
    let fix = if said.contains("needs to be updated") || said.contains("--locked was passed") {
        "Cargo.lock does not match Cargo.toml: run `cargo update -w` and commit Cargo.lock"
    } else if said.contains("checksum for") && said.contains("changed") {
        "a crate's content differs from Cargo.lock's checksum: the registry (or something between) served other bytes. If Cargo.lock is right, do not trust that source"
    } else if said.contains("Couldn't resolve host")
        || said.contains("failed to connect")
        || said.contains("Connection refused")
        || said.contains("download of config.json failed")
    {
        "the registry could not be reached. The stage reaches only the hosts in its `grants.net`: grant the registry's index and download hosts"
    } else if said.contains("git") && said.contains("fetch") {
        "a git dependency: the sandbox runs no version control tools; vendor it with `cargo vendor`, or depend on a registry release"
    } else {
        "see cargo's message above"
    };
    format!("cargo fetch failed:\n{said}\nfix: {fix}")
}

xhost_plugin_sdk::export_plugin!(CargoFetch);
