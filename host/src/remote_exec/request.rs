//! What a worker needs to run an invocation besides its files: the stage and target,
//! the commit facts the checkout's git would have given (the worker has no `.git`),
//! the command line's overrides, the inputs' records, and the key the client expects.
//! It travels in the action's input root as [`FILE_NAME`] and is read strictly.

use serde::{Deserialize, Serialize};

use crate::artifacts::Record;
use crate::cache::actions::Output;
use crate::config::vcs::Commit;

pub const FILE_NAME: &str = "xhost-request.json";
/// Where the project's source tree is in the input root.
pub const PROJECT_DIR: &str = "project";
/// Where the inputs are in the input root, by digest.
pub const INPUTS_DIR: &str = "inputs";
const SCHEMA: &str = "xhost.remote-exec/v1";
/// The most bytes a request may have.
pub const MAX_BYTES: u64 = 4 << 20;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub schema: String,
    pub stage: String,
    pub target: Option<String>,
    /// The action key the client computed, and the size of the document it hashes.
    pub key: String,
    pub key_size: u64,
    /// That document, so a worker that computes another key can say what differs.
    pub key_parts: serde_json::Value,
    pub commit: CommitFacts,
    pub targets: Vec<String>,
    pub snapshot: bool,
    pub allow_lower_tag: bool,
    pub inputs: Vec<Input>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitFacts {
    pub hash: Option<String>,
    pub time: Option<u64>,
    pub tag: Option<String>,
    pub previous_tag: Option<String>,
    pub summary: Option<String>,
}

/// An input: its record as the action cache keeps outputs, and who made it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub output: Output,
    pub stage: String,
    pub plugin: String,
    pub plugin_digest: String,
}

impl Request {
    pub fn new(
        stage: &str,
        target: Option<String>,
        key: (&str, u64, &serde_json::Value),
        commit: &Commit,
        overrides: &crate::config::Overrides,
        inputs: &[&Record],
    ) -> Self {
        Request {
            schema: SCHEMA.into(),
            stage: stage.into(),
            target,
            key: key.0.into(),
            key_size: key.1,
            key_parts: key.2.clone(),
            commit: CommitFacts {
                hash: commit.hash.clone(),
                time: commit.time,
                tag: commit.tag.clone(),
                previous_tag: commit.previous_tag.clone(),
                summary: commit.summary.clone(),
            },
            targets: overrides.targets.iter().map(ToString::to_string).collect(),
            snapshot: overrides.snapshot,
            allow_lower_tag: overrides.allow_lower_tag,
            inputs: inputs
                .iter()
                .map(|r| Input {
                    output: Output::of(r, None),
                    stage: r.stage.clone(),
                    plugin: r.plugin.clone(),
                    plugin_digest: r.plugin_digest.clone(),
                })
                .collect(),
        }
    }

    /// Reads a request strictly: unknown fields, another schema, malformed digests and
    /// input paths that are not plain relative paths are refused.
    pub fn read(bytes: &[u8]) -> Result<Self, String> {
        let request: Request =
            serde_json::from_slice(bytes).map_err(|e| format!("{FILE_NAME}: {e}"))?;
        if request.schema != SCHEMA {
            return Err(format!(
                "{FILE_NAME}: schema `{}`, not `{SCHEMA}`",
                request.schema
            ));
        }
        if !crate::digest::is_sha256_hex(&request.key) {
            return Err(format!("{FILE_NAME}: the key is not a SHA-256 digest"));
        }
        for input in &request.inputs {
            if !crate::digest::is_sha256_hex(&input.output.sha256) {
                return Err(format!(
                    "{FILE_NAME}: input `{}` has a malformed digest",
                    input.output.path
                ));
            }
        }
        Ok(request)
    }

    /// The commit facts as the configuration takes them.
    pub fn commit(&self) -> Commit {
        Commit {
            hash: self.commit.hash.clone(),
            time: self.commit.time,
            tag: self.commit.tag.clone(),
            previous_tag: self.commit.previous_tag.clone(),
            summary: self.commit.summary.clone(),
        }
    }
}
