//! `[ci]` in `xhost.toml`: checked where it is read, since every value ends up in a
//! pipeline file a CI system runs: labels, tags and images are plain names, the schedule
//! a five-field cron line, the install command one line with no expression syntax.

use std::ops::Range;

use crate::config::ConfigError;
use crate::config::schema::CiSection;
use crate::target::Target;

/// GitHub's runner for targets no pattern names.
pub const DEFAULT_GITHUB_RUNNER: &str = "ubuntu-latest";
/// GitLab's image when `[ci.gitlab] image` is not set: Go and a shell.
pub const DEFAULT_GITLAB_IMAGE: &str = "golang:1";

/// `[ci]`, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub schedule: Option<String>,
    /// The shell command putting `xhost` on a runner's PATH.
    pub install: String,
    /// `runs-on` labels by pattern.
    pub github_runners: Vec<(String, Vec<String>)>,
    /// Runner tags by pattern.
    pub gitlab_tags: Vec<(String, Vec<String>)>,
    pub gitlab_image: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            schedule: None,
            install: default_install(),
            github_runners: Vec::new(),
            gitlab_tags: Vec::new(),
            gitlab_image: DEFAULT_GITLAB_IMAGE.to_string(),
        }
    }
}

/// This version of xhost, from the Rust package registry.
fn default_install() -> String {
    format!("cargo install --locked xhost@{}", env!("CARGO_PKG_VERSION"))
}

impl Settings {
    /// `section` checked; `at` makes an error at a span of `xhost.toml`.
    pub fn resolve(
        section: &CiSection,
        at: impl Fn(Range<usize>, String) -> ConfigError,
    ) -> Result<Settings, ConfigError> {
        let schedule = match &section.schedule {
            Some(cron) if !is_cron(cron.get_ref()) => {
                return Err(at(
                    cron.span(),
                    "[ci] schedule: give five cron fields (minute hour day month weekday) of digits, `*`, `/`, `,` and `-`, e.g. \"17 3 * * 1\"".into(),
                ));
            }
            schedule => schedule.as_ref().map(|s| s.get_ref().clone()),
        };
        let install = match &section.install {
            Some(command) if !is_command(command.get_ref()) => {
                return Err(at(
                    command.span(),
                    "[ci] install: give one line of shell, without `${{` (the CI system would expand it)".into(),
                ));
            }
            Some(command) => command.get_ref().clone(),
            None => default_install(),
        };
        let mut github_runners = Vec::new();
        for (pattern, labels) in &section.github.runners {
            check_pattern(pattern)
                .map_err(|m| at(labels.span(), format!("[ci.github] runners: {m}")))?;
            let list = labels.get_ref().to_vec();
            if list.is_empty() || !list.iter().all(|l| is_name(l)) {
                return Err(at(
                    labels.span(),
                    "[ci.github] runners: give a runner label, or a list of them (letters, digits, `.`, `_`, `-`)".into(),
                ));
            }
            github_runners.push((pattern.clone(), list));
        }
        let mut gitlab_tags = Vec::new();
        for (pattern, tags) in &section.gitlab.tags {
            check_pattern(pattern)
                .map_err(|m| at(tags.span(), format!("[ci.gitlab] tags: {m}")))?;
            if tags.get_ref().is_empty() || !tags.get_ref().iter().all(|t| is_name(t)) {
                return Err(at(
                    tags.span(),
                    "[ci.gitlab] tags: give one or more runner tags (letters, digits, `.`, `_`, `-`)".into(),
                ));
            }
            gitlab_tags.push((pattern.clone(), tags.get_ref().clone()));
        }
        let gitlab_image = match &section.gitlab.image {
            Some(image) if !is_image(image.get_ref()) => {
                return Err(at(
                    image.span(),
                    format!(
                        "[ci.gitlab] image: `{}` is not an image reference",
                        image.get_ref()
                    ),
                ));
            }
            Some(image) => image.get_ref().clone(),
            None => DEFAULT_GITLAB_IMAGE.to_string(),
        };
        Ok(Settings {
            schedule,
            install,
            github_runners,
            gitlab_tags,
            gitlab_image,
        })
    }
}

/// Whether `pattern` (`os/arch/variant`, `os/arch`, `os/*` or `*`) covers `target`.
pub fn matches(pattern: &str, target: &Target) -> bool {
    let parts: Vec<&str> = pattern.split('/').collect();
    match parts.as_slice() {
        ["*"] => true,
        [os, "*"] => *os == target.os,
        [os, arch] => *os == target.os && *arch == target.arch,
        [os, arch, variant] => {
            *os == target.os && *arch == target.arch && Some(*variant) == target.variant.as_deref()
        }
        _ => false,
    }
}

/// The runner of the most specific pattern covering `target`.
pub fn runner_for(runners: &[(String, Vec<String>)], target: &Target) -> Option<Vec<String>> {
    let specificity = |pattern: &str| match pattern {
        "*" => 0,
        p if p.ends_with("/*") => 1,
        p => p.split('/').count(),
    };
    runners
        .iter()
        .filter(|(pattern, _)| matches(pattern, target))
        .max_by_key(|(pattern, _)| specificity(pattern))
        .map(|(_, runner)| runner.clone())
}

fn check_pattern(pattern: &str) -> Result<(), String> {
    let parts: Vec<&str> = pattern.split('/').collect();
    let ok = match parts.as_slice() {
        ["*"] => true,
        [os, "*"] => is_name(os),
        [_, _] | [_, _, _] => pattern.parse::<Target>().is_ok(),
        _ => false,
    };
    match ok {
        true => Ok(()),
        false => Err(format!(
            "`{pattern}` is not a target pattern: OS/ARCH[/VARIANT] of a supported port, OS/*, or *"
        )),
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_image(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b':' | b'@')
        })
}

fn is_command(s: &str) -> bool {
    !s.trim().is_empty() && !s.contains('\n') && !s.contains('\r') && !s.contains("${{")
}

fn is_cron(s: &str) -> bool {
    let fields: Vec<&str> = s.split_whitespace().collect();
    fields.len() == 5
        && fields.iter().all(|f| {
            f.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'*' | b'/' | b',' | b'-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &str) -> Target {
        s.parse().unwrap()
    }

    #[test]
    fn the_most_specific_pattern_wins() {
        let runners = vec![
            ("*".to_string(), vec!["any".to_string()]),
            ("linux/*".to_string(), vec!["linux".to_string()]),
            ("linux/arm64".to_string(), vec!["arm".to_string()]),
            ("linux/amd64/v3".to_string(), vec!["v3".to_string()]),
        ];
        let of = |t: &str| runner_for(&runners, &target(t)).unwrap()[0].clone();
        assert_eq!(of("linux/arm64"), "arm");
        assert_eq!(of("linux/amd64/v3"), "v3");
        assert_eq!(of("linux/amd64"), "linux");
        assert_eq!(of("darwin/arm64"), "any");
        assert_eq!(runner_for(&runners[1..2], &target("darwin/arm64")), None);
    }

    #[test]
    fn values_reaching_a_pipeline_file_are_plain() {
        assert!(is_cron("17 3 * * 1") && is_cron("*/15 0-6 1,15 * *"));
        assert!(!is_cron("17 3 * *") && !is_cron("17 3 * * 1; curl x"));
        assert!(is_name("ubuntu-24.04-arm") && !is_name("x\ny") && !is_name("${{ secrets.A }}"));
        assert!(!is_command("echo ${{ github.event.head_commit.message }}"));
        assert!(!is_command("a\nb"));
        assert!(is_image("registry.example.com/ci/go:1.23@sha256:abc") && !is_image("a b"));
        assert!(check_pattern("linux/*").is_ok() && check_pattern("linux/amd64/v3").is_ok());
        assert!(check_pattern("linux/nope").is_err() && check_pattern("a/b/c/d").is_err());
    }
}
