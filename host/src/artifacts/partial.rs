//! A partial release: what `xhost build --split` publishes — one runner's targets,
//! made by the per-target stages only — with the `partial` section of its
//! `artifacts.json` holding what `xhost merge` needs to finish the release on another
//! machine. Read back as untrusted input: a partial reaches the merge through a CI
//! system's artifact store, so every field is checked and every file hashed.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::{Record, manifest};
use crate::cache::StageUse;
use crate::caps::signing::Signed;
use crate::target::Target;

/// The largest `artifacts.json` a merge reads.
const MAX_MANIFEST: u64 = 64 << 20;

/// The `partial` section of a partial release's `artifacts.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The targets built here.
    pub targets: Vec<String>,
    /// Every target the configuration names: the build settings every stage was given.
    pub configured: Vec<String>,
    /// SHA-256 of the `xhost.toml` it was built with; none without one.
    pub config_sha256: Option<String>,
    /// Every artifact as the merge takes it back (with what `artifacts` leaves out:
    /// the executable bit, which a CI artifact store may lose, and metadata in order).
    pub records: Vec<Record>,
}

impl Section {
    /// The section for `records`, the per-target artifacts of `targets`.
    pub fn new(
        targets: &[Target],
        configured: &[Target],
        config_sha256: Option<String>,
        records: &[Record],
    ) -> Section {
        let names = |targets: &[Target]| targets.iter().map(ToString::to_string).collect();
        Section {
            targets: names(targets),
            configured: names(configured),
            config_sha256,
            records: records.to_vec(),
        }
    }
}

/// A partial read from its directory: its manifest parsed strictly and each record
/// checked for form. Its files are checked when they are taken in ([`Partial::take`]).
#[derive(Debug)]
pub struct Partial {
    /// The directory, as the user named it.
    pub dir: PathBuf,
    pub project: ProjectFacts,
    pub xhost_version: String,
    pub unsandboxed_tools: bool,
    pub targets: Vec<Target>,
    pub configured: Vec<String>,
    pub config_sha256: Option<String>,
    pub records: Vec<Record>,
    /// What the action cache did for its stages.
    pub uses: Vec<StageUse>,
    pub signed: Vec<Signed>,
}

/// The project as a build names it in `artifacts.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFacts {
    pub name: String,
    pub version: String,
    pub commit: Option<String>,
    pub source_date_epoch: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestIn {
    schema: String,
    project: ProjectFacts,
    xhost: XhostIn,
    /// What every reader of `artifacts.json` reads; the section's records are what a
    /// merge takes, and both must agree.
    artifacts: Vec<ArtifactIn>,
    #[serde(default)]
    cache: Option<CacheIn>,
    #[serde(default)]
    signatures: Vec<Signed>,
    #[serde(default)]
    partial: Option<Section>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct XhostIn {
    version: String,
    unsandboxed_tools: bool,
}

#[derive(Deserialize)]
struct ArtifactIn {
    path: String,
    sha256: String,
    size: u64,
}

#[derive(Deserialize)]
struct CacheIn {
    stages: Vec<StageUse>,
}

impl Partial {
    /// Reads the partial release in `dir`.
    pub fn read(dir: &Path) -> Result<Partial> {
        let file = dir.join(manifest::FILE_NAME);
        let shown = file.display();
        let text = read_bounded(&file)
            .with_context(|| format!("partial release {}: reading {shown}", dir.display()))?;
        let manifest: ManifestIn = serde_json::from_str(&text)
            .with_context(|| format!("{shown}: not an artifacts.json xhost wrote (or damaged)"))?;
        if manifest.schema != manifest::SCHEMA {
            bail!(
                "{shown}: schema `{}`, but this xhost reads `{}`; build the partial with this xhost's version",
                manifest.schema,
                manifest::SCHEMA
            );
        }
        let Some(section) = manifest.partial else {
            bail!(
                "{shown}: a whole release, not a partial one; `xhost merge` takes the directories `xhost build --split` wrote"
            );
        };
        let targets = section
            .targets
            .iter()
            .map(|t| {
                t.parse::<Target>()
                    .map_err(|e| anyhow::anyhow!("{shown}: partial.targets: {e}"))
            })
            .collect::<Result<Vec<_>>>()?;
        for record in &section.records {
            check(record, &targets).with_context(|| format!("{shown}: partial.records"))?;
        }
        let records = section.records;
        agree(&records, &manifest.artifacts).with_context(|| shown.to_string())?;
        Ok(Partial {
            dir: dir.to_path_buf(),
            project: manifest.project,
            xhost_version: manifest.xhost.version,
            unsandboxed_tools: manifest.xhost.unsandboxed_tools,
            targets,
            configured: section.configured,
            config_sha256: section.config_sha256,
            records,
            uses: manifest.cache.map(|c| c.stages).unwrap_or_default(),
            signed: manifest.signatures,
        })
    }

    /// Copies each file into `work`, refusing any whose bytes are not what its record
    /// says, and gives each copy to `ingest` (the store); then refuses anything the
    /// partial holds but does not list.
    pub fn take(
        &self,
        work: &Path,
        mut ingest: impl FnMut(&Path) -> Result<(String, u64)>,
    ) -> Result<()> {
        std::fs::create_dir_all(work)?;
        for (n, record) in self.records.iter().enumerate() {
            let file = self.dir.join(&record.path);
            let shown = file.display();
            let meta = std::fs::symlink_metadata(&file)
                .with_context(|| format!("partial release: {shown}"))?;
            if !meta.file_type().is_file() {
                bail!("partial release: {shown} is not a regular file (a link or a directory)");
            }
            let copy = work.join(format!("partial-{n}"));
            std::fs::copy(&file, &copy).with_context(|| format!("reading {shown}"))?;
            let (sha256, size) = ingest(&copy)?;
            if sha256 != record.sha256 || size != record.size {
                bail!(
                    "partial release: {shown} has SHA-256 {sha256} ({size} bytes), but its artifacts.json says {} ({} bytes); it changed after it was built: build that partial again",
                    record.sha256,
                    record.size
                );
            }
        }
        let listed: std::collections::BTreeSet<&str> = self
            .records
            .iter()
            .map(|r| r.path.as_str())
            .chain([manifest::FILE_NAME])
            .collect();
        let Some(files) = crate::files::regular_files(&self.dir, "") else {
            bail!(
                "partial release {}: holds something other than files and directories (a link?), or cannot be read; a partial holds only what `xhost build --split` wrote",
                self.dir.display()
            );
        };
        if let Some(extra) = files.iter().find(|f| !listed.contains(f.as_str())) {
            bail!(
                "partial release {}: {extra} is not listed in its artifacts.json; a partial holds only what `xhost build --split` wrote",
                self.dir.display()
            );
        }
        Ok(())
    }
}

/// Whether `dist` holds a partial release (its `artifacts.json` says so).
pub fn is_partial(dist: &Path) -> bool {
    read_bounded(&dist.join(manifest::FILE_NAME))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|manifest| manifest.get("partial").is_some())
}

/// A record of a partial, checked for form.
fn check(record: &Record, targets: &[Target]) -> Result<()> {
    let shown = crate::report::sanitize::shown_name(&record.path);
    if !crate::plugin_sandbox::outputs::is_plain_relative(&record.path)
        || record.path == manifest::FILE_NAME
    {
        bail!("`{shown}` is not a plain relative path in dist/");
    }
    match &record.target {
        Some(target) if targets.contains(target) => {}
        Some(target) => bail!("`{shown}` belongs to {target}, which the partial did not build"),
        None => bail!("`{shown}` belongs to no target; a partial holds per-target files only"),
    }
    let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !hex(&record.sha256) || !hex(&record.plugin_digest) {
        bail!("`{shown}`: a digest is not a SHA-256 in hex");
    }
    Ok(())
}

/// The section's records and the manifest's artifacts name the same files.
fn agree(records: &[Record], artifacts: &[ArtifactIn]) -> Result<()> {
    let mut listed: Vec<(&str, &str, u64)> = artifacts
        .iter()
        .map(|a| (a.path.as_str(), a.sha256.as_str(), a.size))
        .collect();
    let mut kept: Vec<(&str, &str, u64)> = records
        .iter()
        .map(|r| (r.path.as_str(), r.sha256.as_str(), r.size))
        .collect();
    listed.sort();
    kept.sort();
    if listed != kept {
        bail!(
            "its `artifacts` and `partial.records` list different files; build the partial again"
        );
    }
    let mut paths: Vec<&str> = kept.iter().map(|k| k.0).collect();
    paths.dedup();
    if paths.len() != kept.len() {
        bail!("a path is listed twice");
    }
    Ok(())
}

/// `file`'s text, refusing more than [`MAX_MANIFEST`] bytes.
fn read_bounded(file: &Path) -> Result<String> {
    let mut text = String::new();
    std::fs::File::open(file)?
        .take(MAX_MANIFEST + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_MANIFEST {
        bail!("larger than {} MiB", MAX_MANIFEST >> 20);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// A partial's directory whose manifest lists `path` for `target` (in `artifacts`
    /// as `listed`).
    fn partial_with(path: &str, target: &str, listed: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let item = serde_json::json!({
            "path": path, "kind": "binary", "target": target, "sha256": DIGEST, "size": 3,
            "executable": true, "meta": [["goos", "linux"]], "stage": "compile",
            "plugin": "builtin:go-build", "plugin_digest": DIGEST,
        });
        let manifest = serde_json::json!({
            "schema": manifest::SCHEMA,
            "project": { "name": "hello", "version": "1.0.0", "commit": null, "source_date_epoch": null },
            "xhost": { "version": env!("CARGO_PKG_VERSION"), "unsandboxed_tools": false },
            "artifacts": [{ "path": listed, "sha256": DIGEST, "size": 3 }],
            "signatures": [],
            "partial": {
                "targets": ["linux/amd64"], "configured": ["linux/amd64"],
                "config_sha256": null, "records": [item],
            },
        });
        std::fs::write(dir.path().join(manifest::FILE_NAME), manifest.to_string()).unwrap();
        dir
    }

    fn refusal(dir: &tempfile::TempDir) -> String {
        format!("{:#}", Partial::read(dir.path()).unwrap_err())
    }

    #[test]
    fn a_well_formed_partial_reads() {
        let dir = partial_with(
            "hello_linux_amd64/hello",
            "linux/amd64",
            "hello_linux_amd64/hello",
        );
        let partial = Partial::read(dir.path()).unwrap();
        assert_eq!(partial.records[0].meta, [("goos".into(), "linux".into())]);
        assert!(partial.records[0].executable);
    }

    #[test]
    fn paths_leaving_dist_are_refused() {
        for path in [
            "../outside",
            "/etc/passwd",
            "a/../../b",
            "a//b",
            "a\\b",
            "artifacts.json",
            "a\u{202e}b",
        ] {
            let dir = partial_with(path, "linux/amd64", path);
            assert!(
                refusal(&dir).contains("not a plain relative path"),
                "{path}: {}",
                refusal(&dir)
            );
        }
    }

    #[test]
    fn a_record_of_a_target_it_did_not_build_is_refused() {
        let dir = partial_with(
            "hello_linux_arm64/hello",
            "linux/arm64",
            "hello_linux_arm64/hello",
        );
        assert!(
            refusal(&dir).contains("which the partial did not build"),
            "{}",
            refusal(&dir)
        );
    }

    #[test]
    fn records_must_agree_with_the_listed_artifacts() {
        let dir = partial_with(
            "hello_linux_amd64/hello",
            "linux/amd64",
            "hello_linux_amd64/other",
        );
        assert!(
            refusal(&dir).contains("list different files"),
            "{}",
            refusal(&dir)
        );
    }

    #[test]
    fn unknown_fields_and_whole_releases_are_refused() {
        let dir = partial_with(
            "hello_linux_amd64/hello",
            "linux/amd64",
            "hello_linux_amd64/hello",
        );
        let file = dir.path().join(manifest::FILE_NAME);
        let mut manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        manifest["partial"]["records"][0]["run_after_merge"] = "sh -c …".into();
        std::fs::write(&file, manifest.to_string()).unwrap();
        assert!(
            refusal(&dir).contains("not an artifacts.json xhost wrote"),
            "{}",
            refusal(&dir)
        );
        manifest.as_object_mut().unwrap().remove("partial");
        std::fs::write(&file, manifest.to_string()).unwrap();
        assert!(
            refusal(&dir).contains("a whole release"),
            "{}",
            refusal(&dir)
        );
        assert!(!is_partial(dir.path()));
    }
}
