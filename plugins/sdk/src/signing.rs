//! Signing with keys the host holds. The plugin names a key id from its stage's
//! `grants.signing`; it never sees the key.

use crate::StageError;
pub use crate::bindings::xhost::plugin::signing::{Algorithm, PublicKeyInfo, SigningError};

/// Signs `message` with key `key_id` (see [`Algorithm`] for what is computed).
pub fn sign(key_id: &str, message: &[u8]) -> Result<Vec<u8>, StageError> {
    crate::bindings::xhost::plugin::signing::sign(key_id, message).map_err(Into::into)
}

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
