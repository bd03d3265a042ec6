//! Signature files next to what they sign: cosign `.sig` (base64 DER ECDSA P-256 over
//! SHA-256), sigstore bundles v0.3 (`.sigstore.json`) and minisign `.minisig`.

use std::path::Path;

use anyhow::Result;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use super::{PublicKeys, Report};

pub fn check(dist: &Path, name: &str, keys: &PublicKeys, report: &mut Report) -> Result<()> {
    report.signatures += 1;
    let (signed, kind) = match [".sigstore.json", ".sig", ".minisig"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix).map(|s| (s, *suffix)))
    {
        Some(found) => found,
        None => {
            report.fail(name, "a signature of an unknown format");
            return Ok(());
        }
    };
    let Ok(message) = std::fs::read(dist.join(signed)) else {
        report.fail(name, format!("signs {signed}, which is missing"));
        return Ok(());
    };
    let text = std::fs::read_to_string(dist.join(name))?;
    let outcome = match kind {
        ".sig" => cosign(&text, &message, keys),
        ".sigstore.json" => bundle(&text, &message, keys),
        _ => minisig(&text, &message, keys),
    };
    if let Err(why) = outcome {
        report.fail(name, why);
    }
    Ok(())
}

fn cosign(text: &str, message: &[u8], keys: &PublicKeys) -> Result<(), String> {
    let der = BASE64
        .decode(text.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    ecdsa(&der, message, keys)
}

fn bundle(text: &str, message: &[u8], keys: &PublicKeys) -> Result<(), String> {
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

fn ecdsa(der: &[u8], message: &[u8], keys: &PublicKeys) -> Result<(), String> {
    use p256::ecdsa::signature::Verifier;
    if keys.p256.is_empty() {
        return Err("no P-256 public key given (--key) to check it with".into());
    }
    let signature = p256::ecdsa::Signature::from_der(der)
        .map_err(|e| format!("not a DER ECDSA signature: {e}"))?;
    if keys
        .p256
        .iter()
        .any(|key| key.verify(message, &signature).is_ok())
    {
        Ok(())
    } else {
        Err("the signature does not verify with any P-256 key given".into())
    }
}

fn minisig(text: &str, message: &[u8], keys: &PublicKeys) -> Result<(), String> {
    if keys.minisign.is_empty() {
        return Err("no minisign public key given (--key) to check it with".into());
    }
    let signature = minisign::SignatureBox::from_string(text)
        .map_err(|e| format!("not a minisign signature: {e}"))?;
    let verified = keys.minisign.iter().any(|key| {
        minisign::verify(
            key,
            &signature,
            std::io::Cursor::new(message),
            true,
            false,
            false,
        )
        .is_ok()
    });
    if verified {
        Ok(())
    } else {
        Err("the signature does not verify with any minisign key given".into())
    }
}
