//! Split builds and their merge: `xhost build --split` builds some targets' per-target
//! stages and publishes a partial release; `xhost merge` checks the partials of
//! several machines against this checkout's plan and against each other, takes their
//! files in by digest, and runs the release stages once over all of them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::artifacts::partial::{Partial, ProjectFacts};
use crate::artifacts::{Record, Store};
use crate::cache::Summary;
use crate::config::Config;
use crate::digest::sha256_hex;
use crate::plan::Plan;
use crate::target::Target;

/// SHA-256 of the `xhost.toml` a configuration was read from.
pub(super) fn config_sha256(config: &Config) -> Option<String> {
    (config.text.as_ref()).map(|(text, _)| sha256_hex(text.as_bytes()))
}

/// A split build's targets must be configured ones: every stage is given the
/// configuration's list, and the merge puts the release together from it.
pub(super) fn check_split(plan: &Plan, targets: &[Target]) -> Result<()> {
    let configured = &plan.config.targets;
    if targets.is_empty() {
        bail!("--split was given no target to build");
    }
    if let Some(other) = targets.iter().find(|t| !configured.contains(t)) {
        bail!(
            "--split: {other} is not one of the configured targets ({}); a split build makes a share of the configured release",
            list(configured)
        );
    }
    Ok(())
}

/// Reads the partials in `dirs` and checks them against `plan` (the release part of
/// this checkout's configuration) and each other, before anything is built.
pub(super) fn read(plan: &Plan, dirs: &[PathBuf]) -> Result<Vec<Partial>> {
    let config = &plan.config;
    let expected = ProjectFacts {
        name: config.project.name.clone(),
        version: config.project.version.clone(),
        commit: config.project.commit.clone(),
        source_date_epoch: config.project.source_date_epoch,
    };
    let configured: Vec<String> = config.targets.iter().map(ToString::to_string).collect();
    let config_sha256 = config_sha256(config);
    let mut partials: Vec<Partial> = Vec::new();
    let mut built_by: BTreeMap<&Target, &Path> = BTreeMap::new();
    for dir in dirs {
        let partial = Partial::read(dir)?;
        let shown = dir.display();
        if partial.project != expected {
            bail!(
                "partial release {shown} is of {}, but this checkout builds {}; merge the partials of one commit and version",
                facts(&partial.project),
                facts(&expected)
            );
        }
        if partial.xhost_version != env!("CARGO_PKG_VERSION") {
            bail!(
                "partial release {shown} was built by xhost {}, this is xhost {}; use one xhost version on every machine",
                partial.xhost_version,
                env!("CARGO_PKG_VERSION")
            );
        }
        if partial.config_sha256 != config_sha256 || partial.configured != configured {
            bail!(
                "partial release {shown} was built with another xhost.toml (its targets: {}); merge partials built from this checkout's xhost.toml",
                partial.configured.join(", ")
            );
        }
        for record in &partial.records {
            check_made_by_plan(plan, record).with_context(|| format!("partial release {shown}"))?;
        }
        partials.push(partial);
    }
    for partial in &partials {
        for target in &partial.targets {
            if let Some(other) = built_by.insert(target, &partial.dir) {
                bail!(
                    "partial releases {} and {} both hold {target}; each target must be built by one split build",
                    other.display(),
                    partial.dir.display()
                );
            }
        }
    }
    let mut paths: BTreeMap<&str, &Path> = BTreeMap::new();
    for partial in &partials {
        for record in &partial.records {
            if let Some(other) = paths.insert(&record.path, &partial.dir) {
                bail!(
                    "partial releases {} and {} both hold `{}`; two targets cannot publish one path",
                    other.display(),
                    partial.dir.display(),
                    crate::report::sanitize::shown_name(&record.path)
                );
            }
        }
    }
    let missing: Vec<&Target> = config
        .targets
        .iter()
        .filter(|t| !built_by.contains_key(t))
        .collect();
    if !missing.is_empty() {
        let flags: Vec<String> = missing.iter().map(|t| format!("--target {t}")).collect();
        bail!(
            "no partial release holds {}; build it with `xhost build --split {}` and merge its directory too",
            missing
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            flags.join(" ")
        );
    }
    Ok(partials)
}

/// `record` was made by one of the per-target stages this configuration has, running
/// the plugin it has.
fn check_made_by_plan(plan: &Plan, record: &Record) -> Result<()> {
    let shown = crate::report::sanitize::shown_name(&record.path);
    let Some(stage) = plan.left_out.iter().find(|s| s.name == record.stage) else {
        bail!(
            "`{shown}` was made by stage `{}`, which is not a per-target stage of this xhost.toml",
            crate::report::sanitize::shown_name(&record.stage)
        );
    };
    if stage.plugin != record.plugin || stage.digest != record.plugin_digest {
        bail!(
            "`{shown}` was made by stage `{}` running {} (sha256:{}), but here that stage runs {} (sha256:{}); build the partials with the same plugins",
            stage.name,
            crate::report::sanitize::shown_name(&record.plugin),
            record.plugin_digest,
            stage.plugin,
            stage.digest
        );
    }
    Ok(())
}

/// The partials' files in the store, checked against their digests, as records.
pub(super) fn take_in(partials: &[Partial], store: &Store, work: &Path) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    for (n, partial) in partials.iter().enumerate() {
        partial.take(&work.join(n.to_string()), |file| store.ingest(file))?;
        records.extend(partial.records.iter().cloned());
    }
    Ok(records)
}

/// What the action cache did for the whole release: the partials' per-target stages
/// with this build's release stages.
pub(super) fn summary(here: Summary, partials: &[Partial]) -> Summary {
    if partials.is_empty() {
        return here;
    }
    let mut uses = here.stages;
    // Their fetch stages (target "release") ran once per machine; the release's own
    // record of them is this build's.
    uses.extend(
        partials
            .iter()
            .flat_map(|p| p.uses.iter().filter(|u| u.target != "release").cloned()),
    );
    Summary::of(uses, here.remote)
}

fn facts(project: &ProjectFacts) -> String {
    format!(
        "{} {} at commit {}",
        project.name,
        project.version,
        project.commit.as_deref().unwrap_or("(none)")
    )
}

fn list(targets: &[Target]) -> String {
    targets
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
