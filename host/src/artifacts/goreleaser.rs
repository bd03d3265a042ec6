//! GoReleaser's `metadata.json` and the list of its `artifacts.json`, for the tools
//! that read them (`[metadata] goreleaser = true`): the same field names and values
//! GoReleaser writes, built from the release's records. xhost's own `artifacts.json`
//! keeps its name, so GoReleaser's list is `artifacts.goreleaser.json`.

use serde_json::{Map, Value, json};

use super::{Kind, Record};
use crate::config::Config;
use crate::config::template::fields::target_fields;

pub const METADATA: &str = "metadata.json";
pub const ARTIFACTS: &str = "artifacts.goreleaser.json";

/// `metadata.json`: the project, tags, version, commit and date, and the platform the
/// release was made on (Go's names).
pub fn metadata(config: &Config) -> String {
    let fields = &config.templates;
    let value = json!({
        "project_name": fields.project_name,
        "tag": fields.tag,
        "previous_tag": fields.previous_tag,
        "version": fields.version,
        "commit": fields.commit,
        "date": fields.date(),
        "runtime": { "goos": crate::target::native().0, "goarch": crate::target::native().1 },
    });
    format!("{value:#}\n")
}

/// `artifacts.goreleaser.json`: each record as GoReleaser lists an artifact, with its
/// path under `dist` (as written, `dist/…`), platform fields and `extra`.
pub fn artifacts(config: &Config, records: &[Record], dist_name: &str) -> String {
    let list: Vec<Value> = records
        .iter()
        .map(|r| artifact(r, &config.build.binary, dist_name))
        .collect();
    format!("{:#}\n", Value::Array(list))
}

fn artifact(record: &Record, binary: &str, dist_name: &str) -> Value {
    let (type_name, internal_type) = goreleaser_type(record);
    let mut entry = Map::new();
    entry.insert("name".into(), record.name().into());
    entry.insert("path".into(), format!("{dist_name}/{}", record.path).into());
    for (key, value) in record
        .meta
        .iter()
        .filter(|(k, _)| k == "goos" || k == "goarch")
    {
        entry.insert(key.clone(), value.clone().into());
    }
    if let Some(target) = &record.target {
        entry.insert("goos".into(), target.os.clone().into());
        entry.insert("goarch".into(), target.arch.clone().into());
        let fields = target_fields(target);
        // GoReleaser's field for each architecture's level, when it has one.
        for (field, key) in [("Arm", "goarm"), ("Amd64", "goamd64"), ("Arm64", "goarm64")] {
            if let Some((_, value)) = fields.iter().find(|(f, v)| *f == field && !v.is_empty()) {
                entry.insert(key.into(), value.clone().into());
            }
        }
        if let Some((_, name)) = fields.iter().find(|(f, _)| *f == "Target") {
            entry.insert("target".into(), name.clone().into());
        }
    }
    entry.insert("internal_type".into(), internal_type.into());
    entry.insert("type".into(), type_name.into());
    let mut extra = Map::new();
    match record.kind {
        Kind::Archive => {
            // A package holds files besides the binaries; GoReleaser lists none for it.
            if !is_linux_package(record) {
                extra.insert("Binaries".into(), json!([binary]));
            }
            if let Some(format) = record_format(record) {
                extra.insert("Format".into(), format.into());
            }
        }
        Kind::Binary => {
            extra.insert("Binary".into(), binary.into());
            let ext = record.name().strip_prefix(binary).unwrap_or_default();
            extra.insert("Ext".into(), ext.into());
        }
        _ => {}
    }
    if matches!(record.kind, Kind::Archive | Kind::Binary) {
        extra.insert(
            "Checksum".into(),
            format!("sha256:{}", record.sha256).into(),
        );
    }
    entry.insert("extra".into(), Value::Object(extra));
    Value::Object(entry)
}

/// A `.deb`, `.rpm` or `.apk` made by `builtin:package` (its `format` metadata).
fn is_linux_package(record: &Record) -> bool {
    matches!(record_format(record), Some("deb" | "rpm" | "apk"))
}

/// The record's `format` metadata (`tar.gz`, `deb`, …).
fn record_format(record: &Record) -> Option<&str> {
    record
        .meta
        .iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.as_str())
}

/// GoReleaser's `type` and `internal_type` (its `artifact.Type` numbering, v2.17) for
/// `record`: archives, Linux packages, binaries (a universal one is its own internal type), checksums,
/// signatures (and attestations), SBOMs; any other file is an uploadable file.
fn goreleaser_type(record: &Record) -> (&'static str, u32) {
    match record.kind {
        Kind::Binary if record.meta.iter().any(|(k, v)| k == "goarch" && v == "all") => {
            ("Binary", 5)
        }
        Kind::Binary => ("Binary", 4),
        Kind::Archive if is_linux_package(record) => ("Linux Package", 6),
        Kind::Archive => ("Archive", 1),
        Kind::Checksum => ("Checksum", 12),
        Kind::Signature | Kind::Provenance => ("Signature", 13),
        Kind::Sbom => ("SBOM", 28),
        Kind::Other if record.path == METADATA => ("Metadata", 35),
        Kind::Other => ("File", 3),
    }
}
