//! The module files of a Go project, read with the line each entry is on: `go.mod`
//! (its meaning from `gomod-parser`, its lines located here), `go.sum`,
//! `vendor/modules.txt` and `go.work`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, anyhow};

/// A module at a version (`example.com/a v1.2.0`); an empty version is every version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModVersion {
    pub path: String,
    pub version: String,
}

impl ModVersion {
    pub fn new(path: &str, version: &str) -> Self {
        ModVersion {
            path: unquote(path),
            version: unquote(version),
        }
    }
}

impl std::fmt::Display for ModVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.version.as_str() {
            "" => write!(f, "{}", self.path),
            version => write!(f, "{} {version}", self.path),
        }
    }
}

/// What a `replace` directive puts in a module's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replacement {
    /// A directory (`./lib`, `../lib`, `/abs/lib`), as written.
    Dir(String),
    Module(ModVersion),
}

impl std::fmt::Display for Replacement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Replacement::Dir(dir) => write!(f, "{dir}"),
            Replacement::Module(m) => write!(f, "{m}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Require {
    pub module: ModVersion,
    pub indirect: bool,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Replace {
    /// The replaced module; its version is empty when every version is replaced.
    pub old: ModVersion,
    pub new: Replacement,
    pub line: usize,
}

/// `go.mod`.
#[derive(Debug)]
pub struct GoMod {
    pub module: String,
    /// The `go` directive (`1.22`, `1.22.3`).
    pub go: Option<String>,
    pub requires: Vec<Require>,
    pub replaces: Vec<Replace>,
}

impl GoMod {
    /// Parses `text` (read from `shown`, for errors).
    pub fn parse(text: &str, shown: &str) -> Result<GoMod> {
        let parsed = gomod_parser::GoMod::from_str(text)
            .map_err(|e| anyhow!("{shown}: cannot be read as a go.mod file: {e}"))?;
        let lines = Lines::of(text);
        let requires = parsed
            .require
            .iter()
            .map(|r| {
                let module = ModVersion::new(&r.module.module_path, &r.module.version);
                Require {
                    line: lines.find("require", &[&module.path, &module.version]),
                    module,
                    indirect: r.indirect,
                }
            })
            .collect();
        let replaces = parsed
            .replace
            .iter()
            .map(|r| {
                let old = ModVersion::new(&r.module_path, r.version.as_deref().unwrap_or(""));
                let new = match &r.replacement {
                    gomod_parser::Replacement::FilePath(dir) => Replacement::Dir(unquote(dir)),
                    gomod_parser::Replacement::Module(m) => {
                        Replacement::Module(ModVersion::new(&m.module_path, &m.version))
                    }
                };
                Replace {
                    line: lines.find("replace", &[&old.path]),
                    old,
                    new,
                }
            })
            .collect();
        Ok(GoMod {
            module: unquote(&parsed.module),
            go: parsed.go,
            requires,
            replaces,
        })
    }

    /// Whether the `go` directive is at least `major.minor`.
    pub fn go_at_least(&self, minor: u32) -> bool {
        self.go.as_deref().is_some_and(|v| {
            let mut parts = v.split('.');
            let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let got: u32 = parts
                .next()
                .and_then(|p| p.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
                .unwrap_or(0);
            major > 1 || (major == 1 && got >= minor)
        })
    }

    /// What replaces `module` (a replacement of its version first, then of every
    /// version), as Go picks it.
    pub fn replacement(&self, module: &ModVersion) -> Option<&Replace> {
        let exact = self
            .replaces
            .iter()
            .find(|r| r.old.path == module.path && r.old.version == module.version);
        exact.or_else(|| {
            self.replaces
                .iter()
                .find(|r| r.old.path == module.path && r.old.version.is_empty())
        })
    }
}

/// `go.sum`: which hashes it holds, and on which line.
#[derive(Debug, Default)]
pub struct GoSum {
    /// (module, `""` for its zip or `"/go.mod"`) → line.
    pub entries: BTreeMap<(ModVersion, &'static str), usize>,
    /// The same keys → the hash (`h1:…`).
    pub hashes: BTreeMap<(ModVersion, &'static str), String>,
}

impl GoSum {
    pub fn parse(text: &str, shown: &str) -> Result<GoSum> {
        let mut sums = GoSum::default();
        for (index, line) in text.lines().enumerate() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields[..] {
                [] => {}
                [path, version, hash] if hash.contains(':') => {
                    let (version, which) = match version.strip_suffix("/go.mod") {
                        Some(version) => (version, "/go.mod"),
                        None => (version, ""),
                    };
                    let key = (ModVersion::new(path, version), which);
                    sums.hashes.insert(key.clone(), hash.to_string());
                    sums.entries.insert(key, index + 1);
                }
                _ => {
                    return Err(anyhow!(
                        "{shown}:{}: not a go.sum line (`MODULE VERSION[/go.mod] h1:HASH`): {line}",
                        index + 1
                    ));
                }
            }
        }
        Ok(sums)
    }

    pub fn has(&self, module: &ModVersion, which: &'static str) -> bool {
        self.entries.contains_key(&(module.clone(), which))
    }
}

/// One module's entry in `vendor/modules.txt`.
#[derive(Debug, Default, Clone)]
pub struct Vendored {
    /// Its `# module version` line.
    pub line: usize,
    /// `## explicit`: required in go.mod.
    pub explicit: bool,
    pub replacement: Option<Replacement>,
    /// The packages vendored from it, with their lines.
    pub packages: Vec<(String, usize)>,
}

/// `vendor/modules.txt`, read by the rules `go build -mod=vendor` reads it with.
#[derive(Debug, Default)]
pub struct ModulesTxt {
    /// Keyed by module and version (empty for a replacement of every version).
    pub modules: BTreeMap<ModVersion, Vendored>,
}

impl ModulesTxt {
    pub fn parse(text: &str) -> ModulesTxt {
        let mut txt = ModulesTxt::default();
        let mut current: Option<ModVersion> = None;
        for (index, line) in text.lines().enumerate() {
            if let Some(rest) = line.strip_prefix("# ") {
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let (module, tail) = match fields[..] {
                    [path, version, ref tail @ ..] if is_version(version) => {
                        (ModVersion::new(path, version), tail)
                    }
                    [path, "=>", ..] => (ModVersion::new(path, ""), &fields[1..]),
                    _ => {
                        current = None;
                        continue;
                    }
                };
                let entry = txt.modules.entry(module.clone()).or_default();
                entry.line = index + 1;
                entry.replacement = match tail {
                    ["=>", dir] => Some(Replacement::Dir(unquote(dir))),
                    ["=>", path, version] if is_version(version) => {
                        Some(Replacement::Module(ModVersion::new(path, version)))
                    }
                    _ => entry.replacement.take(),
                };
                current = Some(module);
                continue;
            }
            let Some(module) = &current else { continue };
            let entry = txt.modules.get_mut(module).expect("entered above");
            if let Some(meta) = line.strip_prefix("## ") {
                entry.explicit |= meta.split(';').any(|m| m.trim() == "explicit");
            } else if let [package] = line.split_whitespace().collect::<Vec<_>>()[..] {
                entry.packages.push((package.to_string(), index + 1));
            }
        }
        txt
    }

    /// The version of `path` that contributes packages, if any (Go's selected version).
    pub fn providing(&self, path: &str) -> Option<&ModVersion> {
        self.modules
            .iter()
            .filter(|(m, v)| m.path == path && !v.packages.is_empty())
            .map(|(m, _)| m)
            .next_back()
    }
}

/// `go.work`: its `use` directories and its `replace` directives (directory ones).
#[derive(Debug, Default)]
pub struct GoWork {
    /// Each `use` directory as written, with its line.
    pub uses: Vec<(String, usize)>,
    /// Each directory replacement: (replaced module, directory, line).
    pub dir_replaces: Vec<(String, String, usize)>,
}

impl GoWork {
    pub fn parse(text: &str) -> GoWork {
        let mut work = GoWork::default();
        for entry in Lines::of(text).entries {
            match entry.verb.as_str() {
                "use" => {
                    if let Some(dir) = entry.tokens.first() {
                        work.uses.push((unquote(dir), entry.line));
                    }
                }
                "replace" => {
                    let arrow = entry.tokens.iter().position(|t| t == "=>");
                    if let Some(at) = arrow
                        && let [new] = &entry.tokens[at + 1..]
                        && is_dir_path(&unquote(new))
                    {
                        work.dir_replaces.push((
                            unquote(&entry.tokens[0]),
                            unquote(new),
                            entry.line,
                        ));
                    }
                }
                _ => {}
            }
        }
        work
    }
}

/// Reads `dir/name` if it exists.
pub fn read_optional(dir: &Path, name: &str) -> Result<Option<String>> {
    let path: PathBuf = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// How Go tells a directory replacement from a module path.
pub fn is_dir_path(path: &str) -> bool {
    path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path == "."
        || path == ".."
}

fn is_version(text: &str) -> bool {
    let text = unquote(text);
    text.starts_with('v') && text[1..].starts_with(|c: char| c.is_ascii_digit())
}

/// A Go string as written: `"a"` or `` `a` `` → `a`.
fn unquote(text: &str) -> String {
    let quoted = |q: char| text.len() >= 2 && text.starts_with(q) && text.ends_with(q);
    if quoted('"') || quoted('`') {
        text[1..text.len() - 1].to_string()
    } else {
        text.to_string()
    }
}

/// The entries of a go.mod-shaped file, one per directive line (in blocks too), for
/// finding the line an entry is on.
struct Lines {
    entries: Vec<Entry>,
}

struct Entry {
    verb: String,
    tokens: Vec<String>,
    line: usize,
}

impl Lines {
    fn of(text: &str) -> Lines {
        let mut entries = Vec::new();
        let mut block: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let code = raw.split("//").next().unwrap_or_default();
            let tokens: Vec<String> = code.split_whitespace().map(str::to_string).collect();
            match (&block, tokens.as_slice()) {
                (_, []) => {}
                (Some(_), [close]) if close == ")" => block = None,
                (Some(verb), _) => entries.push(Entry {
                    verb: verb.clone(),
                    tokens,
                    line: index + 1,
                }),
                (None, [verb, open]) if open == "(" => block = Some(verb.clone()),
                (None, [verb, rest @ ..]) => entries.push(Entry {
                    verb: verb.clone(),
                    tokens: rest.to_vec(),
                    line: index + 1,
                }),
            }
        }
        Lines { entries }
    }

    /// The line of the first `verb` entry starting with `tokens` (unquoted); 0 if none.
    fn find(&self, verb: &str, tokens: &[&str]) -> usize {
        self.entries
            .iter()
            .find(|e| {
                e.verb == verb
                    && e.tokens.len() >= tokens.len()
                    && e.tokens
                        .iter()
                        .zip(tokens)
                        .all(|(t, want)| unquote(t) == *want)
            })
            .map_or(0, |e| e.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = "module \"example.com/x\"\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0 // indirect\n\t\"example.com/b\" v1.2.0\n)\n\nrequire example.com/c v0.1.0\n\nreplace example.com/a => ../lib\n\nreplace (\n\texample.com/b v1.2.0 => example.com/b2 v1.3.0\n)\n";

    #[test]
    fn go_mod_entries_with_their_lines() {
        let m = GoMod::parse(GO_MOD, "go.mod").unwrap();
        assert_eq!(m.module, "example.com/x");
        let lines: Vec<(String, usize, bool)> = m
            .requires
            .iter()
            .map(|r| (r.module.to_string(), r.line, r.indirect))
            .collect();
        assert_eq!(
            lines,
            [
                ("example.com/a v1.0.0".into(), 6, true),
                ("example.com/b v1.2.0".into(), 7, false),
                ("example.com/c v0.1.0".into(), 10, false)
            ]
        );
        assert_eq!(m.replaces[0].new, Replacement::Dir("../lib".into()));
        assert_eq!(m.replaces[0].line, 12);
        assert_eq!(m.replaces[1].line, 15);
        let b = ModVersion::new("example.com/b", "v1.2.0");
        assert_eq!(
            m.replacement(&b).unwrap().new.to_string(),
            "example.com/b2 v1.3.0"
        );
        assert!(m.go_at_least(14) && m.go_at_least(22) && !m.go_at_least(23));
    }

    #[test]
    fn bad_go_mod_names_the_file_and_line() {
        let err = GoMod::parse("module x\nrequire example.com/a\n", "go.mod").unwrap_err();
        assert!(err.to_string().contains("go.mod"), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn go_sum_and_modules_txt() {
        let sums = GoSum::parse(
            "example.com/a v1.0.0 h1:x=\nexample.com/a v1.0.0/go.mod h1:y=\n",
            "go.sum",
        )
        .unwrap();
        let a = ModVersion::new("example.com/a", "v1.0.0");
        assert!(sums.has(&a, "") && sums.has(&a, "/go.mod"));
        let err = GoSum::parse("oops\n", "go.sum").unwrap_err();
        assert!(err.to_string().starts_with("go.sum:1:"), "{err}");

        let txt = ModulesTxt::parse(
            "# example.com/a v1.0.0 => ../lib\n## explicit; go 1.20\nexample.com/a\nexample.com/a/sub\n# example.com/b v1.2.0\nexample.com/b\n# example.com/c => ./c\n",
        );
        let entry = &txt.modules[&a];
        assert!(entry.explicit);
        assert_eq!(entry.replacement, Some(Replacement::Dir("../lib".into())));
        assert_eq!(entry.packages.len(), 2);
        assert!(!txt.modules[&ModVersion::new("example.com/b", "v1.2.0")].explicit);
        assert!(
            txt.modules
                .contains_key(&ModVersion::new("example.com/c", ""))
        );
        assert_eq!(txt.providing("example.com/b").unwrap().version, "v1.2.0");
    }

    #[test]
    fn go_work_uses_and_dir_replaces() {
        let work = GoWork::parse(
            "go 1.22\n\nuse (\n\t.\n\t../shared // the shared library\n)\nuse ./tools\nreplace example.com/z => ../z\n",
        );
        assert_eq!(
            work.uses,
            [
                (".".into(), 4),
                ("../shared".into(), 5),
                ("./tools".into(), 7)
            ]
        );
        assert_eq!(
            work.dir_replaces,
            [("example.com/z".into(), "../z".into(), 8)]
        );
    }
}
