//! Content-addressed storage for artifact bytes: a file named by its SHA-256, shared
//! by every build using the cache. Files are moved in (no copy when on the same
//! filesystem), made read-only and renamed into place, so an entry is whole or absent
//! whenever a build dies; an entry is rewritten each time its bytes are produced, which
//! also repairs one damaged on disk. Readers check digests (`dist::publish`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

use crate::digest::sha256_file;

pub struct Store {
    dir: PathBuf,
    next_temp: AtomicU64,
}

impl Store {
    pub fn open(dir: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating artifact store {}", dir.display()))?;
        remove_stale_incoming(&dir);
        Ok(Store {
            dir,
            next_temp: AtomicU64::new(0),
        })
    }

    /// Where the bytes with digest `sha256` live.
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    /// Moves `file` into the store; returns its digest and size.
    pub fn ingest(&self, file: &Path) -> Result<(String, u64)> {
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .dir
            .join(format!(".incoming-{}-{n}", std::process::id()));
        if std::fs::rename(file, &temp).is_err() {
            std::fs::copy(file, &temp)
                .with_context(|| format!("copying {} into the artifact store", file.display()))?;
        }
        let (sha256, size) = sha256_file(&temp)?;
        let dest = self.path(&sha256);
        set_read_only(&temp)?;
        std::fs::rename(&temp, &dest).with_context(|| format!("storing {}", dest.display()))?;
        Ok((sha256, size))
    }
}

/// Files an ingest killed mid-way left behind; a live one is seconds old.
fn remove_stale_incoming(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with(".incoming-")
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn set_read_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444))
        .with_context(|| format!("making {} read-only", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingest_moves_and_dedupes() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().join("store")).unwrap();
        for name in ["a", "b"] {
            std::fs::write(tmp.path().join(name), "same").unwrap();
        }
        let (sha_a, size) = store.ingest(&tmp.path().join("a")).unwrap();
        let (sha_b, _) = store.ingest(&tmp.path().join("b")).unwrap();
        assert_eq!(sha_a, sha_b);
        assert_eq!(size, 4);
        assert_eq!(std::fs::read(store.path(&sha_a)).unwrap(), b"same");
        assert!(!tmp.path().join("a").exists());
        assert_eq!(
            std::fs::read_dir(tmp.path().join("store")).unwrap().count(),
            1
        );
    }
}
