//! `builtin:image-sign`: cosign signatures of the images `builtin:oci-image` made,
//! with a host-held P-256 key: the image index under each tag and every platform's
//! manifest, each as cosign stores it (a `sha256-<digest>.sig` tag in the layout), so
//! that once `xhost publish` has pushed the layout, `cosign verify --key` accepts the
//! image. Each platform's SBOMs (what `builtin:sbom` made for that target's binary,
//! with the operating system packages a base image's package databases list) go
//! with its manifest as signed in-toto attestations (`sha256-<digest>.att`, one DSSE
//! envelope per SBOM: SPDX as `https://spdx.dev/Document`, CycloneDX as
//! `https://cyclonedx.org/bom`), which `cosign verify-attestation --key --type spdxjson`
//! accepts. `identity` is the repository the images are published to, which the
//! signatures and attestations name. List it after `builtin:oci-image` and
//! `builtin:sbom`, and before `builtin:checksum`.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Deserialize;
use xhost_oci_image::{Blobs, cosign};
use xhost_plugin_sdk::files::{read, write};
use xhost_plugin_sdk::signing::{self, Algorithm};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};
use xhost_sbom::os_packages::{self, OsPackage};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The signing key's id (from the stage's `grants.signing`); a P-256 key.
    key: Option<String>,
    /// `REGISTRY/REPOSITORY` the images are published to (what `cosign verify` is given).
    identity: Option<String>,
    /// Attest each platform's SBOMs with its manifest (default: true).
    sbom: Option<bool>,
}

struct ImageSign;

impl Stage for ImageSign {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "image-sign",
            env!("CARGO_PKG_VERSION"),
            "Signs the release's container images as cosign does, with a host-held P-256 key",
        )
        .consuming([ArtifactKind::Other, ArtifactKind::Sbom])
        .signing_with(1)
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let key = config.key.ok_or_else(|| {
            StageError::invalid_config(
                "key: name the signing key (one of the stage's grants.signing)",
            )
        })?;
        let identity = config.identity.filter(|i| i.contains('/')).ok_or_else(|| {
            StageError::invalid_config(
                "identity: the REGISTRY/REPOSITORY the images are published to (as in [[publish]]), which the signatures name",
            )
        })?;
        if signing::public_key(&key)?.algorithm != Algorithm::EcdsaP256Sha256 {
            return Err(StageError::unsupported(format!(
                "key `{key}` is not a P-256 key: cosign's image signatures are ECDSA P-256"
            )));
        }
        let mut layouts: BTreeMap<String, ()> = BTreeMap::new();
        for input in &job.inputs {
            if let Some((_, dir)) = input.meta.iter().find(|(k, _)| k == "oci-layout") {
                layouts.insert(dir.clone(), ());
            }
        }
        if layouts.is_empty() {
            return Err(StageError::unsupported(
                "no container image to sign: list the stage after a builtin:oci-image stage",
            ));
        }
        let sboms: Vec<&Artifact> = if config.sbom.unwrap_or(true) {
            job.inputs
                .iter()
                .filter(|i| i.kind == ArtifactKind::Sbom && i.target.is_some())
                .collect()
        } else {
            Vec::new()
        };
        let mut outputs = Vec::new();
        for dir in layouts.keys() {
            outputs.extend(sign_layout(dir, &key, &identity, &sboms)?);
        }
        Ok(outputs)
    }
}

/// Signs the index under each tag of the layout in `dir`, and its manifests; attests
/// each platform manifest's `sboms`.
fn sign_layout(
    dir: &str,
    key: &str,
    identity: &str,
    sboms: &[&Artifact],
) -> Result<Vec<Artifact>, StageError> {
    let index_json = read(format!("/in/{dir}/index.json"))?;
    let top: serde_json::Value = serde_json::from_slice(&index_json)
        .map_err(|e| StageError::failed(format!("{dir}/index.json: {e}")))?;
    let mut digests = Vec::new();
    let mut platforms = Vec::new();
    for entry in top["manifests"].as_array().into_iter().flatten() {
        let tag = entry["annotations"]["org.opencontainers.image.ref.name"]
            .as_str()
            .unwrap_or("");
        let Some(digest) = entry["digest"].as_str() else {
            continue;
        };
        if tag.ends_with(".sig") || tag.ends_with(".att") || digests.iter().any(|d| d == digest) {
            continue;
        }
        digests.push(digest.to_string());
        if entry["mediaType"] == "application/vnd.oci.image.index.v1+json" {
            let blob = read(format!(
                "/in/{dir}/blobs/sha256/{}",
                &digest["sha256:".len()..]
            ))?;
            let index: serde_json::Value = serde_json::from_slice(&blob)
                .map_err(|e| StageError::failed(format!("{dir}: index {digest}: {e}")))?;
            for manifest in index["manifests"].as_array().into_iter().flatten() {
                if let Some(d) = manifest["digest"].as_str() {
                    digests.push(d.to_string());
                    platforms.push((d.to_string(), manifest["platform"].clone()));
                }
            }
        }
    }
    let mut blobs = Blobs::default();
    let mut tagged = Vec::new();
    for digest in &digests {
        let payload = cosign::payload(identity, digest).map_err(|e| StageError::failed(e.0))?;
        let signature =
            base64::engine::general_purpose::STANDARD.encode(signing::sign(key, &payload)?);
        let manifest = cosign::signature_manifest(payload, &signature, &mut blobs)
            .map_err(|e| StageError::failed(e.0))?;
        tagged.push((cosign::tag(digest), manifest));
    }
    let mut attested = 0;
    for (digest, platform) in &platforms {
        let envelopes = attest_sboms(dir, digest, platform, identity, key, sboms)?;
        if envelopes.is_empty() {
            continue;
        }
        attested += envelopes.len();
        let manifest = cosign::attestation_manifest(envelopes, &mut blobs)
            .map_err(|e| StageError::failed(e.0))?;
        tagged.push((cosign::attestation_tag(digest), manifest));
    }
    info!(
        "{dir}: signed {} manifests and attested {attested} SBOMs for {identity}",
        digests.len()
    );
    let updated = cosign::with_tags(&index_json, &tagged).map_err(|e| StageError::failed(e.0))?;
    let mut outputs = Vec::new();
    let mut put = |rel: String, bytes: &[u8]| -> Result<(), StageError> {
        let path = format!("/out/{rel}");
        if let Some((parent, _)) = path.rsplit_once('/') {
            std::fs::create_dir_all(parent)
                .map_err(|e| StageError::failed(format!("creating {parent}: {e}")))?;
        }
        write(&path, bytes)?;
        outputs.push(
            Artifact::output(&rel, ArtifactKind::Other, None)
                .with_meta("oci-layout", dir.to_string()),
        );
        Ok(())
    };
    put(format!("{dir}/index.json"), &updated)?;
    for (hex, bytes) in blobs.iter() {
        put(format!("{dir}/blobs/sha256/{hex}"), bytes)?;
    }
    Ok(outputs)
}

/// The signed DSSE envelopes (with their predicate types) of the SBOMs made for the
/// platform of the manifest `digest` in the layout `dir`, each an in-toto statement
/// about that manifest in `identity`, with the operating system packages the image's
/// layers hold (a base image's) added.
fn attest_sboms(
    dir: &str,
    digest: &str,
    platform: &serde_json::Value,
    identity: &str,
    key: &str,
    sboms: &[&Artifact],
) -> Result<Vec<(Vec<u8>, String)>, StageError> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut envelopes = Vec::new();
    let mut packages = None;
    for sbom in sboms {
        let Some(target) = &sbom.target else {
            continue;
        };
        let same_platform = platform["os"] == target.os.as_str()
            && platform["architecture"] == target.arch.as_str()
            && platform["variant"].as_str() == target.variant.as_deref();
        if !same_platform {
            continue;
        }
        let predicate_type = if sbom.path.ends_with(".spdx.json") {
            SPDX
        } else if sbom.path.ends_with(".cdx.json") {
            CYCLONEDX
        } else {
            continue;
        };
        let mut document: serde_json::Value = serde_json::from_slice(&read(&sbom.path)?)
            .map_err(|e| StageError::failed(format!("{}: not JSON: {e}", sbom.path)))?;
        if packages.is_none() {
            packages = Some(image_packages(dir, digest)?);
        }
        let packages = packages.as_deref().unwrap_or_default();
        if predicate_type == SPDX {
            os_packages::add_to_spdx(&mut document, packages);
        } else {
            os_packages::add_to_cyclonedx(&mut document, packages);
        }
        let statement = serde_json::to_vec(&serde_json::json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": predicate_type,
            "subject": [{
                "name": identity,
                "digest": { "sha256": digest.trim_start_matches("sha256:") },
            }],
            "predicate": document,
        }))
        .map_err(|e| StageError::failed(format!("an attestation of {}: {e}", sbom.path)))?;
        let signature = signing::attest(key, &statement)?;
        let envelope = serde_json::to_vec(&serde_json::json!({
            "payloadType": signing::IN_TOTO,
            "payload": b64(&statement),
            "signatures": [{ "keyid": "", "sig": b64(&signature) }],
        }))
        .map_err(|e| StageError::failed(format!("an envelope of {}: {e}", sbom.path)))?;
        envelopes.push((envelope, predicate_type.to_string()));
    }
    Ok(envelopes)
}

const SPDX: &str = "https://spdx.dev/Document";
const CYCLONEDX: &str = "https://cyclonedx.org/bom";

/// The operating system packages the image of manifest `digest` in layout `dir`
/// holds, from the package databases its layers leave.
fn image_packages(dir: &str, digest: &str) -> Result<Vec<OsPackage>, StageError> {
    let blob = |digest: &str| {
        read(format!(
            "/in/{dir}/blobs/sha256/{}",
            &digest["sha256:".len()..]
        ))
    };
    let manifest: serde_json::Value = serde_json::from_slice(&blob(digest)?)
        .map_err(|e| StageError::failed(format!("{dir}: manifest {digest}: {e}")))?;
    let mut layers = Vec::new();
    for layer in manifest["layers"].as_array().into_iter().flatten() {
        let (Some(media_type), Some(layer_digest)) =
            (layer["mediaType"].as_str(), layer["digest"].as_str())
        else {
            continue;
        };
        layers.push((media_type.to_string(), blob(layer_digest)?));
    }
    let files = xhost_oci_image::layer_files(&layers, os_packages::wanted)
        .map_err(|e| StageError::failed(format!("{dir}: image {digest}: {}", e.0)))?;
    Ok(os_packages::read(&files))
}

xhost_plugin_sdk::export_plugin!(ImageSign);
