//! __NAME__: an xhost plugin in the `plugin` world: it reads its inputs under `/in`,
//! writes outputs under `/out` and logs; nothing else. This one runs once per release
//! and writes an inventory of the release's artifacts. Make `describe` and `run` yours.

use serde::Deserialize;
use xhost_plugin_sdk::files::{input_rel, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};

/// The stage's `config` table in xhost.toml. Unknown keys are refused, so typos fail.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The report's first words.
    title: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Release inventory".into(),
        }
    }
}

struct Plugin;

impl Stage for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::release("__NAME__", env!("CARGO_PKG_VERSION"), "Writes an inventory of the release's artifacts")
            .consuming([ArtifactKind::Binary, ArtifactKind::Archive, ArtifactKind::Other])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let mut report = format!("{}: {} {}\n", config.title, job.project.name, job.project.version);
        for input in &job.inputs {
            let size = std::fs::metadata(&input.path)?.len();
            report.push_str(&format!("{size:>12}  {}\n", input_rel(&input.path)));
        }
        let name = format!("{}_{}___NAME__.txt", job.project.name, job.project.version);
        write(format!("/out/{name}"), report)?;
        info!("listed {} artifacts in {name}", job.inputs.len());
        Ok(vec![Artifact::output(&name, ArtifactKind::Other, None)])
    }
}

xhost_plugin_sdk::export_plugin!(Plugin);
