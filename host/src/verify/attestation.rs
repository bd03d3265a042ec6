//! The provenance attestation: each line a DSSE envelope whose signature (over PAE)
//! verifies with a given key, whose statement's subjects are every other file of the
//! release with the digest it has on disk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Result;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{PublicKeys, Report};
use crate::artifacts::manifest;
use crate::provenance::dsse;

pub fn check(
    name: &str,
    file: &Path,
    actual: &BTreeMap<String, (String, u64)>,
    keys: &PublicKeys,
    report: &mut Report,
) -> Result<()> {
    report.attestations += 1;
    let text = std::fs::read_to_string(file)?;
    for (number, line) in text.lines().enumerate() {
        if let Err(why) = envelope(name, line, actual, keys) {
            report.fail(name, format!("line {}: {why}", number + 1));
        }
    }
    Ok(())
}

fn envelope(
    name: &str,
    line: &str,
    actual: &BTreeMap<String, (String, u64)>,
    keys: &PublicKeys,
) -> Result<(), String> {
    let envelope: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    if envelope["payloadType"] != dsse::PAYLOAD_TYPE {
        return Err(format!(
            "payload type {} is not an in-toto statement",
            envelope["payloadType"]
        ));
    }
    let payload = BASE64
        .decode(envelope["payload"].as_str().unwrap_or_default())
        .map_err(|e| format!("payload not base64: {e}"))?;
    let pae = dsse::pae(dsse::PAYLOAD_TYPE, &payload);
    let signatures = envelope["signatures"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let verified = signatures.iter().any(|s| {
        BASE64
            .decode(s["sig"].as_str().unwrap_or_default())
            .is_ok_and(|sig| verifies(&sig, &pae, keys))
    });
    if !verified {
        return Err(if keys.p256.is_empty() && keys.ed25519.is_empty() {
            "no P-256 or Ed25519 public key given (--key) to check its signature".into()
        } else {
            "the DSSE signature does not verify with any key given".into()
        });
    }
    let statement: serde_json::Value =
        serde_json::from_slice(&payload).map_err(|e| format!("statement not JSON: {e}"))?;
    let mut covered = BTreeSet::new();
    for subject in statement["subject"].as_array().cloned().unwrap_or_default() {
        let path = subject["name"].as_str().unwrap_or_default().to_string();
        let digest = subject["digest"]["sha256"].as_str().unwrap_or_default();
        match actual.get(&path) {
            None => return Err(format!("subject {path} is missing")),
            Some((sha256, _)) if sha256 != digest => {
                return Err(format!("subject {path}: sha256 differs from the file's"));
            }
            Some(_) => {}
        }
        covered.insert(path);
    }
    let uncovered: Vec<&String> = actual
        .keys()
        .filter(|p| *p != name && *p != manifest::FILE_NAME && !covered.contains(*p))
        .collect();
    if !uncovered.is_empty() {
        return Err(format!(
            "not among its subjects: {}",
            uncovered
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

fn verifies(signature: &[u8], message: &[u8], keys: &PublicKeys) -> bool {
    use p256::ecdsa::signature::Verifier;
    let ecdsa = p256::ecdsa::Signature::from_der(signature)
        .is_ok_and(|sig| keys.p256.iter().any(|k| k.verify(message, &sig).is_ok()));
    let ed25519 = ed25519_dalek::Signature::from_slice(signature).is_ok_and(|sig| {
        keys.ed25519
            .iter()
            .any(|k| k.verify_strict(message, &sig).is_ok())
    });
    ecdsa || ed25519
}
