//! The `signing` capability: a plugin signs with keys the host holds, by id. Only the
//! ids granted to its stage resolve; the key bytes never cross into the sandbox.

use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use super::log::LogSink;
use crate::keys::Key;
use crate::report::Level;
use crate::runtime::bindings::signing::{self as wit, Algorithm, PublicKeyInfo, SigningError};

/// One invocation's `signing` state: the granted keys.
pub struct SigningCap {
    granted: BTreeMap<String, Arc<Key>>,
    log: LogSink,
}

impl SigningCap {
    pub fn new(granted: BTreeMap<String, Arc<Key>>, log: LogSink) -> Self {
        SigningCap { granted, log }
    }

    fn key(&self, id: &str) -> Result<&Arc<Key>, SigningError> {
        self.granted.get(id).ok_or_else(|| {
            let granted: Vec<&str> = self.granted.keys().map(String::as_str).collect();
            SigningError::NotGranted(format!(
                "key `{id}` is not granted to this stage (grants.signing = {granted:?})"
            ))
        })
    }
}

impl wit::Host for SigningCap {
    fn public_key(&mut self, key_id: String) -> Result<PublicKeyInfo, SigningError> {
        let public = self.key(&key_id)?.public();
        Ok(PublicKeyInfo {
            algorithm: if public.ecdsa {
                Algorithm::EcdsaP256Sha256
            } else {
                Algorithm::Ed25519
            },
            spki_der: public.spki_der,
            raw: public.raw,
            minisign_key_id: public.minisign_id.map(|id| id.to_vec()),
        })
    }

    fn sign(&mut self, key_id: String, message: Vec<u8>) -> Result<Vec<u8>, SigningError> {
        let key = self.key(&key_id).inspect_err(|e| {
            if let SigningError::NotGranted(m) = e {
                self.log
                    .message(Level::Warn, &format!("signing refused: {m}"));
            }
        })?;
        let signature = key.sign(&message);
        self.log.message(
            Level::Info,
            &format!(
                "signed {} bytes with key `{key_id}` ({})",
                message.len(),
                key.algorithm_name()
            ),
        );
        Ok(signature)
    }
}

/// Links `xhost:plugin/signing` to the store's [`SigningCap`].
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut SigningCap,
) -> wasmtime::Result<()> {
    wit::add_to_linker::<T, HasSelf<SigningCap>>(linker, get)
}
