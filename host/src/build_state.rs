//! What one build holds on the machine: the cache's gc lock (shared: `xhost cache gc`
//! waits), the project's lock (one build of a project at a time), a scratch directory
//! locked for its life, the shared artifact store and the project's area of the cache.
//! Taking it first clears what crashed builds left behind. Every command that writes
//! the store takes it (`xhost build`, `xhost plugin run`).

use std::path::Path;

use anyhow::{Context, Result};

use crate::artifacts::{Store, dist};
use crate::cache_layout::{CacheLayout, ProjectArea};
use crate::lock::{self, Lock};

/// Name of the lock file inside a scratch directory.
const WORK_LOCK: &str = ".lock";

pub struct BuildState {
    pub work: WorkDir,
    pub store: Store,
    /// The project's area of the cache: its programs' homes and caches, what it last
    /// published, its stages' last keys.
    pub project: ProjectArea,
    _project_lock: Lock,
    _gc_shared: Lock,
}

/// Waits for `xhost cache gc` and for any other build of the project at `root`
/// publishing to `dist`, then clears stale scratch and staging directories and opens
/// the store.
pub fn acquire(cache: &CacheLayout, root: &Path, dist: &Path) -> Result<BuildState> {
    crate::files::create_dir_all(cache.root())?;
    let gc_shared = lock::shared(&cache.gc_lock(), "`xhost cache gc`")?;
    let project = cache.project(root);
    crate::files::create_dir_all(project.dir())?;
    let project_lock = lock::wait_for(
        &project.lock(),
        &format!("another xhost build of {}", root.display()),
    )?;
    remove_stale_work(&cache.work())?;
    dist::remove_stale_staging(dist)?;
    Ok(BuildState {
        work: WorkDir::create(&cache.work())?,
        store: Store::open(cache.store())?,
        project,
        _project_lock: project_lock,
        _gc_shared: gc_shared,
    })
}

/// A build's scratch directory, removed when dropped and locked while it exists, so
/// that a directory nobody holds is a crashed build's.
pub struct WorkDir {
    // Dropped in order: the directory goes before its lock is released.
    dir: tempfile::TempDir,
    _lock: Lock,
}

impl WorkDir {
    pub fn create(root: &Path) -> Result<Self> {
        crate::files::create_dir_all(root)?;
        // Another build clearing crashed builds' directories can see this one between
        // its creation and its lock, take it for a crashed one and remove it: then
        // this one starts over with another.
        for _ in 0..5 {
            let dir = tempfile::Builder::new()
                .prefix("build-")
                .tempdir_in(root)
                .with_context(|| format!("creating a work directory in {}", root.display()))?;
            let lock_file = dir.path().join(WORK_LOCK);
            if let Some(lock) = lock::try_lock(&lock_file)?
                && lock_file.exists()
            {
                return Ok(WorkDir { dir, _lock: lock });
            }
        }
        anyhow::bail!(
            "could not create and lock a work directory in {}",
            root.display()
        )
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Removes scratch directories no running build holds. One still being created (no
/// lock file yet) is left alone unless it is old.
fn remove_stale_work(root: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let lock_file = dir.join(WORK_LOCK);
        // Held while the directory goes, so a build creating it meanwhile cannot take
        // it (and starts over: `WorkDir::create`).
        let held = if lock_file.exists() {
            match lock::try_lock(&lock_file) {
                Ok(Some(lock)) => Some(lock),
                _ => continue,
            }
        } else if older_than_a_minute(&dir) {
            None
        } else {
            continue;
        };
        match std::fs::remove_dir_all(&dir) {
            // Another build removed it first.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            other => {
                other.with_context(|| format!("removing a crashed build's {}", dir.display()))?
            }
        }
        drop(held);
    }
    Ok(())
}

fn older_than_a_minute(path: &Path) -> bool {
    path.metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unheld_work_dirs_are_removed() {
        let cache = tempfile::tempdir().unwrap();
        let root = cache.path().join("work");
        let live = WorkDir::create(&root).unwrap();
        let crashed = WorkDir::create(&root).unwrap();
        let crashed_path = crashed.path().to_path_buf();
        // A crash: the directory stays, the lock goes with the process.
        let WorkDir { dir, _lock } = crashed;
        let _ = dir.keep();
        drop(_lock);
        remove_stale_work(&root).unwrap();
        assert!(live.path().exists());
        assert!(!crashed_path.exists());
    }
}
