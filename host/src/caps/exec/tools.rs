//! Finding the native programs a stage is granted: `[tools]` in `xhost.toml` first,
//! then `PATH`. A missing program is an error that says how to get it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// A granted native program, resolved to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// The name the plugin uses (`go`).
    pub name: String,
    /// Canonical path of the executable (symlinks resolved, so its installation
    /// directory is known).
    pub path: PathBuf,
}

impl Tool {
    /// The directory holding the executable.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// Resolves program `name` for stage `stage`.
pub fn resolve(name: &str, table: &BTreeMap<String, PathBuf>, stage: &str) -> Result<Tool> {
    if let Some(path) = table.get(name) {
        return match executable(path) {
            Some(path) => Ok(Tool {
                name: name.to_string(),
                path,
            }),
            None => bail!(
                "[tools] {name} = \"{}\" in xhost.toml: no executable file there; fix the path or remove the entry to use `{name}` from PATH",
                path.display()
            ),
        };
    }
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .filter(|dir| dir.is_absolute())
        .find_map(|dir| executable(&dir.join(name)));
    match found {
        Some(path) => Ok(Tool {
            name: name.to_string(),
            path,
        }),
        None => bail!(
            "stage `{stage}` may run `{name}`, but `{name}` is not on PATH: {}, or tell xhost where it is in xhost.toml:\n\n    [tools]\n    {name} = \"/path/to/{name}\"",
            install_hint(name)
        ),
    }
}

fn install_hint(name: &str) -> &'static str {
    match name {
        "go" => {
            "install Go 1.21 or newer (the wasip1 target needs 1.21) and put its bin directory on PATH"
        }
        _ => "install it and put it on PATH",
    }
}

fn executable(path: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let canonical = path.canonicalize().ok()?;
    let meta = canonical.metadata().ok()?;
    (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entry_must_exist() {
        let table = BTreeMap::from([("go".to_string(), PathBuf::from("/nonexistent/go"))]);
        let err = resolve("go", &table, "compile").unwrap_err().to_string();
        assert!(err.contains("[tools] go = \"/nonexistent/go\""), "{err}");
    }

    #[test]
    fn table_entry_is_canonicalised() {
        let table = BTreeMap::from([("sh".to_string(), PathBuf::from("/bin/../bin/sh"))]);
        let tool = resolve("sh", &table, "s").unwrap();
        assert!(!tool.path.to_string_lossy().contains(".."));
    }

    #[test]
    fn missing_from_path_says_how_to_install() {
        let err = resolve("no-such-tool-xhost", &BTreeMap::new(), "compile")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("stage `compile` may run `no-such-tool-xhost`"),
            "{err}"
        );
        assert!(err.contains("[tools]"), "{err}");
    }
}
