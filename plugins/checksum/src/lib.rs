//! `builtin:checksum`: writes `<name>_<version>_checksums.txt` (or `name_template`, which
//! the host renders) in the format `sha256sum -c` (`sha512sum -c` with
//! `algorithm = "sha512"`) reads — `<hex>  <path>` lines, sorted, LF — over what users
//! download: the archives, the binaries of targets that have no archive (bare wasm by
//! default), SBOMs and other release files.

use std::io::Read;

use serde::Deserialize;
use sha2::{Digest, Sha256, Sha512};
use xhost_plugin_sdk::files::{input_rel, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, Target};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// `sha256` (default) or `sha512`.
    algorithm: Option<String>,
    /// The file's name (GoReleaser's `name_template`, rendered by the host).
    name_template: Option<String>,
}

struct Checksum;

impl Stage for Checksum {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "checksum",
            env!("CARGO_PKG_VERSION"),
            "Writes a sha256sum-compatible checksums file over the release's artifacts",
        )
        .consuming([
            ArtifactKind::Binary,
            ArtifactKind::Archive,
            ArtifactKind::Sbom,
            ArtifactKind::Other,
        ])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let algorithm = match config.algorithm.as_deref().unwrap_or("sha256") {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => {
                return Err(StageError::InvalidConfig(format!(
                    "algorithm `{other}` is not supported; use sha256 or sha512"
                )));
            }
        };
        // A binary that went into an archive is downloaded as the archive.
        let archived: Vec<&Option<Target>> = job
            .inputs
            .iter()
            .filter(|a| a.kind == ArtifactKind::Archive)
            .map(|a| &a.target)
            .collect();
        let mut lines = job
            .inputs
            .iter()
            .filter(|a| !(a.kind == ArtifactKind::Binary && archived.contains(&&a.target)))
            .map(|input| {
                Ok(format!(
                    "{}  {}\n",
                    hash_file(&input.path, algorithm)?,
                    input_rel(&input.path)
                ))
            })
            .collect::<Result<Vec<String>, StageError>>()?;
        let width = algorithm.hex_len() + 2;
        lines.sort_by(|a, b| a[width..].cmp(&b[width..]));
        let name = match config.name_template {
            Some(name) if name.is_empty() || name.contains('/') => {
                return Err(StageError::InvalidConfig(format!(
                    "name_template renders to `{name}`, which is not a file name"
                )));
            }
            Some(name) => name,
            None => format!("{}_{}_checksums.txt", job.project.name, job.project.version),
        };
        write(format!("/out/{name}"), lines.concat())?;
        Ok(vec![Artifact::output(&name, ArtifactKind::Checksum, None)])
    }
}

#[derive(Clone, Copy)]
enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

fn hash_file(path: &str, algorithm: Algorithm) -> Result<String, StageError> {
    match algorithm {
        Algorithm::Sha256 => digest_file::<Sha256>(path),
        Algorithm::Sha512 => digest_file::<Sha512>(path),
    }
}

fn digest_file<D: Digest>(path: &str) -> Result<String, StageError> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| StageError::failed(format!("opening {path}: {e}")))?;
    let mut hasher = D::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| StageError::failed(format!("reading {path}: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

xhost_plugin_sdk::export_plugin!(Checksum);
