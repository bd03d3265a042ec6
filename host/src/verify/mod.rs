//! `xhost verify`: checks a published release as its users would, failing closed.
//!
//! What is checked is decided by the files and their contents, never by the kinds
//! `artifacts.json` claims (the manifest is not signed): signature files by their names
//! (`.sig`, `.sigstore.json`, `.minisig`, next to what they sign), attestations by
//! their DSSE envelopes (or `.intoto.jsonl` name), checksums files by their
//! `sha256sum` lines. Then every file must be *covered*:
//!
//! - with `--key`: authenticated — signed by a key given, a subject of an attestation
//!   that verifies with a key given, listed in a checksums file that is itself
//!   authenticated, or held by an authenticated archive; a verified signature file and
//!   a published public key equal to a key given need nothing more. Every key given must
//!   have verified something, so a removed signature or attestation is caught;
//! - without `--key`: consistent — listed with its digest by some checksums file or
//!   attestation (integrity only; nothing is authenticated, and signatures cannot be
//!   checked, which is a failure).
//!
//! `--require provenance` makes a release without a verified attestation a failure.
//! `artifacts.json` is still compared with the files (listed but missing, unlisted,
//! differing digests), but nothing is trusted for being in it.

mod archives;
mod attestation;
mod checksums;
pub mod public_keys;
mod signatures;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::artifacts::manifest;
pub use public_keys::PublicKeys;

/// Files larger than this are not read as possible checksums files or attestations.
const MAX_READ: u64 = 64 << 20;

/// What a verification must find besides coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// At least one attestation that verifies.
    Provenance,
}

/// The outcome: what was checked and what failed, by file.
#[derive(Default)]
pub struct Report {
    pub files: usize,
    pub signatures: usize,
    pub attestations: usize,
    pub checksums: usize,
    /// Keys were given: coverage means authenticated, not only consistent.
    pub authenticated: bool,
    pub failures: Vec<(String, String)>,
}

impl Report {
    fn fail(&mut self, file: &str, why: impl Into<String>) {
        self.failures.push((file.to_string(), why.into()));
    }
}

/// A file listed in `artifacts.json`.
struct Listed {
    sha256: String,
    size: u64,
}

/// Who vouches for which file, as the checks go.
#[derive(Default)]
struct Coverage {
    /// Files whose bytes are vouched for (authenticated with keys, consistent without).
    vouched: BTreeSet<String>,
    /// Checksums files, by path, with their lines.
    checksums: BTreeMap<String, Vec<checksums::Line>>,
    /// Digests of the files inside archives, by archive path.
    archive_entries: BTreeMap<String, Vec<String>>,
    /// Files that need nothing more (verified signatures, given public keys).
    self_evident: BTreeSet<String>,
    /// Keys (by index) that verified a signature or an attestation.
    keys_used: BTreeSet<usize>,
    attestations_verified: usize,
}

pub fn verify(dist: &Path, keys: &[PathBuf], required: &[Requirement]) -> Result<Report> {
    let keys = PublicKeys::load(keys)?;
    let listed = read_manifest(dist)?;
    let mut report = Report {
        authenticated: !keys.is_empty(),
        ..Report::default()
    };
    let files = hash_files(dist, &listed, &mut report)?;
    compare_with_manifest(&listed, &files, &mut report);
    report.files = files.len();

    let mut coverage = Coverage::default();
    for path in files.keys() {
        check_file(dist, path, &files, &keys, &mut coverage, &mut report)?;
    }
    propagate(dist, &files, &mut coverage, report.authenticated);
    for path in files.keys() {
        if !coverage.vouched.contains(path) && !coverage.self_evident.contains(path) {
            report.fail(path, uncovered(&keys));
        }
    }
    for (index, key) in keys.keys.iter().enumerate() {
        if !coverage.keys_used.contains(&index) {
            report.fail(
                &key.name,
                "this key verified no signature or attestation in the release: one may have been removed",
            );
        }
    }
    if required.contains(&Requirement::Provenance) && coverage.attestations_verified == 0 {
        report.fail(
            "(release)",
            "no provenance attestation verifies (--require provenance): it is missing, or not signed by a key given",
        );
    }
    Ok(report)
}

/// Checks one file as what its name or content says it is.
fn check_file(
    dist: &Path,
    path: &str,
    files: &BTreeMap<String, (String, u64)>,
    keys: &PublicKeys,
    coverage: &mut Coverage,
    report: &mut Report,
) -> Result<()> {
    let (_, size) = files[path];
    let signed = signatures::signed_file(path);
    // Checksums files, attestations and signatures are small; an archive is not read
    // here (its digest is already known).
    if signed.is_none() && size > MAX_READ {
        return Ok(());
    }
    let bytes = std::fs::read(dist.join(path)).with_context(|| format!("reading {path}"))?;
    if let Some(signed) = signed {
        report.signatures += 1;
        let Ok(message) = std::fs::read(dist.join(signed)) else {
            report.fail(path, format!("signs {signed}, which is missing"));
            return Ok(());
        };
        let text = String::from_utf8_lossy(&bytes);
        match signatures::check(path, &text, &message, keys) {
            Ok(key) => {
                coverage.keys_used.insert(key);
                coverage.self_evident.insert(path.to_string());
                coverage.vouched.insert(signed.to_string());
            }
            // Reported once, as what it is, not again as uncovered.
            Err(why) => {
                coverage.self_evident.insert(path.to_string());
                report.fail(path, why);
            }
        }
    } else if attestation::is_attestation(path, &bytes) {
        report.attestations += 1;
        match attestation::check(&bytes, files, keys) {
            Ok(attested) => {
                if attested.unchecked {
                    report.fail(
                        path,
                        "no P-256 or Ed25519 public key given (--key) to check its signature",
                    );
                } else {
                    coverage.attestations_verified += 1;
                }
                coverage.keys_used.extend(attested.keys);
                coverage.self_evident.insert(path.to_string());
                coverage.vouched.extend(attested.subjects);
                for problem in attested.problems {
                    report.fail(path, problem);
                }
            }
            Err(why) => {
                coverage.self_evident.insert(path.to_string());
                report.fail(path, why);
            }
        }
    } else if let Some(lines) = checksums::parse(&bytes) {
        report.checksums += 1;
        for line in &lines {
            match files.get(&line.path) {
                None => report.fail(
                    &line.path,
                    format!("named in {path} (line {}) but missing", line.number),
                ),
                Some((sha256, _)) if *sha256 != line.sha256 => report.fail(
                    &line.path,
                    format!("does not match {path} (line {})", line.number),
                ),
                Some(_) => {}
            }
        }
        coverage.checksums.insert(path.to_string(), lines);
        // Without keys a checksums file is where integrity starts; with keys it needs
        // a signature or an attestation like any other file.
        if !report.authenticated {
            coverage.self_evident.insert(path.to_string());
        }
    } else if std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| keys.same_as(t))
        .is_some()
    {
        // A published public key that is one of the keys given adds no trust.
        coverage.self_evident.insert(path.to_string());
    }
    Ok(())
}

/// Spreads what is vouched for: the lines of vouched-for checksums files (or, without
/// keys, of every checksums file), then the files inside vouched-for archives, until
/// nothing changes.
fn propagate(
    dist: &Path,
    files: &BTreeMap<String, (String, u64)>,
    coverage: &mut Coverage,
    authenticated: bool,
) {
    loop {
        let before = coverage.vouched.len();
        for (path, lines) in &coverage.checksums {
            if authenticated && !coverage.vouched.contains(path) {
                continue;
            }
            for line in lines {
                if files
                    .get(&line.path)
                    .is_some_and(|(sha, _)| *sha == line.sha256)
                {
                    coverage.vouched.insert(line.path.clone());
                }
            }
        }
        // Archives are opened only while some file still needs them.
        let all_vouched = files.keys().all(|p| coverage.vouched.contains(p));
        let archives: Vec<String> = coverage
            .vouched
            .iter()
            .filter(|p| !all_vouched && !coverage.archive_entries.contains_key(*p))
            .cloned()
            .collect();
        for archive in archives {
            let digests = archives::entry_digests(&dist.join(&archive));
            coverage.archive_entries.insert(archive, digests);
        }
        let inside: BTreeSet<&String> = coverage.archive_entries.values().flatten().collect();
        let held: Vec<String> = files
            .iter()
            .filter(|(path, (sha, _))| !coverage.vouched.contains(*path) && inside.contains(sha))
            .map(|(path, _)| path.clone())
            .collect();
        coverage.vouched.extend(held);
        if coverage.vouched.len() == before {
            break;
        }
    }
}

fn uncovered(keys: &PublicKeys) -> &'static str {
    if keys.is_empty() {
        "not covered: no checksums file or attestation lists it with its digest"
    } else {
        "not covered: no signed checksums file or verified attestation lists it, it is in no signed archive, and it has no signature of its own by a key given"
    }
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
                    sha256: field("sha256").unwrap_or_default(),
                    size: e["size"].as_u64().unwrap_or(u64::MAX),
                },
            ))
        })
        .collect()
}

/// The manifest is a hint, not a trust anchor; disagreeing with the files is still
/// a failure, since a release that was tampered with usually shows it here first.
fn compare_with_manifest(
    listed: &BTreeMap<String, Listed>,
    files: &BTreeMap<String, (String, u64)>,
    report: &mut Report,
) {
    for (path, entry) in listed {
        match files.get(path) {
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
}

/// Every regular file under `dist` (but the manifest) with its digest and size; files
/// not in the manifest, names that cannot be shown safely and anything that is not a
/// regular file are failures.
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
            if !crate::report::sanitize::is_plain_name(&rel) {
                report.fail(
                    &rel,
                    "its name holds control characters, line or paragraph separators or bidi controls",
                );
            }
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
