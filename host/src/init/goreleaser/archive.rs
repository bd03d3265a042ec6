//! GoReleaser's archive → `builtin:archive`'s stage: its name (v1 `replacements`
//! folded in), formats, overrides, files and top directory.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use marked_yaml::Node;

use super::toml_text::{quote, quote_list};
use super::yaml::{err, line_of, list, mapping, scalar, strings};
use super::{Dropped, ImportError, Importer};
use crate::target::Target;

/// GoReleaser v2's default archive name.
pub(super) const DEFAULT_ARCHIVE_NAME: &str = "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}{{ with .Arm }}v{{ . }}{{ end }}{{ with .Mips }}_{{ . }}{{ end }}{{ if not (eq .Amd64 \"v1\") }}{{ .Amd64 }}{{ end }}";
/// GoReleaser v1's default archive name.
pub(super) const V1_ARCHIVE_NAME: &str = "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}{{ if .Arm }}v{{ .Arm }}{{ end }}{{ if .Mips }}_{{ .Mips }}{{ end }}";
pub(super) fn convert_archive(
    archive: Option<&Node>,
    v1: bool,
    im: &mut Importer,
) -> Result<String, ImportError> {
    let mut name = if v1 {
        V1_ARCHIVE_NAME
    } else {
        DEFAULT_ARCHIVE_NAME
    }
    .to_string();
    let mut formats = vec!["tar.gz".to_string()];
    let mut overrides: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut files: Option<Vec<String>> = None;
    let mut wrap: Option<String> = None;
    let mut replacements: Vec<(String, String)> = Vec::new();
    if let Some(node) = archive {
        let map = mapping(node, "an archive")?;
        for (key, value) in map.iter() {
            let path = format!("archives[0].{}", key.as_str());
            match key.as_str() {
                "id" | "builds" | "ids" => {}
                "name_template" => name = scalar(value, &path)?,
                "format" => formats = vec![scalar(value, &path)?],
                "formats" => formats = strings(value, &path)?,
                "format_overrides" => {
                    let items = list(value, &path)?;
                    for item in items.iter() {
                        let m = mapping(item, "a format override")?;
                        let os = m
                            .get_node("goos")
                            .ok_or_else(|| err(item, "a format override needs goos"))?;
                        let os = scalar(os, "goos")?;
                        let f = match (m.get_node("formats"), m.get_node("format")) {
                            (Some(f), _) => strings(f, "formats")?,
                            (None, Some(f)) => vec![scalar(f, "format")?],
                            (None, None) => {
                                return Err(err(item, "a format override needs format or formats"));
                            }
                        };
                        overrides.insert(os, f);
                    }
                }
                "files" => {
                    let mut kept = Vec::new();
                    let items = list(value, &path)?;
                    for item in items.iter() {
                        match item.as_scalar() {
                            Some(s) if !s.as_str().contains('/') => kept.push(s.as_str().to_string()),
                            _ => im.dropped.push(Dropped {
                                line: line_of(item),
                                key: format!("{path} entry"),
                                reason: "builtin:archive adds files from the top of the project only (a name or pattern without `/`)".into(),
                            }),
                        }
                    }
                    files = Some(kept);
                }
                "wrap_in_directory" => {
                    let text = scalar(value, &path)?;
                    wrap = match text.as_str() {
                        "true" => Some("true".into()),
                        "false" | "" => None,
                        _ => Some(text),
                    };
                }
                "replacements" => {
                    let m = mapping(value, &path)?;
                    for (from, to) in m.iter() {
                        replacements.push((from.as_str().to_string(), scalar(to, &path)?));
                    }
                }
                "rlcp" | "strip_binary_directory" | "allow_different_binary_count" => {}
                _ => im.drop(key, &path, "builtin:archive has no such setting"),
            }
        }
    }
    if !replacements.is_empty() {
        let (folded, left) = fold_replacements(&name, &replacements);
        name = folded;
        if left {
            im.notes.push("archives[0].replacements: applied where the name template uses a field alone ({{ .Os }}); check the other uses".into());
        }
    }
    let mut out = String::from(
        "[[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\ngrants = { source = true }\n[stage.config]\n",
    );
    writeln!(out, "name_template = {}", quote(&name)).ok();
    if formats.len() == 1 {
        writeln!(out, "format = {}", quote(&formats[0])).ok();
    } else {
        writeln!(out, "formats = {}", quote_list(&formats)).ok();
    }
    if let Some(files) = files {
        writeln!(out, "files = {}", quote_list(&files)).ok();
    }
    match wrap.as_deref() {
        Some("true") => writeln!(out, "wrap_in_directory = true").ok(),
        Some(dir) => writeln!(out, "wrap_in_directory = {}", quote(dir)).ok(),
        None => None,
    };
    // GoReleaser archives every OS in the configured format unless overridden;
    // builtin:archive's own defaults zip Windows, so say it.
    overrides
        .entry("windows".to_string())
        .or_insert_with(|| formats.clone());
    writeln!(out, "[stage.config.format_overrides]").ok();
    for (os, f) in &overrides {
        if f.len() == 1 {
            writeln!(out, "{os} = {}", quote(&f[0])).ok();
        } else {
            writeln!(out, "{os} = {}", quote_list(f)).ok();
        }
    }
    out.push('\n');
    Ok(out)
}

/// v1's `replacements` folded into the name template: each field used alone
/// (`{{ .Os }}`, `{{.Arch}}`) becomes an if/else chain over the replaced values.
/// Returns whether a replaced field is also used some other way.
pub(super) fn fold_replacements(name: &str, replacements: &[(String, String)]) -> (String, bool) {
    let mut out = name.to_string();
    let mut left = false;
    for field in ["Os", "Arch", "Arm", "Mips", "Amd64"] {
        // Only the replacements that can be values of this field.
        let applies: Vec<&(String, String)> = replacements
            .iter()
            .filter(|(from, _)| plausible(field, from))
            .collect();
        if applies.is_empty() {
            continue;
        }
        let chain: String = applies
            .iter()
            .enumerate()
            .map(|(i, (from, to))| {
                let word = if i == 0 { "if" } else { "else if" };
                format!("{{{{ {word} eq .{field} {} }}}}{to}", quote(from))
            })
            .collect();
        let replacement = format!("{chain}{{{{ else }}}}{{{{ .{field} }}}}{{{{ end }}}}");
        let before = out.clone();
        for spelling in [format!("{{{{ .{field} }}}}"), format!("{{{{.{field}}}}}")] {
            out = out.replace(&spelling, &replacement);
        }
        let bare_uses = before.matches(&format!(".{field} ")).count()
            + before.matches(&format!(".{field}}}")).count();
        let folded = before.matches(&format!("{{{{ .{field} }}}}")).count()
            + before.matches(&format!("{{{{.{field}}}}}")).count();
        if bare_uses > folded {
            left = true;
        }
    }
    (out, left)
}

/// Whether `value` can be the value of template field `field`.
pub(super) fn plausible(field: &str, value: &str) -> bool {
    let target = |os: &str, arch: &str| format!("{os}/{arch}").parse::<Target>().is_ok();
    match field {
        "Os" => [
            "amd64", "arm64", "wasm", "riscv64", "ppc64le", "s390x", "mips64", "386", "arm",
        ]
        .iter()
        .any(|arch| target(value, arch)),
        "Arch" => [
            "linux", "windows", "darwin", "freebsd", "wasip1", "js", "plan9",
        ]
        .iter()
        .any(|os| target(os, value)),
        "Arm" => matches!(value, "5" | "6" | "7"),
        "Amd64" => matches!(value, "v1" | "v2" | "v3" | "v4"),
        "Mips" => matches!(value, "hardfloat" | "softfloat"),
        _ => false,
    }
}
