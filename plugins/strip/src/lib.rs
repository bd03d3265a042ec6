//! `builtin:strip`: removes symbol tables and debug information from each target's
//! binaries (ELF, PE, Mach-O executables, Plan 9 a.out, wasm; XCOFF only when already
//! stripped), replacing them in the release. A Mach-O executable the linker signed ad
//! hoc (arm64 macOS runs nothing unsigned) is signed again the same way; one signed
//! with `codesign` is refused rather than re-signed. The work is done by `xhost-strip`,
//! in the sandbox: no native `strip` or `codesign`.

use serde::Deserialize;
use xhost_plugin_sdk::files::{input_rel, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};
use xhost_strip::{Format, Options, Outcome};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Keep debug information; remove only symbol tables.
    keep_debug: bool,
    /// Formats to touch (`elf`, `pe`, `macho`, `wasm`, `xcoff`, `plan9`); others pass
    /// through. Default: all.
    formats: Option<Vec<String>>,
}

struct Strip;

impl Stage for Strip {
    fn describe() -> PluginInfo {
        PluginInfo::per_target(
            "strip",
            env!("CARGO_PKG_VERSION"),
            "Removes symbol tables and debug information from binaries (ELF, PE, Mach-O, Plan 9, wasm), re-signing Mach-O ad hoc",
        )
        .consuming([ArtifactKind::Binary])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let options = options(xhost_plugin_sdk::config(&job)?)?;
        let mut outputs = Vec::new();
        for input in &job.inputs {
            let name = input_rel(&input.path)
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            let data = read(&input.path)?;
            let outcome = xhost_strip::strip(&data, &options).map_err(|e| match e {
                xhost_strip::Error::Unsupported(m) => {
                    StageError::unsupported(format!("{name}: {m}"))
                }
                xhost_strip::Error::Malformed(m) => {
                    StageError::failed(format!("{name} is damaged: {m}"))
                }
            })?;
            match outcome {
                Outcome::Stripped { bytes, removed } => {
                    info!(
                        "{name}: {} → {} bytes, removed {}",
                        data.len(),
                        bytes.len(),
                        removed.join(", ")
                    );
                    write(format!("/out/{name}"), &bytes)?;
                    let mut artifact =
                        Artifact::output(&name, ArtifactKind::Binary, input.target.clone());
                    artifact.meta = input.meta.clone();
                    outputs.push(artifact.with_meta("stripped", "true"));
                }
                Outcome::AlreadyStripped => info!("{name}: already stripped"),
                Outcome::NotSelected(format) => info!(
                    "{name}: {} is not among the formats to strip",
                    format.name()
                ),
            }
        }
        Ok(outputs)
    }
}

fn options(config: Config) -> Result<Options, StageError> {
    let formats = match config.formats {
        None => Format::ALL.to_vec(),
        Some(names) => names
            .iter()
            .map(|n| {
                Format::from_name(n).ok_or_else(|| {
                    StageError::invalid_config(format!(
                        "formats: unknown format `{n}`; use elf, pe, macho, wasm, xcoff or plan9"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(Options {
        keep_debug: config.keep_debug,
        formats,
    })
}

xhost_plugin_sdk::export_plugin!(Strip);
