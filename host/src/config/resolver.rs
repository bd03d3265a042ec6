//! The file as written plus defaults → a [`Config`]: the project, the build settings
//! and targets, `[tools]`; stages and keys are resolved in their own modules. Every
//! setting is noted with where its value came from, for `xhost check --explain`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use super::error::{ConfigError, Located};
use super::names::{check_env_name, check_name, check_program_name, check_version};
use super::schema::{ConfigFile, TemplateSection};
use super::template::{self, Fields};
use super::{
    Build, Config, FILE_NAME, Limits, Overrides, PluginRef, Project, Setting, defaults, go, vcs,
    version,
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
        let commit = (overrides.commit.clone()).unwrap_or_else(|| vcs::Commit::read(self.root));
        let project = self.project(&parsed, &commit, overrides)?;
        let env = self.template_env(&parsed.template)?;
        let mut fields = Fields {
            project_name: project.name.clone(),
            version: project.version.clone(),
            tag: project.tag.clone().unwrap_or_default(),
            previous_tag: project.previous_tag.clone().unwrap_or_default(),
            commit: project.commit.clone().unwrap_or_default(),
            summary: commit.summary.clone().unwrap_or_default(),
            commit_time: project.commit_time,
            epoch: project.source_date_epoch,
            is_snapshot: project.snapshot,
            binary: String::new(),
            env,
        };
        let (build, ldflags_template) = self.build(&parsed, &fields)?;
        fields.binary = build.binary.clone();
        let targets = self.targets(&parsed, overrides)?;
        let limits = self.limits(&parsed.limits, Limits::default(), "[limits]")?;
        let tools = self.tools(&parsed.tools)?;
        let keys = self.keys(&parsed.signing.keys)?;
        let provenance_key = self.provenance_key(parsed.provenance.key.as_ref(), &keys)?;
        let mut stages = match parsed.stages {
            Some(stages) => self.stages(stages, limits)?,
            None => {
                let language = self.language();
                self.note("stages", &defaults::described(language), None);
                defaults::stages(limits, language)
            }
        };
        for stage in &mut stages {
            if matches!(&stage.plugin, PluginRef::Builtin { name, .. } if name == go::BUILDER) {
                stage.config_json = go::with_ldflags(&stage.config_json, &ldflags_template);
            }
            stage.rendered = self.render_stage(stage, &fields, &targets)?;
        }
        let publish = self.publish(&parsed.publish, &fields)?;
        let remote_cache = self.remote_cache(&parsed.remote_cache, &keys)?;
        let ci = crate::ci::Settings::resolve(&parsed.ci, |span, message| self.at(span, message))?;
        let release_notes = match &parsed.changelog {
            Some(_) if overrides.commit.is_some() => None,
            Some(section) => self.release_notes(section, &project)?,
            None => None,
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
            provenance_line: parsed
                .provenance
                .key
                .as_ref()
                .map(|k| self.line_of(k.span())),
            provenance_key,
            stages,
            templates: fields,
            release_notes,
            goreleaser_metadata: parsed.metadata.goreleaser,
            publish,
            remote_cache,
            ci,
            settings: self.settings,
            text: (!self.source.is_empty())
                .then(|| (Arc::from(self.source), self.file.to_path_buf())),
            resolved_with: Overrides {
                commit: Some(commit),
                ..overrides.clone()
            },
        })
    }

    /// Which default pipeline the project gets: Rust with a Cargo.toml and no go.mod.
    /// Unreadable dependency files are reported, at their line, when planned.
    fn language(&self) -> defaults::Language {
        let go = crate::go_modules::GoModules::read(self.root).ok().flatten();
        if go.is_none() && self.root.join("Cargo.toml").is_file() {
            let downloads = crate::cargo_crates::CargoCrates::read(self.root)
                .ok()
                .flatten()
                .is_some_and(|c| c.downloads());
            return defaults::Language::Rust { downloads };
        }
        defaults::Language::Go {
            downloads: go.is_some_and(|m| m.downloads()),
        }
    }

    pub(super) fn project(
        &mut self,
        parsed: &ConfigFile,
        commit: &vcs::Commit,
        overrides: &Overrides,
    ) -> Result<Project, ConfigError> {
        let name = match &parsed.project.name {
            Some(name) => {
                check_name(name.get_ref()).map_err(|m| self.at(name.span(), m))?;
                self.note("project.name", name.get_ref(), Some(name.span()));
                name.get_ref().clone()
            }
            None if !self.root.join("go.mod").exists()
                && self.root.join("Cargo.toml").is_file() =>
            {
                let package = crate::cargo_crates::package(self.root)
                    .map_err(|e| ConfigError::Plain(format!("{e:#}")))?
                    .ok_or_else(|| {
                        ConfigError::Plain(format!(
                            "cannot tell the project's name: {} has no [package] (a workspace root?) and {FILE_NAME} no [project] name; add `[project]\nname = \"…\"`",
                            self.root.join("Cargo.toml").display()
                        ))
                    })?;
                check_name(&package.name).map_err(|m| {
                    ConfigError::Plain(format!(
                        "Cargo.toml package `{}`: {m}; set [project] name",
                        package.name
                    ))
                })?;
                self.settings.push(Setting {
                    key: "project.name".into(),
                    value: package.name.clone(),
                    origin: "default: Cargo.toml's package name".into(),
                });
                package.name
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
        let epoch = source_date_epoch(commit)?;
        let (version, snapshot) = self.version(parsed, &name, commit, epoch, overrides)?;
        Ok(Project {
            name,
            version,
            commit: commit.hash.clone(),
            commit_time: commit.time,
            source_date_epoch: epoch,
            tag: if snapshot { None } else { commit.tag.clone() },
            previous_tag: commit.previous_tag.clone(),
            snapshot,
        })
    }

    /// The release version and whether it is a snapshot: `[project] version` as
    /// written, else the tag at HEAD (a semantic version above the previous tag), else
    /// (or with `--snapshot`) `[project] snapshot_version` rendered over the last tag.
    fn version(
        &mut self,
        parsed: &ConfigFile,
        name: &str,
        commit: &vcs::Commit,
        epoch: Option<u64>,
        overrides: &Overrides,
    ) -> Result<(String, bool), ConfigError> {
        if let Some(version) = parsed
            .project
            .version
            .as_ref()
            .filter(|_| !overrides.snapshot)
        {
            check_version(version.get_ref()).map_err(|m| self.at(version.span(), m))?;
            self.note("project.version", version.get_ref(), Some(version.span()));
            return Ok((version.get_ref().clone(), false));
        }
        let source = version::source(commit, overrides.snapshot, overrides.allow_lower_tag)
            .map_err(ConfigError::Plain)?;
        let (base, why) = match source {
            version::Source::Tag { tag, version } => {
                self.settings.push(Setting {
                    key: "project.version".into(),
                    value: version.clone(),
                    origin: format!("default: git tag `{tag}`"),
                });
                return Ok((version, false));
            }
            version::Source::Snapshot { base, why } => (base, why),
        };
        let written = parsed.project.snapshot_version.as_ref();
        let text = written.map_or(version::DEFAULT_SNAPSHOT, |t| t.get_ref().as_str());
        let fields = Fields {
            project_name: name.to_string(),
            version: base,
            commit: commit.hash.clone().unwrap_or_default(),
            commit_time: commit.time,
            epoch,
            is_snapshot: true,
            ..Fields::default()
        };
        let mut rendered = template::render(text, &fields, None).map_err(|e| {
            let span = written.map_or(0..0, |t| t.span());
            self.template_error(span, "project.snapshot_version", e)
        })?;
        if commit.hash.is_none() && written.is_none() {
            // Not a git checkout: no commit to name.
            rendered = format!("{}-SNAPSHOT", fields.version);
        }
        let span = written.map_or(0..0, |t| t.span());
        check_version(&rendered).map_err(|m| {
            let message = format!("project.snapshot_version renders to {m}");
            if written.is_some() {
                self.at(span.clone(), message)
            } else {
                ConfigError::Plain(message)
            }
        })?;
        self.settings.push(Setting {
            key: "project.version".into(),
            value: rendered.clone(),
            origin: format!("{why}: `{text}`"),
        });
        Ok((rendered, true))
    }

    /// A template error at `span` (the value's place in the file), naming the field.
    pub(super) fn template_error(
        &self,
        span: Range<usize>,
        field: &str,
        error: template::TemplateError,
    ) -> ConfigError {
        let message = format!("{field}: {error}");
        if span == (0..0) || self.source.is_empty() {
            ConfigError::Plain(format!("{FILE_NAME}: {message}"))
        } else {
            self.at(span, message)
        }
    }

    /// `.Env` for templates: the host variables `[template] env` allows (empty when
    /// unset) and the values `[template.set]` gives.
    pub(super) fn template_env(
        &mut self,
        section: &TemplateSection,
    ) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut env = BTreeMap::new();
        for name in &section.env {
            check_env_name(name.get_ref())
                .map_err(|m| self.at(name.span(), format!("[template] env: {m}")))?;
            let value = std::env::var(name.get_ref()).unwrap_or_default();
            env.insert(name.get_ref().clone(), value);
        }
        for (name, value) in &section.set {
            check_env_name(name)
                .map_err(|m| self.at(value.span(), format!("[template.set]: {m}")))?;
            if env.contains_key(name) {
                return Err(self.at(
                    value.span(),
                    format!("[template.set] sets {name}, which [template] env also reads from the environment; keep one"),
                ));
            }
            env.insert(name.clone(), value.get_ref().clone());
        }
        Ok(env)
    }

    /// `[build]`, its templates rendered for the release; and the ldflags template as
    /// written, which go-build's config gets (rendered per target).
    pub(super) fn build(
        &mut self,
        parsed: &ConfigFile,
        fields: &Fields,
    ) -> Result<(Build, String), ConfigError> {
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
        // A Rust package's first binary, else the project's name.
        let first_bin = (!self.root.join("go.mod").exists())
            .then(|| crate::cargo_crates::package(self.root).ok().flatten())
            .flatten()
            .and_then(|p| p.bins.into_iter().next());
        let binary_raw = match &first_bin {
            Some(bin) => self.string_or(
                &section.binary,
                "build.binary",
                bin,
                "default: Cargo.toml's first binary",
            ),
            None => self.string_or(
                &section.binary,
                "build.binary",
                &fields.project_name,
                "default: the project name",
            ),
        };
        let binary_span = section.binary.as_ref().map_or(0..0, |b| b.span());
        let binary = template::render(&binary_raw, fields, None)
            .map_err(|e| self.template_error(binary_span.clone(), "build.binary", e))?;
        check_name(&binary).map_err(|m| self.at(binary_span, m))?;
        let with_binary = Fields {
            binary: binary.clone(),
            ..fields.clone()
        };
        let (ldflags_raw, ldflags_span) = match &section.ldflags {
            Some(raw) => (raw.get_ref().clone(), raw.span()),
            None => (go::DEFAULT_LDFLAGS.to_string(), 0..0),
        };
        // A target's fields are only known per target: go-build renders the template
        // for each (see `stages`); this is the release-wide value earlier plugins get.
        let ldflags = match template::render(&ldflags_raw, &with_binary, None) {
            Ok(expanded) => expanded,
            Err(_)
                if template::render(&ldflags_raw, &with_binary, Some(&Target::defaults()[0]))
                    .is_ok() =>
            {
                ldflags_raw.clone()
            }
            Err(e) => return Err(self.template_error(ldflags_span, "build.ldflags", e)),
        };
        match &section.ldflags {
            Some(raw) => self.note("build.ldflags", &ldflags, Some(raw.span())),
            // Go's linker flags: nothing for a Rust package.
            None if first_bin.is_some() => {}
            None => self.settings.push(Setting {
                key: "build.ldflags".into(),
                value: ldflags.clone(),
                origin: format!("default: `{}`", go::DEFAULT_LDFLAGS),
            }),
        }
        let flags = section
            .flags
            .iter()
            .flatten()
            .map(|f| {
                template::render(f.get_ref(), &with_binary, None)
                    .map_err(|e| self.template_error(f.span(), "build.flags", e))
            })
            .collect::<Result<Vec<String>, ConfigError>>()?;
        Ok((
            Build {
                main,
                binary,
                ldflags,
                flags,
            },
            ldflags_raw,
        ))
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

    /// `[[publish]]`: each `registry` split into host and repository; plain HTTP only
    /// to a registry on this machine (a token sent in the clear anywhere else).
    fn publish(
        &self,
        sections: &[super::schema::PublishSection],
        fields: &Fields,
    ) -> Result<Vec<crate::publish::Destination>, ConfigError> {
        sections
            .iter()
            .map(|section| {
                let written = section.registry.get_ref();
                let (registry, repository) = written
                    .split_once('/')
                    .filter(|(host, repo)| {
                        !host.is_empty()
                            && !repo.is_empty()
                            && repo.bytes().all(|b| {
                                b.is_ascii_lowercase()
                                    || b.is_ascii_digit()
                                    || matches!(b, b'.' | b'_' | b'-' | b'/')
                            })
                    })
                    .ok_or_else(|| {
                        self.at(
                            section.registry.span(),
                            format!(
                                "registry `{written}` is not HOST[:PORT]/REPOSITORY (a lower-case repository, e.g. registry.example.com/acme/tool)"
                            ),
                        )
                    })?;
                let host = registry.rsplit_once(':').map_or(registry, |(h, _)| h);
                let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
                let plain_http = section.plain_http.as_ref().filter(|p| *p.get_ref());
                if let Some(plain_http) = plain_http.filter(|_| !local) {
                    return Err(self.at(
                        plain_http.span(),
                        format!(
                            "plain_http sends images and credentials unencrypted: allowed only for a registry on this machine (localhost, 127.0.0.1), not {registry}"
                        ),
                    ));
                }
                let ca_file = match &section.ca_file {
                    Some(file) => {
                        let path = self.root.join(file.get_ref());
                        if !path.is_file() {
                            return Err(self.at(
                                file.span(),
                                format!("ca_file `{}` is not a file in the project", file.get_ref()),
                            ));
                        }
                        Some(path)
                    }
                    None => None,
                };
                let files_tag = match &section.files_tag {
                    Some(written) => {
                        let tag = template::render(written.get_ref(), fields, None)
                            .map_err(|e| self.template_error(written.span(), "files_tag", e))?;
                        if !crate::publish::valid_tag(&tag) {
                            return Err(self.at(
                                written.span(),
                                format!(
                                    "files_tag renders to `{tag}`, which is not a tag (letters, digits, `_`, `.`, `-`; at most 128; not starting with `.` or `-`)"
                                ),
                            ));
                        }
                        Some(tag)
                    }
                    None => None,
                };
                Ok(crate::publish::Destination {
                    to: crate::publish::Repository {
                        registry: registry.to_string(),
                        repository: repository.to_string(),
                        plain_http: plain_http.is_some(),
                        ca_file,
                    },
                    images: section.images.as_ref().map(|i| *i.get_ref()),
                    files_tag,
                })
            })
            .collect()
    }

    /// `[remote_cache]`: an HTTP(S) URL, a timeout of 1 to 600 seconds, trusted public
    /// key files that exist, and a signing key that is defined.
    fn remote_cache(
        &self,
        section: &super::schema::RemoteCacheSection,
        keys: &BTreeMap<String, crate::keys::KeySource>,
    ) -> Result<crate::cache::remote::Configured, ConfigError> {
        if let Some(url) = &section.url {
            crate::cache::remote::check_url(url.get_ref())
                .map_err(|why| self.at(url.span(), format!("[remote_cache] url: {why}")))?;
        }
        let timeout = match &section.timeout_secs {
            Some(t) if !(1..=600).contains(t.get_ref()) => {
                return Err(self.at(
                    t.span(),
                    "[remote_cache] timeout_secs: give 1 to 600 seconds",
                ));
            }
            Some(t) => *t.get_ref(),
            None => crate::cache::remote::DEFAULT_TIMEOUT_SECS,
        };
        let trust = section
            .trust
            .iter()
            .map(|file| {
                let path = self.root.join(file.get_ref());
                if path.is_file() {
                    Ok(path)
                } else {
                    Err(self.at(
                        file.span(),
                        format!(
                            "[remote_cache] trust: no public key file at {}",
                            path.display()
                        ),
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sign = match &section.sign {
            Some(id) if !keys.contains_key(id.get_ref()) => {
                return Err(self.at(
                    id.span(),
                    format!(
                        "[remote_cache] sign: no key `{0}` is defined; add [signing.keys.{0}]",
                        id.get_ref()
                    ),
                ));
            }
            Some(id) => keys.get(id.get_ref()).cloned(),
            None => None,
        };
        let ca_file = match &section.ca_file {
            Some(file) if !self.root.join(file.get_ref()).is_file() => {
                return Err(self.at(
                    file.span(),
                    format!(
                        "[remote_cache] ca_file `{}` is not a file in the project",
                        file.get_ref()
                    ),
                ));
            }
            Some(file) => Some(self.root.join(file.get_ref())),
            None => None,
        };
        Ok(crate::cache::remote::Configured {
            ca_file,
            url: section.url.as_ref().map(|u| u.get_ref().clone()),
            read_only: section.read_only,
            timeout: std::time::Duration::from_secs(timeout),
            trust,
            sign,
        })
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
