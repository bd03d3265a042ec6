//! `grants.paths`: directories outside the project that the stage's programs may read
//! (a monorepo's `replace example.com/lib => ../lib`, a `go.work` member), each mounted
//! read-only at its own path in the tool sandbox; plugins themselves do not see them.
//!
//! Names are directories relative to the project (or absolute). A directory must exist
//! and may not hold the project (grant the directory itself, not an ancestor), the
//! cache directory, or a signing key file. The action key holds each tree's digest.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::{Capability, GrantCheck, GrantKind, PlanContext, Provision};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::StageConfig;
use crate::plan::PlannedStage;

pub struct Paths;

/// The directories a stage was granted, canonical.
#[derive(Debug, Default)]
pub struct Granted(pub Vec<PathBuf>);

/// The directories `stage` may read besides the project (none when not granted).
pub fn granted(stage: &PlannedStage) -> &[PathBuf] {
    stage.provisions.get::<Granted>().map_or(&[], |g| &g.0)
}

impl Capability for Paths {
    fn name(&self) -> &'static str {
        "paths"
    }

    fn grant_kind(&self) -> GrantKind {
        GrantKind::Names("directory")
    }

    fn gives(&self) -> &'static str {
        "reading those directories outside the project, read-only, for the programs it runs"
    }

    fn check_name(&self, name: &str, _cx: &GrantCheck) -> Result<(), String> {
        if name.is_empty() || name.contains('\0') {
            return Err("a directory is a non-empty path".into());
        }
        Ok(())
    }

    fn plan(&self, stage: &StageConfig, cx: &PlanContext) -> Result<Option<Provision>> {
        let forbidden = Forbidden::of(cx);
        let dirs = stage
            .grants
            .names(self.name())
            .iter()
            .map(|written| resolve(written, &stage.name, &cx.config.root, &forbidden))
            .collect::<Result<_>>()?;
        Ok(Some(Box::new(Granted(dirs))))
    }

    fn key_parts(
        &self,
        stage: &PlannedStage,
        keys: &KeyContext,
    ) -> Result<Vec<(&'static str, Value)>, Uncacheable> {
        let mut trees = serde_json::Map::new();
        for dir in granted(stage) {
            trees.insert(dir.display().to_string(), json!(keys.tree_digest(dir)?));
        }
        Ok(vec![("paths", Value::Object(trees))])
    }

    fn shown(&self, stage: &PlannedStage) -> String {
        let dirs: Vec<String> = granted(stage)
            .iter()
            .map(|d| format!("{} (read-only)", d.display()))
            .collect();
        format!("paths {}", dirs.join(" "))
    }
}

/// What no granted directory may hold.
struct Forbidden {
    project: PathBuf,
    cache: Option<PathBuf>,
    key_files: Vec<PathBuf>,
}

impl Forbidden {
    fn of(cx: &PlanContext) -> Forbidden {
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        Forbidden {
            project: cx.config.root.clone(),
            cache: crate::cache_layout::CacheLayout::locate()
                .ok()
                .map(|c| canonical(c.root())),
            key_files: cx
                .config
                .keys
                .values()
                .filter_map(|k| k.file.as_deref())
                .map(|f| canonical(&cx.config.root.join(f)))
                .collect(),
        }
    }
}

/// `written`, relative to the project, as a canonical directory that may be granted.
fn resolve(written: &str, stage: &str, root: &Path, forbidden: &Forbidden) -> Result<PathBuf> {
    let what = format!("stage `{stage}`: grants.paths `{written}`");
    let dir = root
        .join(written)
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("{what}: {}: {e}", root.join(written).display()))?;
    if !dir.is_dir() {
        bail!("{what}: {} is not a directory", dir.display());
    }
    if forbidden.project.starts_with(&dir) {
        bail!(
            "{what}: {} holds the project; grant the directories outside it that the build reads (e.g. `../lib`), not one above it",
            dir.display()
        );
    }
    if dir.starts_with(&forbidden.project) {
        bail!(
            "{what}: {} is inside the project, which `source` already shows; grant only directories outside it",
            dir.display()
        );
    }
    if let Some(cache) = &forbidden.cache
        && (cache.starts_with(&dir) || dir.starts_with(cache))
    {
        bail!(
            "{what}: {} holds xhost's cache ({}), which no stage may read",
            dir.display(),
            cache.display()
        );
    }
    if let Some(key) = forbidden.key_files.iter().find(|k| k.starts_with(&dir)) {
        bail!(
            "{what}: {} holds the signing key file {}, which only xhost may read",
            dir.display(),
            key.display()
        );
    }
    Ok(dir)
}
