//! `xhost plugin publish`: a component pushed as a wasm OCI artifact, optionally with
//! a cosign signature of its manifest made with a host-held key, through the same
//! push as `xhost publish` (blobs the registry has are not sent again; every manifest
//! read back by digest before the tags; every tag read back).

use std::path::Path;

use anyhow::{Context, Result, bail};
use base64::Engine;

use super::artifact::{self, MANIFEST_MEDIA_TYPE};
use super::reference::OciRef;
use super::trust::signature_tag;
use crate::keys::{Key, Secret};
use crate::publish::layout::{Blob, Layout};
use crate::publish::registry::{Pushed, Repository};
use crate::runtime::Runtime;
use crate::runtime::plugin::Analysis;

/// What a publish did.
pub struct Published {
    /// Where it is, with its digest: what a stage pins.
    pub reference: OciRef,
    pub pushed: Pushed,
    /// The signing key's id, when signed.
    pub signed_with: Option<String>,
}

/// Pushes `file` to `to` (which names a tag and no digest), signed with `key` when
/// given.
pub fn publish(
    runtime: &Runtime,
    file: &Path,
    to: &OciRef,
    key: Option<&Key>,
) -> Result<Published> {
    let Some(tag) = &to.tag else {
        bail!("{to}: name the tag to publish under ({to}:1.0.0)");
    };
    if to.digest.is_some() {
        bail!("{to}: publishing makes the digest; leave out @sha256:…");
    }
    let label = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("reading {label}"))?;
    let analysis = Analysis::of(&label, &bytes)?;
    runtime
        .compile(&analysis.digest, &bytes)
        .with_context(|| format!("plugin {label}: not a valid WebAssembly component"))?;
    if let Some(problem) = analysis.problem(&label) {
        bail!("{problem}\n  only a plugin xhost can run is published");
    }
    let imports: Vec<String> = analysis
        .imports
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plugin.wasm".into());
    let made = artifact::make(
        &analysis.digest,
        bytes.len() as u64,
        &file_name,
        &imports,
        &analysis.exports,
    )?;
    let mut layout = Layout::empty(file.parent().unwrap_or(Path::new(".")));
    layout.blobs.push((
        format!("sha256:{}", made.config_digest),
        Blob::Bytes(made.config),
    ));
    layout
        .blobs
        .push((made.layer.digest.clone(), Blob::Bytes(bytes)));
    layout.manifests.push((
        made.digest.clone(),
        MANIFEST_MEDIA_TYPE.into(),
        made.manifest,
    ));
    layout
        .tags
        .push((tag.clone(), made.digest.clone(), MANIFEST_MEDIA_TYPE.into()));
    if let Some(key) = key {
        add_signature(&mut layout, key, &to.repository_name(), &made.digest)?;
    }
    let repository = Repository {
        registry: to.registry.clone(),
        repository: to.repository.clone(),
        plain_http: to.is_loopback(),
        ca_file: None,
    };
    let credentials = crate::publish::credentials::for_registry(&to.registry)?;
    let pushed = crate::publish::registry::push(&layout, &repository, credentials.as_ref())?;
    Ok(Published {
        reference: to.at(&made.digest),
        pushed,
        signed_with: key.map(|k| k.id.clone()),
    })
}

/// cosign's signature of `digest` (a manifest tagged `sha256-<hex>.sig`), added to
/// what is pushed.
fn add_signature(layout: &mut Layout, key: &Key, identity: &str, digest: &str) -> Result<()> {
    if !matches!(key.secret, Secret::EcdsaP256(_)) {
        bail!(
            "signing key `{}` is {}: plugin signatures are cosign's, made with an ECDSA P-256 key (`cosign generate-key-pair`, or `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`)",
            key.id,
            key.algorithm_name()
        );
    }
    let payload = xhost_oci_image::cosign::payload(identity, digest)
        .map_err(|e| anyhow::anyhow!("the signature payload: {}", e.0))?;
    let signature = key
        .sign_for_plugin(&payload)
        .map_err(|why| anyhow::anyhow!("signing {digest}: {why}"))?;
    let signature = base64::engine::general_purpose::STANDARD.encode(signature);
    let mut blobs = xhost_oci_image::Blobs::default();
    let manifest = xhost_oci_image::cosign::signature_manifest(payload, &signature, &mut blobs)
        .map_err(|e| anyhow::anyhow!("the signature manifest: {}", e.0))?;
    let manifest_digest = manifest.digest().to_string();
    for (hex, bytes) in blobs.iter() {
        let blob_digest = format!("sha256:{hex}");
        if blob_digest == manifest_digest {
            layout
                .manifests
                .push((blob_digest, MANIFEST_MEDIA_TYPE.into(), bytes.clone()));
        } else {
            layout.blobs.push((blob_digest, Blob::Bytes(bytes.clone())));
        }
    }
    layout.tags.push((
        signature_tag(digest),
        manifest_digest,
        MANIFEST_MEDIA_TYPE.into(),
    ));
    Ok(())
}
