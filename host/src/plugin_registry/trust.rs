//! Publisher trust: a stage with `trust = ["keys/acme.pub"]` takes a plugin only when
//! one of those keys signed its manifest digest the way `cosign sign --key` does (a
//! manifest tagged `sha256-<hex>.sig` whose simple-signing layers carry the payload,
//! and the base64 DER ECDSA P-256 signature over it in an annotation). The signatures
//! found are kept beside the cached plugin and checked again on every use, offline.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::artifact::Descriptor;
use super::reference::OciRef;
use super::registry::Session;
use crate::verify::public_keys::PublicKeys;

const PAYLOAD_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
const SIGNATURES_FILE: &str = "signatures.json";

/// One signature as cosign stores it: the payload and the base64 signature over it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signature {
    /// Base64 of the simple-signing payload.
    pub payload: String,
    pub signature: String,
}

/// Checks that a key of `keys` (paths, for messages) signed `digest`, with the
/// signatures kept in `dir` or, when none there verifies, fetched from the registry.
pub fn check(dir: &Path, reference: &OciRef, digest: &str, keys: &[PathBuf]) -> Result<String> {
    let trusted = PublicKeys::load(keys)
        .with_context(|| format!("{reference}: reading the keys `trust` names"))?;
    if !trusted.has_p256() {
        bail!(
            "{reference}: `trust` names no ECDSA P-256 public key (cosign's `cosign.pub`); plugin signatures are cosign signatures"
        );
    }
    let kept = std::fs::read(dir.join(SIGNATURES_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Vec<Signature>>(&bytes).ok())
        .unwrap_or_default();
    if let Some(key) = verified_by(&kept, digest, &trusted) {
        return Ok(key);
    }
    let session = Session::open(reference)?;
    let found = session.block_on(fetch(&session, digest)).with_context(|| {
        match kept.is_empty() {
            true => format!("{reference}: looking for its signatures"),
            false => format!(
                "{reference}: the signatures kept from its fetch are by none of the keys `trust` names ({}), and looking for others failed",
                names(keys)
            ),
        }
    })?;
    crate::files::write_atomic(&dir.join(SIGNATURES_FILE), &serde_json::to_vec(&found)?)?;
    match verified_by(&found, digest, &trusted) {
        Some(key) => Ok(key),
        None if found.is_empty() => bail!(
            "{reference}: not signed: there is no signature for {digest} (tag {}) and the stage's `trust` requires one from {}",
            signature_tag(digest),
            names(keys)
        ),
        None => bail!(
            "{reference}: signed, but by none of the keys `trust` names ({}): {} signature(s) of {digest}, none verifies with them; nothing was run",
            names(keys),
            found.len()
        ),
    }
}

fn names(keys: &[PathBuf]) -> String {
    keys.iter()
        .map(|k| k.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tag cosign keeps the signatures of `digest` under.
pub fn signature_tag(digest: &str) -> String {
    digest.replace(':', "-") + ".sig"
}

/// The key (its path) that verifies one of `signatures` as a claim about `digest`.
fn verified_by(signatures: &[Signature], digest: &str, keys: &PublicKeys) -> Option<String> {
    let engine = base64::engine::general_purpose::STANDARD;
    signatures.iter().find_map(|s| {
        let payload = engine.decode(&s.payload).ok()?;
        let signature = engine.decode(&s.signature).ok()?;
        let index = keys.ecdsa(&signature, &payload)?;
        names_digest(&payload, digest).then(|| keys.keys[index].name.clone())
    })
}

/// Whether a signed payload claims `digest` (cosign's simple-signing claim).
fn names_digest(payload: &[u8], digest: &str) -> bool {
    let Ok(claim) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return false;
    };
    claim["critical"]["type"] == "cosign container image signature"
        && claim["critical"]["image"]["docker-manifest-digest"] == digest
}

/// The signatures stored for `digest` (none when there is no signature tag).
async fn fetch(session: &Session, digest: &str) -> Result<Vec<Signature>> {
    let tag = signature_tag(digest);
    let Some(manifest) = session.manifest_if_any(&tag).await? else {
        return Ok(Vec::new());
    };
    #[derive(Deserialize)]
    struct Manifest {
        layers: Vec<Descriptor>,
    }
    let parsed: Manifest = serde_json::from_slice(&manifest)
        .with_context(|| format!("{}:{tag} is not an image manifest", session.shown))?;
    let mut found = Vec::new();
    // A signature manifest holds one layer per signature; a few dozen at most.
    for layer in parsed
        .layers
        .iter()
        .filter(|l| l.media_type == PAYLOAD_TYPE)
        .take(64)
    {
        let Some(signature) = layer
            .annotations
            .as_ref()
            .and_then(|a| a.get(SIGNATURE_ANNOTATION))
        else {
            continue;
        };
        let payload = session.small_blob(layer).await?;
        found.push(Signature {
            payload: base64::engine::general_purpose::STANDARD.encode(payload),
            signature: signature.clone(),
        });
    }
    Ok(found)
}
