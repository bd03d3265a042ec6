//! `builtin:package`: Linux packages of each linux target's binaries — `.deb`, `.rpm`
//! and `.apk` — with the files, relations and maintainer scripts the config lists
//! (read from the project, with `source = true`). Reproducible: every time in them is
//! the release's `SOURCE_DATE_EPOCH`.

use serde::Deserialize;
use xhost_package::arch::{self, Format};
use xhost_package::{Config as ConfigFile, Content, Kind, Package, Relation, Scripts};
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info, warn};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// `deb`, `rpm`, `apk`: one package of each per target. Default: all three.
    formats: Option<Vec<String>>,
    /// Default: the project's name.
    package_name: Option<String>,
    /// The file name without its extension (rendered per target by the host). Default:
    /// each format's own convention (`name_1.0.0_amd64.deb`, `name-1.0.0-1.x86_64.rpm`,
    /// `name-1.0.0-r0.x86_64.apk`).
    file_name_template: Option<String>,
    /// `Name <address>`.
    maintainer: Option<String>,
    /// The first line is the summary. Default: `<name> <version>`.
    description: Option<String>,
    homepage: Option<String>,
    license: Option<String>,
    vendor: Option<String>,
    section: Option<String>,
    priority: Option<String>,
    release: Option<String>,
    epoch: Option<u32>,
    /// Where the binaries go. Default `/usr/bin`.
    bindir: Option<String>,
    depends: Vec<String>,
    recommends: Vec<String>,
    suggests: Vec<String>,
    conflicts: Vec<String>,
    provides: Vec<String>,
    replaces: Vec<String>,
    contents: Vec<ContentConfig>,
    scripts: ScriptsConfig,
    deb: DebConfig,
    rpm: RpmConfig,
    apk: ApkConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContentConfig {
    /// A file of the project (or, for a symlink, the link's target).
    src: Option<String>,
    /// The installed path.
    dst: String,
    /// `file` (default), `config`, `config|noreplace`, `doc`, `dir` or `symlink`.
    #[serde(rename = "type", default)]
    kind: Option<String>,
    /// Permission bits: `0o640` or `"0640"`. Default 0644 (0755 for a directory).
    mode: Option<Mode>,
    owner: Option<String>,
    group: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Mode {
    Number(u32),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ScriptsConfig {
    /// Files of the project.
    preinstall: Option<String>,
    postinstall: Option<String>,
    preremove: Option<String>,
    postremove: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DebConfig {
    arch: Option<String>,
    lintian_overrides: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RpmConfig {
    arch: Option<String>,
    group: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ApkConfig {
    arch: Option<String>,
}

struct Packages;

impl Stage for Packages {
    fn describe() -> PluginInfo {
        PluginInfo::per_target(
            "package",
            env!("CARGO_PKG_VERSION"),
            "Makes reproducible Linux packages (.deb, .rpm, .apk) of each linux target's binaries",
        )
        .consuming([ArtifactKind::Binary])
        .reading_source()
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let target = job.target.clone().ok_or_else(|| {
            StageError::unsupported("package runs per target; it got a release job")
        })?;
        let formats = formats(&config)?;
        if target.os != "linux" {
            info!("{}: no Linux packages for {}", target.name(), target.os);
            return Ok(Vec::new());
        }
        let package = describe(&config, &job)?;
        let mut artifacts = Vec::new();
        for format in formats {
            let chosen = match format {
                Format::Deb => config.deb.arch.as_deref(),
                Format::Rpm => config.rpm.arch.as_deref(),
                Format::Apk => config.apk.arch.as_deref(),
            };
            let arch = arch::name(format, &target.arch, target.variant.as_deref(), chosen)
                .map_err(invalid)?;
            let bytes = build(format, &package, &arch, &config)?;
            let mut stem = file_stem(&config, format, &package, &arch)?;
            // Two targets of one format architecture (arm v6 and v7 are both armhf
            // for dpkg; amd64 levels share amd64) keep apart by their variant.
            if config.file_name_template.is_none()
                && let Some(variant) = &target.variant
                && shares_arch(&job, format, &arch, chosen)
            {
                stem = format!("{stem}_{variant}");
            }
            let file = format!("{stem}.{}", format.name());
            write(format!("/out/{file}"), &bytes)?;
            info!(
                "{file}: {} files, {} bytes",
                package.contents.len(),
                bytes.len()
            );
            artifacts.push(
                Artifact::output(&file, ArtifactKind::Archive, Some(target.clone()))
                    .with_meta("format", format.name())
                    .with_meta("package_arch", arch),
            );
        }
        Ok(artifacts)
    }
}

fn invalid(e: xhost_package::Error) -> StageError {
    StageError::invalid_config(e.0)
}

fn formats(config: &Config) -> Result<Vec<Format>, StageError> {
    let all = ["deb", "rpm", "apk"].map(String::from);
    let names = config.formats.as_deref().unwrap_or(&all);
    if names.is_empty() {
        return Err(StageError::invalid_config(
            "formats: name at least one of deb, rpm, apk",
        ));
    }
    let mut found = Vec::new();
    for name in names {
        let format = Format::parse(name).ok_or_else(|| {
            StageError::invalid_config(format!(
                "formats: `{name}` is not a package format; use deb, rpm or apk"
            ))
        })?;
        if !found.contains(&format) {
            found.push(format);
        }
    }
    Ok(found)
}

/// The package, as every format sees it.
fn describe(config: &Config, job: &Job) -> Result<Package, StageError> {
    let name = config
        .package_name
        .clone()
        .unwrap_or_else(|| job.project.name.clone());
    let maintainer = config.maintainer.clone().ok_or_else(|| {
        StageError::invalid_config(
            "maintainer: required by every package format; set `maintainer = \"Name <address@example.com>\"`",
        )
    })?;
    if !xhost_package::has_address(&maintainer) {
        warn!(
            "maintainer `{maintainer}` has no address: Debian's policy and Alpine's tools expect `Name <address@example.com>` (lintian reports it)"
        );
    }
    let description = config
        .description
        .clone()
        .unwrap_or_else(|| format!("{name} {}", job.project.version));
    let (summary, rest) = match description.trim().split_once('\n') {
        Some((summary, rest)) => (summary.trim().to_string(), rest.trim().to_string()),
        None => (description.trim().to_string(), String::new()),
    };
    let relations = |list: &[String], field: &str| -> Result<Vec<Relation>, StageError> {
        list.iter()
            .enumerate()
            .map(|(i, text)| Relation::parse(text, &format!("{field}[{i}]")).map_err(invalid))
            .collect()
    };
    Ok(Package {
        version: job.project.version.clone(),
        release: config.release.clone(),
        epoch: config.epoch,
        maintainer,
        summary,
        description: rest,
        homepage: config.homepage.clone(),
        license: config.license.clone(),
        vendor: config.vendor.clone(),
        section: config.section.clone(),
        priority: config.priority.clone(),
        depends: relations(&config.depends, "depends")?,
        recommends: relations(&config.recommends, "recommends")?,
        suggests: relations(&config.suggests, "suggests")?,
        conflicts: relations(&config.conflicts, "conflicts")?,
        provides: relations(&config.provides, "provides")?,
        replaces: relations(&config.replaces, "replaces")?,
        scripts: scripts(&config.scripts)?,
        contents: contents(config, job)?,
        mtime: job.project.source_date_epoch.unwrap_or(0),
        name,
    })
}

/// The target's binaries in `bindir`, then the configured contents.
fn contents(config: &Config, job: &Job) -> Result<Vec<Content>, StageError> {
    let bindir = config
        .bindir
        .as_deref()
        .unwrap_or("/usr/bin")
        .trim_end_matches('/');
    let mut contents = Vec::new();
    for binary in job.inputs.iter().filter(|a| a.kind == ArtifactKind::Binary) {
        let name = input_rel(&binary.path)
            .rsplit('/')
            .next()
            .unwrap_or_default();
        contents.push(Content::file(
            format!("{bindir}/{name}"),
            0o755,
            read(&binary.path)?,
        ));
    }
    for (i, entry) in config.contents.iter().enumerate() {
        contents.push(content(entry, &format!("contents[{i}]"))?);
    }
    Ok(contents)
}

fn content(entry: &ContentConfig, place: &str) -> Result<Content, StageError> {
    let kind_name = entry.kind.as_deref().unwrap_or("file");
    let needs_src = |what: &str| {
        entry.src.clone().ok_or_else(|| {
            StageError::invalid_config(format!("{place}.src: a `{what}` entry needs `src`"))
        })
    };
    let file = |config, doc| -> Result<Kind, StageError> {
        let src = needs_src(kind_name)?;
        Ok(Kind::File {
            data: project_file(&src, &format!("{place}.src"))?,
            config,
            doc,
        })
    };
    let kind = match kind_name {
        "file" | "" => file(ConfigFile::No, false)?,
        "config" => file(ConfigFile::Yes, false)?,
        "config|noreplace" => file(ConfigFile::NoReplace, false)?,
        "doc" => file(ConfigFile::No, true)?,
        "dir" => Kind::Dir,
        "symlink" => Kind::Symlink {
            target: needs_src("symlink")?,
        },
        other => {
            return Err(StageError::invalid_config(format!(
                "{place}.type `{other}`: use file, config, config|noreplace, doc, dir or symlink"
            )));
        }
    };
    let default_mode = match kind {
        Kind::Dir => 0o755,
        Kind::Symlink { .. } => 0o777,
        Kind::File { .. } => 0o644,
    };
    let mode = match &entry.mode {
        None => default_mode,
        Some(Mode::Number(n)) => *n,
        Some(Mode::Text(text)) => {
            u32::from_str_radix(text.trim_start_matches("0o"), 8).map_err(|_| {
                StageError::invalid_config(format!(
                    "{place}.mode `{text}`: write it in octal, like \"0644\""
                ))
            })?
        }
    };
    if mode > 0o7777 {
        return Err(StageError::invalid_config(format!(
            "{place}.mode {mode:o}: permission bits only (at most 7777 in octal)"
        )));
    }
    Ok(Content {
        path: entry.dst.clone(),
        kind,
        mode,
        owner: entry.owner.clone().unwrap_or_else(|| "root".into()),
        group: entry.group.clone().unwrap_or_else(|| "root".into()),
    })
}

fn scripts(config: &ScriptsConfig) -> Result<Scripts, StageError> {
    let script = |path: &Option<String>, field: &str| -> Result<Option<String>, StageError> {
        let Some(path) = path else {
            return Ok(None);
        };
        let place = format!("scripts.{field}");
        String::from_utf8(project_file(path, &place)?)
            .map(Some)
            .map_err(|_| StageError::invalid_config(format!("{place} `{path}`: not UTF-8 text")))
    };
    Ok(Scripts {
        preinstall: script(&config.preinstall, "preinstall")?,
        postinstall: script(&config.postinstall, "postinstall")?,
        preremove: script(&config.preremove, "preremove")?,
        postremove: script(&config.postremove, "postremove")?,
    })
}

/// A file of the project, named by `place` in errors.
fn project_file(path: &str, place: &str) -> Result<Vec<u8>, StageError> {
    if path.starts_with('/') || path.split('/').any(|p| p == "..") {
        return Err(StageError::invalid_config(format!(
            "{place} `{path}`: a path inside the project, relative to its top"
        )));
    }
    if std::fs::metadata("/src").is_err() {
        return Err(StageError::invalid_config(format!(
            "{place} `{path}`: the stage reads project files only with `grants = {{ source = true }}`"
        )));
    }
    std::fs::read(format!("/src/{path}")).map_err(|e| {
        StageError::invalid_config(format!(
            "{place} `{path}`: cannot read it from the project ({e})"
        ))
    })
}

fn build(
    format: Format,
    package: &Package,
    arch: &str,
    config: &Config,
) -> Result<Vec<u8>, StageError> {
    match format {
        Format::Deb => {
            let options = xhost_package::deb::DebOptions {
                lintian_overrides: config.deb.lintian_overrides.clone(),
            };
            xhost_package::deb::build(package, arch, &options)
        }
        Format::Rpm => {
            let options = xhost_package::rpm::RpmOptions {
                group: config.rpm.group.clone(),
            };
            xhost_package::rpm::build(package, arch, &options)
        }
        Format::Apk => xhost_package::apk::build(package, arch, &Default::default()),
    }
    .map_err(invalid)
}

/// Whether another linux target of the build has the same architecture name in
/// `format` as this one (`arch`).
fn shares_arch(job: &Job, format: Format, arch: &str, chosen: Option<&str>) -> bool {
    let this = job.target.as_ref();
    job.build
        .targets
        .iter()
        .filter(|t| t.os == "linux" && Some(*t) != this)
        .any(|t| arch::name(format, &t.arch, t.variant.as_deref(), chosen).is_ok_and(|a| a == arch))
}

/// The file name without its extension.
fn file_stem(
    config: &Config,
    format: Format,
    package: &Package,
    arch: &str,
) -> Result<String, StageError> {
    if let Some(name) = &config.file_name_template {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(StageError::invalid_config(format!(
                "file_name_template renders to `{name}`, which is not a file name"
            )));
        }
        return Ok(name.clone());
    }
    let stem = match format {
        // dpkg-name's convention: the version without its epoch.
        Format::Deb => {
            let version = xhost_package::version::deb(package).map_err(invalid)?;
            let version = version
                .split_once(':')
                .map_or(version.as_str(), |(_, v)| v)
                .to_string();
            format!("{}_{version}_{arch}", package.name)
        }
        Format::Rpm => {
            let (version, release) = xhost_package::version::rpm(package).map_err(invalid)?;
            format!("{}-{version}-{release}.{arch}", package.name)
        }
        Format::Apk => {
            let version = xhost_package::version::apk(package).map_err(invalid)?;
            format!("{}-{version}.{arch}", package.name)
        }
    };
    Ok(stem)
}

xhost_plugin_sdk::export_plugin!(Packages);
