//! cosign's signatures of images, kept in the layout where `cosign verify --key` finds
//! them once the layout is pushed: for a manifest or an index of digest D, a manifest
//! tagged `sha256-<hex of D>.sig` whose one layer is the simple-signing payload naming
//! D and the repository (`docker-reference`), the signature (base64 of the DER ECDSA
//! P-256 signature over the payload) in the layer's `dev.cosignproject.cosign/signature`
//! annotation, and a config listing that layer — cosign's own layout, byte for byte in
//! its JSON key order.

use oci_spec::image::{Descriptor, ImageIndex, ImageManifestBuilder, MediaType, SCHEMA_VERSION};

use super::{Blobs, Error, REF_NAME, canonical, descriptor, error};

pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
const PAYLOAD_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// The tag cosign looks for the signatures of `digest` (`sha256:…`) under.
pub fn tag(digest: &str) -> String {
    digest.replace(':', "-") + ".sig"
}

/// What is signed: the claim that `identity` (`registry/repository`) at `digest` is
/// the image.
pub fn payload(identity: &str, digest: &str) -> Result<Vec<u8>, Error> {
    canonical::json(&serde_json::json!({
        "critical": {
            "identity": { "docker-reference": identity },
            "image": { "docker-manifest-digest": digest },
            "type": "cosign container image signature",
        },
        "optional": null,
    }))
}

/// The signature manifest for `payload` signed as `signature` (base64), its blobs
/// added to `blobs`.
pub fn signature_manifest(
    payload: Vec<u8>,
    signature: &str,
    blobs: &mut Blobs,
) -> Result<Descriptor, Error> {
    let (payload_digest, payload_size) = blobs.add(payload);
    let config = canonical::json(&serde_json::json!({
        "architecture": "",
        "config": {},
        "created": "0001-01-01T00:00:00Z",
        "history": [{ "created": "0001-01-01T00:00:00Z" }],
        "os": "",
        "rootfs": { "type": "layers", "diff_ids": [payload_digest] },
    }))?;
    let (config_digest, config_size) = blobs.add(config);
    let mut layer = descriptor(
        MediaType::Other(PAYLOAD_TYPE.into()),
        payload_size,
        &payload_digest,
    )?;
    layer.set_annotations(Some(
        [(SIGNATURE_ANNOTATION.to_string(), signature.to_string())]
            .into_iter()
            .collect(),
    ));
    let manifest = ImageManifestBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageManifest)
        .config(descriptor(
            MediaType::ImageConfig,
            config_size,
            &config_digest,
        )?)
        .layers(vec![layer])
        .build()
        .map_err(|e| error(format!("a signature manifest: {e}")))?;
    let (digest, size) = blobs.add(canonical::json(&manifest)?);
    descriptor(MediaType::ImageManifest, size, &digest)
}

/// `index_json` (a layout's `index.json`) with `tagged` added, each under its tag.
pub fn with_tags(index_json: &[u8], tagged: &[(String, Descriptor)]) -> Result<Vec<u8>, Error> {
    let mut index: ImageIndex = serde_json::from_slice(index_json)
        .map_err(|e| error(format!("index.json is not an OCI index: {e}")))?;
    let mut manifests = index.manifests().clone();
    for (tag, descriptor) in tagged {
        manifests.retain(|m| m.annotations().as_ref().and_then(|a| a.get(REF_NAME)) != Some(tag));
        manifests.push(super::tagged(descriptor, tag));
    }
    index.set_manifests(manifests);
    canonical::json(&index)
}
