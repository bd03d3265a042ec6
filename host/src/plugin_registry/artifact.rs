//! The wasm OCI artifact (CNCF TAG Runtime's layout, used by wasmCloud, Spin and
//! `wkg`): an image manifest whose config is `application/vnd.wasm.config.v0+json`
//! and whose one layer is the component, `application/wasm`. Made here for `xhost
//! plugin publish`, and checked strictly when fetched: a manifest is untrusted input
//! until its layer has been verified.

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";
/// `org.opencontainers.image.title`, the layer's file name for tools that save it.
const TITLE: &str = "org.opencontainers.image.title";

/// The largest component xhost fetches (the largest plugins, Python ones with their
/// interpreter, are about 40 MiB).
pub const MAX_COMPONENT: u64 = 256 * 1024 * 1024;
/// The largest manifest, config or signature blob read into memory.
pub const MAX_SMALL_BLOB: u64 = 256 * 1024;

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<std::collections::BTreeMap<String, String>>,
}

impl Descriptor {
    fn of(media_type: &str, bytes_digest: String, size: u64) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            digest: format!("sha256:{bytes_digest}"),
            size,
            annotations: None,
        }
    }

    /// The hex part of a `sha256:` digest.
    pub fn hex(&self) -> &str {
        self.digest.strip_prefix("sha256:").unwrap_or(&self.digest)
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    schema_version: u32,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
    config: Descriptor,
    layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    annotations: Option<std::collections::BTreeMap<String, String>>,
}

/// What the wasm config says of the component (the artifact spec's fields).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WasmConfig<'a> {
    created: &'a str,
    architecture: &'static str,
    os: &'static str,
    layer_digests: [&'a str; 1],
    component: ComponentInfo<'a>,
}

#[derive(Serialize)]
struct ComponentInfo<'a> {
    exports: &'a [String],
    imports: &'a [String],
}

/// A published component's blobs and manifest, all bytes known before pushing.
pub struct Made {
    pub config: Vec<u8>,
    pub config_digest: String,
    pub layer: Descriptor,
    pub manifest: Vec<u8>,
    /// `sha256:<hex>` of `manifest`: what a build pins.
    pub digest: String,
}

/// The artifact of a component whose bytes hash to `component_hex`, with its
/// interface as `imports` and `exports`. `created` is fixed (the Unix epoch, or
/// `SOURCE_DATE_EPOCH` when set) so that publishing the same component twice makes
/// the same digest.
pub fn make(
    component_hex: &str,
    component_size: u64,
    file_name: &str,
    imports: &[String],
    exports: &[String],
) -> Result<Made> {
    let layer_digest = format!("sha256:{component_hex}");
    let created = created()?;
    let config = serde_json::to_vec(&WasmConfig {
        created: &created,
        architecture: "wasm",
        os: "wasip2",
        layer_digests: [&layer_digest],
        component: ComponentInfo { exports, imports },
    })?;
    let config_digest = crate::digest::sha256_hex(&config);
    let mut layer = Descriptor::of(LAYER_MEDIA_TYPE, component_hex.to_string(), component_size);
    layer.annotations = Some([(TITLE.to_string(), file_name.to_string())].into());
    let manifest = serde_json::to_vec(&Manifest {
        schema_version: 2,
        media_type: Some(MANIFEST_MEDIA_TYPE.to_string()),
        artifact_type: None,
        config: Descriptor::of(
            CONFIG_MEDIA_TYPE,
            config_digest.clone(),
            config.len() as u64,
        ),
        layers: vec![layer.clone()],
        annotations: None,
    })?;
    let digest = format!("sha256:{}", crate::digest::sha256_hex(&manifest));
    Ok(Made {
        config,
        config_digest,
        layer,
        manifest,
        digest,
    })
}

fn created() -> Result<String> {
    let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.is_empty() => text.trim().parse::<i64>().map_err(|_| {
            anyhow::anyhow!("SOURCE_DATE_EPOCH is `{text}`, not a number of seconds")
        })?,
        _ => 0,
    };
    let at = time::OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|e| anyhow::anyhow!("SOURCE_DATE_EPOCH {seconds}: {e}"))?;
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| anyhow::anyhow!("formatting {seconds}: {e}"))
}

/// The one component layer of a fetched manifest (whose digest the caller has
/// checked), or why it is not a wasm component artifact xhost takes.
pub fn component_layer(manifest: &[u8], shown: &str) -> Result<(Descriptor, Descriptor)> {
    let parsed: Manifest = serde_json::from_slice(manifest)
        .map_err(|e| anyhow::anyhow!("{shown}: the manifest is not an OCI image manifest: {e}"))?;
    if parsed.schema_version != 2 {
        bail!(
            "{shown}: the manifest has schemaVersion {}, not 2",
            parsed.schema_version
        );
    }
    if let Some(other) = parsed
        .media_type
        .as_deref()
        .filter(|m| *m != MANIFEST_MEDIA_TYPE)
    {
        bail!(
            "{shown}: the manifest is a `{other}`, not an OCI image manifest ({MANIFEST_MEDIA_TYPE})"
        );
    }
    if parsed.config.media_type != CONFIG_MEDIA_TYPE {
        bail!(
            "{shown}: not a wasm component artifact: its config is `{}`, not `{CONFIG_MEDIA_TYPE}` (a container image or another kind of artifact?)",
            parsed.config.media_type
        );
    }
    let [layer] = parsed.layers.as_slice() else {
        bail!(
            "{shown}: a wasm component artifact has exactly one layer, this one has {}; xhost cannot tell which is the plugin",
            parsed.layers.len()
        );
    };
    if layer.media_type != LAYER_MEDIA_TYPE {
        bail!(
            "{shown}: its layer is `{}`, not `{LAYER_MEDIA_TYPE}`",
            layer.media_type
        );
    }
    for descriptor in [&parsed.config, layer] {
        let good = descriptor
            .digest
            .strip_prefix("sha256:")
            .is_some_and(crate::digest::is_sha256_hex);
        if !good {
            bail!(
                "{shown}: the digest `{}` is not sha256: and 64 lowercase hex digits",
                descriptor.digest
            );
        }
    }
    if layer.size > MAX_COMPONENT {
        bail!(
            "{shown}: the component is {} bytes, more than the {} MiB a plugin may be",
            layer.size,
            MAX_COMPONENT >> 20
        );
    }
    if parsed.config.size > MAX_SMALL_BLOB {
        bail!(
            "{shown}: the config is {} bytes, more than {} KiB",
            parsed.config.size,
            MAX_SMALL_BLOB >> 10
        );
    }
    Ok((parsed.config.clone(), layer.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_artifacts_read_back() {
        let hex = crate::digest::sha256_hex(b"component");
        let made = make(&hex, 9, "p.wasm", &["wasi:cli/env".into()], &["x".into()]).unwrap();
        let (config, layer) = component_layer(&made.manifest, "t").unwrap();
        assert_eq!(layer.digest, format!("sha256:{hex}"));
        assert_eq!(layer.size, 9);
        assert_eq!(config.hex(), made.config_digest);
        let config: serde_json::Value = serde_json::from_slice(&made.config).unwrap();
        assert_eq!(config["layerDigests"][0], format!("sha256:{hex}"));
        assert_eq!(config["os"], "wasip2");
        // The same component makes the same digest.
        let again = make(&hex, 9, "p.wasm", &["wasi:cli/env".into()], &["x".into()]).unwrap();
        assert_eq!(made.digest, again.digest);
    }

    #[test]
    fn refuses_other_artifacts() {
        let hex = crate::digest::sha256_hex(b"c");
        let layer = |media: &str, size: u64| serde_json::json!({ "mediaType": media, "digest": format!("sha256:{hex}"), "size": size });
        let manifest = |config: &str, layers: Vec<serde_json::Value>| {
            serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "mediaType": MANIFEST_MEDIA_TYPE,
                "config": { "mediaType": config, "digest": format!("sha256:{hex}"), "size": 2 },
                "layers": layers,
            }))
            .unwrap()
        };
        for (bytes, says) in [
            (
                manifest(
                    CONFIG_MEDIA_TYPE,
                    vec![layer(LAYER_MEDIA_TYPE, 1), layer(LAYER_MEDIA_TYPE, 1)],
                ),
                "exactly one layer, this one has 2",
            ),
            (
                manifest(
                    "application/vnd.oci.image.config.v1+json",
                    vec![layer(LAYER_MEDIA_TYPE, 1)],
                ),
                "not a wasm component artifact",
            ),
            (
                manifest(
                    CONFIG_MEDIA_TYPE,
                    vec![layer("application/vnd.oci.image.layer.v1.tar", 1)],
                ),
                "not `application/wasm`",
            ),
            (
                manifest(
                    CONFIG_MEDIA_TYPE,
                    vec![layer(LAYER_MEDIA_TYPE, MAX_COMPONENT + 1)],
                ),
                "more than the 256 MiB",
            ),
            (b"{}".to_vec(), "not an OCI image manifest"),
        ] {
            let error = component_layer(&bytes, "t").unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
    }
}
