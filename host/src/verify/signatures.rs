//! Signature files next to what they sign, known by their names: cosign `.sig`
//! (base64 DER ECDSA P-256 over SHA-256), sigstore bundles v0.3 (`.sigstore.json`) and
//! minisign `.minisig`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use super::PublicKeys;
use crate::keys::domain;

/// The suffixes of signature files.
pub const SUFFIXES: [&str; 3] = [".sigstore.json", ".sig", ".minisig"];

/// The file a signature file signs, if `name` is one.
pub fn signed_file(name: &str) -> Option<&str> {
    SUFFIXES.iter().find_map(|suffix| name.strip_suffix(suffix))
}

/// Checks signature file `name` (text `text`) over `message`, the bytes of the file it
/// signs; returns the key that verified it.
pub fn check(name: &str, text: &str, message: &[u8], keys: &PublicKeys) -> Result<usize, String> {
    // Only the host signs pre-authentication encodings; a file made of one, "signed",
    // would be an attestation's signature passed off as a file's.
    if domain::reserved_for_host(message).is_some() {
        return Err(format!(
            "signs a DSSE pre-authentication encoding, which is never a release file: {} was taken from an attestation",
            name
        ));
    }
    if name.ends_with(".sigstore.json") {
        bundle(text, message, keys)
    } else if name.ends_with(".minisig") {
        minisig(text, message, keys)
    } else {
        cosign(text, message, keys)
    }
}

fn cosign(text: &str, message: &[u8], keys: &PublicKeys) -> Result<usize, String> {
    let der = BASE64
        .decode(text.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    ecdsa(&der, message, keys)
}

fn bundle(text: &str, message: &[u8], keys: &PublicKeys) -> Result<usize, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if json["mediaType"] != "application/vnd.dev.sigstore.bundle.v0.3+json" {
        return Err(format!(
            "media type {} is not a sigstore bundle v0.3",
            json["mediaType"]
        ));
    }
    let signed = &json["messageSignature"];
    let digest = BASE64.encode(Sha256::digest(message));
    if signed["messageDigest"]["algorithm"] != "SHA2_256"
        || signed["messageDigest"]["digest"] != digest.as_str()
    {
        return Err("the bundle's message digest is not the file's SHA-256".into());
    }
    let der = BASE64
        .decode(signed["signature"].as_str().unwrap_or_default())
        .map_err(|e| format!("signature not base64: {e}"))?;
    ecdsa(&der, message, keys)
}

fn ecdsa(der: &[u8], message: &[u8], keys: &PublicKeys) -> Result<usize, String> {
    if !keys.has_p256() {
        return Err("no P-256 public key given (--key) to check it with".into());
    }
    p256::ecdsa::Signature::from_der(der).map_err(|e| format!("not a DER ECDSA signature: {e}"))?;
    keys.ecdsa(der, message)
        .ok_or_else(|| "the signature does not verify with any P-256 key given".into())
}

fn minisig(text: &str, message: &[u8], keys: &PublicKeys) -> Result<usize, String> {
    if !keys.has_minisign() {
        return Err("no minisign public key given (--key) to check it with".into());
    }
    let signature = minisign::SignatureBox::from_string(text)
        .map_err(|e| format!("not a minisign signature: {e}"))?;
    keys.minisign(&signature, message)
        .ok_or_else(|| "the signature does not verify with any minisign key given".into())
}
