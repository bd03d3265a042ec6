//! A base image from an OCI image layout the project holds (what `skopeo copy` or
//! `docker buildx --output type=oci` writes), read for one platform and checked before
//! any of it is used: every blob against its digest, every layer against its
//! `diff_id`, documents bounded in size, and no layer entry that could write outside
//! the container's root when unpacked (`..`, links climbing out).

use std::io::Read;

use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest, MediaType};

use super::{Error, Platform, error, sha256_hex};

/// Manifests, indexes and configs are small; anything larger is refused unread.
const MAX_DOCUMENT: usize = 4 << 20;

/// Reads files of the base image's layout, by path inside it (`index.json`,
/// `blobs/sha256/…`).
pub trait BaseSource {
    fn read(&self, path: &str, limit: Option<usize>) -> Result<Vec<u8>, Error>;
}

/// A base image's config and layers, checked.
#[derive(Debug, Clone)]
pub struct Base {
    pub config: ImageConfiguration,
    pub layers: Vec<BaseLayer>,
}

#[derive(Debug, Clone)]
pub struct BaseLayer {
    pub media_type: MediaType,
    pub digest: String,
    pub diff_id: String,
    pub bytes: Vec<u8>,
}

impl Base {
    /// The image for `platform` in the layout `source` (named `shown` in errors),
    /// under `tag` when given, else the layout's only image or index.
    pub fn from_layout(
        source: &dyn BaseSource,
        shown: &str,
        tag: Option<&str>,
        platform: &Platform,
    ) -> Result<Base, Error> {
        let at = |what: String| error(format!("base image {shown}: {what}"));
        let top: ImageIndex = document(source, "index.json").map_err(|e| at(e.0))?;
        let chosen: Vec<_> = top
            .manifests()
            .iter()
            .filter(|d| match tag {
                Some(tag) => d
                    .annotations()
                    .as_ref()
                    .and_then(|a| a.get(super::REF_NAME))
                    .is_some_and(|name| name == tag),
                None => true,
            })
            .collect();
        let entry = match chosen.as_slice() {
            [one] => *one,
            [] => {
                return Err(at(format!(
                    "index.json names no image {}",
                    tag.map_or(String::new(), |t| format!("tagged `{t}`"))
                )));
            }
            _ => {
                return Err(at(
                    "index.json names several images: say which with `base = \"oci:DIR:TAG\"`"
                        .into(),
                ));
            }
        };
        let manifest_digest = match entry.media_type() {
            MediaType::ImageIndex => {
                let index: ImageIndex = document(source, &blob_path(entry.digest().as_ref())?)
                    .and_then(|i| verified(source, entry.digest().as_ref(), i))
                    .map_err(|e| at(e.0))?;
                let found = index
                    .manifests()
                    .iter()
                    .find(|m| {
                        m.platform().as_ref().is_some_and(|p| {
                            p.os().to_string() == platform.os
                                && p.architecture().to_string() == platform.architecture
                                && (platform.variant.is_none()
                                    || p.variant().as_deref() == platform.variant.as_deref())
                        })
                    })
                    .ok_or_else(|| at(format!("it has no image for {platform}")))?;
                found.digest().to_string()
            }
            MediaType::ImageManifest => entry.digest().to_string(),
            other => {
                return Err(at(format!(
                    "index.json names a {other}, not an image or an image index"
                )));
            }
        };
        let manifest: ImageManifest = document(source, &blob_path(&manifest_digest)?)
            .and_then(|m| verified(source, &manifest_digest, m))
            .map_err(|e| at(e.0))?;
        let config_digest = manifest.config().digest().to_string();
        let config: ImageConfiguration = document(source, &blob_path(&config_digest)?)
            .and_then(|c| verified(source, &config_digest, c))
            .map_err(|e| at(e.0))?;
        let diff_ids = config.rootfs().diff_ids();
        if diff_ids.len() != manifest.layers().len() {
            return Err(at(format!(
                "its manifest has {} layers but its config {} diff_ids",
                manifest.layers().len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        for (descriptor, diff_id) in manifest.layers().iter().zip(diff_ids) {
            let digest = descriptor.digest().to_string();
            let bytes = source
                .read(&blob_path(&digest)?, None)
                .map_err(|e| at(e.0))?;
            check_digest(&digest, &bytes).map_err(|e| at(e.0))?;
            let tar = uncompressed(descriptor.media_type(), &bytes)
                .map_err(|e| at(format!("layer {digest}: {}", e.0)))?;
            check_digest(diff_id, &tar)
                .map_err(|e| at(format!("layer {digest}'s diff_id: {}", e.0)))?;
            check_entries(&tar).map_err(|e| at(format!("layer {digest}: {}", e.0)))?;
            layers.push(BaseLayer {
                media_type: descriptor.media_type().clone(),
                digest,
                diff_id: diff_id.clone(),
                bytes,
            });
        }
        Ok(Base { config, layers })
    }

    /// The image in a docker-archive tarball (`docker save`'s format, old or new
    /// layout: `manifest.json` names the config and the layers by path), `shown` in
    /// errors. A tarball holding several images is refused: save the one to build on.
    pub fn from_docker_archive(tarball: &[u8], shown: &str) -> Result<Base, Error> {
        let at = |what: String| error(format!("base image {shown}: {what}"));
        let mut files = std::collections::BTreeMap::new();
        let mut archive = tar::Archive::new(tarball);
        for entry in archive
            .entries()
            .map_err(|e| at(format!("not a tar archive: {e}")))?
        {
            let mut entry = entry.map_err(|e| at(format!("a damaged tar entry: {e}")))?;
            if entry.header().entry_type() != tar::EntryType::Regular {
                continue;
            }
            let path = String::from_utf8_lossy(&entry.path_bytes())
                .trim_start_matches("./")
                .to_string();
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| at(format!("{path}: {e}")))?;
            files.insert(path, bytes);
        }
        let file = |path: &str, limit: Option<usize>| -> Result<&Vec<u8>, Error> {
            let bytes = files
                .get(path)
                .ok_or_else(|| at(format!("it has no {path}")))?;
            if limit.is_some_and(|l| bytes.len() > l) {
                return Err(at(format!("{path} is larger than {MAX_DOCUMENT} bytes")));
            }
            Ok(bytes)
        };
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Saved {
            config: String,
            layers: Vec<String>,
        }
        let saved: Vec<Saved> = serde_json::from_slice(file("manifest.json", Some(MAX_DOCUMENT))?)
            .map_err(|e| at(format!("manifest.json is not docker's: {e}")))?;
        let saved = match saved.as_slice() {
            [one] => one,
            [] => return Err(at("manifest.json names no image".into())),
            _ => {
                return Err(at(
                    "it holds several images: `docker save` only the one to build on".into(),
                ));
            }
        };
        let config: ImageConfiguration =
            serde_json::from_slice(file(&saved.config, Some(MAX_DOCUMENT))?)
                .map_err(|e| at(format!("{} is not an image config: {e}", saved.config)))?;
        let diff_ids = config.rootfs().diff_ids();
        if diff_ids.len() != saved.layers.len() {
            return Err(at(format!(
                "manifest.json lists {} layers but the config {} diff_ids",
                saved.layers.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        for (path, diff_id) in saved.layers.iter().zip(diff_ids) {
            let bytes = file(path, None)?.clone();
            let gzipped = bytes.starts_with(&[0x1f, 0x8b]);
            let media_type = if gzipped {
                MediaType::ImageLayerGzip
            } else {
                MediaType::ImageLayer
            };
            let tar = uncompressed(&media_type, &bytes)
                .map_err(|e| at(format!("layer {path}: {}", e.0)))?;
            check_digest(diff_id, &tar)
                .map_err(|e| at(format!("layer {path}'s diff_id: {}", e.0)))?;
            check_entries(&tar).map_err(|e| at(format!("layer {path}: {}", e.0)))?;
            layers.push(BaseLayer {
                media_type,
                digest: format!("sha256:{}", sha256_hex(&bytes)),
                diff_id: diff_id.clone(),
                bytes,
            });
        }
        Ok(Base { config, layers })
    }

    /// Refuses a base made for another platform than the image built on it.
    pub fn check_platform(&self, platform: &Platform) -> Result<(), Error> {
        let (os, arch) = (
            self.config.os().to_string(),
            self.config.architecture().to_string(),
        );
        if os != platform.os || arch != platform.architecture {
            return Err(error(format!(
                "the base image is for {os}/{arch}, not {platform}"
            )));
        }
        Ok(())
    }
}

fn blob_path(digest: &str) -> Result<String, Error> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
        .ok_or_else(|| error(format!("digest `{digest}` is not a sha256 digest")))?;
    Ok(format!("blobs/sha256/{hex}"))
}

fn document<T: serde::de::DeserializeOwned>(
    source: &dyn BaseSource,
    path: &str,
) -> Result<T, Error> {
    let bytes = source.read(path, Some(MAX_DOCUMENT))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| error(format!("{path} is not a valid OCI document: {e}")))
}

/// `parsed`, once the blob it came from is checked against `digest`.
fn verified<T>(source: &dyn BaseSource, digest: &str, parsed: T) -> Result<T, Error> {
    let bytes = source.read(&blob_path(digest)?, Some(MAX_DOCUMENT))?;
    check_digest(digest, &bytes)?;
    Ok(parsed)
}

fn check_digest(digest: &str, bytes: &[u8]) -> Result<(), Error> {
    let actual = format!("sha256:{}", sha256_hex(bytes));
    if actual != digest {
        return Err(error(format!(
            "blob {digest} holds content of digest {actual}"
        )));
    }
    Ok(())
}

fn uncompressed(media_type: &MediaType, bytes: &[u8]) -> Result<Vec<u8>, Error> {
    match media_type {
        MediaType::ImageLayer => Ok(bytes.to_vec()),
        MediaType::ImageLayerGzip | MediaType::Other(_) if bytes.starts_with(&[0x1f, 0x8b]) => {
            let mut tar = Vec::new();
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut tar)
                .map_err(|e| error(format!("cannot decompress it: {e}")))?;
            Ok(tar)
        }
        other => Err(error(format!(
            "layers of type {other} are not supported (use tar or tar+gzip)"
        ))),
    }
}

/// The files `wanted` picks (by path relative to the root) as an image's layers leave
/// them, each layer (its media type, its bytes) applied over the ones before: later
/// content replaces earlier, and a whiteout (`.wh.<name>`, or `.wh..wh..opq` for a
/// whole directory) removes what the layers below had.
pub fn layer_files(
    layers: &[(String, Vec<u8>)],
    wanted: impl Fn(&str) -> bool,
) -> Result<std::collections::BTreeMap<String, Vec<u8>>, Error> {
    let mut files = std::collections::BTreeMap::new();
    for (media_type, bytes) in layers {
        let tar = uncompressed(&media_type.as_str().into(), bytes)?;
        each_entry(tar, |mut entry| {
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let path = raw
                .trim_start_matches("./")
                .trim_start_matches('/')
                .to_string();
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
            if name == ".wh..wh..opq" {
                let prefix = format!("{dir}/");
                files.retain(|p: &String, _| !p.starts_with(&prefix));
            } else if let Some(removed) = name.strip_prefix(".wh.") {
                let gone = if dir.is_empty() {
                    removed.to_string()
                } else {
                    format!("{dir}/{removed}")
                };
                let below = format!("{gone}/");
                files.retain(|p: &String, _| *p != gone && !p.starts_with(&below));
            } else if entry.header().entry_type().is_file() && wanted(&path) {
                let mut content = Vec::new();
                entry
                    .read_to_end(&mut content)
                    .map_err(|e| error(format!("reading {path}: {e}")))?;
                files.insert(path, content);
            }
            Ok(())
        })?;
    }
    Ok(files)
}

/// Calls `visit` with each entry of the layer `tar`. Some writers end a layer right
/// after its last file's data (umoci's `insert`), without the padding and end blocks;
/// runtimes read such layers, and so does this: the missing zeros are supplied.
fn each_entry(
    mut tar: Vec<u8>,
    mut visit: impl FnMut(tar::Entry<'_, &[u8]>) -> Result<(), Error>,
) -> Result<(), Error> {
    tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0);
    let mut archive = tar::Archive::new(tar.as_slice());
    let entries = archive
        .entries()
        .map_err(|e| error(format!("not a tar archive: {e}")))?;
    for entry in entries {
        visit(entry.map_err(|e| error(format!("a damaged tar entry: {e}")))?)?;
    }
    Ok(())
}

/// Refuses entries that would land outside the root when unpacked: `..` in a path, or a
/// link (hard or symbolic) whose target climbs above it.
pub(crate) fn check_entries(tar: &[u8]) -> Result<(), Error> {
    each_entry(tar.to_vec(), |entry| {
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if climbs(&path, "") {
            return Err(error(format!(
                "entry `{path}` reaches outside the image's root"
            )));
        }
        if let Some(target) = entry.link_name_bytes() {
            let target = String::from_utf8_lossy(&target).into_owned();
            // A relative symbolic link's target starts from the link's directory; a hard
            // link's, and an absolute one's, from the root.
            let from = match entry.header().entry_type() {
                tar::EntryType::Symlink if !target.starts_with('/') => {
                    path.rsplit_once('/').map_or("", |(dir, _)| dir)
                }
                _ => "",
            };
            if climbs(&target, from) {
                return Err(error(format!(
                    "link `{path}` → `{target}` reaches outside the image's root"
                )));
            }
        }
        Ok(())
    })
}

/// Whether `path`, taken from directory `from` (both relative to the root), goes above
/// the root at some point.
fn climbs(path: &str, from: &str) -> bool {
    let mut depth: i64 = 0;
    for part in from.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}
