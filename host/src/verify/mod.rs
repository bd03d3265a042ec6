//! `xhost verify`: checks a published release as its users would. Every file against
//! `artifacts.json` and the checksums files, every signature against the public keys
//! given, and the provenance's signature and subjects. Each problem is reported with
//! the file it is about.

mod attestation;
mod public_keys;
mod signatures;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::artifacts::manifest;
pub use public_keys::PublicKeys;

/// The outcome: what was checked and what failed, by file.
#[derive(Default)]
pub struct Report {
    pub files: usize,
    pub signatures: usize,
    pub attestations: usize,
    pub failures: Vec<(String, String)>,
}

impl Report {
    fn fail(&mut self, file: &str, why: impl Into<String>) {
        self.failures.push((file.to_string(), why.into()));
    }
}

/// A file listed in `artifacts.json`.
struct Listed {
    kind: String,
    sha256: String,
    size: u64,
}

pub fn verify(dist: &Path, keys: &[PathBuf]) -> Result<Report> {
    let keys = PublicKeys::load(keys)?;
    let listed = read_manifest(dist)?;
    let mut report = Report::default();
    let actual = hash_files(dist, &listed, &mut report)?;
    for (path, entry) in &listed {
        match actual.get(path) {
            None => report.fail(path, "listed in artifacts.json but missing"),
            Some((sha256, _)) if *sha256 != entry.sha256 => report.fail(
                path,
                format!(
                    "sha256 {sha256} differs from artifacts.json ({})",
                    entry.sha256
                ),
            ),
            Some((_, size)) if *size != entry.size => report.fail(
                path,
                format!("size {size} differs from artifacts.json ({})", entry.size),
            ),
            Some(_) => {}
        }
    }
    report.files = actual.len();
    for (path, entry) in &listed {
        let Some(file) = actual.get(path).map(|_| dist.join(path)) else {
            continue;
        };
        match entry.kind.as_str() {
            "checksum" => check_sums(dist, path, &file, &actual, &mut report)?,
            "signature" => signatures::check(dist, path, &keys, &mut report)?,
            "provenance" => attestation::check(path, &file, &actual, &keys, &mut report)?,
            _ => {}
        }
    }
    Ok(report)
}

fn read_manifest(dist: &Path) -> Result<BTreeMap<String, Listed>> {
    let path = dist.join(manifest::FILE_NAME);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} is not an xhost release: cannot read {}",
            dist.display(),
            path.display()
        )
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    if json["schema"] != manifest::SCHEMA {
        bail!(
            "{}: schema is {}, expected {}",
            path.display(),
            json["schema"],
            manifest::SCHEMA
        );
    }
    let entries = json["artifacts"]
        .as_array()
        .with_context(|| format!("{}: no artifacts list", path.display()))?;
    entries
        .iter()
        .map(|e| {
            let field = |name: &str| e[name].as_str().map(str::to_string);
            let path = field("path").context("an artifact without a path")?;
            Ok((
                path,
                Listed {
                    kind: field("kind").unwrap_or_default(),
                    sha256: field("sha256").unwrap_or_default(),
                    size: e["size"].as_u64().unwrap_or(u64::MAX),
                },
            ))
        })
        .collect()
}

/// Every regular file under `dist` (but the manifest) with its digest and size; files
/// not in the manifest and anything that is not a regular file are failures.
fn hash_files(
    dist: &Path,
    listed: &BTreeMap<String, Listed>,
    report: &mut Report,
) -> Result<BTreeMap<String, (String, u64)>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dist.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            let rel = path
                .strip_prefix(dist)
                .expect("under dist")
                .to_string_lossy()
                .into_owned();
            let kind = path.symlink_metadata()?.file_type();
            if kind.is_dir() {
                stack.push(path);
            } else if !kind.is_file() {
                report.fail(&rel, "not a regular file");
            } else if rel != manifest::FILE_NAME {
                if !listed.contains_key(&rel) {
                    report.fail(&rel, "not listed in artifacts.json");
                }
                found.insert(rel, crate::digest::sha256_file(&path)?);
            }
        }
    }
    Ok(found)
}

/// Every line of a checksums file must match the file it names.
fn check_sums(
    _dist: &Path,
    name: &str,
    file: &Path,
    actual: &BTreeMap<String, (String, u64)>,
    report: &mut Report,
) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    for (number, line) in text.lines().enumerate() {
        let Some((sum, path)) = line.split_once("  ") else {
            report.fail(name, format!("line {}: not `<sha256>  <file>`", number + 1));
            continue;
        };
        match actual.get(path) {
            None => report.fail(path, format!("named in {name} but missing")),
            Some((sha256, _)) if sha256 != sum => {
                report.fail(path, format!("does not match {name} (line {})", number + 1))
            }
            Some(_) => {}
        }
    }
    Ok(())
}
