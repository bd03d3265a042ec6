//! A Rust program's crates. Cargo.lock (lock file versions 2 to 4: `[[package]]` tables
//! of `name`, `version`, `source`, `checksum` and `dependencies`) gives every package of
//! the workspace; the program's crates are those reachable from its package through
//! `dependencies`. Cargo.lock holds one resolve for every target and profile, so that set
//! is what `cargo metadata` resolves for the package: build- and dev-dependencies and
//! other platforms' crates included. A binary's `cargo auditable` section
//! ([`crate::auditable`]) says what was really compiled for its target, but names only
//! the kind of each crate's source and no checksums; [`Crates::with_lock`] adds those
//! from the lock file.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::{Error, purl};

/// crates.io's index, as `registry+` (git protocol) and `sparse+` sources name it.
const CRATES_IO_GIT: &str = "https://github.com/rust-lang/crates.io-index";
const CRATES_IO_SPARSE: &str = "https://index.crates.io/";

/// The lock file versions this reader knows; version 2 writes no `version` key.
const NEWEST_LOCK_VERSION: i64 = 4;

/// Where a crate comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A path crate: a workspace member or a `path` dependency (Cargo.lock writes no
    /// source for them).
    Local,
    CratesIo,
    /// Another registry, by its index URL (without Cargo's `registry+`/`sparse+`).
    Registry(String),
    /// A git repository: its URL without Cargo's `?branch=`/`?tag=`/`?rev=` query, and
    /// the commit the lock file pins.
    Git {
        url: String,
        commit: Option<String>,
    },
    /// Only the kind of source is known (`git`, `registry`, …): a crate of a `cargo
    /// auditable` section the lock file does not list.
    Unresolved(String),
}

impl Source {
    /// A `source` of Cargo.lock: `registry+<index>`, `sparse+<index>` or
    /// `git+<url>[?<reference>]#<commit>`.
    fn parse(text: &str) -> Result<Source, String> {
        let (kind, location) = text
            .split_once('+')
            .ok_or_else(|| format!("source `{text}` is not `<kind>+<url>`"))?;
        Ok(match kind {
            "registry" if location == CRATES_IO_GIT => Source::CratesIo,
            "sparse" if location == CRATES_IO_SPARSE => Source::CratesIo,
            "registry" | "sparse" => Source::Registry(location.to_string()),
            "git" => {
                let (url, commit) = match location.split_once('#') {
                    Some((url, commit)) => (url, Some(commit.to_string())),
                    None => (location, None),
                };
                let url = url.split_once('?').map_or(url, |(url, _)| url);
                Source::Git {
                    url: url.to_string(),
                    commit,
                }
            }
            other => return Err(format!("source `{text}` is of an unknown kind `{other}`")),
        })
    }
}

/// One crate (a Cargo package) of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    pub name: String,
    pub version: String,
    pub source: Source,
    /// SHA-256 of the `.crate` archive the registry serves, lowercase hex.
    pub checksum: Option<String>,
    /// Indices, in the list the crate is part of, of the crates it depends on.
    pub dependencies: Vec<usize>,
    /// Only built for build scripts, not linked into the program (known from a `cargo
    /// auditable` section only).
    pub build_only: bool,
}

impl Crate {
    /// `pkg:cargo/<name>@<version>`; a crate from another registry or from git says
    /// which in a qualifier, as purl's cargo type asks.
    pub fn purl(&self) -> String {
        let (name, version) = (&self.name, &self.version);
        match (&self.source, self.vcs_location()) {
            (Source::Registry(index), _) => {
                purl::cargo(name, version, Some(("repository_url", index)))
            }
            (_, Some(vcs_url)) => purl::cargo(name, version, Some(("vcs_url", &vcs_url))),
            _ => purl::cargo(name, version, None),
        }
    }

    /// Where the crate's code can be fetched, when that is known exactly: crates.io's
    /// download URL for the version, or the git repository at the locked commit (in the
    /// `git+<url>@<commit>` form SPDX and pip use).
    pub fn download_location(&self) -> Option<String> {
        match &self.source {
            Source::CratesIo => Some(format!(
                "https://crates.io/api/v1/crates/{}/{}/download",
                self.name, self.version
            )),
            Source::Git { .. } => self.vcs_location(),
            _ => None,
        }
    }

    fn vcs_location(&self) -> Option<String> {
        let Source::Git { url, commit } = &self.source else {
            return None;
        };
        Some(match commit {
            Some(commit) => format!("git+{url}@{commit}"),
            None => format!("git+{url}"),
        })
    }

    fn sort_key(&self) -> (&str, &str, &Source) {
        (&self.name, &self.version, &self.source)
    }
}

/// Where a program's crate list was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Cargo.lock: the crates reachable from the program's package.
    CargoLock,
    /// The binary's `cargo auditable` section: the crates compiled for its target.
    Auditable,
}

/// A program's crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crates {
    /// The program's own package first (so never empty), then its crates sorted by
    /// name, version and source, so documents come out the same on every build.
    pub list: Vec<Crate>,
    pub origin: Origin,
}

impl Crates {
    /// The crates reachable from `all[root]` through their dependencies, the root first
    /// and the rest sorted (indices renumbered, repeats dropped).
    pub(crate) fn reachable(all: &[Crate], root: usize, origin: Origin) -> Crates {
        let mut seen = BTreeSet::from([root]);
        let mut queue = VecDeque::from([root]);
        while let Some(at) = queue.pop_front() {
            for &dep in &all[at].dependencies {
                if seen.insert(dep) {
                    queue.push_back(dep);
                }
            }
        }
        let mut order: Vec<usize> = seen.into_iter().filter(|&i| i != root).collect();
        order.sort_by(|&a, &b| all[a].sort_key().cmp(&all[b].sort_key()));
        order.insert(0, root);
        let renumber: BTreeMap<usize, usize> = order
            .iter()
            .enumerate()
            .map(|(new, &old)| (old, new))
            .collect();
        let list = order
            .iter()
            .map(|&old| {
                let mut krate = all[old].clone();
                let deps: BTreeSet<usize> =
                    krate.dependencies.iter().map(|d| renumber[d]).collect();
                krate.dependencies = deps.into_iter().collect();
                krate
            })
            .collect();
        Crates { list, origin }
    }

    /// The program's own package.
    pub fn main(&self) -> &Crate {
        &self.list[0]
    }

    /// The same crates with the exact sources and the checksums `lock` gives them: a
    /// crate matches the lock file's package of the same name, version and kind of
    /// source, when there is exactly one. Crates the lock file does not list (it is not
    /// the one the binary was built from) keep what they had.
    pub fn with_lock(&self, lock: &Lock) -> Crates {
        let mut list = self.list.clone();
        for krate in &mut list {
            let mut matches = lock.packages.iter().filter(|p| {
                p.name == krate.name
                    && p.version == krate.version
                    && same_kind(&krate.source, &p.source)
            });
            if let (Some(found), None) = (matches.next(), matches.next()) {
                krate.source = found.source.clone();
                krate.checksum = found.checksum.clone();
            }
        }
        // Exact sources sort differently from their kinds.
        Crates::reachable(&list, 0, self.origin)
    }
}

/// Whether a crate whose source is `known` (perhaps only its kind) can be the lock
/// file's package from `exact`.
fn same_kind(known: &Source, exact: &Source) -> bool {
    match known {
        Source::Unresolved(kind) => match kind.as_str() {
            "git" => matches!(exact, Source::Git { .. }),
            "registry" => matches!(exact, Source::Registry(_)),
            _ => !matches!(exact, Source::Local | Source::CratesIo),
        },
        known => known == exact,
    }
}

/// The packages of a Cargo.lock, their dependencies resolved to indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub packages: Vec<Crate>,
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, Error> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            bad(format!("not valid TOML: {}", e.message().trim_end())
                + &e.span()
                    .map(|span| format!(" (line {})", line_of(text, span.start)))
                    .unwrap_or_default())
        })?;
        check_version(&table)?;
        let entries = match table.get("package") {
            None => &Vec::new(),
            Some(toml::Value::Array(entries)) => entries,
            Some(_) => return Err(bad("`package` is not an array of `[[package]]` tables")),
        };
        let mut packages = Vec::new();
        // The `source` as written, which `dependencies` entries repeat to tell two
        // packages of the same name and version apart.
        let mut sources = Vec::new();
        let mut dependencies = Vec::new();
        for (n, entry) in entries.iter().enumerate() {
            let (package, source, deps) = package(entry, n + 1)?;
            packages.push(package);
            sources.push(source);
            dependencies.push(deps);
        }
        let mut keys = BTreeSet::new();
        for (package, source) in packages.iter().zip(&sources) {
            if !keys.insert((&package.name, &package.version, source)) {
                return Err(bad(format!(
                    "package `{} {}` is listed twice",
                    package.name, package.version
                )));
            }
        }
        for (at, deps) in dependencies.iter().enumerate() {
            let resolved = deps
                .iter()
                .map(|dep| resolve(dep, &packages, &sources))
                .collect::<Result<Vec<usize>, String>>()
                .map_err(|e| {
                    bad(format!(
                        "package `{} {}`: {e}",
                        packages[at].name, packages[at].version
                    ))
                })?;
            packages[at].dependencies = resolved;
        }
        Ok(Lock { packages })
    }

    /// The crates of the program built from `package` (when `None`, the only path
    /// package, as in a project of a single package).
    pub fn crates_of(&self, package: Option<&str>) -> Result<Crates, Error> {
        let local = || {
            self.packages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.source == Source::Local)
        };
        let candidates: Vec<usize> = match package {
            Some(name) => {
                let named: Vec<usize> = self
                    .packages
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.name == name)
                    .map(|(i, _)| i)
                    .collect();
                // A workspace member and a registry crate of the same name: the
                // program is built from the workspace's.
                let own: Vec<usize> = named
                    .iter()
                    .copied()
                    .filter(|&i| self.packages[i].source == Source::Local)
                    .collect();
                if own.is_empty() { named } else { own }
            }
            None => local().map(|(i, _)| i).collect(),
        };
        match (candidates.as_slice(), package) {
            ([root], _) => Ok(Crates::reachable(&self.packages, *root, Origin::CargoLock)),
            ([], Some(name)) => Err(bad(format!("no package is named `{name}`"))),
            (_, Some(name)) => Err(bad(format!(
                "several packages are named `{name}`; which one is the program's is unknown"
            ))),
            (_, None) => {
                let names: Vec<&str> = local().map(|(_, p)| p.name.as_str()).collect();
                Err(bad(format!(
                    "the program's package is not named and the workspace has {} ({})",
                    if names.is_empty() { "none" } else { "several" },
                    names.join(", ")
                )))
            }
        }
    }
}

/// Versions 3 and 4 write `version = N`; version 2 writes none, version 1 none either
/// but keeps checksums in a `[metadata]` table, which this reader does not read.
fn check_version(table: &toml::Table) -> Result<(), Error> {
    match table.get("version") {
        None if table.contains_key("metadata") => Err(bad(
            "lock file version 1 (checksums in `[metadata]`) is not supported; regenerate it with a recent Cargo",
        )),
        None => Ok(()),
        Some(toml::Value::Integer(v)) if (3..=NEWEST_LOCK_VERSION).contains(v) => Ok(()),
        Some(toml::Value::Integer(v)) => Err(bad(format!(
            "lock file version {v} is not one this reader knows (2 to {NEWEST_LOCK_VERSION})"
        ))),
        Some(_) => Err(bad("`version` is not an integer")),
    }
}

/// One `[[package]]` table (the `n`th): the crate, its `source` as written and its
/// `dependencies` entries, unresolved.
fn package(entry: &toml::Value, n: usize) -> Result<(Crate, Option<String>, Vec<String>), Error> {
    let table = entry
        .as_table()
        .ok_or_else(|| bad(format!("package #{n} is not a table")))?;
    let text = |key: &str| -> Result<Option<&str>, Error> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.is_empty() => Ok(Some(s)),
            Some(_) => Err(bad(format!(
                "package #{n}: `{key}` is not a non-empty string"
            ))),
        }
    };
    let name = text("name")?.ok_or_else(|| bad(format!("package #{n} has no `name`")))?;
    let what = |e: String| bad(format!("package `{name}` (#{n}): {e}"));
    let version = text("version")?.ok_or_else(|| what("no `version`".into()))?;
    let raw_source = text("source")?;
    let source = match raw_source {
        Some(s) => Source::parse(s).map_err(what)?,
        None => Source::Local,
    };
    let checksum = text("checksum")?;
    if let Some(sum) = checksum
        && !(sum.len() == 64
            && sum
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    {
        return Err(what(format!(
            "`checksum` `{sum}` is not a SHA-256 in lowercase hex"
        )));
    }
    let dependencies = match table.get("dependencies") {
        None => Vec::new(),
        Some(toml::Value::Array(deps)) => deps
            .iter()
            .map(|d| d.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| what("`dependencies` holds something other than strings".into()))?,
        Some(_) => return Err(what("`dependencies` is not an array".into())),
    };
    let krate = Crate {
        name: name.to_string(),
        version: version.to_string(),
        source,
        checksum: checksum.map(str::to_string),
        dependencies: Vec::new(),
        build_only: false,
    };
    Ok((krate, raw_source.map(str::to_string), dependencies))
}

/// The package a `dependencies` entry names: `name`, `name version` or
/// `name version (source)`, each as long as it takes to be unambiguous.
fn resolve(entry: &str, packages: &[Crate], sources: &[Option<String>]) -> Result<usize, String> {
    let mut words = entry.splitn(3, ' ');
    let name = words.next().unwrap_or_default();
    let version = words.next();
    let source = match words.next() {
        Some(s) => Some(
            s.strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .ok_or_else(|| format!("dependency `{entry}`: the source is not in parentheses"))?,
        ),
        None => None,
    };
    let found: Vec<usize> = packages
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            p.name == name
                && version.is_none_or(|v| p.version == v)
                && source.is_none_or(|s| sources[*i].as_deref() == Some(s))
        })
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("dependency `{entry}` matches no package")),
        _ => Err(format!(
            "dependency `{entry}` matches {} packages; the lock file should name its version and source",
            found.len()
        )),
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).lines().count().max(1)
}

fn bad(what: impl Into<String>) -> Error {
    Error::Malformed(format!("Cargo.lock: {}", what.into()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// examples/hello-rust/Cargo.lock, as Cargo wrote it.
    pub const HELLO_LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "heck"
version = "0.5.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea"

[[package]]
name = "hello-rust"
version = "0.1.0"
dependencies = [
 "heck",
 "pico-args",
]

[[package]]
name = "pico-args"
version = "0.5.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "5be167a7af36ee22fe3115051bc51f6e6c7054c9348e28deb4f49bd6f705a315"
"#;

    /// A version 3 workspace: `app` depends on a git crate, on two versions of `bitflags`
    /// (so its entries name versions), on a path crate `util`, and on a crate of another
    /// registry; `tool` and `unused-dep` are not reachable from `app`.
    pub const WORKSPACE_LOCK: &str = r#"version = 3

[[package]]
name = "app"
version = "1.2.0"
dependencies = [
 "bitflags 1.3.2",
 "bitflags 2.6.0",
 "fancy",
 "internal",
 "util",
]

[[package]]
name = "bitflags"
version = "1.3.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "bef38d45163c2f1dde094a7dfd33ccf595c92905c8f8f4fdc18d06fb1037718a"

[[package]]
name = "bitflags"
version = "2.6.0"
source = "sparse+https://index.crates.io/"
checksum = "b048fb63fd8b5923fc5aa7b340d8e156aec7ec02f0c78fa8a6ddc2613f6f71de"

[[package]]
name = "fancy"
version = "0.3.0"
source = "git+https://github.com/example/fancy?branch=main#0123456789abcdef0123456789abcdef01234567"
dependencies = [
 "bitflags 2.6.0",
]

[[package]]
name = "internal"
version = "0.9.1"
source = "sparse+https://crates.corp.example/index/"
checksum = "1111111111111111111111111111111111111111111111111111111111111111"

[[package]]
name = "tool"
version = "0.1.0"
dependencies = [
 "unused-dep",
]

[[package]]
name = "unused-dep"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "2222222222222222222222222222222222222222222222222222222222222222"

[[package]]
name = "util"
version = "0.1.0"
dependencies = [
 "bitflags 1.3.2 (registry+https://github.com/rust-lang/crates.io-index)",
]
"#;

    fn summary(crates: &Crates) -> Vec<(String, Vec<String>)> {
        crates
            .list
            .iter()
            .map(|c| {
                let deps = c
                    .dependencies
                    .iter()
                    .map(|&d| format!("{} {}", crates.list[d].name, crates.list[d].version))
                    .collect();
                (format!("{} {}", c.name, c.version), deps)
            })
            .collect()
    }

    #[test]
    fn reads_a_version_4_lock_file() {
        let lock = Lock::parse(HELLO_LOCK).unwrap();
        assert_eq!(lock.packages.len(), 3);
        let crates = lock.crates_of(Some("hello-rust")).unwrap();
        assert_eq!(crates.origin, Origin::CargoLock);
        assert_eq!(
            summary(&crates),
            [
                (
                    "hello-rust 0.1.0".into(),
                    vec!["heck 0.5.0".into(), "pico-args 0.5.0".into()]
                ),
                ("heck 0.5.0".into(), vec![]),
                ("pico-args 0.5.0".into(), vec![]),
            ]
        );
        let main = crates.main();
        assert_eq!(main.source, Source::Local);
        assert_eq!(main.purl(), "pkg:cargo/hello-rust@0.1.0");
        assert_eq!(main.checksum, None);
        let heck = &crates.list[1];
        assert_eq!(heck.source, Source::CratesIo);
        assert_eq!(heck.purl(), "pkg:cargo/heck@0.5.0");
        assert_eq!(
            heck.checksum.as_deref(),
            Some("2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea")
        );
        assert_eq!(
            heck.download_location().as_deref(),
            Some("https://crates.io/api/v1/crates/heck/0.5.0/download")
        );
        // The only path package is the program's when none is named.
        assert_eq!(lock.crates_of(None).unwrap(), crates);
    }

    #[test]
    fn reachability_git_registries_and_ambiguous_names() {
        let lock = Lock::parse(WORKSPACE_LOCK).unwrap();
        let crates = lock.crates_of(Some("app")).unwrap();
        assert_eq!(
            summary(&crates),
            [
                (
                    "app 1.2.0".into(),
                    vec![
                        "bitflags 1.3.2".into(),
                        "bitflags 2.6.0".into(),
                        "fancy 0.3.0".into(),
                        "internal 0.9.1".into(),
                        "util 0.1.0".into()
                    ]
                ),
                ("bitflags 1.3.2".into(), vec![]),
                ("bitflags 2.6.0".into(), vec![]),
                ("fancy 0.3.0".into(), vec!["bitflags 2.6.0".into()]),
                ("internal 0.9.1".into(), vec![]),
                ("util 0.1.0".into(), vec!["bitflags 1.3.2".into()]),
            ],
            "tool and unused-dep are not reachable from app"
        );
        let purls: Vec<String> = crates.list.iter().map(Crate::purl).collect();
        assert_eq!(
            purls,
            [
                "pkg:cargo/app@1.2.0",
                "pkg:cargo/bitflags@1.3.2",
                "pkg:cargo/bitflags@2.6.0",
                "pkg:cargo/fancy@0.3.0?vcs_url=git%2Bhttps://github.com/example/fancy%400123456789abcdef0123456789abcdef01234567",
                "pkg:cargo/internal@0.9.1?repository_url=https://crates.corp.example/index/",
                "pkg:cargo/util@0.1.0",
            ]
        );
        let fancy = &crates.list[3];
        assert_eq!(
            fancy.source,
            Source::Git {
                url: "https://github.com/example/fancy".into(),
                commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            }
        );
        assert_eq!(fancy.checksum, None);
        assert_eq!(
            fancy.download_location().as_deref(),
            Some("git+https://github.com/example/fancy@0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(crates.list[4].download_location(), None);

        let tool = lock.crates_of(Some("tool")).unwrap();
        assert_eq!(
            summary(&tool),
            [
                ("tool 0.1.0".into(), vec!["unused-dep 1.0.0".into()]),
                ("unused-dep 1.0.0".into(), vec![]),
            ]
        );
        assert_eq!(
            lock.crates_of(None).unwrap_err().to_string(),
            "malformed: Cargo.lock: the program's package is not named and the workspace has several (app, tool, util)"
        );
        assert_eq!(
            lock.crates_of(Some("nope")).unwrap_err().to_string(),
            "malformed: Cargo.lock: no package is named `nope`"
        );
    }

    #[test]
    fn malformed_lock_files_are_refused_with_the_reason() {
        let error = |text: &str| Lock::parse(text).unwrap_err().to_string();
        assert_eq!(
            error(
                "version = 4\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"b\"]\n"
            ),
            "malformed: Cargo.lock: package `a 1.0.0`: dependency `b` matches no package"
        );
        let two = "version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"b\"]\n\
                   [[package]]\nname = \"b\"\nversion = \"1.0.0\"\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n";
        assert!(
            error(two).contains("dependency `b` matches 2 packages"),
            "{}",
            error(two)
        );
        assert_eq!(
            error("version = 4\n[[package]]\nname = \"a\"\n"),
            "malformed: Cargo.lock: package `a` (#1): no `version`"
        );
        assert_eq!(
            error("version = 4\n[[package]]\nname = \"a\"\nversion = \"1\"\nchecksum = \"abc\"\n"),
            "malformed: Cargo.lock: package `a` (#1): `checksum` `abc` is not a SHA-256 in lowercase hex"
        );
        assert_eq!(
            error("version = 4\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = \"svn+x\"\n"),
            "malformed: Cargo.lock: package `a` (#1): source `svn+x` is of an unknown kind `svn`"
        );
        assert_eq!(
            error("version = 7\n"),
            "malformed: Cargo.lock: lock file version 7 is not one this reader knows (2 to 4)"
        );
        assert!(error("[metadata]\n").contains("version 1"));
        assert!(
            error("version = 4\n[[package]\n")
                .starts_with("malformed: Cargo.lock: not valid TOML:"),
            "{}",
            error("version = 4\n[[package]\n")
        );
        assert!(error("version = 4\npackage = 3\n").contains("not an array"));
        let twice = "version = 4\n[[package]]\nname = \"a\"\nversion = \"1\"\n[[package]]\nname = \"a\"\nversion = \"1\"\n";
        assert_eq!(
            error(twice),
            "malformed: Cargo.lock: package `a 1` is listed twice"
        );
    }

    #[test]
    fn auditable_crates_take_sources_and_checksums_from_the_lock_file() {
        let lock = Lock::parse(WORKSPACE_LOCK).unwrap();
        let krate = |name: &str, version: &str, source: Source, dependencies: Vec<usize>| Crate {
            name: name.into(),
            version: version.into(),
            source,
            checksum: None,
            dependencies,
            build_only: false,
        };
        let compiled = Crates {
            list: vec![
                krate("app", "1.2.0", Source::Local, vec![1, 2, 3]),
                krate("bitflags", "2.6.0", Source::CratesIo, vec![]),
                krate("fancy", "0.3.0", Source::Unresolved("git".into()), vec![1]),
                krate(
                    "other",
                    "1.0.0",
                    Source::Unresolved("registry".into()),
                    vec![],
                ),
            ],
            origin: Origin::Auditable,
        };
        let enriched = compiled.with_lock(&lock);
        assert_eq!(enriched.origin, Origin::Auditable);
        assert_eq!(enriched.list.len(), 4);
        assert_eq!(
            enriched.list[1].checksum.as_deref(),
            Some("b048fb63fd8b5923fc5aa7b340d8e156aec7ec02f0c78fa8a6ddc2613f6f71de")
        );
        assert!(matches!(enriched.list[2].source, Source::Git { .. }));
        assert_eq!(enriched.list[2].dependencies, [1]);
        // Not in the lock file: it keeps the kind of source it had.
        assert_eq!(
            enriched.list[3].source,
            Source::Unresolved("registry".into())
        );
        assert_eq!(enriched.list[3].purl(), "pkg:cargo/other@1.0.0");
    }
}
