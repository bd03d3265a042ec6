//! `xhost publish`: pushes a finished `dist/` to the destinations `[[publish]]` names.
//! Today that is the release's container images (the OCI image layouts
//! `builtin:oci-image` writes) to OCI registries. Network and credentials stay in the
//! host: no plugin runs. Nothing is pushed from a `dist/` that `xhost verify` rejects.

pub mod credentials;
mod layout;
mod registry;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

pub use registry::{Pushed, Repository};

/// What was pushed: each layout to each destination.
pub struct Published {
    pub layout: PathBuf,
    pub to: String,
    pub pushed: Pushed,
}

pub fn publish(dist: &Path, destinations: &[Repository]) -> Result<Vec<Published>> {
    if destinations.is_empty() {
        bail!(
            "xhost.toml names nowhere to publish: add a `[[publish]]` table with `registry = \"HOST/REPOSITORY\"`"
        );
    }
    let report = crate::verify::verify(dist, &[], &[])?;
    if !report.failures.is_empty() {
        bail!(
            "{} does not verify ({} problems; `xhost verify {}` lists them): nothing was published",
            dist.display(),
            report.failures.len(),
            dist.display()
        );
    }
    let layouts = layout::find(dist)?
        .iter()
        .map(|dir| layout::Layout::read(dir))
        .collect::<Result<Vec<_>>>()?;
    if layouts.is_empty() {
        bail!(
            "{} holds no container image to publish: add a `builtin:oci-image` stage and build again",
            dist.display()
        );
    }
    let mut published = Vec::new();
    for to in destinations {
        let credentials = credentials::for_registry(&to.registry)?;
        for layout in &layouts {
            let pushed = registry::push(layout, to, credentials.as_ref())?;
            published.push(Published {
                layout: layout.dir.clone(),
                to: format!("{}/{}", to.registry, to.repository),
                pushed,
            });
        }
    }
    Ok(published)
}
