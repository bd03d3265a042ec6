//! CycloneDX 1.6 JSON. The binary is the BOM's subject (`metadata.component`, with its
//! SHA-256); the modules or crates (and Go's standard library) are components with
//! purls; the dependency graph says binary → main module or package → the rest (for
//! Rust, crate by crate). A Go module's `h1:` hash goes in a property: CycloneDX hash
//! algorithms do not include Go's module hash; a crate's checksum is a SHA-256 hash.
//! The target, its variant, and the platform settings the binary records
//! (`go:build:GOARM` = `6`) or its Rust target triple and rustc are properties of the
//! subject.

use serde_json::{Value, json};

use crate::cargo::Origin;
use crate::components::{self, Role};
use crate::{BuildInfo, Program, RustProgram, Subject, platform_settings, stable_id, timestamp};

pub fn document<'a>(subject: &Subject, program: impl Into<Program<'a>>) -> Value {
    let program = program.into();
    let components = components::list(program);
    let file_name = subject.name.rsplit('/').next().unwrap_or(subject.name);

    let mut metadata_component = json!({
        "type": "application",
        "bom-ref": "artifact",
        "name": file_name,
        "hashes": [{ "alg": "SHA-256", "content": subject.sha256 }],
        "properties": [
            { "name": "xhost:artifact:path", "value": subject.name },
        ],
    });
    match program {
        Program::Go(info) => go_properties(&mut metadata_component, subject, info),
        Program::Rust(program) => rust_properties(&mut metadata_component, subject, program),
    }

    let listed: Vec<Value> = components
        .iter()
        .map(|c| {
            let mut component = json!({
                "type": if c.role == Role::Main { "application" } else { "library" },
                "bom-ref": c.bom_ref,
                "name": c.name,
                "version": c.version,
                "purl": c.purl,
            });
            if let Some(sha256) = &c.sha256 {
                component["hashes"] = json!([{ "alg": "SHA-256", "content": sha256 }]);
            }
            for note in &c.notes {
                push_property(&mut component, note.property, &note.value);
            }
            component
        })
        .collect();
    let mut dependencies = vec![json!({ "ref": "artifact", "dependsOn": [components[0].bom_ref] })];
    dependencies.extend(components.iter().map(|c| {
        let refs: Vec<&String> = c
            .depends_on
            .iter()
            .map(|&d| &components[d].bom_ref)
            .collect();
        json!({ "ref": c.bom_ref, "dependsOn": refs })
    }));

    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid(&stable_id(subject, "cyclonedx"))),
        "version": 1,
        "metadata": {
            "timestamp": timestamp(subject.created),
            "tools": { "components": [{ "type": "application", "name": subject.tool }] },
            "component": metadata_component,
        },
        "components": listed,
        "dependencies": dependencies,
    })
}

/// `go:main:path`, `go:version`, the target and its variant, and the platform settings.
fn go_properties(component: &mut Value, subject: &Subject, info: &BuildInfo) {
    push_property(component, "go:main:path", &info.path);
    push_property(component, "go:version", &info.go_version);
    if let Some(target) = subject.target {
        push_property(component, "xhost:target", target);
    }
    if let Some(variant) = subject.variant() {
        push_property(component, "xhost:target:variant", variant);
    }
    for (key, value) in platform_settings(info) {
        push_property(component, &format!("go:build:{key}"), value);
    }
}

/// The package, rustc, the Rust target triple, xhost's target and its variant, and
/// where the crate list comes from.
fn rust_properties(component: &mut Value, subject: &Subject, program: &RustProgram) {
    let main = program.crates.main();
    push_property(component, "rust:package", &main.name);
    push_property(component, "rust:package:version", &main.version);
    if let Some(rustc) = &program.rustc_version {
        push_property(component, "rust:rustc", rustc);
    }
    push_property(component, "rust:target", &program.target);
    if let Some(target) = subject.target {
        push_property(component, "xhost:target", target);
    }
    if let Some(variant) = subject.variant() {
        push_property(component, "xhost:target:variant", variant);
    }
    let origin = match program.crates.origin {
        Origin::Auditable => "cargo-auditable",
        Origin::CargoLock => "Cargo.lock",
    };
    push_property(component, "rust:crates:source", origin);
}

fn push_property(component: &mut Value, name: &str, value: &str) {
    let properties = component
        .as_object_mut()
        .expect("a component is an object")
        .entry("properties")
        .or_insert_with(|| Value::Array(Vec::new()));
    properties
        .as_array_mut()
        .expect("properties is an array")
        .push(json!({ "name": name, "value": value }));
}

/// A version-4-shaped UUID from 32+ hex digits (deterministic, so rebuilds match).
fn uuid(hex: &str) -> String {
    let h: Vec<char> = hex.chars().take(32).collect();
    let s = |r: std::ops::Range<usize>| h[r].iter().collect::<String>();
    let variant = ['8', '9', 'a', 'b'][h[16].to_digit(16).unwrap_or(0) as usize % 4];
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        s(0..8),
        s(8..12),
        s(13..16),
        s(17..20),
        s(20..32)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_shape() {
        let u = super::uuid("0123456789abcdef0123456789abcdef0123");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!("89ab".contains(&u[19..20]));
    }
}
