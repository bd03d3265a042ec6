//! The packages both SBOM formats list, whatever the language, and what depends on
//! what. For Go: the main module, each dependency as the binary records it (a
//! replacement noted, not substituted, so the list matches `go version -m`), and the Go
//! standard library, the main module depending on all the others (build information
//! has no graph). For Rust: the program's package and its crates, each depending on the
//! crates Cargo.lock or the `cargo auditable` section says it does.

use std::collections::BTreeSet;

use crate::cargo::Source;
use crate::{BuildInfo, Program, RustProgram, purl};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Main,
    Dependency,
    Stdlib,
}

/// A fact about a component that neither format has a field for: a CycloneDX property,
/// and the same said in words in the SPDX package's comment.
#[derive(Debug, Clone)]
pub struct Note {
    pub property: &'static str,
    pub value: String,
    pub comment: String,
}

#[derive(Debug, Clone)]
pub struct Component {
    /// Unique within the document: `main`, `dep-<n>`, `stdlib` (Go), `crate-<n>` (Rust).
    pub id: String,
    /// Unique within the document: the purl, unless two components share it.
    pub bom_ref: String,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// SHA-256 of the package's archive, lowercase hex (a Rust crate's checksum). Go's
    /// `h1:` module hash is over the module's files, no archive: a [`Note`].
    pub sha256: Option<String>,
    /// Where the package's code can be fetched, when known exactly.
    pub download: Option<String>,
    pub notes: Vec<Note>,
    pub role: Role,
    /// Indices of the components it depends on.
    pub depends_on: Vec<usize>,
}

pub fn list(program: Program) -> Vec<Component> {
    let mut list = match program {
        Program::Go(info) => go(info),
        Program::Rust(program) => rust(program),
    };
    let mut refs = BTreeSet::new();
    for component in &mut list {
        if !refs.insert(component.purl.clone()) {
            component.bom_ref = format!("{}#{}", component.purl, component.id);
        }
    }
    list
}

fn go(info: &BuildInfo) -> Vec<Component> {
    let module = |id: String, m: &crate::Module, role| {
        let mut notes = Vec::new();
        if let Some(sum) = &m.sum {
            notes.push(Note {
                property: "go:module:hash",
                value: sum.clone(),
                comment: format!("Go module hash (h1, over the module's files): {sum}"),
            });
        }
        if let Some(r) = &m.replace {
            let replacement = format!("{} {}", r.path, r.version).trim_end().to_string();
            notes.push(Note {
                property: "go:module:replacement",
                comment: format!("replaced by {replacement}"),
                value: replacement,
            });
        }
        let purl = purl::golang(&m.path, &m.version);
        Component {
            id,
            bom_ref: purl.clone(),
            name: m.path.clone(),
            version: m.version.clone(),
            purl,
            sha256: None,
            download: None,
            notes,
            role,
            depends_on: Vec::new(),
        }
    };
    let mut list = vec![module("main".into(), &info.main, Role::Main)];
    list.extend(
        info.deps
            .iter()
            .enumerate()
            .map(|(i, dep)| module(format!("dep-{i}"), dep, Role::Dependency)),
    );
    let go = go_version(&info.go_version);
    let purl = purl::golang("stdlib", &go);
    list.push(Component {
        id: "stdlib".into(),
        bom_ref: purl.clone(),
        name: "stdlib".into(),
        version: go,
        purl,
        sha256: None,
        download: None,
        notes: Vec::new(),
        role: Role::Stdlib,
        depends_on: Vec::new(),
    });
    list[0].depends_on = (1..list.len()).collect();
    list
}

fn rust(program: &RustProgram) -> Vec<Component> {
    program
        .crates
        .list
        .iter()
        .enumerate()
        .map(|(i, krate)| {
            let mut notes = Vec::new();
            match &krate.source {
                Source::Local => notes.push(Note {
                    property: "cargo:source",
                    value: "local".into(),
                    comment: "a path crate of the project, from no registry".into(),
                }),
                Source::Unresolved(kind) => notes.push(Note {
                    property: "cargo:source",
                    value: kind.clone(),
                    comment: format!(
                        "source: {kind} (which one is unknown: Cargo.lock does not list the crate)"
                    ),
                }),
                Source::CratesIo | Source::Registry(_) | Source::Git { .. } => {}
            }
            if krate.build_only {
                notes.push(Note {
                    property: "cargo:dependency:kind",
                    value: "build".into(),
                    comment:
                        "a build dependency: built for build scripts, not linked into the program"
                            .into(),
                });
            }
            let purl = krate.purl();
            Component {
                id: if i == 0 {
                    "main".into()
                } else {
                    format!("crate-{i}")
                },
                bom_ref: purl.clone(),
                name: krate.name.clone(),
                version: krate.version.clone(),
                purl,
                sha256: krate.checksum.clone(),
                download: krate.download_location(),
                notes,
                role: if i == 0 { Role::Main } else { Role::Dependency },
                depends_on: krate.dependencies.clone(),
            }
        })
        .collect()
}

/// `go1.22.1 X:boringcrypto` → `1.22.1`, the version vulnerability databases use.
pub fn go_version(raw: &str) -> String {
    let first = raw.split_whitespace().next().unwrap_or(raw);
    first.strip_prefix("go").unwrap_or(first).to_string()
}
