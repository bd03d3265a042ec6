//! The command line: argument parsing (no side effects) and one module per subcommand.

mod build;
mod check;
mod plugins;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::target::Target;

#[derive(Parser)]
#[command(
    name = "xhost",
    version,
    about = "Builds multi-platform releases with sandboxed WebAssembly plugins"
)]
struct Cli {
    /// Show plugin info/debug logs (-v) and trace logs (-vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a release of the project in DIR into DIR/dist.
    Build(BuildArgs),
    /// Validate the configuration and print the resolved plan.
    Check(CheckArgs),
    /// List the built-in plugins with what they say about themselves.
    Plugins,
}

#[derive(Args)]
struct ProjectArgs {
    /// Project directory (holding xhost.toml or go.mod).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Build only these targets (OS/ARCH), instead of the configured ones. Repeatable.
    #[arg(long = "target", value_name = "OS/ARCH", value_parser = parse_target)]
    targets: Vec<Target>,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output directory, replaced as a whole when the build succeeds [default: DIR/dist].
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
    /// Targets built at once [default: the number of CPUs].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Also show every setting and where its value comes from.
    #[arg(long)]
    explain: bool,
}

fn parse_target(s: &str) -> Result<Target, String> {
    s.parse()
}

/// Runs the command line and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build::run(args, cli.verbose),
        Command::Check(args) => check::run(args, cli.verbose),
        Command::Plugins => plugins::run(cli.verbose),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
