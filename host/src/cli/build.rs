//! `xhost build`: plan, run every stage, publish `dist/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::BuildArgs;
use crate::artifacts::manifest;
use crate::cache_layout::CacheLayout;
use crate::config::{self, Overrides};
use crate::report::sanitize::shown_name;
use crate::report::{events, human_size};
use crate::session::{ActionCacheUse, Request, Scope, Session};
use crate::target::Target;
use crate::up_to_date;
use serde_json::json;
use std::sync::Arc;

pub(super) fn run(args: BuildArgs, verbosity: u8) -> Result<()> {
    let publish = args.release.publish.then(|| super::PublishArgs {
        dir: args.project.dir.clone(),
        dist: args.release.dist.clone(),
    });
    let project = args.project.dir.clone();
    let json = args.release.json;
    if let Err(error) = traced(args, verbosity) {
        annotate(&error, &project);
        if json {
            let causes: Vec<String> = error.chain().map(ToString::to_string).collect();
            events::emit(
                "error",
                json!({ "message": crate::report::sanitize::sanitize_text(&causes.join("\n")) }),
            );
        }
        return Err(error);
    }
    match publish {
        Some(publish) => super::publish::run(publish),
        None => Ok(()),
    }
}

fn traced(args: BuildArgs, verbosity: u8) -> Result<()> {
    let Some(trace) = args.release.trace.clone() else {
        return build(args, verbosity);
    };
    crate::trace::enable();
    let built = {
        let _span = crate::trace::span("build", || "xhost build".into());
        build(args, verbosity)
    };
    // Written whether or not the build succeeded: a failed build's time is as telling.
    crate::trace::write(&trace)?;
    built
}

fn build(args: BuildArgs, verbosity: u8) -> Result<()> {
    // Before anything is read: what this build's outcome depends on.
    let span = crate::trace::span("build", || "up-to-date check".into());
    // A merge's inputs are directories the check does not know: it always runs.
    let mut start = args.merge.is_empty().then(|| inputs(&args)).flatten();
    if let Some((start, dist, published)) = &start {
        let found = match args.release.no_cache {
            true => Err("--no-cache runs every stage again".to_string()),
            false => start.unchanged(dist, published),
        };
        match found {
            Ok(unchanged) => return print_unchanged(&unchanged, dist, args.release.json),
            // Told on request: what made a no-change build plan and check every stage.
            Err(why) if verbosity > 0 => eprintln!("xhost: building: {why}"),
            Err(_) => {}
        }
    }
    drop(span);
    let span = crate::trace::span("build", || "plan".into());
    let overrides = Overrides {
        // A split build's stages see the configured targets; it builds its share.
        targets: match args.split {
            true => Vec::new(),
            false => args.project.targets.clone(),
        },
        snapshot: args.project.snapshot,
        allow_lower_tag: args.project.allow_lower_tag,
        commit: None,
    };
    let config = config::load(&args.project.dir, &overrides)?;
    let scope = if !args.merge.is_empty() {
        Scope::Merge(args.merge.clone())
    } else if args.split {
        Scope::Split(split_targets(&args.project.targets, &config.targets)?)
    } else {
        Scope::Whole
    };
    let dist = args
        .release
        .dist
        .unwrap_or_else(|| config.root.join("dist"));
    let remote_exec = (args.remote_exec.clone())
        .or_else(|| std::env::var("XHOST_REMOTE_EXEC").ok())
        .filter(|url| !url.is_empty() && url != "off");
    let session = match args.release.json {
        true => Session::open_reporting(Arc::new(events::EventReporter::new(
            crate::report::threshold(verbosity),
        )))?,
        false => Session::open(verbosity)?,
    };
    let request = Request {
        dist: dist.clone(),
        jobs: args.jobs.map_or_else(default_jobs, usize::from),
        action_cache: if args.release.no_cache {
            ActionCacheUse::Refresh
        } else {
            ActionCacheUse::Reuse
        },
        allow_unsandboxed_tools: args.release.tool_sandbox.allow_unsandboxed_tools,
        seed: Vec::new(),
        seed_target: None,
        publish_only: None,
        source_digest: start
            .as_ref()
            .map(|(s, _, _)| s.source_digest().to_string()),
        remote_cache: crate::cache::remote::Settings::resolve(
            args.release
                .remote_cache
                .as_deref()
                .or(remote_exec.as_deref()),
            args.release.remote_cache_read_only,
            &config.remote_cache,
        )?,
        remote_exec: remote_exec
            .map(|url| {
                crate::cache::remote::Settings::at(url, "--remote-exec", true, &config.remote_cache)
            })
            .transpose()?,
        scope: scope.clone(),
    };
    let prepared = session.prepare(config, request)?;
    let config = &prepared.plan.config;
    let names = |targets: &[Target]| {
        targets
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (project, version) = (&config.project.name, &config.project.version);
    if args.release.json {
        emit_plan(&prepared.plan, &scope);
    }
    match &scope {
        Scope::Whole => eprintln!(
            "xhost: building {project} {version} for {}",
            names(&config.targets)
        ),
        Scope::Split(targets) => eprintln!(
            "xhost: building {project} {version}'s per-target stages for {} (a partial release, for `xhost merge`)",
            names(targets)
        ),
        Scope::Merge(dirs) => eprintln!(
            "xhost: merging {} partial releases of {project} {version} ({})",
            dirs.len(),
            names(&config.targets)
        ),
    }
    if let Some((start, _, _)) = &mut start {
        start.planned(&prepared.plan);
    }
    drop(span);
    let span = crate::trace::span("build", || "stages".into());
    let built = session.run(&prepared)?;
    drop(span);
    let cache = built.cache.clone().unwrap_or_default();
    let span = crate::trace::span("build", || "publish".into());
    let records = session.publish(&prepared, built)?;
    drop(span);
    if let Some((start, _, _)) = start {
        start.record(&records);
    }

    let listed: Vec<(&str, u64)> = records.iter().map(|r| (r.path.as_str(), r.size)).collect();
    if args.release.json {
        emit_release(&records, &dist, Some(&cache));
    } else {
        print_release(&listed, &dist)?;
    }
    let title = match &scope {
        Scope::Split(targets) => {
            format!("{project} {version}: partial release ({})", names(targets))
        }
        _ => format!("{project} {version}"),
    };
    summarize(&title, &records, &cache);
    let remote = if cache.remote_hits > 0 {
        format!(" ({} remote)", cache.remote_hits)
    } else {
        String::new()
    };
    let remote_runs = match cache.executed_remotely {
        0 => String::new(),
        n => format!(", {n} run on remote workers"),
    };
    let partial = match scope {
        Scope::Split(_) => ", a partial release: finish it with `xhost merge`",
        _ => "",
    };
    eprintln!(
        "xhost: {} artifacts in {}{partial} (action cache: {} hits{remote}, {} misses{remote_runs})",
        records.len(),
        dist.display(),
        cache.hits,
        cache.misses
    );
    Ok(())
}

/// The targets a split build makes: those given, else the configured ones of this
/// machine's OS and architecture (every variant).
fn split_targets(given: &[Target], configured: &[Target]) -> Result<Vec<Target>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let (os, arch) = crate::target::native();
    let native: Vec<Target> = configured
        .iter()
        .filter(|t| t.os == os && t.arch == arch)
        .cloned()
        .collect();
    if native.is_empty() {
        anyhow::bail!(
            "--split without --target builds this machine's targets ({os}/{arch}), but none is configured ({}); name the targets to build with --target",
            configured
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(native)
}

/// On GitHub Actions, the failure's positions in the project's files as annotations.
fn annotate(error: &anyhow::Error, project: &Path) {
    if crate::report::ci_log::Dialect::detect() != Some(crate::report::ci_log::Dialect::Github) {
        return;
    }
    let workspace = std::env::var_os("GITHUB_WORKSPACE")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    let message: Vec<String> = error.chain().map(ToString::to_string).collect();
    let lines = crate::report::annotations::for_error(&message.join("\n"), project, &workspace);
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

/// On GitHub Actions, the release in the job's summary page.
fn summarize(title: &str, records: &[crate::artifacts::Record], cache: &crate::cache::Summary) {
    let Some(file) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|f| !f.is_empty()) else {
        return;
    };
    let files: Vec<crate::report::step_summary::File> = records
        .iter()
        .map(|r| crate::report::step_summary::File {
            path: &r.path,
            size: r.size,
            sha256: &r.sha256,
        })
        .collect();
    let text = crate::report::step_summary::markdown(title, &files, cache);
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&file)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "xhost: warning: not writing the job summary to {}: {e}",
            Path::new(&file).display()
        );
    }
}

/// The published files (path under `dist`, size) and the manifest, on stdout.
fn print_release(files: &[(&str, u64)], dist: &Path) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for (path, size) in files {
        // Names were checked when the plugin returned them; the cache they may come
        // from is a file on disk, so they are shown safely all the same.
        writeln!(
            out,
            "{:>10}  {}",
            human_size(*size),
            shown_name(&dist.join(path).display().to_string())
        )?;
    }
    writeln!(
        out,
        "{:>10}  {}",
        "",
        dist.join(manifest::FILE_NAME).display()
    )?;
    Ok(())
}

pub(super) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The inputs of the build `args` asks for, with its `dist/` and the publish memo;
/// none when they cannot be told (the build then runs in full).
fn inputs(args: &BuildArgs) -> Option<(up_to_date::Start, PathBuf, PathBuf)> {
    let root = args.project.dir.canonicalize().ok()?;
    // As the build names it, so the publish memo matches.
    let dist = args
        .release
        .dist
        .clone()
        .unwrap_or_else(|| root.join("dist"));
    let request = format!(
        "dist={} targets={:?} split={} snapshot={} allow_lower_tag={} allow_unsandboxed_tools={}",
        dist.display(),
        args.project.targets,
        args.split,
        args.project.snapshot,
        args.project.allow_lower_tag,
        args.release.tool_sandbox.allow_unsandboxed_tools
    );
    let area = CacheLayout::locate().ok()?.project(&root);
    let start = up_to_date::Start::take(&root, &dist, request, &area)?;
    Some((start, dist, area.published()))
}

/// The `plan` event: what will be built, and by which stages.
fn emit_plan(plan: &crate::plan::Plan, scope: &Scope) {
    let config = &plan.config;
    let stages: Vec<serde_json::Value> = plan
        .stages
        .iter()
        .map(|s| {
            json!({
                "name": s.config.name,
                "plugin": s.prepared.plugin.label,
                "digest": format!("sha256:{}", s.prepared.plugin.digest),
                "scope": if s.info.release_scope { "release" } else { "per-target" },
            })
        })
        .collect();
    let (kind, built) = match scope {
        Scope::Whole => ("whole", config.targets.clone()),
        Scope::Split(targets) => ("split", targets.clone()),
        Scope::Merge(_) => ("merge", config.targets.clone()),
    };
    events::emit(
        "plan",
        json!({
            "project": config.project.name,
            "version": config.project.version,
            "commit": config.project.commit,
            "kind": kind,
            "targets": built.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "stages": stages,
        }),
    );
}

/// An `artifact` event per published file, then the `summary`.
fn emit_release(
    records: &[crate::artifacts::Record],
    dist: &Path,
    cache: Option<&crate::cache::Summary>,
) {
    for r in records {
        events::emit(
            "artifact",
            json!({
                "path": r.path,
                "kind": r.kind.name(),
                "target": r.target.as_ref().map(ToString::to_string),
                "sha256": r.sha256,
                "size": r.size,
                "stage": r.stage,
            }),
        );
    }
    let cache = cache.map(|c| {
        json!({ "hits": c.hits, "remote_hits": c.remote_hits, "misses": c.misses, "executed_remotely": c.executed_remotely })
    });
    events::emit(
        "summary",
        json!({
            "dist": dist.display().to_string(),
            "artifacts": records.len(),
            "unchanged": false,
            "cache": cache,
        }),
    );
}

/// What a build prints, for a release that is still in place.
fn print_unchanged(unchanged: &up_to_date::Unchanged, dist: &Path, json: bool) -> Result<()> {
    if json {
        for (path, size) in &unchanged.release {
            events::emit("artifact", json!({ "path": path, "size": size }));
        }
        events::emit(
            "summary",
            json!({
                "dist": dist.display().to_string(),
                "artifacts": unchanged.release.len(),
                "unchanged": true,
                "cache": null,
            }),
        );
        return Ok(());
    }
    let listed: Vec<(&str, u64)> = unchanged
        .release
        .iter()
        .map(|(path, size)| (path.as_str(), *size))
        .collect();
    print_release(&listed, dist)?;
    eprintln!(
        "xhost: {} artifacts in {}, unchanged: nothing it was built from changed (--no-cache runs every stage again)",
        unchanged.release.len(),
        dist.display()
    );
    Ok(())
}
