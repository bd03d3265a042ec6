//! `builtin:go-mod`: downloads the modules the project's `go.mod` requires, once, into
//! the module cache xhost gives it (a fetch stage: listed before the per-target
//! stages and granted `net` to the module proxy's hosts). Go checks each download
//! against `go.sum`; xhost checks the whole cache again after this stage, before any
//! build reads it. Nothing is returned: the cache is the stage's output.

use serde::Deserialize;
use xhost_plugin_sdk::exec::Command;
use xhost_plugin_sdk::{Artifact, Job, PluginInfo, Stage, StageError, log};

/// The stage's `config` table: Go's own module settings, under their Go names
/// without the `GO` prefix.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Granted program to run; default `go`.
    tool: String,
    /// `GOPROXY`: proxy URLs, `,`- or `|`-separated (never `direct`: that would run
    /// version control tools).
    proxy: String,
    /// `GOSUMDB`: the checksum database asked about modules go.sum does not list, or
    /// `off`.
    sumdb: String,
    /// `GOPRIVATE`, `GONOSUMDB`, `GONOPROXY`: module path patterns (`noproxy` is
    /// `none` when `private` is set and it is not).
    private: Option<String>,
    nosumdb: Option<String>,
    noproxy: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tool: "go".into(),
            proxy: "https://proxy.golang.org".into(),
            sumdb: "sum.golang.org".into(),
            private: None,
            nosumdb: None,
            noproxy: None,
        }
    }
}

struct GoMod;

impl Stage for GoMod {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "go-mod",
            env!("CARGO_PKG_VERSION"),
            "Downloads the Go modules go.mod requires, checked against go.sum (a fetch stage)",
        )
        .running(["go"])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let mut command = Command::new(&config.tool)
            .args(["mod", "download"])
            .env("GOPROXY", config.proxy.as_str())
            .env("GOSUMDB", config.sumdb.as_str());
        // GONOPROXY defaults to GOPRIVATE, whose modules Go would then fetch with
        // version control tools, which a fetch stage never runs: private modules come
        // from the proxy too unless the config says otherwise.
        let noproxy = config
            .noproxy
            .clone()
            .or_else(|| config.private.as_ref().map(|_| "none".to_string()));
        for (name, value) in [
            ("GOPRIVATE", &config.private),
            ("GONOSUMDB", &config.nosumdb),
            ("GONOPROXY", &noproxy),
        ] {
            if let Some(value) = value {
                command = command.env(name, value.as_str());
            }
        }
        log::info(&format!("go mod download from {}", config.proxy));
        let output = command.run()?;
        if output.success() {
            return Ok(Vec::new());
        }
        Err(StageError::failed(explain(&output.stderr_text(), &config)))
    }
}

/// Go's message, with what to do about the failures users meet most.
fn explain(stderr: &str, config: &Config) -> String {
    let said = stderr.trim_end();
    let fix = if said.contains("SECURITY ERROR") || said.contains("checksum mismatch") {
        "the module proxy served content that differs from go.sum. If go.sum is right, the proxy (or something between) is not to be trusted; if you changed a dependency on purpose, run `go mod tidy` and commit go.sum"
    } else if said.contains("missing go.sum entry") {
        "go.sum lacks a checksum this build needs: run `go mod tidy` and commit go.sum"
    } else if said.contains("dial tcp")
        || said.contains("connection refused")
        || said.contains("no such host")
    {
        "the module proxy could not be reached. The stage reaches only the hosts in its `grants.net`: grant the proxy's host (and the checksum database's), or set `proxy` in the stage's config to a proxy it may reach"
    } else if said.contains("404 Not Found")
        || said.contains("410 Gone")
        || said.contains("unknown revision")
    {
        "the proxy does not have a module version go.mod requires: check the version, or for a private module set `private` (GOPRIVATE) and `proxy` to a proxy that serves it (and grant its host in `grants.net`)"
    } else {
        "see Go's message above"
    };
    format!(
        "go mod download from {} failed:\n{said}\nfix: {fix}",
        config.proxy
    )
}

xhost_plugin_sdk::export_plugin!(GoMod);
