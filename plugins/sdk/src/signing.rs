//! Signing with keys the host holds. The plugin names a key id from its stage's
//! `grants.signing`; it never sees the key.

use crate::StageError;
pub use crate::bindings::xhost::plugin::signing::{Algorithm, PublicKeyInfo, SigningError};

/// Signs `message` with key `key_id` (see [`Algorithm`] for what is computed).
pub fn sign(key_id: &str, message: &[u8]) -> Result<Vec<u8>, StageError> {
    crate::bindings::xhost::plugin::signing::sign(key_id, message).map_err(Into::into)
}

/// Signs the in-toto `statement` with key `key_id` as a DSSE envelope's signature
/// (payload type `application/vnd.in-toto+json`, over its pre-authentication
/// encoding); the plugin writes the envelope (`{"payloadType": IN_TOTO, "payload":
/// base64(statement), "signatures": [{"keyid": "", "sig": base64(signature)}]}`).
/// SLSA provenance is refused: only
/// xhost itself attests it. Needs an xhost that implements contract 0.2.1.
pub fn attest(key_id: &str, statement: &[u8]) -> Result<Vec<u8>, StageError> {
    crate::bindings::xhost::plugin::signing::attest(key_id, statement).map_err(Into::into)
}

/// The DSSE payload type of an in-toto statement.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";

/// The public half of key `key_id`.
pub fn public_key(key_id: &str) -> Result<PublicKeyInfo, StageError> {
    crate::bindings::xhost::plugin::signing::public_key(key_id).map_err(Into::into)
}

impl From<SigningError> for StageError {
    fn from(error: SigningError) -> Self {
        StageError::Failed(match error {
            SigningError::NotGranted(m) => format!("signing key not granted: {m}"),
            SigningError::Failed(m) => format!("signing failed: {m}"),
        })
    }
}
