//! A file's digest known without reading it again: the digest recorded together with
//! the file's stamp (device, inode, size, mode, modification and change times). Any
//! write, replacement, `chmod` or `touch` changes the stamp; the change time cannot be
//! set by programs. An unchanged, no-change rebuild then checks its outputs and the
//! published release with `stat` instead of hashing every byte twice.
//!
//! Timestamps are coarse (a kernel tick), so a file written in the same tick as its
//! stamp was taken could change without its stamp changing. As git does, a stamp taken
//! less than [`RACY`] after the file's change time is not trusted: the file is hashed
//! the next time, and the stamp taken then is.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How long after its change time a file's stamp can be trusted.
const RACY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mode: u32,
    mtime_ns: i128,
    ctime_ns: i128,
}

/// `sha256` is the digest of the file that had `stamp` when it was taken at `taken_ns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownDigest {
    pub sha256: String,
    stamp: Stamp,
    taken_ns: i128,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        Stamp::from_metadata(&path.symlink_metadata().ok()?)
    }

    fn from_metadata(meta: &std::fs::Metadata) -> Option<Stamp> {
        if !meta.is_file() {
            return None;
        }
        Some(Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mode: meta.mode(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        })
    }
}

impl KnownDigest {
    /// Records that the file at `path` has digest `sha256`, which the caller has just
    /// computed or checked.
    pub fn record(path: &Path, sha256: &str) -> Option<KnownDigest> {
        Some(KnownDigest {
            sha256: sha256.to_string(),
            stamp: Stamp::of(path)?,
            taken_ns: now_ns(),
        })
    }

    /// The stamp of the file at `path`, with its content's digest when the stamp is too
    /// fresh to be trusted: a later [`KnownDigest::check`] then compares the content
    /// instead, as git does with a racily clean index entry. None when it is not a
    /// regular file that can be read.
    pub fn stamp(path: &Path) -> Option<KnownDigest> {
        let taken_ns = now_ns();
        let meta = path.symlink_metadata().ok()?;
        let mut known = KnownDigest::from_metadata(&meta, "", taken_ns)?;
        if !known.settled() {
            known.sha256 = crate::digest::sha256_file(path).ok()?.0;
        }
        Some(known)
    }

    /// Whether the file at `path` still has what was recorded: by its stamp alone when
    /// that is trusted, else by its content when a digest was recorded.
    pub fn check(&self, path: &Path) -> Check {
        if self.holds_for(path) {
            return Check::ByStamp;
        }
        if self.sha256.is_empty() {
            return Check::Changed;
        }
        let taken_ns = now_ns();
        let Ok(meta) = path.symlink_metadata() else {
            return Check::Changed;
        };
        match crate::digest::sha256_file(path) {
            Ok((sha256, _)) if sha256 == self.sha256 => {
                match KnownDigest::from_metadata(&meta, &sha256, taken_ns) {
                    Some(fresh) => Check::ByContent(fresh),
                    None => Check::Changed,
                }
            }
            _ => Check::Changed,
        }
    }

    /// Records that the file whose metadata `meta` was read at `taken_ns` (before its
    /// content was) has digest `sha256`.
    pub fn from_metadata(
        meta: &std::fs::Metadata,
        sha256: &str,
        taken_ns: i128,
    ) -> Option<KnownDigest> {
        Some(KnownDigest {
            sha256: sha256.to_string(),
            stamp: Stamp::from_metadata(meta)?,
            taken_ns,
        })
    }

    /// True when the file at `path` certainly still has this digest: its stamp is the
    /// recorded one, and that stamp was taken well after the file last changed.
    pub fn holds_for(&self, path: &Path) -> bool {
        self.settled() && Stamp::of(path).as_ref() == Some(&self.stamp)
    }

    /// [`KnownDigest::holds_for`] the file whose metadata is `meta`.
    pub fn holds_for_metadata(&self, meta: &std::fs::Metadata) -> bool {
        self.settled() && Stamp::from_metadata(meta).as_ref() == Some(&self.stamp)
    }

    fn settled(&self) -> bool {
        self.stamp.ctime_ns + RACY.as_nanos() as i128 <= self.taken_ns
    }
}

/// What [`KnownDigest::check`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// The stamp is the recorded one, taken well after the file last changed.
    ByStamp,
    /// The stamp could not tell, but the content is the recorded one: the record to keep
    /// instead, stamped now.
    ByContent(KnownDigest),
    Changed,
}

/// Now, as [`KnownDigest`] records times: nanoseconds since the epoch.
pub fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A digest recorded as if long after the file was written.
    fn settled(path: &Path) -> KnownDigest {
        let mut known = KnownDigest::record(path, "digest").unwrap();
        known.taken_ns += 10 * RACY.as_nanos() as i128;
        known
    }

    #[test]
    fn a_fresh_stamp_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        assert!(
            !KnownDigest::record(&file, "digest")
                .unwrap()
                .holds_for(&file)
        );
        assert!(settled(&file).holds_for(&file));
    }

    #[test]
    fn any_change_breaks_the_stamp() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        type Change<'a> = (&'a str, &'a dyn Fn(&Path));
        let changes: [Change; 4] = [
            ("same-size write", &|f| std::fs::write(f, "y").unwrap()),
            ("chmod", &|f| {
                std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).unwrap()
            }),
            ("replacement", &|f| {
                std::fs::write(f.with_extension("new"), "y").unwrap();
                std::fs::rename(f.with_extension("new"), f).unwrap();
            }),
            ("removal", &|f| std::fs::remove_file(f).unwrap()),
        ];
        for (what, change) in changes {
            std::fs::write(&file, "x").unwrap();
            let known = settled(&file);
            // Let the clock move past the stamp's tick, as any later edit would.
            std::thread::sleep(Duration::from_millis(20));
            change(&file);
            assert!(!known.holds_for(&file), "{what} went unnoticed");
        }
    }

    #[test]
    fn a_fresh_stamp_is_checked_by_content_then_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("HEAD");
        std::fs::write(&file, "ref: refs/heads/main\n").unwrap();
        let known = KnownDigest::stamp(&file).unwrap();
        assert!(!known.sha256.is_empty(), "a fresh stamp keeps the digest");
        let Check::ByContent(fresh) = known.check(&file) else {
            panic!("an unchanged file within the racy window is checked by content");
        };
        assert_eq!(fresh.sha256, known.sha256);

        // Rewritten with the same bytes: still the same content.
        std::fs::write(&file, "ref: refs/heads/main\n").unwrap();
        assert!(matches!(known.check(&file), Check::ByContent(_)));
        // Same size, other bytes, within the same tick: caught by content.
        std::fs::write(&file, "ref: refs/heads/next\n").unwrap();
        assert_eq!(known.check(&file), Check::Changed);
    }

    #[test]
    fn a_settled_stamp_is_trusted_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("go");
        std::fs::write(&file, "a program").unwrap();
        let mut known = KnownDigest::stamp(&file).unwrap();
        known.taken_ns += 10 * RACY.as_nanos() as i128;
        assert_eq!(known.check(&file), Check::ByStamp);
        let old = std::time::SystemTime::now() - 10 * RACY;
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let settled = KnownDigest::stamp(&file);
        // The change time is now, whatever the modification time says: still fresh.
        assert!(!settled.unwrap().sha256.is_empty());
        std::fs::write(&file, "another program").unwrap();
        assert_eq!(known.check(&file), Check::Changed);
    }
}
