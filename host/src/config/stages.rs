//! `[[stage]]` tables: names, plugins (built-in, pinned files, or from a registry by
//! digest), grants and limits.

use toml::Spanned;

use super::error::ConfigError;
use super::names::check_name;
use super::rendered::Failed;
use super::resolver::Resolver;
use super::schema::{GrantValue, LimitsSection, StageSection};
use super::template::Fields;
use super::{FILE_NAME, Grant, Grants, Limits, PluginRef, Rendered, StageConfig, json};
use crate::plugin_registry::OciRef;
use crate::plugin_registry::reference::SCHEME as OCI;
use crate::target::Target;

impl Resolver<'_> {
    /// The stages as written; their grants are checked against the capabilities when
    /// the build is planned (`crate::caps::check_grants`).
    pub(super) fn stages(
        &mut self,
        sections: Vec<StageSection>,
        limits: Limits,
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
            let mut grants = Grants::default();
            for (key, value) in &section.grants {
                let grant = match value.get_ref() {
                    GrantValue::Flag(on) => Grant::Flag(*on),
                    GrantValue::Names(names) => Grant::Names(
                        names
                            .iter()
                            .map(|n| (n.get_ref().clone(), n.span()))
                            .collect(),
                    ),
                };
                grants.insert(key.get_ref(), grant, key.span());
            }
            let config_json = match &section.config {
                Some(table) => json::canonical_json(table),
                None => "{}".to_string(),
            };
            stages.push(StageConfig {
                name: name.clone(),
                plugin,
                grants,
                limits: self.limits(&section.limits, limits, &format!("stage `{name}` limits:"))?,
                config_json,
                rendered: Rendered::default(),
                origin: self.origin(Some(section.name.span())),
            });
        }
        Ok(stages)
    }

    pub(super) fn plugin_ref(&self, section: &StageSection) -> Result<PluginRef, ConfigError> {
        let sha256 = match &section.sha256 {
            Some(sha) if crate::digest::is_sha256_hex(sha.get_ref()) => Some(sha.get_ref().clone()),
            Some(sha) => return Err(self.at(sha.span(), "sha256 must be 64 lowercase hex digits")),
            None => None,
        };
        let plugin = section.plugin.get_ref();
        if let Some(trust) = section.trust.as_ref().filter(|_| !plugin.starts_with(OCI)) {
            return Err(self.at(
                trust.first().map_or(section.plugin.span(), |t| t.span()),
                format!("`trust` is for plugins from a registry (`plugin = \"{OCI}…\"`); `{plugin}` is pinned by its digest"),
            ));
        }
        if plugin.starts_with(OCI) {
            return self.oci_plugin(section);
        }
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

    /// `plugin = "oci://…@sha256:…"`, with the keys `trust` names.
    fn oci_plugin(&self, section: &StageSection) -> Result<PluginRef, ConfigError> {
        let written = section.plugin.get_ref();
        let reference =
            OciRef::parse(written).map_err(|e| self.at(section.plugin.span(), e.to_string()))?;
        if reference.digest.is_none() {
            return Err(self.at(
                section.plugin.span(),
                format!(
                    "plugin `{written}` is taken by digest, not by tag: add `@sha256:<digest>` (`xhost plugin inspect {written}` prints the reference to pin)"
                ),
            ));
        }
        if let Some(sha) = &section.sha256 {
            return Err(self.at(
                sha.span(),
                "a plugin from a registry is pinned by the digest in its reference; remove `sha256`",
            ));
        }
        let mut trust = Vec::new();
        for key in section.trust.iter().flatten() {
            let path = self.root.join(key.get_ref());
            if !path.is_file() {
                return Err(self.at(
                    key.span(),
                    format!("trust: `{}` is not a file in the project (a cosign public key, `cosign.pub`)", key.get_ref()),
                ));
            }
            trust.push(path);
        }
        if section.trust.as_ref().is_some_and(Vec::is_empty) {
            return Err(self.at(
                section.plugin.span(),
                "`trust = []` trusts no key, so no plugin could be used: name a public key, or remove `trust`",
            ));
        }
        Ok(PluginRef::Oci { reference, trust })
    }

    pub(super) fn limits(
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
}

impl Resolver<'_> {
    /// A stage's config rendered for the release and each target; a template error
    /// points at the key's line in the stage's `config` table.
    pub(super) fn render_stage(
        &self,
        stage: &StageConfig,
        fields: &Fields,
        targets: &[Target],
    ) -> Result<Rendered, ConfigError> {
        let error = |failed: Failed| {
            let field = match failed.key.as_str() {
                "" => format!("stage `{}` config", stage.name),
                key => format!("stage `{}` config.{key}", stage.name),
            };
            let span = self.config_key_span(&stage.name, &failed.key);
            self.template_error(span, &field, failed.error)
        };
        Rendered::render(&stage.config_json, fields, targets, |failed| {
            error(failed).to_string()
        })
        .map_err(error)
    }

    /// Where config key `key` (its last table key) of stage `name` is written, or
    /// `0..0` when the file does not say (the default pipeline, go-build's ldflags).
    fn config_key_span(&self, name: &str, key: &str) -> std::ops::Range<usize> {
        let last = key
            .rsplit('.')
            .next()
            .unwrap_or(key)
            .split('[')
            .next()
            .unwrap_or(key);
        let quoted = format!("\"{name}\"");
        let Some(stage_at) = self.source.find(&format!("name = {quoted}")) else {
            return 0..0;
        };
        let rest = &self.source[stage_at..];
        let end = rest[1..].find("[[stage]]").map_or(rest.len(), |i| i + 1);
        let pattern = regex::Regex::new(&format!(r"(?m)(^|[{{,\s]){}\s*=", regex::escape(last)))
            .expect("escaped key");
        match pattern.find(&rest[..end]) {
            Some(m) => {
                let start = stage_at + m.start() + m.as_str().find(last).unwrap_or(0);
                start..start + last.len()
            }
            None => 0..0,
        }
    }
}
