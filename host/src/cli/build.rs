//! `xhost build`: plan, run every stage, publish `dist/`.

use std::io::Write;

use anyhow::Result;

use super::BuildArgs;
use crate::artifacts::{Store, dist, manifest};
use crate::cache::ActionCache;
use crate::config::{self, Overrides};
use crate::pipeline::Pipeline;
use crate::report::sanitize::shown_name;
use crate::report::{self, Lane, human_size};
use crate::runtime::Runtime;
use crate::{build_state, paths, plan, provenance};

pub(super) fn run(args: BuildArgs, verbosity: u8) -> Result<()> {
    let overrides = Overrides {
        targets: args.project.targets,
    };
    let config = config::load(&args.project.dir, &overrides)?;
    let dist_dir = args.dist.unwrap_or_else(|| config.root.join("dist"));
    // Before any work: a build that could not publish is a build wasted.
    dist::check_replaceable(&dist_dir)?;
    let reporter = report::for_stderr(verbosity);
    let cache = paths::cache_dir()?;
    let runtime = Runtime::cached(&cache)?;
    let plan = plan::plan(config, &runtime, reporter.clone())?;
    let unsandboxed =
        super::tool_sandbox::settle(&plan, &cache, args.tool_sandbox.allow_unsandboxed_tools)?;

    let state = build_state::acquire(&cache, &plan.config.root, &dist_dir)?;
    let (work, store) = (&state.work, &state.store);
    let actions = ActionCache::open(
        &cache,
        &state.tool_state,
        &plan.config,
        &dist_dir,
        !args.no_cache,
    )?;

    let project = &plan.config.project;
    let targets: Vec<String> = plan
        .config
        .targets
        .iter()
        .map(ToString::to_string)
        .collect();
    eprintln!(
        "xhost: building {} {} for {}",
        project.name,
        project.version,
        targets.join(", ")
    );
    let mut lanes: Vec<Lane> = plan.config.targets.iter().cloned().map(Some).collect();
    if plan.release().next().is_some() {
        lanes.push(None);
    }
    reporter.build_started(&lanes);
    let pipeline = Pipeline {
        plan: &plan,
        store,
        work: work.path(),
        tool_state: state.tool_state.clone(),
        reporter: reporter.clone(),
        jobs: args.jobs.map_or_else(default_jobs, usize::from),
        seed: Vec::new(),
        cache: Some(&actions),
    };
    let started = std::time::SystemTime::now();
    let release = pipeline.run();
    reporter.finish();
    let release = release?;
    let mut records = release.records;
    if let Some(key) = &plan.provenance_key {
        let run = provenance::Run {
            started,
            finished: std::time::SystemTime::now(),
            unsandboxed_tools: unsandboxed,
        };
        records.push(attest(&plan, &records, &run, key, store, work.path())?);
        records.sort_by(|a, b| a.path.cmp(&b.path));
    }

    let cache_use = actions.summary();
    let manifest_json = manifest::render(
        &plan.config.project,
        &records,
        unsandboxed,
        Some(&cache_use),
        &release.signed,
    );
    dist::publish(
        &dist_dir,
        store,
        &records,
        &manifest_json,
        &state.tool_state.join("published.json"),
    )?;
    let mut out = std::io::stdout().lock();
    for record in &records {
        // Names were checked when the plugin returned them; the cache they may come
        // from is a file on disk, so they are shown safely all the same.
        writeln!(
            out,
            "{:>10}  {}",
            human_size(record.size),
            shown_name(&dist_dir.join(&record.path).display().to_string())
        )?;
    }
    writeln!(
        out,
        "{:>10}  {}",
        "",
        dist_dir.join(manifest::FILE_NAME).display()
    )?;
    eprintln!(
        "xhost: {} artifacts in {} (action cache: {} hits, {} misses)",
        records.len(),
        dist_dir.display(),
        cache_use.hits,
        cache_use.misses
    );
    Ok(())
}

/// Signs provenance over `records` and stores it as the release's attestation.
fn attest(
    plan: &crate::plan::Plan,
    records: &[crate::artifacts::Record],
    run: &provenance::Run,
    key: &crate::keys::Key,
    store: &Store,
    work: &std::path::Path,
) -> Result<crate::artifacts::Record> {
    let bytes = provenance::attest(plan, records, run, key)?;
    let file = work.join("provenance.intoto.jsonl");
    std::fs::write(&file, bytes)?;
    let (sha256, size) = store.ingest(&file)?;
    Ok(crate::artifacts::Record {
        path: provenance::file_name(&plan.config.project),
        kind: crate::artifacts::Kind::Provenance,
        target: None,
        sha256,
        size,
        executable: false,
        meta: vec![("key".into(), key.id.clone())],
        stage: "provenance".into(),
        plugin: "xhost".into(),
        plugin_digest: String::new(),
    })
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
