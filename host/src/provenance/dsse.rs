//! Dead Simple Signing Envelope: the signature is over PAE(type, payload), never over
//! the payload alone, so a payload cannot be reinterpreted as another type.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::keys::Key;

/// The payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

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

/// A signed envelope; `keyid` is the SHA-256 of the key's SubjectPublicKeyInfo.
pub fn envelope(payload: &[u8], key: &Key) -> Value {
    let signature = key.sign(&pae(PAYLOAD_TYPE, payload));
    json!({
        "payloadType": PAYLOAD_TYPE,
        "payload": BASE64.encode(payload),
        "signatures": [{
            "keyid": crate::digest::hex(&Sha256::digest(&key.public().spki_der)),
            "sig": BASE64.encode(signature),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_specification_example() {
        // From the DSSE protocol description.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }
}
