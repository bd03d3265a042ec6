//! Signing keys held by the host. They are loaded before any build work, from a file
//! outside the project or an environment variable, and only ever used through
//! [`Key::sign_for_plugin`] (which refuses the host's own formats, see [`domain`]) and
//! [`Key::sign_envelope`]: no key byte is handed to a plugin, written to a file or
//! logged.

pub mod domain;
mod formats;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};

pub use formats::parse;

/// Where a key comes from (`[signing.keys.<id>]` in `xhost.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySource {
    pub id: String,
    /// A key file, or…
    pub file: Option<PathBuf>,
    /// …the name of an environment variable holding the key text.
    pub env: Option<String>,
    /// The environment variable holding the password of an encrypted minisign key.
    pub password_env: Option<String>,
}

/// What a key signs with.
pub enum Secret {
    /// ECDSA P-256; signatures are over the SHA-256 of the message, DER-encoded.
    EcdsaP256(p256::ecdsa::SigningKey),
    /// Ed25519; `minisign_id` is set for keys read from minisign secret key files.
    Ed25519 {
        key: ed25519_dalek::SigningKey,
        minisign_id: Option<[u8; 8]>,
    },
}

/// A loaded key.
pub struct Key {
    pub id: String,
    pub secret: Secret,
}

/// The public half of a key, in the forms the `signing` interface hands out.
pub struct PublicKey {
    pub ecdsa: bool,
    pub spki_der: Vec<u8>,
    pub raw: Vec<u8>,
    pub minisign_id: Option<[u8; 8]>,
}

impl Key {
    pub fn algorithm_name(&self) -> &'static str {
        match self.secret {
            Secret::EcdsaP256(_) => "ecdsa-p256-sha256",
            Secret::Ed25519 { .. } => "ed25519",
        }
    }

    /// Signs `message` for a plugin, unless it is in a format only the host signs.
    pub fn sign_for_plugin(&self, message: &[u8]) -> Result<Vec<u8>, &'static str> {
        match domain::reserved_for_host(message) {
            Some(why) => Err(why),
            None => Ok(self.sign(message)),
        }
    }

    /// A plugin's in-toto attestation: the signature of the DSSE envelope carrying
    /// `statement`, when [`domain::attestable_by_plugin`] allows it; with the
    /// statement's predicate type.
    pub fn attest_for_plugin(&self, statement: &[u8]) -> Result<(Vec<u8>, String), String> {
        let predicate_type = domain::attestable_by_plugin(statement)?;
        let signature = self.sign(&domain::pae(domain::IN_TOTO, statement));
        Ok((signature, predicate_type))
    }

    /// The host's DSSE signature: over the pre-authentication encoding of `payload`.
    pub fn sign_envelope(&self, payload_type: &str, payload: &[u8]) -> Vec<u8> {
        self.sign(&domain::pae(payload_type, payload))
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.secret {
            Secret::EcdsaP256(key) => {
                use p256::ecdsa::signature::Signer;
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            Secret::Ed25519 { key, .. } => {
                use ed25519_dalek::Signer;
                key.sign(message).to_bytes().to_vec()
            }
        }
    }

    pub fn public(&self) -> PublicKey {
        use p256::pkcs8::EncodePublicKey;
        match &self.secret {
            Secret::EcdsaP256(key) => {
                let verifying = key.verifying_key();
                PublicKey {
                    ecdsa: true,
                    spki_der: verifying
                        .to_public_key_der()
                        .expect("a P-256 key encodes")
                        .into_vec(),
                    raw: verifying.to_encoded_point(false).as_bytes().to_vec(),
                    minisign_id: None,
                }
            }
            Secret::Ed25519 { key, minisign_id } => {
                let verifying = key.verifying_key();
                PublicKey {
                    ecdsa: false,
                    spki_der: ed25519_dalek::pkcs8::EncodePublicKey::to_public_key_der(&verifying)
                        .expect("an Ed25519 key encodes")
                        .into_vec(),
                    raw: verifying.to_bytes().to_vec(),
                    minisign_id: *minisign_id,
                }
            }
        }
    }
}

/// Every configured key that some stage is granted, loaded.
#[derive(Default, Clone)]
pub struct KeyRing {
    keys: BTreeMap<String, Arc<Key>>,
}

impl KeyRing {
    /// Loads `sources`; any problem (missing, unreadable, wrong type, wrong password)
    /// is an error naming the key.
    pub fn load<'a>(sources: impl IntoIterator<Item = &'a KeySource>) -> Result<Self> {
        let mut keys = BTreeMap::new();
        for source in sources {
            let key = load_one(source).with_context(|| format!("signing key `{}`", source.id))?;
            keys.insert(source.id.clone(), Arc::new(key));
        }
        Ok(KeyRing { keys })
    }

    /// Whether ids `a` and `b` name the same key pair (by public key).
    pub fn same_key(&self, a: &str, b: &str) -> bool {
        match (self.keys.get(a), self.keys.get(b)) {
            (Some(a), Some(b)) => a.public().spki_der == b.public().spki_der,
            _ => false,
        }
    }

    /// The keys with the given ids (all of which were loaded).
    pub fn subset(&self, ids: &[String]) -> BTreeMap<String, Arc<Key>> {
        ids.iter()
            .filter_map(|id| self.keys.get(id).map(|k| (id.clone(), k.clone())))
            .collect()
    }
}

fn load_one(source: &KeySource) -> Result<Key> {
    let text = match (&source.file, &source.env) {
        (Some(file), _) => std::fs::read_to_string(file)
            .with_context(|| format!("reading key file {}", file.display()))?,
        (None, Some(var)) => match std::env::var(var) {
            Ok(text) if !text.trim().is_empty() => text,
            _ => bail!("environment variable {var} is not set (it should hold the key)"),
        },
        (None, None) => bail!("no `file` or `env` given"),
    };
    let password = match &source.password_env {
        Some(var) => Some(std::env::var(var).with_context(|| {
            format!("environment variable {var} (the key's password) is not set")
        })?),
        None => None,
    };
    formats::parse(&source.id, &text, password)
}
