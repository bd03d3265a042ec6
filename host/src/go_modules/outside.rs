//! Directories a build reads from outside the project: `replace` directives to a
//! directory and `go.work` members. The tool sandbox shows programs the project
//! only, so Go would say `replacement directory … does not exist` mid-build; xhost
//! finds them when planning and names the grant that mounts one read-only.

use std::path::{Component, Path, PathBuf};

use super::files::{GoMod, GoWork, Replacement};

/// One directive naming a directory outside the project.
#[derive(Debug, Clone)]
pub struct OutsideDir {
    pub file: &'static str,
    pub line: usize,
    /// The directive, as Go would print it (`replace example.com/lib => ../lib`).
    pub directive: String,
    /// The directory as written (relative to the project), for the grant to suggest.
    pub written: String,
    /// Where it is: canonical when it exists, else normalised.
    pub dir: PathBuf,
}

/// Every directory `go.mod` and `go.work` (both at `root`) name outside `root`.
pub fn find(root: &Path, go_mod: &GoMod, work: Option<&GoWork>) -> Vec<OutsideDir> {
    let mut found = Vec::new();
    let mut consider = |file: &'static str, line: usize, directive: String, written: &str| {
        let dir = resolve(root, written);
        if !dir.starts_with(root) {
            found.push(OutsideDir {
                file,
                line,
                directive,
                written: written.to_string(),
                dir,
            });
        }
    };
    for replace in &go_mod.replaces {
        if let Replacement::Dir(written) = &replace.new {
            let directive = format!("replace {} => {written}", replace.old);
            consider("go.mod", replace.line, directive, written);
        }
    }
    if let Some(work) = work {
        for (written, line) in &work.uses {
            consider("go.work", *line, format!("use {written}"), written);
        }
        for (module, written, line) in &work.dir_replaces {
            consider(
                "go.work",
                *line,
                format!("replace {module} => {written}"),
                written,
            );
        }
    }
    found
}

/// `written` (relative to `root`, or absolute) as a path: canonical when it exists
/// (symlinks resolved, so a link inside the project to outside counts as outside),
/// otherwise with `.` and `..` folded.
pub fn resolve(root: &Path, written: &str) -> PathBuf {
    let joined = root.join(written);
    if let Ok(canonical) = joined.canonicalize() {
        return canonical;
    }
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}
