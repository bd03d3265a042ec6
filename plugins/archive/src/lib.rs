//! `builtin:archive`: packs each target's binary, with the project's LICENSE, README
//! and CHANGELOG when the stage is granted `source`, into a reproducible
//! `<name>_<version>_<os>_<arch>.tar.gz` (`.zip` for Windows). Targets whose format is
//! `binary` (wasm by default) are left unarchived.

use std::collections::BTreeMap;

use serde::Deserialize;
use wildmatch::WildMatch;
use xhost_archive::Entry;
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, Target, info};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// `tar.gz` (default), `zip` or `binary` (no archive).
    format: Option<String>,
    /// Format per operating system, over the defaults
    /// `{ windows = "zip", wasip1 = "binary", js = "binary" }`.
    format_overrides: BTreeMap<String, String>,
    /// Put everything under a top directory named like the archive.
    wrap_in_directory: bool,
    /// Files from the top of the source tree to include (needs `source`).
    /// Default: `["LICENSE*", "README*", "CHANGELOG*"]`.
    files: Option<Vec<String>>,
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
        .consuming([ArtifactKind::Binary])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let target = job.target.clone().ok_or_else(|| {
            StageError::unsupported("archive runs per target; it got a release job")
        })?;
        let format = format_for(&config, &target)?;
        if format == Format::Binary || job.inputs.is_empty() {
            info!("{}: no archive (format binary)", target.name());
            return Ok(Vec::new());
        }
        let stem = format!(
            "{}_{}_{}",
            job.project.name,
            job.project.version,
            target.slug()
        );
        let prefix = if config.wrap_in_directory {
            format!("{stem}/")
        } else {
            String::new()
        };
        let mut entries = Vec::new();
        if config.wrap_in_directory {
            entries.push(Entry::directory(&stem));
        }
        for input in &job.inputs {
            let name = input_rel(&input.path)
                .rsplit('/')
                .next()
                .unwrap_or_default();
            entries.push(Entry::file(
                format!("{prefix}{name}"),
                0o755,
                read(&input.path)?,
            ));
        }
        for (name, data) in docs(&config)? {
            entries.push(Entry::file(format!("{prefix}{name}"), 0o644, data));
        }
        let mtime = job.project.source_date_epoch.unwrap_or(0);
        let bytes = match format {
            Format::TarGz => xhost_archive::tar_gz(&entries, mtime),
            Format::Zip => xhost_archive::zip(&entries, mtime),
            Format::Binary => unreachable!("handled above"),
        }
        .map_err(|e| StageError::failed(e.to_string()))?;
        let file = format!("{stem}{}", format.extension());
        write(format!("/out/{file}"), &bytes)?;
        info!("{file}: {} entries, {} bytes", entries.len(), bytes.len());
        Ok(vec![
            Artifact::output(&file, ArtifactKind::Archive, Some(target.clone()))
                .with_meta("format", format.extension().trim_start_matches('.')),
        ])
    }
}

fn format_for(config: &Config, target: &Target) -> Result<Format, StageError> {
    let mut overrides: BTreeMap<&str, &str> =
        [("windows", "zip"), ("wasip1", "binary"), ("js", "binary")].into();
    for (os, format) in &config.format_overrides {
        overrides.insert(os, format);
    }
    match overrides.get(target.os.as_str()) {
        Some(format) => Format::parse(format),
        None => Format::parse(config.format.as_deref().unwrap_or("tar.gz")),
    }
}

/// The matching files at the top of `/src`, sorted; none when `/src` is not granted.
fn docs(config: &Config) -> Result<Vec<(String, Vec<u8>)>, StageError> {
    let Ok(listing) = std::fs::read_dir("/src") else {
        return Ok(Vec::new());
    };
    let default = ["LICENSE*", "README*", "CHANGELOG*"]
        .map(String::from)
        .to_vec();
    let patterns: Vec<WildMatch> = config
        .files
        .as_ref()
        .unwrap_or(&default)
        .iter()
        .map(|p| WildMatch::new(p))
        .collect();
    let mut found = Vec::new();
    for entry in listing {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && patterns.iter().any(|p| p.matches(&name)) {
            found.push((name.clone(), read(format!("/src/{name}"))?));
        }
    }
    found.sort();
    Ok(found)
}

xhost_plugin_sdk::export_plugin!(Archive);
