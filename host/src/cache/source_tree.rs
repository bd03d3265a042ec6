//! The digest of a project's source tree, for the keys of stages that read it (`/src`).
//!
//! Covers every file's path, executable bit and content, and every symlink's target,
//! in a fixed order, so any edit, addition, removal, rename or `chmod +x` changes it.
//! Leaves out what is not source: `.git` directories, the `dist/` being built and
//! xhost's staging directories next to it.
//!
//! With an index (a file in the project's cache area, like git's index), each file's
//! content digest is kept with its stamp ([`KnownDigest`]): a file whose stamp is
//! unchanged, and was taken well after it last changed, is not read again, so a
//! rebuild reads only what changed (and what changed within the racy window). The
//! digest is the same with or without the index.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::known_digest::{KnownDigest, now_ns};

/// Digests the tree at `root`, skipping the directories in `exclude` (absolute); with
/// `index`, reuses the content digests recorded there and records the new ones.
pub fn digest(root: &Path, exclude: &[PathBuf], index: Option<&Path>) -> Result<String> {
    // Before any file is looked at: a file changed after this is not trusted.
    digest_at(root, exclude, index, now_ns()).map(|(digest, _)| digest)
}

/// [`digest`] as of `started_ns`; also says how many files were read.
fn digest_at(
    root: &Path,
    exclude: &[PathBuf],
    index: Option<&Path>,
    started_ns: i128,
) -> Result<(String, usize)> {
    let known: HashMap<String, KnownDigest> = index
        .and_then(|file| std::fs::read(file).ok())
        .and_then(|bytes| postcard::from_bytes(&bytes).ok())
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    let mut walk = Walk {
        root,
        exclude,
        hasher: &mut hasher,
        buffer: vec![0; 1 << 16],
        started_ns,
        known,
        seen: HashMap::new(),
        hashed: 0,
    };
    walk.dir(root, "")?;
    if let Some(file) = index
        && (walk.hashed > 0 || walk.seen.len() != walk.known.len())
    {
        // An optimisation: without it the next build reads every file again.
        if let Ok(bytes) = postcard::to_stdvec(&walk.seen) {
            let _ = crate::files::write_atomic(file, &bytes);
        }
    }
    let hashed = walk.hashed;
    Ok((crate::digest::hex(&hasher.finalize()), hashed))
}

/// What is not source: git's directories, the `dist/` being built (in `exclude`) and
/// xhost's staging directories next to it.
fn skipped(root: &Path, exclude: &[PathBuf], path: &Path, name: &str) -> bool {
    name == ".git"
        || name.starts_with(".dist.xhost-staging-")
        || (path.starts_with(root) && exclude.iter().any(|e| e == path))
}

/// One thing in the source tree, by path relative to its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Dir(String),
    File { rel: String, executable: bool },
    Symlink { rel: String, target: String },
}

/// What [`digest`] covers, in its order: every directory, file and symlink of the tree
/// at `root` but those in `exclude` (so a copy of these alone digests the same).
pub fn list(root: &Path, exclude: &[PathBuf]) -> Result<Vec<Node>> {
    fn walk(
        root: &Path,
        exclude: &[PathBuf],
        dir: &Path,
        rel: &str,
        out: &mut Vec<Node>,
    ) -> Result<()> {
        let mut names = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<Vec<_>>>()
            .with_context(|| format!("reading {}", dir.display()))?;
        names.sort();
        for name in names {
            let path = dir.join(&name);
            let Some(name) = name.to_str() else {
                anyhow::bail!("{}: a name that is not UTF-8", path.display());
            };
            if skipped(root, exclude, &path, name) {
                continue;
            }
            let rel = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let meta = std::fs::symlink_metadata(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            if meta.is_dir() {
                out.push(Node::Dir(rel.clone()));
                walk(root, exclude, &path, &rel, out)?;
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path)
                    .with_context(|| format!("reading symlink {}", path.display()))?;
                let Some(target) = target.to_str() else {
                    anyhow::bail!("{}: a link target that is not UTF-8", path.display());
                };
                out.push(Node::Symlink {
                    rel,
                    target: target.to_string(),
                });
            } else if meta.is_file() {
                let executable = meta.permissions().mode() & 0o111 != 0;
                out.push(Node::File { rel, executable });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, exclude, root, "", &mut out)?;
    Ok(out)
}

struct Walk<'a> {
    root: &'a Path,
    exclude: &'a [PathBuf],
    hasher: &'a mut Sha256,
    buffer: Vec<u8>,
    started_ns: i128,
    /// The index as the last build left it, by path relative to the root.
    known: HashMap<String, KnownDigest>,
    /// The index this walk leaves.
    seen: HashMap<String, KnownDigest>,
    /// Files read (not taken from the index).
    hashed: usize,
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
                self.file(&path, rel, &meta)?;
            }
            // Sockets, FIFOs and devices have no content a build could read.
        }
        Ok(())
    }

    fn skipped(&self, path: &Path, name: &str) -> bool {
        skipped(self.root, self.exclude, path, name)
    }

    /// A tagged, length-prefixed field: no two trees hash the same byte stream.
    fn field(&mut self, tag: &[u8], bytes: &[u8]) {
        self.hasher.update(tag);
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    /// Adds the file's content digest: the index's when its stamp still holds, else
    /// read (and recorded).
    fn file(&mut self, path: &Path, rel: String, meta: &std::fs::Metadata) -> Result<()> {
        let known = self
            .known
            .get(&rel)
            .filter(|k| k.holds_for_metadata(meta))
            .and_then(|k| Some((k.clone(), crate::digest::from_hex(&k.sha256)?)));
        let (entry, content) = match known {
            Some(found) => found,
            None => {
                let content = self.read(path)?;
                self.hashed += 1;
                let hex = crate::digest::hex(&content);
                match KnownDigest::from_metadata(meta, &hex, self.started_ns) {
                    Some(entry) => (entry, content),
                    None => {
                        self.hasher.update(content);
                        return Ok(());
                    }
                }
            }
        };
        self.hasher.update(content);
        self.seen.insert(rel, entry);
        Ok(())
    }

    fn read(&mut self, path: &Path) -> Result<[u8; 32]> {
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
        Ok(content.finalize().into())
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
        digest(dir, &[dir.join("dist")], None).unwrap()
    }

    /// Long after now: every file's stamp is settled.
    fn later() -> i128 {
        now_ns() + 60_000_000_000
    }

    #[test]
    fn the_index_reads_only_what_changed() {
        let dir = tree();
        let index = dir.path().join("index.json");
        let exclude = [dir.path().join("dist"), index.clone()];
        let at = |time| digest_at(dir.path(), &exclude, Some(&index), time).unwrap();
        let (first, read) = at(later());
        assert_eq!(read, 2);
        assert_eq!(first, digest(dir.path(), &exclude, None).unwrap());
        assert_eq!(at(later()), (first.clone(), 0));
        std::fs::write(dir.path().join("go.mod"), "module y\n").unwrap();
        let (edited, read) = at(later());
        assert_ne!(edited, first);
        assert_eq!(read, 1);
        assert_eq!(edited, digest(dir.path(), &exclude, None).unwrap());
        // A damaged index is only a slower build.
        std::fs::write(&index, "damaged").unwrap();
        assert_eq!(at(later()), (edited, 2));
    }

    #[test]
    fn files_changed_within_the_racy_window_are_read_again() {
        let dir = tree();
        let index = dir.path().join("index.json");
        let exclude = [dir.path().join("dist"), index.clone()];
        // Recorded now, just after the files were written: not trusted next time.
        let (first, _) = digest_at(dir.path(), &exclude, Some(&index), now_ns()).unwrap();
        // Same size, same modification time, other content: only reading sees it.
        let file = dir.path().join("go.mod");
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, "module z\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let (second, read) = digest_at(dir.path(), &exclude, Some(&index), now_ns()).unwrap();
        assert_eq!(read, 2, "racily clean entries were trusted");
        assert_ne!(second, first);
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
