//! The module cache a fetch stage fills: a fixed output. It is named by the download
//! key (the lock files and the fetch stage's settings), filled once in a staging
//! directory, verified by xhost against go.sum (`go mod verify`, offline, in the tool
//! sandbox: never by trusting the fetch), and only then renamed into place, where every
//! later build with the same key finds it and every program reads it read-only.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::files::GoSum;
use crate::caps::exec::tools::Tool;
use crate::config::Limits;
use crate::files::remove_tree;

/// Module caches kept per project besides the current one (a branch switched back).
const KEPT: usize = 2;

/// One download key's module cache.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    pub key: String,
    /// Where it is once complete.
    pub dir: PathBuf,
}

impl ModuleCache {
    /// The cache for `key` in `modules` (the project's area).
    pub fn new(modules: &Path, key: String) -> ModuleCache {
        ModuleCache {
            dir: modules.join(&key),
            key,
        }
    }

    /// Whether it was fetched and verified before.
    pub fn ready(&self) -> bool {
        self.dir.is_dir()
    }

    /// A fresh, empty staging directory for the fetch (a crashed fetch's is removed).
    pub fn begin(&self) -> Result<PathBuf> {
        let staging = self.staging();
        if staging.exists() {
            remove_tree(&staging)?;
        }
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("creating {}", staging.display()))?;
        Ok(staging)
    }

    /// Moves a verified staging directory into place and drops older keys' caches but
    /// the most recent few.
    pub fn commit(&self) -> Result<()> {
        let staging = self.staging();
        std::fs::rename(&staging, &self.dir)
            .with_context(|| format!("moving {} to {}", staging.display(), self.dir.display()))?;
        self.prune();
        Ok(())
    }

    /// Removes the staging directory of a fetch that failed.
    pub fn abandon(&self) {
        let _ = remove_tree(&self.staging());
    }

    pub fn staging(&self) -> PathBuf {
        self.dir.with_extension("partial")
    }

    fn prune(&self) {
        let Some(parent) = self.dir.parent() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(parent) else {
            return;
        };
        let mut others: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| *p != self.dir && p.extension().is_none())
            .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
            .collect();
        others.sort();
        others.reverse();
        for (_, old) in others.into_iter().skip(KEPT) {
            let _ = remove_tree(&old);
        }
    }
}

/// Checks the staged module cache against the project's go.sum, in two steps that
/// together leave the fetch nothing to forge: xhost compares each downloaded module's
/// recorded zip hash (`.ziphash`, which Go trusts when it builds) and each `.mod` file
/// with go.sum's line for it, then `go mod verify` (offline, confined, `work` as
/// scratch) checks every zip and extracted tree against its recorded hash. The error
/// names the modules that do not match.
pub fn verify(
    tool: &Tool,
    project: &Path,
    sums: &GoSum,
    cache: &ModuleCache,
    work: &Path,
    limits: &Limits,
) -> Result<()> {
    let staging = cache.staging();
    let forged = check_sums(&staging, sums);
    if !forged.is_empty() {
        bail!(
            "the downloaded modules differ from go.sum; nothing was kept:\n  {}\nfix: if go.sum is right, the module proxy (or the fetch stage's plugin) served other content: check the proxy settings; if you changed a dependency on purpose, run `go mod tidy` and commit go.sum",
            forged.join("\n  ")
        );
    }
    let finished =
        crate::caps::exec::run_for_host(tool, &["mod", "verify"], project, &staging, work, limits)?;
    let said = String::from_utf8_lossy(&finished.stdout).to_string()
        + &String::from_utf8_lossy(&finished.stderr);
    if finished.exit_code == Some(0) {
        return Ok(());
    }
    let mismatched: Vec<&str> = said
        .lines()
        .filter(|l| {
            l.contains(": dir has been modified")
                || l.contains(": zip has been modified")
                || l.contains("missing")
        })
        .collect();
    let shown = if mismatched.is_empty() {
        said.trim().to_string()
    } else {
        mismatched.join("\n")
    };
    bail!(
        "xhost's own check of the downloaded modules against go.sum (`go mod verify`) failed; nothing was kept:\n  {}\nfix: build again, which downloads the modules anew; if it fails again, the module proxy (or the fetch stage's plugin) serves content that differs from go.sum: check the proxy settings",
        shown.replace('\n', "\n  ")
    )
}

/// Each module in Go's download cache under `modules` whose hash differs from go.sum's
/// (modules go.sum does not list are never used by a build, which checks go.sum).
fn check_sums(modules: &Path, sums: &GoSum) -> Vec<String> {
    let download = modules.join("cache/download");
    let mut forged = Vec::new();
    for ((module, which), expected) in &sums.hashes {
        let at = download.join(escape(&module.path)).join("@v");
        let file = |extension: &str| at.join(format!("{}.{extension}", escape(&module.version)));
        let found = match *which {
            "" => read_trimmed(&file("ziphash")),
            _ => std::fs::read(file("mod"))
                .ok()
                .map(|bytes| go_mod_hash(&bytes)),
        };
        if let Some(found) = found
            && &found != expected
        {
            let what = if which.is_empty() { "zip" } else { "go.mod" };
            forged.push(format!(
                "{} {}: its {what} hashes to {found}, go.sum says {expected}",
                module.path, module.version
            ));
        }
    }
    forged
}

fn read_trimmed(file: &Path) -> Option<String> {
    std::fs::read_to_string(file)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Go's escaping of module paths and versions in its cache: an upper-case letter is
/// `!` and the letter in lower case.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// go.sum's hash of a `go.mod` file: Go's `dirhash.Hash1` over the one file `go.mod`.
fn go_mod_hash(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let summary = format!("{}  go.mod\n", crate::digest::sha256_hex(bytes));
    let digest = Sha256::digest(summary.as_bytes());
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_hashes_as_go_sum_records_them() {
        // go.sum's line for golang.org/x/sync v0.0.0-20180314180146-1d60e4601c6f/go.mod.
        assert_eq!(
            go_mod_hash(b"module golang.org/x/sync\n"),
            "h1:RxMgew5VJxzue5/jJTE5uejpjVlOe/izrB70Jof72aM="
        );
        assert_eq!(
            escape("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
    }

    /// A fetch that writes its own `.ziphash` (which Go trusts when it builds) or a
    /// `.mod` other than go.sum's is caught; modules go.sum does not list are ignored.
    #[test]
    fn forged_hashes_are_found() {
        let dir = std::env::temp_dir().join(format!("xhost-forged-{}", std::process::id()));
        let at = dir.join("cache/download/github.com/!burnt!sushi/toml/@v");
        std::fs::create_dir_all(&at).unwrap();
        let good_mod = b"module github.com/BurntSushi/toml\n";
        let sums = GoSum::parse(
            &format!(
                "github.com/BurntSushi/toml v1.0.0 h1:right=\ngithub.com/BurntSushi/toml v1.0.0/go.mod {}\n",
                go_mod_hash(good_mod)
            ),
            "go.sum",
        )
        .unwrap();
        std::fs::write(at.join("v1.0.0.ziphash"), "h1:right=\n").unwrap();
        std::fs::write(at.join("v1.0.0.mod"), good_mod).unwrap();
        std::fs::write(at.join("v9.9.9.ziphash"), "h1:unlisted=\n").unwrap();
        assert!(check_sums(&dir, &sums).is_empty());

        std::fs::write(at.join("v1.0.0.ziphash"), "h1:forged=\n").unwrap();
        std::fs::write(at.join("v1.0.0.mod"), b"module evil\n").unwrap();
        let forged = check_sums(&dir, &sums);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(forged.len(), 2, "{forged:?}");
        assert!(
            forged[0]
                .starts_with("github.com/BurntSushi/toml v1.0.0: its zip hashes to h1:forged=")
        );
        assert!(forged[1].contains("its go.mod hashes to"));
    }
}
