//! The packages both SBOM formats list: the main module, each dependency as the binary
//! records it (a replacement noted, not substituted, so the list matches `go version
//! -m`), and the Go standard library.

use crate::{BuildInfo, purl};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Main,
    Dependency,
    Stdlib,
}

#[derive(Debug, Clone)]
pub struct Component {
    /// Unique within the document: `main`, `dep-<n>`, `stdlib`.
    pub id: String,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// The Go module hash, `h1:…`.
    pub sum: Option<String>,
    /// `path version` of the replacement, when `replace` substituted one.
    pub replaced_by: Option<String>,
    pub role: Role,
}

pub fn list(info: &BuildInfo) -> Vec<Component> {
    let module = |id: String, m: &crate::Module, role| Component {
        id,
        name: m.path.clone(),
        version: m.version.clone(),
        purl: purl::golang(&m.path, &m.version),
        sum: m.sum.clone(),
        replaced_by: m
            .replace
            .as_ref()
            .map(|r| format!("{} {}", r.path, r.version).trim_end().to_string()),
        role,
    };
    let mut list = vec![module("main".into(), &info.main, Role::Main)];
    list.extend(
        info.deps
            .iter()
            .enumerate()
            .map(|(i, dep)| module(format!("dep-{i}"), dep, Role::Dependency)),
    );
    let go = go_version(&info.go_version);
    list.push(Component {
        id: "stdlib".into(),
        name: "stdlib".into(),
        version: go.clone(),
        purl: purl::golang("stdlib", &go),
        sum: None,
        replaced_by: None,
        role: Role::Stdlib,
    });
    list
}

/// `go1.22.1 X:boringcrypto` → `1.22.1`, the version vulnerability databases use.
pub fn go_version(raw: &str) -> String {
    let first = raw.split_whitespace().next().unwrap_or(raw);
    first.strip_prefix("go").unwrap_or(first).to_string()
}
