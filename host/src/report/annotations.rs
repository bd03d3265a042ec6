//! A failed build's errors as GitHub Actions annotations: every `FILE:LINE[:COL]:
//! message` line of the error — `xhost.toml`'s errors, and the compiler's, whose paths
//! are the sandbox's view of the project (`/xhost/src/…`, or relative to it) — naming a
//! file of the project becomes an `::error file=…,line=…,col=…::message` workflow
//! command, with the file relative to the workspace, so the message shows on the line
//! of the pull request's diff. Every value is escaped as the runner expects, so no text
//! of the error can end the command early or start another.

use std::path::{Path, PathBuf};

/// Where programs see the project (`caps/exec/policy.rs`).
const SANDBOX_SOURCE: &str = "/xhost/src/";

/// The annotation lines for `message` (the error and its causes, one per line) of a
/// build of the project at `project`, with files relative to `workspace`.
pub fn for_error(message: &str, project: &Path, workspace: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for line in message.lines() {
        let Some(at) = position(line) else {
            continue;
        };
        let Some(file) = project_file(at.file, project, workspace) else {
            continue;
        };
        let mut properties = format!("file={},line={}", property(&file), at.line);
        if let Some(col) = at.col {
            properties.push_str(&format!(",col={col}"));
        }
        lines.push(format!("::error {properties}::{}", data(at.message.trim())));
        if lines.len() == 10 {
            // GitHub shows ten error annotations per step.
            break;
        }
    }
    lines
}

/// `FILE:LINE[:COL]: message`.
struct Position<'a> {
    file: &'a str,
    line: u32,
    col: Option<u32>,
    message: &'a str,
}

fn position(line: &str) -> Option<Position<'_>> {
    let line = line.trim_start();
    let mut parts = line.splitn(4, ':');
    let file = parts.next()?;
    let number = parts.next()?.parse().ok()?;
    let third = parts.next()?;
    let (col, message) = match third.parse() {
        Ok(col) => (Some(col), parts.next()?),
        Err(_) => (None, line.splitn(3, ':').nth(2)?),
    };
    let plain = !file.is_empty() && !file.contains(char::is_whitespace);
    (plain && message.starts_with(' ')).then_some(Position {
        file,
        line: number,
        col,
        message,
    })
}

/// `file` as the workspace names it, when it is a file of the project: as the
/// sandbox shows it, relative to the project, or as the user named it.
fn project_file(file: &str, project: &Path, workspace: &Path) -> Option<String> {
    let project = project.canonicalize().ok()?;
    let inside = file.strip_prefix(SANDBOX_SOURCE).unwrap_or(file);
    let candidates: [PathBuf; 2] = [project.join(inside), PathBuf::from(file)];
    let found = candidates
        .iter()
        .filter_map(|c| c.canonicalize().ok())
        .find(|c| c.starts_with(&project) && c.is_file())?;
    let workspace = workspace.canonicalize().ok()?;
    let relative = found.strip_prefix(&workspace).ok()?;
    Some(relative.to_string_lossy().into_owned())
}

/// A workflow command's message, escaped.
pub(super) fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value, escaped.
pub(super) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_compiler_positions_become_annotations() {
        let workspace = tempfile::tempdir().unwrap();
        let project = workspace.path().join("tools/hello");
        std::fs::create_dir_all(project.join("cmd/hello")).unwrap();
        std::fs::write(project.join("xhost.toml"), "").unwrap();
        std::fs::write(project.join("cmd/hello/main.go"), "").unwrap();
        let error = format!(
            "{}:3:9: unknown field `tragets`\n\
             stage `compile` (builtin:go-build) failed for linux/amd64: go build exited with status 1:\n\
             # example.com/hello/cmd/hello\n\
             /xhost/src/cmd/hello/main.go:12:5: undefined: greet\n\
             cmd/hello/main.go:14: 100% wrong, or: worse\n\
             /etc/passwd:1:1: not a project file\n\
             elsewhere.go:1:1: no such file",
            project.join("xhost.toml").display()
        );
        assert_eq!(
            for_error(&error, &project, workspace.path()),
            [
                "::error file=tools/hello/xhost.toml,line=3,col=9::unknown field `tragets`",
                "::error file=tools/hello/cmd/hello/main.go,line=12,col=5::undefined: greet",
                "::error file=tools/hello/cmd/hello/main.go,line=14::100%25 wrong, or: worse",
            ]
        );
    }

    #[test]
    fn nothing_escapes_its_command() {
        assert_eq!(data("a\r\n::add-mask::x"), "a%0D%0A::add-mask::x");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
