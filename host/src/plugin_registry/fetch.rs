//! A plugin taken by digest: fetched once from its registry into the cache, and from
//! the cache afterwards (offline). Nothing fetched is trusted before it is checked: the
//! manifest against the pinned digest, its shape against the wasm artifact layout, the
//! component against the manifest's layer digest and size. The cached copy is checked
//! the same way each time it is used, so a changed cache file is found, not run.
//!
//! ```text
//! <cache>/plugins/sha256-<manifest hex>/
//!   manifest.json     the manifest, as the registry served it (its sha256 is the pin)
//!   config.json       the wasm config it names
//!   component.wasm    the component (its sha256 is the manifest's layer digest)
//!   signatures.json   cosign signatures found for it, when a stage names `trust`
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;

use super::artifact::{self, Descriptor, MAX_SMALL_BLOB};
use super::reference::OciRef;
use super::registry::Session;

/// A verified component and where its files are kept.
pub struct Fetched {
    pub component: Vec<u8>,
    pub dir: PathBuf,
    /// The manifest's layer: the component's digest and size.
    pub layer: Descriptor,
    pub config: serde_json::Value,
    /// The `trust` key that signed it, when keys were named.
    pub signed_by: Option<String>,
}

/// The component `reference` (which carries a digest) names, from the cache under
/// `plugins` when it is there and intact, else from the registry.
pub fn component(plugins: &Path, reference: &OciRef) -> Result<Fetched> {
    let digest = reference
        .digest
        .as_deref()
        .with_context(|| format!("{reference}: a plugin is taken by digest: add @sha256:…"))?;
    let dir = plugins.join(digest.replace(':', "-"));
    if dir.exists() {
        match read_cached(&dir, reference, digest) {
            Ok(fetched) => return Ok(fetched),
            // The cache is the host's own: a copy that fails its check is dropped and
            // fetched again, never used.
            Err(_) => std::fs::remove_dir_all(&dir)
                .with_context(|| format!("removing the damaged copy in {}", dir.display()))?,
        }
    }
    let staging = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(plugins_dir(plugins)?)
        .with_context(|| format!("making a directory under {}", plugins.display()))?;
    let session = Session::open(reference)?;
    session.block_on(fetch_into(&session, reference, digest, staging.path()))?;
    match std::fs::rename(staging.path(), &dir) {
        Ok(()) => {}
        // Another build fetched it meanwhile: theirs is as good, checked below.
        Err(_) if dir.join("component.wasm").is_file() => {}
        Err(e) => {
            return Err(e).with_context(|| format!("keeping {} in {}", reference, dir.display()));
        }
    }
    read_cached(&dir, reference, digest)
}

fn plugins_dir(plugins: &Path) -> Result<&Path> {
    std::fs::create_dir_all(plugins).with_context(|| format!("creating {}", plugins.display()))?;
    Ok(plugins)
}

/// The manifest, config and component, each checked against its digest.
async fn fetch_into(
    session: &Session,
    reference: &OciRef,
    digest: &str,
    into: &Path,
) -> Result<()> {
    let manifest = session.manifest(digest).await?;
    let got = format!("sha256:{}", crate::digest::sha256_hex(&manifest));
    if got != digest {
        bail!(
            "{reference}: the registry served a manifest whose digest is {got}, not the pinned {digest}; nothing from it was used"
        );
    }
    let (config, layer) = artifact::component_layer(&manifest, &reference.to_string())?;
    let config_bytes = session.small_blob(&config).await?;
    let component = into.join("component.wasm");
    session.blob_to_file(&layer, &component).await?;
    std::fs::write(into.join("config.json"), config_bytes)?;
    // Last: a directory with a manifest is complete.
    std::fs::write(into.join("manifest.json"), manifest)?;
    Ok(())
}

/// The cached copy, if every file in it still matches the pinned digest.
fn read_cached(dir: &Path, reference: &OciRef, digest: &str) -> Result<Fetched> {
    let shown = reference.to_string();
    let manifest = std::fs::read(dir.join("manifest.json"))
        .with_context(|| format!("{shown}: reading the cached manifest in {}", dir.display()))?;
    let got = format!("sha256:{}", crate::digest::sha256_hex(&manifest));
    if got != digest {
        bail!(
            "{shown}: the cached manifest in {} is not {digest}",
            dir.display()
        );
    }
    let (config, layer) = artifact::component_layer(&manifest, &shown)?;
    let component = std::fs::read(dir.join("component.wasm"))
        .with_context(|| format!("{shown}: reading {}", dir.display()))?;
    if component.len() as u64 != layer.size || crate::digest::sha256_hex(&component) != layer.hex()
    {
        bail!(
            "{shown}: the cached component in {} is not {}",
            dir.display(),
            layer.digest
        );
    }
    let config_bytes = std::fs::read(dir.join("config.json"))?;
    if crate::digest::sha256_hex(&config_bytes) != config.hex() {
        bail!(
            "{shown}: the cached config in {} is not {}",
            dir.display(),
            config.digest
        );
    }
    let config = serde_json::from_slice(&config_bytes).unwrap_or(serde_json::Value::Null);
    Ok(Fetched {
        component,
        dir: dir.to_path_buf(),
        layer,
        config,
        signed_by: None,
    })
}

impl Session {
    /// A blob of at most [`MAX_SMALL_BLOB`] bytes, checked against its descriptor.
    pub async fn small_blob(&self, descriptor: &Descriptor) -> Result<Vec<u8>> {
        if descriptor.size > MAX_SMALL_BLOB {
            bail!(
                "{}: blob {} is {} bytes, more than {} KiB",
                self.shown,
                descriptor.digest,
                descriptor.size,
                MAX_SMALL_BLOB >> 10
            );
        }
        let mut bytes = Vec::new();
        self.stream_blob(descriptor, |chunk| {
            bytes.extend_from_slice(chunk);
            Ok(())
        })
        .await?;
        Ok(bytes)
    }

    /// A blob streamed to `file`, checked against its descriptor as it arrives: more
    /// bytes than it declares stop the transfer.
    pub async fn blob_to_file(&self, descriptor: &Descriptor, file: &Path) -> Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(file).with_context(|| format!("creating {}", file.display()))?,
        );
        self.stream_blob(descriptor, |chunk| out.write_all(chunk).map_err(Into::into))
            .await?;
        out.flush()?;
        Ok(())
    }

    async fn stream_blob(
        &self,
        descriptor: &Descriptor,
        mut sink: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        use sha2::Digest;
        let wanted = oci_client::manifest::OciDescriptor {
            media_type: descriptor.media_type.clone(),
            digest: descriptor.digest.clone(),
            size: i64::try_from(descriptor.size).unwrap_or(i64::MAX),
            ..Default::default()
        };
        let mut stream = self
            .client
            .pull_blob_stream(&self.image(&descriptor.digest)?, &wanted)
            .await
            .map_err(|e| self.explain(e))?
            .stream;
        let mut hasher = sha2::Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                anyhow!(
                    "{}: blob {}: {e} (a blob whose bytes do not match its digest is refused)",
                    self.shown,
                    descriptor.digest
                )
            })?;
            size += chunk.len() as u64;
            if size > descriptor.size {
                bail!(
                    "{}: blob {} is longer than the {} bytes its manifest says; refused",
                    self.shown,
                    descriptor.digest,
                    descriptor.size
                );
            }
            hasher.update(&chunk);
            sink(&chunk)?;
        }
        let got = crate::digest::hex(&hasher.finalize());
        if size != descriptor.size || got != descriptor.hex() {
            bail!(
                "{}: the registry served {size} bytes with digest sha256:{got} for blob {} ({} bytes); refused",
                self.shown,
                descriptor.digest,
                descriptor.size
            );
        }
        Ok(())
    }
}
