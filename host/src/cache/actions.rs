//! The action cache's entries: for each key, the records of the outputs the invocation
//! produced, whose bytes are in the content-addressed store.
//!
//! `actions/<first two hex digits>/<key>.json`, written to a temporary name and renamed
//! into place. An entry is a hit only when every output it names is in the store with
//! the digest it claims; anything else (a missing or damaged file, an entry from another
//! schema, JSON that does not parse) is a miss, and the stage runs again. Each output
//! carries its store file's [`KnownDigest`], so an untouched file is checked by `stat`
//! rather than read. A hit touches the entry, so `xhost cache gc` evicts the least
//! recently used first.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::artifacts::{Kind, Record, Store};
use crate::caps::signing::Signed;
use crate::known_digest::KnownDigest;
use crate::pipeline::Ran;
use crate::report::Level;

pub(super) const ENTRY_SCHEMA: &str = "xhost.action-entry/v1";

pub struct Actions {
    dir: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub schema: String,
    pub stage: String,
    pub outputs: Vec<Output>,
    /// What the plugin logged, shown again on a hit as a compiler's warnings would be.
    #[serde(default)]
    pub log: Vec<(Level, String)>,
    /// The signatures the plugin had the host make.
    #[serde(default)]
    pub signed: Vec<Signed>,
}

/// One output, without its producer (the stage and plugin are the key's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Output {
    pub path: String,
    pub kind: Kind,
    pub target: Option<String>,
    pub sha256: String,
    pub size: u64,
    pub executable: bool,
    pub meta: Vec<(String, String)>,
    /// The store file's digest with its stamp, when it was last checked.
    #[serde(default)]
    pub known: Option<KnownDigest>,
}

impl Entry {
    /// The entry for what `stage` made when it ran (its outputs in `store`).
    pub fn made(stage: &str, ran: &Ran, store: &Store) -> Entry {
        Entry {
            log: ran.log.clone(),
            signed: ran.signed.clone(),
            schema: ENTRY_SCHEMA.to_string(),
            stage: stage.to_string(),
            outputs: ran
                .outputs
                .iter()
                // The store computed the digest as the file went in.
                .map(|r| Output::of(r, KnownDigest::record(&store.path(&r.sha256), &r.sha256)))
                .collect(),
        }
    }
}

impl Actions {
    /// The entries in `dir` ([`crate::cache_layout::CacheLayout::actions`]).
    pub fn open(dir: PathBuf) -> Result<Self> {
        crate::files::create_dir_all(&dir)?;
        Ok(Actions { dir })
    }

    /// The outputs recorded under `key`, if all of them are sound in `store`.
    pub fn lookup(&self, key: &str, store: &Store) -> Option<Entry> {
        let path = self.path(key);
        let mut entry: Entry = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        if entry.schema != ENTRY_SCHEMA {
            return None;
        }
        let mut rechecked = false;
        for output in &mut entry.outputs {
            let file = store.path(&output.sha256);
            let known = output.known.as_ref();
            if known.is_some_and(|k| k.sha256 == output.sha256 && k.holds_for(&file)) {
                continue;
            }
            let (sha256, size) = crate::digest::sha256_file(&file).ok()?;
            if sha256 != output.sha256 || size != output.size {
                return None;
            }
            output.known = KnownDigest::record(&file, &sha256);
            rechecked = true;
        }
        // Rewriting the entry also marks its use; otherwise touch it. Either is only
        // an optimisation (stamps for next time, recency for `gc`).
        if rechecked {
            let _ = self.write(key, &entry);
        } else {
            let _ = std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        }
        Some(entry)
    }

    /// Records `outputs` under `key`; returns the entry written.
    pub fn record(&self, key: &str, stage: &str, ran: &Ran, store: &Store) -> Result<Entry> {
        let entry = Entry::made(stage, ran, store);
        self.write(key, &entry)?;
        Ok(entry)
    }

    /// Keeps `entry`, fetched from elsewhere with its outputs now in `store`, under
    /// `key`.
    pub fn keep(&self, key: &str, entry: &Entry, store: &Store) -> Result<()> {
        let mut entry = entry.clone();
        for output in &mut entry.outputs {
            output.known = KnownDigest::record(&store.path(&output.sha256), &output.sha256);
        }
        self.write(key, &entry)
    }

    fn write(&self, key: &str, entry: &Entry) -> Result<()> {
        let path = self.path(key);
        let parent = path.parent().expect("entries live in a fan-out directory");
        crate::files::create_dir_all(parent)?;
        let json = serde_json::to_vec(entry).context("encoding an action-cache entry")?;
        crate::files::write_atomic(&path, &json)
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }
}

impl Output {
    /// `record` as an output, with its store file's stamp when known.
    pub fn of(record: &Record, known: Option<KnownDigest>) -> Output {
        Output {
            path: record.path.clone(),
            kind: record.kind,
            target: record.target.as_ref().map(ToString::to_string),
            sha256: record.sha256.clone(),
            size: record.size,
            executable: record.executable,
            meta: record.meta.clone(),
            known,
        }
    }

    /// The record of this output as made by `stage` with `plugin` (`label`, `digest`).
    pub fn into_record(self, stage: &str, label: &str, digest: &str) -> Result<Record> {
        Ok(Record {
            target: self
                .target
                .map(|t| t.parse())
                .transpose()
                .map_err(anyhow::Error::msg)
                .context("reading an action-cache entry")?,
            path: self.path,
            kind: self.kind,
            sha256: self.sha256,
            size: self.size,
            executable: self.executable,
            meta: self.meta,
            stage: stage.to_string(),
            plugin: label.to_string(),
            plugin_digest: digest.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn record(store: &Store, dir: &Path, content: &str) -> Record {
        let file = dir.join("out");
        std::fs::write(&file, content).unwrap();
        let (sha256, size) = store.ingest(&file).unwrap();
        Record {
            path: "hello_linux_amd64/hello".into(),
            kind: Kind::Binary,
            target: Some("linux/amd64".parse().unwrap()),
            sha256,
            size,
            executable: true,
            meta: vec![("go".into(), "1.27".into())],
            stage: "build".into(),
            plugin: "go-build".into(),
            plugin_digest: "ab".into(),
        }
    }

    /// A store and action cache in a fresh directory, with one output recorded under
    /// `key` (after checking the key was a miss before).
    fn recorded(key: &str) -> (tempfile::TempDir, Store, Actions, Record) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().join("store")).unwrap();
        let actions = Actions::open(tmp.path().join("actions")).unwrap();
        let out = record(&store, tmp.path(), "binary");
        assert!(actions.lookup(key, &store).is_none());
        let ran = Ran {
            outputs: vec![out.clone()],
            signed: Vec::new(),
            log: Vec::new(),
        };
        actions.record(key, "build", &ran, &store).unwrap();
        (tmp, store, actions, out)
    }

    #[test]
    fn a_recorded_action_is_found_with_its_outputs() {
        let key = "0f".repeat(32);
        let (_tmp, store, actions, out) = recorded(&key);
        let entry = actions.lookup(&key, &store).expect("a hit");
        let back = entry
            .outputs
            .into_iter()
            .next()
            .unwrap()
            .into_record("build", "go-build", "ab")
            .unwrap();
        assert_eq!(
            (back.path, back.sha256, back.target, back.meta),
            (out.path, out.sha256, out.target, out.meta)
        );
    }

    #[test]
    fn a_damaged_or_missing_output_makes_a_miss() {
        let key = "1e".repeat(32);
        let (_tmp, store, actions, out) = recorded(&key);
        let blob = store.path(&out.sha256);
        std::fs::remove_file(&blob).unwrap();
        std::fs::write(&blob, "tampered").unwrap();
        assert!(actions.lookup(&key, &store).is_none());
        std::fs::remove_file(&blob).unwrap();
        assert!(actions.lookup(&key, &store).is_none());
    }

    #[test]
    fn an_unreadable_entry_is_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().join("store")).unwrap();
        let actions = Actions::open(tmp.path().join("actions")).unwrap();
        let key = "2d".repeat(32);
        let path = actions.path(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{not json").unwrap();
        assert!(actions.lookup(&key, &store).is_none());
    }
}
