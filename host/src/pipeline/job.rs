//! The `job` record a plugin receives.

use crate::artifacts::Record;
use crate::config::Config;
use crate::runtime::bindings::types::{self, Artifact, BuildSettings, Job};
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
            source_date_epoch: config.project.source_date_epoch,
        },
        build: BuildSettings {
            main: config.build.main.clone(),
            binary: config.build.binary.clone(),
            ldflags: config.build.ldflags.clone(),
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

pub fn wit_target(target: &Target) -> types::Target {
    types::Target {
        os: target.os.clone(),
        arch: target.arch.clone(),
    }
}
