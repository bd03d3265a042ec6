//! `xhost.toml` → a validated configuration with every default filled in.
//!
//! Parsing and checking happen here and nowhere else; nothing here runs plugins or
//! tools. Errors name the file, line and column (see [`error`]). The result is turned
//! into a runnable plan by [`crate::plan`].
//!
//! - [`types`]: what a resolved configuration holds;
//! - `schema`: the file as written (serde, spans);
//! - `resolver`: the file plus defaults → [`Config`], project and build settings;
//! - `stages`: `[[stage]]` tables, their plugins, grants and limits;
//! - `signing_keys`: `[signing.keys]` and `[provenance]`;
//! - `defaults`: limits and the default pipeline, as data;
//! - `go`: what a Go project implies (its name from `go.mod`, the default ldflags);
//! - [`template`]: GoReleaser's template language, its fields and functions;
//!   `release_notes`: `[changelog]` and the notes made from git;
//!   `rendered`: a stage's config with its templates rendered per target;
//! - `version`: the release version from the tag at HEAD (semver, rising) or a snapshot;
//! - `names`, `json`, `vcs`: checks, stage config as JSON, and what git says about the
//!   commit and its tags.

mod defaults;
pub mod error;
mod go;
mod json;
mod names;
mod release_notes;
mod rendered;
mod resolver;
pub(crate) mod schema;
mod signing_keys;
mod stages;
pub mod template;
mod types;
pub mod vcs;
mod version;

use std::path::Path;

pub use defaults::{DEFAULT_PIPELINE, DefaultStage, FETCH, Language, RUST_FETCH, RUST_PIPELINE};
pub use error::ConfigError;
use error::Located;
pub use go::DEFAULT_LDFLAGS;
pub use json::canonical_json;
pub use names::check_program_name;
pub use release_notes::ReleaseNotes;
use resolver::Resolver;
use schema::ConfigFile;
pub use types::{
    Build, Config, Grant, Granted, Grants, Limits, Overrides, PluginRef, Project, Rendered,
    Setting, StageConfig,
};

pub use crate::keys::KeySource;

/// The configuration file's name in a project directory.
pub const FILE_NAME: &str = "xhost.toml";

/// Loads and resolves the configuration of the project in `dir`.
pub fn load(dir: &Path, overrides: &Overrides) -> Result<Config, ConfigError> {
    let file = dir.join(FILE_NAME);
    let source = match std::fs::read_to_string(&file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(ConfigError::Plain(format!(
                "reading {}: {e}",
                file.display()
            )));
        }
    };
    resolve(dir, source.as_deref(), overrides)
}

/// Resolves `text` as the `xhost.toml` of the project in `dir` (`None`: there is none).
pub fn resolve(
    dir: &Path,
    text: Option<&str>,
    overrides: &Overrides,
) -> Result<Config, ConfigError> {
    let root = dir
        .canonicalize()
        .map_err(|e| ConfigError::Plain(format!("project directory {}: {e}", dir.display())))?;
    // Messages name the file the way the user named its directory.
    let shown = dir.join(FILE_NAME);
    let parsed = match text {
        Some(text) => toml::from_str::<ConfigFile>(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ConfigError::At(Located::new(&shown, text, span, e.message().trim()))
        })?,
        None => ConfigFile::default(),
    };
    let resolver = Resolver {
        root: &root,
        file: &shown,
        source: text.unwrap_or(""),
        settings: Vec::new(),
    };
    resolver.resolve(
        parsed,
        text.is_some().then(|| root.join(FILE_NAME)),
        overrides,
    )
}
