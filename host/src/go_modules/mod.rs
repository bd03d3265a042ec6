//! What a Go project's module files say, and whether a build can trust them, checked
//! when the build is planned, before any stage runs:
//!
//! - a vendored project's `vendor/modules.txt` agrees with `go.mod` ([`vendor`]);
//! - an unvendored project's `go.sum` covers every module it downloads ([`sums`]);
//! - directories it reads outside the project are granted ([`outside`]);
//! - its lock files (`go.mod`, `go.sum`, `go.work`, and the `go.mod` of every
//!   directory replacement) digested into the key of its module download.

mod fetched;
mod files;
mod outside;
mod sums;
mod vendor;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use sha2::{Digest, Sha256};

pub use fetched::ModuleCache;
pub use files::{GoMod, ModVersion, Replacement};
pub use outside::OutsideDir;

use files::{GoSum, GoWork, ModulesTxt, read_optional};

/// One disagreement, at a file and line of the project, with its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub what: String,
    pub fix: String,
}

impl Problem {
    pub fn new(file: &str, line: usize, what: String, fix: &str) -> Problem {
        Problem {
            file: file.to_string(),
            line,
            what,
            fix: fix.to_string(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}\n    fix: {}",
            self.file, self.line, self.what, self.fix
        )
    }
}

/// Every problem found, as one error.
#[derive(Debug)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the project's Go module files are not what its build needs (nothing was built):"
        )?;
        for problem in &self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A stage that runs Go, as the checks see it.
pub struct GoStage<'a> {
    pub name: &'a str,
    /// The directories outside the project it is granted (`grants.paths`), canonical.
    pub paths: &'a [PathBuf],
}

/// A Go project's module files.
#[derive(Debug)]
pub struct GoModules {
    root: PathBuf,
    pub go_mod: GoMod,
    go_sum: Option<GoSum>,
    /// Read when `vendor/` exists (empty if it has no modules.txt).
    modules_txt: Option<ModulesTxt>,
    work: Option<GoWork>,
    /// Modules the workspace provides (its members' and directory replacements'):
    /// never downloaded.
    workspace_modules: Vec<String>,
    /// The lock files, by name, for the download's key.
    lock_files: Vec<(String, Vec<u8>)>,
}

impl GoModules {
    /// The module files of the project at `root` (canonical); `None` without go.mod.
    pub fn read(root: &Path) -> Result<Option<GoModules>> {
        let Some(go_mod_text) = read_optional(root, "go.mod")? else {
            return Ok(None);
        };
        let go_mod = GoMod::parse(&go_mod_text, "go.mod")?;
        let go_sum_text = read_optional(root, "go.sum")?;
        let go_sum = go_sum_text
            .as_deref()
            .map(|t| GoSum::parse(t, "go.sum"))
            .transpose()?;
        let modules_txt = match root.join("vendor").is_dir() {
            true => Some(ModulesTxt::parse(
                &read_optional(root, "vendor/modules.txt")?.unwrap_or_default(),
            )),
            false => None,
        };
        let work_text = read_optional(root, "go.work")?;
        let work = work_text.as_deref().map(GoWork::parse);
        let mut workspace_modules = Vec::new();
        if let Some(work) = &work {
            for (dir, _) in &work.uses {
                let member = outside::resolve(root, dir);
                if let Some(text) = read_optional(&member, "go.mod")? {
                    workspace_modules.push(GoMod::parse(&text, &format!("{dir}/go.mod"))?.module);
                }
            }
            workspace_modules.extend(work.dir_replaces.iter().map(|(m, _, _)| m.clone()));
        }

        let mut lock_files = vec![("go.mod".to_string(), go_mod_text.into_bytes())];
        for (name, text) in [
            ("go.sum", go_sum_text),
            ("go.work", work_text),
            ("go.work.sum", read_optional(root, "go.work.sum")?),
        ] {
            if let Some(text) = text {
                lock_files.push((name.to_string(), text.into_bytes()));
            }
        }
        // A directory replacement's requirements are part of the module graph.
        for replace in &go_mod.replaces {
            if let Replacement::Dir(dir) = &replace.new {
                let file = outside::resolve(root, dir).join("go.mod");
                if let Ok(bytes) = std::fs::read(&file) {
                    lock_files.push((format!("{dir}/go.mod"), bytes));
                }
            }
        }
        Ok(Some(GoModules {
            root: root.to_path_buf(),
            go_mod,
            go_sum,
            modules_txt,
            work,
            workspace_modules,
            lock_files,
        }))
    }

    /// Whether `go build` reads modules from `vendor/`: it exists, `go.mod` says go
    /// 1.14 or later, and no `go.work` puts the build in workspace mode.
    pub fn vendored(&self) -> bool {
        self.modules_txt.is_some() && self.go_mod.go_at_least(14) && self.work.is_none()
    }

    /// Whether a build downloads modules: it is not vendored and requires a module
    /// that is not replaced with a directory.
    pub fn downloads(&self) -> bool {
        !self.vendored() && self.downloaded().next().is_some()
    }

    /// The modules a build downloads (as required; replacements aside).
    fn downloaded(&self) -> impl Iterator<Item = &ModVersion> {
        self.go_mod
            .requires
            .iter()
            .filter(|r| {
                !matches!(
                    self.go_mod.replacement(&r.module).map(|r| &r.new),
                    Some(Replacement::Dir(_))
                ) && !self.workspace_modules.contains(&r.module.path)
            })
            .map(|r| &r.module)
    }

    /// Checks a fetch stage's staged module cache against go.sum before it is kept
    /// ([`fetched::verify`]).
    pub fn verify_fetched(
        &self,
        tool: &crate::caps::exec::tools::Tool,
        cache: &ModuleCache,
        work: &Path,
        limits: &crate::config::Limits,
    ) -> Result<()> {
        let empty = GoSum::default();
        let sums = self.go_sum.as_ref().unwrap_or(&empty);
        fetched::verify(tool, &self.root, sums, cache, work, limits)
    }

    /// The directories the build reads outside the project.
    pub fn outside_dirs(&self) -> Vec<OutsideDir> {
        outside::find(&self.root, &self.go_mod, self.work.as_ref())
    }

    /// SHA-256 of the lock files and `settings` (the module proxy settings): what the
    /// downloaded module cache is a function of.
    pub fn download_key(&self, settings: &[(&str, &str)]) -> String {
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        for (name, bytes) in &self.lock_files {
            part(name.as_bytes());
            part(bytes);
        }
        for (name, value) in settings {
            part(name.as_bytes());
            part(value.as_bytes());
        }
        crate::digest::hex(&hasher.finalize())
    }

    /// What stands between these files and a build whose stages running Go are
    /// `stages`, `fetched` telling whether a stage downloads the modules.
    pub fn problems(&self, stages: &[GoStage], fetched: bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.vendored() {
            let txt = self.modules_txt.as_ref().expect("vendored");
            problems.extend(vendor::check(&self.root, &self.go_mod, txt));
        } else if self.downloads() {
            let provided = |m: &ModVersion| self.workspace_modules.contains(&m.path);
            problems.extend(sums::check(&self.go_mod, self.go_sum.as_ref(), provided));
            if !fetched && let Some(first) = self.go_mod.requires.first() {
                problems.push(Problem::new(
                    "go.mod",
                    first.line,
                    format!(
                        "requires modules ({} first), but there is no vendor/ and no stage downloads them; the compile stage has no network",
                        first.module
                    ),
                    "add a `builtin:go-mod` stage before the compile stage (the default pipeline has one), or run `go mod vendor` and commit vendor/",
                ));
            }
        }
        // A vendored build reads replaced modules from vendor/, not their directories.
        let read = |o: &OutsideDir| !(self.vendored() && o.file == "go.mod");
        for outside in self.outside_dirs().into_iter().filter(read) {
            let missing: Vec<&str> = stages
                .iter()
                .filter(|s| !s.paths.iter().any(|p| outside.dir.starts_with(p)))
                .map(|s| s.name)
                .collect();
            if !outside.dir.exists() {
                problems.push(Problem::new(
                    outside.file,
                    outside.line,
                    format!(
                        "`{}` names {}, which does not exist",
                        outside.directive,
                        outside.dir.display()
                    ),
                    "check out the directory there, or change the directive",
                ));
            } else if !missing.is_empty() {
                problems.push(Problem::new(
                    outside.file,
                    outside.line,
                    format!(
                        "`{}` reads {} outside the project, which the sandbox does not show stage{} `{}`",
                        outside.directive,
                        outside.dir.display(),
                        if missing.len() == 1 { "" } else { "s" },
                        missing.join("`, `")
                    ),
                    &format!(
                        "if you trust it, grant it read-only to {}: `grants.paths = [\"{}\"]`",
                        if missing.len() == 1 { "that stage" } else { "those stages" },
                        outside.written
                    ),
                ));
            }
        }
        problems
    }

    /// [`GoModules::problems`] as an error, if any.
    pub fn check(&self, stages: &[GoStage], fetched: bool) -> Result<()> {
        let problems = self.problems(stages, fetched);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Problems(problems).into())
        }
    }
}
