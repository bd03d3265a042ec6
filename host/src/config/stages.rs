//! `[[stage]]` tables: names, plugins (built-in or pinned files), grants and limits.

use std::collections::BTreeMap;

use super::error::ConfigError;
use super::names::{check_name, check_program_name};
use super::resolver::Resolver;
use super::schema::{LimitsSection, StageSection};
use super::{FILE_NAME, Grants, KeySource, Limits, PluginRef, StageConfig, json};
use toml::Spanned;

impl Resolver<'_> {
    pub(super) fn stages(
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

    pub(super) fn plugin_ref(&self, section: &StageSection) -> Result<PluginRef, ConfigError> {
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
