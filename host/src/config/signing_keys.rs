//! `[signing.keys]`: where each signing key comes from (a file outside the project, or
//! an environment variable); and `[provenance] key`, which must name one of them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use toml::Spanned;

use super::error::ConfigError;
use super::names::check_name;
use super::resolver::Resolver;
use super::schema::KeySection;
use super::{FILE_NAME, KeySource};

impl Resolver<'_> {
    /// `[provenance] key`: the id of a defined key, or none (no provenance).
    pub(super) fn provenance_key(
        &self,
        key: Option<&Spanned<String>>,
        keys: &BTreeMap<String, KeySource>,
    ) -> Result<Option<String>, ConfigError> {
        match key {
            Some(key) if keys.contains_key(key.get_ref()) => Ok(Some(key.get_ref().clone())),
            Some(key) => Err(self.at(
                key.span(),
                format!(
                    "[provenance] key: no key `{}` is defined; add [signing.keys.{}]",
                    key.get_ref(),
                    key.get_ref()
                ),
            )),
            None => Ok(None),
        }
    }

    pub(super) fn keys(
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

    pub(super) fn key_file(
        &self,
        id: &str,
        file: &Spanned<String>,
    ) -> Result<PathBuf, ConfigError> {
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
}

fn describe_key_source(file: &Option<PathBuf>, env: &Option<Spanned<String>>) -> String {
    match (file, env) {
        (Some(file), _) => format!("file {}", file.display()),
        (None, Some(env)) => format!("environment variable {}", env.get_ref()),
        (None, None) => String::new(),
    }
}
