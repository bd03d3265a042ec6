//! Publishing `dist/`: the release is assembled in a temporary directory beside it and
//! swapped in with one atomic rename, so a failed build never touches the old `dist/`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use rustix::fs::{CWD, RenameFlags, renameat_with};

use super::{Record, Store, manifest};

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

/// Writes `records` (from `store`) and the manifest into a new directory and swaps it
/// in for `dist`.
pub fn publish(dist: &Path, store: &Store, records: &[Record], manifest_json: &str) -> Result<()> {
    check_replaceable(dist)?;
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
    swap_in(staging, dist)
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

    #[test]
    fn publish_replaces_the_whole_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().join("store")).unwrap();
        std::fs::write(tmp.path().join("bin"), "binary").unwrap();
        let (sha256, size) = store.ingest(&tmp.path().join("bin")).unwrap();
        let dist = tmp.path().join("dist");
        std::fs::create_dir(&dist).unwrap();
        std::fs::write(dist.join(manifest::FILE_NAME), "{}").unwrap();
        std::fs::write(dist.join("stale"), "old").unwrap();
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
        publish(&dist, &store, &[record], "{\"new\":1}\n").unwrap();
        assert!(!dist.join("stale").exists());
        let bin = dist.join("x_linux_amd64/x");
        assert_eq!(std::fs::read(&bin).unwrap(), b"binary");
        assert_eq!(bin.metadata().unwrap().permissions().mode() & 0o777, 0o755);
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".xhost-dist-"))
            .collect();
        assert!(leftovers.is_empty(), "staging directory left behind");
    }
}
