//! The action cache: a stage invocation whose key (`key.rs`) was seen before reuses the
//! outputs recorded under it (`actions.rs`), whose bytes are in the artifact store,
//! without instantiating its plugin; on a local miss, a remote cache shared across
//! machines is asked (`remote/`). `gc.rs` reports on and trims the whole cache
//! directory.

pub mod actions;
pub mod counts;
pub mod gc;
mod key;
mod miss_reason;
pub mod remote;
pub(crate) mod source_tree;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use serde::Serialize;

use crate::artifacts::{Record, Store};
use crate::cache_layout::{CacheLayout, ProjectArea};
use crate::caps::signing::Signed;
use crate::config::Config;
use crate::pipeline::Ran;
use crate::plan::PlannedStage;
use crate::report::{Lane, Level, lane_name};

pub use key::{KeyContext, Uncacheable, xhost_identity};

pub struct ActionCache {
    actions: actions::Actions,
    keys: KeyContext,
    /// False with `--no-cache`: every stage runs, and what it makes is still recorded.
    reuse: bool,
    uses: Mutex<Vec<StageUse>>,
    last_keys: miss_reason::LastKeys,
    /// The remote cache, when one is configured, with where fetched blobs land first.
    remote: Option<(Arc<remote::Remote>, PathBuf)>,
}

/// What the cache did for one stage invocation (read back from a partial release).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageUse {
    pub stage: String,
    pub target: String,
    pub result: CacheResult,
    /// A hit whose entry came from the remote cache.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
    /// A stage that ran on a remote worker.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub executed_remotely: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheResult {
    Hit,
    Miss,
    /// Run because of `--no-cache`.
    Forced,
    /// Run because the invocation has no key (it may reach the network, or its source
    /// could not be read).
    Uncached,
}

/// The `cache` section of `artifacts.json`, and the build summary's counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub hits: usize,
    /// Of the hits, those fetched from the remote cache.
    pub remote_hits: usize,
    /// Of the misses, those run on remote workers.
    pub executed_remotely: usize,
    pub misses: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<remote::Summary>,
    pub stages: Vec<StageUse>,
}

/// A looked-up invocation: its key, and what it made when the cache has that.
pub struct Lookup {
    key: Option<remote::ActionId>,
    /// The document the key hashes.
    parts: Option<serde_json::Value>,
    pub hit: Option<Hit>,
    /// Why the stage runs, when it does (`-v` shows it).
    pub why: Option<String>,
}

/// Outputs reused from the cache, and what the plugin logged making them.
pub struct Hit {
    pub outputs: Vec<Record>,
    pub log: Vec<(Level, String)>,
    /// The signatures the plugin had made, recorded again in `artifacts.json`.
    pub signed: Vec<Signed>,
}

impl Lookup {
    /// The invocation's key and the document it hashes; none when it has no key.
    pub fn key(&self) -> Option<(&remote::ActionId, &serde_json::Value)> {
        Some((self.key.as_ref()?, self.parts.as_ref()?))
    }
}

impl ActionCache {
    /// Opens the action cache for a build of `config` publishing to `dist`, with the
    /// source tree's digest when it was already taken, and the remote cache (fetched
    /// blobs land in `scratch` first). The build holds the cache's gc lock (shared)
    /// for its whole life ([`crate::build_state`]).
    pub fn open(
        cache: &CacheLayout,
        project: &ProjectArea,
        config: &Config,
        dist: &Path,
        reuse: bool,
        source_digest: Option<String>,
        remote: Option<(Arc<remote::Remote>, PathBuf)>,
    ) -> Result<Self> {
        let keys = KeyContext::new(config, dist, cache.programs_file(), project.source_index());
        if let Some(digest) = source_digest {
            keys.source_digest_is(digest);
        }
        Ok(ActionCache {
            actions: actions::Actions::open(cache.actions())?,
            keys,
            reuse,
            uses: Mutex::new(Vec::new()),
            last_keys: miss_reason::LastKeys::new(project.last_keys()),
            remote,
        })
    }

    /// Computes the key of running `stage` for `lane` over `inputs`, and finds its
    /// outputs if they were made before.
    pub fn lookup(
        &self,
        config: &Config,
        stage: &PlannedStage,
        lane: &Lane,
        inputs: &[&Record],
        store: &Store,
    ) -> Lookup {
        let (key, json, why) = match self.keys.key(config, stage, lane, inputs) {
            Ok((key, json)) => (Some(key), Some(json), None),
            Err(why) => (None, None, Some(why.to_string())),
        };
        let target = lane_name(lane);
        let found = key
            .as_ref()
            .filter(|_| self.reuse)
            .and_then(|key| self.find(key, &stage.config.name, lane, store));
        let from_remote = found.as_ref().is_some_and(|(_, remote)| *remote);
        let hit = found.and_then(|(entry, _)| {
            let plugin = &stage.prepared.plugin;
            let outputs = entry
                .outputs
                .into_iter()
                .map(|o| o.into_record(&stage.config.name, &plugin.label, &plugin.digest))
                .collect::<Result<Vec<_>>>()
                .ok()?;
            Some(Hit {
                outputs,
                log: entry.log,
                signed: entry.signed,
            })
        });
        let result = match (&key, &hit) {
            (None, _) => CacheResult::Uncached,
            (Some(_), Some(_)) => CacheResult::Hit,
            (Some(_), None) if !self.reuse => CacheResult::Forced,
            (Some(_), None) => CacheResult::Miss,
        };
        let changed = json
            .as_ref()
            .map(|json| self.last_keys.compare(&stage.config.name, &target, json));
        let why = match (result, changed) {
            (CacheResult::Miss, Some(None)) => Some("not built before for this target".into()),
            (CacheResult::Miss, Some(Some(parts))) if parts.is_empty() => {
                Some("its earlier outputs are no longer in the cache".into())
            }
            (CacheResult::Miss, Some(Some(parts))) => Some(format!(
                "changed since the last build: {}",
                miss_reason::list(&parts)
            )),
            (CacheResult::Forced, _) => Some("--no-cache".into()),
            _ => why,
        };
        self.uses.lock().expect("cache uses lock").push(StageUse {
            stage: stage.config.name.clone(),
            target,
            result,
            remote: from_remote,
            executed_remotely: false,
            why: why.clone(),
        });
        Lookup {
            key,
            parts: json,
            hit,
            why,
        }
    }

    /// Keeps `entry`, made remotely for `lookup`'s invocation (which the server already
    /// holds under its key), and counts the stage as run remotely.
    pub fn keep_executed(
        &self,
        lookup: &Lookup,
        stage: &PlannedStage,
        lane: &Lane,
        entry: &actions::Entry,
        store: &Store,
    ) {
        if let Some(key) = &lookup.key {
            let _ = self.actions.keep(&key.hash, entry, store);
        }
        let target = lane_name(lane);
        let mut uses = self.uses.lock().expect("cache uses lock");
        if let Some(used) = uses
            .iter_mut()
            .rev()
            .find(|u| u.stage == stage.config.name && u.target == target)
        {
            used.executed_remotely = true;
        }
    }

    /// The entry under `key`: the local one, else the remote cache's (then kept
    /// locally too); and whether it came from the remote.
    fn find(
        &self,
        key: &remote::ActionId,
        stage: &str,
        lane: &Lane,
        store: &Store,
    ) -> Option<(actions::Entry, bool)> {
        if let Some(entry) = self.actions.lookup(&key.hash, store) {
            return Some((entry, false));
        }
        let (remote, scratch) = self.remote.as_ref()?;
        let target = lane.as_ref().map(ToString::to_string);
        let expected = remote::Expected {
            action: key.clone(),
            stage,
            target: target.as_deref(),
        };
        let entry = remote.fetch(&expected, store, scratch)?;
        // Kept locally, so the next build need not ask; if that fails, it asks again.
        let _ = self.actions.keep(&key.hash, &entry, store);
        Some((entry, true))
    }

    /// Records what a looked-up invocation that ran produced, and what it logged.
    pub fn record(&self, lookup: &Lookup, stage: &PlannedStage, ran: &Ran, store: &Store) {
        if let Some(key) = &lookup.key {
            // A cache that cannot be written costs a rerun next time, nothing more.
            match self
                .actions
                .record(&key.hash, &stage.config.name, ran, store)
            {
                Ok(entry) => {
                    if let Some((remote, _)) = &self.remote {
                        remote.upload(key, &entry, store);
                        // Another machine reusing the entry plans with the plugin's
                        // description, which it then need not compile the plugin for.
                        if let Ok(info) = serde_json::to_value(&stage.info) {
                            remote.upload_description(&stage.prepared.plugin.digest, info);
                        }
                    }
                }
                Err(e) => eprintln!(
                    "xhost: warning: not caching stage `{}`: {e:#}",
                    stage.config.name
                ),
            }
        }
    }

    /// What the cache did in this build, stages in pipeline order per target.
    pub fn summary(&self) -> Summary {
        let uses = self.uses.lock().expect("cache uses lock").clone();
        Summary::of(
            uses,
            self.remote.as_ref().map(|(remote, _)| remote.finish()),
        )
    }
}

impl Summary {
    /// The counts of `stages`, listed by target (release last), each target's in the
    /// order they ran.
    pub fn of(mut stages: Vec<StageUse>, remote: Option<remote::Summary>) -> Summary {
        stages.sort_by(|a, b| {
            (a.target == "release", &a.target).cmp(&(b.target == "release", &b.target))
        });
        Summary {
            hits: stages
                .iter()
                .filter(|s| s.result == CacheResult::Hit)
                .count(),
            remote_hits: stages.iter().filter(|s| s.remote).count(),
            executed_remotely: stages.iter().filter(|s| s.executed_remotely).count(),
            remote,
            misses: stages
                .iter()
                .filter(|s| s.result != CacheResult::Hit)
                .count(),
            stages,
        }
    }
}
