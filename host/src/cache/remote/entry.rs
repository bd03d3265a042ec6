//! The form an action-cache entry takes on a remote cache, and the strict reading of one
//! fetched back: it comes from a server any build with write access could have filled,
//! so it is untrusted input.
//!
//! An entry names its own key (an entry copied under another key is refused), its
//! stage, and each output's path, kind, target, digest and size. It travels as the
//! payload of a DSSE envelope ([`envelope`]), signed by the writer's key when it has
//! one; a reader that trusts keys (`[remote_cache] trust`) takes only entries one of
//! them signed, so a build that can write to the server but holds no trusted key (a
//! pull request's) cannot make a release reuse anything. Reading refuses unknown fields, more than a
//! plugin may return, paths a plugin could not have returned, malformed digests,
//! duplicates, and outputs for another target. Whether the bytes are what the entry
//! says is checked as they are fetched (`super::Remote::fetch`).

use serde::{Deserialize, Serialize};

use super::envelope;
use crate::keys::Key;
use crate::verify::public_keys::PublicKeys;

use crate::artifacts::Kind;
use crate::caps::signing::Signed;
use crate::report::Level;

use super::super::actions::{Entry, Output};

const SCHEMA: &str = "xhost.remote-entry/v1";
/// The envelope's payload type, which its signatures cover.
const PAYLOAD_TYPE: &str = "application/vnd.xhost.remote-entry.v1+json";

/// The most bytes an entry may have: outputs' records and the plugin's log, which the
/// log limits keep to about 1 MiB.
pub const MAX_BYTES: u64 = 4 << 20;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoteEntry {
    schema: String,
    key: String,
    stage: String,
    outputs: Vec<RemoteOutput>,
    log: Vec<(Level, String)>,
    signed: Vec<Signed>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoteOutput {
    path: String,
    kind: Kind,
    target: Option<String>,
    sha256: String,
    size: u64,
    executable: bool,
    meta: Vec<(String, String)>,
}

/// `entry`, made under `key`, as the remote cache keeps it, signed by `signer`.
pub fn encode(key: &str, entry: &Entry, signer: Option<&Key>) -> Vec<u8> {
    let remote = RemoteEntry {
        schema: SCHEMA.into(),
        key: key.into(),
        stage: entry.stage.clone(),
        outputs: entry
            .outputs
            .iter()
            .map(|o| RemoteOutput {
                path: o.path.clone(),
                kind: o.kind,
                target: o.target.clone(),
                sha256: o.sha256.clone(),
                size: o.size,
                executable: o.executable,
                meta: o.meta.clone(),
            })
            .collect(),
        log: entry.log.clone(),
        signed: entry.signed.clone(),
    };
    let payload = serde_json::to_vec(&remote).expect("an entry encodes");
    envelope::seal(PAYLOAD_TYPE, &payload, signer)
}

/// What a fetched entry must be: for this action, stage and target.
pub struct Expected<'a> {
    pub action: super::ActionId,
    pub stage: &'a str,
    /// The invocation's target; none for release stages.
    pub target: Option<&'a str>,
}

/// Reads a fetched entry, refusing anything this xhost would not have written for
/// `expected`, and, when `trusted` holds keys, anything none of them signed.
pub fn decode(bytes: &[u8], expected: &Expected, trusted: &PublicKeys) -> Result<Entry, String> {
    let payload = envelope::open(bytes, PAYLOAD_TYPE, trusted)?;
    let remote: RemoteEntry =
        serde_json::from_slice(&payload).map_err(|e| format!("not an xhost entry: {e}"))?;
    if remote.schema != SCHEMA {
        return Err(format!("schema `{}`, not {SCHEMA}", remote.schema));
    }
    if remote.key != expected.action.hash {
        return Err(format!(
            "it is the entry of another action ({}), stored under this one's key",
            remote.key
        ));
    }
    if remote.stage != expected.stage {
        return Err(format!("it is stage `{}`'s", remote.stage));
    }
    if remote.outputs.len() > crate::plugin_sandbox::outputs::MAX_ARTIFACTS {
        return Err(format!("{} outputs", remote.outputs.len()));
    }
    let mut paths = std::collections::BTreeSet::new();
    for output in &remote.outputs {
        crate::plugin_sandbox::outputs::relative_to_out(&format!("/out/{}", output.path))?;
        if !paths.insert(output.path.as_str()) {
            return Err(format!("it names `{}` twice", output.path));
        }
        if !is_sha256(&output.sha256) {
            return Err(format!("`{}` has no SHA-256 digest", output.path));
        }
        if output.target.is_some() && output.target.as_deref() != expected.target {
            return Err(format!(
                "`{}` is for target {}",
                output.path,
                output.target.as_deref().unwrap_or_default()
            ));
        }
    }
    Ok(Entry {
        schema: super::super::actions::ENTRY_SCHEMA.to_string(),
        stage: remote.stage,
        outputs: remote
            .outputs
            .into_iter()
            .map(|o| Output {
                path: o.path,
                kind: o.kind,
                target: o.target,
                sha256: o.sha256,
                size: o.size,
                executable: o.executable,
                meta: o.meta,
                known: None,
            })
            .collect(),
        log: remote.log,
        signed: remote.signed,
    })
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, target: Option<&str>) -> Entry {
        Entry {
            schema: super::super::super::actions::ENTRY_SCHEMA.into(),
            stage: "compile".into(),
            outputs: vec![Output {
                path: path.into(),
                kind: Kind::Binary,
                target: target.map(Into::into),
                sha256: "ab".repeat(32),
                size: 3,
                executable: true,
                meta: Vec::new(),
                known: None,
            }],
            log: vec![(Level::Info, "built".into())],
            signed: Vec::new(),
        }
    }

    fn expected(key: &str) -> Expected<'static> {
        Expected {
            action: super::super::ActionId {
                hash: key.into(),
                size: 1,
            },
            stage: "compile",
            target: Some("linux/amd64"),
        }
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let bytes = encode(
            "k1",
            &entry("hello_linux_amd64/hello", Some("linux/amd64")),
            None,
        );
        let back = decode(&bytes, &expected("k1"), &PublicKeys::default()).unwrap();
        assert_eq!(back.outputs[0].path, "hello_linux_amd64/hello");
        assert_eq!(back.log.len(), 1);
    }

    #[test]
    fn entries_a_plugin_could_not_have_made_are_refused() {
        let none = PublicKeys::default();
        let refused = |e: &Entry, key: &str| {
            decode(&encode(key, e, None), &expected("k1"), &none).unwrap_err()
        };
        assert!(refused(&entry("a/hello", Some("linux/amd64")), "k2").contains("another action"));
        assert!(refused(&entry("../../etc/passwd", None), "k1").contains("plain relative"));
        assert!(refused(&entry("a/hello", Some("windows/amd64")), "k1").contains("target"));
        let mut twice = entry("a/hello", None);
        twice.outputs.push(twice.outputs[0].clone());
        assert!(refused(&twice, "k1").contains("twice"));
        let mut text = String::from_utf8(encode("k1", &entry("a/hello", None), None)).unwrap();
        text.insert_str(1, "\"extra\":1,");
        assert!(decode(text.as_bytes(), &expected("k1"), &none).is_err());
    }
}
