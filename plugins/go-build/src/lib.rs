//! `builtin:go-build`: builds the project's main package for one target with the
//! granted `go`, statically (`CGO_ENABLED=0`) and path-independent (`-trimpath`);
//! with `cgo` for the target, with `CGO_ENABLED=1` and the granted zig as the C
//! compiler for it (`zig cc -target …`: static musl on linux, MinGW on windows, zig's
//! own libSystem stub on darwin), so C code cross-compiles from any machine. The
//! target's variant sets the architecture's Go variable (see [`variant_env`]): `GOARM`
//! (arm `v7` → `7`), `GOAMD64` (`v3`), `GOARM64` (arm64 `v8.2`; `v8` → `v8.0`), `GO386`,
//! `GOMIPS`, `GOMIPS64`, `GOPPC64`, `GORISCV64` (the same word).

use serde::Deserialize;
use xhost_plugin_sdk::exec::Command;
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, Target, log};

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
    /// cgo: `true` for every target, or the targets that use it (`["linux/amd64",
    /// "darwin/arm64"]`); off by default.
    cgo: Cgo,
    /// Granted zig, cgo's C compiler; default `zig`.
    zig: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Cgo {
    All(bool),
    Targets(Vec<String>),
}

impl Default for Cgo {
    fn default() -> Self {
        Cgo::All(false)
    }
}

impl Cgo {
    fn wanted(&self, target: &str) -> bool {
        match self {
            Cgo::All(on) => *on,
            Cgo::Targets(targets) => targets.iter().any(|t| t == target),
        }
    }
}

struct GoBuild;

impl Stage for GoBuild {
    fn describe() -> PluginInfo {
        PluginInfo::per_target(
            "go-build",
            env!("CARGO_PKG_VERSION"),
            "Builds the main Go package for one target (-trimpath; CGO_ENABLED=0, or cgo with zig where configured)",
        )
        .running(["go"])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let target = job.target.clone().ok_or_else(|| {
            StageError::Unsupported("go-build runs per target; it got a release job".into())
        })?;
        if target.os == "wasip2" {
            return Err(StageError::unsupported(
                "wasip2/wasm is not a Go port (Go builds WASI 0.1 modules: wasip1/wasm)",
            ));
        }
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
            .env("GOARCH", target.arch.as_str());
        let cgo = config.cgo.wanted(&target.name());
        if cgo {
            let zig = config.zig.as_deref().unwrap_or("zig");
            if zig != "zig" {
                return Err(StageError::invalid_config(
                    "zig: cgo's C compiler must be the granted program named `zig`",
                ));
            }
            let triple = zig_target(&target)?;
            command = command
                .env("CGO_ENABLED", "1")
                .env("CC", format!("zig cc -target {triple}"))
                .env("CXX", format!("zig c++ -target {triple}"));
        } else {
            command = command.env("CGO_ENABLED", "0");
        }
        let variant = match &target.variant {
            Some(variant) => Some(variant_env(&target.arch, variant).ok_or_else(|| {
                StageError::Unsupported(format!(
                    "go-build knows no variant `{variant}` of {}",
                    target.arch
                ))
            })?),
            None => None,
        };
        if let Some((name, value)) = &variant {
            if config.env.contains_key(*name) {
                return Err(StageError::invalid_config(format!(
                    "env sets {name}, which the target {} sets ({name}={value}); set it in the target's variant, or build a target without one",
                    target.name()
                )));
            }
            command = command.env(name, value.as_str());
        }
        for (name, value) in &config.env {
            command = command.env(name, value.as_str());
        }
        if let Some(epoch) = job.project.source_date_epoch {
            command = command.env("SOURCE_DATE_EPOCH", epoch.to_string());
        }
        log::info(&format!(
            "go build {} for {}{}",
            job.build.main,
            target.name(),
            if cgo { " with cgo (zig)" } else { "" }
        ));
        let output = command.run()?;
        if !output.success() {
            let status = output.exit_code.map_or_else(
                || "was killed by a signal".to_string(),
                |c| format!("exited with status {c}"),
            );
            let stderr = output.stderr_text();
            let hint = if cgo && stderr.contains("\"zig\"") && stderr.contains("not found") {
                "\ncgo's C compiler is zig, which the stage is not granted: grants = { exec = [\"go\", \"zig\"], source = true }"
            } else {
                ""
            };
            return Err(StageError::failed(format!(
                "go build {status}:\n{}{hint}",
                stderr.trim_end()
            )));
        }
        // The SBOM of a wasm binary needs the toolchain version, which the Go linker
        // records in native binaries only.
        let go_version = Command::new(tool).args(["env", "GOVERSION"]).run()?;
        let go_version = String::from_utf8_lossy(&go_version.stdout)
            .trim()
            .to_string();
        let mut artifact = Artifact::output(&binary, ArtifactKind::Binary, Some(target.clone()))
            .with_meta("go_version", go_version)
            .with_meta("goos", target.os.as_str())
            .with_meta("goarch", target.arch.as_str());
        // The variant's variable, as `go version -m` shows it (`goarm` = `6`).
        if let Some((name, value)) = variant {
            artifact = artifact.with_meta(&name.to_ascii_lowercase(), value);
        }
        Ok(vec![artifact])
    }
}

/// zig's name for a target's C toolchain: static musl on linux, MinGW on windows.
fn zig_target(target: &Target) -> Result<String, StageError> {
    let arch = match (target.arch.as_str(), target.variant.as_deref()) {
        ("amd64", _) => "x86_64",
        ("arm64", _) => "aarch64",
        ("386", _) => "x86",
        ("arm", _) if target.os == "linux" => "arm",
        ("riscv64", _) => "riscv64",
        ("ppc64le", _) => "powerpc64le",
        ("s390x", _) => "s390x",
        ("loong64", _) => "loongarch64",
        _ => return Err(no_cgo(target)),
    };
    let system = match target.os.as_str() {
        "linux" if arch == "arm" => "linux-musleabihf",
        "linux" => "linux-musl",
        "windows" => "windows-gnu",
        "darwin" => "macos",
        "freebsd" => "freebsd",
        _ => return Err(no_cgo(target)),
    };
    Ok(format!("{arch}-{system}"))
}

fn no_cgo(target: &Target) -> StageError {
    StageError::unsupported(format!(
        "go-build knows no C toolchain zig has for {}; build it without cgo (leave it out of `cgo`)",
        target.name()
    ))
}

/// The Go variable a target variant sets, and its value. Variants are spelled as OCI
/// spells them where it can (xhost's `target.rs` has the table): arm's `v5`–`v7` are
/// `GOARM`'s `5`–`7`, arm64's base levels `v8` and `v9` are `GOARM64`'s `v8.0` and
/// `v9.0`; every other variant is the Go value itself.
fn variant_env(arch: &str, variant: &str) -> Option<(&'static str, String)> {
    let name = match arch {
        "386" => "GO386",
        "amd64" => "GOAMD64",
        "arm" => {
            let level = variant.strip_prefix('v')?;
            return Some(("GOARM", level.to_string()));
        }
        "arm64" => {
            let level = match variant {
                "v8" | "v9" => format!("{variant}.0"),
                _ => variant.to_string(),
            };
            return Some(("GOARM64", level));
        }
        "mips" | "mipsle" => "GOMIPS",
        "mips64" | "mips64le" => "GOMIPS64",
        "ppc64" | "ppc64le" => "GOPPC64",
        "riscv64" => "GORISCV64",
        _ => return None,
    };
    Some((name, variant.to_string()))
}

xhost_plugin_sdk::export_plugin!(GoBuild);
