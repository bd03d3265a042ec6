//! `xhost-bench`: measures xhost against the native tools it replaces, on the same inputs
//! in the same run, and reports ratios (these machines are noisy; only ratios measured
//! together mean anything). `bench/run` drives it; see `bench/README.md`.

mod stages;
mod timing;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// builtin:strip vs `strip --strip-all`, builtin:archive vs `tar czf`.
    Stages {
        /// An unstripped linux/amd64 executable to work on.
        #[arg(long)]
        input: PathBuf,
        /// Repetitions per measurement (the median is reported).
        #[arg(long, default_value_t = 15)]
        runs: usize,
        /// Where to write the results as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Stages { input, runs, json } => {
            let results = stages::run(&input, runs)?;
            print!("{}", stages::table(&results));
            if let Some(path) = json {
                std::fs::write(
                    &path,
                    serde_json::to_string_pretty(&stages::json(&results))? + "\n",
                )?;
            }
            Ok(())
        }
    }
}
