//! SPDX 2.3 JSON. The binary is the described package (with its SHA-256); it contains
//! the main module or package, which depends on the others: for Go, on every other
//! module and on the standard library; for Rust, on its crates, each depending on its
//! own. A Go module's `h1:` hash is a Go module hash, not a checksum SPDX defines, so it
//! is kept in the package comment rather than passed off as a SHA-256; a crate's
//! checksum is the SHA-256 of its `.crate` archive, and a checksum. The binary's comment
//! names its target, the target's variant, and the platform settings (Go) or target
//! triple (Rust) and the toolchain.

use serde_json::{Value, json};

use crate::cargo::Origin;
use crate::components::{self, Role};
use crate::{BuildInfo, Program, RustProgram, Subject, platform_settings, stable_id, timestamp};

pub fn document<'a>(subject: &Subject, program: impl Into<Program<'a>>) -> Value {
    let program = program.into();
    let components = components::list(program);
    let spdx_id = |id: &str| format!("SPDXRef-{id}");
    let file_name = subject.name.rsplit('/').next().unwrap_or(subject.name);

    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Artifact",
        "name": file_name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "checksums": [{ "algorithm": "SHA256", "checksumValue": subject.sha256 }],
        "primaryPackagePurpose": "APPLICATION",
        "comment": match program {
            Program::Go(info) => artifact_comment(subject, info),
            Program::Rust(program) => rust_artifact_comment(subject, program),
        },
    })];
    for c in &components {
        let comment: Vec<&str> = c.notes.iter().map(|n| n.comment.as_str()).collect();
        let mut package = json!({
            "SPDXID": spdx_id(&c.id),
            "name": c.name,
            "versionInfo": c.version,
            "downloadLocation": c.download.as_deref().unwrap_or("NOASSERTION"),
            "filesAnalyzed": false,
            "primaryPackagePurpose": if c.role == Role::Main { "APPLICATION" } else { "LIBRARY" },
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": c.purl,
            }],
        });
        if let Some(sha256) = &c.sha256 {
            package["checksums"] = json!([{ "algorithm": "SHA256", "checksumValue": sha256 }]);
        }
        if !comment.is_empty() {
            package["comment"] = Value::String(comment.join("; "));
        }
        packages.push(package);
    }

    let mut relationships = vec![
        relation("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Artifact"),
        relation("SPDXRef-Artifact", "CONTAINS", &spdx_id("main")),
    ];
    for c in &components {
        for &dep in &c.depends_on {
            let dep = &components[dep];
            relationships.push(relation(&spdx_id(&c.id), "DEPENDS_ON", &spdx_id(&dep.id)));
        }
    }

    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject.name,
        "documentNamespace": format!("https://spdx.org/spdxdocs/xhost/{}", stable_id(subject, "spdx")),
        "creationInfo": {
            "created": timestamp(subject.created),
            "creators": [format!("Tool: {}", subject.tool)],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

fn relation(from: &str, kind: &str, to: &str) -> Value {
    json!({ "spdxElementId": from, "relationshipType": kind, "relatedSpdxElement": to })
}

/// `Go program example.com/hello/cmd/hello for linux/arm/v6 (variant v6; GOOS=linux
/// GOARCH=arm GOARM=6), built with go1.26.8`: SPDX 2.3 has no field for a platform.
fn artifact_comment(subject: &Subject, info: &BuildInfo) -> String {
    let mut target = subject
        .target
        .map(|t| format!(" for {t}"))
        .unwrap_or_default();
    let mut details = Vec::new();
    if let Some(variant) = subject.variant() {
        details.push(format!("variant {variant}"));
    }
    let settings: Vec<String> = platform_settings(info)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !settings.is_empty() {
        details.push(settings.join(" "));
    }
    if !details.is_empty() {
        target.push_str(&format!(" ({})", details.join("; ")));
    }
    format!(
        "Go program {}{target}, built with {}",
        info.path, info.go_version
    )
}

/// `Rust program hello 0.1.0 for linux/arm/v6 (variant v6; Rust target
/// armv6-unknown-linux-gnueabihf), built with rustc 1.95.0 (…); crates from …`.
fn rust_artifact_comment(subject: &Subject, program: &RustProgram) -> String {
    let main = program.crates.main();
    let target = subject.target.unwrap_or(&program.target);
    let mut details = Vec::new();
    if let Some(variant) = subject.variant() {
        details.push(format!("variant {variant}"));
    }
    if target != program.target {
        details.push(format!("Rust target {}", program.target));
    }
    let details = if details.is_empty() {
        String::new()
    } else {
        format!(" ({})", details.join("; "))
    };
    let rustc = program
        .rustc_version
        .as_deref()
        .map(|v| format!(", built with {v}"))
        .unwrap_or_default();
    let origin = match program.crates.origin {
        Origin::Auditable => {
            "crates from the binary's cargo auditable section (those compiled for its target)"
        }
        Origin::CargoLock => {
            "crates from Cargo.lock (all the package depends on there, for any target, dev-dependencies included)"
        }
    };
    format!(
        "Rust program {} {} for {target}{details}{rustc}; {origin}",
        main.name, main.version
    )
}
