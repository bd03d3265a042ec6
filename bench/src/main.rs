//! `xhost-bench`: measures xhost against the native tools and the shell script it
//! replaces, on the same inputs in the same run, and reports ratios (these machines are
//! noisy; only ratios measured together mean anything). `bench/run` drives it; see
//! `bench/README.md`.

mod builds;
mod goreleaser;
mod plugins;
mod remote_exec;
mod shared_cache;
mod stages;
mod timing;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use serde_json::json;

#[derive(Parser)]
struct Cli {
    /// An unstripped linux/amd64 executable for the stage comparisons.
    #[arg(long)]
    input: PathBuf,
    /// The `xhost` binary whose builds are timed.
    #[arg(long)]
    xhost: PathBuf,
    /// The shell script xhost is compared with.
    #[arg(long)]
    baseline: PathBuf,
    /// The project both build.
    #[arg(long)]
    example: PathBuf,
    /// Repetitions of each stage and plugin measurement (medians are reported).
    #[arg(long, default_value_t = 15)]
    runs: usize,
    /// Repetitions of each whole build (no-change rebuilds: five times as many).
    #[arg(long, default_value_t = 3)]
    build_runs: usize,
    /// Targets the parallel baseline builds at once.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Where to write the results as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// The figures `bench/goreleaser-side-by-side` wrote (JSON=FILE), to report with
    /// the rest.
    #[arg(long)]
    goreleaser: Option<PathBuf>,
    /// Measure the plugins' start-up only, print it and stop (a quick look after
    /// changing a plugin or the engine's settings).
    #[arg(long)]
    plugins_only: bool,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let plugins = plugins::run(cli.runs)?;
    println!("{}", plugins::table(&plugins));
    if cli.plugins_only {
        return Ok(());
    }
    let stages = stages::run(&cli.input, cli.runs)?;
    println!("{}", stages::table(&stages));
    let absolute =
        |p: &PathBuf| std::fs::canonicalize(p).with_context(|| format!("finding {}", p.display()));
    let builds = builds::run(&builds::Setup {
        xhost: absolute(&cli.xhost)?,
        baseline: absolute(&cli.baseline)?,
        example: absolute(&cli.example)?,
        runs: cli.build_runs,
        jobs: cli.jobs,
    })?;
    print!("{}", builds::table(&builds));
    let (xhost, example, root) = (
        absolute(&cli.xhost)?,
        absolute(&cli.example)?,
        absolute(&PathBuf::from("."))?,
    );
    let servers = shared_cache::Setup {
        xhost: &xhost,
        example: &example,
        root: &root,
        runs: cli.build_runs,
    };
    let shared = shared_cache::run(&servers)?;
    print!("{}", shared_cache::table(&shared));
    let remote = remote_exec::run(&servers)?;
    print!("{}", remote_exec::table(&remote));
    let goreleaser = cli
        .goreleaser
        .as_ref()
        .map(|path| goreleaser::read(path))
        .transpose()?;
    if let Some(side_by_side) = &goreleaser {
        print!("{}", goreleaser::table(side_by_side));
    }
    if let Some(path) = cli.json {
        let all = json!({
            "machine": { "cpus": std::thread::available_parallelism().map_or(1, |n| n.get()) },
            "plugins": plugins::json(&plugins),
            "stages": stages::json(&stages)["stages"],
            "builds": builds::json(&builds),
            "shared_cache": shared_cache::json(&shared),
            "remote_exec": remote_exec::json(&remote),
            "goreleaser": goreleaser,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&all)? + "\n")?;
    }
    Ok(())
}
