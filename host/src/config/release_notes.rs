//! `[changelog]` → the release notes: settings checked where they are written, and the
//! notes made when the configuration is resolved (git is read there, once), so `xhost
//! check` shows a bad pattern and the session only writes `CHANGELOG.md`.

use toml::Spanned;

use super::error::ConfigError;
use super::resolver::Resolver;
use super::schema::ChangelogSection;
use super::{Project, vcs};
use crate::changelog::{self, Group, Settings, Sort};

/// The release notes of this release.
#[derive(Debug, Clone)]
pub struct ReleaseNotes {
    /// `CHANGELOG.md`'s text.
    pub text: String,
    /// How many commits it covers (before filters).
    pub commits: usize,
}

impl Resolver<'_> {
    /// `[changelog]` checked (its patterns compile, its sort is known) and the release
    /// notes made from the commits since the previous tag; none when disabled or
    /// outside a git checkout.
    pub(super) fn release_notes(
        &self,
        section: &ChangelogSection,
        project: &Project,
    ) -> Result<Option<ReleaseNotes>, ConfigError> {
        let settings = self.changelog(section)?;
        if section.disable || project.commit.is_none() {
            return Ok(None);
        }
        let commits = vcs::commits_since(self.root, project.previous_tag.as_deref());
        Ok(Some(ReleaseNotes {
            text: changelog::render(&settings, &commits),
            commits: commits.len(),
        }))
    }

    fn changelog(&self, section: &ChangelogSection) -> Result<Settings, ConfigError> {
        let pattern = |p: &Spanned<String>, key: &str| {
            regex::Regex::new(p.get_ref()).map_err(|e| {
                let reason = e.to_string();
                let reason = reason.lines().last().unwrap_or_default().trim();
                self.at(
                    p.span(),
                    format!(
                        "{key}: `{}` is not a regular expression ({reason})",
                        p.get_ref()
                    ),
                )
            })
        };
        let sort = match section.sort.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("") => Sort::None,
            Some("asc") => Sort::Asc,
            Some("desc") => Sort::Desc,
            Some(other) => {
                let span = section.sort.as_ref().map_or(0..0, |s| s.span());
                return Err(self.at(
                    span,
                    format!("changelog.sort `{other}`: use \"asc\", \"desc\" or \"\""),
                ));
            }
        };
        let abbrev = match &section.abbrev {
            None => 7,
            Some(a) if (0..=40).contains(a.get_ref()) => *a.get_ref() as usize,
            // GoReleaser's -1: no hash.
            Some(a) if *a.get_ref() == -1 => 0,
            Some(a) => return Err(self.at(a.span(), "changelog.abbrev must be between -1 and 40")),
        };
        let exclude = section
            .filters
            .exclude
            .iter()
            .map(|p| pattern(p, "changelog.filters.exclude"))
            .collect::<Result<_, _>>()?;
        let include = section
            .filters
            .include
            .iter()
            .map(|p| pattern(p, "changelog.filters.include"))
            .collect::<Result<_, _>>()?;
        let groups = section
            .groups
            .iter()
            .map(|g| {
                Ok(Group {
                    title: g.title.get_ref().clone(),
                    regexp: g
                        .regexp
                        .as_ref()
                        .filter(|r| !r.get_ref().is_empty())
                        .map(|r| pattern(r, "changelog.groups.regexp"))
                        .transpose()?,
                    order: g.order,
                    breaking_footer: false,
                })
            })
            .collect::<Result<_, ConfigError>>()?;
        Ok(Settings {
            sort,
            abbrev,
            exclude,
            include,
            groups,
        })
    }
}
