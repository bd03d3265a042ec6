//! The `exec` capability: a plugin runs a native program its stage was granted, by
//! name (`grants.exec = ["go"]`).
//!
//! The plugin names the program (never a path), passes typed arguments ([`args`]) and
//! allow-listed variables ([`env`]); the host finds the program when the build is
//! planned ([`tools`]) and runs it in the tool sandbox ([`policy`]) with private
//! directories, the source tree as working directory, a timeout and capped output
//! ([`process`]). The action key holds each program's digest and the path it sees
//! itself at, which confined is the same on every machine ([`policy::View`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Value, json};
use wasmtime::component::{HasSelf, Linker};

mod args;
mod env;
mod macos_stubs;
mod policy;
pub mod process;
pub mod tools;

pub use args::Roots;
use env::Dirs;
use policy::{Access as Mounts, View};
use process::Spec;
use tools::Tool;

use super::net::Access;
use super::net::egress::Egress;
use super::{Call, Capability, Fetched, GrantCheck, GrantKind, PlanContext, Provision};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::{Limits, StageConfig, check_program_name};
use crate::plan::{Needs, PlannedStage};
use crate::plugin_sandbox::quota::Alarm;
use crate::report::Level;
use crate::report::plugin_log::LogSink;
use crate::runtime::ProgramTime;
use crate::runtime::bindings::exec::{self as wit, Arg, Command, ExecError, Output};
use crate::runtime::state::{CapStates, StoreState};
use crate::tool_sandbox::Network;

/// Bytes kept of a program's stdout, and of its stderr.
pub const OUTPUT_CAP: usize = 4 << 20;

pub struct Exec;

/// The programs a stage may run, found when the build was planned.
#[derive(Debug, Default)]
pub struct Programs(pub BTreeMap<String, Tool>);

/// The programs `stage` may run (none when it is granted none).
pub fn programs(stage: &PlannedStage) -> &BTreeMap<String, Tool> {
    static NONE: BTreeMap<String, Tool> = BTreeMap::new();
    stage.provisions.get::<Programs>().map_or(&NONE, |p| &p.0)
}

impl Capability for Exec {
    fn name(&self) -> &'static str {
        "exec"
    }

    fn grant_kind(&self) -> GrantKind {
        GrantKind::Names("program")
    }

    fn interface(&self) -> Option<&'static str> {
        Some("exec")
    }

    fn world(&self) -> Option<&'static str> {
        Some("tool-plugin")
    }

    fn gives(&self) -> &'static str {
        "running those native programs by name, confined by the tool sandbox"
    }

    fn refusal(&self, stage: &str, plugin: &str) -> String {
        format!(
            "stage `{stage}`: plugin {plugin} imports `xhost:plugin/exec` (it runs native programs), but the stage grants none; if you trust it, add the programs it needs to the stage in xhost.toml, e.g. `grants = {{ exec = [\"go\"] }}`"
        )
    }

    fn check_name(&self, name: &str, _cx: &GrantCheck) -> Result<(), String> {
        check_program_name(name)
    }

    fn plan(&self, stage: &StageConfig, cx: &PlanContext) -> Result<Option<Provision>> {
        let programs = stage
            .grants
            .names(self.name())
            .iter()
            .map(|name| {
                Ok((
                    name.clone(),
                    tools::resolve(name, &cx.config.tools, &stage.name, &cx.config.root)?,
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Some(Box::new(Programs(programs))))
    }

    fn link(&self, linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
        wit::add_to_linker::<StoreState, HasSelf<ExecCap>>(linker, StoreState::cap::<ExecCap>)
    }

    fn provide(&self, call: &Call, states: &mut CapStates) -> Result<()> {
        states.insert(match call {
            Call::Describe { log } => ExecCap::denied((*log).clone()),
            Call::Run(invocation) => {
                let stage = invocation.stage;
                ExecCap {
                    granted: programs(stage).clone(),
                    roots: Some(invocation.roots.clone()),
                    tool_state: invocation.tools.clone(),
                    tmp: invocation.tmp.clone(),
                    alarm: Some(invocation.alarm.clone()),
                    limits: stage.config.limits,
                    net: super::net::access(&stage.config.grants),
                    egress: None,
                    paths: super::paths::granted(stage).to_vec(),
                    fetched: invocation.fetched.clone(),
                    log: invocation.log.clone(),
                    time_spent: invocation.program_time.clone(),
                    lane: invocation.lane.as_ref().map(|t| t.slug()),
                }
            }
        });
        Ok(())
    }

    fn key_parts(
        &self,
        stage: &PlannedStage,
        keys: &KeyContext,
    ) -> Result<Vec<(&'static str, Value)>, Uncacheable> {
        // Confined, programs see the project and a movable toolchain at fixed places
        // (`policy`), so where either lives is no part of what they make, nor of the
        // key; unconfined, they see the real paths, and the key holds them.
        let confined = policy::at_fixed_places();
        let mut digests = serde_json::Map::new();
        for (name, tool) in programs(stage) {
            let mut program = json!({
                "path": policy::program_seen(tool, confined).display().to_string(),
                "sha256": keys.program_digest(&tool.path)?,
            });
            // cargo's own digest says little of the compiler it runs; rustc's version
            // names the build.
            if let (Some(version), "cargo") = (&tool.version, tool.name.as_str()) {
                program["version"] = json!(version);
            }
            digests.insert(name.clone(), program);
        }
        let mut parts = vec![("programs", Value::Object(digests))];
        if !policy::project_at_fixed_place(confined, super::paths::granted(stage)) {
            parts.push(("root", json!(keys.root().display().to_string())));
        }
        Ok(parts)
    }

    fn shown(&self, stage: &PlannedStage) -> String {
        let programs: Vec<String> = programs(stage)
            .values()
            .map(|tool| format!("exec {} ({})", tool.name, tool.path.display()))
            .collect();
        programs.join(", ")
    }

    fn snippet(&self, needs: &Needs) -> Option<String> {
        (!needs.programs.is_empty()).then(|| {
            let programs: Vec<String> = needs.programs.iter().map(|p| format!("{p:?}")).collect();
            format!("exec = [{}]", programs.join(", "))
        })
    }
}

/// One invocation's `exec` state.
pub struct ExecCap {
    granted: BTreeMap<String, Tool>,
    /// None when the invocation has no mounts (`describe`).
    roots: Option<Roots>,
    /// Each program's home and caches.
    tool_state: crate::cache_layout::ToolCaches,
    /// The invocation's private temporary directory.
    tmp: PathBuf,
    limits: Limits,
    alarm: Option<Arc<Alarm>>,
    /// The network programs have (the stage's `net`).
    net: Access,
    /// The relays to the hosts of `net`, started by the first program that needs them.
    egress: Option<Egress>,
    /// Directories outside the project its programs may read (`grants.paths`).
    paths: Vec<PathBuf>,
    /// The build's fetched modules: read-only, or being filled by this invocation.
    fetched: Option<Fetched>,
    log: LogSink,
    /// Wall time spent in programs; not charged to the plugin's own time limit.
    time_spent: Arc<ProgramTime>,
    /// The target a per-target invocation builds, as a slug (cargo's target directory).
    lane: Option<String>,
}

impl ExecCap {
    /// A capability that refuses every call, for invocations without a job.
    fn denied(log: LogSink) -> Self {
        ExecCap {
            granted: BTreeMap::new(),
            roots: None,
            tool_state: crate::cache_layout::ToolCaches::own(PathBuf::new()),
            tmp: PathBuf::new(),
            alarm: None,
            limits: Limits::default(),
            net: Access::None,
            egress: None,
            paths: Vec::new(),
            fetched: None,
            log,
            time_spent: Arc::default(),
            lane: None,
        }
    }

    fn prepare(&mut self, command: &Command) -> Result<Spec, ExecError> {
        let network = self.network()?;
        let tool = self.granted.get(&command.program).ok_or_else(|| {
            let granted: Vec<&str> = self.granted.keys().map(String::as_str).collect();
            ExecError::NotGranted(format!(
                "program `{}` is not granted to this stage (grants.exec = {granted:?}); add it to the stage's grants.exec in xhost.toml",
                command.program
            ))
        })?;
        let roots = self
            .roots
            .as_ref()
            .ok_or_else(|| ExecError::NotGranted("programs cannot be run outside `run`".into()))?;
        let state = self.tool_state.of(&tool.name);
        let access = Mounts {
            paths: self.paths.clone(),
            read_only: self.egress.iter().map(|e| e.dir().to_path_buf()).collect(),
            tmp: self.tmp.clone(),
            home: state.join("home"),
            cache: state.join("cache"),
            modules: self.fetched.as_ref().map(|f| (f.dir.clone(), f.filling)),
        };
        // Bound into the tool sandbox by path, so it must exist first.
        for dir in [&access.home, &access.cache, &access.tmp] {
            std::fs::create_dir_all(dir)
                .map_err(|e| ExecError::Unavailable(format!("creating {}: {e}", dir.display())))?;
        }
        let companions: Vec<&Tool> = self
            .granted
            .values()
            .filter(|t| t.name != tool.name)
            .collect();
        let view = View::new(tool, &companions, roots, &access)?;
        let args = command
            .args
            .iter()
            .map(|arg| argument(arg, roots, &view))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ExecError::BadArgument)?;
        let workspace = (roots.source.as_ref())
            .map(|source| source.join("go.work"))
            .filter(|file| file.is_file());
        let programs: Vec<&str> = self.granted.keys().map(String::as_str).collect();
        let seen = dirs(
            &view,
            tool,
            &companions,
            &access,
            workspace,
            self.lane.clone(),
        );
        let mut env = env::base(tool, &programs, &seen, self.net.any());
        for (name, value) in &command.env {
            env::check(name, value).map_err(ExecError::EnvDenied)?;
            env.retain(|(n, _)| n != name);
            env.push((name.clone(), value.clone()));
        }
        if env::complete(&mut env, &seen) {
            macos_stubs::write(&access.cache).map_err(|e| {
                ExecError::Unavailable(format!("writing the macOS link stubs: {e}"))
            })?;
        }
        let spec = Spec {
            program: view.seen(&tool.path),
            args,
            env,
            cwd: roots.source.clone().unwrap_or_else(|| self.tmp.clone()),
            timeout: Duration::from_secs(self.limits.exec_time_secs),
            output_cap: OUTPUT_CAP,
            alarm: self.alarm.clone(),
        };
        policy::confine(spec, &view, network, &self.limits)
    }

    /// The program's network, starting the relays to the allowed hosts the first time.
    fn network(&mut self) -> Result<Network, ExecError> {
        let hosts = match &self.net {
            Access::None => return Ok(Network::Isolated),
            Access::All => return Ok(Network::Host),
            Access::Hosts(hosts) => hosts,
        };
        if self.egress.is_none() {
            let started = tempfile::Builder::new()
                .prefix("xhost-net-")
                .tempdir()
                .map_err(anyhow::Error::from)
                .and_then(|dir| Egress::start(&dir.keep(), hosts, self.log.clone()))
                .map_err(|e| {
                    ExecError::Unavailable(format!("starting the network relays: {e:#}"))
                })?;
            self.egress = Some(started);
        }
        let egress = self.egress.as_ref().expect("started above");
        Ok(Network::Egress(egress.routes().to_vec()))
    }
}

impl wit::Host for ExecCap {
    fn run(&mut self, command: Command) -> Result<Output, ExecError> {
        let spec = self.prepare(&command).inspect_err(|e| {
            self.log.message(
                Level::Warn,
                &format!("exec of `{}` refused: {}", command.program, describe(e)),
            );
        })?;
        self.log.message(
            Level::Debug,
            &format!("exec: {} {}", command.program, shown_args(&command.args)),
        );
        let mut span = crate::trace::span("exec", || command.program.clone());
        span.arg("args", shown_args(&command.args));
        let started = Instant::now();
        let finished = process::run(spec);
        drop(span);
        self.time_spent.add(started.elapsed());
        let finished = finished
            .map_err(|e| ExecError::Unavailable(format!("starting `{}`: {e}", command.program)))?;
        if let Some(why) = policy::setup_failure(&finished) {
            return Err(ExecError::Unavailable(format!(
                "`{}`: {why}",
                command.program
            )));
        }
        if let (Some(signal), false) = (finished.signal, finished.timed_out) {
            self.log.message(
                Level::Warn,
                &format!("`{}` was killed by signal {signal}", command.program),
            );
        }
        if finished.stopped {
            let why = self
                .alarm
                .as_ref()
                .and_then(|a| a.raised())
                .unwrap_or("was interrupted");
            return Err(ExecError::Unavailable(format!(
                "`{}` was killed: the invocation {why}",
                command.program
            )));
        }
        if finished.timed_out {
            return Err(ExecError::TimedOut(format!(
                "`{}` ran longer than {} s and was killed (limits.exec_time_secs)",
                command.program, self.limits.exec_time_secs
            )));
        }
        Ok(Output {
            exit_code: finished.exit_code,
            stdout: finished.stdout,
            stderr: finished.stderr,
            truncated: finished.truncated,
        })
    }
}

/// Runs `tool` for xhost itself rather than for a plugin (checking what a fetch stage
/// made): with its profile's environment, offline, `project` as working directory and
/// read-only, `modules` read-only as the fetched directory, and scratch directories
/// under `work`, in the tool sandbox.
pub fn run_for_host(
    tool: &Tool,
    args: &[&str],
    project: &Path,
    modules: &Path,
    work: &Path,
    limits: &Limits,
) -> Result<process::Finished> {
    let roots = Roots {
        source: Some(project.to_path_buf()),
        input: work.join("in"),
        output: work.join("out"),
    };
    let access = Mounts {
        paths: Vec::new(),
        read_only: Vec::new(),
        tmp: work.join("tmp"),
        home: work.join("home"),
        cache: work.join("cache"),
        modules: Some((modules.to_path_buf(), false)),
    };
    for dir in [
        &access.home,
        &access.cache,
        &access.tmp,
        &roots.input,
        &roots.output,
    ] {
        std::fs::create_dir_all(dir)?;
    }
    let view =
        View::new(tool, &[], &roots, &access).map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let workspace = Some(project.join("go.work")).filter(|f| f.is_file());
    let spec = Spec {
        program: view.seen(&tool.path),
        args: args.iter().map(Into::into).collect(),
        env: env::base(
            tool,
            &[tool.name.as_str()],
            &dirs(&view, tool, &[], &access, workspace, None),
            false,
        ),
        cwd: project.to_path_buf(),
        timeout: Duration::from_secs(limits.exec_time_secs),
        output_cap: OUTPUT_CAP,
        alarm: None,
    };
    let spec = policy::confine(spec, &view, Network::Isolated, limits)
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let finished =
        process::run(spec).map_err(|e| anyhow::anyhow!("starting {}: {e}", tool.path.display()))?;
    if let Some(why) = policy::setup_failure(&finished) {
        anyhow::bail!("{}: {why}", tool.name);
    }
    Ok(finished)
}

/// One argument as the program receives it: a path as the program sees it.
fn argument(arg: &Arg, roots: &Roots, view: &View) -> Result<OsString, String> {
    let resolved = args::resolve(arg, roots)?;
    Ok(match arg {
        Arg::Text(_) => resolved,
        Arg::Source(_) | Arg::Input(_) | Arg::Output(_) => {
            view.seen(Path::new(&resolved)).into_os_string()
        }
    })
}

/// The run's directories as the program sees them.
fn dirs(
    view: &View,
    tool: &Tool,
    companions: &[&Tool],
    access: &Mounts,
    workspace: Option<PathBuf>,
    lane: Option<String>,
) -> Dirs {
    let programs = || std::iter::once(tool).chain(companions.iter().copied());
    Dirs {
        bin: programs().map(|t| view.seen(t.dir())).collect(),
        installations: programs()
            .map(|t| (t.name.clone(), view.seen(&t.installation)))
            .collect(),
        lane,
        home: view.seen(&access.home),
        cache: view.seen(&access.cache),
        tmp: view.seen(&access.tmp),
        workspace: workspace.map(|w| view.seen(&w)),
        modules: access.modules.as_ref().map(|(dir, _)| view.seen(dir)),
    }
}

/// The message inside an [`ExecError`].
pub fn describe(error: &ExecError) -> &str {
    match error {
        ExecError::NotGranted(m)
        | ExecError::BadArgument(m)
        | ExecError::EnvDenied(m)
        | ExecError::Unavailable(m)
        | ExecError::TimedOut(m) => m,
    }
}

fn shown_args(args: &[Arg]) -> String {
    args.iter()
        .map(|arg| match arg {
            Arg::Text(t) => t.clone(),
            Arg::Source(p) => format!("src:{p}"),
            Arg::Input(p) => format!("in:{p}"),
            Arg::Output(p) => format!("out:{p}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
