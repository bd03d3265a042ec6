//! What git says about the source tree: commit, commit time and release tag.

use std::path::Path;
use std::process::{Command, Stdio};

/// Facts about the commit the source tree is at. All empty outside a git checkout
/// or without git.
#[derive(Debug, Default, Clone)]
pub struct Commit {
    pub hash: Option<String>,
    pub time: Option<u64>,
    /// A tag pointing exactly at the commit, e.g. `v1.2.3`.
    pub tag: Option<String>,
}

impl Commit {
    pub fn read(dir: &Path) -> Commit {
        let Some(hash) = git(dir, &["rev-parse", "--verify", "HEAD"]) else {
            return Commit::default();
        };
        Commit {
            time: git(dir, &["log", "-1", "--format=%ct", "HEAD"]).and_then(|t| t.parse().ok()),
            tag: git(dir, &["describe", "--tags", "--exact-match", "HEAD"]),
            hash: Some(hash),
        }
    }

    /// The first 7 hex digits of the commit hash.
    pub fn short(&self) -> Option<&str> {
        self.hash.as_deref().map(|h| &h[..h.len().min(7)])
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !text.is_empty()).then_some(text)
}
