//! What a Go or Rust binary is made of, and the SBOMs that say so.
//!
//! Go: [`buildinfo`] reads the build information Go embeds in ELF, Mach-O, PE, XCOFF and
//! Plan 9 binaries;
//! [`gosource`] reads the same facts from `go.mod`, `go.sum` and `vendor/modules.txt`
//! for targets where the linker writes none (wasm).
//! Rust: [`cargo`] reads Cargo.lock and the crates a package depends on; [`auditable`]
//! reads the crates `cargo auditable` records in a binary, when it did.
//! [`spdx`] and [`cyclonedx`] write either kind of [`Program`], reproducibly: the same
//! inputs and timestamp give the same bytes.

pub mod auditable;
pub mod buildinfo;
pub mod cargo;
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

/// A Rust program: its crates and what built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustProgram {
    /// `rustc 1.95.0 (59807616e 2026-04-14)`, when known.
    pub rustc_version: Option<String>,
    /// The Rust target triple, e.g. `x86_64-unknown-linux-gnu`.
    pub target: String,
    pub crates: cargo::Crates,
}

/// What the documents are written from: a Go or a Rust program.
#[derive(Debug, Clone, Copy)]
pub enum Program<'a> {
    Go(&'a BuildInfo),
    Rust(&'a RustProgram),
}

impl<'a> From<&'a BuildInfo> for Program<'a> {
    fn from(info: &'a BuildInfo) -> Self {
        Program::Go(info)
    }
}

impl<'a> From<&'a RustProgram> for Program<'a> {
    fn from(program: &'a RustProgram) -> Self {
        Program::Rust(program)
    }
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
    /// The build information, the sources, Cargo.lock or the `cargo auditable` section
    /// are damaged.
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

    fn rust_program(lock: &str, package: &str) -> RustProgram {
        RustProgram {
            rustc_version: Some("rustc 1.95.0 (59807616e 2026-04-14)".into()),
            target: "x86_64-unknown-linux-gnu".into(),
            crates: cargo::Lock::parse(lock)
                .unwrap()
                .crates_of(Some(package))
                .unwrap(),
        }
    }

    fn properties(component: &serde_json::Value) -> Vec<(&str, &str)> {
        component["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
            .collect()
    }

    #[test]
    fn rust_documents_list_crates_with_purls_and_checksums() {
        let program = rust_program(cargo::tests::HELLO_LOCK, "hello-rust");
        let subject = Subject {
            name: "hello-rust_linux_amd64/hello-rust",
            sha256: "ab",
            target: Some("linux/amd64"),
            created: 0,
            tool: "test",
        };
        let spdx = spdx::document(&subject, &program);
        assert_eq!(
            spdx["packages"][0]["comment"],
            "Rust program hello-rust 0.1.0 for linux/amd64 (Rust target x86_64-unknown-linux-gnu), \
             built with rustc 1.95.0 (59807616e 2026-04-14); crates from Cargo.lock (all the package \
             depends on there, for any target, dev-dependencies included)"
        );
        let packages = spdx["packages"].as_array().unwrap();
        let names: Vec<(&str, &str)> = packages
            .iter()
            .map(|p| (p["SPDXID"].as_str().unwrap(), p["name"].as_str().unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                ("SPDXRef-Artifact", "hello-rust"),
                ("SPDXRef-main", "hello-rust"),
                ("SPDXRef-crate-1", "heck"),
                ("SPDXRef-crate-2", "pico-args"),
            ]
        );
        assert_eq!(packages[1]["primaryPackagePurpose"], "APPLICATION");
        assert_eq!(packages[1].get("checksums"), None);
        assert_eq!(
            packages[1]["externalRefs"][0]["referenceLocator"],
            "pkg:cargo/hello-rust@0.1.0"
        );
        assert_eq!(packages[1]["downloadLocation"], "NOASSERTION");
        assert_eq!(
            packages[2]["checksums"],
            serde_json::json!([{
                "algorithm": "SHA256",
                "checksumValue": "2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea",
            }])
        );
        assert_eq!(
            packages[3]["externalRefs"][0]["referenceLocator"],
            "pkg:cargo/pico-args@0.5.0"
        );
        assert_eq!(
            packages[3]["downloadLocation"],
            "https://crates.io/api/v1/crates/pico-args/0.5.0/download"
        );
        let relationships: Vec<String> = spdx["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    r["spdxElementId"].as_str().unwrap(),
                    r["relationshipType"].as_str().unwrap(),
                    r["relatedSpdxElement"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            relationships,
            [
                "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Artifact",
                "SPDXRef-Artifact CONTAINS SPDXRef-main",
                "SPDXRef-main DEPENDS_ON SPDXRef-crate-1",
                "SPDXRef-main DEPENDS_ON SPDXRef-crate-2",
            ]
        );

        let cdx = cyclonedx::document(&subject, &program);
        let metadata = &cdx["metadata"]["component"];
        assert_eq!(
            properties(metadata),
            [
                ("xhost:artifact:path", "hello-rust_linux_amd64/hello-rust"),
                ("rust:package", "hello-rust"),
                ("rust:package:version", "0.1.0"),
                ("rust:rustc", "rustc 1.95.0 (59807616e 2026-04-14)"),
                ("rust:target", "x86_64-unknown-linux-gnu"),
                ("xhost:target", "linux/amd64"),
                ("rust:crates:source", "Cargo.lock"),
            ]
        );
        let components = cdx["components"].as_array().unwrap();
        assert_eq!(components[0]["type"], "application");
        assert_eq!(components[0]["purl"], "pkg:cargo/hello-rust@0.1.0");
        assert_eq!(properties(&components[0]), [("cargo:source", "local")]);
        assert_eq!(components[1]["bom-ref"], "pkg:cargo/heck@0.5.0");
        assert_eq!(components[1]["version"], "0.5.0");
        assert_eq!(
            components[1]["hashes"],
            serde_json::json!([{
                "alg": "SHA-256",
                "content": "2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea",
            }])
        );
        assert_eq!(
            components[2]["hashes"][0]["content"],
            "5be167a7af36ee22fe3115051bc51f6e6c7054c9348e28deb4f49bd6f705a315"
        );
        assert_eq!(
            cdx["dependencies"],
            serde_json::json!([
                { "ref": "artifact", "dependsOn": ["pkg:cargo/hello-rust@0.1.0"] },
                {
                    "ref": "pkg:cargo/hello-rust@0.1.0",
                    "dependsOn": ["pkg:cargo/heck@0.5.0", "pkg:cargo/pico-args@0.5.0"],
                },
                { "ref": "pkg:cargo/heck@0.5.0", "dependsOn": [] },
                { "ref": "pkg:cargo/pico-args@0.5.0", "dependsOn": [] },
            ])
        );

        // The same inputs give the same bytes.
        assert_eq!(spdx, spdx::document(&subject, &program));
        assert_eq!(cdx, cyclonedx::document(&subject, &program));
    }

    #[test]
    fn rust_documents_keep_the_crate_graph_and_sources() {
        let program = rust_program(cargo::tests::WORKSPACE_LOCK, "app");
        let subject = Subject {
            name: "app",
            sha256: "ab",
            target: None,
            created: 0,
            tool: "test",
        };
        let spdx = spdx::document(&subject, &program);
        let comment = spdx["packages"][0]["comment"].as_str().unwrap();
        assert!(
            comment.starts_with(
                "Rust program app 1.2.0 for x86_64-unknown-linux-gnu, built with rustc 1.95.0"
            ),
            "{comment}"
        );
        let fancy = &spdx["packages"][4];
        assert_eq!(fancy["name"], "fancy");
        assert_eq!(
            fancy["downloadLocation"],
            "git+https://github.com/example/fancy@0123456789abcdef0123456789abcdef01234567"
        );
        assert_eq!(fancy.get("checksums"), None);
        let util = &spdx["packages"][6];
        assert_eq!(util["name"], "util");
        assert_eq!(
            util["comment"],
            "a path crate of the project, from no registry"
        );
        let depends: Vec<(&str, &str)> = spdx["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["relationshipType"] == "DEPENDS_ON")
            .filter(|r| r["spdxElementId"] != "SPDXRef-main")
            .map(|r| {
                (
                    r["spdxElementId"].as_str().unwrap(),
                    r["relatedSpdxElement"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            depends,
            [
                ("SPDXRef-crate-3", "SPDXRef-crate-2"),
                ("SPDXRef-crate-5", "SPDXRef-crate-1")
            ],
            "fancy → bitflags 2.6.0, util → bitflags 1.3.2"
        );

        let cdx = cyclonedx::document(&subject, &program);
        let properties = properties(&cdx["metadata"]["component"]);
        assert!(
            !properties
                .iter()
                .any(|(k, _)| k.starts_with("xhost:target"))
        );
        let fancy = "pkg:cargo/fancy@0.3.0?vcs_url=git%2Bhttps://github.com/example/fancy%400123456789abcdef0123456789abcdef01234567";
        assert_eq!(cdx["components"][3]["bom-ref"], fancy);
        assert_eq!(
            cdx["dependencies"][4],
            serde_json::json!({ "ref": fancy, "dependsOn": ["pkg:cargo/bitflags@2.6.0"] })
        );
        assert_eq!(
            cdx["components"][4]["purl"],
            "pkg:cargo/internal@0.9.1?repository_url=https://crates.corp.example/index/"
        );
    }

    #[test]
    fn rust_documents_from_a_cargo_auditable_section() {
        let compressed = auditable::tests::compress(auditable::tests::HELLO_JSON.as_bytes());
        let lock = cargo::Lock::parse(cargo::tests::HELLO_LOCK).unwrap();
        let program = RustProgram {
            rustc_version: None,
            target: "wasm32-wasip2".into(),
            crates: auditable::decode(&compressed, Some("hello-rust"))
                .unwrap()
                .with_lock(&lock),
        };
        let subject = Subject {
            name: "hello.wasm",
            sha256: "ab",
            target: Some("wasm32-wasip2"),
            created: 0,
            tool: "test",
        };
        let spdx = spdx::document(&subject, &program);
        assert_eq!(
            spdx["packages"][0]["comment"],
            "Rust program hello-rust 0.1.0 for wasm32-wasip2; crates from the binary's cargo \
             auditable section (those compiled for its target)"
        );
        let cc = &spdx["packages"][2];
        assert_eq!(cc["name"], "cc");
        assert_eq!(
            cc["comment"],
            "a build dependency: built for build scripts, not linked into the program"
        );
        let cdx = cyclonedx::document(&subject, &program);
        assert_eq!(
            properties(&cdx["components"][1]),
            [("cargo:dependency:kind", "build")]
        );
        assert_eq!(
            cdx["components"][3]["hashes"][0]["content"],
            "5be167a7af36ee22fe3115051bc51f6e6c7054c9348e28deb4f49bd6f705a315"
        );
        assert!(
            properties(&cdx["metadata"]["component"])
                .contains(&("rust:crates:source", "cargo-auditable"))
        );
    }
}
