//! Running a plugin: link it for its stage's grants once — when the stage first runs,
//! so a stage the cache answers never compiles its plugin — then call `describe` or
//! `run` in a fresh store per invocation, with the sandbox's WASI context and limits.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wasmtime::{Store, Trap};
use wasmtime_wasi::WasiCtx;

use super::bindings::types::{Artifact, Job, PluginInfo, StageError};
use super::bindings::{FullPluginPre, v0_1};
use super::contract::{self, Version};
use super::contract_v0_1;
pub use super::contract_v0_1::Extras;
use super::drive::{Stopped, Watch, drive};
use super::limits::{MemoryLimiter, ProgramTime, install_deadline};
use super::linker::OwnedLink;
use super::state::{CapStates, StoreState};
use super::{LoadedPlugin, Runtime, linker};
use crate::config::Limits;
use crate::plugin_sandbox::quota::Alarm;
use crate::report::plugin_log::LogSink;

/// A plugin to be linked for one stage's grants, then instantiated many times.
pub struct Prepared {
    pub plugin: Arc<LoadedPlugin>,
    stage: String,
    /// Adds the stage's granted interfaces to a linker.
    link: OwnedLink,
    /// Compiled and linked on first use.
    pre: OnceLock<Pre>,
    linking: Mutex<()>,
    runtime: Runtime,
}

/// The linked component, in the contract version it was built for.
enum Pre {
    Current(FullPluginPre<StoreState>),
    V0_1(v0_1::FullPluginPre<StoreState>),
}

/// What one call's store is made of, besides its job.
pub struct StoreParts {
    pub wasi: WasiCtx,
    pub limits: Limits,
    pub log: LogSink,
    pub alarm: Arc<Alarm>,
    /// Time spent in native programs, which the time limit does not count.
    pub program_time: Arc<ProgramTime>,
    /// The capabilities' states (`crate::caps::states`).
    pub caps: CapStates,
}

impl StoreParts {
    /// Parts with their own alarm and program clock.
    pub fn new(wasi: WasiCtx, limits: Limits, log: LogSink, caps: CapStates) -> Self {
        StoreParts {
            wasi,
            limits,
            log,
            alarm: Arc::default(),
            program_time: Arc::default(),
            caps,
        }
    }

    /// The parts of a `describe` call: no filesystem, ten seconds, `caps` refusing all.
    pub fn describe(log: LogSink, caps: CapStates) -> Result<Self> {
        let limits = Limits {
            time_secs: 10,
            ..Limits::default()
        };
        Ok(StoreParts::new(
            crate::plugin_sandbox::wasi::context(None, &log)?,
            limits,
            log,
            caps,
        ))
    }
}

/// Why an invocation produced no artifacts.
#[derive(Debug)]
pub enum InvokeError {
    /// The plugin returned a `stage-error`.
    Stage(StageError),
    /// It ran past `limits.time_secs`.
    TimeLimit(u64),
    /// It tried to grow its memory past `limits.memory_mib`.
    MemoryLimit { limit_mib: u64, requested: usize },
    /// It (or a program it ran) wrote past `limits.output_mib` / `output_files`.
    Quota(String),
    /// The user interrupted the build.
    Interrupted,
    /// It trapped (a panic, an `unreachable`, exit …).
    Trap(String),
    /// It could not be compiled or linked for its stage.
    Unloadable(String),
}

impl fmt::Display for InvokeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvokeError::Stage(StageError::InvalidConfig(m)) => {
                write!(
                    f,
                    "invalid stage config: {m} (fix the stage's `config` table in xhost.toml)"
                )
            }
            InvokeError::Stage(StageError::Unsupported(m)) => write!(f, "unsupported: {m}"),
            InvokeError::Stage(StageError::Failed(m)) => write!(f, "{m}"),
            InvokeError::TimeLimit(secs) => write!(
                f,
                "the plugin ran longer than its time limit of {secs} s and was stopped; raise `limits.time_secs` for the stage if it needs more"
            ),
            InvokeError::MemoryLimit {
                limit_mib,
                requested,
            } => write!(
                f,
                "the plugin tried to use {} MiB of memory, over its limit of {limit_mib} MiB, and was stopped; raise `limits.memory_mib` for the stage if it needs more",
                requested.div_ceil(1 << 20)
            ),
            InvokeError::Quota(m) => write!(f, "{m}; the plugin was stopped"),
            InvokeError::Interrupted => write!(f, "interrupted"),
            InvokeError::Trap(m) => write!(f, "the plugin crashed: {m}"),
            InvokeError::Unloadable(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for InvokeError {}

impl Prepared {
    /// `plugin` for stage `stage`, to be linked with the interfaces `link` adds (the
    /// stage's granted capabilities, in the plugin's contract version; the plan has
    /// refused a plugin importing others). Nothing is compiled or linked yet.
    pub fn new(runtime: &Runtime, plugin: Arc<LoadedPlugin>, stage: &str, link: OwnedLink) -> Self {
        Prepared {
            plugin,
            stage: stage.to_string(),
            link,
            pre: OnceLock::new(),
            linking: Mutex::new(()),
            runtime: runtime.clone(),
        }
    }

    /// The runtime it is compiled and linked by.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The stage it is linked for.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// Compiles (or takes from the cache) and links the plugin, once.
    pub fn ready(&self) -> Result<()> {
        self.pre().map(drop)
    }

    fn pre(&self) -> Result<&Pre> {
        if let Some(pre) = self.pre.get() {
            return Ok(pre);
        }
        let _one_at_a_time = self.linking.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pre) = self.pre.get() {
            return Ok(pre);
        }
        let pre = self.linked()?;
        Ok(self.pre.get_or_init(|| pre))
    }

    fn linked(&self) -> Result<Pre> {
        let (plugin, stage) = (&self.plugin, &self.stage);
        let component = plugin
            .component(&self.runtime)
            .with_context(|| format!("stage `{stage}`"))?;
        let linker = linker::with(self.runtime.engine(), &*self.link)?;
        let pre = linker
            .instantiate_pre(component)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("stage `{stage}`: linking plugin {}", plugin.label))?;
        let misfit = || {
            format!(
                "stage `{stage}`: plugin {} does not fit {}@{}",
                plugin.label,
                contract::PACKAGE,
                plugin.contract
            )
        };
        Ok(match plugin.contract {
            Version::V0_2 => Pre::Current(
                FullPluginPre::new(pre)
                    .map_err(anyhow::Error::from)
                    .with_context(misfit)?,
            ),
            Version::V0_1 => Pre::V0_1(
                v0_1::FullPluginPre::new(pre)
                    .map_err(anyhow::Error::from)
                    .with_context(misfit)?,
            ),
        })
    }

    /// Calls `describe` in a store made of `parts` ([`StoreParts::describe`]).
    pub fn describe(&self, parts: StoreParts) -> Result<PluginInfo> {
        let pre = self.pre()?;
        let (mut store, limits, watch) = self.store(parts);
        let call = async {
            match pre {
                Pre::Current(pre) => {
                    let bindings = pre.instantiate_async(&mut store).await?;
                    bindings
                        .xhost_plugin0_2_1_stage()
                        .call_describe(&mut store)
                        .await
                }
                Pre::V0_1(pre) => {
                    let bindings = pre.instantiate_async(&mut store).await?;
                    let info = bindings
                        .xhost_plugin_stage()
                        .call_describe(&mut store)
                        .await?;
                    Ok(contract_v0_1::info(info))
                }
            }
        };
        let result = finish(drive(call, &watch.borrow()), &mut store, &limits);
        result.with_context(|| format!("calling describe() of plugin {}", self.plugin.label))
    }

    /// Calls `run(job)` in a fresh store made of `parts`; `extras` are what a job of an
    /// earlier contract carried that the current one does not.
    pub fn run(
        &self,
        parts: StoreParts,
        job: &Job,
        extras: &Extras,
    ) -> Result<Vec<Artifact>, InvokeError> {
        let pre = self
            .pre()
            .map_err(|e| InvokeError::Unloadable(format!("{e:#}")))?;
        let (mut store, limits, watch) = self.store(parts);
        let call = async {
            match pre {
                Pre::Current(pre) => {
                    let bindings = pre.instantiate_async(&mut store).await?;
                    bindings
                        .xhost_plugin0_2_1_stage()
                        .call_run(&mut store, job)
                        .await
                }
                Pre::V0_1(pre) => {
                    let bindings = pre.instantiate_async(&mut store).await?;
                    let outcome = bindings
                        .xhost_plugin_stage()
                        .call_run(&mut store, &contract_v0_1::job(job, extras))
                        .await?;
                    Ok(contract_v0_1::outcome(outcome))
                }
            }
        };
        match finish(drive(call, &watch.borrow()), &mut store, &limits)? {
            Ok(artifacts) => Ok(artifacts),
            Err(stage_error) => Err(InvokeError::Stage(stage_error)),
        }
    }

    /// Instantiates the plugin in a fresh store made of `parts` and calls nothing:
    /// the fixed cost of every invocation, which `bench/run` measures.
    pub fn instantiate_only(&self, parts: StoreParts) -> Result<()> {
        let pre = self.pre()?;
        let (mut store, limits, watch) = self.store(parts);
        let call = async {
            match pre {
                Pre::Current(pre) => pre.instantiate_async(&mut store).await.map(drop),
                Pre::V0_1(pre) => pre.instantiate_async(&mut store).await.map(drop),
            }
        };
        finish(drive(call, &watch.borrow()), &mut store, &limits)
            .with_context(|| format!("instantiating plugin {}", self.plugin.label))
    }

    fn store(&self, parts: StoreParts) -> (Store<StoreState>, Limits, Watched) {
        let limits = parts.limits;
        let started = Instant::now();
        let watched = Watched {
            started,
            limit: Duration::from_secs(limits.time_secs),
            programs: parts.program_time.clone(),
            alarm: parts.alarm.clone(),
        };
        let state = StoreState {
            wasi: parts.wasi,
            table: Default::default(),
            memory: MemoryLimiter::new((limits.memory_mib as usize) << 20),
            log: parts.log,
            alarm: parts.alarm,
            program_time: parts.program_time,
            caps: parts.caps,
        };
        let mut store = Store::new(self.runtime.engine(), state);
        store.limiter(|s| &mut s.memory);
        install_deadline(&mut store, started, watched.limit);
        (store, limits, watched)
    }
}

/// What [`Watch`] borrows, owned for the length of a call.
struct Watched {
    started: Instant,
    limit: Duration,
    programs: Arc<ProgramTime>,
    alarm: Arc<Alarm>,
}

impl Watched {
    fn borrow(&self) -> Watch<'_> {
        Watch {
            started: self.started,
            limit: self.limit,
            programs: &self.programs,
            alarm: &self.alarm,
        }
    }
}

/// Flushes the plugin's log and turns a driven call's outcome into an invocation's.
fn finish<T>(
    driven: Result<wasmtime::Result<T>, Stopped>,
    store: &mut Store<StoreState>,
    limits: &Limits,
) -> Result<T, InvokeError> {
    store.data().log.finish();
    match driven {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(classify(error, store, limits)),
        Err(Stopped::TimeLimit) => Err(InvokeError::TimeLimit(limits.time_secs)),
        Err(Stopped::Interrupted) => Err(InvokeError::Interrupted),
        Err(Stopped::Alarm(reason)) => Err(InvokeError::Quota(reason)),
    }
}

fn classify(error: wasmtime::Error, store: &Store<StoreState>, limits: &Limits) -> InvokeError {
    if let Some(reason) = store.data().alarm.raised() {
        return InvokeError::Quota(reason.to_string());
    }
    let trap = error
        .chain()
        .find_map(|c| c.downcast_ref::<Trap>())
        .copied();
    if trap == Some(Trap::Interrupt) && crate::interrupt::requested() {
        return InvokeError::Interrupted;
    }
    if trap == Some(Trap::Interrupt) {
        return InvokeError::TimeLimit(limits.time_secs);
    }
    if let Some(requested) = store.data().memory.refused {
        return InvokeError::MemoryLimit {
            limit_mib: limits.memory_mib,
            requested,
        };
    }
    if let Some(exit) = error
        .chain()
        .find_map(|c| c.downcast_ref::<wasmtime_wasi::I32Exit>())
    {
        return InvokeError::Trap(format!("it called exit({}) instead of returning", exit.0));
    }
    match trap {
        Some(trap) => InvokeError::Trap(trap.to_string()),
        None => InvokeError::Trap(format!("{error:#}")),
    }
}
