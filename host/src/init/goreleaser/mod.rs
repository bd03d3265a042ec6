//! A GoReleaser config (v1 or v2) → an `xhost.toml` that makes the same release files:
//! builds (targets from goos × goarch × goarm/goamd64 minus `ignore`, env, flags,
//! ldflags, main, binary), archives (name_template — v1 `replacements` folded into it —,
//! format/formats, format_overrides, files, wrap_in_directory), checksum, snapshot,
//! changelog, universal_binaries, sboms, signs and nfpms (Linux packages). Every key that does not carry over is
//! listed with its line, the reason and where to go instead.
//!
//! - `load`: the file as nodes with lines (anchors, aliases, merge keys resolved);
//!   `yaml`: reading nodes; `toml_text`: writing values;
//! - `build`, `archive`, `changelog`, `sign`, `nfpm`: the sections that carry over; the release stages
//!   (universal binaries, checksum) are here.

mod archive;
mod build;
mod changelog;
mod load;
mod nfpm;
mod sign;
mod toml_text;
mod yaml;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};

use super::stage_toml;
use crate::config::{DEFAULT_PIPELINE, FETCH};
use toml_text::{quote, quote_list};
use yaml::{env_list, err, key_line, list, mapping, scalar, truthy};

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
        "`xhost publish` pushes container images to registries ([[publish]]), and the release files as one OCI artifact with `files_tag`; upload them to a GitHub or GitLab release with your CI's release step",
    ),
    (
        "brews",
        "Homebrew formulas are not generated yet; keep the tap updated by a CI step from dist/",
    ),
    ("homebrew_casks", "Homebrew casks are not generated yet"),
    ("scoops", "Scoop manifests are not generated yet"),
    (
        "dockers",
        "images are built from a Dockerfile by docker there; xhost makes them without one: add a `builtin:oci-image` stage (its `files`, `env`, `exposed_ports` take the Dockerfile's COPY, ENV, EXPOSE)",
    ),
    (
        "docker_manifests",
        "`builtin:oci-image` writes one image index over every linux target itself",
    ),
    (
        "kos",
        "add a `builtin:oci-image` stage: like ko, it puts the built binary on a base image without docker",
    ),
    ("announce", "announcements are outside xhost; post from CI"),
    (
        "binary_signs",
        "signing takes host-held keys: add `[signing.keys]` and a `builtin:sign` stage",
    ),
    (
        "docker_signs",
        "add a `builtin:image-sign` stage with a P-256 key from `[signing.keys]`: it signs each image as cosign does (and attests its SBOMs), keyed by the host, not by a cosign command",
    ),
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

impl Importer {
    fn drop(&mut self, key: &MarkedScalarNode, path: &str, reason: &str) {
        self.dropped.push(Dropped {
            line: key_line(key),
            key: path.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Top-level keys not converted, each with where to go instead.
    fn drop_top_level(&mut self, root: &MarkedMappingNode) {
        for (key, _) in root.iter() {
            let name = key.as_str();
            if TOP_LEVEL.contains(&name) {
                continue;
            }
            let reason = ELSEWHERE
                .iter()
                .find(|(k, _)| *k == name)
                .map_or("xhost has no such setting", |(_, reason)| reason);
            self.drop(key, name, reason);
        }
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

/// Converts the GoReleaser file `text` for a project that downloads modules or not;
/// `present` says whether an environment variable is set here (a signing key's).
pub fn convert(
    text: &str,
    downloads: bool,
    present: &dyn Fn(&str) -> bool,
) -> Result<Converted, ImportError> {
    let root = load::parse(text)?;
    let root = root.as_mapping().expect("parse_yaml returns a mapping");
    let v1 = match root.get_node("version") {
        None => true,
        Some(v) => match scalar(v, "version")?.as_str() {
            "1" => true,
            "2" => false,
            other => {
                return Err(err(
                    v,
                    format!("version `{other}`: GoReleaser configs are version 1 or 2"),
                ));
            }
        },
    };
    let mut im = Importer {
        dropped: Vec::new(),
        notes: Vec::new(),
    };
    im.drop_top_level(root);
    let project = project_section(root, &mut im)?;
    let build = build::convert_build(the_build(root)?, &mut im)?;
    let mut out = String::from(
        "# Converted from a GoReleaser config by `xhost init --from-goreleaser`.\n# Every string below is a template in GoReleaser's language.\n\n",
    );
    if !project.is_empty() {
        writeln!(out, "[project]\n{project}").ok();
    }
    writeln!(out, "[build]\nmain = {}", quote(&build.main)).ok();
    let binary = build.binary.as_deref().unwrap_or("{{ .ProjectName }}");
    writeln!(out, "binary = {}", quote(binary)).ok();
    let targets: Vec<String> = build.targets.iter().map(ToString::to_string).collect();
    writeln!(out, "targets = {}", quote_list(&targets)).ok();
    writeln!(out, "ldflags = {}", quote(&build.ldflags)).ok();
    if !build.flags.is_empty() {
        writeln!(out, "flags = {}", quote_list(&build.flags)).ok();
    }
    out.push('\n');
    // Top-level env: values templates see as .Env.NAME.
    if let Some(env) = root.get_node("env") {
        writeln!(out, "[template.set]").ok();
        for (k, v) in env_list(env, "env")? {
            writeln!(out, "{k} = {}", quote(&v)).ok();
        }
        out.push('\n');
    }
    // GoReleaser writes its metadata.json and artifact list on every release.
    out.push_str("[metadata]\ngoreleaser = true\n\n");
    // GoReleaser writes release notes unless told not to; xhost when [changelog] is there.
    match root.get_node("changelog") {
        Some(c) => out.push_str(&changelog::convert_changelog(c, &mut im)?),
        None => out.push_str("[changelog]\n"),
    }
    out.push('\n');
    let signing = match root.get_node("signs") {
        Some(signs) => sign::convert_signs(signs, present, &mut im)?,
        None => None,
    };
    if let Some(signing) = &signing {
        out.push_str(&signing.key);
        out.push('\n');
    }
    out.push_str(&stages(root, &build.env, downloads, v1, &mut im)?);
    if let Some(signing) = &signing {
        out.push('\n');
        out.push_str(&signing.stage);
    }
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

/// The top-level keys converted; every other is listed as dropped.
const TOP_LEVEL: &[&str] = &[
    "version",
    "project_name",
    "builds",
    "archives",
    "checksum",
    "snapshot",
    "changelog",
    "env",
    "universal_binaries",
    "sboms",
    "signs",
    "nfpms",
];

/// `[project]`: the name and the snapshot version.
fn project_section(root: &MarkedMappingNode, im: &mut Importer) -> Result<String, ImportError> {
    let mut project = String::new();
    match root.get_node("project_name") {
        Some(name) => {
            writeln!(project, "name = {}", quote(&scalar(name, "project_name")?)).ok();
        }
        None => im.notes.push("project_name is not set: xhost names the project after go.mod's module path (GoReleaser after the git remote or directory); set [project] name if they differ".into()),
    }
    if let Some(snapshot) = root.get_node("snapshot") {
        let map = mapping(snapshot, "snapshot")?;
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
    Ok(project)
}

/// The one build not skipped; a second is refused.
fn the_build(root: &MarkedMappingNode) -> Result<Option<&MarkedMappingNode>, ImportError> {
    let Some(builds) = root.get_node("builds") else {
        return Ok(None);
    };
    let active: Vec<&Node> = list(builds, "builds")?
        .iter()
        .filter(|b| {
            b.as_mapping()
                .and_then(|m| m.get_scalar("skip"))
                .is_none_or(|s| s.as_str() != "true")
        })
        .collect();
    if let Some(second) = active.get(1) {
        return Err(err(
            second,
            "a second build: xhost builds one main package per project; import each binary's build as its own project (or keep one build here)",
        ));
    }
    active.first().map(|b| mapping(b, "a build")).transpose()
}

/// The `[[stage]]` tables: the module fetch when needed, compile, universal binaries
/// and SBOMs when configured, archive, checksum.
fn stages(
    root: &MarkedMappingNode,
    compile_env: &BTreeMap<String, String>,
    downloads: bool,
    v1: bool,
    im: &mut Importer,
) -> Result<String, ImportError> {
    let stage = |name: &str| {
        DEFAULT_PIPELINE
            .iter()
            .find(|s| s.name == name)
            .expect("a default stage")
    };
    let mut out = String::new();
    if downloads {
        out.push_str(&stage_toml(&FETCH));
        out.push('\n');
    }
    out.push_str(&stage_toml(stage("compile")));
    if !compile_env.is_empty() {
        writeln!(out, "[stage.config.env]").ok();
        for (k, v) in compile_env {
            writeln!(out, "{k} = {}", quote(v)).ok();
        }
    }
    out.push('\n');
    if let Some(u) = root.get_node("universal_binaries") {
        out.push_str(&convert_universal(u, im)?);
    }
    if let Some(s) = root.get_node("sboms")
        && !list(s, "sboms")?.is_empty()
    {
        im.notes.push("sboms: builtin:sbom writes <binary>.spdx.json and <binary>.cdx.json per target from the binary's build information (not syft's per-archive files)".into());
        out.push_str(&stage_toml(stage("sbom")));
        out.push('\n');
    }
    let archives: Vec<&Node> = match root.get_node("archives") {
        Some(node) => list(node, "archives")?.iter().collect(),
        None => Vec::new(),
    };
    if let Some(second) = archives.get(1) {
        return Err(err(
            second,
            "a second archive: xhost makes one set of archives; keep one entry (several formats go in `formats`)",
        ));
    }
    out.push_str(&archive::convert_archive(
        archives.first().copied(),
        v1,
        im,
    )?);
    if let Some(nfpms) = root.get_node("nfpms") {
        out.push_str(&nfpm::convert_nfpms(nfpms, v1, im)?);
    }
    out.push_str(&convert_checksum(root.get_node("checksum"), im)?);
    Ok(out)
}

/// `checksum` → the checksum stage, with GoReleaser's default name; none when disabled.
fn convert_checksum(checksum: Option<&Node>, im: &mut Importer) -> Result<String, ImportError> {
    let map = checksum.map(|c| mapping(c, "checksum")).transpose()?;
    if let Some(disable) = map.and_then(|m| m.get_node("disable"))
        && truthy(disable, "checksum.disable")?
    {
        return Ok(String::new());
    }
    let mut name = "{{ .ProjectName }}_{{ .Version }}_checksums.txt".to_string();
    let mut algorithm = None;
    for (key, value) in map.into_iter().flat_map(|m| m.iter()) {
        let path = format!("checksum.{}", key.as_str());
        match key.as_str() {
            "name_template" => name = scalar(value, &path)?,
            "algorithm" => {
                let chosen = scalar(value, &path)?;
                if chosen != "sha256" && chosen != "sha512" {
                    return Err(err(
                        value,
                        format!("{path} `{chosen}`: builtin:checksum makes sha256 or sha512"),
                    ));
                }
                algorithm = Some(chosen);
            }
            "disable" => {}
            _ => im.drop(key, &path, "builtin:checksum has no such setting"),
        }
    }
    let mut out = String::from("[[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n");
    writeln!(out, "[stage.config]\nname_template = {}", quote(&name)).ok();
    if let Some(algorithm) = algorithm {
        writeln!(out, "algorithm = {}", quote(&algorithm)).ok();
    }
    Ok(out)
}

fn convert_universal(node: &Node, im: &mut Importer) -> Result<String, ImportError> {
    let items = list(node, "universal_binaries")?;
    let Some(first) = items.iter().next() else {
        return Ok(String::new());
    };
    let map = mapping(first, "a universal binary")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_goreleaser_defaults_and_ignores() {
        let yaml = "version: 2\nbuilds:\n  - goos: [linux, windows, darwin]\n    goarch: [amd64, arm, arm64, '386']\n    goarm: ['6', '7']\n    ignore:\n      - goos: windows\n        goarch: arm\n      - goos: darwin\n        goarch: '386'\n";
        let converted = convert(yaml, false, &|_| false).unwrap();
        assert!(
            converted.toml.contains(r#"targets = ["linux/amd64", "linux/arm/v6", "linux/arm/v7", "linux/arm64", "linux/386", "windows/amd64", "windows/arm64", "windows/386", "darwin/amd64", "darwin/arm64"]"#),
            "{}",
            converted.toml
        );
    }

    #[test]
    fn every_dropped_key_has_its_line() {
        let yaml = "version: 2\nbefore:\n  hooks: [go mod tidy]\nbuilds:\n  - main: ./cmd/x\n    hooks:\n      post: [echo]\nbrews:\n  - name: x\n";
        let converted = convert(yaml, false, &|_| false).unwrap();
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
        let (name, left) = archive::fold_replacements(
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
    fn cosign_signs_become_a_key_and_a_stage() {
        let yaml = "version: 2\nsigns:\n  - cmd: cosign\n    artifacts: all\n    signature: '${artifact}.sigstore.json'\n    stdin: '{{ .Env.KEY_PW }}'\n    args: [sign-blob, --key, /keys/cosign.key, '--bundle=${signature}', '${artifact}']\n    output: true\n  - cmd: gpg2\n    artifacts: checksum\n  - artifacts: none\n  - cmd: cosign\n    artifacts: checksum\n    args: [sign-blob, '${artifact}']\n";
        let converted = convert(yaml, false, &|_| true).unwrap();
        // The key file is missing here, so the stage is written commented out.
        assert!(
            converted.toml.contains("# [signing.keys.cosign]\n# file = \"/keys/cosign.key\"\n# password_env = \"KEY_PW\"\n"),
            "{}",
            converted.toml
        );
        assert!(
            converted.toml.contains(
                "# kinds = [\"checksum\", \"archive\", \"sbom\"]\n# cosign_outputs = [\"bundle\"]\n"
            ),
            "{}",
            converted.toml
        );
        assert!(
            converted
                .notes
                .iter()
                .any(|n| n.contains("/keys/cosign.key"))
        );
        let dropped: Vec<(usize, &str)> = converted
            .dropped
            .iter()
            .map(|d| (d.line, d.key.as_str()))
            .collect();
        assert_eq!(
            dropped,
            [(8, "signs[0].output"), (9, "signs[1]"), (12, "signs[3]")]
        );
        assert!(converted.dropped[2].reason.contains("one signing stage"));
        let keyless = "version: 2\nsigns:\n  - cmd: cosign\n    artifacts: checksum\n    args: [sign-blob, '${artifact}']\n";
        let converted = convert(keyless, false, &|_| true).unwrap();
        assert!(converted.dropped[0].reason.contains("keyless"));
        let env_key = "version: 2\nsigns:\n  - cmd: /usr/bin/cosign\n    artifacts: checksum\n    args: ['--key=env://SIGNING_KEY']\n";
        let converted = convert(env_key, false, &|_| true).unwrap();
        assert!(
            converted.toml.contains("\n[signing.keys.cosign]\nenv = \"SIGNING_KEY\"\npassword_env = \"COSIGN_PASSWORD\"\n"),
            "{}",
            converted.toml
        );
        assert!(converted.toml.contains("\n[[stage]]\nname = \"sign\"\nplugin = \"builtin:sign\"\ngrants = { signing = [\"cosign\"] }\n"));
        let in_project = "version: 2\nsigns:\n  - cmd: cosign\n    artifacts: checksum\n    args: ['--key=cosign.key']\n";
        let converted = convert(in_project, false, &|_| true).unwrap();
        assert!(!converted.toml.contains("builtin:sign"));
        assert!(converted.dropped[0].reason.contains("inside the project"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = convert("version: 3\n", false, &|_| false).unwrap_err();
        assert_eq!(e.line, 1);
        let e = convert(
            "version: 2\nbuilds:\n  - id: a\n  - id: b\n",
            false,
            &|_| false,
        )
        .unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("a second build"));
    }
}
