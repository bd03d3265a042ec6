//! Serving plugins built against `xhost:plugin@0.1.0`: their `stage` export, adapted to
//! the current contract. (Their imports are adapted by `crate::caps::v0_1`.)
//!
//! What 0.1.0 had that 0.2.0 does not: Go's linker flags in the job's build settings
//! (now a builder's own config), and targets without variants (a 0.1.0 plugin building
//! `linux/arm/v7` sees `linux/arm`). What 0.2.0 added is simply not shown: the build's
//! target list, the commit time.

use super::bindings::{types, v0_1::types as old};

/// What a 0.1.0 job carried that the current job does not.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Go's linker flags, placeholders expanded (`[build] ldflags`).
    pub ldflags: String,
}

/// The job a 0.1.0 plugin reads.
pub fn job(job: &types::Job, extras: &Extras) -> old::Job {
    old::Job {
        project: old::Project {
            name: job.project.name.clone(),
            version: job.project.version.clone(),
            commit: job.project.commit.clone(),
            source_date_epoch: job.project.source_date_epoch,
        },
        build: old::BuildSettings {
            main: job.build.main.clone(),
            binary: job.build.binary.clone(),
            ldflags: extras.ldflags.clone(),
            flags: job.build.flags.clone(),
        },
        target: job.target.as_ref().map(target),
        inputs: job
            .inputs
            .iter()
            .map(|a| old::Artifact {
                path: a.path.clone(),
                kind: kind_to_old(a.kind),
                target: a.target.as_ref().map(target),
                meta: a.meta.clone(),
            })
            .collect(),
        config: job.config.clone(),
    }
}

fn target(target: &types::Target) -> old::Target {
    old::Target {
        os: target.os.clone(),
        arch: target.arch.clone(),
    }
}

/// What a 0.1.0 plugin says of itself, in current terms.
pub fn info(info: old::PluginInfo) -> types::PluginInfo {
    types::PluginInfo {
        name: info.name,
        version: info.version,
        summary: info.summary,
        scope: match info.scope {
            old::Scope::PerTarget => types::Scope::PerTarget,
            old::Scope::Release => types::Scope::Release,
        },
        consumes: info.consumes.into_iter().map(kind_from_old).collect(),
        needs: types::RequestedGrants {
            programs: info.needs.programs,
            source: info.needs.source,
            signing_keys: info.needs.signing_keys,
        },
    }
}

/// What a 0.1.0 plugin returned, in current terms. Targets get no variant; the host
/// places per-target outputs under the target it ran for.
pub fn outcome(
    outcome: Result<Vec<old::Artifact>, old::StageError>,
) -> Result<Vec<types::Artifact>, types::StageError> {
    match outcome {
        Ok(artifacts) => Ok(artifacts
            .into_iter()
            .map(|a| types::Artifact {
                path: a.path,
                kind: kind_from_old(a.kind),
                target: a.target.map(|t| types::Target {
                    os: t.os,
                    arch: t.arch,
                    variant: None,
                }),
                meta: a.meta,
            })
            .collect()),
        Err(old::StageError::InvalidConfig(m)) => Err(types::StageError::InvalidConfig(m)),
        Err(old::StageError::Unsupported(m)) => Err(types::StageError::Unsupported(m)),
        Err(old::StageError::Failed(m)) => Err(types::StageError::Failed(m)),
    }
}

fn kind_to_old(kind: types::ArtifactKind) -> old::ArtifactKind {
    match kind {
        types::ArtifactKind::Binary => old::ArtifactKind::Binary,
        types::ArtifactKind::Archive => old::ArtifactKind::Archive,
        types::ArtifactKind::Checksum => old::ArtifactKind::Checksum,
        types::ArtifactKind::Sbom => old::ArtifactKind::Sbom,
        types::ArtifactKind::Signature => old::ArtifactKind::Signature,
        types::ArtifactKind::Provenance => old::ArtifactKind::Provenance,
        types::ArtifactKind::Other => old::ArtifactKind::Other,
    }
}

fn kind_from_old(kind: old::ArtifactKind) -> types::ArtifactKind {
    match kind {
        old::ArtifactKind::Binary => types::ArtifactKind::Binary,
        old::ArtifactKind::Archive => types::ArtifactKind::Archive,
        old::ArtifactKind::Checksum => types::ArtifactKind::Checksum,
        old::ArtifactKind::Sbom => types::ArtifactKind::Sbom,
        old::ArtifactKind::Signature => types::ArtifactKind::Signature,
        old::ArtifactKind::Provenance => types::ArtifactKind::Provenance,
        old::ArtifactKind::Other => types::ArtifactKind::Other,
    }
}
