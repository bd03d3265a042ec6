//! GoReleaser's `nfpms` → a `builtin:package` stage: the package's description,
//! relations, contents and scripts carry over; what nFPM does that xhost does not (other
//! formats, globs, per-format contents, GPG key files) is listed where it is written.

use std::fmt::Write as _;

use marked_yaml::Node;

use super::toml_text::{quote, quote_list};
use super::yaml::{err, line_of, list, mapping, scalar, strings};
use super::{Dropped, ImportError, Importer};

/// nFPM's own naming per format: left to `builtin:package`'s own per-format defaults
/// (which follow dpkg's, rpm's and abuild's conventions).
const CONVENTIONAL: &str = "{{ .ConventionalFileName }}";

/// Settings copied as they are (a string each).
const PLAIN: [&str; 10] = [
    "package_name",
    "vendor",
    "homepage",
    "maintainer",
    "license",
    "bindir",
    "section",
    "priority",
    "release",
    "epoch",
];

/// Relations, lists of strings.
const RELATIONS: [(&str, &str); 6] = [
    ("dependencies", "depends"),
    ("recommends", "recommends"),
    ("suggests", "suggests"),
    ("conflicts", "conflicts"),
    ("replaces", "replaces"),
    ("provides", "provides"),
];

pub(super) fn convert_nfpms(
    node: &Node,
    v1: bool,
    im: &mut Importer,
) -> Result<String, ImportError> {
    let items = list(node, "nfpms")?;
    let Some(first) = items.iter().next() else {
        return Ok(String::new());
    };
    if let Some(second) = items.get(1) {
        return Err(err(
            second,
            "a second nfpms entry: xhost makes one set of packages per project; keep one entry (several formats go in `formats`)",
        ));
    }
    let map = mapping(first, "an nfpms entry")?;
    let mut config = String::new();
    let mut description: Option<String> = None;
    let mut summary: Option<String> = None;
    let mut deb = String::new();
    let mut rpm = String::new();
    let mut template: Option<String> = None;
    let package_name = match map.get_node("package_name") {
        Some(n) => Some(scalar(n, "nfpms[0].package_name")?),
        None => None,
    };
    for (key, value) in map.iter() {
        let name = key.as_str();
        let path = format!("nfpms[0].{name}");
        match name {
            "id" | "ids" | "builds" => {}
            _ if PLAIN.contains(&name) => {
                let text = scalar(value, &path)?;
                match name {
                    "epoch" => writeln!(config, "epoch = {}", epoch(value, &text)?).ok(),
                    _ => writeln!(config, "{name} = {}", quote(&text)).ok(),
                };
            }
            "description" => description = Some(scalar(value, &path)?),
            "formats" => {
                let mut kept = Vec::new();
                for item in list(value, &path)?.iter() {
                    let format = scalar(item, &path)?;
                    match format.as_str() {
                        "deb" | "rpm" | "apk" => kept.push(format),
                        _ => im.dropped.push(Dropped {
                            line: line_of(item),
                            key: format!("{path} entry `{format}`"),
                            reason: "builtin:package makes deb, rpm and apk".into(),
                        }),
                    }
                }
                writeln!(config, "formats = {}", quote_list(&kept)).ok();
            }
            "file_name_template" => template = Some(scalar(value, &path)?),
            _ if RELATIONS.iter().any(|(from, _)| *from == name) => {
                let to = RELATIONS.iter().find(|(from, _)| *from == name).unwrap().1;
                writeln!(config, "{to} = {}", quote_list(&strings(value, &path)?)).ok();
            }
            "contents" => config.push_str(&contents(value, &path, im)?),
            "scripts" => config.push_str(&scripts(value, &path, im)?),
            "deb" => deb = format_section(value, &path, &["lintian_overrides"], im)?,
            "rpm" => {
                let m = mapping(value, &path)?;
                if let Some(s) = m.get_node("summary") {
                    summary = Some(scalar(s, &format!("{path}.summary"))?);
                }
                rpm = format_section(value, &path, &["group", "summary"], im)?;
            }
            "apk" => {
                format_section(value, &path, &[], im)?;
            }
            _ => im.drop(key, &path, reason(name)),
        }
    }
    config.push_str(&file_name(template, package_name.as_deref(), v1, im));
    // builtin:package's summary is the description's first line.
    let description = match (summary, description) {
        (Some(s), Some(d)) => Some(format!("{s}\n{d}")),
        (s, d) => s.or(d),
    };
    if let Some(description) = description {
        writeln!(config, "description = {}", quote(&description)).ok();
    }
    let mut out = String::from(
        "[[stage]]\nname = \"packages\"\nplugin = \"builtin:package\"\ngrants = { source = true }\n[stage.config]\n",
    );
    out.push_str(&config);
    if !deb.is_empty() {
        writeln!(out, "[stage.config.deb]\n{deb}").ok();
    }
    if !rpm.is_empty() {
        writeln!(out, "[stage.config.rpm]\n{rpm}").ok();
    }
    out.push('\n');
    Ok(out)
}

/// `file_name_template`: GoReleaser's default when none is set (the archives' name with
/// the package's name); nFPM's conventional name is builtin:package's own default. The
/// extension is builtin:package's to add; `.PackageName` becomes the name itself.
fn file_name(
    template: Option<String>,
    package_name: Option<&str>,
    v1: bool,
    im: &mut Importer,
) -> String {
    let template = match template {
        Some(t) if t.trim() == CONVENTIONAL => return String::new(),
        Some(t) => {
            im.notes.push("nfpms[0].file_name_template: the extension (.deb, .rpm, .apk) is added by builtin:package; nFPM-only fields such as .Release are not known to xhost's templates".into());
            t.replace("{{ .ConventionalExtension }}", "")
        }
        None => match v1 {
            true => super::archive::V1_ARCHIVE_NAME,
            false => super::archive::DEFAULT_ARCHIVE_NAME,
        }
        .replace("{{ .ProjectName }}", "{{ .PackageName }}"),
    };
    let name = package_name.unwrap_or("{{ .ProjectName }}");
    let template = template
        .replace("{{ .PackageName }}", name)
        .replace("{{.PackageName}}", name);
    format!("file_name_template = {}\n", quote(&template))
}

fn epoch(node: &Node, text: &str) -> Result<u32, ImportError> {
    text.parse()
        .map_err(|_| err(node, format!("nfpms[0].epoch `{text}`: a number")))
}

/// Why a key of an nfpms entry is not carried over.
fn reason(name: &str) -> &'static str {
    match name {
        "meta" => "builtin:package always packages the target's binaries",
        "overrides" => "per-format settings are the stage's `deb`, `rpm` and `apk` tables",
        "archlinux" | "ipk" => "builtin:package makes deb, rpm and apk",
        "changelog" => "builtin:package writes a changelog entry for the release itself",
        "umask" | "mtime" => "files have the modes the config gives, and the commit's time",
        "prerelease" | "version_metadata" => {
            "the version is the project's: a pre-release (`1.2.3-rc.1`) is written as each format sorts it"
        }
        _ => "builtin:package has no such setting",
    }
}

/// `deb`/`rpm`/`apk`: the keys builtin:package knows (`keep`) as TOML lines; the rest
/// dropped (a signature's key file with where signing goes instead).
fn format_section(
    node: &Node,
    path: &str,
    keep: &[&str],
    im: &mut Importer,
) -> Result<String, ImportError> {
    let mut out = String::new();
    for (key, value) in mapping(node, path)?.iter() {
        let name = key.as_str();
        let key_path = format!("{path}.{name}");
        match name {
            "summary" => {}
            "lintian_overrides" if keep.contains(&name) => {
                writeln!(out, "{name} = {}", quote_list(&strings(value, &key_path)?)).ok();
            }
            _ if keep.contains(&name) => {
                writeln!(out, "{name} = {}", quote(&scalar(value, &key_path)?)).ok();
            }
            "signature" => im.drop(
                key,
                &key_path,
                "packages are signed with host-held keys: add [signing.keys] (Ed25519 for rpm, P-256 for apk) and a builtin:package-sign stage",
            ),
            _ => im.drop(key, &key_path, "builtin:package has no such setting"),
        }
    }
    Ok(out)
}

/// `contents` → `contents = [...]`, entry by entry; ones xhost cannot make are dropped.
fn contents(node: &Node, path: &str, im: &mut Importer) -> Result<String, ImportError> {
    let mut entries = Vec::new();
    for item in list(node, path)?.iter() {
        let m = mapping(item, "a contents entry")?;
        let get = |k: &str| {
            m.get_node(k)
                .map(|v| scalar(v, &format!("{path}[].{k}")))
                .transpose()
        };
        let kind = get("type")?.unwrap_or_default();
        let drop = |im: &mut Importer, reason: &str| {
            im.dropped.push(Dropped {
                line: line_of(item),
                key: format!("{path} entry"),
                reason: reason.to_string(),
            })
        };
        if m.get_node("packager").is_some() {
            drop(
                im,
                "contents for one format only are not made; builtin:package puts every entry in every format",
            );
            continue;
        }
        let fine_kind = matches!(
            kind.as_str(),
            "" | "config" | "config|noreplace" | "doc" | "dir" | "symlink"
        );
        if !fine_kind {
            drop(
                im,
                "builtin:package makes files, config files, docs, directories and symlinks",
            );
            continue;
        }
        let Some(dst) = get("dst")? else {
            return Err(err(item, "a contents entry needs dst"));
        };
        let src = get("src")?;
        if kind != "symlink"
            && let Some(src) = &src
            && (src.contains(['*', '?', '[']) || src.starts_with('/') || src.contains(".."))
        {
            drop(
                im,
                "builtin:package copies one file of the project per entry (no globs, nothing outside it)",
            );
            continue;
        }
        let mut fields = Vec::new();
        if let Some(src) = &src {
            fields.push(format!("src = {}", quote(src)));
        }
        fields.push(format!("dst = {}", quote(&dst)));
        if !kind.is_empty() {
            fields.push(format!("type = {}", quote(&kind)));
        }
        if let Some(info) = m.get_node("file_info") {
            let info = mapping(info, "file_info")?;
            for (k, v) in info.iter() {
                let value = scalar(v, &format!("{path}[].file_info.{}", k.as_str()))?;
                match k.as_str() {
                    "mode" => fields.push(format!("mode = {}", quote(&octal(&value)))),
                    "owner" | "group" => fields.push(format!("{} = {}", k.as_str(), quote(&value))),
                    _ => im.drop(
                        k,
                        &format!("{path}[].file_info.{}", k.as_str()),
                        "files carry the commit's time",
                    ),
                }
            }
        }
        entries.push(format!("  {{ {} }},", fields.join(", ")));
    }
    Ok(format!("contents = [\n{}\n]\n", entries.join("\n")))
}

/// A YAML mode (`0644`, or `420` when read as a decimal number) in octal digits.
fn octal(value: &str) -> String {
    match value.strip_prefix("0o").or_else(|| value.strip_prefix('0')) {
        Some(digits) if !digits.is_empty() => format!("0{digits}"),
        _ => value
            .parse::<u32>()
            .map_or_else(|_| value.to_string(), |n| format!("0{n:o}")),
    }
}

/// `scripts` → `scripts = { ... }`.
fn scripts(node: &Node, path: &str, im: &mut Importer) -> Result<String, ImportError> {
    let mut fields = Vec::new();
    for (key, value) in mapping(node, path)?.iter() {
        let name = key.as_str();
        match name {
            "preinstall" | "postinstall" | "preremove" | "postremove" => {
                fields.push(format!(
                    "{name} = {}",
                    quote(&scalar(value, &format!("{path}.{name}"))?)
                ));
            }
            _ => im.drop(
                key,
                &format!("{path}.{name}"),
                "builtin:package runs preinstall, postinstall, preremove and postremove scripts",
            ),
        }
    }
    Ok(format!("scripts = {{ {} }}\n", fields.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_as_numbers_or_text_are_octal() {
        assert_eq!(octal("0644"), "0644");
        assert_eq!(octal("420"), "0644");
        assert_eq!(octal("0o755"), "0755");
    }
}
