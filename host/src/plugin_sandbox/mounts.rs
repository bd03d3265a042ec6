//! Host directories of one invocation: `in/` (the job's inputs, read-only to the
//! guest), `out/` (fresh, writable), `tmp/` (for native tools) and, when granted, the
//! source tree.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub struct Mounts {
    pub input: PathBuf,
    pub output: PathBuf,
    pub tmp: PathBuf,
    pub source: Option<PathBuf>,
}

impl Mounts {
    /// Creates the invocation's directories under `dir`, which must not exist yet.
    pub fn create(dir: &Path, source: Option<&Path>) -> Result<Self> {
        std::fs::create_dir_all(dir.parent().unwrap_or(dir))
            .with_context(|| format!("creating {}", dir.display()))?;
        std::fs::create_dir(dir)
            .with_context(|| format!("creating invocation directory {}", dir.display()))?;
        let mounts = Mounts {
            input: dir.join("in"),
            output: dir.join("out"),
            tmp: dir.join("tmp"),
            source: source.map(Path::to_path_buf),
        };
        for d in [&mounts.input, &mounts.output, &mounts.tmp] {
            std::fs::create_dir(d).with_context(|| format!("creating {}", d.display()))?;
        }
        Ok(mounts)
    }

    /// Makes `file` readable at `/in/<rel>`. `shared` allows a hard link to the
    /// store's file: only for stages that run no native program, since the wasm side
    /// cannot write to `/in` but a program handed a host path could.
    pub fn place_input(&self, rel: &str, file: &Path, shared: bool) -> Result<()> {
        let dest = self.input.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        if !shared || std::fs::hard_link(file, &dest).is_err() {
            std::fs::copy(file, &dest)
                .with_context(|| format!("copying {} to {}", file.display(), dest.display()))?;
        }
        Ok(())
    }

    /// Canonical host paths of the mounts, for resolving `exec` arguments.
    pub fn roots(&self) -> Result<Roots> {
        let canonical = |p: &Path| {
            p.canonicalize()
                .with_context(|| format!("resolving {}", p.display()))
        };
        Ok(Roots {
            source: self.source.as_deref().map(canonical).transpose()?,
            input: canonical(&self.input)?,
            output: canonical(&self.output)?,
        })
    }
}

/// Canonical host directories behind the guest mounts.
#[derive(Debug, Clone)]
pub struct Roots {
    /// `/src`, when the stage is granted `source`.
    pub source: Option<PathBuf>,
    pub input: PathBuf,
    pub output: PathBuf,
}
