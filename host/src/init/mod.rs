//! `xhost init`: an `xhost.toml` for the project in a directory — every default spelled
//! out and commented ([`fresh`]), or converted from a GoReleaser config
//! ([`goreleaser`]). Nothing is written over an existing `xhost.toml`; the CLI checks
//! the result (plans it, as `xhost check` does) before writing it.

pub mod fresh;
pub mod goreleaser;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::config::DefaultStage;

/// The names GoReleaser looks for, in its order.
pub const GORELEASER_FILES: &[&str] = &[
    ".config/goreleaser.yml",
    ".config/goreleaser.yaml",
    ".goreleaser.yml",
    ".goreleaser.yaml",
    "goreleaser.yml",
    "goreleaser.yaml",
];

/// What `init` would write, and what it could not carry over.
#[derive(Debug)]
pub struct Draft {
    pub toml: String,
    /// The GoReleaser file converted, if any.
    pub from: Option<PathBuf>,
    pub dropped: Vec<goreleaser::Dropped>,
    pub notes: Vec<String>,
}

/// A default pipeline stage as a `[[stage]]` table.
pub fn stage_toml(stage: &DefaultStage) -> String {
    let quoted = |items: &[&str]| {
        let items: Vec<String> = items
            .iter()
            .map(|i| toml::Value::String(i.to_string()).to_string())
            .collect();
        format!("[{}]", items.join(", "))
    };
    let mut grants = Vec::new();
    if !stage.exec.is_empty() {
        grants.push(format!("exec = {}", quoted(stage.exec)));
    }
    if stage.source {
        grants.push("source = true".to_string());
    }
    if !stage.net.is_empty() {
        grants.push(format!("net = {}", quoted(stage.net)));
    }
    let mut out = format!(
        "[[stage]]\nname = \"{}\"\nplugin = \"builtin:{}\"\n",
        stage.name, stage.plugin
    );
    if !grants.is_empty() {
        out.push_str(&format!("grants = {{ {} }}\n", grants.join(", ")));
    }
    if stage.config != "{}" {
        out.push_str(&format!("config = {}\n", stage.config));
    }
    out
}

/// Refuses a directory that already has an `xhost.toml`.
pub fn check_absent(dir: &Path) -> Result<()> {
    let target = dir.join(crate::config::FILE_NAME);
    if target.exists() {
        bail!(
            "{} already exists; xhost init writes a new one only (move it away to start over)",
            target.display()
        );
    }
    Ok(())
}

/// The GoReleaser config to convert: `file` (relative to `dir` unless absolute), else
/// the first of [`GORELEASER_FILES`] in `dir`.
pub fn find_goreleaser(dir: &Path, file: Option<&Path>) -> Result<PathBuf> {
    if let Some(file) = file {
        let path = if file.is_absolute() {
            file.to_path_buf()
        } else {
            dir.join(file)
        };
        if !path.is_file() {
            bail!("{}: no such GoReleaser config", path.display());
        }
        return Ok(path);
    }
    GORELEASER_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .with_context(|| {
            format!(
                "{} has no GoReleaser config ({}); name the file: --from-goreleaser FILE",
                dir.display(),
                GORELEASER_FILES.join(", ")
            )
        })
}

/// Converts the GoReleaser config at `file` for the project in `dir`.
pub fn from_goreleaser(dir: &Path, file: &Path) -> Result<Draft> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let downloads = crate::go_modules::GoModules::read(dir)
        .ok()
        .flatten()
        .is_some_and(|m| m.downloads());
    let converted = goreleaser::convert(&text, downloads, &|name| std::env::var_os(name).is_some())
        .map_err(|e| anyhow::anyhow!("{}:{}: {}", file.display(), e.line, e.message))?;
    Ok(Draft {
        toml: converted.toml,
        from: Some(file.to_path_buf()),
        dropped: converted.dropped,
        notes: converted.notes,
    })
}
