//! `xhost check`: validate the configuration, lock the plan, and print it.

use std::io::Write;

use anyhow::Result;

use super::CheckArgs;
use crate::config::{self, Overrides};
use crate::session::Session;

pub(super) fn run(args: CheckArgs, verbosity: u8) -> Result<()> {
    let overrides = Overrides {
        targets: args.project.targets,
        snapshot: args.project.snapshot,
        allow_lower_tag: args.project.allow_lower_tag,
        commit: None,
    };
    let config = config::load(&args.project.dir, &overrides)?;
    let plan = Session::open(verbosity)?.plan(config)?;
    let config = &plan.config;
    let mut out = std::io::stdout().lock();
    let file = config
        .file
        .as_ref()
        .map_or("no xhost.toml: defaults from go.mod".to_string(), |f| {
            f.display().to_string()
        });
    writeln!(
        out,
        "project   {} {}  ({file})",
        config.project.name, config.project.version
    )?;
    if let Some(commit) = &config.project.commit {
        writeln!(out, "commit    {commit}")?;
    }
    let targets: Vec<String> = config.targets.iter().map(ToString::to_string).collect();
    writeln!(out, "targets   {}", targets.join(", "))?;
    writeln!(out, "stages")?;
    for stage in &plan.stages {
        let scope = if stage.info.release_scope {
            "release"
        } else {
            "per target"
        };
        writeln!(
            out,
            "  {}  {}  [{scope}]",
            stage.config.name, stage.prepared.plugin.label
        )?;
        writeln!(out, "      sha256    {}", stage.prepared.plugin.digest)?;
        writeln!(
            out,
            "      plugin    {} {}: {}",
            stage.info.name, stage.info.version, stage.info.summary
        )?;
        let consumes: Vec<&str> = stage.info.consumes.iter().map(|k| k.name()).collect();
        writeln!(
            out,
            "      consumes  {}",
            if consumes.is_empty() {
                "nothing".into()
            } else {
                consumes.join(", ")
            }
        )?;
        let grants: Vec<String> = crate::caps::granted_by(&stage.config.grants)
            .map(|c| c.shown(stage))
            .collect();
        writeln!(out, "      grants    {}", grants.join(", "))?;
        let l = stage.config.limits;
        writeln!(
            out,
            "      limits    memory {} MiB, time {} s; programs {} s, {} MiB, {} processes; output {} MiB, {} files",
            l.memory_mib,
            l.time_secs,
            l.exec_time_secs,
            l.exec_memory_mib,
            l.exec_processes,
            l.output_mib,
            l.output_files
        )?;
    }
    if args.explain {
        writeln!(out, "settings")?;
        for setting in &config.settings {
            writeln!(
                out,
                "  {:<16} = {:<40}  # {}",
                setting.key, setting.value, setting.origin
            )?;
        }
    }
    writeln!(out, "ok: configuration is valid")?;
    Ok(())
}
