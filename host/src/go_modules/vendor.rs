//! `vendor/modules.txt` against `go.mod`, by the rule `go build -mod=vendor` applies
//! (Go's `checkVendorConsistency`), stated per module with both files' lines, plus
//! what Go finds only when it compiles: a listed package missing from `vendor/`.

use std::path::Path;

use super::Problem;
use super::files::{GoMod, ModulesTxt};

const FIX: &str = "run `go mod vendor` and commit vendor/";

pub fn check(root: &Path, go_mod: &GoMod, txt: &ModulesTxt) -> Vec<Problem> {
    let mut problems = Vec::new();
    let at = |file: &str, line: usize, what: String| Problem::new(file, line, what, FIX);
    let txt_line = |line: usize| format!("vendor/modules.txt:{line}");

    for require in &go_mod.requires {
        let module = &require.module;
        let vendored = txt.modules.get(module);
        if vendored.is_some_and(|v| v.explicit) {
            continue;
        }
        let what = match (vendored, txt.providing(&module.path)) {
            (Some(v), _) => format!(
                "requires {module}, which {} lists without `## explicit`",
                txt_line(v.line)
            ),
            (None, Some(other)) => format!(
                "requires {module}, but {} vendors {other}",
                txt_line(txt.modules[other].line)
            ),
            (None, None) => format!("requires {module}, which vendor/modules.txt does not list"),
        };
        problems.push(at("go.mod", require.line, what));
    }

    for replace in &go_mod.replaces {
        let recorded = txt
            .modules
            .get(&replace.old)
            .and_then(|v| Some((v.replacement.as_ref()?, v.line)));
        match recorded {
            None => problems.push(at(
                "go.mod",
                replace.line,
                format!(
                    "replaces {} with {}, which vendor/modules.txt does not record",
                    replace.old, replace.new
                ),
            )),
            Some((new, line)) if *new != replace.new => problems.push(at(
                "go.mod",
                replace.line,
                format!(
                    "replaces {} with {}, but {} records {new}",
                    replace.old,
                    replace.new,
                    txt_line(line)
                ),
            )),
            Some(_) => {}
        }
    }

    for (module, vendored) in &txt.modules {
        let required = go_mod.requires.iter().any(|r| r.module == *module);
        if vendored.explicit && !vendored.packages.is_empty() && !required {
            problems.push(at(
                "vendor/modules.txt",
                vendored.line,
                format!(
                    "vendors {module} as required (`## explicit`), but go.mod does not require it"
                ),
            ));
        }
        if let Some(new) = &vendored.replacement {
            match go_mod.replacement(module) {
                None => problems.push(at(
                    "vendor/modules.txt",
                    vendored.line,
                    format!("records {module} replaced with {new}, but go.mod does not replace it"),
                )),
                Some(replace) if replace.new != *new => problems.push(at(
                    "vendor/modules.txt",
                    vendored.line,
                    format!(
                        "records {module} replaced with {new}, but go.mod:{} replaces it with {}",
                        replace.line, replace.new
                    ),
                )),
                Some(_) => {}
            }
        }
        for (package, line) in &vendored.packages {
            if !root.join("vendor").join(package).is_dir() {
                problems.push(at(
                    "vendor/modules.txt",
                    *line,
                    format!(
                        "lists package {package} (of {module}), but vendor/{package} is missing"
                    ),
                ));
            }
        }
    }
    problems
}
