//! GoReleaser's one build → `[build]` (main, binary, targets, ldflags, flags) and the
//! compile stage's `env`; targets expanded as GoReleaser expands them.

use std::collections::BTreeMap;

use marked_yaml::types::MarkedMappingNode;

use super::ImportError;
use super::Importer;
use super::yaml::{env_list, err, list, mapping, scalar, strings};
use crate::target::Target;

/// GoReleaser's default ldflags, stamped by xhost.
const DEFAULT_LDFLAGS: &str = "-s -w -X main.version={{.Version}} -X main.commit={{.Commit}} -X main.date={{.Date}} -X main.builtBy=xhost";

/// A build's targets: `targets` as listed, else goos × goarch × the variant lists,
/// minus `ignore`; combinations Go cannot build without cgo are skipped, as GoReleaser
/// skips them.
pub(super) fn build_targets(
    b: &MarkedMappingNode,
    im: &mut Importer,
) -> Result<Vec<Target>, ImportError> {
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
        let items = list(node, "builds[0].ignore")?;
        for item in items.iter() {
            let map = mapping(item, "an ignore entry")?;
            let get = |k: &str| map.get_scalar(k).map(|s| s.as_str().to_string());
            ignore.push((get("goos"), get("goarch"), get("goarm").or(get("goamd64"))));
        }
    }
    Ok(default_targets(&lists, &ignore))
}

#[allow(clippy::type_complexity)]
pub(super) fn default_targets(
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

/// What the build carries over.
pub(super) struct Build {
    pub main: String,
    pub binary: Option<String>,
    pub targets: Vec<Target>,
    pub ldflags: String,
    pub flags: Vec<String>,
    /// Variables for go-build's `env`.
    pub env: BTreeMap<String, String>,
}

/// The one build GoReleaser would run (none: its defaults).
pub(super) fn convert_build(
    b: Option<&MarkedMappingNode>,
    im: &mut Importer,
) -> Result<Build, ImportError> {
    let mut build = Build {
        main: ".".to_string(),
        binary: None,
        targets: match b {
            Some(b) => build_targets(b, im)?,
            None => default_targets(&BTreeMap::new(), &[]),
        },
        ldflags: DEFAULT_LDFLAGS.to_string(),
        flags: Vec::new(),
        env: BTreeMap::new(),
    };
    // GoReleaser runs `go build` in `dir`, with `main` relative to it.
    let mut dir = String::new();
    for (key, value) in b.into_iter().flat_map(|b| b.iter()) {
        let path = format!("builds[0].{}", key.as_str());
        match key.as_str() {
            "id" | "goos" | "goarch" | "goarm" | "goamd64" | "goarm64" | "ignore" | "targets"
            | "skip" => {}
            "main" => build.main = scalar(value, &path)?,
            "dir" => dir = scalar(value, &path)?,
            "binary" => build.binary = Some(scalar(value, &path)?),
            "ldflags" => build.ldflags = strings(value, &path)?.join(" "),
            "flags" => build.flags.extend(strings(value, &path)?),
            "tags" => {
                let tags = strings(value, &path)?;
                build.flags.push(format!("-tags={}", tags.join(",")));
            }
            "env" => {
                for (k, v) in env_list(value, &path)? {
                    match (k.as_str(), v.as_str()) {
                        ("CGO_ENABLED", "0") => im.notes.push(format!(
                            "{path}: CGO_ENABLED=0 is how go-build always builds"
                        )),
                        ("CGO_ENABLED", _) => im.drop(
                            key,
                            &format!("{path} CGO_ENABLED={v}"),
                            "cgo builds are not supported yet: go-build builds with CGO_ENABLED=0",
                        ),
                        ("GO111MODULE", _) => im.notes.push(format!(
                            "{path}: GO111MODULE is not needed (modules are Go's only mode)"
                        )),
                        _ => {
                            build.env.insert(k, v);
                        }
                    }
                }
            }
            "mod_timestamp" => im.notes.push(format!(
                "{path}: not needed, xhost's outputs always carry the commit time"
            )),
            "hooks" => im.drop(key, &path, "hooks run arbitrary commands outside any sandbox; do that work in a plugin stage, or in CI before `xhost build`"),
            "builder" => {
                if scalar(value, &path)? != "go" {
                    im.drop(key, &path, "only Go builds are imported");
                }
            }
            "gobinary" => im.drop(key, &path, "name the Go to use in [tools] go = \"PATH\""),
            "no_unique_dist_dir" => im.drop(
                key,
                &path,
                "xhost places each target's binary in its own directory of dist/",
            ),
            _ => im.drop(key, &path, "go-build has no such setting"),
        }
    }
    let main = match dir.trim_end_matches('/') {
        "" | "." => build.main.clone(),
        dir => match build.main.trim_start_matches("./") {
            "." | "" => dir.to_string(),
            main => format!("{dir}/{main}"),
        },
    };
    build.main = package_of(&main, im);
    Ok(build)
}

/// GoReleaser's main is a package or a file; go-build builds packages, written `./…`.
fn package_of(main: &str, im: &mut Importer) -> String {
    let main = if main.ends_with(".go") {
        let dir = main.rsplit_once('/').map_or(".", |(d, _)| d);
        im.notes.push(format!(
            "builds[0].main `{main}` is a file: go-build builds its package `{dir}`"
        ));
        dir
    } else {
        main
    };
    if main == "." || main.starts_with("./") || main.starts_with('/') {
        main.to_string()
    } else {
        format!("./{main}")
    }
}
