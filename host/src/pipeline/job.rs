//! The `job` record a plugin receives.

use crate::artifacts::Record;
use crate::config::Config;
use crate::runtime::bindings::types::{self, Artifact, BuildSettings, Job};
use crate::runtime::invoke::Extras;
use crate::target::Target;

pub fn build(
    config: &Config,
    target: Option<&Target>,
    inputs: &[&Record],
    stage_config: &str,
) -> Job {
    Job {
        project: types::Project {
            name: config.project.name.clone(),
            version: config.project.version.clone(),
            commit: config.project.commit.clone(),
            commit_time: config.project.commit_time,
            source_date_epoch: config.project.source_date_epoch,
        },
        build: BuildSettings {
            main: config.build.main.clone(),
            binary: config.build.binary.clone(),
            targets: config.targets.iter().map(wit_target).collect(),
            flags: config.build.flags.clone(),
        },
        target: target.map(wit_target),
        inputs: inputs
            .iter()
            .map(|r| Artifact {
                path: format!("/in/{}", r.path),
                kind: r.kind.into(),
                target: r.target.as_ref().map(wit_target),
                meta: r.meta.clone(),
            })
            .collect(),
        config: stage_config.to_string(),
    }
}

/// What plugins of earlier contracts read from the job that it no longer holds.
pub fn extras(config: &Config) -> Extras {
    Extras {
        ldflags: config.build.ldflags.clone(),
    }
}

pub fn wit_target(target: &Target) -> types::Target {
    types::Target {
        os: target.os.clone(),
        arch: target.arch.clone(),
        variant: target.variant.clone(),
    }
}

/// `os/arch[/variant]` of a target a plugin named.
pub fn target_name(target: &types::Target) -> String {
    match &target.variant {
        Some(variant) => format!("{}/{}/{variant}", target.os, target.arch),
        None => format!("{}/{}", target.os, target.arch),
    }
}
