//! The digest of a project's source tree, for the keys of stages that read it (`/src`).
//!
//! Covers every file's path, executable bit and content, and every symlink's target,
//! in a fixed order, so any edit, addition, removal, rename or `chmod +x` changes it.
//! Leaves out what is not source: `.git` directories, the `dist/` being built and
//! xhost's staging directories next to it.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// Digests the tree at `root`, skipping the directories in `exclude` (absolute).
pub fn digest(root: &Path, exclude: &[PathBuf]) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut walk = Walk {
        root,
        exclude,
        hasher: &mut hasher,
        buffer: vec![0; 1 << 16],
    };
    walk.dir(root, "")?;
    Ok(crate::digest::hex(&hasher.finalize()))
}

struct Walk<'a> {
    root: &'a Path,
    exclude: &'a [PathBuf],
    hasher: &'a mut Sha256,
    buffer: Vec<u8>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, rel: &str) -> Result<()> {
        let mut entries = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<Vec<_>>>()
            .with_context(|| format!("reading {}", dir.display()))?;
        entries.sort();
        for name in entries {
            let name_text = name.to_string_lossy();
            let path = dir.join(&name);
            if self.skipped(&path, &name_text) {
                continue;
            }
            let rel = if rel.is_empty() {
                name_text.into_owned()
            } else {
                format!("{rel}/{name_text}")
            };
            let meta = std::fs::symlink_metadata(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            if meta.is_dir() {
                self.field(b"D", rel.as_bytes());
                self.dir(&path, &rel)?;
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path)
                    .with_context(|| format!("reading symlink {}", path.display()))?;
                self.field(b"L", rel.as_bytes());
                self.field(b"T", target.as_os_str().as_encoded_bytes());
            } else if meta.is_file() {
                let executable = meta.permissions().mode() & 0o111 != 0;
                self.field(if executable { b"X" } else { b"F" }, rel.as_bytes());
                self.file(&path)?;
            }
            // Sockets, FIFOs and devices have no content a build could read.
        }
        Ok(())
    }

    fn skipped(&self, path: &Path, name: &str) -> bool {
        name == ".git"
            || name.starts_with(".dist.xhost-staging-")
            || (path.starts_with(self.root) && self.exclude.iter().any(|e| e == path))
    }

    /// A tagged, length-prefixed field: no two trees hash the same byte stream.
    fn field(&mut self, tag: &[u8], bytes: &[u8]) {
        self.hasher.update(tag);
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    fn file(&mut self, path: &Path) -> Result<()> {
        let mut file =
            std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        let mut content = Sha256::new();
        loop {
            let n = file
                .read(&mut self.buffer)
                .with_context(|| format!("reading {}", path.display()))?;
            if n == 0 {
                break;
            }
            content.update(&self.buffer[..n]);
        }
        self.hasher.update(content.finalize());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cmd/hello")).unwrap();
        std::fs::write(dir.path().join("go.mod"), "module x\n").unwrap();
        std::fs::write(dir.path().join("cmd/hello/main.go"), "package main\n").unwrap();
        dir
    }

    fn of(dir: &Path) -> String {
        digest(dir, &[dir.join("dist")]).unwrap()
    }

    #[test]
    fn every_kind_of_change_changes_the_digest() {
        let dir = tree();
        let mut seen = vec![of(dir.path())];
        let mut changed = |what: &str, change: &dyn Fn(&Path)| {
            change(dir.path());
            let now = of(dir.path());
            assert!(!seen.contains(&now), "{what} left the digest unchanged");
            seen.push(now);
        };
        changed("an edit", &|d| {
            std::fs::write(d.join("cmd/hello/main.go"), "package main\n\n").unwrap()
        });
        changed("a new file", &|d| {
            std::fs::write(d.join("README"), "").unwrap()
        });
        changed("a rename", &|d| {
            std::fs::rename(d.join("README"), d.join("README.md")).unwrap()
        });
        changed("chmod +x", &|d| {
            std::fs::set_permissions(d.join("README.md"), std::fs::Permissions::from_mode(0o755))
                .unwrap()
        });
        changed("a symlink", &|d| {
            std::os::unix::fs::symlink("go.mod", d.join("link")).unwrap()
        });
        changed("an empty directory", &|d| {
            std::fs::create_dir(d.join("empty")).unwrap()
        });
        changed("a removal", &|d| {
            std::fs::remove_file(d.join("go.mod")).unwrap()
        });
    }

    #[test]
    fn dist_git_and_staging_are_not_source() {
        let dir = tree();
        let before = of(dir.path());
        for sub in ["dist", ".git", ".dist.xhost-staging-1"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("f"), "x").unwrap();
        }
        assert_eq!(of(dir.path()), before);
    }
}
