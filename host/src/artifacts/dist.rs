//! Publishing `dist/`: the release is assembled in a temporary directory beside it and
//! swapped in with one atomic rename, so a failed build never touches the old `dist/`.
//!
//! When `dist/` already holds exactly the files to publish (known by the digests and
//! stamps recorded at the last publish, in the project's cache area), only
//! `artifacts.json` is replaced, by an atomic rename: a no-change rebuild writes one file.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rustix::fs::{CWD, RenameFlags, renameat_with};
use serde::{Deserialize, Serialize};

use super::{Record, Store, manifest};
use crate::known_digest::{Check, KnownDigest};

/// Refuses to replace a directory xhost did not make: an existing `dist` must be
/// empty or hold an `artifacts.json`. Checked before the build starts.
pub fn check_replaceable(dist: &Path) -> Result<()> {
    let meta = match dist.symlink_metadata() {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("checking {}", dist.display())),
    };
    if !meta.is_dir() {
        bail!(
            "{} exists and is not a directory; remove it or choose another --dist",
            dist.display()
        );
    }
    let empty = std::fs::read_dir(dist)
        .with_context(|| format!("reading {}", dist.display()))?
        .next()
        .is_none();
    if !empty && !dist.join(manifest::FILE_NAME).is_file() {
        bail!(
            "{} exists but was not made by xhost (it has no {}); xhost replaces its output directory as a whole, so move that directory away or choose another --dist",
            dist.display(),
            manifest::FILE_NAME
        );
    }
    Ok(())
}

/// Staging directories for `dist` are `.NAME.xhost-staging-*` beside it.
fn staging_prefix(dist: &Path) -> String {
    let name = dist
        .file_name()
        .map_or_else(|| "dist".into(), |n| n.to_string_lossy());
    format!(".{name}.xhost-staging-")
}

/// Removes what a build killed while publishing left beside `dist` (a half-written
/// release, or the previous one after the swap). Called under the project's lock.
pub fn remove_stale_staging(dist: &Path) -> Result<()> {
    let parent = dist
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = staging_prefix(dist);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            std::fs::remove_dir_all(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// What xhost last published into a directory: each file's mode and known digest.
#[derive(Serialize, Deserialize)]
struct Published {
    dist: PathBuf,
    files: BTreeMap<String, (bool, KnownDigest)>,
    /// `artifacts.json` as written.
    #[serde(default)]
    manifest: Option<KnownDigest>,
}

/// Publishes `records` (from `store`) and the manifest as `dist`; `memo` is where what
/// was published is remembered for the next time.
pub fn publish(
    dist: &Path,
    store: &Store,
    records: &[Record],
    manifest_json: &str,
    memo: &Path,
) -> Result<()> {
    check_replaceable(dist)?;
    if let Some(mut published) = already_there(dist, records, memo) {
        let manifest_file = dist.join(manifest::FILE_NAME);
        crate::files::write_atomic_with_mode(&manifest_file, manifest_json.as_bytes(), 0o644)?;
        published.manifest = manifest_stamp(&manifest_file, manifest_json);
        remember(memo, &published);
        return Ok(());
    }
    let staging = stage(dist, store, records, manifest_json)?;
    let published = Published {
        dist: dist.to_path_buf(),
        // Renaming the directory leaves its files' stamps as they are.
        files: records
            .iter()
            .filter_map(|r| {
                let known = KnownDigest::record(&staging.path().join(&r.path), &r.sha256)?;
                Some((r.path.clone(), (r.executable, known)))
            })
            .collect(),
        manifest: manifest_stamp(&staging.path().join(manifest::FILE_NAME), manifest_json),
    };
    swap_in(staging, dist)?;
    remember(memo, &published);
    Ok(())
}

fn manifest_stamp(file: &Path, manifest_json: &str) -> Option<KnownDigest> {
    KnownDigest::record(file, &crate::digest::sha256_hex(manifest_json.as_bytes()))
}

/// True when `dist` holds exactly what was last published there (`memo`), manifest
/// included, each file checked by [`still_published`]; stamps taken again are
/// remembered, so the next check needs only `stat` (as git refreshes its index).
pub fn unchanged_since_publish(dist: &Path, memo: &Path) -> bool {
    let Some(mut last) = std::fs::read(memo)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Published>(&bytes).ok())
    else {
        return false;
    };
    let Some(manifest) = last.manifest.take() else {
        return false;
    };
    let mut expected: BTreeSet<String> = last.files.keys().cloned().collect();
    expected.insert(manifest::FILE_NAME.to_string());
    if last.dist != dist || crate::files::regular_files(dist, "") != Some(expected) {
        return false;
    }
    let Some(manifest_now) = still_published(&dist.join(manifest::FILE_NAME), false, &manifest)
    else {
        return false;
    };
    let mut refreshed = manifest_now != manifest;
    for (path, (executable, known)) in last.files.iter_mut() {
        let Some(now) = still_published(&dist.join(path), *executable, known) else {
            return false;
        };
        refreshed |= now != *known;
        *known = now;
    }
    last.manifest = Some(manifest_now);
    if refreshed {
        remember(memo, &last);
    }
    true
}

/// The known digest of `file` if it still is as published (`known`, with that mode):
/// `known` itself when its stamp holds; else, when the content and mode still match,
/// a stamp taken now (one too fresh to trust is checked by content).
fn still_published(file: &Path, executable: bool, known: &KnownDigest) -> Option<KnownDigest> {
    let fresh = match known.check(file) {
        Check::ByStamp => return Some(known.clone()),
        Check::ByContent(fresh) => fresh,
        Check::Changed => return None,
    };
    // A stamp that holds covers the mode; content read again does not.
    let mode = if executable { 0o755 } else { 0o644 };
    (file.symlink_metadata().ok()?.permissions().mode() & 0o7777 == mode).then_some(fresh)
}

/// When `dist` holds exactly `records` (and a manifest) as last published, the stamps
/// to remember; None when anything differs or cannot be told without a full publish.
fn already_there(dist: &Path, records: &[Record], memo: &Path) -> Option<Published> {
    let last: Published = serde_json::from_slice(&std::fs::read(memo).ok()?).ok()?;
    if last.dist != dist || last.files.len() != records.len() {
        return None;
    }
    let mut expected: BTreeSet<String> = records.iter().map(|r| r.path.clone()).collect();
    expected.insert(manifest::FILE_NAME.to_string());
    if crate::files::regular_files(dist, "")? != expected {
        return None;
    }
    let mut files = BTreeMap::new();
    for record in records {
        let (executable, known) = last.files.get(&record.path)?;
        if *executable != record.executable || known.sha256 != record.sha256 {
            return None;
        }
        let known = still_published(&dist.join(&record.path), record.executable, known)?;
        files.insert(record.path.clone(), (record.executable, known));
    }
    Some(Published {
        dist: dist.to_path_buf(),
        files,
        manifest: None,
    })
}

/// Remembering is an optimisation: without it the next build publishes in full.
fn remember(memo: &Path, published: &Published) {
    if let Ok(json) = serde_json::to_vec(published) {
        let _ = crate::files::write_atomic(memo, &json);
    }
}

/// Writes `records` and the manifest into a new staging directory beside `dist`.
fn stage(
    dist: &Path,
    store: &Store,
    records: &[Record],
    manifest_json: &str,
) -> Result<tempfile::TempDir> {
    let parent = dist
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(&staging_prefix(dist))
        .tempdir_in(parent)
        .with_context(|| format!("creating a staging directory in {}", parent.display()))?;
    for record in records {
        let dest = staging.path().join(&record.path);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        copy_verified(&store.path(&record.sha256), &dest, &record.sha256)?;
        let mode = if record.executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("setting the mode of {}", dest.display()))?;
    }
    let manifest_path = staging.path().join(manifest::FILE_NAME);
    std::fs::write(&manifest_path, manifest_json)
        .with_context(|| format!("writing {}", manifest_path.display()))?;
    // Whatever the umask: the next build checks every published file's mode.
    std::fs::set_permissions(&manifest_path, std::fs::Permissions::from_mode(0o644))
        .with_context(|| format!("setting the mode of {}", manifest_path.display()))?;
    Ok(staging)
}

/// Copies `from` to `to`, checking on the way that the bytes still have the digest
/// recorded for them: `artifacts.json` must never describe a file it does not match.
fn copy_verified(from: &Path, to: &Path, sha256: &str) -> Result<()> {
    let mut input =
        std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let mut output =
        std::fs::File::create(to).with_context(|| format!("creating {}", to.display()))?;
    let (actual, _) = crate::digest::sha256_copy(&mut input, &mut output)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    if actual != sha256 {
        bail!(
            "{} changed after it was produced (sha256 {actual}, recorded {sha256}); a program run by a later stage modified it",
            to.display()
        );
    }
    Ok(())
}

fn swap_in(staging: tempfile::TempDir, dist: &Path) -> Result<()> {
    if dist.exists() {
        // Exchange, so there is no moment without a complete dist/. The staging
        // TempDir then holds the old release and deletes it when dropped.
        renameat_with(CWD, staging.path(), CWD, dist, RenameFlags::EXCHANGE)
            .with_context(|| format!("swapping the new release into {}", dist.display()))?;
        Ok(())
    } else {
        let path = staging.keep();
        std::fs::rename(&path, dist)
            .with_context(|| format!("moving the new release to {}", dist.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::Kind;

    #[test]
    fn publish_refuses_bytes_that_no_longer_match_their_digest() {
        let tmp = tempfile::tempdir().unwrap();
        let from = tmp.path().join("from");
        std::fs::write(&from, "tampered").unwrap();
        let err = copy_verified(
            &from,
            &tmp.path().join("to"),
            &crate::digest::sha256_hex(b"original"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("changed after it was produced"), "{err}");
    }

    #[test]
    fn refuses_foreign_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let dist = tmp.path().join("dist");
        assert!(check_replaceable(&dist).is_ok());
        std::fs::create_dir(&dist).unwrap();
        assert!(check_replaceable(&dist).is_ok());
        std::fs::write(dist.join("notes.txt"), "mine").unwrap();
        assert!(
            check_replaceable(&dist)
                .unwrap_err()
                .to_string()
                .contains("not made by xhost")
        );
    }

    /// A store holding one executable, and its record.
    fn stored_binary() -> (tempfile::TempDir, Store, Record) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().join("store")).unwrap();
        std::fs::write(tmp.path().join("bin"), "binary").unwrap();
        let (sha256, size) = store.ingest(&tmp.path().join("bin")).unwrap();
        let record = Record {
            path: "x_linux_amd64/x".into(),
            kind: Kind::Binary,
            target: None,
            sha256,
            size,
            executable: true,
            meta: vec![],
            stage: "s".into(),
            plugin: "p".into(),
            plugin_digest: "d".into(),
        };
        (tmp, store, record)
    }

    #[test]
    fn publish_replaces_the_whole_directory() {
        let (tmp, store, record) = stored_binary();
        let dist = tmp.path().join("dist");
        std::fs::create_dir(&dist).unwrap();
        std::fs::write(dist.join(manifest::FILE_NAME), "{}").unwrap();
        std::fs::write(dist.join("stale"), "old").unwrap();
        let memo = tmp.path().join("published.json");
        publish(&dist, &store, &[record], "{\"new\":1}\n", &memo).unwrap();
        assert!(!dist.join("stale").exists());
        let bin = dist.join("x_linux_amd64/x");
        assert_eq!(std::fs::read(&bin).unwrap(), b"binary");
        assert_eq!(bin.metadata().unwrap().permissions().mode() & 0o777, 0o755);
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".dist.xhost-staging-")
            })
            .collect();
        assert!(leftovers.is_empty(), "staging directory left behind");
    }

    #[test]
    fn an_unchanged_release_is_left_in_place_and_a_tampered_one_replaced() {
        use std::os::unix::fs::MetadataExt;
        let (tmp, store, record) = stored_binary();
        let (dist, memo) = (tmp.path().join("dist"), tmp.path().join("published.json"));
        let records = std::slice::from_ref(&record);
        let bin = dist.join("x_linux_amd64/x");
        publish(&dist, &store, records, "{\"n\":1}\n", &memo).unwrap();
        let inode = bin.metadata().unwrap().ino();

        publish(&dist, &store, records, "{\"n\":2}\n", &memo).unwrap();
        assert_eq!(
            bin.metadata().unwrap().ino(),
            inode,
            "an unchanged file was rewritten"
        );
        assert_eq!(
            std::fs::read_to_string(dist.join(manifest::FILE_NAME)).unwrap(),
            "{\"n\":2}\n"
        );

        std::fs::write(&bin, "BINARY").unwrap();
        publish(&dist, &store, records, "{\"n\":3}\n", &memo).unwrap();
        assert_eq!(
            std::fs::read(&bin).unwrap(),
            b"binary",
            "a tampered file was kept"
        );

        std::fs::write(dist.join("extra"), "x").unwrap();
        publish(&dist, &store, records, "{\"n\":4}\n", &memo).unwrap();
        assert!(!dist.join("extra").exists(), "a foreign file survived");
    }
}
