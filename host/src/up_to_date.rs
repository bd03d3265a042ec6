//! Whether the last build's release still stands, told before anything is planned: a
//! no-change `xhost build` then loads no plugin, runs no git and reads no unchanged
//! file.
//!
//! When a build starts, before it reads anything, xhost takes what its outcome depends
//! on ([`Start::take`]): this xhost, the request, the environment, the source tree's
//! digest (through the source index, so only changed files are read) and the stamps of
//! git's `HEAD`, `packed-refs` and refs. Once the build is planned, it adds the stamps
//! of what the build reads outside the project: the programs, plugin files and key
//! files ([`Start::planned`]). After a successful publish, all of it is stored with the
//! release's file list ([`Start::record`]). The next build whose inputs are equal,
//! whose stamps all hold and whose `dist/` is exactly as published prints that list and
//! stops ([`Start::unchanged`]). A stamp taken within the racy window of its file's last
//! change is not trusted ([`KnownDigest`]); such a file's digest is kept with it and the
//! next build compares the content instead, then stamps it again, as git does with
//! racily clean index entries (a commit just before a build is the common case).
//!
//! Never skipped: a build with a stage granted the network (other than the module
//! fetch) or directories outside the project (`grants.paths`, whose trees are not
//! stamped), a project whose git directory is not a plain `.git` directory or with
//! variables set that point git elsewhere (`GIT_DIR` and the like), and `--no-cache`
//! (which records, but does not skip).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::artifacts::{Record, dist};
use crate::cache_layout::ProjectArea;
use crate::config::PluginRef;
use crate::known_digest::{Check, KnownDigest};
use crate::plan::Plan;

/// What a build's outcome depends on, equal between two builds that make the same
/// release (with the stamps kept beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Inputs {
    xhost: String,
    /// The request's options that change what is built or where it goes.
    request: String,
    /// SHA-256 of the environment, but for the shell's own bookkeeping.
    environment: String,
    source: String,
    /// Git's `HEAD`, `packed-refs` and refs files, relative to the git directory.
    git: BTreeSet<String>,
}

/// Files with their stamps.
type Stamps = Vec<(PathBuf, KnownDigest)>;

/// What the last successful build stored.
#[derive(Serialize, Deserialize)]
struct Stored {
    inputs: Inputs,
    /// Git's files, programs, plugin files and key files, each with its stamp.
    stamps: Stamps,
    /// Each published file's path under `dist/` and size.
    release: Vec<(String, u64)>,
}

/// A build's inputs, taken at its start.
pub struct Start {
    inputs: Inputs,
    stamps: Stamps,
    file: PathBuf,
    /// False once the plan shows a build that is not a function of its inputs.
    recordable: bool,
}

/// The release the last build published, still in place.
pub struct Unchanged {
    /// Each file's path under `dist/` and size.
    pub release: Vec<(String, u64)>,
}

/// Environment variables that change with the shell, not with what a build does.
const SHELL_BOOKKEEPING: [&str; 4] = ["PWD", "OLDPWD", "SHLVL", "_"];

impl Start {
    /// The inputs of a build of the project at `root` (canonical) publishing to `dist`
    /// with `request` (its options as text); none when they cannot be told cheaply and
    /// surely (see the module's documentation).
    pub fn take(root: &Path, dist: &Path, request: String, area: &ProjectArea) -> Option<Start> {
        let environment = environment()?;
        let (git, stamps) = git_stamps(root)?;
        let absolute_dist = std::path::absolute(dist).ok()?;
        let source =
            crate::cache::source_tree::digest(root, &[absolute_dist], Some(&area.source_index()))
                .ok()?;
        Some(Start {
            inputs: Inputs {
                xhost: crate::cache::xhost_identity().to_string(),
                request,
                environment,
                source,
                git,
            },
            stamps,
            file: area.last_build(),
            recordable: true,
        })
    }

    /// The source tree's digest taken at the start, for the build's action keys.
    pub fn source_digest(&self) -> &str {
        &self.inputs.source
    }

    /// The release the last build with these inputs published, when `dist` still holds
    /// exactly it (`published` is the publish memo); else why the release is built again.
    pub fn unchanged(&self, dist: &Path, published: &Path) -> Result<Unchanged, String> {
        let stored: Stored = std::fs::read(&self.file)
            .ok()
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .ok_or("no earlier build of this project was recorded")?;
        self.changed_inputs(&stored.inputs)?;
        let mut restamped = false;
        let mut stamps = stored.stamps;
        for (path, known) in &mut stamps {
            match known.check(path) {
                Check::ByStamp => {}
                Check::ByContent(fresh) => {
                    *known = fresh;
                    restamped = true;
                }
                Check::Changed => {
                    return Err(format!(
                        "{} may have changed since the last build",
                        path.display()
                    ));
                }
            }
        }
        if !dist::unchanged_since_publish(dist, published) {
            return Err(format!(
                "{} is not as the last build published it",
                dist.display()
            ));
        }
        let stored = Stored { stamps, ..stored };
        // Files read again because their stamps were too fresh get stamps taken now,
        // so the next check needs no reading (as git refreshes its index).
        if restamped && let Ok(bytes) = postcard::to_stdvec(&stored) {
            let _ = crate::files::write_atomic(&self.file, &bytes);
        }
        Ok(Unchanged {
            release: stored.release,
        })
    }

    /// Which of the stored inputs differs from this build's, if any.
    fn changed_inputs(&self, stored: &Inputs) -> Result<(), String> {
        let now = &self.inputs;
        let changed = [
            (stored.xhost != now.xhost, "xhost itself"),
            (stored.request != now.request, "the command's options"),
            (stored.environment != now.environment, "the environment"),
            (stored.source != now.source, "the source tree"),
            (stored.git != now.git, "git's refs"),
        ];
        match changed.iter().find(|(differs, _)| *differs) {
            Some((_, what)) => Err(format!("{what} changed since the last build")),
            None => Ok(()),
        }
    }

    /// Adds what the planned build reads outside the project; gives up on recording a
    /// build that is not a function of its inputs.
    pub fn planned(&mut self, plan: &Plan) {
        let fetches = plan.fetches().count();
        let stages = &plan.stages[fetches..];
        if stages
            .iter()
            .any(|s| s.config.grants.has("net") || s.config.grants.has("paths"))
        {
            self.recordable = false;
            return;
        }
        let mut outside: BTreeSet<PathBuf> = BTreeSet::new();
        for stage in &plan.stages {
            outside.extend(
                crate::caps::exec::programs(stage)
                    .values()
                    .map(|tool| tool.path.clone()),
            );
            match &stage.config.plugin {
                PluginRef::File { path, .. } => {
                    outside.insert(path.clone());
                }
                // A changed `trust` key means checking the plugin's signature again.
                PluginRef::Oci { trust, .. } => outside.extend(trust.iter().cloned()),
                PluginRef::Builtin { .. } => {}
            }
        }
        outside.extend(plan.config.keys.values().filter_map(|k| k.file.clone()));
        for path in outside {
            match KnownDigest::stamp(&path) {
                Some(known) => self.stamps.push((path, known)),
                None => {
                    self.recordable = false;
                    return;
                }
            }
        }
    }

    /// Stores these inputs with the release just published as `records`.
    pub fn record(self, records: &[Record]) {
        if !self.recordable {
            let _ = std::fs::remove_file(&self.file);
            return;
        }
        let stored = Stored {
            inputs: self.inputs,
            stamps: self.stamps,
            release: records.iter().map(|r| (r.path.clone(), r.size)).collect(),
        };
        // An optimisation: without it the next build plans and checks every stage.
        if let Ok(bytes) = postcard::to_stdvec(&stored) {
            let _ = crate::files::write_atomic(&self.file, &bytes);
        }
    }
}

/// Git's variables that make it read a repository, refs or objects elsewhere than the
/// `.git` directory whose files are stamped.
const GIT_ELSEWHERE: [&str; 10] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_REPLACE_REF_BASE",
    "GIT_NO_REPLACE_OBJECTS",
];

/// SHA-256 of every environment variable (sorted) but the shell's bookkeeping; none
/// when git is pointed elsewhere than `.git` ([`GIT_ELSEWHERE`]).
fn environment() -> Option<String> {
    let mut vars: Vec<(std::ffi::OsString, std::ffi::OsString)> = std::env::vars_os()
        .filter(|(k, _)| !SHELL_BOOKKEEPING.iter().any(|s| k == s))
        .collect();
    if vars
        .iter()
        .any(|(k, _)| GIT_ELSEWHERE.iter().any(|g| k == g))
    {
        return None;
    }
    vars.sort();
    let mut hasher = Sha256::new();
    for (k, v) in vars {
        for part in [k, v] {
            let bytes = part.as_encoded_bytes();
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
    }
    Some(crate::digest::hex(&hasher.finalize()))
}

/// The git directory's `HEAD`, `packed-refs` and every file under `refs/`, with their
/// stamps, for the repository holding `root`; empty outside one; none when the git
/// directory is not a plain `.git` directory (a worktree or submodule's `.git` file).
fn git_stamps(root: &Path) -> Option<(BTreeSet<String>, Stamps)> {
    let Some(git_dir) = root
        .ancestors()
        .map(|dir| dir.join(".git"))
        .find(|dot| dot.symlink_metadata().is_ok())
    else {
        return Some((BTreeSet::new(), Vec::new()));
    };
    if !git_dir.symlink_metadata().ok()?.is_dir() {
        return None;
    }
    let mut names = crate::files::regular_files(&git_dir.join("refs"), "refs/")?;
    names.insert("HEAD".to_string());
    if git_dir.join("packed-refs").exists() {
        names.insert("packed-refs".to_string());
    }
    let mut stamps = Vec::new();
    for name in &names {
        let path = git_dir.join(name);
        stamps.push((path.clone(), KnownDigest::stamp(&path)?));
    }
    Some((names, stamps))
}
