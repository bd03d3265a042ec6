//! SPDX 2.3 JSON. The binary is the described package (with its SHA-256); it contains
//! the main module, which depends on every other module and on the standard library.
//! A module's `h1:` hash is a Go module hash, not a checksum SPDX defines, so it is kept
//! in the package comment rather than passed off as a SHA-256. The binary's comment names
//! its target, the target's variant and the platform settings it records.

use serde_json::{Value, json};

use crate::components::{self, Role};
use crate::{BuildInfo, Subject, platform_settings, stable_id, timestamp};

pub fn document(subject: &Subject, info: &BuildInfo) -> Value {
    let components = components::list(info);
    let spdx_id = |id: &str| format!("SPDXRef-{id}");
    let file_name = subject.name.rsplit('/').next().unwrap_or(subject.name);

    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Artifact",
        "name": file_name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "checksums": [{ "algorithm": "SHA256", "checksumValue": subject.sha256 }],
        "primaryPackagePurpose": "APPLICATION",
        "comment": artifact_comment(subject, info),
    })];
    for c in &components {
        let mut comment = Vec::new();
        if let Some(sum) = &c.sum {
            comment.push(format!(
                "Go module hash (h1, over the module's files): {sum}"
            ));
        }
        if let Some(replacement) = &c.replaced_by {
            comment.push(format!("replaced by {replacement}"));
        }
        let mut package = json!({
            "SPDXID": spdx_id(&c.id),
            "name": c.name,
            "versionInfo": c.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": if c.role == Role::Main { "APPLICATION" } else { "LIBRARY" },
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": c.purl,
            }],
        });
        if !comment.is_empty() {
            package["comment"] = Value::String(comment.join("; "));
        }
        packages.push(package);
    }

    let mut relationships = vec![
        relation("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Artifact"),
        relation("SPDXRef-Artifact", "CONTAINS", &spdx_id("main")),
    ];
    for c in components.iter().filter(|c| c.role != Role::Main) {
        relationships.push(relation(&spdx_id("main"), "DEPENDS_ON", &spdx_id(&c.id)));
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
