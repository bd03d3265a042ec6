//! A Rust project's crates, as the build needs them: Cargo.toml's package (name,
//! binaries), Cargo.lock's registry crates with their checksums, and whether they are
//! vendored (`.cargo/config.toml` replacing crates.io with a directory).
//!
//! The crates a fetch stage downloads are a fixed output like Go's module cache
//! (`go_modules::ModuleCache`, the same directory handling): named by the download key,
//! then checked by xhost — every `.crate` file against Cargo.lock's SHA-256, the
//! sources unpacked by xhost from those files alone ([`unpack`]) — before any build
//! reads them read-only as `CARGO_HOME`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::go_modules::ModuleCache;

mod unpack;

/// The registry Cargo.lock names crates.io by, in both spellings.
const CRATES_IO: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// One registry crate of Cargo.lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    pub name: String,
    pub version: String,
    /// SHA-256 of the `.crate` file, hex.
    pub checksum: String,
}

impl Crate {
    /// `name-version`, cargo's file and directory name for it.
    pub fn stem(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }
}

/// The package at the project's root, as Cargo.toml declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    /// `[[bin]]` names; the package's name when it has only `src/main.rs`.
    pub bins: Vec<String>,
}

/// A Rust project's dependency files, read.
#[derive(Debug)]
pub struct CargoCrates {
    root: PathBuf,
    /// Cargo.lock's bytes (the download key) and its registry crates.
    lock: Vec<u8>,
    pub crates: Vec<Crate>,
    /// `.cargo/config.toml`'s bytes, which say where crates come from.
    config: Option<Vec<u8>>,
    /// The directory crates.io is replaced with, when vendored.
    pub vendor: Option<PathBuf>,
}

#[derive(Deserialize)]
struct LockFile {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
}

impl CargoCrates {
    /// The project's Cargo files, or `None` when `root` has no Cargo.toml.
    pub fn read(root: &Path) -> Result<Option<CargoCrates>> {
        if !root.join("Cargo.toml").is_file() {
            return Ok(None);
        }
        let lock_path = root.join("Cargo.lock");
        let lock = std::fs::read(&lock_path).with_context(|| {
            format!(
                "{}: a release builds with the crates Cargo.lock pins (--locked); create it with `cargo generate-lockfile` and commit it",
                lock_path.display()
            )
        })?;
        let crates = registry_crates(&lock_path, &lock)?;
        let (config, vendor) = vendoring(root)?;
        Ok(Some(CargoCrates {
            root: root.to_path_buf(),
            lock,
            crates,
            config,
            vendor,
        }))
    }

    /// Whether a build must download crates: some are pinned and none vendored.
    pub fn downloads(&self) -> bool {
        self.vendor.is_none() && !self.crates.is_empty()
    }

    /// SHA-256 of Cargo.lock, `.cargo/config.toml` and `settings` (the fetch stages'
    /// names and config): what the fetched crates are a function of.
    pub fn download_key(&self, settings: &[(&str, &str)]) -> String {
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        part(b"Cargo.lock");
        part(&self.lock);
        if let Some(config) = &self.config {
            part(b".cargo/config.toml");
            part(config);
        }
        for (name, value) in settings {
            part(name.as_bytes());
            part(value.as_bytes());
        }
        crate::digest::hex(&hasher.finalize())
    }

    /// Checks what a fetch stage put in `cache`'s staging directory and makes it what
    /// builds read: each pinned crate's `.crate` file present once and equal to
    /// Cargo.lock's checksum, every other file under `registry/cache` and all of
    /// `registry/src` removed, and the sources unpacked again from the checked files.
    pub fn verify_fetched(&self, cache: &ModuleCache) -> Result<()> {
        let registry = cache.staging().join("registry");
        let downloaded = registry.join("cache");
        let mut wrong = Vec::new();
        let mut found = Vec::new();
        for krate in &self.crates {
            let file = format!("{}.crate", krate.stem());
            let places = crate_files(&downloaded, &file)?;
            match places.as_slice() {
                [] => wrong.push(format!("{}: not downloaded", krate.stem())),
                [one] => {
                    let (digest, _) = crate::digest::sha256_file(one)?;
                    if digest != krate.checksum {
                        wrong.push(format!(
                            "{}: sha256 {digest}, Cargo.lock says {}",
                            krate.stem(),
                            krate.checksum
                        ));
                    } else {
                        found.push((krate, one.clone()));
                    }
                }
                _ => wrong.push(format!(
                    "{}: downloaded from {} registries; xhost fetches crates.io only",
                    krate.stem(),
                    places.len()
                )),
            }
        }
        if !wrong.is_empty() {
            bail!(
                "the downloaded crates differ from Cargo.lock; nothing was kept:\n  {}\nfix: if Cargo.lock is right, the registry (or the fetch stage's plugin) served other content; if you changed a dependency on purpose, run `cargo update -w` and commit Cargo.lock",
                wrong.join("\n  ")
            );
        }
        remove_unlisted(&downloaded, &found)?;
        let sources = registry.join("src");
        if sources.exists() {
            crate::files::remove_tree(&sources)
                .with_context(|| format!("removing {}", sources.display()))?;
        }
        for (krate, file) in &found {
            let index = file
                .parent()
                .and_then(Path::file_name)
                .context("a crate file outside a registry directory")?;
            unpack::crate_file(file, &sources.join(index), &krate.stem())
                .with_context(|| format!("unpacking {}", file.display()))?;
        }
        Ok(())
    }

    /// The project's root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Cargo.toml's package and binaries.
pub fn package(root: &Path) -> Result<Option<Package>> {
    #[derive(Deserialize)]
    struct Manifest {
        package: Option<PackageSection>,
        #[serde(default)]
        bin: Vec<Bin>,
    }
    #[derive(Deserialize)]
    struct PackageSection {
        name: String,
    }
    #[derive(Deserialize)]
    struct Bin {
        name: Option<String>,
    }
    let path = root.join("Cargo.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let manifest: Manifest =
        toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    let Some(package) = manifest.package else {
        return Ok(None);
    };
    let mut bins: Vec<String> = manifest.bin.into_iter().filter_map(|b| b.name).collect();
    if bins.is_empty() && root.join("src/main.rs").is_file() {
        bins.push(package.name.clone());
    }
    Ok(Some(Package {
        name: package.name,
        bins,
    }))
}

/// Cargo.lock's crates from crates.io; a crate from anywhere else is refused unless
/// vendored (checked by the caller), since the fetch reaches crates.io only.
fn registry_crates(path: &Path, text: &[u8]) -> Result<Vec<Crate>> {
    let text =
        std::str::from_utf8(text).with_context(|| format!("{}: not UTF-8", path.display()))?;
    let lock: LockFile =
        toml::from_str(text).with_context(|| format!("reading {}", path.display()))?;
    let mut crates = Vec::new();
    for package in lock.package {
        let Some(source) = &package.source else {
            continue;
        };
        if !CRATES_IO.contains(&source.as_str()) {
            bail!(
                "{}: crate `{}` {} comes from `{source}`, which xhost does not fetch; vendor the crates with `cargo vendor` (and the `.cargo/config.toml` it prints)",
                path.display(),
                package.name,
                package.version
            );
        }
        let checksum = package
            .checksum
            .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            .with_context(|| {
                format!(
                    "{}: crate `{}` {} has no SHA-256 checksum; regenerate Cargo.lock with `cargo generate-lockfile`",
                    path.display(),
                    package.name,
                    package.version
                )
            })?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b))
        };
        if !plain(&package.name) || !plain(&package.version) {
            bail!(
                "{}: crate `{}` {}: not a crate name and version",
                path.display(),
                package.name,
                package.version
            );
        }
        crates.push(Crate {
            name: package.name,
            version: package.version,
            checksum: checksum.to_ascii_lowercase(),
        });
    }
    Ok(crates)
}

/// `.cargo/config.toml` (or `.cargo/config`) and the directory it replaces crates.io
/// with, if any.
fn vendoring(root: &Path) -> Result<(Option<Vec<u8>>, Option<PathBuf>)> {
    let Some(path) = [".cargo/config.toml", ".cargo/config"]
        .iter()
        .map(|p| root.join(p))
        .find(|p| p.is_file())
    else {
        return Ok((None, None));
    };
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let config: toml::Table = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| toml::from_str(t).ok())
        .with_context(|| format!("{}: not a TOML file cargo can read", path.display()))?;
    let sources = config.get("source").and_then(|s| s.as_table());
    let replaced = sources
        .and_then(|s| s.get("crates-io"))
        .and_then(|c| c.get("replace-with"))
        .and_then(|r| r.as_str());
    let directory = replaced
        .and_then(|name| sources?.get(name))
        .and_then(|s| s.get("directory"))
        .and_then(|d| d.as_str());
    let vendor = match directory {
        Some(dir) => {
            let dir = root.join(dir);
            if !dir.is_dir() {
                bail!(
                    "{}: crates.io is replaced with the directory {}, which does not exist; run `cargo vendor` and commit it",
                    path.display(),
                    dir.display()
                );
            }
            Some(dir)
        }
        None => None,
    };
    Ok((Some(bytes), vendor))
}

/// Every `<registry>/<file>` under `cache`.
fn crate_files(cache: &Path, file: &str) -> Result<Vec<PathBuf>> {
    let Ok(registries) = std::fs::read_dir(cache) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for registry in registries {
        let candidate = registry?.path().join(file);
        if std::fs::symlink_metadata(&candidate).is_ok_and(|m| m.is_file()) {
            found.push(candidate);
        }
    }
    Ok(found)
}

/// Removes every file under `cache` that is not one of the checked crates.
fn remove_unlisted(cache: &Path, kept: &[(&Crate, PathBuf)]) -> Result<()> {
    let Ok(registries) = std::fs::read_dir(cache) else {
        return Ok(());
    };
    for registry in registries {
        let registry = registry?.path();
        if !std::fs::symlink_metadata(&registry)?.is_dir() {
            std::fs::remove_file(&registry)?;
            continue;
        }
        for entry in std::fs::read_dir(&registry)? {
            let path = entry?.path();
            if kept.iter().any(|(_, p)| *p == path) {
                continue;
            }
            if std::fs::symlink_metadata(&path)?.is_dir() {
                crate::files::remove_tree(&path)?;
            } else {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "heck"
version = "0.5.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea"

[[package]]
name = "hello"
version = "0.1.0"
dependencies = ["heck"]
"#;

    #[test]
    fn registry_crates_with_their_checksums() {
        let crates = registry_crates(Path::new("Cargo.lock"), LOCK.as_bytes()).unwrap();
        assert_eq!(
            crates,
            vec![Crate {
                name: "heck".into(),
                version: "0.5.0".into(),
                checksum: "2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea".into()
            }]
        );
    }

    #[test]
    fn git_crates_and_missing_checksums_are_refused() {
        let git = LOCK.replace(
            "registry+https://github.com/rust-lang/crates.io-index",
            "git+https://example.com/heck?rev=1#abc",
        );
        let err = registry_crates(Path::new("Cargo.lock"), git.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cargo vendor") && err.contains("heck"),
            "{err}"
        );
        let bare = LOCK.replace("checksum = ", "# checksum = ");
        let err = registry_crates(Path::new("Cargo.lock"), bare.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no SHA-256 checksum"), "{err}");
        let sneaky = LOCK.replace("\"heck\"\nversion", "\"../heck\"\nversion");
        assert!(registry_crates(Path::new("Cargo.lock"), sneaky.as_bytes()).is_err());
    }

    #[test]
    fn vendored_crates_are_found_through_cargo_s_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"hello\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("Cargo.lock"), LOCK).unwrap();
        let crates = CargoCrates::read(dir.path()).unwrap().unwrap();
        assert!(crates.downloads());
        std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
        std::fs::write(
            dir.path().join(".cargo/config.toml"),
            "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n[source.vendored-sources]\ndirectory = \"vendor\"\n",
        )
        .unwrap();
        let err = CargoCrates::read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("run `cargo vendor`"), "{err}");
        std::fs::create_dir_all(dir.path().join("vendor")).unwrap();
        let crates = CargoCrates::read(dir.path()).unwrap().unwrap();
        assert!(!crates.downloads());
        assert_ne!(crates.download_key(&[]), {
            std::fs::remove_dir_all(dir.path().join(".cargo")).unwrap();
            CargoCrates::read(dir.path())
                .unwrap()
                .unwrap()
                .download_key(&[])
        });
    }

    #[test]
    fn a_package_s_binaries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"tool\"\nversion = \"1.0.0\"\n\n[[bin]]\nname = \"tool-cli\"\npath = \"src/cli.rs\"\n",
        )
        .unwrap();
        assert_eq!(
            package(dir.path()).unwrap().unwrap(),
            Package {
                name: "tool".into(),
                bins: vec!["tool-cli".into()]
            }
        );
    }

    #[test]
    fn fetched_sources_are_unpacked_by_xhost_from_checked_crates_only() {
        // A real-shaped crate file, and a lock pinning its digest.
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let mut header = tar::Header::new_gnu();
        header.set_size(13);
        header.set_mode(0o644);
        header
            .set_path("heck-0.5.0/src/lib.rs")
            .expect("a plain path");
        header.set_cksum();
        builder.append(&header, &b"pub fn f() {}"[..]).unwrap();
        let bytes = builder.into_inner().unwrap().finish().unwrap();
        let checksum = crate::digest::sha256_hex(&bytes);
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("Cargo.toml"), "[package]\nname = \"hello\"\n").unwrap();
        std::fs::write(
            project.join("Cargo.lock"),
            LOCK.replace(
                "2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea",
                &checksum,
            ),
        )
        .unwrap();
        let crates = CargoCrates::read(&project).unwrap().unwrap();
        let cache = ModuleCache::new(&dir.path().join("modules"), "k".into());
        let staging = cache.begin().unwrap();
        let registry = staging.join("registry");
        let index = "index.crates.io-1949cf8c6b5b557f";
        std::fs::create_dir_all(registry.join("cache").join(index)).unwrap();
        std::fs::write(
            registry.join("cache").join(index).join("heck-0.5.0.crate"),
            &bytes,
        )
        .unwrap();
        // What the fetch may have planted: other sources marked complete, another crate.
        let planted = registry.join("src").join(index).join("heck-0.5.0");
        std::fs::create_dir_all(planted.join("src")).unwrap();
        std::fs::write(planted.join("src/lib.rs"), "evil").unwrap();
        std::fs::write(planted.join(".cargo-ok"), r#"{"v":1}"#).unwrap();
        std::fs::write(
            registry.join("cache").join(index).join("evil-1.0.0.crate"),
            "x",
        )
        .unwrap();

        crates.verify_fetched(&cache).unwrap();
        assert_eq!(
            std::fs::read(planted.join("src/lib.rs")).unwrap(),
            b"pub fn f() {}"
        );
        assert!(
            !registry
                .join("cache")
                .join(index)
                .join("evil-1.0.0.crate")
                .exists()
        );

        // Other bytes under the pinned name: refused.
        std::fs::write(
            registry.join("cache").join(index).join("heck-0.5.0.crate"),
            "x",
        )
        .unwrap();
        let err = crates.verify_fetched(&cache).unwrap_err().to_string();
        assert!(err.contains("heck-0.5.0: sha256"), "{err}");
    }
}
