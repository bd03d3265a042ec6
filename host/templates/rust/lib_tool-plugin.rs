//! __NAME__: an xhost plugin in the `tool-plugin` world: besides its files it may run
//! the native programs its stage grants (`grants.exec`), by name, with typed path
//! arguments. This one records the Go toolchain a release was built with.

use xhost_plugin_sdk::exec::Command;
use xhost_plugin_sdk::files::write;
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};

struct Plugin;

impl Stage for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::release("__NAME__", env!("CARGO_PKG_VERSION"), "Records the Go toolchain version")
            .running(["go"])
    }

    fn run(_job: Job) -> Result<Vec<Artifact>, StageError> {
        let output = Command::new("go").arg("version").run()?;
        if !output.success() {
            return Err(StageError::failed(format!("go version failed: {}", output.stderr_text())));
        }
        write("/out/toolchain.txt", &output.stdout)?;
        info!("{}", String::from_utf8_lossy(&output.stdout).trim());
        Ok(vec![Artifact::output("toolchain.txt", ArtifactKind::Other, None)])
    }
}

xhost_plugin_sdk::export_plugin!(Plugin);
