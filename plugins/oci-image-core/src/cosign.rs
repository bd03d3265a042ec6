//! cosign's signatures and attestations of images, kept in the layout where `cosign
//! verify --key` and `cosign verify-attestation --key` find them once the layout is
//! pushed. Signatures: for a manifest or an index of digest D, a manifest tagged
//! `sha256-<hex of D>.sig` whose one layer is the simple-signing payload naming D and
//! the repository (`docker-reference`), the signature (base64 of the DER ECDSA P-256
//! signature over the payload) in the layer's `dev.cosignproject.cosign/signature`
//! annotation. Attestations: a manifest tagged `sha256-<hex of D>.att` with one layer
//! per DSSE envelope. Each with the config cosign writes — cosign's own layout, byte for
//! byte in its JSON key order.

use oci_spec::image::{Descriptor, ImageIndex, MediaType};

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
    attached_manifest(
        vec![Attached {
            bytes: payload,
            media_type: PAYLOAD_TYPE,
            annotations: vec![(SIGNATURE_ANNOTATION, signature.to_string())],
        }],
        blobs,
    )
}

/// The tag cosign looks for the attestations of `digest` (`sha256:…`) under.
pub fn attestation_tag(digest: &str) -> String {
    digest.replace(':', "-") + ".att"
}

/// The attestation manifest holding `envelopes` (DSSE envelopes, JSON, each with its
/// statement's predicate type), as `cosign attest` stores them: one layer each, its
/// predicate type in a `predicateType` annotation and an empty cosign signature
/// annotation (the signature is inside the envelope).
pub fn attestation_manifest(
    envelopes: Vec<(Vec<u8>, String)>,
    blobs: &mut Blobs,
) -> Result<Descriptor, Error> {
    let layers = envelopes
        .into_iter()
        .map(|(bytes, predicate_type)| Attached {
            bytes,
            media_type: DSSE_ENVELOPE,
            annotations: vec![
                (SIGNATURE_ANNOTATION, String::new()),
                ("predicateType", predicate_type),
            ],
        })
        .collect();
    attached_manifest(layers, blobs)
}

const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";

/// One layer of an attached manifest.
struct Attached {
    bytes: Vec<u8>,
    media_type: &'static str,
    annotations: Vec<(&'static str, String)>,
}

/// A manifest of `layers` with the config cosign writes for them (no platform, the
/// zero time, each layer a diff id), its blobs added to `blobs`.
fn attached_manifest(layers: Vec<Attached>, blobs: &mut Blobs) -> Result<Descriptor, Error> {
    let mut descriptors = Vec::new();
    let mut diff_ids = Vec::new();
    for layer in layers {
        let (digest, size) = blobs.add(layer.bytes);
        let mut described = descriptor(MediaType::Other(layer.media_type.into()), size, &digest)?;
        described.set_annotations(Some(
            layer
                .annotations
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ));
        descriptors.push(described);
        diff_ids.push(digest);
    }
    let config = canonical::json(&serde_json::json!({
        "architecture": "",
        "config": {},
        "created": "0001-01-01T00:00:00Z",
        "history": diff_ids.iter().map(|_| serde_json::json!({ "created": "0001-01-01T00:00:00Z" })).collect::<Vec<_>>(),
        "os": "",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    }))?;
    super::store_manifest(config, descriptors, None, blobs)
        .map(|(manifest, _)| manifest)
        .map_err(|e| error(format!("an attached manifest: {}", e.0)))
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
