//! Files that exist before the first stage runs (`xhost plugin run --input`): copied
//! into the store and placed where a stage of their scope finds them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::artifacts::{Kind, Record, Store};
use crate::digest::sha256_hex;
use crate::target::Target;

/// One file given before the build.
#[derive(Debug, Clone)]
pub struct Seed {
    pub file: PathBuf,
    pub kind: Kind,
}

impl Seed {
    /// The record of this file in `store`, at the dist path a stage of `target` (none:
    /// a release stage) expects it.
    pub(super) fn ingest(
        &self,
        project: &str,
        target: Option<&Target>,
        store: &Store,
        work: &Path,
    ) -> Result<Record> {
        let name = self
            .file
            .file_name()
            .with_context(|| format!("input {}: not a file name", self.file.display()))?
            .to_string_lossy()
            .into_owned();
        // The store takes ownership of what it ingests: give it a copy.
        let copy = work.join(format!(
            "input-{}",
            sha256_hex(format!("{}={}", self.file.display(), self.kind.name()).as_bytes())
        ));
        std::fs::copy(&self.file, &copy)
            .with_context(|| format!("input {}", self.file.display()))?;
        let (sha256, size) = store.ingest(&copy)?;
        Ok(Record {
            path: match target {
                Some(t) => format!("{project}_{}/{name}", t.slug()),
                None => name,
            },
            kind: self.kind,
            target: target.cloned(),
            sha256,
            size,
            executable: is_executable(&self.file),
            meta: Vec::new(),
            stage: "input".to_string(),
            plugin: "command line".to_string(),
            plugin_digest: String::new(),
        })
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}
