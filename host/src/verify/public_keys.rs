//! Public keys given to `xhost verify --key`: PEM SubjectPublicKeyInfo (P-256 or
//! Ed25519) and minisign public key files.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

#[derive(Default)]
pub struct PublicKeys {
    pub p256: Vec<p256::ecdsa::VerifyingKey>,
    pub ed25519: Vec<ed25519_dalek::VerifyingKey>,
    pub minisign: Vec<minisign::PublicKey>,
}

impl PublicKeys {
    pub fn load(paths: &[PathBuf]) -> Result<Self> {
        let mut keys = PublicKeys::default();
        for path in paths {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading key {}", path.display()))?;
            keys.add(&text)
                .with_context(|| format!("key {}", path.display()))?;
        }
        Ok(keys)
    }

    fn add(&mut self, text: &str) -> Result<()> {
        use p256::pkcs8::DecodePublicKey;
        if text.trim_start().starts_with("untrusted comment:") {
            let key = minisign::PublicKeyBox::from_string(text)
                .and_then(|b| b.into_public_key())
                .map_err(|e| anyhow::anyhow!("not a minisign public key: {e}"))?;
            self.minisign.push(key);
            return Ok(());
        }
        if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_pem(text) {
            self.p256.push(key);
            return Ok(());
        }
        if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_pem(text) {
            self.ed25519.push(key);
            return Ok(());
        }
        bail!("not a PEM P-256 or Ed25519 public key, nor a minisign public key")
    }

    pub fn is_empty(&self) -> bool {
        self.p256.is_empty() && self.ed25519.is_empty() && self.minisign.is_empty()
    }
}
