//! The build's Markdown summary for a GitHub Actions job page (`$GITHUB_STEP_SUMMARY`):
//! the release's files with sizes and digests, and what the action cache did.

use std::fmt::Write as _;

use super::human_size;
use crate::cache::Summary;

/// One published file: its path in `dist/`, size and SHA-256.
pub struct File<'a> {
    pub path: &'a str,
    pub size: u64,
    pub sha256: &'a str,
}

/// The summary of a build of `title` (project and version, and what kind of release).
pub fn markdown(title: &str, files: &[File], cache: &Summary) -> String {
    let mut text = format!(
        "### {}\n\n| file | size | sha256 |\n|---|---:|---|\n",
        escape(title)
    );
    for file in files {
        let _ = writeln!(
            text,
            "| {} | {} | {} |",
            escape(&super::sanitize::shown_name(file.path)),
            human_size(file.size),
            escape(file.sha256)
        );
    }
    let _ = writeln!(
        text,
        "\n{} files. Action cache: {} hits ({} remote), {} misses ({} run on remote workers).\n",
        files.len(),
        cache.hits,
        cache.remote_hits,
        cache.misses,
        cache.executed_remotely
    );
    text
}

/// Text shown as itself in Markdown (and in the HTML it may hold).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '|' | '[' | ']' | '#' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    super::page::escape(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_make_markup() {
        let files = [File {
            path: "a|b/<img src=x>_`c`.tar.gz",
            size: 2048,
            sha256: "00ff",
        }];
        let text = markdown("hello 1.0.0", &files, &Summary::default());
        assert!(
            text.contains("| a\\|b/&lt;img src=x&gt;\\_\\`c\\`.tar.gz | 2.0 KiB | 00ff |"),
            "{text}"
        );
    }
}
