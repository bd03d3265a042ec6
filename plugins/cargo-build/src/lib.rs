//! `builtin:cargo-build`: builds a Rust package's binaries for one target.
//!
//! The xhost target maps to a Rust triple ([`triple`]): linux with musl (static, the
//! default) or glibc (the `libc` setting, with the oldest glibc to link against), darwin, windows (GNU), freebsd, netbsd, illumos, `wasm32-wasip1` and
//! `wasm32-wasip2`. Native targets link through the granted cross tool
//! (`cargo-zigbuild`, which links with zig), so what is linked comes from the toolchain
//! xhost hashes into the action key rather than from this machine's C compiler; wasm
//! links with the Rust toolchain's own linker. Without the cross tool granted, cargo
//! links with the system's `cc`, which builds for this machine only.
//!
//! It runs `cargo install --path PACKAGE --root /out/… --locked --offline`: the same
//! build as `cargo build --release`, with Cargo.lock held and the binaries copied out of
//! cargo's target directory (which xhost keeps per target in the tool's cache).

use std::collections::BTreeMap;

use serde::Deserialize;
use xhost_plugin_sdk::exec::{Command, ExecError, Output};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, Target, log};

/// The stage's `config` table.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Granted cargo; default `cargo`.
    tool: String,
    /// Granted program that links for other systems; default `cargo-zigbuild`. Empty:
    /// link with the system's `cc` (this machine's target only).
    cross: String,
    /// Linux C library: `musl` (default: static binaries that run on any Linux, as Go's
    /// do) or `gnu`.
    libc: String,
    /// The oldest glibc the binaries need (`2.17`), for `gnu` through the cross tool.
    glibc: Option<String>,
    /// Cargo profile; default `release`.
    profile: String,
    /// The package's directory in the source tree; default `[build] main` (`.`).
    package: Option<String>,
    /// Binaries to build (`[[bin]]` names); default `[build] binary`.
    bins: Vec<String>,
    features: Vec<String>,
    all_features: bool,
    no_default_features: bool,
    /// Triples for targets, overriding the mapping (`"linux/arm64" = "aarch64-unknown-linux-musl"`).
    triples: BTreeMap<String, String>,
    /// Extra variables, from the host's allow-list (`RUSTFLAGS`, `CARGO_PROFILE_RELEASE_*`).
    env: BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tool: "cargo".into(),
            cross: "cargo-zigbuild".into(),
            libc: "musl".into(),
            glibc: None,
            profile: "release".into(),
            package: None,
            bins: Vec::new(),
            features: Vec::new(),
            all_features: false,
            no_default_features: false,
            triples: BTreeMap::new(),
            env: BTreeMap::new(),
        }
    }
}

struct CargoBuild;

impl Stage for CargoBuild {
    fn describe() -> PluginInfo {
        PluginInfo::per_target(
            "cargo-build",
            env!("CARGO_PKG_VERSION"),
            "Builds a Rust package's binaries for one target (--locked, --offline; linked through zig)",
        )
        .running(["cargo", "cargo-zigbuild", "zig"])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let target = job.target.clone().ok_or_else(|| {
            StageError::Unsupported("cargo-build runs per target; it got a release job".into())
        })?;
        if !matches!(config.libc.as_str(), "gnu" | "musl") {
            return Err(StageError::invalid_config(format!(
                "libc = \"{}\": use \"gnu\" or \"musl\"",
                config.libc
            )));
        }
        let triple = match config.triples.get(&target.name()) {
            Some(triple) => triple.clone(),
            None => triple(&target, &config.libc)?,
        };
        let wasm = triple.starts_with("wasm");
        // What cargo-zigbuild is given: the triple, and the glibc to link against.
        let zig_triple = match (&config.glibc, triple.ends_with("-gnu")) {
            (Some(glibc), true) => format!("{triple}.{glibc}"),
            _ => triple.clone(),
        };
        let (program, target_arg) = if wasm || config.cross.is_empty() {
            (config.tool.as_str(), triple.as_str())
        } else {
            (config.cross.as_str(), zig_triple.as_str())
        };
        let bins = if config.bins.is_empty() {
            vec![job.build.binary.clone()]
        } else {
            config.bins.clone()
        };
        let package = config.package.as_deref().unwrap_or(&job.build.main);

        let mut command = Command::new(program)
            .arg("install")
            .arg("--path")
            .source(package)
            .arg("--root")
            .output("install")
            .args([
                "--locked",
                "--offline",
                "--no-track",
                "--target",
                target_arg,
            ])
            .args(["--profile", config.profile.as_str()]);
        for bin in &bins {
            command = command.args(["--bin", bin.as_str()]);
        }
        if !config.features.is_empty() {
            command = command.arg("--features").arg(config.features.join(","));
        }
        if config.all_features {
            command = command.arg("--all-features");
        }
        if config.no_default_features {
            command = command.arg("--no-default-features");
        }
        command = command.args(job.build.flags.iter().cloned());
        if let Some(flags) = variant_rustflags(&target)? {
            if config.env.contains_key("RUSTFLAGS") {
                return Err(StageError::invalid_config(format!(
                    "env sets RUSTFLAGS, which the target {} sets ({flags}); set target-cpu there, or build a target without a variant",
                    target.name()
                )));
            }
            command = command.env("RUSTFLAGS", flags);
        }
        for (name, value) in &config.env {
            command = command.env(name, value.as_str());
        }
        if let Some(epoch) = job.project.source_date_epoch {
            command = command.env("SOURCE_DATE_EPOCH", epoch.to_string());
        }
        log::info(&format!(
            "{program} install {package} for {} ({target_arg})",
            target.name()
        ));
        let output = command
            .run()
            .map_err(|e| not_granted(e, program, &target))?;
        if !output.success() {
            return Err(explain(&output, &triple, program));
        }

        let version = rust_version(&config.tool)?;
        let package_name = package_name(package)?;
        let mut artifacts = Vec::new();
        for bin in &bins {
            let file = format!("{bin}{}", executable_suffix(&triple));
            let built = format!("/out/install/bin/{file}");
            std::fs::rename(&built, format!("/out/{file}")).map_err(|e| {
                StageError::failed(format!(
                    "cargo reported success but {file} is not among what it installed ({e}); is `{bin}` a [[bin]] of the package at {package}?"
                ))
            })?;
            artifacts.push(
                Artifact::output(&file, ArtifactKind::Binary, Some(target.clone()))
                    .with_meta("rust_target", triple.as_str())
                    .with_meta("rust_version", version.as_str())
                    .with_meta("package", package_name.as_str())
                    .with_meta("goos", target.os.as_str())
                    .with_meta("goarch", target.arch.as_str()),
            );
        }
        let _ = std::fs::remove_dir_all("/out/install");
        Ok(artifacts)
    }
}

/// The Rust triple of an xhost target.
fn triple(target: &Target, libc: &str) -> Result<String, StageError> {
    let linux = |arch: &str, abi: &str| format!("{arch}-unknown-linux-{libc}{abi}");
    let triple = match (target.os.as_str(), target.arch.as_str()) {
        ("linux", "amd64") => linux("x86_64", ""),
        ("linux", "arm64") => linux("aarch64", ""),
        ("linux", "386") => linux("i686", ""),
        ("linux", "arm") => match target.variant.as_deref() {
            None | Some("v7") => linux("armv7", "eabihf"),
            Some("v6") => linux("arm", "eabihf"),
            Some("v5") => linux("armv5te", "eabi"),
            Some(other) => return Err(no_variant(target, other)),
        },
        ("linux", "riscv64") => linux("riscv64gc", ""),
        ("linux", "ppc64le") => linux("powerpc64le", ""),
        ("linux", "s390x") => "s390x-unknown-linux-gnu".into(),
        ("linux", "loong64") => linux("loongarch64", ""),
        ("darwin", "amd64") => "x86_64-apple-darwin".into(),
        ("darwin", "arm64") => "aarch64-apple-darwin".into(),
        ("windows", "amd64") => "x86_64-pc-windows-gnu".into(),
        ("windows", "386") => "i686-pc-windows-gnu".into(),
        ("windows", "arm64") => "aarch64-pc-windows-gnullvm".into(),
        ("freebsd", "amd64") => "x86_64-unknown-freebsd".into(),
        ("freebsd", "386") => "i686-unknown-freebsd".into(),
        ("freebsd", "arm64") => "aarch64-unknown-freebsd".into(),
        ("netbsd", "amd64") => "x86_64-unknown-netbsd".into(),
        ("illumos", "amd64") => "x86_64-unknown-illumos".into(),
        ("wasip1", "wasm") => "wasm32-wasip1".into(),
        ("wasip2", "wasm") => "wasm32-wasip2".into(),
        (os, arch) => {
            return Err(StageError::unsupported(format!(
                "cargo-build knows no Rust target for {os}/{arch}; name one in the stage's config: triples = {{ \"{}\" = \"<triple>\" }}",
                target.name()
            )));
        }
    };
    // Refuses a variant that neither the triple nor RUSTFLAGS expresses.
    variant_rustflags(target)?;
    Ok(triple)
}

/// `RUSTFLAGS` for an amd64 level (`v2`–`v4`: `-C target-cpu=x86-64-v3`).
fn variant_rustflags(target: &Target) -> Result<Option<String>, StageError> {
    match (target.arch.as_str(), target.variant.as_deref()) {
        ("amd64", Some("v1")) | (_, None) => Ok(None),
        ("amd64", Some(level @ ("v2" | "v3" | "v4"))) => {
            Ok(Some(format!("-C target-cpu=x86-64-{level}")))
        }
        ("arm", Some(_)) => Ok(None),
        (_, Some(other)) => Err(no_variant(target, other)),
    }
}

fn no_variant(target: &Target, variant: &str) -> StageError {
    StageError::unsupported(format!(
        "cargo-build knows no variant `{variant}` of {}/{}; name a Rust target for {} in the stage's config (triples)",
        target.os,
        target.arch,
        target.name()
    ))
}

fn executable_suffix(triple: &str) -> &'static str {
    if triple.contains("-windows") {
        ".exe"
    } else if triple.starts_with("wasm") {
        ".wasm"
    } else {
        ""
    }
}

/// The `[package]` name in `PACKAGE/Cargo.toml` (the SBOM's main component).
fn package_name(package: &str) -> Result<String, StageError> {
    let path = format!("/src/{}/Cargo.toml", package.trim_end_matches('/'));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        StageError::failed(format!(
            "reading {}: {e}; is `package` (or [build] main) the directory of a Cargo package?",
            path.trim_start_matches("/src/")
        ))
    })?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            return Ok(value.trim().trim_matches('"').to_string());
        }
    }
    Err(StageError::failed(format!(
        "{}: no [package] name; point `package` in the stage's config at a package, not a workspace root",
        path.trim_start_matches("/src/")
    )))
}

/// The toolchain's release (`1.95.0`), from `cargo -vV`; cargo and rustc of one
/// toolchain share it.
fn rust_version(tool: &str) -> Result<String, StageError> {
    let output = Command::new(tool).arg("-vV").run()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("release: "))
        .map(|v| v.trim().to_string())
        .ok_or_else(|| StageError::failed(format!("`{tool} -vV` did not say its release")))
}

/// A program the stage was not granted, in the user's terms.
fn not_granted(error: ExecError, program: &str, target: &Target) -> StageError {
    match error {
        ExecError::NotGranted(_) if program != "cargo" => StageError::failed(format!(
            "building for {} links through `{program}` (and zig), which the stage is not granted; add them: grants = {{ exec = [\"cargo\", \"{program}\", \"zig\"], source = true }}, or set cross = \"\" in the stage's config to link with this machine's cc (its own target only)",
            target.name()
        )),
        other => other.into(),
    }
}

/// cargo's failure, with the fix for the failures users meet.
fn explain(output: &Output, triple: &str, program: &str) -> StageError {
    let stderr = output.stderr_text();
    let status = output.exit_code.map_or_else(
        || "was killed by a signal".to_string(),
        |c| format!("exited with status {c}"),
    );
    let hint = if stderr.contains("target may not be installed")
        || stderr.contains("can't find crate for `std`")
        || stderr.contains("may not be installed")
    {
        format!(
            "\nThe Rust standard library for {triple} is not installed in the toolchain: run `rustup target add {triple}`."
        )
    } else if stderr.contains("pkg-config")
        || stderr.contains("Could not find system library")
        || stderr.contains("could not find native static library")
        || stderr.contains("unable to find dynamic system library")
        || stderr.contains("unable to find static system library")
    {
        format!(
            "\nA crate links a system C library, which the sandbox does not hold for {triple}. Use the crate's feature that builds the library from source (e.g. openssl's `vendored`, or rustls instead of native-tls), through `features` in the stage's config."
        )
    } else if stderr.contains("no matching package named")
        || stderr.contains("failed to download")
        || stderr.contains("attempting to make an HTTP request, but --offline")
    {
        "\nA crate is not in the fetched registry: the build is offline. Let the default pipeline's `crates` stage fetch them (keep Cargo.lock committed), or vendor them with `cargo vendor`.".to_string()
    } else if stderr.contains("the lock file") && stderr.contains("needs to be updated") {
        "\nCargo.lock does not match Cargo.toml: run `cargo update -w` (or `cargo generate-lockfile`) and commit Cargo.lock.".to_string()
    } else if stderr.contains("arm-features.h") && stderr.contains("Read-only file system") {
        // cargo-zigbuild completes zig's glibc headers for 32-bit ARM on first use
        // (zig issue 3287), and xhost keeps zig's installation read-only.
        format!(
            "\nzig's installation lacks glibc's arm-features.h, which cargo-zigbuild adds on its first 32-bit ARM build; xhost keeps zig read-only. Run `cargo zigbuild --target {triple}` once outside xhost (in any crate), then build again."
        )
    } else if stderr.contains("linker `cc` not found")
        || stderr.contains("linking with `cc` failed")
    {
        format!(
            "\nLinking for {triple} needs a linker for it: grant the stage `cargo-zigbuild` and `zig` and leave `cross` at its default."
        )
    } else {
        String::new()
    };
    StageError::failed(format!("{program} {status}:\n{}{hint}", tail(&stderr, 60)))
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.trim_end().lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

xhost_plugin_sdk::export_plugin!(CargoBuild);
