//! `xhost build`: plan, run every stage, publish `dist/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::BuildArgs;
use crate::artifacts::manifest;
use crate::cache_layout::CacheLayout;
use crate::config::{self, Overrides};
use crate::report::human_size;
use crate::report::sanitize::shown_name;
use crate::session::{ActionCacheUse, Request, Scope, Session};
use crate::target::Target;
use crate::up_to_date;

pub(super) fn run(args: BuildArgs, verbosity: u8) -> Result<()> {
    let publish = args.publish.then(|| super::PublishArgs {
        dir: args.project.dir.clone(),
        dist: args.dist.clone(),
    });
    traced(args, verbosity)?;
    match publish {
        Some(publish) => super::publish::run(publish),
        None => Ok(()),
    }
}

fn traced(args: BuildArgs, verbosity: u8) -> Result<()> {
    let Some(trace) = args.trace.clone() else {
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
    if let Some((start, dist, published)) = &start
        && !args.no_cache
        && let Some(unchanged) = start.unchanged(dist, published)
    {
        return print_unchanged(&unchanged, dist);
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
    let dist = args.dist.unwrap_or_else(|| config.root.join("dist"));
    let remote_exec = (args.remote_exec.clone())
        .or_else(|| std::env::var("XHOST_REMOTE_EXEC").ok())
        .filter(|url| !url.is_empty() && url != "off");
    let session = Session::open(verbosity)?;
    let request = Request {
        dist: dist.clone(),
        jobs: args.jobs.map_or_else(default_jobs, usize::from),
        action_cache: if args.no_cache {
            ActionCacheUse::Refresh
        } else {
            ActionCacheUse::Reuse
        },
        allow_unsandboxed_tools: args.tool_sandbox.allow_unsandboxed_tools,
        seed: Vec::new(),
        seed_target: None,
        publish_only: None,
        source_digest: start
            .as_ref()
            .map(|(s, _, _)| s.source_digest().to_string()),
        remote_cache: crate::cache::remote::Settings::resolve(
            args.remote_cache.as_deref().or(remote_exec.as_deref()),
            args.remote_cache_read_only,
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
    print_release(&listed, &dist)?;
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
    let dist = args.dist.clone().unwrap_or_else(|| root.join("dist"));
    let request = format!(
        "dist={} targets={:?} split={} snapshot={} allow_lower_tag={} allow_unsandboxed_tools={}",
        dist.display(),
        args.project.targets,
        args.split,
        args.project.snapshot,
        args.project.allow_lower_tag,
        args.tool_sandbox.allow_unsandboxed_tools
    );
    let area = CacheLayout::locate().ok()?.project(&root);
    let start = up_to_date::Start::take(&root, &dist, request, &area)?;
    Some((start, dist, area.published()))
}

/// What a build prints, for a release that is still in place.
fn print_unchanged(unchanged: &up_to_date::Unchanged, dist: &Path) -> Result<()> {
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
