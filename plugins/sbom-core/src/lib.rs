//! What a Go binary is made of, and the SBOMs that say so.
//!
//! [`buildinfo`] reads the build information Go embeds in ELF, Mach-O, PE, XCOFF and
//! Plan 9 binaries;
//! [`gosource`] reads the same facts from `go.mod`, `go.sum` and `vendor/modules.txt`
//! for targets where the linker writes none (wasm). [`spdx`] and [`cyclonedx`] write
//! the result, reproducibly: the same inputs and timestamp give the same bytes.

pub mod buildinfo;
mod components;
pub mod cyclonedx;
pub mod gosource;
pub mod modinfo;
pub mod os_packages;
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
    /// `os/arch[/variant]`, e.g. `linux/arm/v6`.
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

/// Go's variables for an architecture's variant (`GOARM=6`, `GOAMD64=v3`, …), which the
/// build information records for every binary.
const VARIANT_SETTINGS: &[&str] = &[
    "GO386",
    "GOAMD64",
    "GOARM",
    "GOARM64",
    "GOMIPS",
    "GOMIPS64",
    "GOPPC64",
    "GORISCV64",
    "GOWASM",
];

impl Subject<'_> {
    /// The variant part of the target (`v6` of `linux/arm/v6`).
    fn variant(&self) -> Option<&str> {
        self.target?.splitn(3, '/').nth(2)
    }
}

/// The build settings that say what the binary runs on: `GOOS`, `GOARCH` and the
/// architecture's variant variable, as the binary records them.
fn platform_settings(info: &BuildInfo) -> Vec<(&str, &str)> {
    info.settings
        .iter()
        .filter(|(k, _)| k == "GOOS" || k == "GOARCH" || VARIANT_SETTINGS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_record_the_target_variant_and_platform_settings() {
        let info = modinfo::parse(
            "go1.26.8",
            "path\texample.com/hello/cmd/hello\nmod\texample.com/hello\t(devel)\t\n\
             build\t-ldflags=-s -w\nbuild\tGOARCH=arm\nbuild\tGOOS=linux\nbuild\tGOARM=6\n",
        )
        .unwrap();
        let subject = Subject {
            name: "hello_linux_arm_v6/hello",
            sha256: "00",
            target: Some("linux/arm/v6"),
            created: 0,
            tool: "test",
        };
        let spdx = spdx::document(&subject, &info);
        assert_eq!(
            spdx["packages"][0]["comment"],
            "Go program example.com/hello/cmd/hello for linux/arm/v6 (variant v6; GOARCH=arm GOOS=linux GOARM=6), built with go1.26.8"
        );
        let cdx = cyclonedx::document(&subject, &info);
        let properties: Vec<(&str, &str)> = cdx["metadata"]["component"]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
            .collect();
        for expected in [
            ("xhost:target", "linux/arm/v6"),
            ("xhost:target:variant", "v6"),
            ("go:build:GOARM", "6"),
            ("go:build:GOOS", "linux"),
        ] {
            assert!(properties.contains(&expected), "{properties:?}");
        }
        assert!(!properties.iter().any(|(k, _)| k.contains("ldflags")));

        let plain = Subject {
            target: Some("linux/amd64"),
            ..subject
        };
        let cdx = cyclonedx::document(&plain, &info);
        assert!(!cdx.to_string().contains("xhost:target:variant"));
    }
}
