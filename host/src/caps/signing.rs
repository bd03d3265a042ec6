//! The `signing` capability: a plugin signs with keys the host holds, by id. Only the
//! ids granted to its stage resolve; the key bytes never cross into the sandbox. A
//! message in a format only the host signs (a DSSE envelope) is refused
//! ([`crate::keys::domain`]). Every signature is shown at the default log level and
//! recorded ([`Signed`]) for `artifacts.json`, naming the input it covers when the
//! message is one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use blake2::Blake2b512;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wasmtime::component::{HasSelf, Linker};

use super::log::LogSink;
use crate::keys::Key;
use crate::report::{Lane, Level};
use crate::runtime::bindings::signing::{self as wit, Algorithm, PublicKeyInfo, SigningError};

/// One signature a plugin had the host make.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Signed {
    pub stage: String,
    /// The target of the invocation; none for release stages.
    pub target: Option<String>,
    pub key: String,
    pub algorithm: String,
    pub message_sha256: String,
    pub message_size: u64,
    /// The input artifact whose bytes were the message, when they were…
    pub artifact: Option<String>,
    /// …or whose digest it was: `blake2b-512` (what minisign signs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prehash: Option<String>,
}

/// An input of the invocation, to say which one a message is.
pub struct Input {
    pub sha256: String,
    /// Its path in `dist/`.
    pub path: String,
    /// Its bytes, in the store.
    pub file: PathBuf,
}

/// The signatures of one invocation, kept after its store is gone.
pub type Journal = Arc<Mutex<Vec<Signed>>>;

/// One invocation's `signing` state: the granted keys.
pub struct SigningCap {
    granted: BTreeMap<String, Arc<Key>>,
    /// The invocation's inputs, to say which one a message is.
    inputs: Vec<Input>,
    /// Their BLAKE2b-512 digests, computed the first time a message could be one.
    blake2b: Vec<std::sync::OnceLock<Option<Vec<u8>>>>,
    lane: Lane,
    stage: String,
    log: LogSink,
    journal: Journal,
}

impl SigningCap {
    pub fn new(
        granted: BTreeMap<String, Arc<Key>>,
        inputs: Vec<Input>,
        lane: Lane,
        stage: &str,
        log: LogSink,
    ) -> Self {
        SigningCap {
            granted,
            blake2b: inputs.iter().map(|_| std::sync::OnceLock::new()).collect(),
            inputs,
            lane,
            stage: stage.to_string(),
            log,
            journal: Journal::default(),
        }
    }

    /// A capability with no keys (a `describe` call).
    pub fn none(log: LogSink) -> Self {
        SigningCap::new(BTreeMap::new(), Vec::new(), None, "", log)
    }

    /// Where this invocation's signatures are recorded.
    pub fn journal(&self) -> Journal {
        self.journal.clone()
    }

    fn key(&self, id: &str) -> Result<&Arc<Key>, SigningError> {
        self.granted.get(id).ok_or_else(|| {
            let granted: Vec<&str> = self.granted.keys().map(String::as_str).collect();
            SigningError::NotGranted(format!(
                "key `{id}` is not granted to this stage (grants.signing = {granted:?})"
            ))
        })
    }

    /// The input `message` is, or is the BLAKE2b-512 digest of.
    fn which_input(&self, message: &[u8], sha256: &str) -> (Option<String>, Option<String>) {
        if let Some(input) = self.inputs.iter().find(|i| i.sha256 == sha256) {
            return (Some(input.path.clone()), None);
        }
        if message.len() == 64 {
            for (input, digest) in self.inputs.iter().zip(&self.blake2b) {
                let digest = digest.get_or_init(|| {
                    let bytes = std::fs::read(&input.file).ok()?;
                    Some(Blake2b512::digest(bytes).to_vec())
                });
                if digest.as_deref() == Some(message) {
                    return (Some(input.path.clone()), Some("blake2b-512".into()));
                }
            }
        }
        (None, None)
    }

    fn record(&self, key: &Key, message: &[u8]) {
        let sha256 = crate::digest::hex(&Sha256::digest(message));
        let (artifact, prehash) = self.which_input(message, &sha256);
        let what = match (&artifact, &prehash) {
            (Some(path), None) => format!("`{path}`"),
            (Some(path), Some(hash)) => format!("the {hash} digest of `{path}`"),
            _ => format!("{} bytes", message.len()),
        };
        self.log.message(
            Level::Notice,
            &format!(
                "signed {what} (sha256 {}…) with key `{}` ({})",
                &sha256[..16],
                key.id,
                key.algorithm_name()
            ),
        );
        self.journal.lock().expect("journal lock").push(Signed {
            stage: self.stage.clone(),
            target: self.lane.as_ref().map(ToString::to_string),
            key: key.id.clone(),
            algorithm: key.algorithm_name().to_string(),
            message_sha256: sha256,
            message_size: message.len() as u64,
            artifact,
            prehash,
        });
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
        let refused = |log: &LogSink, why: &str| {
            log.message(Level::Warn, &format!("signing refused: {why}"));
        };
        let key = self.key(&key_id).inspect_err(|e| {
            if let SigningError::NotGranted(m) = e {
                refused(&self.log, m);
            }
        })?;
        match key.sign_for_plugin(&message) {
            Ok(signature) => {
                self.record(key, &message);
                Ok(signature)
            }
            Err(why) => {
                let why = format!("key `{key_id}`: {why}");
                refused(&self.log, &why);
                Err(SigningError::Failed(why))
            }
        }
    }
}

/// Links `xhost:plugin/signing` to the store's [`SigningCap`].
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut SigningCap,
) -> wasmtime::Result<()> {
    wit::add_to_linker::<T, HasSelf<SigningCap>>(linker, get)
}
