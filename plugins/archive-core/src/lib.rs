//! Reproducible release archives: the same entries and timestamp give the same bytes,
//! whoever builds them, wherever, whenever. Entries are sorted by name, owned by
//! uid/gid 0 with empty user and group names, stamped with one fixed time, and the
//! compressors' own headers carry no time or host of their own.

use std::io::Write;

/// One file (or directory, when `name` ends with `/`) in an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the archive, `/`-separated.
    pub name: String,
    /// Unix permission bits, e.g. `0o755`.
    pub mode: u32,
    pub data: Vec<u8>,
}

impl Entry {
    pub fn file(name: impl Into<String>, mode: u32, data: Vec<u8>) -> Self {
        Entry {
            name: name.into(),
            mode,
            data,
        }
    }

    pub fn directory(name: &str) -> Self {
        Entry {
            name: format!("{}/", name.trim_end_matches('/')),
            mode: 0o755,
            data: Vec::new(),
        }
    }

    fn is_directory(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// Why an archive could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// A gzip-compressed tar archive (GNU format, so long names are kept), owned by root.
pub fn tar_gz(entries: &[Entry], mtime: u64) -> Result<Vec<u8>, Error> {
    gzip(&tar(entries, mtime, Owner::ROOT)?)
}

/// Who owns every entry of a tar archive (numeric only: user and group names stay empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub uid: u64,
    pub gid: u64,
}

impl Owner {
    pub const ROOT: Owner = Owner { uid: 0, gid: 0 };
}

/// An uncompressed tar archive (GNU format): what an OCI image's layer digest-of-contents
/// (`diff_id`) is taken over.
pub fn tar(entries: &[Entry], mtime: u64, owner: Owner) -> Result<Vec<u8>, Error> {
    let mut tar = tar::Builder::new(Vec::new());
    for entry in sorted(entries)? {
        let mut header = tar::Header::new_gnu();
        header.set_mode(entry.mode);
        header.set_uid(owner.uid);
        header.set_gid(owner.gid);
        header.set_mtime(mtime);
        header.set_username("").map_err(io)?;
        header.set_groupname("").map_err(io)?;
        header.set_size(entry.data.len() as u64);
        header.set_entry_type(if entry.is_directory() {
            tar::EntryType::Directory
        } else {
            tar::EntryType::Regular
        });
        tar.append_data(&mut header, &entry.name, entry.data.as_slice())
            .map_err(|e| Error(format!("adding {} to the tar archive: {e}", entry.name)))?;
    }
    tar.into_inner().map_err(io)
}

/// `data` gzip-compressed, with no time, name or host in the header.
pub fn gzip(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut gzip = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::default());
    gzip.write_all(data).map_err(io)?;
    gzip.finish().map_err(io)
}

/// A deflate-compressed zip archive with Unix modes and no extra timestamp fields.
pub fn zip(entries: &[Entry], mtime: u64) -> Result<Vec<u8>, Error> {
    let stamp = dos_time(mtime);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for entry in sorted(entries)? {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(stamp)
            .unix_permissions(entry.mode)
            .large_file(entry.data.len() as u64 >= u64::from(u32::MAX));
        if entry.is_directory() {
            zip.add_directory(entry.name.trim_end_matches('/'), options)
                .map_err(|e| Error(format!("adding {} to the zip archive: {e}", entry.name)))?;
        } else {
            zip.start_file(entry.name.as_str(), options)
                .map_err(|e| Error(format!("adding {} to the zip archive: {e}", entry.name)))?;
            zip.write_all(&entry.data).map_err(io)?;
        }
    }
    Ok(zip.finish().map_err(|e| Error(e.to_string()))?.into_inner())
}

/// Entries in name order; duplicate names are an error.
fn sorted(entries: &[Entry]) -> Result<Vec<&Entry>, Error> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = sorted.windows(2).find(|p| p[0].name == p[1].name) {
        return Err(Error(format!("two entries named {}", pair[0].name)));
    }
    Ok(sorted)
}

/// Zip stores local time to 2 s from 1980 to 2107; out-of-range times are clamped.
fn dos_time(epoch: u64) -> zip::DateTime {
    let utc = time::OffsetDateTime::from_unix_timestamp(epoch.min(i64::MAX as u64) as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let clamped = utc.clamp(
        time::macros::datetime!(1980-01-01 0:00 UTC),
        time::macros::datetime!(2107-12-31 23:59:58 UTC),
    );
    zip::DateTime::try_from(time::PrimitiveDateTime::new(clamped.date(), clamped.time()))
        .unwrap_or_default()
}

fn io(error: std::io::Error) -> Error {
    Error(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn entries() -> Vec<Entry> {
        vec![
            Entry::file("hello_1.0.0/README.md", 0o644, b"# hello\n".to_vec()),
            Entry::directory("hello_1.0.0"),
            Entry::file(
                "hello_1.0.0/hello",
                0o755,
                vec![0x7f, b'E', b'L', b'F', 1, 2, 3],
            ),
        ]
    }

    #[test]
    fn tar_gz_is_reproducible_sorted_and_owned_by_root() {
        let a = tar_gz(&entries(), 1_700_000_000).unwrap();
        let mut reversed = entries();
        reversed.reverse();
        assert_eq!(
            a,
            tar_gz(&reversed, 1_700_000_000).unwrap(),
            "order of input entries leaked"
        );
        assert_ne!(a, tar_gz(&entries(), 1_700_000_001).unwrap());
        assert_eq!(&a[4..8], &[0, 0, 0, 0], "gzip header carries a time");
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(a.as_slice()));
        let listed: Vec<(String, u32, u64, u64, u64)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.mode().unwrap(),
                    h.uid().unwrap(),
                    h.gid().unwrap(),
                    h.mtime().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("hello_1.0.0/".to_string(), 0o755, 0, 0, 1_700_000_000),
                (
                    "hello_1.0.0/README.md".to_string(),
                    0o644,
                    0,
                    0,
                    1_700_000_000
                ),
                ("hello_1.0.0/hello".to_string(), 0o755, 0, 0, 1_700_000_000),
            ]
        );
    }

    #[test]
    fn zip_is_reproducible_with_modes() {
        let a = zip(&entries(), 1_700_000_000).unwrap();
        assert_eq!(a, zip(&entries(), 1_700_000_000).unwrap());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        let mut file = archive.by_name("hello_1.0.0/hello").unwrap();
        assert_eq!(file.unix_mode().unwrap() & 0o777, 0o755);
        let stamp = file.last_modified().unwrap();
        assert_eq!((stamp.year(), stamp.month(), stamp.day()), (2023, 11, 14));
        let mut body = Vec::new();
        file.read_to_end(&mut body).unwrap();
        assert_eq!(body, [0x7f, b'E', b'L', b'F', 1, 2, 3]);
    }

    #[test]
    fn old_times_clamp_to_1980_and_duplicates_are_refused() {
        let stamp = dos_time(0);
        assert_eq!((stamp.year(), stamp.month(), stamp.day()), (1980, 1, 1));
        let twice = vec![
            Entry::file("a", 0o644, vec![]),
            Entry::file("a", 0o644, vec![1]),
        ];
        assert!(
            tar_gz(&twice, 0)
                .unwrap_err()
                .0
                .contains("two entries named a")
        );
    }
}
