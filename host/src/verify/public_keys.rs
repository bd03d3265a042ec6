//! Public keys given to `xhost verify --key`: PEM SubjectPublicKeyInfo (P-256 or
//! Ed25519) and minisign public key files. Each check says which key verified, so the
//! verifier can tell a key that signed nothing in the release.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

/// One `--key`.
pub struct PublicKey {
    /// As given on the command line.
    pub name: String,
    kind: Kind,
}

enum Kind {
    P256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Minisign(minisign::PublicKey),
}

/// Every `--key`, in the order given; a key is named by its index.
#[derive(Default)]
pub struct PublicKeys {
    pub keys: Vec<PublicKey>,
}

impl PublicKeys {
    pub fn load(paths: &[PathBuf]) -> Result<Self> {
        let mut keys = PublicKeys::default();
        for path in paths {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading key {}", path.display()))?;
            let kind = parse(&text).with_context(|| format!("key {}", path.display()))?;
            keys.keys.push(PublicKey {
                name: path.display().to_string(),
                kind,
            });
        }
        Ok(keys)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn has(&self, wanted: fn(&Kind) -> bool) -> bool {
        self.keys.iter().any(|k| wanted(&k.kind))
    }

    pub fn has_p256(&self) -> bool {
        self.has(|k| matches!(k, Kind::P256(_)))
    }

    pub fn has_minisign(&self) -> bool {
        self.has(|k| matches!(k, Kind::Minisign(_)))
    }

    pub fn has_dsse(&self) -> bool {
        self.has(|k| matches!(k, Kind::P256(_) | Kind::Ed25519(_)))
    }

    /// The P-256 key a DER ECDSA signature over SHA-256(`message`) verifies with.
    pub fn ecdsa(&self, der: &[u8], message: &[u8]) -> Option<usize> {
        use p256::ecdsa::signature::Verifier;
        let signature = p256::ecdsa::Signature::from_der(der).ok()?;
        self.keys.iter().position(|k| match &k.kind {
            Kind::P256(key) => key.verify(message, &signature).is_ok(),
            _ => false,
        })
    }

    /// The key a DSSE signature (ECDSA P-256 DER, or Ed25519) over `pae` verifies with.
    pub fn dsse(&self, signature: &[u8], pae: &[u8]) -> Option<usize> {
        self.ecdsa(signature, pae).or_else(|| {
            let signature = ed25519_dalek::Signature::from_slice(signature).ok()?;
            self.keys.iter().position(|k| match &k.kind {
                Kind::Ed25519(key) => key.verify_strict(pae, &signature).is_ok(),
                _ => false,
            })
        })
    }

    /// The minisign key a signature over `message` verifies with (its trusted comment
    /// included).
    pub fn minisign(&self, signature: &minisign::SignatureBox, message: &[u8]) -> Option<usize> {
        self.keys.iter().position(|k| match &k.kind {
            Kind::Minisign(key) => minisign::verify(
                key,
                signature,
                std::io::Cursor::new(message),
                true,
                false,
                false,
            )
            .is_ok(),
            _ => false,
        })
    }

    /// The given key a public key file of the release is, if it is one: such a file
    /// holds nothing a user did not already trust.
    pub fn same_as(&self, text: &str) -> Option<usize> {
        let published = parse(text).ok()?;
        self.keys.iter().position(|k| match (&k.kind, &published) {
            (Kind::P256(a), Kind::P256(b)) => a == b,
            (Kind::Ed25519(a), Kind::Ed25519(b)) => a == b,
            (Kind::Minisign(a), Kind::Minisign(b)) => a.to_bytes() == b.to_bytes(),
            _ => false,
        })
    }
}

fn parse(text: &str) -> Result<Kind> {
    use p256::pkcs8::DecodePublicKey;
    if text.trim_start().starts_with("untrusted comment:") {
        let key = minisign::PublicKeyBox::from_string(text)
            .and_then(|b| b.into_public_key())
            .map_err(|e| anyhow::anyhow!("not a minisign public key: {e}"))?;
        return Ok(Kind::Minisign(key));
    }
    if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_pem(text) {
        return Ok(Kind::P256(key));
    }
    if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_pem(text) {
        return Ok(Kind::Ed25519(key));
    }
    bail!("not a PEM P-256 or Ed25519 public key, nor a minisign public key")
}
