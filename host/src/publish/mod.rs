//! `xhost publish`: pushes a finished `dist/` to the destinations `[[publish]]` names:
//! the release's container images (the OCI image layouts `builtin:oci-image` writes)
//! and, where `files_tag` asks, the release's files as one OCI artifact, to OCI
//! registries. Network and credentials stay in the host: no plugin runs. Nothing is
//! pushed from a `dist/` that `xhost verify` rejects, and nothing at all when any
//! destination's push cannot be planned.

pub mod credentials;
mod files;
pub mod layout;
pub mod registry;
pub mod registry_error;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

pub use registry::{Pushed, Repository};

/// One `[[publish]]` table: a repository and what goes there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub to: Repository,
    /// Push the images: `None` pushes those `dist/` holds, `Some(true)` requires some.
    pub images: Option<bool>,
    /// Push the release's files as one OCI artifact under this tag.
    pub files_tag: Option<String>,
}

/// What was pushed: each layout (or the release's files) to each destination.
pub struct Published {
    /// The layout directory, or `dist/` for the release's files.
    pub what: PathBuf,
    pub to: String,
    pub pushed: Pushed,
}

/// Whether `tag` is a valid OCI tag (`[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
pub fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub fn publish(dist: &Path, destinations: &[Destination]) -> Result<Vec<Published>> {
    if destinations.is_empty() {
        bail!(
            "xhost.toml names nowhere to publish: add a `[[publish]]` table with `registry = \"HOST/REPOSITORY\"`"
        );
    }
    if crate::artifacts::partial::is_partial(dist) {
        bail!(
            "{} is a partial release (`xhost build --split`), not a release: put the partials together with `xhost merge` and publish what it makes",
            dist.display()
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
    let images = layout::find(dist)?
        .iter()
        .map(|dir| layout::Layout::read(dir))
        .collect::<Result<Vec<_>>>()?;
    let mut plans = Vec::new();
    for destination in destinations {
        plans.push((destination, plan(dist, destination, &images)?));
    }
    let mut published = Vec::new();
    for (destination, layouts) in plans {
        let to = &destination.to;
        let credentials = credentials::for_registry(&to.registry)?;
        for layout in layouts {
            let pushed = registry::push(layout.as_ref(), to, credentials.as_ref())?;
            published.push(Published {
                what: layout.as_ref().dir.clone(),
                to: format!("{}/{}", to.registry, to.repository),
                pushed,
            });
        }
    }
    Ok(published)
}

/// A layout read from `dist/`, or one made for this destination.
enum Planned<'a> {
    Image(&'a layout::Layout),
    Files(layout::Layout),
}

impl AsRef<layout::Layout> for Planned<'_> {
    fn as_ref(&self) -> &layout::Layout {
        match self {
            Planned::Image(layout) => layout,
            Planned::Files(layout) => layout,
        }
    }
}

/// What goes to `destination`, or why it cannot.
fn plan<'a>(
    dist: &Path,
    destination: &Destination,
    images: &'a [layout::Layout],
) -> Result<Vec<Planned<'a>>> {
    let shown = format!("{}/{}", destination.to.registry, destination.to.repository);
    let mut planned = Vec::new();
    if destination.images != Some(false) {
        if images.is_empty()
            && (destination.images == Some(true) || destination.files_tag.is_none())
        {
            bail!(
                "{} holds no container image to publish to {shown}: add a `builtin:oci-image` stage and build again{}",
                dist.display(),
                if destination.files_tag.is_some() {
                    ", or set `images = false` in its `[[publish]]` table"
                } else {
                    ""
                }
            );
        }
        planned.extend(images.iter().map(Planned::Image));
    }
    if let Some(tag) = &destination.files_tag {
        let taken = planned
            .iter()
            .any(|p| p.as_ref().tags.iter().any(|(t, _, _)| t == tag));
        if taken {
            bail!(
                "files_tag `{tag}` for {shown} is also an image's tag: the files would replace the image; give them another tag (e.g. `{{{{.Version}}}}-files`) or another repository"
            );
        }
        planned.push(Planned::Files(files::layout(dist, tag)?));
    }
    Ok(planned)
}
