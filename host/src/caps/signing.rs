//! The `signing` capability: a plugin signs with keys the host holds, by id
//! (`grants.signing = ["release"]`). Only the ids granted to its stage resolve; the key
//! bytes never cross into the sandbox. The provenance key is never granted (by id, or
//! the same key under another: `crate::plan`). A message in a format only the host
//! signs (a DSSE envelope) is refused by `sign` ([`crate::keys::domain`]); `attest`
//! signs in-toto statements as DSSE envelopes, all but SLSA provenance, whose
//! statements only the host makes. Every signature is
//! shown at the default log level and recorded ([`Signed`]) for `artifacts.json`,
//! naming the input it covers when the message is one. The action key holds the
//! granted keys' public halves.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use blake2::Blake2b512;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wasmtime::component::HasSelf;

use super::{Call, Capability, GrantCheck, GrantKind, PlanContext, Provision};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::StageConfig;
use crate::keys::Key;
use crate::plan::{Needs, PlannedStage};
use crate::report::plugin_log::LogSink;
use crate::report::{Lane, Level};
use crate::runtime::bindings::signing::{self as wit, Algorithm, PublicKeyInfo, SigningError};
use crate::runtime::state::{CapStates, StoreState};

pub struct Signing;

/// The keys a stage may sign with, loaded when the build was planned.
#[derive(Default)]
pub struct SigningKeys(pub BTreeMap<String, Arc<Key>>);

/// The keys `stage` may sign with.
pub fn keys(stage: &PlannedStage) -> &BTreeMap<String, Arc<Key>> {
    static NONE: BTreeMap<String, Arc<Key>> = BTreeMap::new();
    stage
        .provisions
        .get::<SigningKeys>()
        .map_or(&NONE, |k| &k.0)
}

impl Capability for Signing {
    fn name(&self) -> &'static str {
        "signing"
    }

    fn grant_kind(&self) -> GrantKind {
        GrantKind::Names("key id")
    }

    fn interface(&self) -> Option<&'static str> {
        Some("signing")
    }

    fn world(&self) -> Option<&'static str> {
        Some("signer-plugin")
    }

    fn gives(&self) -> &'static str {
        "signing with those host-held keys, by id; the plugin never sees a key"
    }

    fn refusal(&self, stage: &str, plugin: &str) -> String {
        format!(
            "stage `{stage}`: plugin {plugin} imports `xhost:plugin/signing` (it signs with host-held keys), but the stage grants no key; if you trust it, define a key under [signing.keys.<id>] and add `grants = {{ signing = [\"<id>\"] }}` to the stage"
        )
    }

    fn check_name(&self, id: &str, cx: &GrantCheck) -> Result<(), String> {
        if !cx.keys.contains_key(id) {
            return Err(format!("no key `{id}` is defined; add [signing.keys.{id}]"));
        }
        // The host's provenance signature is the release's root of trust: a stage
        // holding its key could sign a statement of its own choosing.
        if let Some((provenance, line)) = cx.provenance.filter(|(p, _)| *p == id) {
            return Err(format!(
                "stage `{}`: key `{provenance}` signs the release's provenance ([provenance] key, line {line}); no stage may be granted it. Define another key for the stage's signatures",
                cx.stage
            ));
        }
        Ok(())
    }

    fn plan(&self, stage: &StageConfig, cx: &PlanContext) -> Result<Option<Provision>> {
        let ids = stage.grants.names(self.name());
        Ok(Some(Box::new(SigningKeys(cx.keys.subset(&ids)))))
    }

    fn link(&self, linker: &mut wasmtime::component::Linker<StoreState>) -> wasmtime::Result<()> {
        wit::add_to_linker::<StoreState, HasSelf<SigningCap>>(linker, StoreState::cap::<SigningCap>)
    }

    fn provide(&self, call: &Call, states: &mut CapStates) -> Result<()> {
        states.insert(match call {
            Call::Describe { log } => SigningCap::none((*log).clone()),
            Call::Run(invocation) => SigningCap {
                granted: keys(invocation.stage).clone(),
                blake2b: invocation
                    .inputs
                    .iter()
                    .map(|_| std::sync::OnceLock::new())
                    .collect(),
                inputs: invocation
                    .inputs
                    .iter()
                    .map(|r| Input {
                        sha256: r.sha256.clone(),
                        path: r.path.clone(),
                        file: invocation.store.path(&r.sha256),
                    })
                    .collect(),
                lane: invocation.lane.clone(),
                stage: invocation.stage.config.name.clone(),
                log: invocation.log.clone(),
                journal: invocation.signed.clone(),
            },
        });
        Ok(())
    }

    fn key_parts(
        &self,
        stage: &PlannedStage,
        _keys: &KeyContext,
    ) -> Result<Vec<(&'static str, Value)>, Uncacheable> {
        let public = keys(stage)
            .iter()
            .map(|(id, key)| {
                (
                    id.clone(),
                    json!(crate::digest::sha256_hex(&key.public().raw)),
                )
            })
            .collect::<serde_json::Map<_, _>>();
        Ok(vec![("keys", Value::Object(public))])
    }

    fn snippet(&self, needs: &Needs) -> Option<String> {
        (needs.signing_keys > 0).then(|| {
            let ids: Vec<String> = (1..=needs.signing_keys)
                .map(|i| format!("\"key{i}\""))
                .collect();
            format!("signing = [{}]", ids.join(", "))
        })
    }
}

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
    /// A capability with no keys (a `describe` call).
    fn none(log: LogSink) -> Self {
        SigningCap {
            granted: BTreeMap::new(),
            inputs: Vec::new(),
            blake2b: Vec::new(),
            lane: None,
            stage: String::new(),
            log,
            journal: Journal::default(),
        }
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

    /// Shows and journals a signature of `message`; `attested` is the predicate type
    /// when the message is an in-toto statement signed as a DSSE envelope.
    fn record(&self, key: &Key, message: &[u8], attested: Option<&str>) {
        let sha256 = crate::digest::hex(&Sha256::digest(message));
        let (artifact, prehash) = self.which_input(message, &sha256);
        let what = match (&artifact, &prehash, attested) {
            (_, _, Some(predicate)) => format!(
                "an in-toto statement ({predicate}, {} bytes) as a DSSE envelope",
                message.len()
            ),
            (Some(path), None, None) => format!("`{path}`"),
            (Some(path), Some(hash), None) => format!("the {hash} digest of `{path}`"),
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
                self.record(key, &message, None);
                Ok(signature)
            }
            Err(why) => {
                let why = format!("key `{key_id}`: {why}");
                refused(&self.log, &why);
                Err(SigningError::Failed(why))
            }
        }
    }

    fn attest(&mut self, key_id: String, statement: Vec<u8>) -> Result<Vec<u8>, SigningError> {
        let key = self.key(&key_id).inspect_err(|e| {
            if let SigningError::NotGranted(m) = e {
                self.log
                    .message(Level::Warn, &format!("attestation refused: {m}"));
            }
        })?;
        match key.attest_for_plugin(&statement) {
            Ok((signature, predicate_type)) => {
                self.record(key, &statement, Some(&predicate_type));
                Ok(signature)
            }
            Err(why) => {
                let why = format!("key `{key_id}`: {why}");
                self.log
                    .message(Level::Warn, &format!("attestation refused: {why}"));
                Err(SigningError::Failed(why))
            }
        }
    }
}
