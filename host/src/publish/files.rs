//! The release's files as one OCI artifact, as `oras push` makes one, so that
//! `oras pull REGISTRY/REPOSITORY:TAG` gives back `dist/` as the build left it: an
//! empty config, one `application/octet-stream` layer per file named by its path in
//! `dist/` (the `org.opencontainers.image.title` annotation, which `oras pull` writes
//! the file to), `artifacts.json` among them so `xhost verify` checks the pulled copy.
//! Sorted by path and dated by the commit, so the same release is the same digest.
//! Container image layouts are left out: they are pushed as images.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::layout::{Blob, Layout, MANIFEST};

/// What `oras` and registries show as the artifact's kind.
pub const ARTIFACT_TYPE: &str = "application/vnd.xhost.release.v1";
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const TITLE: &str = "org.opencontainers.image.title";

/// The files of the release in `dist` (as `artifacts.json` lists them), ready to push
/// under `tag`.
pub fn layout(dist: &Path, tag: &str) -> Result<Layout> {
    let listing = dist.join("artifacts.json");
    let text = std::fs::read(&listing).with_context(|| format!("reading {}", listing.display()))?;
    let manifest: Value = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not JSON", listing.display()))?;
    let mut files = BTreeMap::new();
    files.insert(
        "artifacts.json".to_string(),
        (crate::digest::sha256_hex(&text), text.len() as u64),
    );
    for artifact in manifest["artifacts"].as_array().into_iter().flatten() {
        let (Some(path), Some(sha256), Some(size)) = (
            artifact["path"].as_str(),
            artifact["sha256"].as_str(),
            artifact["size"].as_u64(),
        ) else {
            bail!(
                "{}: an artifact without a path, sha256 or size",
                listing.display()
            );
        };
        let top = path.split('/').next().unwrap_or(path);
        if dist.join(top).join("oci-layout").is_file() {
            continue;
        }
        files.insert(path.to_string(), (sha256.to_string(), size));
    }

    let mut layout = Layout::empty(dist);
    let mut layers = Vec::new();
    for (path, (sha256, size)) in &files {
        let digest = format!("sha256:{sha256}");
        layers.push(json!({
            "mediaType": "application/octet-stream",
            "digest": digest,
            "size": size,
            "annotations": { TITLE: path },
        }));
        if !layout.blobs.iter().any(|(d, _)| *d == digest) {
            layout.blobs.push((digest, Blob::File(dist.join(path))));
        }
    }
    let empty = b"{}".to_vec();
    let empty_digest = format!("sha256:{}", crate::digest::sha256_hex(&empty));
    layout
        .blobs
        .push((empty_digest.clone(), Blob::Bytes(empty)));
    let project = &manifest["project"];
    let mut annotations = BTreeMap::new();
    for (key, value) in [
        ("org.opencontainers.image.version", &project["version"]),
        ("org.opencontainers.image.revision", &project["commit"]),
    ] {
        if let Some(value) = value.as_str() {
            annotations.insert(key, value.to_string());
        }
    }
    if let Some(created) = project["source_date_epoch"]
        .as_i64()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
    {
        annotations.insert("org.opencontainers.image.created", created);
    }
    let document = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": { "mediaType": EMPTY, "digest": empty_digest, "size": 2, "data": "e30=" },
        "layers": layers,
        "annotations": annotations,
    });
    // serde_json's maps keep keys sorted: the same release, the same bytes.
    let bytes = serde_json::to_vec(&document).context("writing the artifact's manifest")?;
    let digest = format!("sha256:{}", crate::digest::sha256_hex(&bytes));
    layout
        .manifests
        .push((digest.clone(), MANIFEST.into(), bytes));
    layout.tags.push((tag.to_string(), digest, MANIFEST.into()));
    Ok(layout)
}
