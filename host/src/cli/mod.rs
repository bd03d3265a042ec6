//! The command line: argument parsing (no side effects) and one module per subcommand.

mod build;
mod cache;
mod check;
mod ci;
mod init;
mod merge;
mod plugin_inspect;
mod plugin_new;
mod plugin_publish;
mod plugin_run;
mod plugin_update;
mod plugins;
mod publish;
mod report;
mod verify;
mod worker;

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
    /// Finish a release built on several machines: check the partial releases of
    /// `xhost build --split` (by digest, against this checkout's xhost.toml and each
    /// other), run the release stages once over them, and publish DIR/dist.
    Merge(MergeArgs),
    /// Validate the configuration and print the resolved plan.
    Check(CheckArgs),
    /// Write an xhost.toml for the project in DIR: the defaults spelled out, or
    /// converted from a GoReleaser config (--from-goreleaser).
    Init(InitArgs),
    /// List the built-in plugins with what they say about themselves.
    Plugins,
    /// Write, inspect and try out plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Check a release: every file against artifacts.json and the checksums, signatures
    /// and provenance against public keys.
    Verify(VerifyArgs),
    /// Write a release as one self-contained HTML page: stages (cached or run, and
    /// why), files with sizes and digests, SBOM contents, signatures, and with --trace
    /// a timeline.
    Report(ReportArgs),
    /// Push a built release to the destinations in xhost.toml's [[publish]]: its
    /// container images to OCI registries (credentials from XHOST_REGISTRY_USERNAME and
    /// XHOST_REGISTRY_PASSWORD, or docker's config.json).
    Publish(PublishArgs),
    /// Write the project's release pipeline for a CI system.
    #[command(subcommand)]
    Ci(CiCommand),
    /// Show or trim xhost's cache directory ($XHOST_CACHE_DIR, default ~/.cache/xhost).
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Run the stages builds send with --remote-exec: a worker of the REAPI execution
    /// service at URL (grpc://HOST:PORT/INSTANCE; BuildGrid's Bots API), taking one
    /// action at a time into this machine's sandbox.
    Worker(WorkerArgs),
}

#[derive(Args)]
struct WorkerArgs {
    /// The service: grpc://HOST:PORT/INSTANCE, or grpcs:// for TLS (credentials from
    /// XHOST_REMOTE_CACHE_TOKEN, or _USERNAME and _PASSWORD).
    url: String,
    /// This worker's id among the service's workers [default: HOSTNAME-PID].
    #[arg(long)]
    id: Option<String>,
    /// Where the worker keeps its programs' caches and each action's files
    /// [default: the cache directory's workers/ID].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Sign the results written to the service's cache with this key (PEM or minisign),
    /// for builds that trust only signed entries ([remote_cache] trust).
    #[arg(long, value_name = "KEY")]
    sign: Option<PathBuf>,
    /// The PEM file of the CA that signed the service's certificate (grpcs://).
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// Stop after this many actions [default: serve until interrupted].
    #[arg(long, value_name = "N")]
    actions: Option<u64>,
}

#[derive(Args)]
struct PublishArgs {
    /// Project directory (holding xhost.toml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The release to publish [default: DIR/dist].
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
}

#[derive(Subcommand)]
enum CiCommand {
    /// Write the release pipeline from xhost.toml (and its [ci] section): a tag, a
    /// schedule and a manual run trigger it; split builds per runner; a merge job that
    /// signs, verifies and uploads. Run it again after changing xhost.toml.
    Init(CiInitArgs),
}

#[derive(Args)]
struct CiInitArgs {
    /// The CI system: `github` writes .github/workflows/release.yml, `gitlab` writes
    /// .gitlab-ci.yml.
    #[arg(value_enum)]
    system: CiSystem,
    /// Project directory (holding xhost.toml or go.mod).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Replace the file even if `xhost ci init` did not write it.
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CiSystem {
    Github,
    Gitlab,
}

#[derive(Subcommand)]
enum CacheCommand {
    /// What the cache holds: stored artifacts, action entries, compiled plugins, tool caches.
    Stats,
    /// Trim the cache to a size, least recently used first (waits for running builds).
    Gc(GcArgs),
}

#[derive(Args)]
struct GcArgs {
    /// Largest size to keep, in bytes or with K, M, G, T (e.g. 2G); 0 empties the cache.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_size: u64,
}

#[derive(Args)]
struct VerifyArgs {
    /// The release directory.
    #[arg(default_value = "dist")]
    dist: PathBuf,
    /// A public key (PEM P-256 or Ed25519, or a minisign public key). Repeatable. With
    /// keys, every file must be covered by a signature from one of them (directly, or
    /// through a signed checksums file, attestation or archive), and every key must
    /// have signed something.
    #[arg(long = "key", value_name = "PUB")]
    keys: Vec<PathBuf>,
    /// Fail unless the release has this: `provenance` (an attestation that verifies).
    /// Repeatable.
    #[arg(long = "require", value_name = "WHAT", value_enum)]
    require: Vec<Required>,
}

#[derive(Args)]
struct ReportArgs {
    /// The release directory.
    #[arg(default_value = "dist")]
    dist: PathBuf,
    /// A trace the build wrote (`xhost build --trace FILE`), for the timeline.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Where to write the page [default: DIST-report.html beside DIST].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Required {
    Provenance,
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Create a plugin project (outside any workspace) that builds as it is.
    New(NewArgs),
    /// Show what a plugin component asks for, and the `[[stage]]` to pin it.
    Inspect(InspectArgs),
    /// Run a plugin once in the sandbox on given inputs, as a stage would.
    Run(Box<RunArgs>),
    /// Push a component to an OCI registry as a wasm artifact, optionally signed;
    /// prints the `oci://…@sha256:…` reference to pin.
    Publish(PluginPublishArgs),
    /// Move each `oci://` pin in xhost.toml to the digest its tag names now, when the
    /// new component is signed by the stage's `trust` keys and asks for nothing more.
    Update(PluginUpdateArgs),
}

#[derive(Args)]
struct PluginPublishArgs {
    /// The component file.
    file: PathBuf,
    /// Where to publish: oci://REGISTRY/REPOSITORY:TAG.
    to: String,
    /// Sign it, as `cosign sign --key` would, with this ECDSA P-256 private key (PEM,
    /// or cosign's encrypted key file).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// The environment variable holding the key's password (cosign's encrypted keys).
    #[arg(long, value_name = "VAR", requires = "key")]
    key_password_env: Option<String>,
}

#[derive(Args)]
struct PluginUpdateArgs {
    /// The project directory.
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Move a pin even when the new component asks for capabilities the pinned one
    /// did not (they are listed either way).
    #[arg(long)]
    allow_new_capabilities: bool,
    /// Show what would move; change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
struct NewArgs {
    /// Name of the plugin and of its directory.
    name: String,
    /// Language of the plugin.
    #[arg(long, value_enum, default_value_t = Lang::Rust)]
    lang: Lang,
    /// The capabilities it starts with.
    #[arg(long, value_enum, default_value_t = World::Plugin)]
    world: World,
    /// Where to create the project directory [default: the current directory].
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Lang {
    Rust,
    Python,
    /// JavaScript, built with ComponentizeJS.
    Js,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum World {
    /// Reads its inputs, writes outputs, logs.
    Plugin,
    /// Also runs granted native programs.
    ToolPlugin,
    /// Also signs with host-held keys.
    SignerPlugin,
}

#[derive(Args)]
struct InspectArgs {
    /// The component file, or oci://REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST].
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long, conflicts_with = "stage_snippet")]
    json: bool,
    /// Print only the `[[stage]]` table, ready to append to xhost.toml.
    #[arg(long)]
    stage_snippet: bool,
}

#[derive(Args)]
struct RunArgs {
    /// The component file, or `builtin:NAME`.
    file: PathBuf,
    /// An input file, optionally with its kind (binary, archive, checksum, sbom,
    /// signature, provenance, other; default other). Repeatable.
    #[arg(long = "input", value_name = "FILE[=KIND]")]
    inputs: Vec<String>,
    /// The target to run for (needed by per-target plugins).
    #[arg(long, value_name = "OS/ARCH", value_parser = parse_target)]
    target: Option<Target>,
    /// The stage's config, as JSON or TOML inline-table text (`{ level = 3 }`).
    #[arg(long, value_name = "TABLE", default_value = "{}")]
    config: String,
    /// Grant read-only access to this directory as `/src`.
    #[arg(long, value_name = "DIR")]
    source: Option<PathBuf>,
    /// Grant running this program. Repeatable.
    #[arg(long = "exec", value_name = "PROGRAM")]
    exec: Vec<String>,
    /// Grant a signing key: ID=FILE. Repeatable.
    #[arg(long = "key", value_name = "ID=FILE")]
    keys: Vec<String>,
    #[command(flatten)]
    tool_sandbox: ToolSandboxArgs,
    /// Where to write the plugin's outputs (created; must not exist or be empty).
    #[arg(long, value_name = "DIR", default_value = "plugin-out")]
    out: PathBuf,
    /// Project name and version the job carries.
    #[arg(long, default_value = "example")]
    project: String,
    #[arg(long, default_value = "0.0.0")]
    version: String,
}

#[derive(Args)]
struct ProjectArgs {
    /// Project directory (holding xhost.toml or go.mod).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Build only these targets (OS/ARCH), instead of the configured ones. Repeatable.
    #[arg(long = "target", value_name = "OS/ARCH", value_parser = parse_target)]
    targets: Vec<Target>,
    /// A snapshot: the version from `[project] snapshot_version`, whatever the tags say.
    #[arg(long)]
    snapshot: bool,
    /// Release the tag at HEAD even when it is not above the previous tag.
    #[arg(long)]
    allow_lower_tag: bool,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Targets built at once [default: the number of CPUs].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Run the stages the cache misses on this REAPI execution service
    /// (grpc://HOST:PORT/INSTANCE), whose workers run `xhost worker`; its cache is the
    /// remote cache unless one is given [default: XHOST_REMOTE_EXEC].
    #[arg(long, value_name = "URL")]
    remote_exec: Option<String>,
    /// Run only the per-target stages, for the targets given with --target (else the
    /// configured targets of this machine's OS and architecture), and publish a partial
    /// release that `xhost merge` completes with the other machines' partials.
    #[arg(long, conflicts_with = "publish")]
    split: bool,
    /// The partial releases a merge takes (set by `xhost merge`).
    #[arg(skip)]
    merge: Vec<PathBuf>,
    #[command(flatten)]
    release: ReleaseArgs,
}

/// What a build and a merge share: where the release goes and how it is made.
#[derive(Args)]
struct ReleaseArgs {
    /// Output directory, replaced as a whole when the build succeeds [default: DIR/dist].
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
    /// Run every stage even when the action cache holds its outputs (what runs is
    /// still recorded for later builds).
    #[arg(long)]
    no_cache: bool,
    /// Then push the release as `xhost publish` does, if the build succeeded.
    #[arg(long)]
    publish: bool,
    /// Write where the time went (phases, plugins compiled, each stage and program run)
    /// to FILE, in Chrome's trace event format (open it in Perfetto).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Share the action cache through this server too (Bazel's HTTP cache protocol,
    /// `http(s)://…`); `off` for none [default: XHOST_REMOTE_CACHE, else
    /// `[remote_cache] url`].
    #[arg(long, value_name = "URL")]
    remote_cache: Option<String>,
    /// Fetch from the remote cache, never write to it (for builds of untrusted code;
    /// also XHOST_REMOTE_CACHE_READ_ONLY=1).
    #[arg(long)]
    remote_cache_read_only: bool,
    /// Stream the build as JSON events on stdout, one per line (NDJSON, schema
    /// `xhost.events/v1`, see docs/EVENTS.md), instead of the list of files.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    tool_sandbox: ToolSandboxArgs,
}

#[derive(Args)]
struct MergeArgs {
    /// The partial releases: the dist directories of `xhost build --split` (as
    /// downloaded from the CI system's artifact store).
    #[arg(required = true, value_name = "PARTIAL")]
    partials: Vec<PathBuf>,
    /// Project directory (holding xhost.toml or go.mod), checked out at the commit the
    /// partials were built from.
    #[arg(short = 'C', long = "project", value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// As given to the split builds.
    #[arg(long)]
    snapshot: bool,
    /// As given to the split builds.
    #[arg(long)]
    allow_lower_tag: bool,
    #[command(flatten)]
    release: ReleaseArgs,
}

#[derive(Args)]
struct ToolSandboxArgs {
    /// Where this machine cannot confine native programs (no Landlock or namespaces),
    /// run them unconfined instead of refusing; recorded in artifacts.json.
    #[arg(long)]
    allow_unsandboxed_tools: bool,
}

#[derive(Args)]
struct InitArgs {
    /// Project directory (holding go.mod).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Convert a GoReleaser config (v1 or v2): `--from-goreleaser=FILE`, or without FILE
    /// the one GoReleaser would find.
    #[arg(long, value_name = "FILE", num_args = 0..=1, require_equals = true)]
    from_goreleaser: Option<Option<PathBuf>>,
    /// Only plan the new config (as `xhost check` does) instead of building it; the
    /// build, whose results the first `xhost build` reuses, publishes nothing.
    #[arg(long)]
    no_build: bool,
    #[command(flatten)]
    tool_sandbox: ToolSandboxArgs,
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

fn parse_size(s: &str) -> Result<u64, String> {
    crate::cache::gc::parse_size(s).map_err(|e| e.to_string())
}

/// Runs the command line and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = crate::interrupt::install() {
        eprintln!("error: {error:#}");
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Command::Build(args) => build::run(args, cli.verbose),
        Command::Merge(args) => merge::run(args, cli.verbose),
        Command::Check(args) => check::run(args, cli.verbose),
        Command::Init(args) => init::run(args, cli.verbose),
        Command::Plugins => plugins::run(cli.verbose),
        Command::Verify(args) => verify::run(args),
        Command::Report(args) => report::run(args),
        Command::Publish(args) => publish::run(args),
        Command::Ci(CiCommand::Init(args)) => ci::init(args),
        Command::Cache(CacheCommand::Stats) => cache::stats(),
        Command::Cache(CacheCommand::Gc(args)) => cache::gc(args.max_size),
        Command::Plugin(PluginCommand::New(args)) => plugin_new::run(args),
        Command::Plugin(PluginCommand::Inspect(args)) => plugin_inspect::run(args, cli.verbose),
        Command::Plugin(PluginCommand::Run(args)) => plugin_run::run(*args, cli.verbose),
        Command::Plugin(PluginCommand::Publish(args)) => plugin_publish::run(args),
        Command::Plugin(PluginCommand::Update(args)) => plugin_update::run(args, cli.verbose),
        Command::Worker(args) => worker::run(args, cli.verbose),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if crate::interrupt::requested() => {
            eprintln!("xhost: interrupted; nothing was published, and dist/ is as it was");
            ExitCode::from(crate::interrupt::exit_code().unwrap_or(130))
        }
        Err(error) => {
            // Errors quote plugins, file names and release contents: never raw.
            let shown = |text: String| crate::report::sanitize::sanitize_text(&text);
            eprintln!("error: {}", shown(error.to_string()));
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {}", shown(cause.to_string()));
            }
            ExitCode::FAILURE
        }
    }
}
