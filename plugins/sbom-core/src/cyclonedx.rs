//! CycloneDX 1.6 JSON. The binary is the BOM's subject (`metadata.component`, with its
//! SHA-256); the modules and the standard library are components with purls; the
//! dependency graph says binary → main module → the rest. A module's `h1:` hash goes in
//! a property: CycloneDX hash algorithms do not include Go's module hash. The target,
//! its variant and the platform settings the binary records (`go:build:GOARM` = `6`) are
//! properties of the subject.

use serde_json::{Value, json};

use crate::components::{self, Role};
use crate::{BuildInfo, Subject, platform_settings, stable_id, timestamp};

pub fn document(subject: &Subject, info: &BuildInfo) -> Value {
    let components = components::list(info);
    let file_name = subject.name.rsplit('/').next().unwrap_or(subject.name);

    let mut metadata_component = json!({
        "type": "application",
        "bom-ref": "artifact",
        "name": file_name,
        "hashes": [{ "alg": "SHA-256", "content": subject.sha256 }],
        "properties": [
            { "name": "xhost:artifact:path", "value": subject.name },
            { "name": "go:main:path", "value": info.path },
            { "name": "go:version", "value": info.go_version },
        ],
    });
    if let Some(target) = subject.target {
        push_property(&mut metadata_component, "xhost:target", target);
    }
    if let Some(variant) = subject.variant() {
        push_property(&mut metadata_component, "xhost:target:variant", variant);
    }
    for (key, value) in platform_settings(info) {
        push_property(&mut metadata_component, &format!("go:build:{key}"), value);
    }

    let listed: Vec<Value> = components
        .iter()
        .map(|c| {
            let mut component = json!({
                "type": if c.role == Role::Main { "application" } else { "library" },
                "bom-ref": c.purl,
                "name": c.name,
                "version": c.version,
                "purl": c.purl,
            });
            if let Some(sum) = &c.sum {
                push_property(&mut component, "go:module:hash", sum);
            }
            if let Some(replacement) = &c.replaced_by {
                push_property(&mut component, "go:module:replacement", replacement);
            }
            component
        })
        .collect();
    let main = &components[0].purl;
    let others: Vec<&String> = components.iter().skip(1).map(|c| &c.purl).collect();
    let mut dependencies = vec![
        json!({ "ref": "artifact", "dependsOn": [main] }),
        json!({ "ref": main, "dependsOn": others }),
    ];
    dependencies.extend(
        others
            .iter()
            .map(|purl| json!({ "ref": purl, "dependsOn": [] })),
    );

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
