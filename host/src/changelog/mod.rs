//! Release notes in Markdown from the commits since the previous tag, as GoReleaser
//! writes them: `## Changelog`, then a `### Title` per group (conventional-commit groups
//! by default: breaking changes first, then features, bug fixes, others), each commit
//! `* <abbreviated hash> <subject>`; GoReleaser-style regular-expression filters and
//! groups and sort order from `[changelog]`. The host writes it to `dist/CHANGELOG.md`.

use regex::Regex;

/// One commit, newest first as git lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    pub subject: String,
    pub body: String,
}

/// `[changelog]`, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub sort: Sort,
    /// Hash digits shown (0: none).
    pub abbrev: usize,
    pub exclude: Vec<Regex>,
    pub include: Vec<Regex>,
    /// In the order they are tried; empty: the conventional-commit groups.
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// As git lists them: newest first.
    None,
    Asc,
    Desc,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub title: String,
    /// None: every commit no earlier group took.
    pub regexp: Option<Regex>,
    pub order: i64,
    /// Also take commits whose body has a `BREAKING CHANGE:` footer (the default
    /// breaking-changes group).
    pub breaking_footer: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sort: Sort::None,
            abbrev: 7,
            exclude: Vec::new(),
            include: Vec::new(),
            groups: Vec::new(),
        }
    }
}

/// The conventional-commit groups used when `[changelog]` names none.
pub fn conventional_groups() -> Vec<Group> {
    let group = |title: &str, regexp: Option<&str>, order, breaking_footer| Group {
        title: title.to_string(),
        regexp: regexp.map(|r| Regex::new(r).expect("valid built-in pattern")),
        order,
        breaking_footer,
    };
    vec![
        group("Breaking changes", Some(r"^\w+(\([^)]*\))?!:"), 0, true),
        group("Features", Some(r"^feat(\([^)]*\))?:"), 1, false),
        group("Bug fixes", Some(r"^fix(\([^)]*\))?:"), 2, false),
        group("Others", None, 9999, false),
    ]
}

/// The release notes for `commits`.
pub fn render(settings: &Settings, commits: &[Commit]) -> String {
    let mut kept: Vec<&Commit> = commits
        .iter()
        .filter(|c| !settings.exclude.iter().any(|r| r.is_match(&c.subject)))
        .filter(|c| {
            settings.include.is_empty() || settings.include.iter().any(|r| r.is_match(&c.subject))
        })
        .collect();
    match settings.sort {
        Sort::None => {}
        Sort::Asc => kept.sort_by(|a, b| a.subject.cmp(&b.subject)),
        Sort::Desc => kept.sort_by(|a, b| b.subject.cmp(&a.subject)),
    }
    let line = |c: &Commit| {
        let hash = &c.hash[..c.hash.len().min(settings.abbrev)];
        if hash.is_empty() {
            format!("* {}\n", c.subject)
        } else {
            format!("* {hash} {}\n", c.subject)
        }
    };
    let mut out = String::from("## Changelog\n");
    let defaults;
    let groups = if settings.groups.is_empty() {
        defaults = conventional_groups();
        &defaults
    } else {
        &settings.groups
    };
    let mut ordered: Vec<&Group> = groups.iter().collect();
    ordered.sort_by_key(|g| g.order);
    let mut taken = vec![false; kept.len()];
    let mut sections = Vec::new();
    for group in ordered {
        let mut lines = String::new();
        for (i, commit) in kept.iter().enumerate() {
            let matches = match &group.regexp {
                None => true,
                Some(r) => {
                    r.is_match(&commit.subject)
                        || (group.breaking_footer && has_breaking_footer(&commit.body))
                }
            };
            if !taken[i] && matches {
                taken[i] = true;
                lines.push_str(&line(commit));
            }
        }
        if !lines.is_empty() {
            sections.push(format!("### {}\n{lines}", group.title));
        }
    }
    if !sections.is_empty() {
        out.push('\n');
        out.push_str(&sections.join("\n"));
    }
    out
}

/// A conventional-commit `BREAKING CHANGE:` (or `BREAKING-CHANGE:`) footer.
fn has_breaking_footer(body: &str) -> bool {
    body.lines()
        .any(|l| l.starts_with("BREAKING CHANGE:") || l.starts_with("BREAKING-CHANGE:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(n: u8, subject: &str, body: &str) -> Commit {
        Commit {
            hash: format!("{n:02}{}", "a".repeat(38)),
            subject: subject.into(),
            body: body.into(),
        }
    }

    fn history() -> Vec<Commit> {
        vec![
            commit(6, "docs: explain flags", ""),
            commit(5, "fix(cli): exit code on error", ""),
            commit(4, "feat: colours", ""),
            commit(3, "refactor: split main", "BREAKING CHANGE: -x is gone\n"),
            commit(2, "feat(api)!: new greeting", ""),
            commit(1, "chore: bump deps", ""),
        ]
    }

    #[test]
    fn conventional_groups_breaking_first() {
        let notes = render(&Settings::default(), &history());
        assert_eq!(
            notes,
            "## Changelog\n\n### Breaking changes\n* 03aaaaa refactor: split main\n* 02aaaaa feat(api)!: new greeting\n\n### Features\n* 04aaaaa feat: colours\n\n### Bug fixes\n* 05aaaaa fix(cli): exit code on error\n\n### Others\n* 06aaaaa docs: explain flags\n* 01aaaaa chore: bump deps\n"
        );
    }

    #[test]
    fn filters_groups_and_sort() {
        let settings = Settings {
            sort: Sort::Asc,
            abbrev: 0,
            exclude: vec![Regex::new("^docs:").unwrap(), Regex::new("^chore").unwrap()],
            include: Vec::new(),
            groups: vec![
                Group {
                    title: "New".into(),
                    regexp: Some(Regex::new(r"^feat").unwrap()),
                    order: 0,
                    breaking_footer: false,
                },
                Group {
                    title: "Fixed".into(),
                    regexp: Some(Regex::new(r"^fix").unwrap()),
                    order: 1,
                    breaking_footer: false,
                },
            ],
        };
        // Without a catch-all group, commits no group takes are left out.
        assert_eq!(
            render(&settings, &history()),
            "## Changelog\n\n### New\n* feat(api)!: new greeting\n* feat: colours\n\n### Fixed\n* fix(cli): exit code on error\n"
        );
    }
}
