//! Running a plan: each target's per-target stages as one pipeline, up to `jobs`
//! targets at once, then the release stages over every target's artifacts.

pub mod invocation;
mod job;
pub mod lane_times;

pub use invocation::Ran;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow, bail};

use crate::artifacts::{ArtifactSet, Record, Store};
use crate::cache::ActionCache;
use crate::caps::Fetched;
use crate::caps::signing::Signed;
use crate::go_modules::ModuleCache;
use crate::plan::{Plan, PlannedStage};
use crate::report::{Lane, Level, Reporter, StageOutcome};
use crate::target::Target;
use lane_times::LaneTimes;

pub struct Pipeline<'a> {
    pub plan: &'a Plan,
    /// The targets whose per-target stages run here (the configuration's, or a split
    /// build's share of them).
    pub targets: &'a [Target],
    /// The targets' artifacts, when they were made elsewhere (`xhost merge`): no fetch
    /// or per-target stage runs, only the release stages over these.
    pub given: Option<Vec<Record>>,
    pub store: &'a Store,
    /// Scratch directory for invocation directories.
    pub work: &'a Path,
    /// The project's programs' homes and caches, one directory per program.
    pub tools: crate::cache_layout::ToolCaches,
    pub reporter: Arc<dyn Reporter>,
    /// Targets built at once.
    pub jobs: usize,
    /// Artifacts that exist before the first stage (inputs given to `xhost plugin run`);
    /// each lands in its target's pipeline, or the release's when it has no target.
    pub seed: Vec<Record>,
    /// Files the host made before the stages (the release notes), offered to every
    /// target's stages that consume their kind (an archive including `CHANGELOG.md`)
    /// but never a target's output: the host publishes them itself.
    pub shared: Vec<Record>,
    /// Outputs of invocations seen before are taken from here instead of rerunning.
    pub cache: Option<&'a ActionCache>,
    /// Where invocations the cache misses run, when not here.
    pub remote_exec: Option<&'a crate::remote_exec::RemoteExec>,
    /// The module cache for the project's lock files, when its build downloads
    /// modules: filled by the fetch stages unless already there, read by every program.
    pub modules: Option<ModuleCache>,
    /// Where each target's duration is kept between builds (longest first), if anywhere.
    pub lane_times: Option<PathBuf>,
}

/// What a whole run made.
pub struct Release {
    /// Every artifact, in path order.
    pub records: Vec<Record>,
    /// Every signature plugins had the host make, sorted.
    pub signed: Vec<Signed>,
}

/// Set once any target fails, so the others stop before their next stage.
struct Cancel(AtomicBool);

/// What one run keeps while stages run on several threads.
#[derive(Default)]
struct RunState {
    /// Numbers invocation directories.
    sequence: AtomicUsize,
    /// Every signature plugins had the host make, in any order.
    signed: Mutex<Vec<Signed>>,
}

impl Pipeline<'_> {
    /// Runs the whole plan.
    pub fn run(&self) -> Result<Release> {
        let state = RunState::default();
        let records = self.run_stages(&state)?;
        let mut signed = state.signed.into_inner().expect("signatures lock");
        signed.sort();
        Ok(Release { records, signed })
    }

    /// Every stage: fetches, then targets, then the release; returns every artifact,
    /// in path order.
    fn run_stages(&self, state: &RunState) -> Result<Vec<Record>> {
        let mut all = match &self.given {
            Some(given) => ArtifactSet::from_records(given.iter().cloned()),
            None => {
                let fetched = self.run_fetches(state);
                self.reporter.lane_finished(&None);
                fetched?;
                self.run_targets(state)?
            }
        };
        for record in self.seed.iter().filter(|r| r.target.is_none()) {
            all.upsert(record.clone());
        }
        let release = self.plan.release().collect::<Vec<_>>();
        for stage in release {
            let (outputs, consumed) = self.run_stage(stage, &None, &all, state)?;
            all.admit(outputs, &consumed).map_err(anyhow::Error::msg)?;
        }
        self.reporter.lane_finished(&None);
        Ok(all.into_sorted())
    }

    /// Fills the module cache with the fetch stages, unless an earlier build did: in a
    /// staging directory that is kept only once xhost has checked it against go.sum.
    fn run_fetches(&self, state: &RunState) -> Result<()> {
        let fetches: Vec<&PlannedStage> = self.plan.fetches().collect();
        let Some(first) = fetches.first() else {
            return Ok(());
        };
        let modules = match &self.modules {
            Some(modules) if !modules.ready() => modules,
            present => {
                let why = match present {
                    Some(_) => {
                        "the modules of these go.mod and go.sum were downloaded and checked before"
                    }
                    None => "nothing to download (no module requirements, or vendor/ holds them)",
                };
                for stage in &fetches {
                    self.report_skipped(stage, why);
                }
                return Ok(());
            }
        };
        let staging = modules.begin()?;
        let fetched = self.fill(&fetches, &staging, state).and_then(|()| {
            self.check_fetched(modules, first).with_context(|| {
                format!(
                    "stage `{}` ({})",
                    first.config.name, first.prepared.plugin.label
                )
            })
        });
        match fetched {
            Ok(()) => modules.commit(),
            Err(e) => {
                modules.abandon();
                Err(e)
            }
        }
    }

    /// Runs the fetch stages with `staging` as the module cache their programs write.
    fn fill(&self, fetches: &[&PlannedStage], staging: &Path, state: &RunState) -> Result<()> {
        for stage in fetches {
            let filling = Fetched {
                dir: staging.to_path_buf(),
                filling: true,
            };
            let outputs = self.invoke(stage, &None, &[], state, Some(filling))?;
            if let Some(output) = outputs.first() {
                bail!(
                    "stage `{}` ({}) is a fetch stage, which fills the module cache and returns nothing, but it returned `{}`",
                    stage.config.name,
                    stage.prepared.plugin.label,
                    output.path
                );
            }
        }
        Ok(())
    }

    /// xhost's own check of what the fetch stages made, with the build's `go`.
    fn check_fetched(&self, modules: &ModuleCache, first: &PlannedStage) -> Result<()> {
        if let Some(crates) = self.plan.crates.as_ref().filter(|c| c.downloads()) {
            return crates.verify_fetched(modules);
        }
        let go = self
            .plan
            .stages
            .iter()
            .find_map(|s| crate::caps::exec::programs(s).get("go"))
            .context("checking the downloaded modules needs `go`, which no stage is granted")?;
        let go_modules = self.plan.go_modules.as_ref().expect("modules to fetch");
        go_modules.verify_fetched(
            go,
            modules,
            &self.work.join("verify-modules"),
            &first.config.limits,
        )
    }

    /// Reports a fetch stage that had nothing to do.
    fn report_skipped(&self, stage: &PlannedStage, why: &str) {
        let name = &stage.config.name;
        self.reporter
            .stage_started(&None, name, &stage.prepared.plugin.label);
        self.reporter.log(&None, name, Level::Debug, why);
        self.reporter.stage_finished(
            &None,
            name,
            &StageOutcome {
                ok: true,
                cached: true,
                elapsed: std::time::Duration::ZERO,
                artifacts: 0,
                why: Some(why.to_string()),
            },
        );
    }

    /// What programs read of the fetched modules, once they are there.
    fn reading(&self) -> Option<Fetched> {
        self.modules
            .as_ref()
            .filter(|m| m.ready())
            .map(|m| Fetched {
                dir: m.dir.clone(),
                filling: false,
            })
    }

    fn run_targets(&self, state: &RunState) -> Result<ArtifactSet> {
        let targets = self.targets;
        let times = LaneTimes::load(self.lane_times.as_deref());
        let order = times.order(targets);
        let next = AtomicUsize::new(0);
        let cancel = Cancel(AtomicBool::new(false));
        let results: Mutex<Vec<Option<Result<ArtifactSet>>>> =
            Mutex::new((0..targets.len()).map(|_| None).collect());
        let took = Mutex::new(Vec::new());
        let workers = self.jobs.clamp(1, targets.len().max(1));
        std::thread::scope(|scope| {
            for worker in 0..workers {
                std::thread::Builder::new()
                    .name(format!("xhost-lane-{worker}"))
                    .spawn_scoped(scope, || {
                        while let Some(&index) = order.get(next.fetch_add(1, Ordering::SeqCst)) {
                            if cancel.0.load(Ordering::SeqCst) {
                                break;
                            }
                            let started = std::time::Instant::now();
                            let result = self.run_target(&targets[index], state, &cancel);
                            self.reporter.lane_finished(&Some(targets[index].clone()));
                            match &result {
                                Ok(_) => took
                                    .lock()
                                    .expect("times lock")
                                    .push((targets[index].clone(), started.elapsed())),
                                Err(_) => cancel.0.store(true, Ordering::SeqCst),
                            }
                            results.lock().expect("results lock")[index] = Some(result);
                        }
                    })
                    .expect("starting a target thread");
            }
        });
        times.save(&took.into_inner().expect("times lock"));
        let mut all = ArtifactSet::default();
        let mut failures = Vec::new();
        for result in results
            .into_inner()
            .expect("results lock")
            .into_iter()
            .flatten()
        {
            match result {
                Ok(set) => {
                    if let Some(clash) = all.clash_with(&set) {
                        failures.push(clash);
                    }
                    all.extend(set);
                }
                Err(e) if e.is::<Cancelled>() => {}
                Err(e) => failures.push(format!("{e:#}")),
            }
        }
        match failures.len() {
            0 => Ok(all),
            1 => Err(anyhow!(failures.remove(0))),
            n => Err(anyhow!("{n} targets failed:\n\n{}", failures.join("\n\n"))),
        }
    }

    fn run_target(
        &self,
        target: &Target,
        state: &RunState,
        cancel: &Cancel,
    ) -> Result<ArtifactSet> {
        let lane = Some(target.clone());
        let mut set = ArtifactSet::default();
        for record in self
            .seed
            .iter()
            .filter(|r| r.target.as_ref() == Some(target))
        {
            set.upsert(record.clone());
        }
        for record in &self.shared {
            set.upsert(record.clone());
        }
        for stage in self.plan.per_target() {
            if cancel.0.load(Ordering::SeqCst) {
                return Err(Cancelled.into());
            }
            let (outputs, consumed) = self.run_stage(stage, &lane, &set, state)?;
            set.admit(outputs, &consumed).map_err(anyhow::Error::msg)?;
        }
        // Unless a stage replaced them, the shared files leave with the lane.
        set.remove_unchanged(&self.shared);
        Ok(set)
    }

    /// Runs `stage` on the artifacts of `set` it consumes; returns its outputs and the
    /// paths it consumed (those it may replace).
    fn run_stage(
        &self,
        stage: &PlannedStage,
        lane: &Lane,
        set: &ArtifactSet,
        state: &RunState,
    ) -> Result<(Vec<Record>, BTreeSet<String>)> {
        let inputs = set.select(&stage.info.consumes);
        let consumed = inputs.iter().map(|r| r.path.clone()).collect();
        let outputs = self.invoke(stage, lane, &inputs, state, self.reading())?;
        Ok((outputs, consumed))
    }

    fn invoke(
        &self,
        stage: &PlannedStage,
        lane: &Lane,
        inputs: &[&Record],
        state: &RunState,
        fetched: Option<Fetched>,
    ) -> Result<Vec<Record>> {
        crate::interrupt::check()?;
        let n = state.sequence.fetch_add(1, Ordering::SeqCst);
        let slug = lane
            .as_ref()
            .map_or_else(|| "release".to_string(), Target::slug);
        let dir = self
            .work
            .join(format!("{n:04}-{}-{slug}", stage.config.name));
        let env = invocation::Env {
            config: &self.plan.config,
            store: self.store,
            dir: &dir,
            tools: &self.tools,
            reporter: self.reporter.clone(),
            cache: self.cache,
            fetched,
            remote_exec: self.remote_exec,
        };
        let ran = invocation::run(&env, stage, lane, inputs)?;
        state
            .signed
            .lock()
            .expect("signatures lock")
            .extend(ran.signed);
        Ok(ran.outputs)
    }
}

/// A target that stopped because another one failed.
#[derive(Debug)]
struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled because another target failed")
    }
}

impl std::error::Error for Cancelled {}
