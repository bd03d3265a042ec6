//! A session: what every command that plans or builds goes through, so each runs the
//! same steps with the same locks.
//!
//! open (cache layout, engine with its compiled-plugin cache, reporter) → `prepare`
//! (nothing touched yet: `dist/` checked, configuration planned, the tool sandbox
//! settled) → `run` (the project's and the cache's locks, the action cache, the
//! pipeline, the provenance) → `publish` (the release swapped into `dist/`). `xhost
//! build`, `xhost plugin run` and `xhost check` are thin files over it.

mod merge;
mod programs;
mod seed;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Result;

pub use seed::Seed;

use crate::artifacts::{Kind, Record, dist, goreleaser, manifest};
use crate::build_state::{self, BuildState};
use crate::cache::{ActionCache, Summary};
use crate::cache_layout::CacheLayout;
use crate::caps::signing::Signed;
use crate::config::Config;
use crate::go_modules::ModuleCache;
use crate::keys::Key;
use crate::pipeline::Pipeline;
use crate::plan::{self, Plan};
use crate::provenance;
use crate::report::{Lane, Reporter};
use crate::runtime::Runtime;

/// The machine-wide parts every command shares.
pub struct Session {
    cache: CacheLayout,
    runtime: Runtime,
    reporter: Arc<dyn Reporter>,
}

/// What a build is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where the release is published.
    pub dist: PathBuf,
    /// Targets built at once.
    pub jobs: usize,
    pub action_cache: ActionCacheUse,
    /// Run programs unconfined where the tool sandbox is unavailable (said loudly and
    /// recorded), instead of refusing.
    pub allow_unsandboxed_tools: bool,
    /// Files that exist before the first stage…
    pub seed: Vec<Seed>,
    /// …belonging to this target when the plan has per-target stages (else to the
    /// release).
    pub seed_target: Option<crate::target::Target>,
    /// Publish only this stage's outputs (`xhost plugin run`); all when none.
    pub publish_only: Option<String>,
    /// The source tree's digest taken when the build started (`crate::up_to_date`),
    /// which the action keys use rather than walking the tree again; none: computed
    /// when a key first needs it.
    pub source_digest: Option<String>,
    /// The remote cache to share the action cache through, if any.
    pub remote_cache: Option<crate::cache::remote::Settings>,
    /// The REAPI execution service that runs the stages the cache misses, if any.
    pub remote_exec: Option<crate::cache::remote::Settings>,
    /// Which part of the release to make.
    pub scope: Scope,
}

/// Which part of the release a build makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// All of it.
    #[default]
    Whole,
    /// The per-target stages for these targets, published as a partial release
    /// (`xhost build --split`).
    Split(Vec<crate::target::Target>),
    /// The release stages over the partial releases in these directories, published as
    /// the whole release (`xhost merge`).
    Merge(Vec<PathBuf>),
}

/// How a build uses the action cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionCacheUse {
    /// Reuse earlier outputs and record new ones.
    Reuse,
    /// Run every stage, still recording what it made (`--no-cache`).
    Refresh,
    /// Neither (`xhost plugin run`: an author runs a plugin to see it run).
    Off,
}

/// A build ready to run: planned, with the tool sandbox settled.
pub struct Prepared {
    pub plan: Plan,
    request: Request,
    /// The remote cache, opened to plan with (plugins' descriptions), then the action
    /// cache's.
    remote: Option<Arc<crate::cache::remote::Remote>>,
    /// Programs run unconfined (with the user's consent).
    unsandboxed_tools: bool,
    /// What a merge takes in: the partial releases, read and checked.
    partials: Vec<crate::artifacts::partial::Partial>,
}

/// A release made and held in the store, not yet published; holds the build's locks.
pub struct Built {
    pub records: Vec<Record>,
    pub signed: Vec<Signed>,
    /// What the action cache did; none without one.
    pub cache: Option<Summary>,
    /// Programs ran unconfined, here or for a partial merged.
    unsandboxed_tools: bool,
    /// What `artifacts.json` says of a partial release.
    partial: Option<crate::artifacts::partial::Section>,
    state: BuildState,
}

impl Session {
    /// A session on the cache xhost finds from its environment, reporting at
    /// `verbosity` (0: warnings, errors and notes; 1: and plugins' info/debug; 2: all).
    pub fn open(verbosity: u8) -> Result<Session> {
        Session::open_reporting(crate::report::for_stderr(verbosity))
    }

    /// A session on the cache xhost finds from its environment, reporting to `reporter`.
    pub fn open_reporting(reporter: Arc<dyn Reporter>) -> Result<Session> {
        let cache = CacheLayout::locate()?;
        let runtime = Runtime::cached(&cache)?;
        Ok(Session::with(cache, runtime, reporter))
    }

    /// A session on given parts (tests, benchmarks).
    pub fn with(cache: CacheLayout, runtime: Runtime, reporter: Arc<dyn Reporter>) -> Session {
        Session {
            cache,
            runtime,
            reporter,
        }
    }

    pub fn cache(&self) -> &CacheLayout {
        &self.cache
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    pub fn reporter(&self) -> Arc<dyn Reporter> {
        self.reporter.clone()
    }

    /// Every plugin loaded, checked, linked and described; every tool and key found.
    pub fn plan(&self, config: Config) -> Result<Plan> {
        plan::plan(config, &self.runtime, self.reporter.clone())
    }

    /// Makes sure `plan`'s programs run confined (a remote worker's plan), refusing
    /// otherwise.
    pub fn confine_programs(&self, plan: &Plan) -> Result<()> {
        programs::settle(plan, &self.cache, false).map(|_| ())
    }

    /// Everything that can fail before work starts: `dist/` must be replaceable, the
    /// plan complete, and programs confinable (or their confinement waived).
    pub fn prepare(&self, config: Config, request: Request) -> Result<Prepared> {
        // Before any work: a build that could not publish is a build wasted.
        dist::check_replaceable(&request.dist)?;
        let part = match &request.scope {
            Scope::Whole => plan::Part::Whole,
            Scope::Split(_) => plan::Part::PerTarget,
            Scope::Merge(_) => plan::Part::Release,
        };
        let remote = (request.remote_cache.clone())
            .filter(|_| request.action_cache != ActionCacheUse::Off)
            .map(|settings| crate::cache::remote::Remote::open(settings).map(Arc::new))
            .transpose()?;
        let plan = plan::plan_part(
            config,
            &self.runtime,
            self.reporter.clone(),
            part,
            remote.as_deref(),
        )?;
        let partials = match &request.scope {
            Scope::Whole => Vec::new(),
            Scope::Split(targets) => {
                merge::check_split(&plan, targets)?;
                Vec::new()
            }
            Scope::Merge(dirs) => merge::read(&plan, dirs)?,
        };
        let unsandboxed_tools =
            programs::settle(&plan, &self.cache, request.allow_unsandboxed_tools)?;
        Ok(Prepared {
            plan,
            request,
            remote,
            unsandboxed_tools,
            partials,
        })
    }

    /// Runs every stage of `prepared` under the build's locks, and attests the release
    /// when the configuration names a provenance key.
    pub fn run(&self, prepared: &Prepared) -> Result<Built> {
        let (plan, request) = (&prepared.plan, &prepared.request);
        let state = build_state::acquire(&self.cache, &plan.config.root, &request.dist)?;
        let action_cache = match request.action_cache {
            ActionCacheUse::Off => None,
            reuse => Some(ActionCache::open(
                &self.cache,
                &state.project,
                &plan.config,
                &request.dist,
                reuse == ActionCacheUse::Reuse,
                request.source_digest.clone(),
                (prepared.remote.clone()).map(|remote| (remote, state.work.path().join("remote"))),
            )?),
        };
        let remote_exec = (request.remote_exec.clone())
            .map(|settings| {
                crate::remote_exec::RemoteExec::open(settings, &plan.config.root, &request.dist)
            })
            .transpose()?;
        let per_target = plan.per_target().next().is_some();
        let seed_target = request.seed_target.as_ref().filter(|_| per_target);
        let seed = request
            .seed
            .iter()
            .map(|s| {
                s.ingest(
                    &plan.config.project.name,
                    seed_target,
                    &state.store,
                    state.work.path(),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let notes = release_notes(plan, &state)?;
        let targets = match &request.scope {
            Scope::Whole => plan.config.targets.clone(),
            Scope::Split(targets) => targets.clone(),
            Scope::Merge(_) => Vec::new(),
        };
        let given = match &request.scope {
            Scope::Merge(_) => Some(merge::take_in(
                &prepared.partials,
                &state.store,
                &state.work.path().join("partials"),
            )?),
            _ => None,
        };
        self.reporter.build_started(&lanes(plan, &targets));
        let pipeline = Pipeline {
            plan,
            targets: &targets,
            given,
            store: &state.store,
            work: state.work.path(),
            tools: state.project.tools()?,
            reporter: self.reporter.clone(),
            jobs: request.jobs,
            seed,
            shared: notes.iter().cloned().collect(),
            cache: action_cache.as_ref(),
            remote_exec: remote_exec.as_ref(),
            modules: module_cache(plan, &state.project.modules()),
            lane_times: Some(state.project.lane_times()),
        };
        let started = SystemTime::now();
        let release = pipeline.run();
        self.reporter.finish();
        let release = release?;
        let mut records = release.records;
        let split = matches!(request.scope, Scope::Split(_));
        // A partial release holds only its targets' files: the merge adds the rest.
        let added = match split {
            true => Vec::new(),
            false => host_files(plan, notes, &records, &state, &request.dist)?,
        };
        if !added.is_empty() {
            records.extend(added);
            records.sort_by(|a, b| a.path.cmp(&b.path));
        }
        let unsandboxed_tools =
            prepared.unsandboxed_tools || prepared.partials.iter().any(|p| p.unsandboxed_tools);
        if let Some(key) = &plan.provenance_key {
            let run = provenance::Run {
                started,
                finished: SystemTime::now(),
                unsandboxed_tools,
            };
            records.push(attest(plan, &records, &run, key, &state)?);
            records.sort_by(|a, b| a.path.cmp(&b.path));
        }
        if let Some(stage) = &request.publish_only {
            records.retain(|r| &r.stage == stage);
        }
        let cache = action_cache.map(|c| merge::summary(c.summary(), &prepared.partials));
        let mut signed = release.signed;
        signed.extend(
            prepared
                .partials
                .iter()
                .flat_map(|p| p.signed.iter().cloned()),
        );
        signed.sort();
        let partial = split.then(|| {
            crate::artifacts::partial::Section::new(
                &targets,
                &plan.config.targets,
                merge::config_sha256(&plan.config),
                &records,
            )
        });
        if let Some(summary) = &cache {
            // Statistics only: a build never fails for them.
            if let Err(e) = crate::cache::counts::add(&self.cache, summary) {
                eprintln!("xhost: warning: not counting this build's cache use: {e:#}");
            }
        }
        Ok(Built {
            records,
            signed,
            cache,
            unsandboxed_tools,
            partial,
            state,
        })
    }

    /// Swaps the release into `dist/` (only after everything before succeeded); returns
    /// what was published.
    pub fn publish(&self, prepared: &Prepared, built: Built) -> Result<Vec<Record>> {
        let manifest_json = manifest::render(
            &prepared.plan.config.project,
            &built.records,
            built.unsandboxed_tools,
            built.cache.as_ref(),
            &built.signed,
            built.partial.as_ref(),
        );
        dist::publish(
            &prepared.request.dist,
            &built.state.store,
            &built.records,
            &manifest_json,
            &built.state.project.published(),
        )?;
        Ok(built.records)
    }
}

/// A progress lane for each of `targets` when the plan has per-target stages, and one
/// for the release stages.
fn lanes(plan: &Plan, targets: &[crate::target::Target]) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    if plan.per_target().next().is_some() {
        lanes.extend(targets.iter().cloned().map(Some));
    }
    if plan.release().next().is_some() || plan.fetches().next().is_some() {
        lanes.push(None);
    }
    lanes
}

/// The module cache a build reads: named by the lock files and the fetch stages'
/// settings, under the project's area; none when nothing is downloaded.
fn module_cache(plan: &Plan, area: &std::path::Path) -> Option<ModuleCache> {
    let settings: Vec<(&str, &str)> = plan
        .fetches()
        .map(|s| (s.config.name.as_str(), s.config.json_for(None)))
        .collect();
    if let Some(modules) = plan.go_modules.as_ref().filter(|m| m.downloads()) {
        return Some(ModuleCache::new(area, modules.download_key(&settings)));
    }
    let crates = plan.crates.as_ref().filter(|c| c.downloads())?;
    Some(ModuleCache::new(area, crates.download_key(&settings)))
}

/// The release notes (`[changelog]`) as a file in the store, made before the stages so
/// the targets' stages can include them (the archive does, by default).
fn release_notes(plan: &Plan, state: &BuildState) -> Result<Option<Record>> {
    let Some(notes) = &plan.config.release_notes else {
        return Ok(None);
    };
    let meta = vec![("commits".into(), notes.commits.to_string())];
    let record = host_record(
        state,
        NOTES,
        notes.text.as_bytes(),
        Kind::Other,
        "changelog",
        meta,
    )?;
    Ok(Some(record))
}

/// The files the host adds to the release after the stages: the release notes (unless
/// a stage made a `CHANGELOG.md`) and GoReleaser's metadata files (`[metadata]
/// goreleaser`, listing what is published).
fn host_files(
    plan: &Plan,
    notes: Option<Record>,
    records: &[Record],
    state: &BuildState,
    dist: &Path,
) -> Result<Vec<Record>> {
    let config = &plan.config;
    let mut added = Vec::new();
    if let Some(notes) = notes
        && !records.iter().any(|r| r.path == NOTES)
    {
        added.push(notes);
    }
    if config.goreleaser_metadata {
        for name in [goreleaser::ARTIFACTS, goreleaser::METADATA] {
            if let Some(made) = records.iter().find(|r| r.path == name) {
                anyhow::bail!(
                    "stage `{}` wrote `{name}`, which xhost writes for `[metadata] goreleaser = true`; rename the stage's file or turn the setting off",
                    made.stage
                );
            }
        }
        let metadata = goreleaser::metadata(config);
        let metadata = host_record(
            state,
            goreleaser::METADATA,
            metadata.as_bytes(),
            Kind::Other,
            "metadata",
            Vec::new(),
        )?;
        added.push(metadata);
        // GoReleaser lists its metadata.json too (not the list itself).
        let mut listed: Vec<Record> = records.iter().chain(&added).cloned().collect();
        listed.sort_by(|a, b| a.path.cmp(&b.path));
        let dist_name = dist
            .file_name()
            .map_or("dist".into(), |n| n.to_string_lossy());
        let list = goreleaser::artifacts(config, &listed, &dist_name);
        added.push(host_record(
            state,
            goreleaser::ARTIFACTS,
            list.as_bytes(),
            Kind::Other,
            "metadata",
            Vec::new(),
        )?);
    }
    Ok(added)
}

/// A file the host itself adds to the release, stored under `path`.
fn host_record(
    state: &BuildState,
    path: &str,
    bytes: &[u8],
    kind: Kind,
    stage: &str,
    meta: Vec<(String, String)>,
) -> Result<Record> {
    let file = state.work.path().join(path);
    std::fs::write(&file, bytes)?;
    let (sha256, size) = state.store.ingest(&file)?;
    Ok(Record {
        path: path.into(),
        kind,
        target: None,
        sha256,
        size,
        executable: false,
        meta,
        stage: stage.into(),
        plugin: "xhost".into(),
        plugin_digest: String::new(),
    })
}

/// The release notes' file name in dist/ (GoReleaser's).
const NOTES: &str = "CHANGELOG.md";

/// Signs provenance over `records` and stores it as the release's attestation.
fn attest(
    plan: &Plan,
    records: &[Record],
    run: &provenance::Run,
    key: &Key,
    state: &BuildState,
) -> Result<Record> {
    let bytes = provenance::attest(plan, records, run, key)?;
    let meta = vec![("key".into(), key.id.clone())];
    let path = provenance::file_name(&plan.config.project);
    host_record(state, &path, &bytes, Kind::Provenance, "provenance", meta)
}
