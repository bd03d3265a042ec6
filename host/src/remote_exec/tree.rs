//! An action's input root as REAPI `Directory` messages, a Merkle tree in which each
//! directory is a blob named by its digest: built here from files whose digests are
//! known, and laid out again on a worker from the server's blobs.
//!
//! Laying out is strict, since the tree comes from the server: every name is one plain
//! path component, appears once per directory, and is created fresh (never opened
//! through a link), each blob is checked against its digest as it arrives, and the
//! tree's size, depth and number of entries are bounded.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use prost::Message;

use crate::cache::remote::grpc::{self, Blob, Bytes, GrpcCache, reapi};

/// A directory being built.
#[derive(Default)]
pub struct Dir {
    files: BTreeMap<String, (reapi::Digest, bool)>,
    links: BTreeMap<String, String>,
    dirs: BTreeMap<String, Dir>,
    /// Subtrees built before, by their digest.
    done: BTreeMap<String, reapi::Digest>,
}

impl Dir {
    /// Adds file `path` (`/`-separated) with `digest`; its bytes are the caller's to send.
    pub fn file(&mut self, path: &str, digest: reapi::Digest, executable: bool) {
        let (dir, name) = self.parent(path);
        dir.files.insert(name, (digest, executable));
    }

    pub fn link(&mut self, path: &str, target: &str) {
        let (dir, name) = self.parent(path);
        dir.links.insert(name, target.to_string());
    }

    /// Adds directory `path` (it may stay empty).
    pub fn dir(&mut self, path: &str) {
        let (dir, name) = self.parent(path);
        dir.dirs.entry(name).or_default();
    }

    /// Adds a subtree built before.
    pub fn subtree(&mut self, name: &str, digest: reapi::Digest) {
        self.done.insert(name.to_string(), digest);
    }

    fn parent(&mut self, path: &str) -> (&mut Dir, String) {
        let mut parts: Vec<&str> = path.split('/').collect();
        let name = parts.pop().unwrap_or_default().to_string();
        let mut dir = self;
        for part in parts {
            dir = dir.dirs.entry(part.to_string()).or_default();
        }
        (dir, name)
    }

    /// Encodes the tree: its root's digest, with every directory's bytes added to
    /// `blobs`.
    pub fn encode(self, blobs: &mut Vec<Blob>) -> reapi::Digest {
        let mut directories: Vec<reapi::DirectoryNode> = self
            .dirs
            .into_iter()
            .map(|(name, dir)| reapi::DirectoryNode {
                name,
                digest: Some(dir.encode(blobs)),
            })
            .chain(
                self.done
                    .into_iter()
                    .map(|(name, digest)| reapi::DirectoryNode {
                        name,
                        digest: Some(digest),
                    }),
            )
            .collect();
        directories.sort_by(|a, b| a.name.cmp(&b.name));
        let message = reapi::Directory {
            files: self
                .files
                .into_iter()
                .map(|(name, (digest, executable))| reapi::FileNode {
                    name,
                    digest: Some(digest),
                    is_executable: executable,
                    ..Default::default()
                })
                .collect(),
            directories,
            symlinks: self
                .links
                .into_iter()
                .map(|(name, target)| reapi::SymlinkNode {
                    name,
                    target,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let blob = Blob::bytes(message.encode_to_vec());
        let digest = grpc::digest(&blob.sha256, blob.size);
        blobs.push(blob);
        digest
    }
}

/// The source tree at `root` (but `exclude`) as a subtree, with every blob it needs:
/// what the key's source digest covers, so a worker laying it out digests the same.
pub fn source(root: &Path, exclude: &[PathBuf], blobs: &mut Vec<Blob>) -> Result<reapi::Digest> {
    use crate::cache::source_tree::Node;
    let mut dir = Dir::default();
    for node in crate::cache::source_tree::list(root, exclude)? {
        match node {
            Node::Dir(rel) => dir.dir(&rel),
            Node::Symlink { rel, target } => dir.link(&rel, &target),
            Node::File { rel, executable } => {
                let path = root.join(&rel);
                let (sha256, size) = crate::digest::sha256_file(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                dir.file(&rel, grpc::digest(&sha256, size), executable);
                blobs.push(Blob {
                    sha256,
                    size,
                    bytes: Bytes::File(path),
                });
            }
        }
    }
    Ok(dir.encode(blobs))
}

/// Bounds on a tree laid out from the server.
pub struct Limits {
    pub entries: usize,
    pub bytes: u64,
    pub depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            entries: 1_000_000,
            bytes: 16 << 30,
            depth: 128,
        }
    }
}

/// Lays out the tree `root` names under `dest` (which must not exist), fetching every
/// blob from `server`.
pub async fn lay_out(
    server: &GrpcCache,
    root: &reapi::Digest,
    dest: &Path,
    limits: &Limits,
) -> Result<()> {
    let mut budget = Budget {
        entries: 0,
        bytes: 0,
        limits,
    };
    let mut pending = vec![(root.clone(), dest.to_path_buf(), 0usize)];
    while let Some((digest, dir, depth)) = pending.pop() {
        if depth > limits.depth {
            bail!("the input tree is deeper than {} directories", limits.depth);
        }
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let message = fetch_message::<reapi::Directory>(server, &digest).await?;
        let mut seen = std::collections::HashSet::new();
        let names = message
            .files
            .iter()
            .map(|f| &f.name)
            .chain(message.directories.iter().map(|d| &d.name))
            .chain(message.symlinks.iter().map(|s| &s.name));
        for name in names {
            check_name(name)?;
            if !seen.insert(name.clone()) {
                bail!("the input tree names `{name}` twice in one directory");
            }
            budget.entry()?;
        }
        for file in &message.files {
            let digest = file.digest.as_ref().context("a file without a digest")?;
            let size = size_of(digest)?;
            budget.bytes(size)?;
            let path = dir.join(&file.name);
            fetch_file(server, digest, &path).await?;
            let mode = if file.is_executable { 0o755 } else { 0o644 };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
        }
        for link in &message.symlinks {
            std::os::unix::fs::symlink(&link.target, dir.join(&link.name))
                .with_context(|| format!("creating link {}", dir.join(&link.name).display()))?;
        }
        for sub in &message.directories {
            let digest = sub.digest.clone().context("a directory without a digest")?;
            pending.push((digest, dir.join(&sub.name), depth + 1));
        }
    }
    Ok(())
}

struct Budget<'a> {
    entries: usize,
    bytes: u64,
    limits: &'a Limits,
}

impl Budget<'_> {
    fn entry(&mut self) -> Result<()> {
        self.entries += 1;
        if self.entries > self.limits.entries {
            bail!(
                "the input tree has more than {} entries",
                self.limits.entries
            );
        }
        Ok(())
    }

    fn bytes(&mut self, size: u64) -> Result<()> {
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > self.limits.bytes {
            bail!("the input tree holds more than {} bytes", self.limits.bytes);
        }
        Ok(())
    }
}

/// A name a directory entry may have: one plain path component.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.contains('\0') {
        bail!("the input tree has an entry named {name:?}, which is not a plain file name");
    }
    Ok(())
}

fn size_of(digest: &reapi::Digest) -> Result<u64> {
    u64::try_from(digest.size_bytes).context("a digest with a negative size")
}

/// Blob `digest` decoded as `M` (at most 4 MiB: a message, not a payload).
pub async fn fetch_message<M: Message + Default>(
    server: &GrpcCache,
    digest: &reapi::Digest,
) -> Result<M> {
    let bytes = match server.read_bytes(digest, 4 << 20).await? {
        crate::cache::remote::Answer::Got(bytes) => bytes,
        crate::cache::remote::Answer::Missing => bail!("blob {} is missing", digest.hash),
        crate::cache::remote::Answer::Wrong(why) => bail!("{why}"),
    };
    M::decode(bytes.as_slice()).with_context(|| format!("decoding blob {}", digest.hash))
}

/// Fetches blob `digest` into a new file at `path`.
async fn fetch_file(server: &GrpcCache, digest: &reapi::Digest, path: &Path) -> Result<()> {
    // `create_new`: never through a link or over something already there.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    match server
        .get_blob(&digest.hash, size_of(digest)?, path)
        .await?
    {
        crate::cache::remote::Answer::Got(()) => Ok(()),
        crate::cache::remote::Answer::Missing => bail!("blob {} is missing", digest.hash),
        crate::cache::remote::Answer::Wrong(why) => bail!("{why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_their_directory_are_refused() {
        for name in ["", ".", "..", "a/b", "../x", "a\0b"] {
            assert!(check_name(name).is_err(), "{name:?}");
        }
        check_name(".hidden").unwrap();
        check_name("main.go").unwrap();
    }

    #[test]
    fn a_tree_encodes_to_sorted_directories_whatever_the_order_added() {
        let d = |h: &str| grpc::digest(h, 1);
        let mut one = Dir::default();
        one.file("b/x", d("1"), false);
        one.file("a", d("2"), true);
        one.dir("c");
        let mut two = Dir::default();
        two.dir("c");
        two.file("a", d("2"), true);
        two.file("b/x", d("1"), false);
        let (mut blobs1, mut blobs2) = (Vec::new(), Vec::new());
        assert_eq!(one.encode(&mut blobs1), two.encode(&mut blobs2));
        // b, c and the root.
        assert_eq!(blobs1.len(), 3);
    }
}
