//! Dead Simple Signing Envelope: the signature is over PAE(type, payload), never over
//! the payload alone, so a payload cannot be reinterpreted as another type. The
//! encoding lives with the keys ([`crate::keys::domain`]), which keep it for the host.

pub use crate::keys::domain::pae;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::keys::Key;

/// The payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = crate::keys::domain::IN_TOTO;

/// A signed envelope; `keyid` is the SHA-256 of the key's SubjectPublicKeyInfo.
pub fn envelope(payload: &[u8], key: &Key) -> Value {
    let signature = key.sign_envelope(PAYLOAD_TYPE, payload);
    json!({
        "payloadType": PAYLOAD_TYPE,
        "payload": BASE64.encode(payload),
        "signatures": [{
            "keyid": crate::digest::hex(&Sha256::digest(&key.public().spki_der)),
            "sig": BASE64.encode(signature),
        }],
    })
}
