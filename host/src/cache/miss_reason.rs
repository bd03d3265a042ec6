//! Why a stage ran again: what in its key differs from the key the last build of this
//! project used for the same stage and target (`projects/<id>/last-keys/`). Shown with
//! `-v` and in `artifacts.json`, so a user can tell an expected rerun from a surprise.

use std::path::PathBuf;

use serde_json::Value;

pub struct LastKeys {
    dir: PathBuf,
}

impl LastKeys {
    pub fn new(dir: PathBuf) -> Self {
        LastKeys { dir }
    }

    /// What changed in `key` since the last key for `stage` on `target` (None when there
    /// was none), remembering `key` for the next build.
    pub fn compare(&self, stage: &str, target: &str, key: &Value) -> Option<Vec<String>> {
        let file = self.dir.join(format!(
            "{}.json",
            &crate::digest::sha256_hex(format!("{stage}\0{target}").as_bytes())[..16]
        ));
        let last: Option<Value> = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        if last.as_ref() != Some(key) {
            // Remembering is an optimisation: without it the next miss says less.
            let _ = crate::files::create_dir_all(&self.dir)
                .and_then(|()| crate::files::write_atomic(&file, key.to_string().as_bytes()));
        }
        last.map(|last| changed(&last, key))
    }
}

/// `parts` for a message: the first few, then how many more.
pub fn list(parts: &[String]) -> String {
    const SHOWN: usize = 4;
    if parts.len() <= SHOWN + 1 {
        return parts.join(", ");
    }
    format!(
        "{} and {} more",
        parts[..SHOWN].join(", "),
        parts.len() - SHOWN
    )
}

/// The parts of the key that differ, naming each changed input by its path.
fn changed(last: &Value, now: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (last, now) = (
        last.as_object().unwrap_or(&empty),
        now.as_object().unwrap_or(&empty),
    );
    let mut parts: Vec<&String> = last.keys().chain(now.keys()).collect();
    parts.sort();
    parts.dedup();
    let mut out = Vec::new();
    for part in parts {
        match (last.get(part), now.get(part)) {
            (a, b) if a == b => {}
            (Some(Value::Array(a)), Some(Value::Array(b))) if part == "inputs" => {
                out.extend(changed_inputs(a, b));
            }
            _ => out.push(part.clone()),
        }
    }
    out
}

fn changed_inputs(last: &[Value], now: &[Value]) -> Vec<String> {
    let path = |v: &Value| v["path"].as_str().unwrap_or("?").to_string();
    let mut out: Vec<String> = now
        .iter()
        .filter(|input| !last.contains(input))
        .map(|input| format!("input {}", path(input)))
        .collect();
    out.extend(
        last.iter()
            .filter(|input| !now.iter().any(|n| path(n) == path(input)))
            .map(|input| format!("input {} (gone)", path(input))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_what_changed_since_the_last_key() {
        let dir = tempfile::tempdir().unwrap();
        let keys = LastKeys::new(dir.path().join("last-keys"));
        let first =
            json!({"plugin": "a", "source": "s1", "inputs": [{"path": "x", "sha256": "1"}]});
        assert_eq!(keys.compare("compile", "linux/amd64", &first), None);
        assert_eq!(keys.compare("compile", "linux/amd64", &first), Some(vec![]));
        let second = json!({"plugin": "a", "source": "s2", "inputs": [{"path": "x", "sha256": "2"}, {"path": "y", "sha256": "3"}]});
        assert_eq!(
            keys.compare("compile", "linux/amd64", &second),
            Some(vec!["input x".into(), "input y".into(), "source".into()])
        );
        assert_eq!(keys.compare("compile", "linux/arm64", &second), None);
    }

    #[test]
    fn long_lists_are_cut() {
        let parts: Vec<String> = (1..=9).map(|n| format!("input {n}")).collect();
        assert_eq!(list(&parts[..2]), "input 1, input 2");
        assert_eq!(
            list(&parts),
            "input 1, input 2, input 3, input 4 and 5 more"
        );
    }
}
