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
    /// The nearest tag before it (`git describe` of the parent when the commit is
    /// tagged, else of the commit), as GoReleaser finds `PreviousTag`.
    pub previous_tag: Option<String>,
    /// GoReleaser's `.Summary`: the tag at HEAD, else `TAG-COUNT-gHASH`, else the short
    /// commit.
    pub summary: Option<String>,
}

impl Commit {
    pub fn read(dir: &Path) -> Commit {
        let Some(hash) = git(dir, &["rev-parse", "--verify", "HEAD"]) else {
            return Commit::default();
        };
        // One `describe` says both the nearest tag and whether it is at HEAD; only a
        // tagged HEAD needs a second, for the tag before it.
        let described = git(dir, &["describe", "--tags", "--long", "HEAD"]);
        let nearest = described.as_deref().and_then(nearest_tag);
        // GoReleaser's `.Summary` (`git describe --tags --always`), without `--dirty`:
        // telling a dirty tree can run the repository's clean filters.
        let summary = match (&nearest, &described) {
            (Some((tag, 0)), _) => tag.clone(),
            (Some(_), Some(long)) => long.clone(),
            _ => hash[..hash.len().min(7)].to_string(),
        };
        let (tag, previous_tag) = match nearest {
            Some((tag, 0)) => (
                Some(tag),
                git(dir, &["describe", "--tags", "--abbrev=0", "HEAD^"]),
            ),
            Some((tag, _)) => (None, Some(tag)),
            None => (None, None),
        };
        Commit {
            time: git(dir, &["cat-file", "commit", "HEAD"]).and_then(|c| committer_time(&c)),
            previous_tag,
            tag,
            summary: Some(summary),
            hash: Some(hash),
        }
    }
}

/// The commits after `since` (a tag) up to HEAD, newest first; every commit reachable
/// from HEAD when there is no earlier tag. `rev-list` is plumbing: it shows no
/// signatures, so it runs no `gpg.program`.
pub fn commits_since(dir: &Path, since: Option<&str>) -> Vec<crate::changelog::Commit> {
    let range = match since {
        Some(tag) => format!("refs/tags/{tag}..HEAD"),
        None => "HEAD".to_string(),
    };
    let Some(listing) = git(
        dir,
        &[
            "rev-list",
            "--no-commit-header",
            "--format=%H%x1f%s%x1f%b%x1e",
            &range,
            "--",
        ],
    ) else {
        return Vec::new();
    };
    listing
        .split('\x1e')
        .filter_map(|record| {
            let mut fields = record.trim_start_matches('\n').splitn(3, '\x1f');
            let hash = fields.next()?.to_string();
            let subject = fields.next()?.to_string();
            let body = fields.next().unwrap_or_default().trim().to_string();
            (!hash.is_empty()).then_some(crate::changelog::Commit {
                hash,
                subject,
                body,
            })
        })
        .collect()
}

/// `git describe --long`'s `TAG-COUNT-gHASH` as the tag and the number of commits
/// since it (tags may hold `-`, so it is read from the right).
fn nearest_tag(described: &str) -> Option<(String, u64)> {
    let mut parts = described.rsplitn(3, '-');
    let hash = parts.next()?;
    let count = parts.next()?.parse().ok()?;
    let tag = parts.next()?;
    hash.starts_with('g').then(|| (tag.to_string(), count))
}

/// The committer time of a raw commit object (`committer NAME <EMAIL> SECONDS ZONE`).
fn committer_time(commit: &str) -> Option<u64> {
    let line = commit
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("committer "))?;
    line.rsplit(' ').nth(1)?.parse().ok()
}

/// Runs git in the project. Only plumbing that runs no program the repository's own
/// configuration names: `git log` would run `gpg.program` for a commit carrying a
/// signature when `log.showSignature` is set, and a checked-out repository is the
/// project's to configure (untrusted code, in CI).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_long_splits_from_the_right() {
        assert_eq!(nearest_tag("v1.2.3-0-gabc1234"), Some(("v1.2.3".into(), 0)));
        assert_eq!(
            nearest_tag("release-2024-05-7-g0123abc"),
            Some(("release-2024-05".into(), 7))
        );
        assert_eq!(nearest_tag("v1"), None);
    }

    #[test]
    fn committer_time_comes_from_the_commit_header() {
        let commit = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1 +0000\ncommitter C D <c@d> 1796382947 +0100\ngpgsig -----BEGIN-----\n x\n\ncommitter 5 +0000 in the message\n";
        assert_eq!(committer_time(commit), Some(1796382947));
        assert_eq!(committer_time("tree x\n"), None);
    }
}
