//! Action keys: the SHA-256 of everything a stage invocation's outputs can depend on,
//! as canonical JSON (sorted keys, no whitespace).
//!
//! In every key: the key schema, this xhost (version and executable's digest), the plugin's
//! digest, the stage name, its config, the project and build settings, the target and
//! each input's path, kind, target, metadata and digest; then each granted
//! capability's parts (`crate::caps::Capability::key_parts`): for `/src`, the source
//! tree's digest (not its path, which the plugin never sees); for `paths`, each granted
//! directory's digest; for programs, each program's digest and the path it sees itself
//! at (confined, a fixed place for a toolchain outside the system directories, and
//! the project at a fixed place too; unconfined, the real paths and the project's);
//! for keys, each key's id and public key. A
//! stage granted `net` has no key: what it fetches is not among its inputs. Programs'
//! digests are remembered with their stamps (`known_digest`) in `programs.json`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::remote::ActionId;
use crate::artifacts::Record;
use crate::config::Config;
use crate::known_digest::KnownDigest;
use crate::plan::PlannedStage;
use crate::report::Lane;

/// Bumped whenever the meaning of a key or an entry changes.
const SCHEMA: &str = "xhost.action/v1";

/// What keys share within one build: the source tree's and programs' digests (this
/// xhost's executable among them), each computed at most once.
pub struct KeyContext {
    /// This xhost's part of every key, computed once per build.
    xhost: OnceLock<Result<Value, String>>,
    root: PathBuf,
    /// Directories under the root that are not source (the `dist/` being built).
    not_source: Vec<PathBuf>,
    source: OnceLock<Result<String, String>>,
    /// Digests of granted directories outside the project (`grants.paths`).
    trees: Mutex<HashMap<PathBuf, Result<String, String>>>,
    /// Programs' digests with their stamps, kept across builds in `programs_file`: the
    /// Go toolchain's `go` alone is 17 MB to hash.
    programs: Mutex<HashMap<PathBuf, KnownDigest>>,
    programs_file: PathBuf,
    /// The source tree's index, so a rebuild reads only the files that changed.
    source_index: PathBuf,
}

/// Why an invocation has no key.
#[derive(Debug)]
pub enum Uncacheable {
    /// The stage may reach the network.
    Network,
    /// Something the key needs could not be read.
    Unreadable(String),
}

impl KeyContext {
    /// Keys for a build of `config` publishing to `dist`; programs' digests are kept
    /// in `programs_file` ([`crate::cache_layout::CacheLayout::programs_file`]), the
    /// source files' in `source_index` ([`crate::cache_layout::ProjectArea::source_index`]).
    pub fn new(
        config: &Config,
        dist: &Path,
        programs_file: PathBuf,
        source_index: PathBuf,
    ) -> Self {
        let programs = std::fs::read(&programs_file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        KeyContext {
            xhost: OnceLock::new(),
            root: config.root.clone(),
            not_source: vec![dist.to_path_buf()],
            source: OnceLock::new(),
            trees: Mutex::default(),
            programs: Mutex::new(programs),
            programs_file,
            source_index,
        }
    }

    /// The key of running `stage` for `lane` over `inputs` with the size of the text
    /// it hashes, and that JSON.
    pub fn key(
        &self,
        config: &Config,
        stage: &PlannedStage,
        lane: &Lane,
        inputs: &[&Record],
    ) -> Result<(ActionId, Value), Uncacheable> {
        let project = &config.project;
        let build = &config.build;
        let mut key = json!({
            "schema": SCHEMA,
            "xhost": self.xhost()?,
            "plugin": stage.prepared.plugin.digest,
            "stage": stage.config.name,
            "config": stage.config.json_for(lane.as_ref()),
            "project": {
                "name": project.name,
                "version": project.version,
                "commit": project.commit,
                "source_date_epoch": project.source_date_epoch,
            },
            "build": {
                "main": build.main,
                "binary": build.binary,
                "ldflags": build.ldflags,
                "flags": build.flags,
            },
            "target": lane.as_ref().map(ToString::to_string),
            "inputs": inputs.iter().map(|r| json!({
                "path": r.path,
                "kind": r.kind.name(),
                "target": r.target.as_ref().map(ToString::to_string),
                "meta": r.meta,
                "sha256": r.sha256,
            })).collect::<Vec<_>>(),
        });
        // What the stage is granted: each capability adds its parts (the source tree's
        // digest, programs' digests, public keys), or makes the invocation uncacheable.
        let extra = key.as_object_mut().expect("the key is an object");
        for capability in crate::caps::granted_by(&stage.config.grants) {
            for (name, value) in capability.key_parts(stage, self)? {
                extra.insert(name.into(), value);
            }
        }
        let text = key.to_string();
        let id = ActionId {
            hash: crate::digest::sha256_hex(text.as_bytes()),
            size: text.len() as u64,
        };
        Ok((id, key))
    }

    /// This xhost: its version and its executable's digest (remembered with its stamp,
    /// like a program's), so a rebuilt xhost never reuses an older one's results while
    /// the same xhost, wherever it is installed and whenever copied there, does.
    fn xhost(&self) -> Result<Value, Uncacheable> {
        self.xhost
            .get_or_init(|| {
                let exe = std::env::current_exe()
                    .map_err(|e| format!("finding xhost's own executable: {e}"))?;
                let sha256 = self.program_digest(&exe).map_err(|e| e.to_string())?;
                Ok(json!({ "version": env!("CARGO_PKG_VERSION"), "sha256": sha256 }))
            })
            .clone()
            .map_err(Uncacheable::Unreadable)
    }

    /// The project directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Takes `digest` as the source tree's, taken by this build already.
    pub fn source_digest_is(&self, digest: String) {
        let _ = self.source.set(Ok(digest));
    }

    /// The source tree's digest, computed once per build.
    pub fn source_digest(&self) -> Result<String, Uncacheable> {
        self.source
            .get_or_init(|| {
                super::source_tree::digest(&self.root, &self.not_source, Some(&self.source_index))
                    .map_err(|e| format!("hashing the source tree: {e:#}"))
            })
            .clone()
            .map_err(Uncacheable::Unreadable)
    }

    /// The digest of a granted directory's tree, computed once per build.
    pub fn tree_digest(&self, dir: &Path) -> Result<String, Uncacheable> {
        let mut trees = self.trees.lock().expect("tree digests lock");
        trees
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                super::source_tree::digest(dir, &[], None)
                    .map_err(|e| format!("hashing {}: {e:#}", dir.display()))
            })
            .clone()
            .map_err(Uncacheable::Unreadable)
    }

    /// A program's digest, remembered with its stamp across builds.
    pub fn program_digest(&self, path: &Path) -> Result<String, Uncacheable> {
        let mut known = self.programs.lock().expect("program digests lock");
        if let Some(digest) = known.get(path).filter(|k| k.holds_for(path)) {
            return Ok(digest.sha256.clone());
        }
        let (digest, _) = crate::digest::sha256_file(path)
            .with_context(|| format!("hashing the program {}", path.display()))
            .map_err(|e| Uncacheable::Unreadable(format!("{e:#}")))?;
        if let Some(stamped) = KnownDigest::record(path, &digest) {
            known.insert(path.to_path_buf(), stamped);
            // Remembering is an optimisation: without it the next build hashes again.
            if let Ok(json) = serde_json::to_vec(&*known) {
                let _ = crate::files::write_atomic(&self.programs_file, &json);
            }
        }
        Ok(digest)
    }
}

/// This xhost as the up-to-date check compares it, cheaply: its version, and its
/// executable's size and modification time, so that a rebuilt or reinstalled xhost
/// never takes another's release as its own. (Action keys hold the digest instead.)
pub fn xhost_identity() -> Value {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .ok()
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{modified}", m.len())
        });
    json!({ "version": env!("CARGO_PKG_VERSION"), "exe": exe })
}

impl std::fmt::Display for Uncacheable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Uncacheable::Network => f.write_str("granted the network"),
            Uncacheable::Unreadable(why) => f.write_str(why),
        }
    }
}
