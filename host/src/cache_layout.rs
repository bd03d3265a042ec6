//! Where xhost keeps its state: every directory and file under the cache directory,
//! named here and nowhere else.
//!
//! ```text
//! $XHOST_CACHE_DIR/              (default ~/.cache/xhost)
//!   store/<sha256>               artifact bytes, shared by all builds
//!   actions/<xx>/<key>.json      action-cache entries
//!   compiled/<engine>/<sha>.cwasm compiled plugins
//!   plugins/sha256-<hex>/        plugins fetched from registries, by manifest digest
//!   programs.json                granted programs' digests with stamps
//!   counts.json, counts.lock     hits (local, remote), misses, uploads over all builds
//!   probe/<…>                    passed tool-sandbox probes
//!   gc.lock                      builds hold it shared, `cache gc` exclusive
//!   work/build-*/                one per running build
//!   projects/<id>/               one per project directory:
//!     lock                         one build of the project at a time
//!     published.json               what was last published, with stamps
//!     last-keys/                   each stage's last action key
//!     last-build, source-index     what the no-change check compares
//!     lane-times.json              each target's last duration (longest first)
//!     tools/<program>/{home,cache} programs' homes and caches
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::digest::sha256_hex;

/// The cache directory and what is in it.
#[derive(Debug, Clone)]
pub struct CacheLayout {
    root: PathBuf,
}

impl CacheLayout {
    /// `$XHOST_CACHE_DIR`, else `$XDG_CACHE_HOME/xhost`, else `$HOME/.cache/xhost`.
    pub fn locate() -> Result<Self> {
        if let Some(dir) = std::env::var_os("XHOST_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Ok(CacheLayout::at(dir));
        }
        if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            return Ok(CacheLayout::at(PathBuf::from(dir).join("xhost")));
        }
        let home = std::env::var_os("HOME")
            .filter(|d| !d.is_empty())
            .context("cannot find a cache directory: set XHOST_CACHE_DIR (or HOME)")?;
        Ok(CacheLayout::at(
            PathBuf::from(home).join(".cache").join("xhost"),
        ))
    }

    /// The layout under `root`.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        CacheLayout { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Artifact bytes by SHA-256.
    pub fn store(&self) -> PathBuf {
        self.root.join("store")
    }

    /// Action-cache entries.
    pub fn actions(&self) -> PathBuf {
        self.root.join("actions")
    }

    /// Plugins fetched from OCI registries (`crate::plugin_registry`).
    pub fn plugins(&self) -> PathBuf {
        self.root.join("plugins")
    }

    /// Compiled plugins, one directory per engine configuration.
    pub fn compiled(&self) -> PathBuf {
        self.root.join("compiled")
    }

    /// Granted programs' digests, remembered with their stamps.
    pub fn programs_file(&self) -> PathBuf {
        self.root.join("programs.json")
    }

    /// What the action cache did over every build (`crate::cache::counts`), and the
    /// lock builds take to add to it.
    pub fn counts_file(&self) -> PathBuf {
        self.root.join("counts.json")
    }

    pub fn counts_lock(&self) -> PathBuf {
        self.root.join("counts.lock")
    }

    /// Passed tool-sandbox probes.
    pub fn probes(&self) -> PathBuf {
        self.root.join("probe")
    }

    /// Held shared by every build, exclusively by `xhost cache gc`.
    pub fn gc_lock(&self) -> PathBuf {
        self.root.join("gc.lock")
    }

    /// Running builds' scratch directories.
    pub fn work(&self) -> PathBuf {
        self.root.join("work")
    }

    /// Every project's area.
    pub fn projects(&self) -> PathBuf {
        self.root.join("projects")
    }

    /// The area of the project whose directory is `project_root` (canonical). Keyed by
    /// that path, so projects never share tool caches.
    pub fn project(&self, project_root: &Path) -> ProjectArea {
        let id = sha256_hex(project_root.as_os_str().as_encoded_bytes());
        ProjectArea {
            dir: self.projects().join(&id[..16]),
        }
    }
}

/// One project's part of the cache.
#[derive(Debug, Clone)]
pub struct ProjectArea {
    dir: PathBuf,
}

impl ProjectArea {
    /// An area at `dir` (one of [`CacheLayout::projects`]'s entries).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        ProjectArea { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Held by the project's running build.
    pub fn lock(&self) -> PathBuf {
        self.dir.join("lock")
    }

    /// What the project last published, with stamps.
    pub fn published(&self) -> PathBuf {
        self.dir.join("published.json")
    }

    /// Each stage's last action key, to say why it runs again.
    pub fn last_keys(&self) -> PathBuf {
        self.dir.join("last-keys")
    }

    /// What the last successful build's outcome depended on (`crate::up_to_date`).
    pub fn last_build(&self) -> PathBuf {
        self.dir.join("last-build")
    }

    /// The source tree's index: each file's content digest with its stamp
    /// (`crate::cache::source_tree`).
    pub fn source_index(&self) -> PathBuf {
        self.dir.join("source-index")
    }

    /// How long each target's stages took in the last build, to start the longest first
    /// (`crate::pipeline::lane_times`).
    pub fn lane_times(&self) -> PathBuf {
        self.dir.join("lane-times.json")
    }

    /// Programs' homes and caches, one directory per program.
    pub fn tools(&self) -> PathBuf {
        self.dir.join("tools")
    }

    /// Downloaded Go modules, one module cache per download key
    /// (`crate::go_modules::ModuleCache`).
    pub fn modules(&self) -> PathBuf {
        self.dir.join("modules")
    }
}
