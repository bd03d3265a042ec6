//! Where xhost keeps its state: every directory and file under the cache directory,
//! named here and nowhere else.
//!
//! ```text
//! $XHOST_CACHE_DIR/              (default ~/.cache/xhost)
//!   store/<sha256>               artifact bytes, shared by all builds
//!   actions/<xx>/<key>.json      action-cache entries
//!   compiled/<engine>/<sha>.cwasm compiled plugins
//!   compiled/<engine>/<sha>.described.json  what each said of itself (`describe`)
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
//!     tools/<program>/{home,cache} programs' homes and caches (unless XHOST_TOOL_CACHE_DIR
//!                                  names one directory for every project)
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::digest::sha256_hex;

/// Names one directory for every project's program homes and caches (Go's build cache,
/// zig's caches; cargo's stay per project, see [`ToolCaches::of`]) instead of one per
/// project: a machine's
/// operator's choice, never a project's, for machines that build only projects trusted
/// alike, since a program run for one project then writes what another's build reads.
/// A fresh checkout, at any path, then starts with warm caches.
pub const SHARED_TOOL_CACHES: &str = "XHOST_TOOL_CACHE_DIR";

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

    /// Programs' homes and caches: this project's own, and the directory
    /// `XHOST_TOOL_CACHE_DIR` names for every project, when it names one.
    pub fn tools(&self) -> Result<ToolCaches> {
        let shared = match std::env::var_os(SHARED_TOOL_CACHES).filter(|d| !d.is_empty()) {
            None => None,
            Some(dir) if Path::new(&dir).is_absolute() => Some(PathBuf::from(dir)),
            Some(dir) => anyhow::bail!(
                "{SHARED_TOOL_CACHES}={}: name the shared tool caches by an absolute path",
                Path::new(&dir).display()
            ),
        };
        Ok(ToolCaches {
            own: self.dir.join("tools"),
            shared,
        })
    }

    /// Downloaded Go modules, one module cache per download key
    /// (`crate::go_modules::ModuleCache`).
    pub fn modules(&self) -> PathBuf {
        self.dir.join("modules")
    }
}

/// Where each program keeps its home and caches, one directory per program.
#[derive(Debug, Clone)]
pub struct ToolCaches {
    /// The project's own.
    pub own: PathBuf,
    /// Every project's ([`SHARED_TOOL_CACHES`]), when the machine's operator names one.
    pub shared: Option<PathBuf>,
}

/// Programs whose cache holds what a build makes, not only what speeds it up: cargo's
/// target directory, from which `cargo install` copies the binaries after its lock is
/// released, so another project's build could replace them in between. Theirs stay the
/// project's own even when caches are shared.
const OUTPUTS_IN_CACHE: &[&str] = &["cargo", "cargo-zigbuild"];

impl ToolCaches {
    /// Only the project's own (a remote worker's, a plugin run alone).
    pub fn own(dir: impl Into<PathBuf>) -> Self {
        ToolCaches {
            own: dir.into(),
            shared: None,
        }
    }

    /// `program`'s directory (holding its `home` and `cache`).
    pub fn of(&self, program: &str) -> PathBuf {
        match &self.shared {
            Some(shared) if !OUTPUTS_IN_CACHE.contains(&program) => shared.join(program),
            _ => self.own.join(program),
        }
    }
}
