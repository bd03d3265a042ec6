//! `builtin:checksum`: writes `<name>_<version>_checksums.txt` in the format
//! `sha256sum -c` reads (`<hex>  <path>` lines, sorted, LF) over what users download:
//! the archives, the binaries of targets that have no archive (bare wasm by default),
//! SBOMs and other release files.

use std::io::Read;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use xhost_plugin_sdk::files::{input_rel, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, Target};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Only `sha256` is supported; present so a typo fails loudly.
    algorithm: Option<String>,
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
        if let Some(algorithm) = config.algorithm.filter(|a| a != "sha256") {
            return Err(StageError::InvalidConfig(format!(
                "algorithm `{algorithm}` is not supported; use sha256"
            )));
        }
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
                    sha256_file(&input.path)?,
                    input_rel(&input.path)
                ))
            })
            .collect::<Result<Vec<String>, StageError>>()?;
        lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
        let name = format!("{}_{}_checksums.txt", job.project.name, job.project.version);
        write(format!("/out/{name}"), lines.concat())?;
        Ok(vec![Artifact::output(&name, ArtifactKind::Checksum, None)])
    }
}

fn sha256_file(path: &str) -> Result<String, StageError> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| StageError::failed(format!("opening {path}: {e}")))?;
    let mut hasher = Sha256::new();
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
