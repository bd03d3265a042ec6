//! What a plugin said of itself (`describe`), shared through the remote cache so that a
//! machine whose stages all come from the server need not compile a plugin to plan.
//!
//! A description is kept under an action-cache key of its own — the SHA-256 of a small
//! document naming the schema, the component's digest and xhost's version — in the same
//! signed envelope as an entry ([`super::envelope`]). Read back, it is untrusted input
//! like an entry: the envelope opened (signed by a trusted key when the build trusts
//! keys), the payload read strictly, its key and component checked, its size bounded;
//! the plan reads the description itself strictly, makes its text safe to show, and
//! checks it against the plugin's own answer when the stage first runs (`crate::plan`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ActionId;
use super::envelope;
use crate::keys::Key;
use crate::verify::public_keys::PublicKeys;

const SCHEMA: &str = "xhost.plugin-description/v1";
/// The envelope's payload type, which its signatures cover.
const PAYLOAD_TYPE: &str = "application/vnd.xhost.plugin-description.v1+json";

/// The most bytes a description may have: what `describe` returns is a few hundred.
pub const MAX_BYTES: u64 = 64 << 10;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoteDescription {
    schema: String,
    key: String,
    component: String,
    info: Value,
}

/// The key the description of `component` (its SHA-256) is kept under by this xhost,
/// whose version is part of it: another may convert a plugin's answer differently.
pub fn key(component: &str) -> ActionId {
    key_for(component, env!("CARGO_PKG_VERSION"))
}

fn key_for(component: &str, xhost: &str) -> ActionId {
    let text = serde_json::json!({
        "schema": SCHEMA,
        "component": component,
        "xhost": xhost,
    })
    .to_string();
    ActionId {
        hash: crate::digest::sha256_hex(text.as_bytes()),
        size: text.len() as u64,
    }
}

/// The description `info` of `component`, kept under `key`, signed by `signer`.
pub fn encode(key: &ActionId, component: &str, info: Value, signer: Option<&Key>) -> Vec<u8> {
    let remote = RemoteDescription {
        schema: SCHEMA.into(),
        key: key.hash.clone(),
        component: component.into(),
        info,
    };
    let payload = serde_json::to_vec(&remote).expect("a description encodes");
    envelope::seal(PAYLOAD_TYPE, &payload, signer)
}

/// Reads a fetched description of `component`, kept under `key`, refusing anything this
/// xhost would not have written and, when `trusted` holds keys, anything none of them
/// signed. Returns the description (`info`) for the plan to read.
pub fn decode(
    bytes: &[u8],
    key: &ActionId,
    component: &str,
    trusted: &PublicKeys,
) -> Result<Value, String> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!("{} bytes", bytes.len()));
    }
    let payload = envelope::open(bytes, PAYLOAD_TYPE, trusted)?;
    let remote: RemoteDescription =
        serde_json::from_slice(&payload).map_err(|e| format!("not an xhost description: {e}"))?;
    if remote.schema != SCHEMA {
        return Err(format!("schema `{}`, not {SCHEMA}", remote.schema));
    }
    if remote.key != key.hash {
        return Err(format!(
            "it is kept under another key ({}) than the one it was fetched by",
            remote.key
        ));
    }
    if remote.component != component {
        return Err(format!(
            "it describes another component (sha256 {})",
            remote.component
        ));
    }
    Ok(remote.info)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENT: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_description_reads_back_as_written() {
        let key = key(COMPONENT);
        let info = serde_json::json!({ "name": "strip" });
        let bytes = encode(&key, COMPONENT, info.clone(), None);
        assert_eq!(
            decode(&bytes, &key, COMPONENT, &PublicKeys::default()).unwrap(),
            info
        );
    }

    #[test]
    fn another_components_or_keys_description_is_refused() {
        let none = PublicKeys::default();
        let other = "f".repeat(64);
        let (ours, theirs) = (key(COMPONENT), key(&other));
        assert_ne!(
            ours.hash,
            key_for(COMPONENT, "0.0.0-other").hash,
            "another xhost, another key"
        );
        let info = serde_json::json!({});
        // Another component's description, copied under this component's key.
        let copied = encode(&ours, &other, info.clone(), None);
        assert!(
            decode(&copied, &ours, COMPONENT, &none)
                .unwrap_err()
                .contains("another component")
        );
        // Another key's description, stored under this one.
        let moved = encode(&theirs, COMPONENT, info.clone(), None);
        assert!(
            decode(&moved, &ours, COMPONENT, &none)
                .unwrap_err()
                .contains("another key")
        );
        let huge = vec![b' '; MAX_BYTES as usize + 1];
        assert!(decode(&huge, &ours, COMPONENT, &none).is_err());
        let mut text = String::from_utf8(encode(&ours, COMPONENT, info, None)).unwrap();
        text.insert_str(1, "\"extra\":1,");
        assert!(decode(text.as_bytes(), &ours, COMPONENT, &none).is_err());
    }
}
