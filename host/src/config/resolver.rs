//! The file as written plus defaults → a [`Config`]: the project, the build settings
//! and targets, `[tools]`; stages and keys are resolved in their own modules. Every
//! setting is noted with where its value came from, for `xhost check --explain`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use super::error::{ConfigError, Located};
use super::names::{check_name, check_program_name, check_version};
use super::schema::ConfigFile;
use super::{
    Build, Config, FILE_NAME, Limits, Overrides, PluginRef, Project, Setting, defaults, go,
    template, vcs,
};
use crate::target::Target;

pub(super) struct Resolver<'a> {
    pub(super) root: &'a Path,
    pub(super) file: &'a Path,
    pub(super) source: &'a str,
    pub(super) settings: Vec<Setting>,
}

impl Resolver<'_> {
    pub(super) fn resolve(
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
        let provenance_key = self.provenance_key(parsed.provenance.key.as_ref(), &keys)?;
        let mut stages = match parsed.stages {
            Some(stages) => self.stages(stages, limits)?,
            None => {
                // Unreadable module files are reported, at their line, when planned.
                let downloads = crate::go_modules::GoModules::read(self.root)
                    .ok()
                    .flatten()
                    .is_some_and(|m| m.downloads());
                self.note("stages", &defaults::described(downloads), None);
                defaults::stages(limits, downloads)
            }
        };
        for stage in &mut stages {
            if matches!(&stage.plugin, PluginRef::Builtin { name, .. } if name == go::BUILDER) {
                stage.config_json = go::with_ldflags(&stage.config_json, &build.ldflags);
            }
        }
        Ok(Config {
            root: self.root.to_path_buf(),
            file,
            project,
            build,
            targets,
            limits,
            tools,
            keys,
            provenance_line: parsed
                .provenance
                .key
                .as_ref()
                .map(|k| self.line_of(k.span())),
            provenance_key,
            stages,
            settings: self.settings,
            text: (!self.source.is_empty())
                .then(|| (Arc::from(self.source), self.file.to_path_buf())),
        })
    }

    pub(super) fn project(
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
                let module = go::read_module_path(self.root)
                    .map_err(|e| ConfigError::Plain(format!("reading {}: {e}", self.root.join("go.mod").display())))?
                    .ok_or_else(|| {
                        ConfigError::Plain(format!(
                            "cannot tell the project's name: {} has no go.mod and no [project] name in {FILE_NAME}; add `[project]\\nname = \"…\"`",
                            self.root.display()
                        ))
                    })?;
                let name = go::name_from_module(&module);
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
            commit_time: commit.time,
            source_date_epoch: source_date_epoch(commit)?,
        })
    }

    pub(super) fn build(
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
                    template::expand(go::DEFAULT_LDFLAGS, &vars).expect("default ldflags expand");
                self.settings.push(Setting {
                    key: "build.ldflags".into(),
                    value: expanded.clone(),
                    origin: format!("default: `{}`", go::DEFAULT_LDFLAGS),
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

    pub(super) fn targets(
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

    pub(super) fn tools(
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

    pub(super) fn string_or(
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

    pub(super) fn note(&mut self, key: &str, value: &str, span: Option<Range<usize>>) {
        let origin = self.origin(span);
        self.settings.push(Setting {
            key: key.to_string(),
            value: value.to_string(),
            origin,
        });
    }

    pub(super) fn origin(&self, span: Option<Range<usize>>) -> String {
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

    pub(super) fn at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::At(Located::new(self.file, self.source, span, message))
    }

    /// The 1-based line of `span` in the file.
    pub(super) fn line_of(&self, span: Range<usize>) -> usize {
        self.source[..span.start.min(self.source.len())]
            .matches('\n')
            .count()
            + 1
    }
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
