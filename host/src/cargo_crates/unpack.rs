//! Unpacking a checked `.crate` file (a gzipped tar of `name-version/…`) as cargo
//! does, so that cargo, reading the registry offline and read-only, finds the sources
//! and builds them without unpacking anything itself: every entry under the crate's own
//! directory, plain files and directories only, bounded in size, and `.cargo-ok`
//! written last with the content cargo writes (`{"v":1}`), which tells cargo the
//! directory is complete.

use std::io::Read;
use std::path::{Component, Path};

use anyhow::{Context, Result, bail};

/// What one crate may unpack to: cargo's own limit.
const MAX_UNPACKED: u64 = 512 << 20;

/// Unpacks `file` into `registry_src/<stem>/`.
pub fn crate_file(file: &Path, registry_src: &Path, stem: &str) -> Result<()> {
    let target = registry_src.join(stem);
    std::fs::create_dir_all(&target).with_context(|| format!("creating {}", target.display()))?;
    let reader =
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(reader));
    let mut total = 0u64;
    for entry in archive.entries().context("reading the crate's entries")? {
        let mut entry = entry.context("reading the crate's entries")?;
        let path = entry.path().context("an entry's path")?.into_owned();
        let Ok(inside) = path.strip_prefix(stem) else {
            bail!("entry {} is outside {stem}/", path.display());
        };
        if inside
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            bail!("entry {} is not a plain path", path.display());
        }
        let dest = target.join(inside);
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                std::fs::create_dir_all(&dest)
                    .with_context(|| format!("creating {}", dest.display()))?;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                total += entry.size();
                if total > MAX_UNPACKED {
                    bail!("it unpacks to more than {} MiB", MAX_UNPACKED >> 20);
                }
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("creating {}", parent.display()))?;
                }
                let mode = entry.header().mode().unwrap_or(0o644);
                let mut bytes = Vec::with_capacity(entry.size().min(1 << 20) as usize);
                entry
                    .read_to_end(&mut bytes)
                    .with_context(|| format!("reading {}", path.display()))?;
                write_new(&dest, &bytes, mode)?;
            }
            // pax and GNU headers carry long names and metadata, already applied.
            tar::EntryType::XHeader
            | tar::EntryType::XGlobalHeader
            | tar::EntryType::GNULongName
            | tar::EntryType::GNULongLink => {}
            other => bail!(
                "entry {} is a {other:?}, which a crate xhost builds may not hold",
                path.display()
            ),
        }
    }
    write_new(&target.join(".cargo-ok"), br#"{"v":1}"#, 0o644)
}

/// Creates `path` (never through an existing file or link) with `bytes`, executable
/// when the archive said so.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mode = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            // Written raw, so that a crafted `..` reaches the reader.
            header.as_gnu_mut().unwrap().name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn unpacks_under_its_own_directory_and_marks_it_complete() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-1.0.0.crate");
        std::fs::write(
            &file,
            crate_bytes(&[
                ("a-1.0.0/Cargo.toml", b"[package]"),
                ("a-1.0.0/src/lib.rs", b""),
            ]),
        )
        .unwrap();
        crate_file(&file, &dir.path().join("src"), "a-1.0.0").unwrap();
        let root = dir.path().join("src/a-1.0.0");
        assert_eq!(
            std::fs::read(root.join("Cargo.toml")).unwrap(),
            b"[package]"
        );
        assert_eq!(
            std::fs::read(root.join(".cargo-ok")).unwrap(),
            br#"{"v":1}"#
        );
    }

    #[test]
    fn entries_outside_the_crate_are_refused() {
        for bad in ["b-1.0.0/x", "a-1.0.0/../../x", "/etc/x"] {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("a-1.0.0.crate");
            std::fs::write(&file, crate_bytes(&[(bad, b"x")])).unwrap();
            let err = crate_file(&file, &dir.path().join("src"), "a-1.0.0").unwrap_err();
            assert!(format!("{err:#}").contains("entry"), "{bad}: {err:#}");
            assert!(!dir.path().join("x").exists());
        }
    }
}
