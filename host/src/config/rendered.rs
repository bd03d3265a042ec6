//! A stage's `config` with its templates rendered: every string in it (in tables and
//! arrays too) is a template, rendered once for the release and once per target, when
//! the configuration is resolved — so a template error stops the build before anything
//! runs, and action keys see the values the plugin gets.

use std::collections::BTreeMap;

use serde_json::Value;

use super::template::{self, Fields, Template, TemplateError};
use crate::target::Target;

#[derive(Debug, Clone)]
pub struct Rendered {
    /// For a release stage; an error (with its place) when the config uses a target's
    /// fields, reported only if the stage turns out to be a release stage.
    release: Result<String, String>,
    /// Per target; empty when the config holds no template.
    targets: BTreeMap<Target, String>,
}

impl Default for Rendered {
    fn default() -> Self {
        Rendered::plain("{}")
    }
}

/// A template that failed, and the config key it is in (`name_template`, `env.GOFLAGS`,
/// `flags[1]`).
#[derive(Debug)]
pub struct Failed {
    pub key: String,
    pub error: TemplateError,
}

impl Rendered {
    /// A config with no template in it.
    pub fn plain(config_json: &str) -> Rendered {
        Rendered {
            release: Ok(config_json.to_string()),
            targets: BTreeMap::new(),
        }
    }

    /// Renders `config_json` for the release and for each of `targets`, each string
    /// parsed once; a failure for a target is returned, one for the release kept (see
    /// `release`), as `place` words it.
    pub fn render(
        config_json: &str,
        fields: &Fields,
        targets: &[Target],
        place: impl Fn(Failed) -> String,
    ) -> Result<Rendered, Failed> {
        let config: Value = serde_json::from_str(config_json).unwrap_or(Value::Null);
        if !has_template(&config) {
            return Ok(Rendered::plain(config_json));
        }
        let (fields, targets) = (fields.clone(), targets.to_vec());
        let rendered = template::guarded(move || {
            let compiled = match compile(&config, "") {
                Ok(compiled) => compiled,
                Err(failed) => return Ok(Err(failed)),
            };
            let mut per_target = BTreeMap::new();
            for target in &targets {
                let context = fields.value(Some(target));
                match compiled.render(&fields, &context, Some(target)) {
                    Ok(value) => per_target.insert(target.clone(), value.to_string()),
                    Err(failed) => return Ok(Err(failed)),
                };
            }
            let release = compiled
                .render(&fields, &fields.value(None), None)
                .map(|v| v.to_string());
            Ok(Ok((release, per_target)))
        })
        .map_err(|error| Failed {
            key: String::new(),
            error,
        })??;
        let (release, targets) = rendered;
        Ok(Rendered {
            release: release.map_err(place),
            targets,
        })
    }

    /// The config a stage's invocation gets: for `target`, or for the release.
    pub fn for_lane(&self, target: Option<&Target>) -> Result<&str, &str> {
        match target.and_then(|t| self.targets.get(t)) {
            Some(json) => Ok(json),
            None => self.release.as_deref().map_err(String::as_str),
        }
    }
}

fn has_template(value: &Value) -> bool {
    match value {
        Value::String(s) => template::is_template(s),
        Value::Array(items) => items.iter().any(has_template),
        Value::Object(map) => map.values().any(has_template),
        _ => false,
    }
}

/// A config value with its template strings parsed, and each one's key.
enum Compiled {
    Plain(Value),
    Template(String, Template),
    Array(Vec<Compiled>),
    Object(Vec<(String, Compiled)>),
}

fn compile(value: &Value, key: &str) -> Result<Compiled, Failed> {
    Ok(match value {
        Value::String(s) if template::is_template(s) => {
            let parsed = Template::parse(s).map_err(|error| Failed {
                key: key.to_string(),
                error,
            })?;
            Compiled::Template(key.to_string(), parsed)
        }
        Value::Array(items) => Compiled::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| compile(item, &format!("{key}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Compiled::Object(
            map.iter()
                .map(|(name, item)| {
                    let path = if key.is_empty() {
                        name.clone()
                    } else {
                        format!("{key}.{name}")
                    };
                    Ok((name.clone(), compile(item, &path)?))
                })
                .collect::<Result<_, Failed>>()?,
        ),
        other => Compiled::Plain(other.clone()),
    })
}

impl Compiled {
    fn render(
        &self,
        fields: &Fields,
        context: &gtmpl::Value,
        target: Option<&Target>,
    ) -> Result<Value, Failed> {
        Ok(match self {
            Compiled::Plain(value) => value.clone(),
            Compiled::Template(key, parsed) => Value::String(
                parsed
                    .render(fields, context, target)
                    .map_err(|error| Failed {
                        key: key.clone(),
                        error,
                    })?,
            ),
            Compiled::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.render(fields, context, target))
                    .collect::<Result<_, _>>()?,
            ),
            Compiled::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(name, item)| Ok((name.clone(), item.render(fields, context, target)?)))
                    .collect::<Result<_, Failed>>()?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            project_name: "hello".into(),
            version: "1.0.0".into(),
            ..Fields::default()
        }
    }

    #[test]
    fn per_target_and_release() {
        let targets: Vec<Target> = vec![
            "linux/amd64".parse().unwrap(),
            "windows/386".parse().unwrap(),
        ];
        let json = r#"{"env":{"X":"{{ .Arch }}"},"flags":["-tags={{ .Os }}"],"n":3}"#;
        let rendered = Rendered::render(json, &fields(), &targets, |f| f.key).unwrap();
        assert_eq!(
            rendered.for_lane(Some(&targets[1])).unwrap(),
            r#"{"env":{"X":"386"},"flags":["-tags=windows"],"n":3}"#
        );
        // The release rendering fails on a target's field and names the key.
        assert_eq!(rendered.for_lane(None), Err("env.X"));
        let plain = Rendered::render(r#"{"a":"b"}"#, &fields(), &targets, |f| f.key).unwrap();
        assert_eq!(plain.for_lane(Some(&targets[0])).unwrap(), r#"{"a":"b"}"#);
        let failed = Rendered::render(r#"{"a":["x","{{ .Nope }}"]}"#, &fields(), &targets, |f| {
            f.key
        })
        .unwrap_err();
        assert_eq!(failed.key, "a[1]");
    }
}
