//! Configuration errors that point at a file, line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// An error in the project's configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Something wrong at a known place in `xhost.toml`.
    #[error("{0}")]
    At(Located),
    /// A problem not tied to one place (a missing `go.mod`, an unreadable file).
    #[error("{0}")]
    Plain(String),
}

/// A message with the file, line and column it is about, and the offending line.
#[derive(Debug)]
pub struct Located {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    source_line: String,
    underline: usize,
}

impl Located {
    /// Locates byte range `span` of `source` (the text of `file`).
    pub fn new(file: &Path, source: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let start = span.start.min(source.len());
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let underline = source[start..span.end.clamp(start, line_end)]
            .chars()
            .count()
            .max(1);
        Located {
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            source_line: source[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            underline,
        }
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gutter = self.line.to_string().len();
        writeln!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )?;
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{} | {}", self.line, self.source_line)?;
        write!(
            f,
            "{:gutter$} | {}{}",
            "",
            " ".repeat(self.column - 1),
            "^".repeat(self.underline)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let src = "[project]\nname = 3\n";
        let at = Located::new(Path::new("xhost.toml"), src, 17..18, "expected a string");
        assert_eq!((at.line, at.column), (2, 8));
        let shown = at.to_string();
        assert!(
            shown.starts_with("xhost.toml:2:8: expected a string"),
            "{shown}"
        );
        assert!(shown.contains("2 | name = 3"), "{shown}");
        assert!(shown.ends_with("  |        ^"), "{shown:?}");
    }
}
