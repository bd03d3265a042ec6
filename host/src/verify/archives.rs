//! The files inside a release's archives, by digest: a binary published beside its
//! archive (`<name>_<os>_<arch>/<binary>`) is covered when the authenticated archive
//! holds the same bytes, as users download it that way.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Bytes read out of one archive at most: an archive is opened whether or not it is
/// authenticated (without `--key`), so a compression bomb must end somewhere.
const MAX_UNPACKED: u64 = 8 << 30;

/// The SHA-256 of every regular file in `file` when it is a tar.gz or zip archive (by
/// its first bytes); empty for anything else or an archive that does not read.
pub fn entry_digests(file: &Path) -> Vec<String> {
    let mut magic = [0u8; 4];
    let read_magic = std::fs::File::open(file).and_then(|mut f| f.read_exact(&mut magic));
    if read_magic.is_err() {
        return Vec::new();
    }
    let mut budget = MAX_UNPACKED;
    match magic {
        [0x1f, 0x8b, ..] => tar_gz(file, &mut budget).unwrap_or_default(),
        [b'P', b'K', 3, 4] => zip(file, &mut budget).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn tar_gz(file: &Path, budget: &mut u64) -> std::io::Result<Vec<String>> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(file)?);
    let mut archive = tar::Archive::new(gz);
    let mut digests = Vec::new();
    for entry in archive.entries()? {
        let entry = entry?;
        if entry.header().entry_type().is_file() {
            digests.push(digest(entry, budget)?);
        }
    }
    Ok(digests)
}

fn zip(file: &Path, budget: &mut u64) -> std::io::Result<Vec<String>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(file)?)?;
    let mut digests = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index)?;
        if entry.is_file() {
            digests.push(digest(entry, budget)?);
        }
    }
    Ok(digests)
}

fn digest(reader: impl Read, budget: &mut u64) -> std::io::Result<String> {
    let mut limited = reader.take(*budget + 1);
    let mut hasher = Sha256::new();
    let copied = std::io::copy(&mut limited, &mut hasher)?;
    if copied > *budget {
        return Err(std::io::Error::other("archive unpacks to more than 8 GiB"));
    }
    *budget -= copied;
    Ok(crate::digest::hex(&hasher.finalize()))
}
