//! `builtin:archive`: packs each target's binary, with the project's LICENSE, README
//! and CHANGELOG when the stage is granted `source` (and the release notes xhost
//! writes with `[changelog]`, when the project has no CHANGELOG.md), into a reproducible
//! `<name>_<version>_<os>_<arch>.tar.gz` (`.zip` for Windows) — or as `name_template`
//! says (the host renders it per target) in each of the target's formats. Targets whose
//! format is `binary` (wasm by default) are left unarchived.

use std::collections::BTreeMap;

use serde::Deserialize;
use wildmatch::WildMatch;
use xhost_archive::Entry;
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, Target, info};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The archive's name without its extension, rendered per target by the host
    /// (GoReleaser's `name_template`). Default: `<name>_<version>_<os>_<arch>[_<variant>]`.
    name_template: Option<String>,
    /// `tar.gz` (default), `zip` or `binary` (no archive).
    format: Option<String>,
    /// Several formats: one archive in each (GoReleaser v2's `formats`).
    formats: Option<Vec<String>>,
    /// Format(s) per operating system, over the defaults
    /// `{ windows = "zip", wasip1 = "binary", wasip2 = "binary", js = "binary" }`.
    format_overrides: BTreeMap<String, OneOrMany>,
    /// Put everything under a top directory named like the archive (`true`), or named
    /// as given.
    wrap_in_directory: Wrap,
    /// Files to include: from the top of the source tree (needs `source`), and the
    /// target's other files given to the stage (xhost's release notes, `CHANGELOG.md`),
    /// the project's own winning a name both have.
    /// Default: `["LICENSE*", "README*", "CHANGELOG*"]` and their lower-case spellings.
    files: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum Wrap {
    #[default]
    No,
    Flag(bool),
    Named(String),
}

impl Wrap {
    fn directory(&self, archive: &str) -> Option<String> {
        match self {
            Wrap::No | Wrap::Flag(false) => None,
            Wrap::Flag(true) => Some(archive.to_string()),
            Wrap::Named(name) if name.is_empty() => None,
            Wrap::Named(name) => Some(name.clone()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    TarGz,
    Zip,
    Binary,
}

impl Format {
    fn parse(name: &str) -> Result<Format, StageError> {
        match name {
            "tar.gz" | "tgz" => Ok(Format::TarGz),
            "zip" => Ok(Format::Zip),
            "binary" => Ok(Format::Binary),
            other => Err(StageError::invalid_config(format!(
                "archive format `{other}`: use tar.gz, zip or binary"
            ))),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::TarGz => ".tar.gz",
            Format::Zip => ".zip",
            Format::Binary => "",
        }
    }
}

struct Archive;

impl Stage for Archive {
    fn describe() -> PluginInfo {
        PluginInfo::per_target(
            "archive",
            env!("CARGO_PKG_VERSION"),
            "Packs each target's binary and docs into a reproducible .tar.gz or .zip",
        )
        .consuming([ArtifactKind::Binary, ArtifactKind::Other])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let target = job.target.clone().ok_or_else(|| {
            StageError::unsupported("archive runs per target; it got a release job")
        })?;
        let formats = formats_for(&config, &target)?;
        let formats: Vec<Format> = formats
            .into_iter()
            .filter(|f| *f != Format::Binary)
            .collect();
        let binaries: Vec<&Artifact> = job
            .inputs
            .iter()
            .filter(|a| a.kind == ArtifactKind::Binary)
            .collect();
        if formats.is_empty() || binaries.is_empty() {
            info!("{}: no archive (format binary)", target.name());
            return Ok(Vec::new());
        }
        let stem = match &config.name_template {
            Some(name) => checked_name(name)?,
            None => format!(
                "{}_{}_{}",
                job.project.name,
                job.project.version,
                target.slug()
            ),
        };
        let top = config.wrap_in_directory.directory(&stem);
        let prefix = top.as_ref().map_or(String::new(), |d| format!("{d}/"));
        let mut entries = Vec::new();
        if let Some(top) = &top {
            entries.push(Entry::directory(top));
        }
        for input in binaries {
            entries.push(Entry::file(
                format!("{prefix}{}", file_name(&input.path)),
                0o755,
                read(&input.path)?,
            ));
        }
        for (name, data) in docs(&config, &job.inputs)? {
            entries.push(Entry::file(format!("{prefix}{name}"), 0o644, data));
        }
        let mtime = job.project.source_date_epoch.unwrap_or(0);
        let mut artifacts = Vec::new();
        for format in formats {
            let bytes = match format {
                Format::TarGz => xhost_archive::tar_gz(&entries, mtime),
                Format::Zip => xhost_archive::zip(&entries, mtime),
                Format::Binary => unreachable!("filtered above"),
            }
            .map_err(|e| StageError::failed(e.to_string()))?;
            let file = format!("{stem}{}", format.extension());
            write(format!("/out/{file}"), &bytes)?;
            info!("{file}: {} entries, {} bytes", entries.len(), bytes.len());
            artifacts.push(
                Artifact::output(&file, ArtifactKind::Archive, Some(target.clone()))
                    .with_meta("format", format.extension().trim_start_matches('.')),
            );
        }
        Ok(artifacts)
    }
}

/// An archive name from a template: a plain file name.
fn checked_name(name: &str) -> Result<String, StageError> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(StageError::invalid_config(format!(
            "name_template renders to `{name}`, which is not a file name"
        )));
    }
    Ok(name.to_string())
}

fn formats_for(config: &Config, target: &Target) -> Result<Vec<Format>, StageError> {
    let defaults = [
        ("windows", "zip"),
        ("wasip1", "binary"),
        ("wasip2", "binary"),
        ("js", "binary"),
    ];
    let names: Vec<String> = match config.format_overrides.get(target.os.as_str()) {
        Some(OneOrMany::One(format)) => vec![format.clone()],
        Some(OneOrMany::Many(formats)) => formats.clone(),
        None => match defaults.iter().find(|(os, _)| *os == target.os) {
            Some((_, format)) => vec![format.to_string()],
            None => match (&config.formats, &config.format) {
                (Some(_), Some(_)) => {
                    return Err(StageError::invalid_config(
                        "set format or formats, not both",
                    ));
                }
                (Some(formats), None) => formats.clone(),
                (None, Some(format)) => vec![format.clone()],
                (None, None) => vec!["tar.gz".to_string()],
            },
        },
    };
    names.iter().map(|n| Format::parse(n)).collect()
}

/// An input's file name.
fn file_name(path: &str) -> &str {
    input_rel(path).rsplit('/').next().unwrap_or_default()
}

/// The matching files at the top of `/src` (none when `/src` is not granted), then the
/// matching non-binary inputs of names `/src` does not have; sorted by name.
fn docs(config: &Config, inputs: &[Artifact]) -> Result<Vec<(String, Vec<u8>)>, StageError> {
    let default = [
        "LICENSE*",
        "README*",
        "CHANGELOG*",
        "license*",
        "readme*",
        "changelog*",
    ]
    .map(String::from)
    .to_vec();
    let patterns: Vec<WildMatch> = config
        .files
        .as_ref()
        .unwrap_or(&default)
        .iter()
        .map(|p| WildMatch::new(p))
        .collect();
    let wanted = |name: &str| patterns.iter().any(|p| p.matches(name));
    let mut found = Vec::new();
    if let Ok(listing) = std::fs::read_dir("/src") {
        for entry in listing {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && wanted(&name) {
                found.push((name.clone(), read(format!("/src/{name}"))?));
            }
        }
    }
    for input in inputs.iter().filter(|a| a.kind != ArtifactKind::Binary) {
        let name = file_name(&input.path);
        if !wanted(name) {
            continue;
        }
        if found.iter().any(|(n, _)| n == name) {
            info!("{name}: the project's own file is packed, not the one given to the stage");
            continue;
        }
        found.push((name.to_string(), read(&input.path)?));
    }
    found.sort();
    Ok(found)
}

xhost_plugin_sdk::export_plugin!(Archive);
