//! `xhost build`: plan, run every stage, publish `dist/`.

use std::io::Write;

use anyhow::Result;

use super::BuildArgs;
use crate::artifacts::manifest;
use crate::config::{self, Overrides};
use crate::report::human_size;
use crate::report::sanitize::shown_name;
use crate::session::{ActionCacheUse, Request, Session};

pub(super) fn run(args: BuildArgs, verbosity: u8) -> Result<()> {
    let overrides = Overrides {
        targets: args.project.targets,
        snapshot: args.project.snapshot,
        allow_lower_tag: args.project.allow_lower_tag,
    };
    let config = config::load(&args.project.dir, &overrides)?;
    let dist = args.dist.unwrap_or_else(|| config.root.join("dist"));
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
    };
    let prepared = session.prepare(config, request)?;
    let config = &prepared.plan.config;
    let targets: Vec<String> = config.targets.iter().map(ToString::to_string).collect();
    eprintln!(
        "xhost: building {} {} for {}",
        config.project.name,
        config.project.version,
        targets.join(", ")
    );
    let built = session.run(&prepared)?;
    let cache = built.cache.clone().unwrap_or_default();
    let records = session.publish(&prepared, built)?;

    let mut out = std::io::stdout().lock();
    for record in &records {
        // Names were checked when the plugin returned them; the cache they may come
        // from is a file on disk, so they are shown safely all the same.
        writeln!(
            out,
            "{:>10}  {}",
            human_size(record.size),
            shown_name(&dist.join(&record.path).display().to_string())
        )?;
    }
    writeln!(
        out,
        "{:>10}  {}",
        "",
        dist.join(manifest::FILE_NAME).display()
    )?;
    eprintln!(
        "xhost: {} artifacts in {} (action cache: {} hits, {} misses)",
        records.len(),
        dist.display(),
        cache.hits,
        cache.misses
    );
    Ok(())
}

pub(super) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
