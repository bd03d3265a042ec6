//! What a Go project implies: its name from `go.mod`'s module path, and the default
//! linker flags of `builtin:go-build`.

use std::path::Path;

/// `-s -w` drops the symbol table and DWARF; `main.version` is what `--version` prints.
pub const DEFAULT_LDFLAGS: &str = "-s -w -X main.version={{version}}";

/// The built-in Go builder; `[build] ldflags` is its `ldflags` unless its stage's
/// `config` sets one (the contract carries no linker flags: they are Go's).
pub const BUILDER: &str = "go-build";

/// `config_json` of a stage running `builtin:go-build`, with `ldflags` filled in.
pub fn with_ldflags(config_json: &str, ldflags: &str) -> String {
    let mut config: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(config_json).unwrap_or_default();
    config
        .entry("ldflags")
        .or_insert_with(|| serde_json::Value::String(ldflags.to_string()));
    // serde_json's map is ordered by key: still canonical.
    serde_json::Value::Object(config).to_string()
}

/// The `module` path declared in `go.mod` text, if any.
pub fn module_path(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|line| {
        let line = line.split("//").next()?.trim();
        let rest = line.strip_prefix("module")?;
        if !rest.starts_with([' ', '\t', '"']) {
            return None;
        }
        let path = rest.trim().trim_matches('"').trim_matches('`');
        (!path.is_empty()).then(|| path.to_string())
    })
}

/// The project name a module path implies: its last element, skipping a `/vN`
/// major-version suffix (`example.com/tool/v2` → `tool`).
pub fn name_from_module(module: &str) -> String {
    let mut parts = module.rsplit('/');
    let last = parts.next().unwrap_or(module);
    let is_major =
        last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    match parts.next() {
        Some(previous) if is_major => previous.to_string(),
        _ => last.to_string(),
    }
}

/// The module path of `dir/go.mod`, or `None` when there is no go.mod.
pub fn read_module_path(dir: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(dir.join("go.mod")) {
        Ok(text) => Ok(module_path(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_module_directive() {
        let text = "// comment\nmodule example.com/hello // trailing\n\ngo 1.21\n";
        assert_eq!(module_path(text).as_deref(), Some("example.com/hello"));
        assert_eq!(
            module_path("module \"example.com/q\"\n").as_deref(),
            Some("example.com/q")
        );
        assert_eq!(module_path("modules x\n"), None);
    }

    #[test]
    fn names() {
        assert_eq!(name_from_module("example.com/hello"), "hello");
        assert_eq!(name_from_module("example.com/tool/v2"), "tool");
        assert_eq!(name_from_module("hello"), "hello");
        assert_eq!(name_from_module("example.com/v"), "v");
    }
}

#[cfg(test)]
mod ldflags_tests {
    use super::*;

    #[test]
    fn ldflags_fill_in_unless_set() {
        assert_eq!(with_ldflags("{}", "-s -w"), r#"{"ldflags":"-s -w"}"#);
        assert_eq!(
            with_ldflags(r#"{"ldflags":"-X a=b","tool":"go"}"#, "-s -w"),
            r#"{"ldflags":"-X a=b","tool":"go"}"#
        );
        assert_eq!(
            with_ldflags(r#"{"tool":"go"}"#, "-s"),
            r#"{"ldflags":"-s","tool":"go"}"#
        );
    }
}
