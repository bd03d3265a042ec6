//! Domain separation between what xhost signs itself and what it signs for plugins.
//!
//! The host signs one format of its own: DSSE envelopes (the provenance), whose
//! signature covers the pre-authentication encoding `DSSEv1 <len> <type> <len> <body>`.
//! Plugins sign files (cosign and minisign signatures are over the file's bytes), so a
//! plugin that could have those bytes signed would hold a valid attestation
//! signature. Every message that starts as a PAE does is therefore refused for
//! plugins, whatever the key; and `xhost verify` refuses a file signature over such
//! bytes. The provenance key itself is never granted to a stage (`config`, `plan`).

/// The DSSE payload type of an in-toto statement.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";

/// How every DSSE pre-authentication encoding starts.
pub const DSSE_PREFIX: &[u8] = b"DSSEv1 ";

/// Pre-Authentication Encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Why a plugin may not have `message` signed, if it may not.
pub fn reserved_for_host(message: &[u8]) -> Option<&'static str> {
    message.starts_with(DSSE_PREFIX).then_some(
        "the message is a DSSE pre-authentication encoding (an attestation envelope), which only xhost itself signs",
    )
}

/// The in-toto statement types a plugin may have attested.
const STATEMENT_TYPES: &[&str] = &[
    "https://in-toto.io/Statement/v1",
    "https://in-toto.io/Statement/v0.1",
];

/// Why a plugin may not have `statement` attested (signed as the payload of an in-toto
/// DSSE envelope), if it may not: it must be an in-toto statement, each field once
/// and no other (so no reader sees another predicate type than this check did), and
/// not of a predicate type only xhost attests — SLSA provenance, which the host
/// signs with a key no stage holds and `xhost verify` trusts as the release's.
pub fn attestable_by_plugin(statement: &[u8]) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // Read to check its shape, not used.
    struct Statement {
        #[serde(rename = "_type")]
        kind: String,
        subject: Vec<serde_json::Value>,
        #[serde(rename = "predicateType")]
        predicate_type: String,
        predicate: serde_json::Value,
    }
    let parsed: Statement = serde_json::from_slice(statement)
        .map_err(|e| format!("the statement is not an in-toto statement: {e}"))?;
    if !STATEMENT_TYPES.contains(&parsed.kind.as_str()) {
        return Err(format!(
            "statement type `{}` is not in-toto's ({})",
            parsed.kind,
            STATEMENT_TYPES.join(", ")
        ));
    }
    if parsed.subject.is_empty() {
        return Err("the statement names no subject".into());
    }
    let folded = parsed.predicate_type.to_ascii_lowercase();
    if folded.contains("slsa.dev/provenance") {
        return Err(format!(
            "predicate type `{}` is SLSA provenance, which only xhost itself attests",
            parsed.predicate_type
        ));
    }
    Ok(parsed.predicate_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugins_attest_statements_but_not_provenance() {
        let statement = |kind: &str, predicate: &str| {
            format!(
                r#"{{"_type":"{kind}","subject":[{{"name":"x","digest":{{"sha256":"00"}}}}],"predicateType":"{predicate}","predicate":{{}}}}"#
            )
        };
        assert_eq!(
            attestable_by_plugin(
                statement(
                    "https://in-toto.io/Statement/v0.1",
                    "https://spdx.dev/Document"
                )
                .as_bytes()
            ),
            Ok("https://spdx.dev/Document".to_string())
        );
        for refused in [
            statement("https://in-toto.io/Statement/v1", "https://slsa.dev/provenance/v1"),
            statement("https://in-toto.io/Statement/v1", "HTTPS://SLSA.dev/provenance/v0.2"),
            statement("https://example.com/Statement", "https://spdx.dev/Document"),
            // The predicate type twice: JSON readers differ on which one counts.
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{}],"predicateType":"https://spdx.dev/Document","predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"#.to_string(),
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://spdx.dev/Document","predicate":{}}"#.to_string(),
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{}],"predicateType":"https://spdx.dev/Document","predicate":{},"extra":1}"#.to_string(),
            "DSSEv1 1 x 0 ".to_string(),
        ] {
            assert!(attestable_by_plugin(refused.as_bytes()).is_err(), "{refused}");
        }
    }

    #[test]
    fn pae_matches_the_specification_example() {
        // From the DSSE protocol description.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn every_envelope_is_reserved() {
        for kind in ["application/vnd.in-toto+json", "", "x"] {
            assert!(reserved_for_host(&pae(kind, b"{}")).is_some());
        }
        assert!(reserved_for_host(b"abc123  hello.tar.gz\n").is_none());
        assert!(reserved_for_host(b" DSSEv1 1 x 0 ").is_none());
    }
}
