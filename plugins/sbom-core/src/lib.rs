//! What a Go binary is made of, and the SBOMs that say so.
//!
//! [`buildinfo`] reads the build information Go embeds in ELF, Mach-O and PE binaries;
//! [`gosource`] reads the same facts from `go.mod`, `go.sum` and `vendor/modules.txt`
//! for targets where the linker writes none (wasm). [`spdx`] and [`cyclonedx`] write
//! the result, reproducibly: the same inputs and timestamp give the same bytes.

pub mod buildinfo;
mod components;
pub mod cyclonedx;
pub mod gosource;
pub mod modinfo;
mod purl;
pub mod spdx;

use std::fmt;

/// A Go module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    /// `v1.2.3`, a pseudo-version, or `(devel)` for the main module.
    pub version: String,
    /// The Go module hash (`h1:` + base64 SHA-256 of the module's file list), when known.
    /// A checksum of the module's files as Go defines it, not of any one file.
    pub sum: Option<String>,
    /// What `replace` substituted for it.
    pub replace: Option<Box<Module>>,
}

/// The build information of a Go program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    /// `go1.22.1`.
    pub go_version: String,
    /// The main package's import path.
    pub path: String,
    pub main: Module,
    pub deps: Vec<Module>,
    /// `build` settings (`GOOS=linux`, `-ldflags=…`), in order.
    pub settings: Vec<(String, String)>,
}

/// The artifact an SBOM describes.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// Path of the artifact in the release, e.g. `hello_linux_amd64/hello`.
    pub name: &'a str,
    pub sha256: &'a str,
    /// `os/arch`.
    pub target: Option<&'a str>,
    /// Seconds since 1970 the document is dated (SOURCE_DATE_EPOCH).
    pub created: u64,
    /// The tool writing the document, e.g. `xhost builtin:sbom 0.1.0`.
    pub tool: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input is not a Go program (or not one this reader knows).
    NotGo(String),
    /// The build information or the sources are damaged.
    Malformed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotGo(m) => f.write_str(m),
            Error::Malformed(m) => write!(f, "malformed: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// RFC 3339 UTC time of `epoch` seconds, as both formats want it.
fn timestamp(epoch: u64) -> String {
    let time = time::OffsetDateTime::from_unix_timestamp(epoch.min(253_402_300_799) as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    time.format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats")
}

/// A stable identifier derived from the document's subject, so rebuilding gives the
/// same document.
fn stable_id(subject: &Subject, kind: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{kind}\0{}\0{}", subject.name, subject.sha256));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
