//! One stage invocation: set up the sandbox, stage the inputs, run the plugin, check
//! and store what it returns.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};

use super::job;
use crate::artifacts::{Kind, Record, Store};
use crate::cache::ActionCache;
use crate::caps::signing::{Journal, Signed};
use crate::caps::{self, Call, Invocation};
use crate::config::Config;
use crate::plan::PlannedStage;
use crate::plugin_sandbox::quota::{Alarm, Quota, Watcher};
use crate::plugin_sandbox::{Mounts, outputs};
use crate::remote_exec::RemoteExec;
use crate::report::plugin_log::LogSink;
use crate::report::sanitize::sanitize_line;
use crate::report::{Lane, Level, Reporter, StageOutcome, lane_name};
use crate::runtime::bindings::types;
use crate::runtime::invoke::StoreParts;
use crate::target::Target;

/// Where an invocation runs and keeps its files.
pub struct Env<'a> {
    pub config: &'a Config,
    pub store: &'a Store,
    /// The invocation's own directory (created here, removed afterwards).
    pub dir: &'a Path,
    /// The programs' homes and caches.
    pub tools: &'a crate::cache_layout::ToolCaches,
    pub reporter: Arc<dyn Reporter>,
    /// The action cache, unless this run does without one (`xhost plugin run`).
    pub cache: Option<&'a ActionCache>,
    /// The module cache programs read (or a fetch stage fills), when the project has one.
    pub fetched: Option<caps::Fetched>,
    /// Where invocations the cache misses run, when not here.
    pub remote_exec: Option<&'a RemoteExec>,
}

/// What an invocation made: its outputs, the signatures it had the host make, and
/// what its plugin logged.
pub struct Ran {
    pub outputs: Vec<Record>,
    pub signed: Vec<Signed>,
    pub log: Vec<(Level, String)>,
}

/// Runs `stage` for `lane` over `inputs`; returns the records of its outputs.
pub fn run(cx: &Env, stage: &PlannedStage, lane: &Lane, inputs: &[&Record]) -> Result<Ran> {
    let started = Instant::now();
    let plugin = &stage.prepared.plugin;
    let mut span = crate::trace::span("stage", || {
        format!("{} {}", stage.config.name, lane_name(lane))
    });
    span.arg("plugin", plugin.label.as_str());
    cx.reporter
        .stage_started(lane, &stage.config.name, &plugin.label);
    let mut lookup = cx
        .cache
        .map(|cache| cache.lookup(cx.config, stage, lane, inputs, cx.store));
    if let Some(hit) = lookup.as_mut().and_then(|l| l.hit.take()) {
        span.arg("cached", true);
        for (level, line) in &hit.log {
            // Sanitised when logged; again in case the cache directory was edited.
            cx.reporter
                .log(lane, &stage.config.name, *level, &sanitize_line(line));
        }
        cx.reporter.stage_finished(
            lane,
            &stage.config.name,
            &StageOutcome {
                ok: true,
                cached: true,
                elapsed: started.elapsed(),
                artifacts: hit.outputs.len(),
                why: None,
            },
        );
        return Ok(Ran {
            outputs: hit.outputs,
            signed: hit.signed,
            log: hit.log,
        });
    }
    if let Some(why) = lookup.as_ref().and_then(|l| l.why.as_ref()) {
        cx.reporter.log(
            lane,
            &stage.config.name,
            Level::Debug,
            &format!("runs: {why}"),
        );
    }
    stage.confirm_description(&cx.reporter)?;
    if let Some(ran) = run_remotely(cx, stage, lane, inputs, lookup.as_ref()) {
        span.arg("remote", true);
        cx.reporter.stage_finished(
            lane,
            &stage.config.name,
            &StageOutcome {
                ok: true,
                cached: false,
                elapsed: started.elapsed(),
                artifacts: ran.outputs.len(),
                why: lookup.as_ref().and_then(|l| l.why.clone()),
            },
        );
        return Ok(ran);
    }
    let log = LogSink::new(lane.clone(), &stage.config.name, cx.reporter.clone());
    let result = run_in_sandbox(cx, stage, lane, inputs, &log).map(|mut ran| {
        ran.log = log.lines();
        ran
    });
    let _ = std::fs::remove_dir_all(cx.dir);
    if let (Some(cache), Some(lookup), Ok(ran)) = (cx.cache, &lookup, &result) {
        cache.record(lookup, stage, ran, cx.store);
    }
    cx.reporter.stage_finished(
        lane,
        &stage.config.name,
        &StageOutcome {
            ok: result.is_ok(),
            cached: false,
            elapsed: started.elapsed(),
            artifacts: result.as_ref().map_or(0, |ran| ran.outputs.len()),
            why: lookup.as_ref().and_then(|l| l.why.clone()),
        },
    );
    result.map_err(|e| {
        let tail = log.tail();
        let mut message = format!(
            "stage `{}` ({}) failed for {}: {e:#}",
            stage.config.name,
            plugin.label,
            lane_name(lane)
        );
        if !tail.is_empty() {
            message.push_str("\nlast plugin output:\n  ");
            message.push_str(&tail.join("\n  "));
        }
        anyhow::Error::msg(message)
    })
}

/// Runs the invocation on a remote worker when the build has one and the stage may go
/// there; none when it must run here.
fn run_remotely(
    cx: &Env,
    stage: &PlannedStage,
    lane: &Lane,
    inputs: &[&Record],
    lookup: Option<&crate::cache::Lookup>,
) -> Option<Ran> {
    let (exec, cache, lookup) = (cx.remote_exec?, cx.cache?, lookup?);
    // The module cache is this machine's; a stage reading it runs here.
    if !RemoteExec::takes(stage) || cx.fetched.is_some() {
        return None;
    }
    let (key, key_parts) = lookup.key()?;
    let entry = exec.run(&crate::remote_exec::Job {
        config: cx.config,
        stage,
        lane,
        inputs,
        key,
        key_parts,
        store: cx.store,
        scratch: cx.dir,
    })?;
    let _ = std::fs::remove_dir_all(cx.dir);
    let plugin = &stage.prepared.plugin;
    let outputs = (entry.outputs.iter().cloned())
        .map(|o| o.into_record(&stage.config.name, &plugin.label, &plugin.digest))
        .collect::<Result<Vec<_>>>()
        .ok()?;
    for (level, line) in &entry.log {
        cx.reporter
            .log(lane, &stage.config.name, *level, &sanitize_line(line));
    }
    cache.keep_executed(lookup, stage, lane, &entry, cx.store);
    Some(Ran {
        outputs,
        signed: entry.signed,
        log: entry.log,
    })
}

fn run_in_sandbox(
    cx: &Env,
    stage: &PlannedStage,
    lane: &Lane,
    inputs: &[&Record],
    log: &LogSink,
) -> Result<Ran> {
    let source = caps::source::granted(&stage.config.grants).then_some(cx.config.root.as_path());
    let mounts = Mounts::create(cx.dir, source)?;
    // A program handed a host path could write to a hard-linked store file.
    let shared = caps::exec::programs(stage).is_empty();
    for record in inputs {
        mounts.place_input(&record.path, &cx.store.path(&record.sha256), shared)?;
    }
    let alarm = Arc::new(Alarm::default());
    let invocation = Invocation {
        stage,
        lane,
        inputs,
        store: cx.store,
        roots: mounts.roots()?,
        tools: cx.tools.clone(),
        tmp: mounts.tmp.clone(),
        alarm: alarm.clone(),
        log: log.clone(),
        program_time: Arc::default(),
        signed: Journal::default(),
        fetched: cx.fetched.clone(),
    };
    let parts = StoreParts {
        wasi: crate::plugin_sandbox::wasi::context(Some(&mounts), log)?,
        limits: stage.config.limits,
        log: log.clone(),
        alarm: alarm.clone(),
        program_time: invocation.program_time.clone(),
        caps: caps::states(&Call::Run(&invocation))?,
    };
    let limits = &stage.config.limits;
    let quota = Quota {
        bytes: limits.output_mib << 20,
        entries: limits.output_files,
    };
    let watcher = Watcher::start(
        vec![mounts.output.clone(), mounts.tmp.clone()],
        quota,
        alarm,
    );
    let job = job::build(
        cx.config,
        lane.as_ref(),
        inputs,
        stage.config.json_for(lane.as_ref()),
    );
    let result = stage.prepared.run(parts, &job, &job::extras(cx.config));
    // Over quota is the cause whatever else went wrong (a program killed for it makes
    // the plugin fail in its own words).
    watcher
        .finish()
        .map_err(|reason| anyhow::anyhow!("{reason}; the plugin was stopped"))?;
    let artifacts = result?;
    let outputs = outputs::collect(&mounts.output, artifacts).map_err(anyhow::Error::msg)?;
    let outputs = outputs
        .into_iter()
        .map(|output| record_output(cx, stage, lane, output))
        .collect::<Result<_>>()?;
    let signed = std::mem::take(&mut *invocation.signed.lock().expect("journal lock"));
    Ok(Ran {
        outputs,
        signed,
        log: Vec::new(),
    })
}

fn record_output(
    cx: &Env,
    stage: &PlannedStage,
    lane: &Lane,
    output: outputs::Output,
) -> Result<Record> {
    // A plugin of an earlier contract names targets without variants: it means the
    // one it ran for, or (for a release stage) the one built with that os/arch.
    let fits = |known: &Target, claimed: &types::Target| {
        known.os == claimed.os
            && known.arch == claimed.arch
            && claimed
                .variant
                .as_ref()
                .is_none_or(|v| known.variant.as_ref() == Some(v))
    };
    let target = match (lane, output.artifact.target.as_ref()) {
        (Some(lane_target), Some(claimed)) if !fits(lane_target, claimed) => anyhow::bail!(
            "returned artifact `{}` for target {}, but the stage ran for {lane_target}",
            output.artifact.path,
            job::target_name(claimed)
        ),
        (Some(lane_target), _) => Some(lane_target.clone()),
        (None, Some(claimed)) => {
            // A plugin that knows variants means the target it names exactly (no
            // variant: the target built without one).
            let knows_variants =
                stage.prepared.plugin.contract != crate::runtime::contract::Version::V0_1;
            let exact = |known: &Target| {
                known.os == claimed.os
                    && known.arch == claimed.arch
                    && known.variant == claimed.variant
            };
            let mut built = cx.config.targets.iter().filter(|t| match knows_variants {
                true => exact(t),
                false => fits(t, claimed),
            });
            match (built.next(), built.next()) {
                (Some(target), None) => Some(target.clone()),
                _ => anyhow::bail!(
                    "returned artifact `{}` for target {}, which this build does not make (or makes in several variants)",
                    output.artifact.path,
                    job::target_name(claimed)
                ),
            }
        }
        (None, None) => None,
    };
    let kind: Kind = output.artifact.kind.into();
    // A target's files go in its directory; archives are the release's downloads and
    // go at the top of dist/.
    let path = match lane {
        Some(t) if kind != Kind::Archive => {
            format!("{}_{}/{}", cx.config.project.name, t.slug(), output.rel)
        }
        _ => output.rel.clone(),
    };
    if path == crate::artifacts::manifest::FILE_NAME {
        anyhow::bail!(
            "returned `{}`, a name xhost reserves for its own manifest",
            output.artifact.path
        );
    }
    // Only the host writes the provenance; a plugin's file under its name would stand in
    // for it (or be replaced by it) in the release.
    if path == crate::provenance::file_name(&cx.config.project) {
        anyhow::bail!(
            "returned `{}`, a name xhost reserves for the release's provenance",
            output.artifact.path
        );
    }
    let (sha256, size) = cx
        .store
        .ingest(&output.file)
        .with_context(|| format!("storing artifact `{}`", output.artifact.path))?;
    Ok(Record {
        path,
        kind,
        target,
        sha256,
        size,
        // WASI cannot set permission bits: a binary is executable whoever wrote it.
        executable: output.executable || kind == Kind::Binary,
        meta: output.artifact.meta,
        stage: stage.config.name.clone(),
        plugin: stage.prepared.plugin.label.clone(),
        plugin_digest: stage.prepared.plugin.digest.clone(),
    })
}
