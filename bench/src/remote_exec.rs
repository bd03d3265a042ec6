//! Remote execution against a local build: examples/hello-go (six targets) built cold
//! on this machine, and cold on two `xhost worker`s of a real execution service
//! (PostgreSQL and BuildGrid on 127.0.0.1, `scripts/`), the client with `-j 2` and an
//! empty cache directory. Each remote run gets a fresh service and fresh workers, so
//! nothing is cached anywhere; the workers share this machine's cores with the client,
//! so the ratio shows what dispatching costs, not what more machines would gain.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::builds::{copy_tree, median, ratio, run_measured};
use crate::shared_cache::Setup;

pub struct Row {
    pub local_cold: Duration,
    pub remote_cold: Duration,
    /// Of the remote build's stages, how many ran on a worker.
    pub executed_remotely: u64,
    pub stages: u64,
}

pub fn run(setup: &Setup) -> Result<Row> {
    let scratch = tempfile::tempdir()?;
    let checkout = |name: String| -> Result<std::path::PathBuf> {
        let project = scratch.path().join(name).join("checkout");
        copy_tree(setup.example, &project)?;
        let _ = std::fs::remove_dir_all(project.join("dist"));
        Ok(project)
    };
    let local_cold = median(setup.runs, |n| {
        let project = checkout(format!("local-{n}"))?;
        let cache = project.with_file_name("cache");
        Ok(run_measured(&mut build(setup, &project, &cache, None))?.0)
    })?;
    let mut counts = (0, 0);
    let remote_cold = median(setup.runs, |n| {
        let service = Service::start(setup.root, &scratch.path().join(format!("service-{n}")))?;
        let project = checkout(format!("remote-{n}"))?;
        let cache = project.with_file_name("cache");
        let time = run_measured(&mut build(setup, &project, &cache, Some(&service.url)))?.0;
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(project.join("dist/artifacts.json"))?)?;
        counts = (
            manifest["cache"]["executed_remotely"].as_u64().unwrap_or(0),
            manifest["cache"]["stages"]
                .as_array()
                .map_or(0, |s| s.len() as u64),
        );
        Ok(time)
    })?;
    Ok(Row {
        local_cold,
        remote_cold,
        executed_remotely: counts.0,
        stages: counts.1,
    })
}

/// PostgreSQL, BuildGrid with execution, and two workers with empty caches.
struct Service {
    url: String,
    dirs: Vec<std::path::PathBuf>,
    root: std::path::PathBuf,
    workers: Vec<Child>,
}

impl Service {
    fn start(root: &Path, dir: &Path) -> Result<Service> {
        let port = |_| -> Result<u16> {
            Ok(std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port())
        };
        let (pg, bgd) = (dir.join("postgres"), dir.join("buildgrid"));
        let mut service = Service {
            url: String::new(),
            dirs: vec![bgd.clone(), pg.clone()],
            root: root.to_path_buf(),
            workers: Vec::new(),
        };
        let pg_port = port(())?;
        script(
            root,
            "postgres-start",
            &[pg.to_str().unwrap(), &pg_port.to_string()],
        )?;
        let bgd_port = port(())?;
        let database = format!("postgresql://postgres@127.0.0.1:{pg_port}/postgres");
        script(
            root,
            "reapi-server-start",
            &[
                bgd.to_str().unwrap(),
                &bgd_port.to_string(),
                "--exec",
                &database,
            ],
        )?;
        service.url = format!("grpc://127.0.0.1:{bgd_port}/main");
        for id in ["bench-1", "bench-2"] {
            let worker_dir = dir.join(id);
            service.workers.push(
                Command::new(root.join("target/release/xhost"))
                    .args(["worker", &service.url, "--id", id])
                    .env("XHOST_CACHE_DIR", &worker_dir)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .context("starting a worker")?,
            );
        }
        Ok(service)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        for worker in &mut self.workers {
            let _ = worker.kill();
            let _ = worker.wait();
        }
        for dir in &self.dirs {
            let _ = Command::new(self.root.join("scripts/server-stop"))
                .arg(dir)
                .status();
        }
    }
}

fn script(root: &Path, name: &str, args: &[&str]) -> Result<()> {
    if !Command::new(root.join("scripts").join(name))
        .args(args)
        .status()?
        .success()
    {
        bail!("scripts/{name} failed");
    }
    Ok(())
}

/// A cold `xhost build -j 2` of `project` with cache directory `cache`, on `remote`'s
/// workers when given.
fn build(setup: &Setup, project: &Path, cache: &Path, remote: Option<&str>) -> Command {
    let mut command = Command::new(setup.xhost);
    command
        .args(["build", ".", "-j", "2"])
        .current_dir(project)
        .env("XHOST_CACHE_DIR", cache)
        .env("XHOST_PLAIN", "1");
    if let Some(url) = remote {
        command.args(["--remote-exec", url]);
    }
    command
}

pub fn table(row: &Row) -> String {
    format!(
        "\nremote execution (six targets, cold, -j 2; two workers on this machine):\n\
         {:<26} {:>9}\n{:<26} {:>8.3}s\n{:<26} {:>8.3}s   {} of {} stages remote\n{:<26} {}\n",
        "build",
        "time",
        "local",
        row.local_cold.as_secs_f64(),
        "remote (BuildGrid)",
        row.remote_cold.as_secs_f64(),
        row.executed_remotely,
        row.stages,
        "remote / local",
        ratio(row.remote_cold.as_secs_f64() / row.local_cold.as_secs_f64()),
    )
}

pub fn json(row: &Row) -> Value {
    json!({
        "local_cold_median_s": row.local_cold.as_secs_f64(),
        "remote_cold_median_s": row.remote_cold.as_secs_f64(),
        "executed_remotely": row.executed_remotely,
        "stages": row.stages,
        "remote_over_local": row.remote_cold.as_secs_f64() / row.local_cold.as_secs_f64(),
    })
}
