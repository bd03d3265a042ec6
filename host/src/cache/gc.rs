//! `xhost cache stats` and `xhost cache gc`: what the cache directory holds, and
//! trimming it to a size.
//!
//! The parts are those of [`CacheLayout`]: the store, action entries, compiled
//! plugins, projects' areas (their programs' homes and caches, such as Go's build
//! cache) and running builds' scratch. `gc` takes the gc lock exclusively, so it waits
//! for running builds (which hold it shared) and they wait for it.
//!
//! Trimming order, cheapest to lose first: store files no entry names; compiled code
//! for other engines; then, while over the limit, the least recently used action
//! entries (and the store files only they named), the least recently built projects'
//! tool caches, and compiled plugins. Plugins fetched from registries are counted but
//! kept: they are pins a build may need offline.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

use super::actions::Entry;
use crate::cache_layout::{CacheLayout, ProjectArea};
use crate::files::remove_tree;
use crate::lock;

/// Sizes of each part of the cache directory.
#[derive(Debug, Default)]
pub struct Usage {
    pub store: Part,
    pub actions: Part,
    pub compiled: Part,
    /// Plugins fetched from registries: never trimmed (an offline build needs them).
    pub plugins: Part,
    pub projects: Part,
    pub work: Part,
}

/// Entry count and bytes of one part.
#[derive(Debug, Default, Clone, Copy)]
pub struct Part {
    pub entries: u64,
    pub bytes: u64,
}

impl Usage {
    pub fn total(&self) -> u64 {
        [
            self.store,
            self.actions,
            self.compiled,
            self.plugins,
            self.projects,
            self.work,
        ]
        .iter()
        .map(|p| p.bytes)
        .sum()
    }
}

/// Measures the cache directory.
pub fn usage(cache: &CacheLayout) -> Result<Usage> {
    let files = |dir: &Path| -> Result<Part> {
        let mut part = Part::default();
        for (_, size) in list_files(dir)? {
            part.entries += 1;
            part.bytes += size;
        }
        Ok(part)
    };
    let dirs = |dir: &Path| -> Result<Part> {
        let mut part = Part::default();
        for child in list_dirs(dir)? {
            part.entries += 1;
            part.bytes += tree_size(&child);
        }
        Ok(part)
    };
    let mut actions = Part::default();
    for fan in list_dirs(&cache.actions())? {
        let part = files(&fan)?;
        actions.entries += part.entries;
        actions.bytes += part.bytes;
    }
    // Counted by compiled component; the plugins' kept descriptions beside them count
    // in the bytes only.
    let mut compiled = Part::default();
    for engine in list_dirs(&cache.compiled())? {
        for (path, size) in list_files(&engine)? {
            compiled.entries += u64::from(path.extension().is_some_and(|e| e == "cwasm"));
            compiled.bytes += size;
        }
    }
    Ok(Usage {
        store: files(&cache.store())?,
        actions,
        compiled,
        plugins: dirs(&cache.plugins())?,
        projects: dirs(&cache.projects())?,
        work: dirs(&cache.work())?,
    })
}

/// What one `gc` removed.
#[derive(Debug, Default)]
pub struct Removed {
    pub entries: u64,
    pub files: u64,
    pub projects: u64,
    pub compiled: u64,
    pub bytes: u64,
}

/// Trims the cache to at most `max_bytes` (as far as unlocked parts allow); `engine`
/// names the current compiled-code directory, kept longest.
pub fn collect(cache: &CacheLayout, max_bytes: u64, engine: &str) -> Result<Removed> {
    let _exclusive = lock::wait_for(&cache.gc_lock(), "running xhost builds")?;
    let mut removed = Removed::default();
    let mut total = usage(cache)?.total();
    let drop_file = |path: &Path, size: u64, removed: &mut Removed| -> Result<()> {
        std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
        removed.bytes += size;
        Ok(())
    };

    // Store files indexed by the entries that name them.
    let mut entries = read_entries(cache, &mut removed)?;
    let mut refs: HashMap<String, usize> = HashMap::new();
    for (_, _, entry) in &entries {
        for output in &entry.outputs {
            *refs.entry(output.sha256.clone()).or_default() += 1;
        }
    }
    let store = cache.store();
    let mut sizes: HashMap<String, u64> = HashMap::new();
    for (path, size) in list_files(&store)? {
        let name = file_name(&path);
        if refs.contains_key(&name) {
            sizes.insert(name, size);
        } else {
            drop_file(&path, size, &mut removed)?;
            removed.files += 1;
        }
    }
    for dir in list_dirs(&cache.compiled())? {
        if file_name(&dir) != engine {
            removed.bytes += tree_size(&dir);
            remove_tree(&dir)?;
            removed.compiled += 1;
        }
    }
    total = total.saturating_sub(removed.bytes);

    // Least recently used entries first.
    entries.sort_by_key(|(_, used, _)| *used);
    for (path, _, entry) in entries {
        if total <= max_bytes {
            break;
        }
        let before = removed.bytes;
        let size = path.metadata().map_or(0, |m| m.len());
        drop_file(&path, size, &mut removed)?;
        removed.entries += 1;
        for output in entry.outputs {
            let count = refs.get_mut(&output.sha256).expect("counted above");
            *count -= 1;
            if *count == 0
                && let Some(size) = sizes.remove(&output.sha256)
            {
                drop_file(&store.join(&output.sha256), size, &mut removed)?;
                removed.files += 1;
            }
        }
        total = total.saturating_sub(removed.bytes - before);
    }

    // Then whole projects' tool caches, least recently built first, never one in use.
    let mut projects = list_dirs(&cache.projects())?
        .into_iter()
        .map(|dir| (modified(&ProjectArea::at(&dir).lock()), dir))
        .collect::<Vec<_>>();
    projects.sort();
    for (_, dir) in projects {
        if total <= max_bytes {
            break;
        }
        let Some(_held) = lock::try_lock(&ProjectArea::at(&dir).lock())? else {
            continue;
        };
        let size = tree_size(&dir);
        remove_tree(&dir)?;
        removed.projects += 1;
        removed.bytes += size;
        total = total.saturating_sub(size);
    }

    let current = cache.compiled().join(engine);
    if total > max_bytes && current.exists() {
        let size = tree_size(&current);
        remove_tree(&current)?;
        removed.compiled += 1;
        removed.bytes += size;
    }
    // Emptying the cache drops the programs' digest memo too: the next build hashes
    // the programs (and this xhost) again.
    if max_bytes == 0 {
        let memo = cache.programs_file();
        if let Ok(meta) = std::fs::metadata(&memo) {
            drop_file(&memo, meta.len(), &mut removed)?;
        }
    }
    Ok(removed)
}

/// Every action entry with its last use; unreadable ones are removed on the way.
fn read_entries(
    cache: &CacheLayout,
    removed: &mut Removed,
) -> Result<Vec<(PathBuf, SystemTime, Entry)>> {
    let mut entries = Vec::new();
    for fan in list_dirs(&cache.actions())? {
        for (path, size) in list_files(&fan)? {
            let parsed = std::fs::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Entry>(&bytes).ok());
            match parsed {
                Some(entry) => entries.push((path.clone(), modified(&path), entry)),
                None => {
                    std::fs::remove_file(&path)
                        .with_context(|| format!("removing {}", path.display()))?;
                    removed.entries += 1;
                    removed.bytes += size;
                }
            }
        }
    }
    Ok(entries)
}

/// Parses a size: a number of bytes, or with a suffix K, M, G, T (powers of 1024; an
/// optional `iB` or `B` after it is accepted).
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => {
            bail!("`{text}` is not a size: use bytes or a number with K, M, G or T (e.g. 500M, 2G)")
        }
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)
        .with_context(|| {
            format!(
                "`{text}` is not a size: use bytes or a number with K, M, G or T (e.g. 500M, 2G)"
            )
        })?;
    Ok((value * (1u64 << shift) as f64) as u64)
}

fn list_files(dir: &Path) -> Result<Vec<(PathBuf, u64)>> {
    Ok(list(dir)?
        .into_iter()
        .filter(|(_, meta)| meta.is_file())
        .filter(|(path, _)| !file_name(path).starts_with('.'))
        .map(|(path, meta)| (path, meta.len()))
        .collect())
}

fn list_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(list(dir)?
        .into_iter()
        .filter(|(_, meta)| meta.is_dir())
        .map(|(path, _)| path)
        .collect())
}

fn list(dir: &Path) -> Result<Vec<(PathBuf, std::fs::Metadata)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if let Ok(meta) = entry.path().symlink_metadata() {
            out.push((entry.path(), meta));
        }
    }
    Ok(out)
}

fn tree_size(dir: &Path) -> u64 {
    list(dir)
        .unwrap_or_default()
        .into_iter()
        .fold(0, |sum, (path, meta)| {
            sum + if meta.is_dir() {
                tree_size(&path)
            } else {
                meta.len()
            }
        })
}

fn modified(path: &Path) -> SystemTime {
    path.metadata()
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("0").unwrap(), 0);
        assert_eq!(parse_size("1024").unwrap(), 1024);
        assert_eq!(parse_size("500M").unwrap(), 500 << 20);
        assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("1.5k").unwrap(), 1536);
        let err = parse_size("lots").unwrap_err().to_string();
        assert!(err.contains("`lots` is not a size"), "{err}");
        assert!(parse_size("5X").is_err());
    }
}
