//! `builtin:sign`: signs release files (by default the checksums file) with host-held
//! keys, in the formats their tools verify:
//! - an ECDSA P-256 key writes cosign's `<file>.sig` (base64 of the DER signature over
//!   SHA-256) and a sigstore bundle v0.3 `<file>.sigstore.json` with a public-key hint;
//! - an Ed25519 key writes minisign's `<file>.minisig` (prehashed with BLAKE2b-512, with
//!   a trusted comment and its global signature).
//!
//! The public keys go beside them (`<key>.pub` PEM, `<key>.minisign.pub`). The plugin
//! never sees a private key: it asks the host to sign.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use blake2::Blake2b512;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::signing::{self, Algorithm, PublicKeyInfo};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Key ids to sign with (each granted to the stage in `grants.signing`).
    keys: Vec<String>,
    /// Kinds of artifacts to sign.
    kinds: Vec<String>,
    /// Also publish each key's public half.
    publish_public_keys: bool,
    /// What a P-256 key writes per file: cosign's `sig` (`<file>.sig`) and/or a sigstore
    /// `bundle` (`<file>.sigstore.json`).
    cosign_outputs: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            keys: vec!["release".into()],
            kinds: vec!["checksum".into()],
            publish_public_keys: true,
            cosign_outputs: vec!["sig".into(), "bundle".into()],
        }
    }
}

struct Sign;

impl Stage for Sign {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "sign",
            env!("CARGO_PKG_VERSION"),
            "Signs release files: cosign .sig + sigstore bundle (P-256), minisign .minisig (Ed25519)",
        )
        .consuming([ArtifactKind::Checksum, ArtifactKind::Archive, ArtifactKind::Binary, ArtifactKind::Sbom])
        .signing_with(1)
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let kinds = config
            .kinds
            .iter()
            .map(|k| kind(k))
            .collect::<Result<Vec<_>, _>>()?;
        let (sig, bundle) = cosign_outputs(&config.cosign_outputs)?;
        if config.keys.is_empty() {
            return Err(StageError::invalid_config(
                "keys is empty; name the key ids to sign with",
            ));
        }
        let epoch = job.project.source_date_epoch.unwrap_or(0);
        let mut outputs = Vec::new();
        for key in &config.keys {
            let public = signing::public_key(key)?;
            for input in job.inputs.iter().filter(|a| kinds.contains(&a.kind)) {
                let rel = input_rel(&input.path);
                let data = read(&input.path)?;
                let files = match public.algorithm {
                    Algorithm::EcdsaP256Sha256 => cosign(key, &public, rel, &data)?
                        .into_iter()
                        .filter(|(file, _)| if file.ends_with(".sig") { sig } else { bundle })
                        .collect(),
                    Algorithm::Ed25519 => vec![minisign(key, &public, rel, &data, epoch)?],
                };
                for (file, text) in files {
                    if let Some(dir) = std::path::Path::new(&format!("/out/{file}")).parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    write(format!("/out/{file}"), text)?;
                    outputs.push(
                        Artifact::output(&file, ArtifactKind::Signature, input.target.clone())
                            .with_meta("key", key.as_str()),
                    );
                }
            }
            if config.publish_public_keys {
                let (file, text) = public_key_file(key, &public);
                write(format!("/out/{file}"), text)?;
                outputs.push(
                    Artifact::output(&file, ArtifactKind::Other, None)
                        .with_meta("key", key.as_str()),
                );
            }
            info!("signed with key `{key}`");
        }
        Ok(outputs)
    }
}

/// Whether cosign's `.sig` and the sigstore bundle are written.
fn cosign_outputs(names: &[String]) -> Result<(bool, bool), StageError> {
    for name in names {
        if name != "sig" && name != "bundle" {
            return Err(StageError::invalid_config(format!(
                "cosign_outputs: `{name}`; use \"sig\" and/or \"bundle\""
            )));
        }
    }
    if names.is_empty() {
        return Err(StageError::invalid_config(
            "cosign_outputs is empty; name \"sig\", \"bundle\" or both",
        ));
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    Ok((has("sig"), has("bundle")))
}

/// cosign's `.sig` and a sigstore bundle v0.3 for one file.
fn cosign(
    key: &str,
    public: &PublicKeyInfo,
    rel: &str,
    data: &[u8],
) -> Result<Vec<(String, String)>, StageError> {
    let signature = signing::sign(key, data)?;
    let bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "publicKey": { "hint": BASE64.encode(Sha256::digest(&public.spki_der)) },
        },
        "messageSignature": {
            "messageDigest": { "algorithm": "SHA2_256", "digest": BASE64.encode(Sha256::digest(data)) },
            "signature": BASE64.encode(&signature),
        },
    });
    Ok(vec![
        (format!("{rel}.sig"), BASE64.encode(&signature)),
        (
            format!("{rel}.sigstore.json"),
            serde_json::to_string_pretty(&bundle).expect("serialisable") + "\n",
        ),
    ])
}

/// minisign's `.minisig`: Ed25519 over BLAKE2b-512 of the file (algorithm `ED`), then a
/// global signature over that signature and the trusted comment.
fn minisign(
    key: &str,
    public: &PublicKeyInfo,
    rel: &str,
    data: &[u8],
    epoch: u64,
) -> Result<(String, String), StageError> {
    let keynum = minisign_keynum(public);
    let signature = signing::sign(key, &Blake2b512::digest(data))?;
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let trusted = format!("timestamp:{epoch}\tfile:{name}\thashed");
    let mut global_message = signature.clone();
    global_message.extend_from_slice(trusted.as_bytes());
    let global = signing::sign(key, &global_message)?;
    let mut packed = b"ED".to_vec();
    packed.extend_from_slice(&keynum);
    packed.extend_from_slice(&signature);
    let text = format!(
        "untrusted comment: signature from xhost key {key}\n{}\ntrusted comment: {trusted}\n{}\n",
        BASE64.encode(&packed),
        BASE64.encode(&global)
    );
    Ok((format!("{rel}.minisig"), text))
}

/// The key number of a minisign key; for other Ed25519 keys, one derived from the key.
fn minisign_keynum(public: &PublicKeyInfo) -> [u8; 8] {
    match &public.minisign_key_id {
        Some(id) if id.len() == 8 => id.as_slice().try_into().expect("8 bytes"),
        _ => Sha256::digest(&public.raw)[..8]
            .try_into()
            .expect("8 bytes"),
    }
}

fn public_key_file(key: &str, public: &PublicKeyInfo) -> (String, String) {
    match public.algorithm {
        Algorithm::EcdsaP256Sha256 => {
            let body = BASE64.encode(&public.spki_der);
            let lines: Vec<&str> = body
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).expect("base64"))
                .collect();
            (
                format!("{key}.pub"),
                format!(
                    "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                    lines.join("\n")
                ),
            )
        }
        Algorithm::Ed25519 => {
            let keynum = minisign_keynum(public);
            let mut packed = b"Ed".to_vec();
            packed.extend_from_slice(&keynum);
            packed.extend_from_slice(&public.raw);
            let id = u64::from_le_bytes(keynum);
            (
                format!("{key}.minisign.pub"),
                format!(
                    "untrusted comment: minisign public key {id:016X}\n{}\n",
                    BASE64.encode(&packed)
                ),
            )
        }
    }
}

fn kind(name: &str) -> Result<ArtifactKind, StageError> {
    Ok(match name {
        "checksum" => ArtifactKind::Checksum,
        "archive" => ArtifactKind::Archive,
        "binary" => ArtifactKind::Binary,
        "sbom" => ArtifactKind::Sbom,
        other => {
            return Err(StageError::invalid_config(format!(
                "kinds: `{other}`; use checksum, archive, binary or sbom"
            )));
        }
    })
}

xhost_plugin_sdk::export_plugin!(Sign);
