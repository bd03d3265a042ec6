//! Two machines sharing one remote cache: machine A builds examples/hello-go cold with
//! the server as its remote cache, then machine B — a fresh cache directory and a
//! checkout at another path — builds the same commit. B's first build is compared with
//! its own later ones: a build that plans and finds every stage in its local cache, and
//! a no-change rebuild. Once per protocol, each against a real server on 127.0.0.1:
//! nginx as a Bazel HTTP cache and BuildGrid as a REAPI server (`scripts/`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::builds::{copy_tree, median, ratio, run_measured};

pub struct Setup<'a> {
    pub xhost: &'a Path,
    pub example: &'a Path,
    /// The repository, whose `scripts/` start the servers.
    pub root: &'a Path,
    pub runs: usize,
}

/// What one protocol gave.
pub struct Row {
    pub protocol: &'static str,
    pub a_cold: Duration,
    pub b_first: Duration,
    /// Of B's first build's stages, how many came from the server.
    pub b_remote_hits: u64,
    pub b_stages: u64,
    /// B again, planned, every stage a local hit.
    pub b_local_hits: Duration,
    /// B again, nothing changed.
    pub b_no_op: Duration,
}

/// A server to measure with: the protocol's name, the script that starts it, and its
/// URL given its port.
struct Server {
    protocol: &'static str,
    script: &'static str,
    url: fn(u16) -> String,
}

pub fn run(setup: &Setup) -> Result<Vec<Row>> {
    let servers = [
        Server {
            protocol: "Bazel HTTP cache (nginx)",
            script: "cache-server-start",
            url: |port| format!("http://127.0.0.1:{port}/"),
        },
        Server {
            protocol: "REAPI (BuildGrid)",
            script: "reapi-server-start",
            url: |port| format!("grpc://127.0.0.1:{port}/main"),
        },
    ];
    servers
        .iter()
        .map(|server| measured(setup, server))
        .collect()
}

/// Starts `server`, measures with it, stops it.
fn measured(setup: &Setup, server: &Server) -> Result<Row> {
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let started = Command::new(setup.root.join("scripts").join(server.script))
        .arg(dir.path())
        .arg(port.to_string())
        .status()?;
    if !started.success() {
        bail!("scripts/{} failed", server.script);
    }
    let row = measure(setup, server.protocol, &(server.url)(port));
    let _ = Command::new(setup.root.join("scripts/server-stop"))
        .arg(dir.path())
        .status();
    row
}

fn measure(setup: &Setup, protocol: &'static str, url: &str) -> Result<Row> {
    let scratch = tempfile::tempdir()?;
    let machine = |name: &str| -> Result<(PathBuf, PathBuf)> {
        let project = scratch.path().join(name).join("checkout");
        copy_tree(setup.example, &project)?;
        let _ = std::fs::remove_dir_all(project.join("dist"));
        Ok((project, scratch.path().join(name).join("cache")))
    };
    let (a, a_cache) = machine("a")?;
    let (a_cold, _) = run_measured(&mut build(setup, &a, &a_cache, url, "a"))?;
    let mut b_remote_hits = 0;
    let mut b_stages = 0;
    let mut last = None;
    let b_first = median(setup.runs, |n| {
        let (b, b_cache) = machine(&format!("b-{n}"))?;
        let time = run_measured(&mut build(setup, &b, &b_cache, url, "b"))?.0;
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(b.join("dist/artifacts.json"))?)?;
        b_remote_hits = manifest["cache"]["remote_hits"].as_u64().unwrap_or(0);
        b_stages = manifest["cache"]["stages"]
            .as_array()
            .map_or(0, |s| s.len() as u64);
        last = Some((b, b_cache));
        Ok(time)
    })?;
    let (b, b_cache) = last.context("no build of machine B")?;
    let b_local_hits = median(setup.runs, |n| {
        // Another environment: the no-change check gives way to a planned build.
        Ok(run_measured(&mut build(
            setup,
            &b,
            &b_cache,
            url,
            &format!("b-planned-{n}"),
        ))?
        .0)
    })?;
    run_measured(&mut build(setup, &b, &b_cache, url, "b-settled"))?;
    std::thread::sleep(Duration::from_millis(2100));
    let b_no_op = median(setup.runs * 5, |_| {
        Ok(run_measured(&mut build(setup, &b, &b_cache, url, "b-settled"))?.0)
    })?;
    Ok(Row {
        protocol,
        a_cold,
        b_first,
        b_remote_hits,
        b_stages,
        b_local_hits,
        b_no_op,
    })
}

/// `xhost build` of `project` with cache directory `cache` and remote cache `url`;
/// `run` names the environment (a new name: the no-change check cannot apply).
fn build(setup: &Setup, project: &Path, cache: &Path, url: &str, run: &str) -> Command {
    let mut command = Command::new(setup.xhost);
    command
        .args(["build", ".", "--remote-cache", url])
        .current_dir(project)
        .env("XHOST_CACHE_DIR", cache)
        .env("XHOST_PLAIN", "1")
        .env("XHOST_BENCH_RUN", run);
    command
}

pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "\ntwo machines, one remote cache (A cold, then B: fresh cache, another checkout path):\n",
    );
    out.push_str(&format!(
        "{:<26} {:>9} {:>11} {:>11} {:>11} {:>9}   {:<18} {}\n",
        "protocol",
        "A cold",
        "B first",
        "B hits",
        "B planned",
        "B no-op",
        "B first / planned",
        "B first / no-op"
    ));
    for row in rows {
        out.push_str(&format!(
            "{:<26} {:>8.3}s {:>10.3}s {:>7}/{:<3} {:>10.3}s {:>8.4}s   {:<18} {}\n",
            row.protocol,
            row.a_cold.as_secs_f64(),
            row.b_first.as_secs_f64(),
            row.b_remote_hits,
            row.b_stages,
            row.b_local_hits.as_secs_f64(),
            row.b_no_op.as_secs_f64(),
            ratio(row.b_first.as_secs_f64() / row.b_local_hits.as_secs_f64()),
            ratio(row.b_first.as_secs_f64() / row.b_no_op.as_secs_f64()),
        ));
    }
    out
}

pub fn json(rows: &[Row]) -> Value {
    json!(
        rows.iter()
            .map(|r| json!({
                "protocol": r.protocol,
                "a_cold_s": r.a_cold.as_secs_f64(),
                "b_first_median_s": r.b_first.as_secs_f64(),
                "b_remote_hits": r.b_remote_hits,
                "b_stages": r.b_stages,
                "b_planned_all_local_hits_median_s": r.b_local_hits.as_secs_f64(),
                "b_no_change_median_s": r.b_no_op.as_secs_f64(),
                "b_first_over_planned": r.b_first.as_secs_f64() / r.b_local_hits.as_secs_f64(),
                "b_first_over_no_change": r.b_first.as_secs_f64() / r.b_no_op.as_secs_f64(),
            }))
            .collect::<Vec<_>>()
    )
}
