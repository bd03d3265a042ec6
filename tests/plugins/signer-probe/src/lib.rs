//! A test plugin in the `signer-plugin` world that tries every way it has to reach the
//! signing key: every file it can open, its environment and arguments, the signing
//! interface with key ids it was not granted. It writes all it gathered to
//! `/out/loot.bin` so the test can search it for key material, and reports how the
//! signing interface answered.

use serde::Deserialize;
use xhost_plugin_sdk::signing;
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// The key id the stage was granted.
    granted: String,
    /// `hunt` (the default) gathers everything it can reach; `forge-dsse` asks the
    /// host to sign a provenance statement of the plugin's choosing as a message;
    /// `attest-provenance` asks for it through `attest`; `attest-twice` hides the
    /// provenance predicate type behind another one in the same statement.
    #[serde(default)]
    action: Option<String>,
}

struct SignerProbe;

impl Stage for SignerProbe {
    fn describe() -> PluginInfo {
        PluginInfo::release("signer-probe", "0.0.0", "Key-hunting test plugin")
            .consuming([ArtifactKind::Checksum])
            .reading_source()
            .signing_with(1)
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        match config.action.as_deref() {
            Some("forge-dsse") => return forge_dsse(&config.granted),
            Some("attest-provenance") => return attest_provenance(&config.granted),
            Some("attest-twice") => return attest_twice(&config.granted),
            _ => {}
        }
        let mut loot = Vec::new();
        for root in [
            "/",
            "/in",
            "/out",
            "/src",
            ".",
            "..",
            "/etc",
            "/root",
            "/proc/self",
        ] {
            gather(std::path::Path::new(root), &mut loot, 0);
        }
        for (key, value) in std::env::vars() {
            loot.extend_from_slice(format!("env {key}={value}\n").as_bytes());
        }
        for arg in std::env::args() {
            loot.extend_from_slice(format!("arg {arg}\n").as_bytes());
        }
        // The granted key signs; any other id, or the granted one's private half, is out of reach.
        let signature = signing::sign(&config.granted, b"probe")
            .map_err(|e| StageError::failed(format!("granted key refused: {e}")))?;
        let public = signing::public_key(&config.granted)?;
        loot.extend_from_slice(&signature);
        loot.extend_from_slice(&public.spki_der);
        let mut refused = Vec::new();
        for other in ["other", "", "../release", "release\0", "RELEASE"] {
            if other == config.granted {
                continue;
            }
            match signing::sign(other, b"probe") {
                Ok(_) => {
                    return Err(StageError::failed(format!(
                        "ESCAPED: signed with ungranted key `{other}`"
                    )));
                }
                Err(e) => refused.push(format!("sign({other:?}): {e}")),
            }
            if signing::public_key(other).is_ok() {
                return Err(StageError::failed(format!(
                    "ESCAPED: public key of ungranted key `{other}`"
                )));
            }
        }
        info!("signing refused: {}", refused.join("; "));
        info!("gathered {} bytes", loot.len());
        xhost_plugin_sdk::files::write("/out/loot.bin", &loot)?;
        Ok(vec![Artifact::output(
            "loot.bin",
            ArtifactKind::Other,
            None,
        )])
    }
}

/// The DSSE pre-authentication encoding of an in-toto statement claiming a file the
/// build never made, handed to the host to sign: with the signature, anyone could
/// write an envelope `xhost verify` would take for the release's provenance.
fn forge_dsse(key: &str) -> Result<Vec<Artifact>, StageError> {
    let statement = format!(
        "{{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{{\"name\":\"backdoor.tar.gz\",\"digest\":{{\"sha256\":\"{}\"}}}}],\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{{}}}}",
        "0".repeat(64)
    );
    let kind = "application/vnd.in-toto+json";
    let pae = format!(
        "DSSEv1 {} {kind} {} {statement}",
        kind.len(),
        statement.len()
    );
    match signing::sign(key, pae.as_bytes()) {
        Ok(_) => Err(StageError::failed(
            "ESCAPED: the host signed a forged DSSE envelope",
        )),
        Err(e) => Err(StageError::failed(format!(
            "blocked: signing a forged DSSE envelope: {e}"
        ))),
    }
}

/// An SLSA provenance statement for a file the build never made.
fn provenance_statement() -> String {
    format!(
        "{{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{{\"name\":\"backdoor.tar.gz\",\"digest\":{{\"sha256\":\"{}\"}}}}],\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{{}}}}",
        "0".repeat(64)
    )
}

/// The provenance statement handed to `attest`, which signs in-toto statements.
fn attest_provenance(key: &str) -> Result<Vec<Artifact>, StageError> {
    match signing::attest(key, provenance_statement().as_bytes()) {
        Ok(_) => Err(StageError::failed(
            "ESCAPED: the host attested a provenance statement",
        )),
        Err(e) => Err(StageError::failed(format!(
            "blocked: attesting a provenance statement: {e}"
        ))),
    }
}

/// A statement naming an SBOM's predicate type first and provenance's last: a reader
/// that keeps the last one (Go's encoding/json) would see provenance.
fn attest_twice(key: &str) -> Result<Vec<Artifact>, StageError> {
    let statement = provenance_statement().replace(
        "\"predicateType\":",
        "\"predicateType\":\"https://spdx.dev/Document\",\"predicateType\":",
    );
    match signing::attest(key, statement.as_bytes()) {
        Ok(_) => Err(StageError::failed(
            "ESCAPED: the host attested a statement with two predicate types",
        )),
        Err(e) => Err(StageError::failed(format!(
            "blocked: attesting a statement with two predicate types: {e}"
        ))),
    }
}

/// Appends every readable file under `path` (a few levels deep) to `loot`.
fn gather(path: &std::path::Path, loot: &mut Vec<u8>, depth: usize) {
    if depth > 6 {
        return;
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_file() {
        if let Ok(bytes) = std::fs::read(path) {
            loot.extend_from_slice(path.to_string_lossy().as_bytes());
            loot.extend_from_slice(&bytes);
        }
    } else if meta.is_dir()
        && let Ok(entries) = std::fs::read_dir(path)
    {
        for entry in entries.flatten() {
            gather(&entry.path(), loot, depth + 1);
        }
    }
}

xhost_plugin_sdk::export_plugin!(SignerProbe);
