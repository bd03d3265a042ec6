//! The `exec` capability: a plugin runs a native program its stage was granted.
//!
//! The plugin names the program (never a path), passes typed arguments
//! ([`super::exec_args`]) and allow-listed variables ([`super::exec_env`]); the host
//! runs it with private directories, the source tree as working directory, a timeout
//! and capped output ([`super::process`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{HasSelf, Linker};

pub use super::exec_args::Roots;
use super::exec_env::{self, Dirs};
use super::exec_policy::{self, Writable};
use super::log::LogSink;
use super::process::{self, Spec};
use super::tools::Tool;
use crate::config::Limits;
use crate::plugin_sandbox::quota::Alarm;
use crate::report::Level;
use crate::runtime::ProgramTime;
use crate::runtime::bindings::exec::{self as wit, Arg, Command, ExecError, Output};

/// Bytes kept of a program's stdout, and of its stderr.
pub const OUTPUT_CAP: usize = 4 << 20;

/// Where an invocation's programs run and write.
pub struct Places {
    pub roots: Roots,
    /// Per-project directory holding each tool's home and caches.
    pub tool_state: PathBuf,
    /// The invocation's private temporary directory.
    pub tmp: PathBuf,
    /// The invocation's quota alarm; a running program is killed when it goes off.
    pub alarm: Arc<Alarm>,
}

/// One invocation's `exec` state.
pub struct ExecCap {
    granted: BTreeMap<String, Tool>,
    /// None when the invocation has no mounts (`describe`).
    roots: Option<Roots>,
    /// Per-project directory holding each tool's home and caches.
    tool_state: PathBuf,
    /// The invocation's private temporary directory.
    tmp: PathBuf,
    limits: Limits,
    alarm: Option<Arc<Alarm>>,
    /// Programs keep the network (the stage grants `net`).
    net: bool,
    log: LogSink,
    /// Wall time spent in programs; not charged to the plugin's own time limit.
    pub time_spent: Arc<ProgramTime>,
}

impl ExecCap {
    pub fn new(
        granted: BTreeMap<String, Tool>,
        places: Places,
        limits: Limits,
        net: bool,
        log: LogSink,
    ) -> Self {
        ExecCap {
            granted,
            roots: Some(places.roots),
            tool_state: places.tool_state,
            tmp: places.tmp,
            alarm: Some(places.alarm),
            limits,
            net,
            log,
            time_spent: Arc::default(),
        }
    }

    /// A capability that refuses every call, for invocations without a job.
    pub fn denied(log: LogSink) -> Self {
        ExecCap {
            granted: BTreeMap::new(),
            roots: None,
            tool_state: PathBuf::new(),
            tmp: PathBuf::new(),
            alarm: None,
            limits: Limits::default(),
            net: false,
            log,
            time_spent: Arc::default(),
        }
    }

    fn prepare(&self, command: &Command) -> Result<Spec, ExecError> {
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
        let args = command
            .args
            .iter()
            .map(|arg| super::exec_args::resolve(arg, roots))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ExecError::BadArgument)?;
        let state = self.tool_state.join(&tool.name);
        let (home, cache) = (state.join("home"), state.join("cache"));
        // Bound into the tool sandbox by path, so it must exist first.
        for dir in [&home, &cache, &self.tmp] {
            std::fs::create_dir_all(dir)
                .map_err(|e| ExecError::Unavailable(format!("creating {}: {e}", dir.display())))?;
        }
        let mut env = exec_env::base(
            tool,
            &Dirs {
                home: &home,
                cache: &cache,
                tmp: &self.tmp,
            },
            self.net,
        );
        for (name, value) in &command.env {
            exec_env::check(name, value).map_err(ExecError::EnvDenied)?;
            env.retain(|(n, _)| n != name);
            env.push((name.clone(), value.clone()));
        }
        let spec = Spec {
            program: tool.path.clone(),
            args,
            env,
            cwd: roots.source.clone().unwrap_or_else(|| self.tmp.clone()),
            timeout: Duration::from_secs(self.limits.exec_time_secs),
            output_cap: OUTPUT_CAP,
            alarm: self.alarm.clone(),
        };
        let writable = Writable {
            fresh: vec![roots.output.clone(), self.tmp.clone()],
            kept: vec![home, cache],
        };
        exec_policy::confine(spec, tool, roots, &writable, self.net, &self.limits)
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
        let started = Instant::now();
        let finished = process::run(spec);
        self.time_spent.add(started.elapsed());
        let finished = finished
            .map_err(|e| ExecError::Unavailable(format!("starting `{}`: {e}", command.program)))?;
        if let Some(why) = exec_policy::setup_failure(&finished) {
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

/// Links `xhost:plugin/exec` to the store's [`ExecCap`].
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut ExecCap,
) -> wasmtime::Result<()> {
    wit::add_to_linker::<T, HasSelf<ExecCap>>(linker, get)
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
