//! `xhost.toml` → a validated configuration with every default filled in.
//!
//! Parsing and checking happen here and nowhere else; nothing here runs plugins or
//! tools. Errors name the file, line and column (see [`error`]). The result is turned
//! into a runnable plan by [`crate::plan`].

pub mod error;
mod gomod;
mod json;
mod names;
mod schema;
mod template;
mod vcs;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

pub use error::ConfigError;
use error::Located;
use names::{check_name, check_program_name, check_version};
use schema::{ConfigFile, KeySection, LimitsSection, StageSection};

pub use crate::keys::KeySource;
pub use json::canonical_json;

use crate::target::Target;

/// The configuration file's name in a project directory.
pub const FILE_NAME: &str = "xhost.toml";

/// A fully resolved project configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project directory (canonical).
    pub root: PathBuf,
    /// `xhost.toml`, when the project has one.
    pub file: Option<PathBuf>,
    pub project: Project,
    pub build: Build,
    pub targets: Vec<Target>,
    /// Default limits for every stage (`[limits]`).
    pub limits: Limits,
    /// `[tools]`: program name → path, for `grants.exec`.
    pub tools: BTreeMap<String, PathBuf>,
    /// `[signing.keys]`: where each signing key comes from.
    pub keys: BTreeMap<String, KeySource>,
    /// `[provenance] key`: the key the host signs provenance with; none: no provenance.
    pub provenance_key: Option<String>,
    pub stages: Vec<StageConfig>,
    /// Each setting with where its value came from, for `xhost check --explain`.
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub version: String,
    pub commit: Option<String>,
    pub source_date_epoch: Option<u64>,
}

/// `[build]`, with placeholders expanded.
#[derive(Debug, Clone)]
pub struct Build {
    pub main: String,
    pub binary: String,
    pub ldflags: String,
    pub flags: Vec<String>,
}

/// Per-invocation resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory a plugin may use, in MiB.
    pub memory_mib: u64,
    /// Time a plugin may run, in seconds, not counting time spent in `exec`.
    pub time_secs: u64,
    /// Time one `exec` call may run, in seconds.
    pub exec_time_secs: u64,
    /// Address space a native program may use, in MiB.
    pub exec_memory_mib: u64,
    /// Processes and threads native programs may have at once.
    pub exec_processes: u64,
    /// Bytes an invocation may write (its `/out` and temporary files), in MiB; also the
    /// largest file a native program may write.
    pub output_mib: u64,
    /// Files and directories an invocation may create.
    pub output_files: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_mib: 512,
            time_secs: 60,
            exec_time_secs: 600,
            exec_memory_mib: 8192,
            exec_processes: 8192,
            output_mib: 4096,
            output_files: 20_000,
        }
    }
}

/// One `[[stage]]`.
#[derive(Debug, Clone)]
pub struct StageConfig {
    pub name: String,
    pub plugin: PluginRef,
    pub grants: Grants,
    pub limits: Limits,
    /// The stage's `config` table as canonical JSON (sorted keys), `{}` when absent.
    pub config_json: String,
    /// `xhost.toml:LINE` of the stage, or "default pipeline".
    pub origin: String,
}

/// Where a stage's plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginRef {
    /// Embedded in the xhost binary: `builtin:<name>`, optionally pinned.
    Builtin {
        name: String,
        sha256: Option<String>,
    },
    /// A component file, always pinned by digest.
    File {
        path: PathBuf,
        sha256: String,
        /// The path as written in `xhost.toml`, for messages.
        written: String,
    },
}

impl std::fmt::Display for PluginRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginRef::Builtin { name, .. } => write!(f, "builtin:{name}"),
            PluginRef::File { written, .. } => f.write_str(written),
        }
    }
}

/// Capabilities granted to a stage beyond the always-granted `log`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Native programs the stage may run.
    pub exec: Vec<String>,
    /// Read-only access to the source tree at `/src`.
    pub source: bool,
    /// Ids of the signing keys the stage may sign with.
    pub signing: Vec<String>,
    /// Network access for the programs it runs (none otherwise).
    pub net: bool,
}

/// A resolved setting and its origin.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub origin: String,
}

/// Command-line values that replace configured ones.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub targets: Vec<Target>,
}

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

struct Resolver<'a> {
    root: &'a Path,
    file: &'a Path,
    source: &'a str,
    settings: Vec<Setting>,
}

impl Resolver<'_> {
    fn resolve(
        mut self,
        parsed: ConfigFile,
        file: Option<PathBuf>,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let commit = vcs::Commit::read(self.root);
        let project = self.project(&parsed, &commit)?;
        let build = self.build(&parsed, &project, &commit)?;
        let targets = self.targets(&parsed, overrides)?;
        let limits = self.limits(&parsed.limits, Limits::default(), "[limits]")?;
        let tools = self.tools(&parsed.tools)?;
        let keys = self.keys(&parsed.signing.keys)?;
        let provenance_key = match &parsed.provenance.key {
            Some(key) if keys.contains_key(key.get_ref()) => Some(key.get_ref().clone()),
            Some(key) => {
                return Err(self.at(
                    key.span(),
                    format!(
                        "[provenance] key: no key `{}` is defined; add [signing.keys.{}]",
                        key.get_ref(),
                        key.get_ref()
                    ),
                ));
            }
            None => None,
        };
        let stages = match parsed.stages {
            Some(stages) => self.stages(stages, limits, &keys, parsed.provenance.key.as_ref())?,
            None => {
                self.note(
                    "stages",
                    "compile (builtin:go-build) → strip (builtin:strip) → sbom (builtin:sbom) → archive (builtin:archive) → checksum (builtin:checksum)",
                    None,
                );
                default_stages(limits)
            }
        };
        Ok(Config {
            root: self.root.to_path_buf(),
            file,
            project,
            build,
            targets,
            limits,
            tools,
            keys,
            provenance_key,
            stages,
            settings: self.settings,
        })
    }

    fn project(
        &mut self,
        parsed: &ConfigFile,
        commit: &vcs::Commit,
    ) -> Result<Project, ConfigError> {
        let name = match &parsed.project.name {
            Some(name) => {
                check_name(name.get_ref()).map_err(|m| self.at(name.span(), m))?;
                self.note("project.name", name.get_ref(), Some(name.span()));
                name.get_ref().clone()
            }
            None => {
                let module = gomod::read_module_path(self.root)
                    .map_err(|e| ConfigError::Plain(format!("reading {}: {e}", self.root.join("go.mod").display())))?
                    .ok_or_else(|| {
                        ConfigError::Plain(format!(
                            "cannot tell the project's name: {} has no go.mod and no [project] name in {FILE_NAME}; add `[project]\\nname = \"…\"`",
                            self.root.display()
                        ))
                    })?;
                let name = gomod::name_from_module(&module);
                check_name(&name).map_err(|m| {
                    ConfigError::Plain(format!("go.mod module `{module}`: {m}; set [project] name"))
                })?;
                self.settings.push(Setting {
                    key: "project.name".into(),
                    value: name.clone(),
                    origin: format!("default: last element of go.mod module `{module}`"),
                });
                name
            }
        };
        let version = match &parsed.project.version {
            Some(version) => {
                check_version(version.get_ref()).map_err(|m| self.at(version.span(), m))?;
                self.note("project.version", version.get_ref(), Some(version.span()));
                version.get_ref().clone()
            }
            None => {
                let (version, why) = match (&commit.tag, commit.short()) {
                    (Some(tag), _) => (
                        tag.trim_start_matches('v').to_string(),
                        format!("default: git tag `{tag}`"),
                    ),
                    (None, Some(short)) => (
                        format!("0.0.0-SNAPSHOT-{short}"),
                        "default: no tag at HEAD".into(),
                    ),
                    (None, None) => (
                        "0.0.0-SNAPSHOT".to_string(),
                        "default: not a git checkout".into(),
                    ),
                };
                self.settings.push(Setting {
                    key: "project.version".into(),
                    value: version.clone(),
                    origin: why,
                });
                version
            }
        };
        Ok(Project {
            name,
            version,
            commit: commit.hash.clone(),
            source_date_epoch: source_date_epoch(commit)?,
        })
    }

    fn build(
        &mut self,
        parsed: &ConfigFile,
        project: &Project,
        commit: &vcs::Commit,
    ) -> Result<Build, ConfigError> {
        let section = &parsed.build;
        let main = self.string_or(&section.main, "build.main", ".", "default: the module root");
        let span = section.main.as_ref().map_or(0..0, |m| m.span());
        if Path::new(&main).is_absolute() || main.split('/').any(|part| part == "..") {
            return Err(self.at(
                span,
                "build.main must be a path inside the project, like `./cmd/hello`",
            ));
        }
        if !self.root.join(&main).exists() {
            return Err(self.at(
                span,
                format!(
                    "build.main `{main}` does not exist in {}",
                    self.root.display()
                ),
            ));
        }
        let binary = self.string_or(
            &section.binary,
            "build.binary",
            &project.name,
            "default: the project name",
        );
        check_name(&binary)
            .map_err(|m| self.at(section.binary.as_ref().map_or(0..0, |b| b.span()), m))?;
        let vars = template::Vars {
            name: &project.name,
            version: &project.version,
            commit: commit.hash.as_deref().unwrap_or(""),
            short_commit: commit.short().unwrap_or(""),
        };
        let ldflags = match &section.ldflags {
            Some(raw) => {
                let expanded = template::expand(raw.get_ref(), &vars).map_err(|e| {
                    // +1 skips the opening quote of the TOML string.
                    let start = raw.span().start + 1 + e.offset;
                    self.at(start..start + 2, e.message)
                })?;
                self.note("build.ldflags", &expanded, Some(raw.span()));
                expanded
            }
            None => {
                let expanded =
                    template::expand(DEFAULT_LDFLAGS, &vars).expect("default ldflags expand");
                self.settings.push(Setting {
                    key: "build.ldflags".into(),
                    value: expanded.clone(),
                    origin: format!("default: `{DEFAULT_LDFLAGS}`"),
                });
                expanded
            }
        };
        let flags: Vec<String> = section
            .flags
            .iter()
            .flatten()
            .map(|f| f.get_ref().clone())
            .collect();
        Ok(Build {
            main,
            binary,
            ldflags,
            flags,
        })
    }

    fn targets(
        &mut self,
        parsed: &ConfigFile,
        overrides: &Overrides,
    ) -> Result<Vec<Target>, ConfigError> {
        let (targets, origin) = if !overrides.targets.is_empty() {
            (
                overrides.targets.clone(),
                "command line (--target)".to_string(),
            )
        } else if let Some(list) = &parsed.build.targets {
            let span = list.first().map_or(0..0, |t| t.span());
            let parsed: Vec<Target> = list
                .iter()
                .map(|t| {
                    t.get_ref()
                        .parse()
                        .map_err(|m: String| self.at(t.span(), m))
                })
                .collect::<Result<_, _>>()?;
            (parsed, self.origin(Some(span)))
        } else {
            (Target::defaults(), "default".to_string())
        };
        let mut seen = std::collections::BTreeSet::new();
        for target in &targets {
            if !seen.insert(target) {
                let span = parsed
                    .build
                    .targets
                    .iter()
                    .flatten()
                    .filter(|t| t.get_ref().parse().as_ref() == Ok(target))
                    .nth(1)
                    .map_or(0..0, |t| t.span());
                return Err(self.at(span, format!("target `{target}` is listed twice")));
            }
        }
        if targets.is_empty() {
            return Err(ConfigError::Plain(format!(
                "{FILE_NAME}: build.targets is empty; name at least one target"
            )));
        }
        let value = targets
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        self.settings.push(Setting {
            key: "build.targets".into(),
            value,
            origin,
        });
        Ok(targets)
    }

    fn limits(
        &self,
        section: &LimitsSection,
        base: Limits,
        table: &str,
    ) -> Result<Limits, ConfigError> {
        let pick = |value: &Option<Spanned<u64>>, key: &str, default: u64, max: u64| match value {
            None => Ok(default),
            Some(v) if (1..=max).contains(v.get_ref()) => Ok(*v.get_ref()),
            Some(v) => Err(self.at(
                v.span(),
                format!("{table} {key} must be between 1 and {max}"),
            )),
        };
        Ok(Limits {
            memory_mib: pick(&section.memory_mib, "memory_mib", base.memory_mib, 4096)?,
            time_secs: pick(&section.time_secs, "time_secs", base.time_secs, 24 * 3600)?,
            exec_time_secs: pick(
                &section.exec_time_secs,
                "exec_time_secs",
                base.exec_time_secs,
                24 * 3600,
            )?,
            exec_memory_mib: pick(
                &section.exec_memory_mib,
                "exec_memory_mib",
                base.exec_memory_mib,
                1 << 20,
            )?,
            exec_processes: pick(
                &section.exec_processes,
                "exec_processes",
                base.exec_processes,
                1 << 20,
            )?,
            output_mib: pick(&section.output_mib, "output_mib", base.output_mib, 1 << 24)?,
            output_files: pick(
                &section.output_files,
                "output_files",
                base.output_files,
                100_000_000,
            )?,
        })
    }

    fn tools(
        &mut self,
        tools: &BTreeMap<String, Spanned<String>>,
    ) -> Result<BTreeMap<String, PathBuf>, ConfigError> {
        let mut resolved = BTreeMap::new();
        for (name, path) in tools {
            check_program_name(name).map_err(|m| self.at(path.span(), format!("[tools] {m}")))?;
            let path_buf = self.root.join(path.get_ref());
            self.note(
                &format!("tools.{name}"),
                &path_buf.display().to_string(),
                Some(path.span()),
            );
            resolved.insert(name.clone(), path_buf);
        }
        Ok(resolved)
    }

    fn keys(
        &mut self,
        sections: &BTreeMap<String, KeySection>,
    ) -> Result<BTreeMap<String, KeySource>, ConfigError> {
        let mut keys = BTreeMap::new();
        for (id, section) in sections {
            let id_span = section
                .file
                .as_ref()
                .or(section.env.as_ref())
                .map_or(0..0, |s| s.span());
            check_name(id)
                .map_err(|m| self.at(id_span.clone(), format!("[signing.keys] key id: {m}")))?;
            let file = match (&section.file, &section.env) {
                (Some(_), Some(env)) => {
                    return Err(self.at(
                        env.span(),
                        format!("key `{id}`: give either `file` or `env`, not both"),
                    ));
                }
                (None, None) => {
                    return Err(ConfigError::Plain(format!(
                        "{FILE_NAME}: [signing.keys.{id}] needs `file = \"/path/to/key\"` or `env = \"VARIABLE\"`"
                    )));
                }
                (Some(file), None) => Some(self.key_file(id, file)?),
                (None, Some(_)) => None,
            };
            self.note(
                &format!("signing.keys.{id}"),
                &describe_key_source(&file, &section.env),
                Some(id_span),
            );
            keys.insert(
                id.clone(),
                KeySource {
                    id: id.clone(),
                    file,
                    env: section.env.as_ref().map(|e| e.get_ref().clone()),
                    password_env: section.password_env.as_ref().map(|e| e.get_ref().clone()),
                },
            );
        }
        Ok(keys)
    }

    /// A key file must live outside the project: plugins granted `source` read it all.
    fn key_file(&self, id: &str, file: &Spanned<String>) -> Result<PathBuf, ConfigError> {
        let path = self.root.join(file.get_ref());
        let resolved = path.canonicalize().unwrap_or_else(|_| path.clone());
        if resolved.starts_with(self.root) {
            return Err(self.at(
                file.span(),
                format!(
                    "key `{id}`: the key file is inside the project, where plugins granted `source` can read it; move it out of {} or use `env`",
                    self.root.display()
                ),
            ));
        }
        Ok(path)
    }

    fn stages(
        &mut self,
        sections: Vec<StageSection>,
        limits: Limits,
        keys: &BTreeMap<String, KeySource>,
        provenance_key: Option<&Spanned<String>>,
    ) -> Result<Vec<StageConfig>, ConfigError> {
        if sections.is_empty() {
            return Err(ConfigError::Plain(format!(
                "{FILE_NAME}: no [[stage]] defined; remove the empty list to use the default pipeline"
            )));
        }
        let mut stages: Vec<StageConfig> = Vec::with_capacity(sections.len());
        for section in sections {
            let name = section.name.get_ref();
            check_name(name)
                .map_err(|m| self.at(section.name.span(), format!("stage name: {m}")))?;
            if stages.iter().any(|s| &s.name == name) {
                return Err(self.at(
                    section.name.span(),
                    format!("a stage named `{name}` is already defined"),
                ));
            }
            let plugin = self.plugin_ref(&section)?;
            let mut exec = Vec::new();
            for program in &section.grants.exec {
                check_program_name(program.get_ref())
                    .map_err(|m| self.at(program.span(), format!("grants.exec: {m}")))?;
                exec.push(program.get_ref().clone());
            }
            let mut signing = Vec::new();
            for key in &section.grants.signing {
                if !keys.contains_key(key.get_ref()) {
                    return Err(self.at(
                        key.span(),
                        format!(
                            "grants.signing: no key `{}` is defined; add [signing.keys.{}]",
                            key.get_ref(),
                            key.get_ref()
                        ),
                    ));
                }
                // The host's provenance signature is the release's root of trust: a stage
                // holding its key could sign a statement of its own choosing.
                if let Some(provenance) = provenance_key.filter(|p| p.get_ref() == key.get_ref()) {
                    return Err(self.at(
                        key.span(),
                        format!(
                            "stage `{name}`: grants.signing: key `{}` signs the release's provenance ([provenance] key, line {}); no stage may be granted it. Define another key for the stage's signatures",
                            key.get_ref(),
                            self.line_of(provenance.span())
                        ),
                    ));
                }
                signing.push(key.get_ref().clone());
            }
            let config_json = match &section.config {
                Some(table) => json::canonical_json(table),
                None => "{}".to_string(),
            };
            stages.push(StageConfig {
                name: name.clone(),
                plugin,
                grants: Grants {
                    exec,
                    source: section.grants.source,
                    signing,
                    net: section.grants.net,
                },
                limits: self.limits(&section.limits, limits, &format!("stage `{name}` limits:"))?,
                config_json,
                origin: self.origin(Some(section.name.span())),
            });
        }
        Ok(stages)
    }

    fn plugin_ref(&self, section: &StageSection) -> Result<PluginRef, ConfigError> {
        let sha256 = match &section.sha256 {
            Some(sha) if crate::digest::is_sha256_hex(sha.get_ref()) => Some(sha.get_ref().clone()),
            Some(sha) => return Err(self.at(sha.span(), "sha256 must be 64 lowercase hex digits")),
            None => None,
        };
        let plugin = section.plugin.get_ref();
        if let Some(name) = plugin.strip_prefix("builtin:") {
            if !crate::builtin::exists(name) {
                let known = crate::builtin::names().join(", builtin:");
                return Err(self.at(
                    section.plugin.span(),
                    format!("there is no built-in plugin `{name}`; built-ins: builtin:{known}"),
                ));
            }
            return Ok(PluginRef::Builtin {
                name: name.to_string(),
                sha256,
            });
        }
        let Some(sha256) = sha256 else {
            return Err(self.at(
                section.plugin.span(),
                format!(
                    "plugin `{plugin}` is loaded from a file and must be pinned: add `sha256 = \"<hex>\"` (`xhost plugin inspect {plugin}` or `sha256sum {plugin}` prints it)"
                ),
            ));
        };
        Ok(PluginRef::File {
            path: self.root.join(plugin),
            sha256,
            written: plugin.clone(),
        })
    }

    fn string_or(
        &mut self,
        value: &Option<Spanned<String>>,
        key: &str,
        default: &str,
        why: &str,
    ) -> String {
        match value {
            Some(v) => {
                self.note(key, v.get_ref(), Some(v.span()));
                v.get_ref().clone()
            }
            None => {
                self.settings.push(Setting {
                    key: key.to_string(),
                    value: default.to_string(),
                    origin: why.to_string(),
                });
                default.to_string()
            }
        }
    }

    fn note(&mut self, key: &str, value: &str, span: Option<Range<usize>>) {
        let origin = self.origin(span);
        self.settings.push(Setting {
            key: key.to_string(),
            value: value.to_string(),
            origin,
        });
    }

    fn origin(&self, span: Option<Range<usize>>) -> String {
        match span {
            Some(span) => {
                let line = self.source[..span.start.min(self.source.len())]
                    .matches('\n')
                    .count()
                    + 1;
                format!("{FILE_NAME}:{line}")
            }
            None => "default".into(),
        }
    }

    fn at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::At(Located::new(self.file, self.source, span, message))
    }

    /// The 1-based line of `span` in the file.
    fn line_of(&self, span: Range<usize>) -> usize {
        self.source[..span.start.min(self.source.len())]
            .matches('\n')
            .count()
            + 1
    }
}

fn describe_key_source(file: &Option<PathBuf>, env: &Option<Spanned<String>>) -> String {
    match (file, env) {
        (Some(file), _) => format!("file {}", file.display()),
        (None, Some(env)) => format!("environment variable {}", env.get_ref()),
        (None, None) => String::new(),
    }
}

/// `-s -w` drops the symbol table and DWARF; `main.version` is what `--version` prints.
pub const DEFAULT_LDFLAGS: &str = "-s -w -X main.version={{version}}";

fn default_stages(limits: Limits) -> Vec<StageConfig> {
    let stage = |name: &str, plugin: &str, grants: Grants| StageConfig {
        name: name.to_string(),
        plugin: PluginRef::Builtin {
            name: plugin.to_string(),
            sha256: None,
        },
        grants,
        limits,
        config_json: "{}".to_string(),
        origin: "default pipeline".to_string(),
    };
    vec![
        stage(
            "compile",
            "go-build",
            Grants {
                exec: vec!["go".to_string()],
                source: true,
                ..Grants::default()
            },
        ),
        stage("strip", "strip", Grants::default()),
        stage(
            "sbom",
            "sbom",
            Grants {
                source: true,
                ..Grants::default()
            },
        ),
        stage(
            "archive",
            "archive",
            Grants {
                source: true,
                ..Grants::default()
            },
        ),
        stage("checksum", "checksum", Grants::default()),
    ]
}

fn source_date_epoch(commit: &vcs::Commit) -> Result<Option<u64>, ConfigError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) if !value.is_empty() => value.parse().map(Some).map_err(|_| {
            ConfigError::Plain(format!(
                "SOURCE_DATE_EPOCH=`{value}` is not a number of seconds since 1970"
            ))
        }),
        _ => Ok(commit.time),
    }
}
