//! A GoReleaser config (v1 or v2) → an `xhost.toml` that makes the same release files:
//! builds (targets from goos × goarch × goarm/goamd64 minus `ignore`, env, flags,
//! ldflags, main, binary), archives (name_template — v1 `replacements` folded into it —,
//! format/formats, format_overrides, files, wrap_in_directory), checksum, snapshot,
//! changelog, universal_binaries and sboms. Every key that does not carry over is
//! listed with its line, the reason and where to go instead.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};

use crate::target::Target;

/// A key of the GoReleaser file that is not carried over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub line: usize,
    pub key: String,
    pub reason: String,
}

/// The converted configuration.
#[derive(Debug)]
pub struct Converted {
    pub toml: String,
    pub dropped: Vec<Dropped>,
    /// What was carried over differently than written (and why).
    pub notes: Vec<String>,
}

/// An error in the GoReleaser file, at a line.
#[derive(Debug)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

/// GoReleaser v2's default archive name.
const DEFAULT_ARCHIVE_NAME: &str = "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}{{ with .Arm }}v{{ . }}{{ end }}{{ with .Mips }}_{{ . }}{{ end }}{{ if not (eq .Amd64 \"v1\") }}{{ .Amd64 }}{{ end }}";
/// GoReleaser v1's default archive name.
const V1_ARCHIVE_NAME: &str = "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}{{ if .Arm }}v{{ .Arm }}{{ end }}{{ if .Mips }}_{{ .Mips }}{{ end }}";
/// GoReleaser's default ldflags, stamped by xhost.
const DEFAULT_LDFLAGS: &str = "-s -w -X main.version={{.Version}} -X main.commit={{.Commit}} -X main.date={{.Date}} -X main.builtBy=xhost";

/// Keys with no counterpart, and where users go instead.
const ELSEWHERE: &[(&str, &str)] = &[
    (
        "before",
        "hooks run arbitrary commands outside any sandbox; run them before `xhost build` (a CI step), or write a plugin",
    ),
    (
        "after",
        "hooks run arbitrary commands outside any sandbox; run them after `xhost build`",
    ),
    (
        "release",
        "publishing is `xhost publish` (not yet available); upload dist/ with your CI's release step",
    ),
    (
        "brews",
        "Homebrew formulas are not generated yet; keep the tap updated by a CI step from dist/",
    ),
    ("homebrew_casks", "Homebrew casks are not generated yet"),
    ("scoops", "Scoop manifests are not generated yet"),
    ("nfpms", "Linux packages are not made yet"),
    ("dockers", "container images are not made yet"),
    ("docker_manifests", "container images are not made yet"),
    ("kos", "container images are not made yet"),
    ("announce", "announcements are outside xhost; post from CI"),
    (
        "signs",
        "signing takes host-held keys: add `[signing.keys]` and a `builtin:sign` stage (docs/PLUGINS.md), the key never given to a plugin",
    ),
    (
        "binary_signs",
        "signing takes host-held keys: add `[signing.keys]` and a `builtin:sign` stage",
    ),
    ("docker_signs", "container images are not made yet"),
    ("source", "source archives are not made yet"),
    ("upx", "UPX compression is not available"),
    ("milestones", "milestones are outside xhost"),
    (
        "gomod",
        "module proxying is the `modules` fetch stage, which xhost adds when go.mod needs downloads",
    ),
    (
        "metadata",
        "file metadata (mod_timestamp) is always the commit time: xhost's outputs are reproducible",
    ),
    ("report_sizes", "sizes are in artifacts.json"),
    (
        "git",
        "xhost reads tags itself: the tag at HEAD must be a semantic version",
    ),
    ("dist", "use `xhost build --dist DIR`"),
];

struct Importer {
    dropped: Vec<Dropped>,
    notes: Vec<String>,
}

fn line_of(node: &Node) -> usize {
    node.span().start().map_or(0, |m| m.line())
}

fn key_line(key: &MarkedScalarNode) -> usize {
    key.span().start().map_or(0, |m| m.line())
}

fn err(node: &Node, message: impl Into<String>) -> ImportError {
    ImportError {
        line: line_of(node),
        message: message.into(),
    }
}

fn scalar(node: &Node, key: &str) -> Result<String, ImportError> {
    node.as_scalar()
        .map(|s| s.as_str().to_string())
        .ok_or_else(|| err(node, format!("{key} must be a single value")))
}

/// A string or a list of strings (GoReleaser accepts both for ldflags).
fn strings(node: &Node, key: &str) -> Result<Vec<String>, ImportError> {
    match node {
        Node::Scalar(s) => Ok(vec![s.as_str().to_string()]),
        Node::Sequence(items) => items.iter().map(|i| scalar(i, key)).collect(),
        Node::Mapping(_) => Err(err(node, format!("{key} must be a list of values"))),
    }
}

fn truthy(node: &Node, key: &str) -> Result<bool, ImportError> {
    let text = scalar(node, key)?;
    match text.as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" | "" => Ok(false),
        _ => Err(err(node, format!("{key} must be true or false"))),
    }
}

/// `K=V` entries.
fn env_list(node: &Node, key: &str) -> Result<Vec<(String, String)>, ImportError> {
    strings(node, key)?
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(err(node, format!("{key}: `{entry}` is not NAME=VALUE"))),
        })
        .collect()
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

impl Importer {
    fn drop(&mut self, key: &MarkedScalarNode, path: &str, reason: &str) {
        self.dropped.push(Dropped {
            line: key_line(key),
            key: path.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Keys of `map` not in `known`, listed as dropped with `reason`.
    fn drop_unknown(&mut self, map: &MarkedMappingNode, path: &str, known: &[&str], reason: &str) {
        for (key, _) in map.iter() {
            if !known.contains(&key.as_str()) {
                self.drop(key, &format!("{path}.{}", key.as_str()), reason);
            }
        }
    }
}

/// Converts the GoReleaser file `text` for a project that downloads modules or not.
pub fn convert(text: &str, downloads: bool) -> Result<Converted, ImportError> {
    let root = marked_yaml::parse_yaml(0, text).map_err(|e| {
        let message = e.to_string();
        let line = message
            .split("line ")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        ImportError {
            line,
            message: format!(
                "not YAML xhost can read: {message} (anchors and aliases: expand them)"
            ),
        }
    })?;
    let root_map = root.as_mapping().expect("parse_yaml returns a mapping");
    let mut im = Importer {
        dropped: Vec::new(),
        notes: Vec::new(),
    };
    let version = match root_map.get_node("version") {
        Some(v) => scalar(v, "version")?,
        None => "1".to_string(),
    };
    if version != "1" && version != "2" {
        return Err(err(
            root_map.get_node("version").expect("present"),
            format!("version `{version}`: GoReleaser configs are version 1 or 2"),
        ));
    }
    let v1 = version == "1";
    let mut out = String::new();
    let mut project = String::new();
    let mut build = String::new();
    let mut template = String::new();
    let mut changelog = String::new();
    let mut stages = String::new();

    for (key, value) in root_map.iter() {
        let name = key.as_str();
        match name {
            "version" | "project_name" | "builds" | "archives" | "checksum" | "snapshot"
            | "changelog" | "env" | "universal_binaries" | "sboms" => {}
            _ => match ELSEWHERE.iter().find(|(k, _)| *k == name) {
                Some((_, reason)) => im.drop(key, name, reason),
                None => im.drop(key, name, "xhost has no such setting"),
            },
        }
        let _ = value;
    }

    if let Some(name) = root_map.get_node("project_name") {
        writeln!(project, "name = {}", quote(&scalar(name, "project_name")?)).ok();
    } else {
        im.notes.push("project_name is not set: xhost names the project after go.mod's module path (GoReleaser after the git remote or directory); set [project] name if they differ".into());
    }
    if let Some(snapshot) = root_map.get_node("snapshot") {
        let map = snapshot
            .as_mapping()
            .ok_or_else(|| err(snapshot, "snapshot must be a mapping"))?;
        let key = if map.get_node("version_template").is_some() {
            "version_template"
        } else {
            "name_template"
        };
        if let Some(t) = map.get_node(key) {
            writeln!(project, "snapshot_version = {}", quote(&scalar(t, key)?)).ok();
        }
        im.drop_unknown(
            map,
            "snapshot",
            &["version_template", "name_template"],
            "xhost has no such snapshot setting",
        );
    }

    // Top-level env: values templates see as .Env.NAME.
    let mut env_set = BTreeMap::new();
    if let Some(env) = root_map.get_node("env") {
        for (k, v) in env_list(env, "env")? {
            env_set.insert(k, v);
        }
    }

    // builds
    let builds: Vec<&Node> = match root_map.get_node("builds") {
        Some(Node::Sequence(items)) => items.iter().collect(),
        Some(other) => return Err(err(other, "builds must be a list")),
        None => Vec::new(),
    };
    let active: Vec<&Node> = builds
        .iter()
        .copied()
        .filter(|b| {
            b.as_mapping()
                .and_then(|m| m.get_node("skip"))
                .and_then(|s| s.as_scalar())
                .is_none_or(|s| s.as_str() != "true")
        })
        .collect();
    if active.len() > 1 {
        return Err(err(
            active[1],
            "a second build: xhost builds one main package per project; import each binary's build as its own project (or keep one build here)",
        ));
    }
    let build_map = match active.first() {
        Some(b) => Some(
            b.as_mapping()
                .ok_or_else(|| err(b, "a build must be a mapping"))?,
        ),
        None => None,
    };
    let mut compile_env: BTreeMap<String, String> = BTreeMap::new();
    let mut binary = None;
    let targets = match build_map {
        Some(b) => build_targets(b, &mut im)?,
        None => default_targets(&BTreeMap::new(), &[]),
    };
    let mut ldflags = DEFAULT_LDFLAGS.to_string();
    let mut flags: Vec<String> = Vec::new();
    let mut main = ".".to_string();
    if let Some(b) = build_map {
        for (key, value) in b.iter() {
            let path = format!("builds[0].{}", key.as_str());
            match key.as_str() {
                "id" | "goos" | "goarch" | "goarm" | "goamd64" | "goarm64" | "ignore" | "targets" | "skip" => {}
                "main" => main = scalar(value, &path)?,
                "dir" => {
                    let dir = scalar(value, &path)?;
                    if dir != "." && !dir.is_empty() {
                        im.drop(key, &path, "builds run from the project root; point main at the package instead (./DIR/…)");
                    }
                }
                "binary" => binary = Some(scalar(value, &path)?),
                "ldflags" => ldflags = strings(value, &path)?.join(" "),
                "flags" => flags.extend(strings(value, &path)?),
                "tags" => {
                    let tags = strings(value, &path)?;
                    flags.push(format!("-tags={}", tags.join(",")));
                }
                "env" => {
                    for (k, v) in env_list(value, &path)? {
                        match (k.as_str(), v.as_str()) {
                            ("CGO_ENABLED", "0") => im.notes.push(format!("{path}: CGO_ENABLED=0 is how go-build always builds")),
                            ("CGO_ENABLED", _) => im.drop(key, &format!("{path} CGO_ENABLED={v}"), "cgo builds are not supported yet: go-build builds with CGO_ENABLED=0"),
                            ("GO111MODULE", _) => im.notes.push(format!("{path}: GO111MODULE is not needed (modules are Go's only mode)")),
                            _ => {
                                compile_env.insert(k, v);
                            }
                        }
                    }
                }
                "mod_timestamp" => im.notes.push(format!("{path}: not needed, xhost's outputs always carry the commit time")),
                "hooks" => im.drop(key, &path, "hooks run arbitrary commands outside any sandbox; do that work in a plugin stage, or in CI before `xhost build`"),
                "builder" => {
                    if scalar(value, &path)? != "go" {
                        im.drop(key, &path, "only Go builds are imported");
                    }
                }
                "gobinary" => im.drop(key, &path, "name the Go to use in [tools] go = \"PATH\""),
                "no_unique_dist_dir" => im.drop(key, &path, "xhost places each target's binary in its own directory of dist/"),
                _ => im.drop(key, &path, "go-build has no such setting"),
            }
        }
    }
    // GoReleaser's main is a package or a file; go-build builds packages.
    let main = if main.ends_with(".go") {
        let dir = main.rsplit_once('/').map_or(".", |(d, _)| d);
        im.notes.push(format!(
            "builds[0].main `{main}` is a file: go-build builds its package `{dir}`"
        ));
        dir.to_string()
    } else {
        main
    };
    let main = if main == "." || main.starts_with("./") || main.starts_with('/') {
        main
    } else {
        format!("./{main}")
    };
    writeln!(build, "main = {}", quote(&main)).ok();
    writeln!(
        build,
        "binary = {}",
        quote(binary.as_deref().unwrap_or("{{ .ProjectName }}"))
    )
    .ok();
    let target_names: Vec<String> = targets.iter().map(ToString::to_string).collect();
    writeln!(build, "targets = {}", quote_list(&target_names)).ok();
    writeln!(build, "ldflags = {}", quote(&ldflags)).ok();
    if !flags.is_empty() {
        writeln!(build, "flags = {}", quote_list(&flags)).ok();
    }
    if !env_set.is_empty() {
        writeln!(template, "[template.set]").ok();
        for (k, v) in &env_set {
            writeln!(template, "{k} = {}", quote(v)).ok();
        }
    }

    // GoReleaser writes release notes unless told not to; xhost when [changelog] is there.
    match root_map.get_node("changelog") {
        Some(c) => changelog = convert_changelog(c, &mut im)?,
        None => changelog.push_str("[changelog]\n"),
    }

    // stages
    if downloads {
        stages.push_str("[[stage]]\nname = \"modules\"\nplugin = \"builtin:go-mod\"\ngrants = { exec = [\"go\"], source = true, net = [\"proxy.golang.org\", \"sum.golang.org\"] }\n\n");
    }
    stages.push_str("[[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = { exec = [\"go\"], source = true }\n");
    if !compile_env.is_empty() {
        writeln!(stages, "[stage.config.env]").ok();
        for (k, v) in &compile_env {
            writeln!(stages, "{k} = {}", quote(v)).ok();
        }
    }
    stages.push('\n');
    if let Some(u) = root_map.get_node("universal_binaries") {
        stages.push_str(&convert_universal(u, &mut im)?);
    }
    if let Some(s) = root_map.get_node("sboms") {
        let items = s
            .as_sequence()
            .ok_or_else(|| err(s, "sboms must be a list"))?;
        if !items.is_empty() {
            im.notes.push("sboms: builtin:sbom writes <binary>.spdx.json and <binary>.cdx.json per target from the binary's build information (not syft's per-archive files)".into());
            stages.push_str("[[stage]]\nname = \"sbom\"\nplugin = \"builtin:sbom\"\ngrants = { source = true }\n\n");
        }
    }
    let archives: Vec<&Node> = match root_map.get_node("archives") {
        Some(Node::Sequence(items)) => items.iter().collect(),
        Some(other) => return Err(err(other, "archives must be a list")),
        None => Vec::new(),
    };
    if archives.len() > 1 {
        return Err(err(
            archives[1],
            "a second archive: xhost makes one set of archives; keep one entry (several formats go in `formats`)",
        ));
    }
    stages.push_str(&convert_archive(archives.first().copied(), v1, &mut im)?);
    let checksum = root_map.get_node("checksum");
    let disabled = checksum
        .and_then(|c| c.as_mapping())
        .and_then(|m| m.get_node("disable"))
        .map(|d| truthy(d, "checksum.disable"))
        .transpose()?
        .unwrap_or(false);
    if !disabled {
        stages.push_str("[[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n");
        let mut config = String::new();
        let mut name = "{{ .ProjectName }}_{{ .Version }}_checksums.txt".to_string();
        if let Some(map) = checksum.and_then(|c| c.as_mapping()) {
            for (key, value) in map.iter() {
                let path = format!("checksum.{}", key.as_str());
                match key.as_str() {
                    "name_template" => name = scalar(value, &path)?,
                    "algorithm" => {
                        let algorithm = scalar(value, &path)?;
                        if algorithm != "sha256" && algorithm != "sha512" {
                            return Err(err(
                                value,
                                format!(
                                    "{path} `{algorithm}`: builtin:checksum makes sha256 or sha512"
                                ),
                            ));
                        }
                        writeln!(config, "algorithm = {}", quote(&algorithm)).ok();
                    }
                    "disable" => {}
                    _ => im.drop(key, &path, "builtin:checksum has no such setting"),
                }
            }
        }
        writeln!(stages, "[stage.config]\nname_template = {}", quote(&name)).ok();
        stages.push_str(&config);
    }

    writeln!(
        out,
        "# Converted from a GoReleaser config by `xhost init --from-goreleaser`."
    )
    .ok();
    writeln!(
        out,
        "# Every string below is a template in GoReleaser's language.\n"
    )
    .ok();
    if !project.is_empty() {
        writeln!(out, "[project]\n{project}").ok();
    }
    writeln!(out, "[build]\n{build}").ok();
    if !template.is_empty() {
        writeln!(out, "{template}").ok();
    }
    if !changelog.is_empty() {
        writeln!(out, "{changelog}").ok();
    }
    out.push_str(&stages);
    if !im.dropped.is_empty() {
        writeln!(out, "\n# Not carried over from the GoReleaser config:").ok();
        for d in &im.dropped {
            writeln!(out, "#   line {}: {} — {}", d.line, d.key, d.reason).ok();
        }
    }
    Ok(Converted {
        toml: out,
        dropped: im.dropped,
        notes: im.notes,
    })
}

/// A build's targets: `targets` as listed, else goos × goarch × the variant lists,
/// minus `ignore`; combinations Go cannot build without cgo are skipped, as GoReleaser
/// skips them.
fn build_targets(b: &MarkedMappingNode, im: &mut Importer) -> Result<Vec<Target>, ImportError> {
    if let Some(list) = b.get_node("targets") {
        let mut targets = Vec::new();
        for name in strings(list, "builds[0].targets")? {
            let mut parts = name.split('_');
            let (os, arch) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let variant = parts.next();
            let spelled = match (arch, variant) {
                ("arm", Some(v)) => format!("{os}/{arch}/v{v}"),
                ("amd64", Some("v1"))
                | ("arm64", Some("v8.0"))
                | ("386", Some("sse2"))
                | (_, None) => format!("{os}/{arch}"),
                (_, Some(v)) => format!("{os}/{arch}/{}", v.trim_end_matches(".0")),
            };
            let target = spelled
                .parse()
                .map_err(|e: String| err(list, format!("builds[0].targets `{name}`: {e}")))?;
            targets.push(target);
        }
        return Ok(targets);
    }
    let mut lists: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for key in ["goos", "goarch", "goarm", "goamd64"] {
        if let Some(node) = b.get_node(key) {
            lists.insert(key, strings(node, &format!("builds[0].{key}"))?);
        }
    }
    if let Some(node) = b.get_node("goarm64") {
        let values = strings(node, "builds[0].goarm64")?;
        if values != ["v8.0"] {
            im.notes
                .push("builds[0].goarm64: only the default v8.0 is imported".into());
        }
    }
    let mut ignore = Vec::new();
    if let Some(node) = b.get_node("ignore") {
        let items = node
            .as_sequence()
            .ok_or_else(|| err(node, "builds[0].ignore must be a list"))?;
        for item in items.iter() {
            let map = item
                .as_mapping()
                .ok_or_else(|| err(item, "an ignore entry must be a mapping"))?;
            let get = |k: &str| map.get_scalar(k).map(|s| s.as_str().to_string());
            ignore.push((get("goos"), get("goarch"), get("goarm").or(get("goamd64"))));
        }
    }
    Ok(default_targets(&lists, &ignore))
}

#[allow(clippy::type_complexity)]
fn default_targets(
    lists: &BTreeMap<&str, Vec<String>>,
    ignore: &[(Option<String>, Option<String>, Option<String>)],
) -> Vec<Target> {
    let list = |key: &str, default: &[&str]| -> Vec<String> {
        lists
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect())
    };
    let mut targets = Vec::new();
    for os in list("goos", &["darwin", "linux", "windows"]) {
        for arch in list("goarch", &["386", "amd64", "arm64"]) {
            let variants: Vec<Option<String>> = match arch.as_str() {
                "arm" => list("goarm", &["6"]).into_iter().map(Some).collect(),
                "amd64" => list("goamd64", &["v1"]).into_iter().map(Some).collect(),
                _ => vec![None],
            };
            for variant in variants {
                let ignored = ignore.iter().any(|(o, a, v)| {
                    o.as_ref().is_none_or(|o| *o == os)
                        && a.as_ref().is_none_or(|a| *a == arch)
                        && v.as_ref().is_none_or(|v| Some(v) == variant.as_ref())
                });
                if ignored {
                    continue;
                }
                let spelled = match (arch.as_str(), variant.as_deref()) {
                    ("arm", Some(v)) => format!("{os}/{arch}/v{v}"),
                    ("amd64", Some("v1")) | (_, None) => format!("{os}/{arch}"),
                    (_, Some(v)) => format!("{os}/{arch}/{v}"),
                };
                // Ports Go lacks or that need cgo are skipped, as GoReleaser does.
                if let Ok(target) = spelled.parse::<Target>()
                    && !targets.contains(&target)
                {
                    targets.push(target);
                }
            }
        }
    }
    targets
}

fn convert_archive(
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
        let map = node
            .as_mapping()
            .ok_or_else(|| err(node, "an archive must be a mapping"))?;
        for (key, value) in map.iter() {
            let path = format!("archives[0].{}", key.as_str());
            match key.as_str() {
                "id" | "builds" | "ids" => {}
                "name_template" => name = scalar(value, &path)?,
                "format" => formats = vec![scalar(value, &path)?],
                "formats" => formats = strings(value, &path)?,
                "format_overrides" => {
                    let items = value
                        .as_sequence()
                        .ok_or_else(|| err(value, format!("{path} must be a list")))?;
                    for item in items.iter() {
                        let m = item
                            .as_mapping()
                            .ok_or_else(|| err(item, "a format override must be a mapping"))?;
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
                    let items = value
                        .as_sequence()
                        .ok_or_else(|| err(value, format!("{path} must be a list")))?;
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
                    let m = value
                        .as_mapping()
                        .ok_or_else(|| err(value, format!("{path} must be a mapping")))?;
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
fn fold_replacements(name: &str, replacements: &[(String, String)]) -> (String, bool) {
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
fn plausible(field: &str, value: &str) -> bool {
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

fn convert_universal(node: &Node, im: &mut Importer) -> Result<String, ImportError> {
    let items = node
        .as_sequence()
        .ok_or_else(|| err(node, "universal_binaries must be a list"))?;
    let Some(first) = items.iter().next() else {
        return Ok(String::new());
    };
    let map = first
        .as_mapping()
        .ok_or_else(|| err(first, "a universal binary must be a mapping"))?;
    let mut out = String::from(
        "[[stage]]\nname = \"universal\"\nplugin = \"builtin:universal\"\n[stage.config]\n",
    );
    for (key, value) in map.iter() {
        let path = format!("universal_binaries[0].{}", key.as_str());
        match key.as_str() {
            "replace" => {
                writeln!(out, "replace = {}", truthy(value, &path)?).ok();
            }
            "name_template" => {
                writeln!(out, "name_template = {}", quote(&scalar(value, &path)?)).ok();
            }
            "id" | "ids" => {}
            _ => im.drop(key, &path, "builtin:universal has no such setting"),
        }
    }
    im.notes.push("universal_binaries: builtin:universal writes <project>_darwin_all/<binary>; the darwin archives still hold the per-architecture binaries".into());
    out.push('\n');
    Ok(out)
}

fn convert_changelog(node: &Node, im: &mut Importer) -> Result<String, ImportError> {
    let map = node
        .as_mapping()
        .ok_or_else(|| err(node, "changelog must be a mapping"))?;
    let mut out = String::from("[changelog]\n");
    let mut groups = String::new();
    for (key, value) in map.iter() {
        let path = format!("changelog.{}", key.as_str());
        match key.as_str() {
            "disable" => {
                writeln!(out, "disable = {}", truthy(value, &path)?).ok();
            }
            "sort" => {
                writeln!(out, "sort = {}", quote(&scalar(value, &path)?)).ok();
            }
            "abbrev" => {
                let n: i64 = scalar(value, &path)?
                    .parse()
                    .map_err(|_| err(value, format!("{path} must be a number")))?;
                writeln!(out, "abbrev = {n}").ok();
            }
            "use" => {
                let source = scalar(value, &path)?;
                if source != "git" {
                    im.drop(
                        key,
                        &path,
                        "release notes come from git; no forge API is called",
                    );
                }
            }
            "filters" => {
                let filters = value
                    .as_mapping()
                    .ok_or_else(|| err(value, format!("{path} must be a mapping")))?;
                for (fkey, fvalue) in filters.iter() {
                    match fkey.as_str() {
                        "exclude" | "include" => {
                            writeln!(
                                out,
                                "filters.{} = {}",
                                fkey.as_str(),
                                toml_patterns(&strings(fvalue, &path)?)
                            )
                            .ok();
                        }
                        _ => im.drop(
                            fkey,
                            &format!("{path}.{}", fkey.as_str()),
                            "xhost has no such filter",
                        ),
                    }
                }
            }
            "groups" => {
                let items = value
                    .as_sequence()
                    .ok_or_else(|| err(value, format!("{path} must be a list")))?;
                for item in items.iter() {
                    let g = item
                        .as_mapping()
                        .ok_or_else(|| err(item, "a changelog group must be a mapping"))?;
                    let title = g
                        .get_node("title")
                        .ok_or_else(|| err(item, "a changelog group needs a title"))?;
                    writeln!(
                        groups,
                        "[[changelog.groups]]\ntitle = {}",
                        quote(&scalar(title, "title")?)
                    )
                    .ok();
                    if let Some(r) = g.get_node("regexp") {
                        writeln!(groups, "regexp = {}", toml_pattern(&scalar(r, "regexp")?)).ok();
                    }
                    if let Some(o) = g.get_node("order") {
                        let order: i64 = scalar(o, "order")?
                            .parse()
                            .map_err(|_| err(o, "order must be a number"))?;
                        writeln!(groups, "order = {order}").ok();
                    }
                    im.drop_unknown(
                        g,
                        &format!("{path}[]"),
                        &["title", "regexp", "order"],
                        "xhost has no such group setting",
                    );
                }
            }
            "format" => im.drop(key, &path, "entries are `* <hash> <subject>`"),
            _ => im.drop(key, &path, "xhost has no such changelog setting"),
        }
    }
    out.push_str(&groups);
    Ok(out)
}

/// A regular expression as a TOML literal string when it can be one (no escaping).
fn toml_pattern(pattern: &str) -> String {
    if !pattern.contains('\'') && !pattern.contains('\n') {
        format!("'{pattern}'")
    } else {
        quote(pattern)
    }
}

fn toml_patterns(patterns: &[String]) -> String {
    let items: Vec<String> = patterns.iter().map(|p| toml_pattern(p)).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_goreleaser_defaults_and_ignores() {
        let yaml = "version: 2\nbuilds:\n  - goos: [linux, windows, darwin]\n    goarch: [amd64, arm, arm64, '386']\n    goarm: ['6', '7']\n    ignore:\n      - goos: windows\n        goarch: arm\n      - goos: darwin\n        goarch: '386'\n";
        let converted = convert(yaml, false).unwrap();
        assert!(
            converted.toml.contains(r#"targets = ["linux/amd64", "linux/arm/v6", "linux/arm/v7", "linux/arm64", "linux/386", "windows/amd64", "windows/arm64", "windows/386", "darwin/amd64", "darwin/arm64"]"#),
            "{}",
            converted.toml
        );
    }

    #[test]
    fn every_dropped_key_has_its_line() {
        let yaml = "version: 2\nbefore:\n  hooks: [go mod tidy]\nbuilds:\n  - main: ./cmd/x\n    hooks:\n      post: [echo]\nbrews:\n  - name: x\n";
        let converted = convert(yaml, false).unwrap();
        let lines: Vec<(usize, &str)> = converted
            .dropped
            .iter()
            .map(|d| (d.line, d.key.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![(2, "before"), (8, "brews"), (6, "builds[0].hooks")]
        );
        assert!(
            converted
                .toml
                .contains("#   line 2: before — hooks run arbitrary commands")
        );
    }

    #[test]
    fn v1_replacements_fold_into_the_name() {
        let (name, left) = fold_replacements(
            "{{ .ProjectName }}_{{ .Os }}_{{ .Arch }}",
            &[
                ("darwin".into(), "Darwin".into()),
                ("amd64".into(), "x86_64".into()),
            ],
        );
        assert!(!left);
        let fields = crate::config::template::Fields {
            project_name: "p".into(),
            ..Default::default()
        };
        let render = |t: &str| {
            crate::config::template::render(&name, &fields, Some(&t.parse().unwrap())).unwrap()
        };
        assert_eq!(render("darwin/amd64"), "p_Darwin_x86_64");
        assert_eq!(render("linux/arm64"), "p_linux_arm64");
    }

    #[test]
    fn errors_name_the_line() {
        let e = convert("version: 3\n", false).unwrap_err();
        assert_eq!(e.line, 1);
        let e = convert("version: 2\nbuilds:\n  - id: a\n  - id: b\n", false).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("a second build"));
    }
}
