//! Throughput of the built-in artifact stages (strip, archive, checksum) against the
//! native tools on one input.
//!
//! xhost's side is one invocation as a build runs it — a fresh store and instance, the
//! WASI context with its mounts, the plugin's work, the check and collection of its
//! outputs — minus component compilation (done once, as a build does). The native side
//! is one process run of the tool on a fresh copy of the same file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;
use xhost::plugin_sandbox::{Mounts, outputs};
use xhost::runtime::bindings::types::{
    Artifact, ArtifactKind, BuildSettings, Job, Project, Target,
};
use xhost::runtime::invoke::Prepared;
use xhost::runtime::{LoadedPlugin, Runtime};

use crate::timing::{median, throughput, time};

/// One comparison.
pub struct Comparison {
    pub stage: &'static str,
    pub native: &'static str,
    pub bytes: u64,
    pub xhost: Duration,
    pub tool: Duration,
}

impl Comparison {
    /// xhost's throughput over the native tool's: above 1 means xhost is faster.
    pub fn ratio(&self) -> f64 {
        self.tool.as_secs_f64() / self.xhost.as_secs_f64()
    }
}

pub fn run(input: &Path, runs: usize) -> Result<Vec<Comparison>> {
    let bytes = input
        .metadata()
        .with_context(|| format!("{}", input.display()))?
        .len();
    let runtime = Runtime::new()?;
    let scratch = tempfile::tempdir()?;
    // Compiled and linked once, as a build does for each stage.
    let strip = prepared(&runtime, "strip")?;
    let archive = prepared(&runtime, "archive")?;
    let checksum = prepared(&runtime, "checksum")?;
    Ok(vec![
        Comparison {
            stage: "builtin:strip",
            native: "strip --strip-all",
            bytes,
            xhost: median(runs, || invoke(&strip, input, scratch.path()))?,
            tool: median(runs, || native_strip(input, scratch.path()))?,
        },
        Comparison {
            stage: "builtin:archive",
            native: "tar czf",
            bytes,
            xhost: median(runs, || invoke(&archive, input, scratch.path()))?,
            tool: median(runs, || native_tar(input, scratch.path()))?,
        },
        Comparison {
            stage: "builtin:checksum",
            native: "sha256sum",
            bytes,
            xhost: median(runs, || invoke(&checksum, input, scratch.path()))?,
            tool: median(runs, || native_sha256sum(input, scratch.path()))?,
        },
    ])
}

/// One invocation of `prepared` on `input` as linux/amd64's `hello`.
fn invoke(prepared: &Prepared, input: &Path, scratch: &Path) -> Result<Duration> {
    let name = prepared.plugin.label.as_str();
    let dir = tempfile::tempdir_in(scratch)?;
    let mounts = Mounts::create(&dir.path().join("inv"), None)?;
    mounts.place_input("hello_linux_amd64/hello", input, true)?;
    let (elapsed, count) = time(|| {
        let parts = crate::plugins::store_parts(Some(&mounts), name)?;
        let artifacts = prepared.run(parts, &job(vec![hello_binary()]), &Default::default())?;
        Ok(outputs::collect(&mounts.output, artifacts)
            .map_err(anyhow::Error::msg)?
            .len())
    })?;
    if count != 1 {
        bail!("{name} returned {count} artifacts, expected 1 (is the input unstripped?)");
    }
    Ok(elapsed)
}

fn prepared(runtime: &Runtime, name: &str) -> Result<Prepared> {
    let bytes = xhost::builtin::get(name).context("no such built-in")?;
    let plugin = Arc::new(LoadedPlugin::load(
        &format!("builtin:{name}"),
        bytes.into(),
    )?);
    let contract = plugin.contract;
    let prepared = Prepared::new(
        runtime,
        plugin,
        "bench",
        Arc::new(move |linker| {
            xhost::caps::link(
                linker,
                contract,
                xhost::caps::granted_by(&Default::default()),
            )
        }),
    );
    prepared.ready()?;
    Ok(prepared)
}

fn linux_amd64() -> Target {
    Target {
        os: "linux".into(),
        arch: "amd64".into(),
        variant: None,
    }
}

/// The linux/amd64 binary as an input artifact.
fn hello_binary() -> Artifact {
    Artifact {
        path: "/in/hello_linux_amd64/hello".into(),
        kind: ArtifactKind::Binary,
        target: Some(linux_amd64()),
        meta: Vec::new(),
    }
}

/// A job for examples/hello-go on linux/amd64 over `inputs`.
pub fn job(inputs: Vec<Artifact>) -> Job {
    Job {
        project: Project {
            name: "hello".into(),
            version: "1.0.0".into(),
            commit: None,
            commit_time: None,
            source_date_epoch: Some(1_700_000_000),
        },
        build: BuildSettings {
            main: ".".into(),
            binary: "hello".into(),
            targets: vec![linux_amd64()],
            flags: Vec::new(),
        },
        target: Some(linux_amd64()),
        inputs,
        config: "{}".into(),
    }
}

fn native_strip(input: &Path, scratch: &Path) -> Result<Duration> {
    let copy = fresh_copy(input, scratch)?;
    time(|| tool(Command::new("strip").arg("--strip-all").arg(&copy))).map(|(t, _)| t)
}

fn native_tar(input: &Path, scratch: &Path) -> Result<Duration> {
    let copy = fresh_copy(input, scratch)?;
    let archive = copy.with_extension("tar.gz");
    let dir = copy.parent().expect("a file in a directory");
    time(|| {
        tool(
            Command::new("tar")
                .arg("czf")
                .arg(&archive)
                .arg("-C")
                .arg(dir)
                .arg("hello"),
        )
    })
    .map(|(t, _)| t)
}

fn native_sha256sum(input: &Path, scratch: &Path) -> Result<Duration> {
    let copy = fresh_copy(input, scratch)?;
    let sums = copy.with_extension("sha256");
    let file = std::fs::File::create(&sums)?;
    time(|| tool(Command::new("sha256sum").arg(&copy).stdout(file))).map(|(t, _)| t)
}

fn fresh_copy(input: &Path, scratch: &Path) -> Result<PathBuf> {
    let dir = tempfile::tempdir_in(scratch)?.keep();
    let copy = dir.join("hello");
    std::fs::copy(input, &copy)?;
    Ok(copy)
}

fn tool(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}

pub fn table(results: &[Comparison]) -> String {
    let mut out = format!(
        "{:<16} {:>10} {:>12} {:>12} {:<18} {:>12} {:>8}\n",
        "stage", "input", "xhost", "MB/s", "native", "MB/s", "ratio"
    );
    for r in results {
        out.push_str(&format!(
            "{:<16} {:>8.2}MB {:>10.2}ms {:>12.1} {:<18} {:>12.1} {:>7.2}x\n",
            r.stage,
            r.bytes as f64 / 1e6,
            r.xhost.as_secs_f64() * 1e3,
            throughput(r.bytes, r.xhost),
            format!("{} {:.2}ms", r.native, r.tool.as_secs_f64() * 1e3),
            throughput(r.bytes, r.tool),
            r.ratio()
        ));
    }
    out
}

pub fn json(results: &[Comparison]) -> serde_json::Value {
    json!({
        "stages": results.iter().map(|r| json!({
            "stage": r.stage,
            "native": r.native,
            "input_bytes": r.bytes,
            "xhost_median_ms": r.xhost.as_secs_f64() * 1e3,
            "native_median_ms": r.tool.as_secs_f64() * 1e3,
            "xhost_mb_per_s": throughput(r.bytes, r.xhost),
            "native_mb_per_s": throughput(r.bytes, r.tool),
            "ratio": r.ratio(),
        })).collect::<Vec<_>>(),
    })
}
