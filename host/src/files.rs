//! Writing xhost's own files safely: replaced atomically, directories made with the
//! path in the error, trees Go left read-only removed. (Where those files live is [`crate::cache_layout`].)

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

/// Writes `bytes` to `path` under a temporary name beside it, then renames it into
/// place: a reader, or a build killed half-way, sees the old file or the new one, never
/// part of one. Each writer (process and call) uses its own temporary name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_as(path, bytes, None)
}

/// [`write_atomic`] with the file's mode `mode` whatever the umask (a published file
/// whose mode is checked later).
pub fn write_atomic_with_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    write_atomic_as(path, bytes, Some(mode))
}

fn write_atomic_as(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
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
    if let Some(mode) = mode {
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(mode)).with_context(
            || {
                let _ = std::fs::remove_file(&temp);
                format!("setting the mode of {}", temp.display())
            },
        )?;
    }
    std::fs::rename(&temp, path).with_context(|| {
        let _ = std::fs::remove_file(&temp);
        format!("replacing {}", path.display())
    })
}

/// Creates `dir` and its parents, with the path in the error.
pub fn create_dir_all(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating directory {}", dir.display()))
}

/// Removes a tree, first making its directories writable: Go leaves its module cache
/// read-only. Links are not followed.
pub fn remove_tree(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700));
            if let Ok(entries) = std::fs::read_dir(&path) {
                pending.extend(entries.flatten().map(|e| e.path()));
            }
        }
    }
    std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))
}
/// Every regular file under `dir`, as `prefix` followed by its `/`-separated path;
/// empty when `dir` does not exist; none if it holds anything but files and
/// directories, or cannot be read.
pub fn regular_files(dir: &Path, prefix: &str) -> Option<std::collections::BTreeSet<String>> {
    let mut files = std::collections::BTreeSet::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(files),
        Err(_) => return None,
    };
    for entry in entries {
        let entry = entry.ok()?;
        let name = entry.file_name().into_string().ok()?;
        let rel = format!("{prefix}{name}");
        let kind = entry.file_type().ok()?;
        if kind.is_dir() {
            files.extend(regular_files(&entry.path(), &format!("{rel}/"))?);
        } else if kind.is_file() {
            files.insert(rel);
        } else {
            return None;
        }
    }
    Some(files)
}
