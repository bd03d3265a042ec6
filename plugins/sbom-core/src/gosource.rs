//! Module facts from a source tree, for binaries the Go linker writes no build
//! information into (wasm): `go.mod` names the main module and the Go version,
//! `vendor/modules.txt` (when vendored) or `go.mod`'s `require` lines the modules,
//! `go.sum` their hashes. This is the build's module list as the sources state it, not
//! the linked set `go version -m` shows for native binaries.

use std::collections::BTreeMap;

use crate::{BuildInfo, Error, Module};

/// The text of the files, as read from the source tree (`None` when absent).
pub struct Sources<'a> {
    pub go_mod: &'a str,
    pub go_sum: Option<&'a str>,
    pub modules_txt: Option<&'a str>,
}

/// Build information from sources; `go_version` (e.g. `go1.22.1`) overrides the `go`
/// directive when the toolchain that built the binary is known.
pub fn read(sources: &Sources, go_version: Option<&str>) -> Result<BuildInfo, Error> {
    let gomod = GoMod::parse(sources.go_mod)?;
    let sums = sources.go_sum.map(parse_sums).unwrap_or_default();
    let mut deps = match sources.modules_txt {
        Some(text) => vendored(text),
        None => gomod.requires.clone(),
    };
    for dep in &mut deps {
        if dep.replace.is_none() {
            dep.replace = gomod.replaces.get(&dep.path).cloned().map(Box::new);
        }
        dep.sum = sums.get(&(dep.path.clone(), dep.version.clone())).cloned();
    }
    deps.sort_by(|a, b| a.path.cmp(&b.path));
    let go_version = go_version
        .map(str::to_string)
        .or_else(|| gomod.toolchain.clone())
        .or_else(|| gomod.go.as_ref().map(|v| format!("go{v}")))
        .ok_or_else(|| {
            Error::Malformed("go.mod has no `go` directive and the Go version is unknown".into())
        })?;
    Ok(BuildInfo {
        go_version,
        path: gomod.module.clone(),
        main: Module {
            path: gomod.module,
            version: "(devel)".into(),
            sum: None,
            replace: None,
        },
        deps,
        settings: Vec::new(),
    })
}

#[derive(Default)]
struct GoMod {
    module: String,
    go: Option<String>,
    toolchain: Option<String>,
    requires: Vec<Module>,
    /// Replaced module path → replacement (a `replace` of every version).
    replaces: BTreeMap<String, Module>,
}

impl GoMod {
    fn parse(text: &str) -> Result<GoMod, Error> {
        let mut gomod = GoMod::default();
        let mut block: Option<String> = None;
        for raw in text.lines() {
            let line = raw.split("//").next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            if line == ")" {
                block = None;
                continue;
            }
            let (verb, rest) = match &block {
                Some(verb) => (verb.as_str(), line),
                None => line.split_once(char::is_whitespace).unwrap_or((line, "")),
            };
            let rest = rest.trim();
            if rest == "(" {
                block = Some(verb.to_string());
                continue;
            }
            let words: Vec<&str> = rest
                .split_whitespace()
                .map(|w| w.trim_matches('"'))
                .collect();
            match verb {
                "module" => gomod.module = words.first().copied().unwrap_or_default().to_string(),
                "go" => gomod.go = words.first().map(|v| v.to_string()),
                "toolchain" => gomod.toolchain = words.first().map(|v| v.to_string()),
                "require" if words.len() >= 2 => gomod.requires.push(module(words[0], words[1])),
                "replace" => {
                    if let Some(arrow) = words.iter().position(|w| *w == "=>") {
                        let to = &words[arrow + 1..];
                        if let Some(path) = to.first() {
                            let version = to.get(1).copied().unwrap_or("(devel)");
                            gomod
                                .replaces
                                .insert(words[0].to_string(), module(path, version));
                        }
                    }
                }
                _ => {}
            }
        }
        if gomod.module.is_empty() {
            return Err(Error::Malformed("go.mod has no `module` directive".into()));
        }
        Ok(gomod)
    }
}

/// `# path version [=> replacement [version]]` headers of `vendor/modules.txt`.
fn vendored(text: &str) -> Vec<Module> {
    text.lines()
        .filter_map(|line| line.strip_prefix("# "))
        .filter_map(|header| {
            let (original, replacement) = match header.split_once(" => ") {
                Some((o, r)) => (o, Some(r)),
                None => (header, None),
            };
            let mut words = original.split_whitespace();
            let path = words.next()?;
            let version = words.next()?;
            let mut dep = module(path, version);
            dep.replace = replacement.map(|r| {
                let mut words = r.split_whitespace();
                Box::new(module(
                    words.next().unwrap_or_default(),
                    words.next().unwrap_or("(devel)"),
                ))
            });
            Some(dep)
        })
        .collect()
}

/// (path, version) → `h1:` hash of the module's files (not its go.mod).
fn parse_sums(text: &str) -> BTreeMap<(String, String), String> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let (path, version, sum) = (words.next()?, words.next()?, words.next()?);
            (!version.ends_with("/go.mod"))
                .then(|| ((path.to_string(), version.to_string()), sum.to_string()))
        })
        .collect()
}

fn module(path: &str, version: &str) -> Module {
    Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: None,
        replace: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = "module example.com/app // the app\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/text v0.14.0 // indirect\n\texample.com/quotes v1.2.0\n)\n\nreplace example.com/quotes => ./third_party/quotes\n";
    const GO_SUM: &str = "golang.org/x/text v0.14.0 h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=\ngolang.org/x/text v0.14.0/go.mod h1:18ZOQIKpY8NJVqYksKHtTdi31H5itFRjB5/qKTNYzSU=\n";

    #[test]
    fn from_go_mod_and_go_sum() {
        let sources = Sources {
            go_mod: GO_MOD,
            go_sum: Some(GO_SUM),
            modules_txt: None,
        };
        let info = read(&sources, None).unwrap();
        assert_eq!(info.go_version, "go1.21");
        assert_eq!(info.main.path, "example.com/app");
        let paths: Vec<&str> = info.deps.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["example.com/quotes", "golang.org/x/text"]);
        assert_eq!(
            info.deps[0].replace.as_ref().unwrap().path,
            "./third_party/quotes"
        );
        assert!(info.deps[1].sum.as_ref().unwrap().starts_with("h1:ScX5"));
        assert_eq!(
            read(&sources, Some("go1.27.3")).unwrap().go_version,
            "go1.27.3"
        );
    }

    #[test]
    fn vendored_modules_win() {
        let modules = "# example.com/quotes v1.2.0 => ./third_party/quotes\n## explicit; go 1.21\nexample.com/quotes\n";
        let sources = Sources {
            go_mod: GO_MOD,
            go_sum: None,
            modules_txt: Some(modules),
        };
        let info = read(&sources, None).unwrap();
        assert_eq!(info.deps.len(), 1);
        assert_eq!(info.deps[0].version, "v1.2.0");
        assert_eq!(
            info.deps[0].replace.as_ref().unwrap().path,
            "./third_party/quotes"
        );
        assert!(
            read(
                &Sources {
                    go_mod: "go 1.21\n",
                    go_sum: None,
                    modules_txt: None
                },
                None
            )
            .is_err()
        );
    }
}
