//! __NAME__: an xhost plugin in the `signer-plugin` world: besides its files it may
//! sign with the keys its stage grants (`grants.signing`). It never sees a key: it
//! names one by id and the host signs. This one writes `<file>.sig` (base64) for each
//! checksums file, archive and binary of the release.

use base64::Engine;
use serde::Deserialize;
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info, signing};

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The key id to sign with, as granted to the stage.
    key: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            key: "release".into(),
        }
    }
}

struct Plugin;

impl Stage for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::release("__NAME__", env!("CARGO_PKG_VERSION"), "Signs the release's files with a host-held key")
            .consuming([ArtifactKind::Checksum, ArtifactKind::Archive, ArtifactKind::Binary])
            .signing_with(1)
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let mut outputs = Vec::new();
        for input in &job.inputs {
            let signature = signing::sign(&config.key, &read(&input.path)?)?;
            let rel = format!("{}.sig", input_rel(&input.path));
            if let Some(dir) = std::path::Path::new(&format!("/out/{rel}")).parent() {
                std::fs::create_dir_all(dir)?;
            }
            write(format!("/out/{rel}"), base64::engine::general_purpose::STANDARD.encode(signature))?;
            outputs.push(Artifact::output(&rel, ArtifactKind::Signature, input.target.clone()));
        }
        info!("signed {} files with key `{}`", outputs.len(), config.key);
        Ok(outputs)
    }
}

xhost_plugin_sdk::export_plugin!(Plugin);
