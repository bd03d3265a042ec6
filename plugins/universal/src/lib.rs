//! `builtin:universal`: merges each darwin/amd64 and darwin/arm64 binary into one
//! universal (fat) Mach-O, as GoReleaser's `universal_binaries` do, at
//! `<project>_darwin_all/<name>`. The work is done by `xhost-universal`, in the sandbox:
//! no native `lipo`.
//!
//! Binaries are paired by file name. With `replace = true` the universal binary
//! supersedes the binaries it was made from (metadata `supersedes`, which the host acts
//! on): they are left out of the release. Run it after `builtin:strip`, which passes
//! Go's already-stripped Mach-O but refuses a universal one.

use std::collections::BTreeMap;

use serde::Deserialize;
use xhost_plugin_sdk::files::{input_rel, out_path, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};
use xhost_universal::{Arch, Slice};

/// The architectures a universal binary holds, in the order lipo writes them.
const ARCHS: [Arch; 2] = [Arch::X86_64, Arch::Arm64];

/// The output metadata key the host reads: the targets whose consumed artifacts of the
/// output's kind it stands in for, space-separated; the host leaves those out of the
/// release.
const SUPERSEDES: &str = "supersedes";

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Publish only the universal binary: the darwin/amd64 and darwin/arm64 binaries it
    /// is made of are left out of the release.
    replace: bool,
    /// The universal binary's file name (`{{ }}` templates are rendered by the host).
    /// Default: the name of the binaries it is made of.
    name_template: Option<String>,
}

struct Universal;

impl Stage for Universal {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "universal",
            env!("CARGO_PKG_VERSION"),
            "Merges darwin/amd64 and darwin/arm64 binaries into one universal (fat) Mach-O",
        )
        .consuming([ArtifactKind::Binary])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let name_template = config.name_template.as_deref().map(file_name).transpose()?;
        let groups = darwin_binaries(&job);
        if groups.is_empty() {
            return Err(missing(&job, &ARCHS, None));
        }
        if let Some(name) = name_template
            && groups.len() > 1
        {
            let names: Vec<&str> = groups.keys().copied().collect();
            return Err(StageError::invalid_config(format!(
                "name_template names every universal binary `{name}`, but there are {} to make ({}); leave it out so each keeps its binaries' name",
                names.len(),
                names.join(", ")
            )));
        }
        let dir = format!("{}_darwin_all", job.project.name);
        let mut outputs = Vec::new();
        for (name, by_arch) in &groups {
            let absent: Vec<Arch> = ARCHS
                .into_iter()
                .zip(by_arch)
                .filter(|(_, inputs)| inputs.is_empty())
                .map(|(arch, _)| arch)
                .collect();
            if !absent.is_empty() {
                return Err(missing(&job, &absent, Some(name)));
            }
            let inputs = [one(name, &by_arch[0])?, one(name, &by_arch[1])?];
            let data = [read(&inputs[0].path)?, read(&inputs[1].path)?];
            let slices = [
                slice(inputs[0], &data[0], ARCHS[0])?,
                slice(inputs[1], &data[1], ARCHS[1])?,
            ];
            let fat = xhost_universal::merge(&slices)
                .map_err(|e| StageError::unsupported(e.to_string()))?;
            let rel = format!("{dir}/{}", name_template.unwrap_or(name));
            std::fs::create_dir_all(out_path(&dir))
                .map_err(|e| StageError::failed(format!("creating /out/{dir}: {e}")))?;
            write(out_path(&rel), &fat)?;
            info!(
                "{rel}: universal binary of {} ({} bytes) and {} ({} bytes), {} bytes",
                input_rel(&inputs[0].path),
                data[0].len(),
                input_rel(&inputs[1].path),
                data[1].len(),
                fat.len()
            );
            let mut artifact = Artifact::output(&rel, ArtifactKind::Binary, None)
                .with_meta("goos", "darwin")
                .with_meta("goarch", "all")
                .with_meta("replaces", config.replace.to_string());
            if config.replace {
                let targets: Vec<String> = inputs
                    .iter()
                    .filter_map(|input| input.target.as_ref().map(|t| t.name()))
                    .collect();
                artifact = artifact.with_meta(SUPERSEDES, targets.join(" "));
            }
            outputs.push(artifact);
        }
        Ok(outputs)
    }
}

/// The consumed darwin binaries by file name, each with its x86_64 and arm64 builds
/// (in [`ARCHS`] order).
fn darwin_binaries(job: &Job) -> BTreeMap<&str, [Vec<&Artifact>; 2]> {
    let mut groups: BTreeMap<&str, [Vec<&Artifact>; 2]> = BTreeMap::new();
    for input in job.inputs.iter().filter(|a| a.kind == ArtifactKind::Binary) {
        let Some(target) = input.target.as_ref().filter(|t| t.os == "darwin") else {
            continue;
        };
        let Some(index) = ARCHS.iter().position(|arch| arch.goarch() == target.arch) else {
            continue;
        };
        let name = input_rel(&input.path)
            .rsplit('/')
            .next()
            .unwrap_or_default();
        groups.entry(name).or_default()[index].push(input);
    }
    groups
}

/// The one build of `name` for an architecture.
fn one<'a>(name: &str, inputs: &[&'a Artifact]) -> Result<&'a Artifact, StageError> {
    match inputs {
        [input] => Ok(input),
        _ => {
            let targets: Vec<String> = inputs
                .iter()
                .filter_map(|input| input.target.as_ref().map(|t| t.name()))
                .collect();
            Err(StageError::unsupported(format!(
                "`{name}` is built for {} targets ({}); a universal binary holds one slice per architecture: keep one of them in [build] targets",
                targets.len(),
                targets.join(", ")
            )))
        }
    }
}

/// `input`'s bytes as a slice, checked to be the architecture its target says.
fn slice<'a>(input: &'a Artifact, data: &'a [u8], arch: Arch) -> Result<Slice<'a>, StageError> {
    let file = input_rel(&input.path);
    let slice = Slice::read(file, data).map_err(|e| StageError::unsupported(e.to_string()))?;
    if slice.arch() != arch {
        return Err(StageError::unsupported(format!(
            "{file} is a darwin/{} binary, but its Mach-O header says {}",
            arch.goarch(),
            slice.arch()
        )));
    }
    Ok(slice)
}

/// The error for binaries a universal binary needs but the stage was not given, with
/// what to add to `[build] targets`.
fn missing(job: &Job, absent: &[Arch], name: Option<&str>) -> StageError {
    let of = name.map(|n| format!(" of `{n}`")).unwrap_or_default();
    let targets: Vec<String> = absent
        .iter()
        .map(|a| format!("darwin/{}", a.goarch()))
        .collect();
    let (listed, unlisted): (Vec<&String>, Vec<&String>) = targets.iter().partition(|t| {
        job.build
            .targets
            .iter()
            .any(|built| format!("{}/{}", built.os, built.arch) == **t)
    });
    let mut message = format!(
        "a universal binary{of} is made of a darwin/amd64 and a darwin/arm64 binary, and this build has no {} binary{of}",
        targets.join(" or ")
    );
    if !unlisted.is_empty() {
        let quoted: Vec<String> = unlisted.iter().map(|t| format!("\"{t}\"")).collect();
        message.push_str(&format!(
            ": add {} to [build] targets",
            quoted.join(" and ")
        ));
    }
    if !listed.is_empty() {
        let listed: Vec<&str> = listed.iter().map(|t| t.as_str()).collect();
        message.push_str(&format!(
            "{} [build] targets has {}, but no stage before this one made a binary of that name for it (binaries are paired by file name)",
            if unlisted.is_empty() { ":" } else { ";" },
            listed.join(" and ")
        ));
    }
    StageError::unsupported(message)
}

/// `name_template`, checked to be a plain file name.
fn file_name(name: &str) -> Result<&str, StageError> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
        return Err(StageError::invalid_config(format!(
            "name_template `{name}` is not a file name; the universal binary goes in <project>_darwin_all/ under the name given"
        )));
    }
    Ok(name)
}

xhost_plugin_sdk::export_plugin!(Universal);
