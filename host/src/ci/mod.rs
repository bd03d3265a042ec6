//! `xhost ci init github|gitlab`: the project's release pipeline, written from
//! `xhost.toml`. Triggers (a `v*.*.*` tag, a schedule, a manual run), a plan job that
//! checks the configuration, one split job per group of targets sharing a runner
//! (`xhost build --split`), and a merge job (`xhost merge`) that alone gets the signing
//! keys and registry credentials, uploads the release and publishes it. The text is a
//! function of the configuration only, so running it again after an edit changes only
//! the lines the edit concerns.

mod github;
mod gitlab;
mod settings;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub use settings::Settings;

use crate::config::Config;
use crate::target::Target;

/// The CI systems a pipeline can be written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    Github,
    Gitlab,
}

/// The first line of every file `ci init` writes: a file without it is the user's, and
/// is not replaced unless asked.
pub const GENERATED: &str = "# Written by `xhost ci init";

/// What `ci init` did.
pub struct Written {
    pub file: PathBuf,
    /// False when the file already said exactly this.
    pub changed: bool,
}

/// The release pipeline of a project, whatever the CI system.
pub struct Pipeline {
    pub project: String,
    /// The targets, grouped by the runner that builds them, in configuration order.
    pub groups: Vec<Group>,
    /// The project has a go.mod (its jobs set Go up from it).
    pub go: bool,
    pub schedule: Option<String>,
    pub install: String,
    /// Environment variables the merge job gets from the CI's secrets: signing keys and
    /// their passwords.
    pub key_secrets: Vec<String>,
    /// Keys read from files, which no runner has.
    pub key_files: Vec<String>,
    /// A remote cache is configured: jobs get its token instead of a CI cache.
    pub remote_cache: bool,
    /// `[[publish]]` destinations exist: the merge job pushes to them.
    pub publish: bool,
    pub gitlab_image: String,
}

/// Targets built on one kind of runner.
pub struct Group {
    /// A job name: the runner's label, or `default`.
    pub name: String,
    /// GitHub: the `runs-on` label; GitLab: the runner tags.
    pub runner: Vec<String>,
    pub targets: Vec<Target>,
}

impl Pipeline {
    /// The pipeline `config` describes for `system`.
    pub fn of(config: &Config, system: System) -> Result<Pipeline> {
        let ci = &config.ci;
        let runners = match system {
            System::Github => &ci.github_runners,
            System::Gitlab => &ci.gitlab_tags,
        };
        for (pattern, _) in runners {
            if !config.targets.iter().any(|t| settings::matches(pattern, t)) {
                bail!(
                    "xhost.toml [ci.{}]: `{pattern}` matches no configured target",
                    match system {
                        System::Github => "github] runners",
                        System::Gitlab => "gitlab] tags",
                    }
                );
            }
        }
        let mut groups: Vec<Group> = Vec::new();
        for target in &config.targets {
            let runner = settings::runner_for(runners, target).unwrap_or_else(|| match system {
                System::Github => vec![settings::DEFAULT_GITHUB_RUNNER.to_string()],
                System::Gitlab => Vec::new(),
            });
            match groups.iter_mut().find(|g| g.runner == runner) {
                Some(group) => group.targets.push(target.clone()),
                None => groups.push(Group {
                    name: match runner.is_empty() {
                        true => "default".to_string(),
                        false => runner.join("-"),
                    },
                    runner,
                    targets: vec![target.clone()],
                }),
            }
        }
        let mut key_secrets = Vec::new();
        let mut key_files = Vec::new();
        for key in config.keys.values() {
            key_secrets.extend(key.env.iter().chain(&key.password_env).cloned());
            if key.file.is_some() {
                key_files.push(key.id.clone());
            }
        }
        key_secrets.sort();
        key_secrets.dedup();
        if let Some(bad) = key_secrets.iter().find(|name| !is_variable_name(name)) {
            bail!(
                "xhost.toml [signing.keys]: `{bad}` cannot be a CI secret's name (letters, digits and `_`, not starting with a digit)"
            );
        }
        Ok(Pipeline {
            project: config.project.name.clone(),
            groups,
            go: config.root.join("go.mod").is_file(),
            schedule: ci.schedule.clone(),
            install: ci.install.clone(),
            key_secrets,
            key_files,
            remote_cache: config.remote_cache.url.is_some(),
            publish: !config.publish.is_empty(),
            gitlab_image: ci.gitlab_image.clone(),
        })
    }

    /// The `--target` arguments of a group.
    fn target_args(group: &Group) -> String {
        group
            .targets
            .iter()
            .map(|t| format!("--target {t}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn is_variable_name(name: &str) -> bool {
    name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.bytes().next().is_some_and(|b| !b.is_ascii_digit())
}

/// Where `system`'s pipeline lives in a project.
pub fn file_of(system: System) -> &'static str {
    match system {
        System::Github => ".github/workflows/release.yml",
        System::Gitlab => ".gitlab-ci.yml",
    }
}

/// Writes `system`'s pipeline for `config` into the project; a file there that `ci
/// init` did not write is replaced only with `force`.
pub fn init(config: &Config, system: System, force: bool) -> Result<Written> {
    let pipeline = Pipeline::of(config, system)?;
    let text = match system {
        System::Github => github::render(&pipeline),
        System::Gitlab => gitlab::render(&pipeline),
    };
    let file = config.root.join(file_of(system));
    let changed = write(&file, &text, force)?;
    Ok(Written { file, changed })
}

/// Writes `text` to `file` unless it holds that already; refuses to replace a file
/// someone else wrote, unless `force`.
fn write(file: &Path, text: &str, force: bool) -> Result<bool> {
    match std::fs::read_to_string(file) {
        Ok(old) if old == text => return Ok(false),
        Ok(old) if !force && !old.starts_with(GENERATED) => bail!(
            "{} exists and was not written by `xhost ci init`; move it away, or pass --force to replace it",
            file.display()
        ),
        _ => {}
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::files::write_atomic(file, text.as_bytes())
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(true)
}
