//! Provenance attestations, known by their content (DSSE envelopes of SLSA provenance,
//! one per line) or their `.intoto.jsonl` name: every envelope's signature (over PAE)
//! must verify with a given key, its statement must be SLSA provenance, and every
//! subject must be a file of the release with its digest.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::PublicKeys;
use crate::keys::domain;
use crate::provenance::dsse;

/// What a verified attestation vouches for.
pub struct Attested {
    /// The keys that verified its envelopes.
    pub keys: Vec<usize>,
    /// Its subjects that are files of the release with the digest it names.
    pub subjects: Vec<String>,
    /// Subjects that are missing or differ: failures, though the rest still stand.
    pub problems: Vec<String>,
    /// No key was given that could check the signatures: the subjects were compared
    /// (integrity) but nothing is authenticated.
    pub unchecked: bool,
}

/// How provenance statements' predicate types start; other statements (an image's
/// SBOM attestation, which a stage may have signed) are not the release's provenance.
pub const PROVENANCE_PREDICATE: &str = "https://slsa.dev/provenance/";

/// Whether a file is a provenance attestation: named like one, or holding a DSSE
/// envelope of an SLSA provenance statement. Envelopes of other statements are files
/// like any other, covered by the release's signatures and checksums.
pub fn is_attestation(name: &str, bytes: &[u8]) -> bool {
    if name.ends_with(".intoto.jsonl") {
        return true;
    }
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let Ok(envelope) = serde_json::from_slice::<serde_json::Value>(first) else {
        return false;
    };
    if envelope.get("payloadType").is_none() || envelope.get("signatures").is_none() {
        return false;
    }
    // An envelope whose statement cannot be read is checked (and fails) as provenance.
    BASE64
        .decode(envelope["payload"].as_str().unwrap_or_default())
        .ok()
        .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok())
        .and_then(|statement| statement["predicateType"].as_str().map(str::to_string))
        .is_none_or(|predicate| predicate.starts_with(PROVENANCE_PREDICATE))
}

pub fn check(
    bytes: &[u8],
    files: &BTreeMap<String, (String, u64)>,
    keys: &PublicKeys,
) -> Result<Attested, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let mut attested = Attested {
        keys: Vec::new(),
        subjects: Vec::new(),
        problems: Vec::new(),
        unchecked: !keys.has_dsse(),
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err("holds no envelope".into());
    }
    for (number, line) in lines.iter().enumerate() {
        envelope(line, files, keys, &mut attested)
            .map_err(|why| format!("envelope {}: {why}", number + 1))?;
    }
    Ok(attested)
}

fn envelope(
    line: &str,
    files: &BTreeMap<String, (String, u64)>,
    keys: &PublicKeys,
    attested: &mut Attested,
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
    let pae = domain::pae(dsse::PAYLOAD_TYPE, &payload);
    let key = envelope["signatures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| BASE64.decode(s["sig"].as_str().unwrap_or_default()).ok())
        .find_map(|sig| keys.dsse(&sig, &pae));
    if key.is_none() && keys.has_dsse() {
        return Err("the DSSE signature does not verify with any key given".into());
    }
    let statement: serde_json::Value =
        serde_json::from_slice(&payload).map_err(|e| format!("statement not JSON: {e}"))?;
    if statement["_type"] != "https://in-toto.io/Statement/v1" {
        return Err(format!(
            "statement type {} is not in-toto v1",
            statement["_type"]
        ));
    }
    let predicate = statement["predicateType"].as_str().unwrap_or_default();
    if !predicate.starts_with(PROVENANCE_PREDICATE) {
        return Err(format!(
            "predicate type `{predicate}` is not SLSA provenance ({PROVENANCE_PREDICATE}…)"
        ));
    }
    let subjects = statement["subject"]
        .as_array()
        .ok_or("the statement has no subjects")?;
    for subject in subjects {
        let path = subject["name"].as_str().unwrap_or_default();
        let digest = subject["digest"]["sha256"].as_str().unwrap_or_default();
        match files.get(path) {
            None => attested
                .problems
                .push(format!("subject {path} is missing from the release")),
            Some((sha256, _)) if sha256 != digest => attested
                .problems
                .push(format!("subject {path}: sha256 differs from the file's")),
            Some(_) => attested.subjects.push(path.to_string()),
        }
    }
    attested.keys.extend(key);
    Ok(())
}
