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
use std::time::Duration;

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

/// Blobs a worker fetched before, by digest, so an action's tree costs only the bytes
/// the worker has never seen (every action of a build carries the same source tree).
pub struct BlobCache {
    dir: PathBuf,
}

impl BlobCache {
    pub fn new(dir: PathBuf) -> Result<Self> {
        crate::files::create_dir_all(&dir)?;
        Ok(BlobCache { dir })
    }

    /// The file holding blob `digest`, fetched from `server` unless already here.
    async fn get(&self, server: &GrpcCache, digest: &reapi::Digest) -> Result<PathBuf> {
        if !crate::digest::is_sha256_hex(&digest.hash) {
            bail!("a malformed digest `{}`", digest.hash);
        }
        let path = self.dir.join(&digest.hash);
        let size = size_of(digest)?;
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == size) {
            return Ok(path);
        }
        let temp = tempfile::NamedTempFile::new_in(&self.dir)?.into_temp_path();
        let mut pause = Duration::from_millis(100);
        let answer = loop {
            match server.get_blob(&digest.hash, size, &temp).await {
                // A busy server asks for a pause ("Concurrent RPC limit exceeded").
                Err(e) if busy(&e) && pause < Duration::from_secs(5) => {
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                answer => break answer?,
            }
        };
        match answer {
            crate::cache::remote::Answer::Got(()) => {}
            crate::cache::remote::Answer::Missing => bail!("blob {} is missing", digest.hash),
            crate::cache::remote::Answer::Wrong(why) => bail!("{why}"),
        }
        // Checked against its digest as it streamed in.
        temp.persist(&path)?;
        Ok(path)
    }
}

/// Whether `error` is a server saying it is too busy for now.
fn busy(error: &anyhow::Error) -> bool {
    error
        .root_cause()
        .downcast_ref::<tonic::Status>()
        .is_some_and(|s| s.code() == tonic::Code::ResourceExhausted)
}

/// Blobs fetched at once while laying out a directory.
const FETCHES: usize = 8;

/// Lays out the tree `root` names under `dest` (which must not exist), every blob
/// from `blobs` or fetched from `server` into it.
pub async fn lay_out(
    server: &GrpcCache,
    blobs: &BlobCache,
    root: &reapi::Digest,
    dest: &Path,
    limits: &Limits,
) -> Result<()> {
    use futures_util::StreamExt;
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
            budget.bytes(size_of(digest)?)?;
        }
        let placed = futures_util::stream::iter(&message.files)
            .map(|file| {
                let path = dir.join(&file.name);
                async move {
                    let digest = file.digest.as_ref().context("a file without a digest")?;
                    let source = blobs.get(server, digest).await?;
                    place(&source, &path, file.is_executable)
                }
            })
            .buffer_unordered(FETCHES)
            .collect::<Vec<Result<()>>>()
            .await;
        placed.into_iter().collect::<Result<()>>()?;
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

/// Copies `source` to a new file at `path` (never through a link, never over
/// something already there).
fn place(source: &Path, path: &Path, executable: bool) -> Result<()> {
    let mode = if executable { 0o755 } else { 0o644 };
    let mut to = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(path)
            .with_context(|| format!("creating {}", path.display()))?
    };
    let mut from =
        std::fs::File::open(source).with_context(|| format!("reading {}", source.display()))?;
    std::io::copy(&mut from, &mut to).with_context(|| format!("writing {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
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
