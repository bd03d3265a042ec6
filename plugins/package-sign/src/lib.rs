//! `builtin:package-sign`: signs the release's Linux packages with host-held keys, in
//! place — an `.rpm` gets an OpenPGP signature of its header (Ed25519 key), an `.apk`
//! a signature of its control stream (P-256 key, SHA-256, as apk's OpenSSL check
//! reads it) — and publishes the public keys users install: an OpenPGP certificate for
//! `rpm --import`, a PEM public key for `/etc/apk/keys`. Kept apart from
//! `builtin:package` so that only this stage is granted keys.

use pgp::composed::{ArmorOptions, SignedKeyDetails, SignedPublicKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::public_key::PublicKeyAlgorithm;
use pgp::packet::{
    PacketTrait, PubKeyInner, PublicKey, SignatureConfig, SignatureType, Subpacket, SubpacketData,
    UserId,
};
use pgp::types::{
    EddsaLegacyPublicParams, Fingerprint, KeyDetails, KeyId, KeyVersion, Mpi, Password,
    PublicParams, SignatureBytes, SigningKey, Timestamp,
};
use serde::Deserialize;
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::signing::{self, Algorithm};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    rpm: Option<RpmConfig>,
    apk: Option<ApkConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RpmConfig {
    /// A key id granted to the stage, holding an Ed25519 key.
    key: String,
    /// The certificate's user ID. Default: `<project> packages`.
    user_id: Option<String>,
    /// The certificate's file name in the release. Default `RPM-GPG-KEY-<project>`.
    public_key_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApkConfig {
    /// A key id granted to the stage, holding a P-256 key.
    key: String,
    /// The public key's file name in `/etc/apk/keys`, which the signature names.
    /// Default `<key>.rsa.pub`.
    key_name: Option<String>,
}

/// The OpenPGP key's creation time: fixed, so its fingerprint is the key's alone and
/// every release is signed by the same certificate.
const KEY_CREATED: u32 = 0;

struct PackageSign;

impl Stage for PackageSign {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "package-sign",
            env!("CARGO_PKG_VERSION"),
            "Signs .rpm (OpenPGP, Ed25519) and .apk (P-256) packages in place with host-held keys",
        )
        .consuming([ArtifactKind::Archive])
        .signing_with(2)
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        if config.rpm.is_none() && config.apk.is_none() {
            return Err(StageError::invalid_config(
                "name a key for `rpm` or `apk` (or both), e.g. rpm = { key = \"packages\" }",
            ));
        }
        let time = job.project.source_date_epoch.unwrap_or(0);
        let mut artifacts = Vec::new();
        if let Some(rpm) = &config.rpm {
            artifacts.extend(sign_rpms(rpm, &job, time)?);
        }
        if let Some(apk) = &config.apk {
            artifacts.extend(sign_apks(apk, &job, time)?);
        }
        Ok(artifacts)
    }
}

/// The job's inputs whose file names end with `extension`.
fn inputs<'a>(job: &'a Job, extension: &str) -> Vec<&'a Artifact> {
    job.inputs
        .iter()
        .filter(|a| a.kind == ArtifactKind::Archive && a.path.ends_with(extension))
        .collect()
}

/// The package `input` again, at its own path (replacing it in the release).
fn replaced(input: &Artifact, bytes: &[u8]) -> Result<Artifact, StageError> {
    let rel = input_rel(&input.path);
    write(format!("/out/{rel}"), bytes)?;
    let mut artifact = Artifact::output(rel, ArtifactKind::Archive, input.target.clone());
    artifact.meta = input.meta.clone();
    Ok(artifact.with_meta("signed", "true"))
}

fn sign_rpms(config: &RpmConfig, job: &Job, time: u64) -> Result<Vec<Artifact>, StageError> {
    let key = HostKey::load(&config.key, &job.project.name)?;
    let mut artifacts = Vec::new();
    for input in inputs(job, ".rpm") {
        let signer = rpm::signature::pgp::BasicKeySigner::new(key.clone());
        let signed = xhost_package::rpm::sign(&read(&input.path)?, signer, time as u32)
            .map_err(|e| StageError::failed(format!("{}: {e}", input_rel(&input.path))))?;
        info!(
            "{}: signed by OpenPGP key {}",
            input_rel(&input.path),
            key.fingerprint()
        );
        artifacts.push(replaced(input, &signed)?);
    }
    let user_id = config
        .user_id
        .clone()
        .unwrap_or_else(|| format!("{} packages", job.project.name));
    let file = config
        .public_key_file
        .clone()
        .unwrap_or_else(|| format!("RPM-GPG-KEY-{}", job.project.name));
    check_file_name(&file, "rpm.public_key_file")?;
    write(format!("/out/{file}"), key.certificate(&user_id)?)?;
    artifacts
        .push(Artifact::output(&file, ArtifactKind::Other, None).with_meta("format", "openpgp"));
    Ok(artifacts)
}

fn sign_apks(config: &ApkConfig, job: &Job, time: u64) -> Result<Vec<Artifact>, StageError> {
    let public = signing::public_key(&config.key)?;
    if public.algorithm != Algorithm::EcdsaP256Sha256 {
        return Err(StageError::invalid_config(format!(
            "apk.key `{}` is an Ed25519 key; apk checks signatures through OpenSSL with SHA-256, which needs an RSA or ECDSA key: use a P-256 (cosign) key",
            config.key
        )));
    }
    let key_name = config
        .key_name
        .clone()
        .unwrap_or_else(|| format!("{}.rsa.pub", config.key));
    let sign = |control: &[u8]| signing::sign(&config.key, control).map_err(|e| e.to_string());
    let mut artifacts = Vec::new();
    for input in inputs(job, ".apk") {
        let signed = xhost_package::apk::sign(&read(&input.path)?, &key_name, &sign, time)
            .map_err(|e| StageError::failed(format!("{}: {e}", input_rel(&input.path))))?;
        info!("{}: signed with {key_name}", input_rel(&input.path));
        artifacts.push(replaced(input, &signed)?);
    }
    check_file_name(&key_name, "apk.key_name")?;
    write(
        format!("/out/{key_name}"),
        pem("PUBLIC KEY", &public.spki_der),
    )?;
    artifacts
        .push(Artifact::output(&key_name, ArtifactKind::Other, None).with_meta("format", "pem"));
    Ok(artifacts)
}

fn check_file_name(name: &str, field: &str) -> Result<(), StageError> {
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return Err(StageError::invalid_config(format!(
            "{field} `{name}`: a file name in the release"
        )));
    }
    Ok(())
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// An Ed25519 key the host holds, as an OpenPGP v4 EdDSA key: the public half is
/// known here, every signature is made by the host over the digest OpenPGP computes.
#[derive(Debug, Clone)]
struct HostKey {
    id: String,
    public: PublicKey,
}

impl HostKey {
    fn load(id: &str, project: &str) -> Result<HostKey, StageError> {
        let info = signing::public_key(id)?;
        if info.algorithm != Algorithm::Ed25519 {
            return Err(StageError::invalid_config(format!(
                "rpm.key `{id}` is a P-256 key; {project}'s RPM signatures are OpenPGP EdDSA, which rpm checks: use an Ed25519 (minisign or PKCS#8) key"
            )));
        }
        let raw: [u8; 32] =
            info.raw.as_slice().try_into().map_err(|_| {
                StageError::failed(format!("key `{id}`: not a 32-byte Ed25519 key"))
            })?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&raw)
            .map_err(|e| StageError::failed(format!("key `{id}`: {e}")))?;
        let inner = PubKeyInner::new(
            KeyVersion::V4,
            PublicKeyAlgorithm::EdDSALegacy,
            Timestamp::from_secs(KEY_CREATED),
            None,
            PublicParams::EdDSALegacy(EddsaLegacyPublicParams::Ed25519 { key }),
        )
        .and_then(PublicKey::from_inner)
        .map_err(|e| StageError::failed(format!("key `{id}` as OpenPGP: {e}")))?;
        Ok(HostKey {
            id: id.to_string(),
            public: inner,
        })
    }

    /// The armored certificate: the key, `user_id`, and its self-signature (dated
    /// like the key, so the certificate is the same every time).
    fn certificate(&self, user_id: &str) -> Result<String, StageError> {
        let failed =
            |e: pgp::errors::Error| StageError::failed(format!("OpenPGP certificate: {e}"));
        let id = UserId::from_str(Default::default(), user_id).map_err(failed)?;
        let mut config = SignatureConfig::v4(
            SignatureType::CertPositive,
            self.algorithm(),
            HashAlgorithm::Sha256,
        );
        config.hashed_subpackets = vec![
            Subpacket::regular(SubpacketData::SignatureCreationTime(Timestamp::from_secs(
                KEY_CREATED,
            )))
            .map_err(failed)?,
            Subpacket::regular(SubpacketData::IssuerFingerprint(self.fingerprint()))
                .map_err(failed)?,
            Subpacket::regular(SubpacketData::KeyFlags(signing_flags())).map_err(failed)?,
        ];
        config.unhashed_subpackets = vec![
            Subpacket::regular(SubpacketData::IssuerKeyId(self.legacy_key_id())).map_err(failed)?,
        ];
        let signature = config
            .sign_certification(self, &self.public, &Password::empty(), id.tag(), &id)
            .map_err(failed)?;
        let details =
            SignedKeyDetails::new(vec![], vec![], vec![id.into_signed(signature)], vec![]);
        SignedPublicKey::new(self.public.clone(), details, vec![])
            .to_armored_string(ArmorOptions::default())
            .map_err(failed)
    }
}

/// Key flags: this key certifies and signs.
fn signing_flags() -> pgp::packet::KeyFlags {
    let mut flags = pgp::packet::KeyFlags::default();
    flags.set_certify(true);
    flags.set_sign(true);
    flags
}

impl KeyDetails for HostKey {
    fn version(&self) -> KeyVersion {
        self.public.version()
    }

    fn legacy_key_id(&self) -> KeyId {
        self.public.legacy_key_id()
    }

    fn fingerprint(&self) -> Fingerprint {
        self.public.fingerprint()
    }

    fn algorithm(&self) -> PublicKeyAlgorithm {
        self.public.algorithm()
    }

    fn created_at(&self) -> Timestamp {
        self.public.created_at()
    }

    fn legacy_v3_expiration_days(&self) -> Option<u16> {
        None
    }

    fn public_params(&self) -> &PublicParams {
        self.public.public_params()
    }
}

impl SigningKey for HostKey {
    /// EdDSA over the digest: the host's Ed25519 signature of those bytes, as two MPIs.
    fn sign(
        &self,
        _pw: &Password,
        _hash: HashAlgorithm,
        digest: &[u8],
    ) -> pgp::errors::Result<SignatureBytes> {
        let signature =
            signing::sign(&self.id, digest).map_err(|e| pgp::errors::Error::Message {
                message: e.to_string(),
                backtrace: None,
            })?;
        if signature.len() != 64 {
            return Err(pgp::errors::Error::Message {
                message: format!(
                    "key `{}` gave a {}-byte signature",
                    self.id,
                    signature.len()
                ),
                backtrace: None,
            });
        }
        Ok(SignatureBytes::Mpis(vec![
            Mpi::from_slice(&signature[..32]),
            Mpi::from_slice(&signature[32..]),
        ]))
    }

    fn hash_alg(&self) -> HashAlgorithm {
        HashAlgorithm::Sha256
    }
}

xhost_plugin_sdk::export_plugin!(PackageSign);
