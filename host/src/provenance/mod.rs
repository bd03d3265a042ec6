//! Provenance made by the host, not a plugin: an in-toto Statement v1 with a SLSA
//! provenance v1 predicate, DSSE-signed with the key `[provenance]` names, written as
//! `<name>_<version>.intoto.jsonl`. Its subjects are every other file of the release.

pub mod dsse;
mod statement;

use std::time::SystemTime;

use anyhow::Result;

use crate::artifacts::Record;
use crate::config::Project;
use crate::keys::Key;
use crate::plan::Plan;

/// How the build ran.
pub struct Run {
    pub started: SystemTime,
    pub finished: SystemTime,
    /// Native programs ran outside the tool sandbox (`--allow-unsandboxed-tools`); said
    /// in the signed statement, since `artifacts.json` is not signed.
    pub unsandboxed_tools: bool,
}

/// The provenance file's name in `dist/`.
pub fn file_name(project: &Project) -> String {
    format!("{}_{}.intoto.jsonl", project.name, project.version)
}

/// The signed attestation over `records`, one DSSE envelope per line.
pub fn attest(plan: &Plan, records: &[Record], run: &Run, key: &Key) -> Result<Vec<u8>> {
    let statement = statement::build(plan, records, run)?;
    let payload = serde_json::to_vec(&statement)?;
    let mut line = serde_json::to_vec(&dsse::envelope(&payload, key))?;
    line.push(b'\n');
    Ok(line)
}
