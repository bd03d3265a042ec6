//! Multi-platform OCI images made without a daemon, byte for byte the same on every
//! build: one image per platform (an optional base image's layers plus one layer of
//! the release's files, with its run configuration), an image index over them, and the
//! OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) that `skopeo`,
//! `umoci`, `crane` and registries read.
//!
//! Reproducible because every input is fixed: entries sorted with one owner and one
//! time, gzip without a time or host, JSON with its object keys sorted (the OCI types
//! keep annotations and labels in hash maps), times from the commit.

mod base;
mod canonical;
pub mod cosign;
mod docker_archive;

use std::collections::BTreeMap;

use oci_spec::image::{
    Arch, ConfigBuilder, Descriptor, DescriptorBuilder, HistoryBuilder, ImageConfigurationBuilder,
    ImageIndexBuilder, ImageManifestBuilder, MediaType, Os, PlatformBuilder, RootFsBuilder,
    SCHEMA_VERSION,
};
use sha2::{Digest, Sha256};
pub use xhost_archive::{Entry, Owner};

pub use base::{Base, BaseSource, layer_files};
pub use docker_archive::docker_archive;

/// Why an image could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn error(message: impl Into<String>) -> Error {
    Error(message.into())
}

/// A platform as OCI names it: `linux`, `amd64`/`arm64`/`arm`…, `v7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(variant) => write!(f, "/{variant}"),
            None => Ok(()),
        }
    }
}

/// How a container of the image runs (the image config's `config`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunConfig {
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    pub user: Option<String>,
    pub working_dir: Option<String>,
    /// `8080/tcp`, `53/udp`.
    pub exposed_ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
}

/// One platform's image: what its layer holds and how it runs.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    pub platform: Platform,
    /// The layer's files and directories, paths relative to `/`.
    pub entries: Vec<Entry>,
    pub owner: Owner,
    pub run: RunConfig,
    /// The layer's entries' modification time (seconds since 1970).
    pub mtime: u64,
    /// RFC 3339 time of the image (`created`), the commit's.
    pub created: Option<String>,
    /// Annotations of the manifest (and the index): `org.opencontainers.image.*`.
    pub annotations: BTreeMap<String, String>,
    /// What made the layer, for the config's history.
    pub created_by: String,
}

/// Content-addressed blobs by their SHA-256 (hex).
#[derive(Debug, Default, Clone)]
pub struct Blobs(BTreeMap<String, Vec<u8>>);

impl Blobs {
    /// Stores `bytes`; returns its descriptor's digest (`sha256:…`) and size.
    pub fn add(&mut self, bytes: Vec<u8>) -> (String, u64) {
        let hex = sha256_hex(&bytes);
        let size = bytes.len() as u64;
        self.0.entry(hex.clone()).or_insert(bytes);
        (format!("sha256:{hex}"), size)
    }

    /// The blob with descriptor digest `digest` (`sha256:…`).
    pub fn get(&self, digest: &str) -> Option<&[u8]> {
        self.0
            .get(digest.strip_prefix("sha256:")?)
            .map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<u8>)> {
        self.0.iter()
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An image made by [`image`]: its manifest's descriptor (with the platform) and what
/// the docker-archive form needs.
#[derive(Debug, Clone)]
pub struct Image {
    pub manifest: Descriptor,
    pub platform: Platform,
    /// The config blob's digest.
    pub config: String,
    /// The layers' digests (compressed) in order, with their uncompressed digests.
    pub layers: Vec<(String, String)>,
}

/// Makes one platform's image over `base` (none: `scratch`), adding its blobs to
/// `blobs`.
pub fn image(spec: &ImageSpec, base: Option<&Base>, blobs: &mut Blobs) -> Result<Image, Error> {
    if let Some(base) = base {
        base.check_platform(&spec.platform)?;
    }
    let tar = xhost_archive::tar(&spec.entries, spec.mtime, spec.owner)
        .map_err(|e| error(format!("making the layer for {}: {e}", spec.platform)))?;
    let diff_id = format!("sha256:{}", sha256_hex(&tar));
    let layer = xhost_archive::gzip(&tar).map_err(|e| error(e.to_string()))?;
    let (layer_digest, layer_size) = blobs.add(layer);

    let mut layers: Vec<(String, String)> = Vec::new();
    let mut layer_descriptors = Vec::new();
    if let Some(base) = base {
        for layer in &base.layers {
            blobs.add(layer.bytes.clone());
            layers.push((layer.digest.clone(), layer.diff_id.clone()));
            layer_descriptors.push(descriptor(
                layer.media_type.clone(),
                layer.bytes.len() as u64,
                &layer.digest,
            )?);
        }
    }
    layers.push((layer_digest.clone(), diff_id));
    layer_descriptors.push(descriptor(
        MediaType::ImageLayerGzip,
        layer_size,
        &layer_digest,
    )?);

    let (mut manifest, config_digest) = store_manifest(
        config(spec, base, &layers)?,
        layer_descriptors,
        Some(spec.annotations.clone().into_iter().collect()),
        blobs,
    )
    .map_err(|e| error(format!("the manifest for {}: {}", spec.platform, e.0)))?;
    let platform = PlatformBuilder::default()
        .os(Os::from(spec.platform.os.as_str()))
        .architecture(Arch::from(spec.platform.architecture.as_str()));
    let platform = match &spec.platform.variant {
        Some(variant) => platform.variant(variant.clone()),
        None => platform,
    }
    .build()
    .map_err(|e| error(format!("the platform {}: {e}", spec.platform)))?;
    manifest.set_platform(Some(platform));
    Ok(Image {
        manifest,
        platform: spec.platform.clone(),
        config: config_digest,
        layers,
    })
}

/// An image manifest over the config blob `config` and `layers` (with `annotations`),
/// stored in `blobs` with its config: its descriptor, and the config's digest.
fn store_manifest(
    config: Vec<u8>,
    layers: Vec<Descriptor>,
    annotations: Option<std::collections::HashMap<String, String>>,
    blobs: &mut Blobs,
) -> Result<(Descriptor, String), Error> {
    let (config_digest, config_size) = blobs.add(config);
    let mut manifest = ImageManifestBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageManifest)
        .config(descriptor(
            MediaType::ImageConfig,
            config_size,
            &config_digest,
        )?)
        .layers(layers);
    if let Some(annotations) = annotations {
        manifest = manifest.annotations(annotations);
    }
    let manifest = manifest.build().map_err(|e| error(e.to_string()))?;
    let (digest, size) = blobs.add(canonical::json(&manifest)?);
    Ok((
        descriptor(MediaType::ImageManifest, size, &digest)?,
        config_digest,
    ))
}

/// The image config: the base's, with the run settings given here over it, this
/// layer's `diff_id` and history entry appended.
fn config(
    spec: &ImageSpec,
    base: Option<&Base>,
    layers: &[(String, String)],
) -> Result<Vec<u8>, Error> {
    let run = &spec.run;
    let inherited = base.and_then(|b| b.config.config().clone());
    let pick = |ours: &Option<Vec<String>>, theirs: Option<&Vec<String>>| {
        ours.clone().or_else(|| theirs.cloned())
    };
    let mut env: Vec<String> = inherited
        .as_ref()
        .and_then(|c| c.env().clone())
        .unwrap_or_default();
    for variable in &run.env {
        let name = variable.split('=').next().unwrap_or(variable);
        env.retain(|e| e.split('=').next() != Some(name));
        env.push(variable.clone());
    }
    let mut labels: BTreeMap<String, String> = inherited
        .as_ref()
        .and_then(|c| c.labels().clone())
        .map(|l| l.into_iter().collect())
        .unwrap_or_default();
    labels.extend(run.labels.clone());
    let mut ports: Vec<String> = inherited
        .as_ref()
        .and_then(|c| c.exposed_ports().clone())
        .unwrap_or_default();
    ports.extend(run.exposed_ports.iter().cloned());
    ports.sort();
    ports.dedup();

    let mut built = ConfigBuilder::default();
    if let Some(entrypoint) = pick(
        &run.entrypoint,
        inherited.as_ref().and_then(|c| c.entrypoint().as_ref()),
    ) {
        built = built.entrypoint(entrypoint);
    }
    // A new entrypoint drops the base's arguments for its old one, as Docker does.
    let base_cmd = if run.entrypoint.is_some() {
        None
    } else {
        inherited.as_ref().and_then(|c| c.cmd().as_ref())
    };
    if let Some(cmd) = pick(&run.cmd, base_cmd) {
        built = built.cmd(cmd);
    }
    if !env.is_empty() {
        built = built.env(env);
    }
    if let Some(user) = run
        .user
        .clone()
        .or_else(|| inherited.as_ref().and_then(|c| c.user().clone()))
    {
        built = built.user(user);
    }
    if let Some(dir) = run
        .working_dir
        .clone()
        .or_else(|| inherited.as_ref().and_then(|c| c.working_dir().clone()))
    {
        built = built.working_dir(dir);
    }
    if !ports.is_empty() {
        built = built.exposed_ports(ports);
    }
    if !labels.is_empty() {
        built = built.labels(
            labels
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>(),
        );
    }
    let run_config = built
        .build()
        .map_err(|e| error(format!("the run config for {}: {e}", spec.platform)))?;

    let mut history = base
        .map(|b| b.config.history().clone().unwrap_or_default())
        .unwrap_or_default();
    let mut entry = HistoryBuilder::default().created_by(spec.created_by.clone());
    if let Some(created) = &spec.created {
        entry = entry.created(created.clone());
    }
    history.push(entry.build().map_err(|e| error(e.to_string()))?);
    let rootfs = RootFsBuilder::default()
        .typ("layers")
        .diff_ids(
            layers
                .iter()
                .map(|(_, diff)| diff.clone())
                .collect::<Vec<_>>(),
        )
        .build()
        .map_err(|e| error(e.to_string()))?;
    let mut image = ImageConfigurationBuilder::default()
        .os(Os::from(spec.platform.os.as_str()))
        .architecture(Arch::from(spec.platform.architecture.as_str()))
        .config(run_config)
        .rootfs(rootfs)
        .history(history);
    if let Some(variant) = &spec.platform.variant {
        image = image.variant(variant.clone());
    }
    if let Some(created) = &spec.created {
        image = image.created(created.clone());
    }
    let image = image
        .build()
        .map_err(|e| error(format!("the image config for {}: {e}", spec.platform)))?;
    canonical::json(&image)
}

/// The image index over `images`, with `annotations`; returns its descriptor.
pub fn index(
    images: &[Image],
    annotations: &BTreeMap<String, String>,
    blobs: &mut Blobs,
) -> Result<Descriptor, Error> {
    let mut platforms: Vec<String> = images.iter().map(|i| i.platform.to_string()).collect();
    platforms.sort();
    if let Some(twice) = platforms.windows(2).find(|p| p[0] == p[1]) {
        return Err(error(format!("two images for the platform {}", twice[0])));
    }
    let index = ImageIndexBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageIndex)
        .manifests(
            images
                .iter()
                .map(|i| i.manifest.clone())
                .collect::<Vec<_>>(),
        )
        .annotations(
            annotations
                .clone()
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>(),
        )
        .build()
        .map_err(|e| error(format!("the image index: {e}")))?;
    let (digest, size) = blobs.add(canonical::json(&index)?);
    descriptor(MediaType::ImageIndex, size, &digest)
}

/// An OCI image layout holding `blobs`, whose `index.json` names `index` once per tag
/// (`org.opencontainers.image.ref.name`, what `skopeo`'s `oci:DIR:TAG` looks up):
/// each file's path in the layout with its bytes.
pub fn layout(
    index: &Descriptor,
    tags: &[String],
    blobs: &Blobs,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = vec![(
        "oci-layout".to_string(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let named: Vec<Descriptor> = tags.iter().map(|tag| tagged(index, tag)).collect();
    let top = ImageIndexBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageIndex)
        .manifests(named)
        .build()
        .map_err(|e| error(format!("index.json: {e}")))?;
    files.push(("index.json".to_string(), canonical::json(&top)?));
    for (hex, bytes) in blobs.iter() {
        files.push((format!("blobs/sha256/{hex}"), bytes.clone()));
    }
    Ok(files)
}

/// The annotation naming a layout's `index.json` entry (what `oci:DIR:TAG` looks up).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// `descriptor` as an `index.json` entry named `tag`.
fn tagged(descriptor: &Descriptor, tag: &str) -> Descriptor {
    let mut named = descriptor.clone();
    named.set_annotations(Some(
        [(REF_NAME.to_string(), tag.to_string())]
            .into_iter()
            .collect(),
    ));
    named
}

/// Whether `tag` is a valid OCI tag (`[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
pub fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn descriptor(media_type: MediaType, size: u64, digest: &str) -> Result<Descriptor, Error> {
    let digest: oci_spec::image::Digest = digest
        .parse()
        .map_err(|e| error(format!("digest {digest}: {e}")))?;
    DescriptorBuilder::default()
        .media_type(media_type)
        .size(size)
        .digest(digest)
        .build()
        .map_err(|e| error(e.to_string()))
}

#[cfg(test)]
mod tests;
