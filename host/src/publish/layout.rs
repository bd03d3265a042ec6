//! An OCI image layout in `dist/` as a list of what to push, in the order that never
//! leaves a tag naming something missing: every blob (configs, layers), then the image
//! manifests, then the indexes over them, and last the tags. Each blob is checked
//! against its digest as it is read.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::digest::sha256_hex;

pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// A blob's content: a file, or (small, made at publish time) bytes.
pub enum Blob {
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// What one layout holds, ready to push.
pub struct Layout {
    pub dir: PathBuf,
    /// Configs and layers: digest, content.
    pub blobs: Vec<(String, Blob)>,
    /// Image manifests, then indexes: digest, media type, bytes.
    pub manifests: Vec<(String, String, Vec<u8>)>,
    /// Each tag with the digest and media type it names.
    pub tags: Vec<(String, String, String)>,
}

impl Layout {
    /// Nothing yet, for what is read from `dir`.
    pub fn empty(dir: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
            blobs: Vec::new(),
            manifests: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// The layout at `dir` (named in errors as it is shown).
    pub fn read(dir: &Path) -> Result<Layout> {
        let top: Value = serde_json::from_slice(
            &std::fs::read(dir.join("index.json"))
                .with_context(|| format!("reading {}/index.json", dir.display()))?,
        )
        .with_context(|| format!("{}/index.json is not JSON", dir.display()))?;
        let mut layout = Layout::empty(dir);
        for entry in top["manifests"].as_array().into_iter().flatten() {
            let (digest, media_type) = descriptor(entry, dir)?;
            let tag = entry["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .with_context(|| {
                    format!(
                        "{}/index.json: an entry without a tag (org.opencontainers.image.ref.name)",
                        dir.display()
                    )
                })?;
            layout.walk(&digest, &media_type)?;
            layout.tags.push((tag.to_string(), digest, media_type));
        }
        if layout.tags.is_empty() {
            bail!("{}/index.json names no image", dir.display());
        }
        Ok(layout)
    }

    fn walk(&mut self, digest: &str, media_type: &str) -> Result<()> {
        if self.manifests.iter().any(|(d, _, _)| d == digest) {
            return Ok(());
        }
        let bytes = self.blob(digest)?;
        let document: Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: blob {digest} is not JSON", self.dir.display()))?;
        match media_type {
            INDEX => {
                for manifest in document["manifests"].as_array().into_iter().flatten() {
                    let (digest, media_type) = descriptor(manifest, &self.dir)?;
                    self.walk(&digest, &media_type)?;
                }
            }
            MANIFEST => {
                let parts = std::iter::once(&document["config"])
                    .chain(document["layers"].as_array().into_iter().flatten());
                for part in parts {
                    let (digest, _) = descriptor(part, &self.dir)?;
                    if !self.blobs.iter().any(|(d, _)| *d == digest) {
                        self.blob(&digest)?;
                        self.blobs
                            .push((digest.clone(), Blob::File(self.path(&digest)?)));
                    }
                }
            }
            other => bail!(
                "{}: {digest} is a {other}, which xhost does not publish",
                self.dir.display()
            ),
        }
        self.manifests
            .push((digest.to_string(), media_type.to_string(), bytes));
        Ok(())
    }

    fn path(&self, digest: &str) -> Result<PathBuf> {
        let hex = digest
            .strip_prefix("sha256:")
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .with_context(|| {
                format!("{}: `{digest}` is not a sha256 digest", self.dir.display())
            })?;
        Ok(self.dir.join("blobs/sha256").join(hex))
    }

    /// The blob's bytes, checked against its digest.
    fn blob(&self, digest: &str) -> Result<Vec<u8>> {
        let path = self.path(digest)?;
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if format!("sha256:{}", sha256_hex(&bytes)) != digest {
            bail!(
                "{} does not hold the content its name says: the layout is damaged; build again",
                path.display()
            );
        }
        Ok(bytes)
    }
}

fn descriptor(value: &Value, dir: &Path) -> Result<(String, String)> {
    let digest = value["digest"].as_str();
    let media_type = value["mediaType"].as_str();
    match (digest, media_type) {
        (Some(d), Some(m)) => Ok((d.to_string(), m.to_string())),
        _ => bail!(
            "{}: a descriptor without a digest or media type: {value}",
            dir.display()
        ),
    }
}

/// The image layouts in `dist` (directories holding an `oci-layout` file), sorted.
pub fn find(dist: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        if path.join("oci-layout").is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}
