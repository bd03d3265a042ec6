//! Where xhost keeps its own state: the cache directory and per-project areas in it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

use crate::digest::sha256_hex;

/// The cache directory: `$XHOST_CACHE_DIR`, else `$XDG_CACHE_HOME/xhost`, else
/// `$HOME/.cache/xhost`.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XHOST_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("xhost"));
    }
    let home = std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .context("cannot find a cache directory: set XHOST_CACHE_DIR (or HOME)")?;
    Ok(PathBuf::from(home).join(".cache").join("xhost"))
}

/// Per-project area of the cache (native tool homes and caches). Keyed by the
/// project's canonical path so projects never share tool caches.
pub fn project_cache_dir(cache: &Path, project_root: &Path) -> PathBuf {
    let id = sha256_hex(project_root.as_os_str().as_encoded_bytes());
    cache.join("projects").join(&id[..16])
}

/// Writes `bytes` to `path` under a temporary name beside it, then renames it into
/// place: a reader, or a build killed half-way, sees the old file or the new one, never
/// part of one. Each writer (process and call) uses its own temporary name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    let temp = path.with_file_name(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&temp, bytes).with_context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| {
        let _ = std::fs::remove_file(&temp);
        format!("replacing {}", path.display())
    })
}

/// Creates `dir` and its parents, with the path in the error.
pub fn create_dir_all(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating directory {}", dir.display()))
}
