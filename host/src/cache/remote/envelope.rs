//! The DSSE envelope everything xhost writes to a remote cache travels in: a payload of
//! one type, signed by the writer's key when it has one. Opening one refuses another
//! payload type, unknown fields, and — when the reader trusts keys (`[remote_cache]
//! trust`) — a payload none of them signed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::keys::Key;
use crate::keys::domain::pae;
use crate::verify::public_keys::PublicKeys;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
    signatures: Vec<Signature>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signature {
    keyid: String,
    sig: String,
}

/// `payload`, of `payload_type`, in an envelope signed by `signer`.
pub fn seal(payload_type: &str, payload: &[u8], signer: Option<&Key>) -> Vec<u8> {
    let signatures = signer
        .map(|key| Signature {
            keyid: String::new(),
            sig: BASE64.encode(key.sign_envelope(payload_type, payload)),
        })
        .into_iter()
        .collect();
    let envelope = Envelope {
        payload_type: payload_type.into(),
        payload: BASE64.encode(payload),
        signatures,
    };
    serde_json::to_vec(&envelope).expect("an envelope encodes")
}

/// The payload of the envelope `bytes`, which must be of `payload_type` and, when
/// `trusted` holds keys, signed by one of them.
pub fn open(bytes: &[u8], payload_type: &str, trusted: &PublicKeys) -> Result<Vec<u8>, String> {
    let envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| format!("not an xhost envelope: {e}"))?;
    if envelope.payload_type != payload_type {
        return Err(format!("payload type `{}`", envelope.payload_type));
    }
    let payload = BASE64
        .decode(&envelope.payload)
        .map_err(|e| format!("payload: {e}"))?;
    if !trusted.is_empty() {
        let message = pae(payload_type, &payload);
        let signed = envelope.signatures.iter().any(|s| {
            BASE64
                .decode(&s.sig)
                .is_ok_and(|sig| trusted.dsse(&sig, &message).is_some())
        });
        if !signed {
            return Err(
                "it is not signed by a key this build trusts ([remote_cache] trust)".into(),
            );
        }
    }
    Ok(payload)
}
