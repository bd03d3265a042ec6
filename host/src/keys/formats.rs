//! Key file formats: PEM PKCS#8 (EC P-256 or Ed25519), PEM SEC1 EC keys, cosign's
//! encrypted private keys (`cosign generate-key-pair`), and minisign secret keys
//! (unencrypted, or scrypt-encrypted with a password).

use anyhow::{Context, Result, bail};

use super::{Key, Secret};

/// Offset of the 64-byte Ed25519 secret key in a decoded minisign secret key:
/// sig_alg(2) kdf_alg(2) chk_alg(2) salt(32) opslimit(8) memlimit(8) keynum(8).
const MINISIGN_SK_OFFSET: usize = 62;

/// Parses key text of any supported format.
pub fn parse(id: &str, text: &str, password: Option<String>) -> Result<Key> {
    let trimmed = text.trim_start();
    let secret = if trimmed.starts_with("untrusted comment:") {
        minisign(text, password)?
    } else if trimmed.starts_with("-----BEGIN PRIVATE KEY-----") {
        pkcs8(trimmed)?
    } else if trimmed.starts_with("-----BEGIN EC PRIVATE KEY-----") {
        let key = p256::SecretKey::from_sec1_pem(trimmed)
            .context("not a valid SEC1 P-256 private key")?;
        Secret::EcdsaP256(key.into())
    } else if COSIGN_LABELS
        .iter()
        .any(|l| trimmed.starts_with(&format!("-----BEGIN {l}-----")))
    {
        cosign(trimmed, password)?
    } else if trimmed.starts_with("-----BEGIN ") {
        let label = trimmed.lines().next().unwrap_or_default();
        bail!(
            "unsupported key type ({label}); use an unencrypted PKCS#8 P-256 or Ed25519 key (`openssl genpkey -algorithm ed25519`) or a minisign secret key"
        );
    } else {
        bail!("not a key: expected a PEM private key or a minisign secret key");
    };
    Ok(Key {
        id: id.to_string(),
        secret,
    })
}

fn pkcs8(pem: &str) -> Result<Secret> {
    let (_, der) = pem_rfc7468::decode_vec(pem.trim_end().as_bytes())
        .map_err(|e| anyhow::anyhow!("not a valid PEM key: {e}"))?;
    pkcs8_der(&der)
}

fn pkcs8_der(der: &[u8]) -> Result<Secret> {
    use p256::pkcs8::DecodePrivateKey;
    if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(Secret::EcdsaP256(key));
    }
    if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
        return Ok(Secret::Ed25519 {
            key,
            minisign_id: None,
        });
    }
    bail!(
        "a PKCS#8 key, but neither ECDSA P-256 nor Ed25519 (other curves and RSA are not supported)"
    )
}

/// The PEM labels of cosign's encrypted private keys (current, and before cosign 2).
const COSIGN_LABELS: [&str; 2] = [
    "ENCRYPTED SIGSTORE PRIVATE KEY",
    "ENCRYPTED COSIGN PRIVATE KEY",
];

/// A cosign private key: JSON naming scrypt parameters and a salt, a NaCl secretbox
/// nonce and the sealed PKCS#8 key (go-securesystemslib's `encrypted` format).
#[derive(serde::Deserialize)]
struct CosignBox {
    kdf: CosignKdf,
    cipher: CosignCipher,
    #[serde(with = "base64_bytes")]
    ciphertext: Vec<u8>,
}

#[derive(serde::Deserialize)]
struct CosignKdf {
    name: String,
    params: ScryptParams,
    #[serde(with = "base64_bytes")]
    salt: Vec<u8>,
}

#[derive(serde::Deserialize, PartialEq)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(serde::Deserialize)]
struct CosignCipher {
    name: String,
    #[serde(with = "base64_bytes")]
    nonce: Vec<u8>,
}

/// Go's JSON encoding of `[]byte`: standard base64.
mod base64_bytes {
    use base64::Engine;
    use serde::Deserialize;

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

fn cosign(pem: &str, password: Option<String>) -> Result<Secret> {
    use crypto_secretbox::aead::{Aead, KeyInit};
    let (_, json) = pem_rfc7468::decode_vec(pem.trim_end().as_bytes())
        .map_err(|e| anyhow::anyhow!("not a valid cosign key: {e}"))?;
    let sealed: CosignBox =
        serde_json::from_slice(&json).context("not a valid cosign key (its JSON)")?;
    if sealed.kdf.name != "scrypt" || sealed.cipher.name != "nacl/secretbox" {
        bail!(
            "a cosign key sealed with {} and {}; only scrypt and nacl/secretbox are known",
            sealed.kdf.name,
            sealed.cipher.name
        );
    }
    // cosign's three strengths only: the parameters decide the memory scrypt takes.
    let log_n = match sealed.kdf.params {
        ScryptParams {
            n: 32768,
            r: 8,
            p: 1,
        } => 15,
        ScryptParams {
            n: 65536,
            r: 8,
            p: 1,
        } => 16,
        ScryptParams {
            n: 131072,
            r: 8,
            p: 1,
        } => 17,
        _ => bail!("a cosign key with scrypt parameters cosign does not write"),
    };
    let Some(password) = password else {
        bail!(
            "the cosign key is encrypted: name the environment variable holding its password with `password_env` (cosign's is COSIGN_PASSWORD)"
        );
    };
    let params = scrypt::Params::new(log_n, 8, 1, 32).expect("cosign's scrypt parameters");
    let mut key = [0u8; 32];
    scrypt::scrypt(password.as_bytes(), &sealed.kdf.salt, &params, &mut key)
        .expect("a 32-byte output");
    if sealed.cipher.nonce.len() != 24 {
        bail!("not a valid cosign key (its nonce is not 24 bytes)");
    }
    let der = crypto_secretbox::XSalsa20Poly1305::new(&key.into())
        .decrypt(
            crypto_secretbox::Nonce::from_slice(&sealed.cipher.nonce),
            &sealed.ciphertext[..],
        )
        .map_err(|_| anyhow::anyhow!("cannot open the cosign key: wrong password"))?;
    pkcs8_der(&der)
}

fn minisign(text: &str, password: Option<String>) -> Result<Secret> {
    let packed = minisign_payload(text)?;
    let decrypted;
    let fields = if packed.get(2..4) == Some(&[0, 0][..]) {
        // Unencrypted. minisign 0.11 writes these with an all-zero checksum, which the
        // `minisign` crate rejects as corrupt, so read the documented layout here.
        &packed[..]
    } else {
        let Some(password) = password else {
            bail!(
                "the minisign key is encrypted: name the environment variable holding its password with `password_env`"
            );
        };
        let sealed =
            minisign::SecretKeyBox::from_string(text).context("not a minisign secret key")?;
        let key = minisign::SecretKey::from_box(sealed, Some(password))
            .map_err(|e| anyhow::anyhow!("cannot open the minisign key: {e}"))?;
        decrypted = key.to_bytes();
        &decrypted[..]
    };
    let sk = fields
        .get(MINISIGN_SK_OFFSET..MINISIGN_SK_OFFSET + 64)
        .context("minisign key too short")?;
    let keynum: [u8; 8] = fields[MINISIGN_SK_OFFSET - 8..MINISIGN_SK_OFFSET]
        .try_into()
        .expect("8 bytes");
    let checksum = &fields[MINISIGN_SK_OFFSET + 64..];
    if checksum.iter().any(|&b| b != 0) {
        use blake2::Digest;
        let mut hasher = blake2::Blake2b::<blake2::digest::consts::U32>::new();
        hasher.update(&fields[..2]);
        hasher.update(keynum);
        hasher.update(sk);
        if hasher.finalize().as_slice() != checksum {
            bail!("the minisign key is damaged (its checksum does not match)");
        }
    }
    let seed: [u8; 32] = sk[..32].try_into().expect("32 bytes");
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    if signing.verifying_key().as_bytes() != &sk[32..] {
        bail!("the minisign key is damaged (its public half does not match)");
    }
    Ok(Secret::Ed25519 {
        key: signing,
        minisign_id: Some(keynum),
    })
}

/// The decoded second line of a minisign secret key file: sig_alg(2) kdf_alg(2)
/// chk_alg(2) salt(32) opslimit(8) memlimit(8) keynum(8) sk(64) checksum(32).
fn minisign_payload(text: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    let line = text
        .lines()
        .nth(1)
        .context("a minisign secret key has two lines")?;
    let packed = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .context("not a minisign secret key (bad base64)")?;
    if packed.len() != 158 || &packed[..2] != b"Ed" {
        bail!("not an Ed25519 minisign secret key");
    }
    Ok(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify_ed25519(key: &Key, message: &[u8], signature: &[u8]) {
        let public = key.public();
        let verifying =
            ed25519_dalek::VerifyingKey::from_bytes(&public.raw.clone().try_into().unwrap())
                .unwrap();
        let signature = ed25519_dalek::Signature::from_slice(signature).unwrap();
        verifying.verify_strict(message, &signature).unwrap();
    }

    /// A key `cosign generate-key-pair` wrote (password `xhost-test-only`), and its
    /// public half as cosign wrote it.
    fn cosign_fixture(name: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/keys/");
        std::fs::read_to_string(format!("{dir}{name}")).unwrap()
    }

    #[test]
    fn cosign_keys_open_with_their_password() {
        let key = parse(
            "release",
            &cosign_fixture("cosign.key"),
            Some("xhost-test-only".into()),
        )
        .unwrap();
        assert_eq!(key.algorithm_name(), "ecdsa-p256-sha256");
        let (_, public) =
            pem_rfc7468::decode_vec(cosign_fixture("cosign.pub").trim_end().as_bytes()).unwrap();
        assert_eq!(key.public().spki_der, public);
        let wrong = parse(
            "release",
            &cosign_fixture("cosign.key"),
            Some("guess".into()),
        );
        assert!(wrong.err().unwrap().to_string().contains("wrong password"));
        let none = parse("release", &cosign_fixture("cosign.key"), None);
        assert!(none.err().unwrap().to_string().contains("password_env"));
    }

    #[test]
    fn cosign_keys_with_other_scrypt_costs_are_refused() {
        let text = cosign_fixture("cosign.key");
        let (label, json) = pem_rfc7468::decode_vec(text.trim_end().as_bytes()).unwrap();
        let json = String::from_utf8(json)
            .unwrap()
            .replace("\"N\":65536", "\"N\":1073741824");
        let pem = pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, json.as_bytes())
            .unwrap();
        let refused = parse("release", &pem, Some("xhost-test-only".into()));
        assert!(
            refused
                .err()
                .unwrap()
                .to_string()
                .contains("scrypt parameters")
        );
    }

    #[test]
    fn pkcs8_p256_signs_der_over_sha256() {
        use p256::ecdsa::signature::Verifier;
        use p256::pkcs8::EncodePrivateKey;
        let signing = p256::ecdsa::SigningKey::from_bytes(&[7u8; 32].into()).unwrap();
        let pem = signing.to_pkcs8_pem(Default::default()).unwrap();
        let key = parse("cosign", &pem, None).unwrap();
        assert_eq!(key.algorithm_name(), "ecdsa-p256-sha256");
        let signature = key.sign(b"release");
        let signature = p256::ecdsa::Signature::from_der(&signature).unwrap();
        signing
            .verifying_key()
            .verify(b"release", &signature)
            .unwrap();
        let public = key.public();
        assert_eq!(public.raw.len(), 65);
        assert!(public.ecdsa);
    }

    #[test]
    fn sec1_p256_is_accepted() {
        let secret = p256::SecretKey::from_bytes(&[9u8; 32].into()).unwrap();
        let pem = secret.to_sec1_pem(Default::default()).unwrap();
        assert_eq!(
            parse("ec", &pem, None).unwrap().algorithm_name(),
            "ecdsa-p256-sha256"
        );
    }

    #[test]
    fn pkcs8_ed25519_signs_the_message() {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let signing = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let pem = signing.to_pkcs8_pem(Default::default()).unwrap();
        let key = parse("ed", &pem, None).unwrap();
        verify_ed25519(&key, b"release", &key.sign(b"release"));
        assert_eq!(key.public().minisign_id, None);
    }

    #[test]
    fn minisign_keys_unencrypted_and_with_password() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let text = pair.sk.to_box(None).unwrap().to_string();
        let key = parse("mini", &text, None).unwrap();
        verify_ed25519(&key, b"data", &key.sign(b"data"));
        assert_eq!(
            key.public().minisign_id.unwrap().as_slice(),
            pair.pk.keynum()
        );
        assert_eq!(
            key.public().raw,
            minisign::PublicKey::from_secret_key(&pair.sk)
                .unwrap()
                .to_bytes()[10..]
        );

        let pair = minisign::KeyPair::generate_encrypted_keypair(Some("hunter2".into())).unwrap();
        let text = pair.sk.to_box(None).unwrap().to_string();
        let key = parse("mini", &text, Some("hunter2".into())).unwrap();
        verify_ed25519(&key, b"data", &key.sign(b"data"));
        let no_password = parse("mini", &text, None).err().unwrap().to_string();
        assert!(no_password.contains("password_env"), "{no_password}");
        let wrong = format!(
            "{:#}",
            parse("mini", &text, Some("wrong".into())).err().unwrap()
        );
        assert!(wrong.contains("cannot open the minisign key"), "{wrong}");
    }

    #[test]
    fn minisign_cli_unencrypted_keys_with_a_zero_checksum() {
        // What `minisign -G -W` (0.11) writes: kdf "\0\0", checksum all zeros.
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let text = pair.sk.to_box(None).unwrap().to_string();
        let mut packed = minisign_payload(&text).unwrap();
        packed[126..].fill(0);
        use base64::Engine;
        let line = base64::engine::general_purpose::STANDARD.encode(&packed);
        let cli = format!("untrusted comment: minisign encrypted secret key\n{line}\n");
        let key = parse("mini", &cli, None).unwrap();
        verify_ed25519(&key, b"data", &key.sign(b"data"));
        packed[70] ^= 1;
        let damaged = format!(
            "untrusted comment: x\n{}\n",
            base64::engine::general_purpose::STANDARD.encode(&packed)
        );
        assert!(
            parse("mini", &damaged, None)
                .err()
                .unwrap()
                .to_string()
                .contains("damaged")
        );
    }

    #[test]
    fn other_keys_are_refused_clearly() {
        let rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
        assert!(
            parse("k", rsa, None)
                .err()
                .unwrap()
                .to_string()
                .contains("unsupported key type")
        );
        assert!(
            parse("k", "hello", None)
                .err()
                .unwrap()
                .to_string()
                .contains("not a key")
        );
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(parse("k", garbage, None).is_err());
    }
}
