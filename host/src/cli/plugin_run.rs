//! `xhost plugin run`: one invocation of a plugin, in exactly the sandbox a build gives
//! it, on input files from the command line. The plugin author's test bench.
//!
//! It builds a one-stage plan for the plugin and seeds the pipeline with the inputs,
//! so nothing here is a second implementation of the sandbox.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::RunArgs;
use crate::artifacts::{Kind, Record, Store, dist, manifest};
use crate::config::{
    Build, Config, Grants, KeySource, Limits, PluginRef, Project, StageConfig, canonical_json,
};
use crate::digest::sha256_hex;
use crate::pipeline::Pipeline;
use crate::report::sanitize::shown_name;
use crate::runtime::Runtime;
use crate::target::Target;
use crate::{build_state, paths, plan, report};

/// The stage name the plugin runs under.
const STAGE: &str = "plugin";

pub(super) fn run(args: RunArgs, verbosity: u8) -> Result<()> {
    let plugin = plugin_ref(&args.file)?;
    let config = single_stage_config(&args, plugin)?;
    dist::check_replaceable(&args.out)?;
    // Authors want to see what their plugin logs.
    let reporter = report::for_stderr(verbosity.max(1));
    let cache = paths::cache_dir()?;
    let runtime = Runtime::cached(&cache)?;
    let plan = plan::plan(config, &runtime, reporter.clone())?;
    let unsandboxed =
        super::tool_sandbox::settle(&plan, &cache, args.tool_sandbox.allow_unsandboxed_tools)?;
    let release = plan.stages[0].info.release_scope;
    if !release && args.target.is_none() {
        bail!(
            "plugin {} runs per target: pass --target OS/ARCH",
            args.file.display()
        );
    }

    let state = build_state::acquire(&cache, &plan.config.root, &args.out)?;
    let (work, store) = (&state.work, &state.store);
    let target = args.target.clone().filter(|_| !release);
    let seed = args
        .inputs
        .iter()
        .map(|input| {
            seed_record(
                input,
                &plan.config.project.name,
                target.as_ref(),
                store,
                work.path(),
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let lanes = match &target {
        Some(t) => vec![Some(t.clone())],
        None => vec![None],
    };
    reporter.build_started(&lanes);
    let release = Pipeline {
        plan: &plan,
        store,
        work: work.path(),
        tool_state: state.tool_state.clone(),
        reporter: reporter.clone(),
        jobs: 1,
        seed,
        // A plugin author runs a plugin to see it run.
        cache: None,
    }
    .run();
    reporter.finish();
    let release = release?;
    let outputs: Vec<Record> = release
        .records
        .into_iter()
        .filter(|r| r.stage == STAGE)
        .collect();

    dist::publish(
        &args.out,
        store,
        &outputs,
        &manifest::render(
            &plan.config.project,
            &outputs,
            unsandboxed,
            None,
            &release.signed,
        ),
        &state.tool_state.join("published.json"),
    )?;
    let mut out = std::io::stdout().lock();
    for record in &outputs {
        writeln!(
            out,
            "{:<10} {:>10}  {}",
            record.kind.name(),
            record.size,
            shown_name(&args.out.join(&record.path).display().to_string())
        )?;
    }
    eprintln!(
        "xhost: the plugin returned {} artifacts, written to {}",
        outputs.len(),
        args.out.display()
    );
    Ok(())
}

fn single_stage_config(args: &RunArgs, plugin: PluginRef) -> Result<Config> {
    let root = match &args.source {
        Some(dir) => dir
            .canonicalize()
            .with_context(|| format!("--source {}", dir.display()))?,
        None => std::env::current_dir()?.canonicalize()?,
    };
    let keys = args
        .keys
        .iter()
        .map(|spec| key_source(spec))
        .collect::<Result<BTreeMap<_, _>>>()?;
    let stage = StageConfig {
        name: STAGE.to_string(),
        plugin,
        grants: Grants {
            exec: args.exec.clone(),
            source: args.source.is_some(),
            signing: keys.keys().cloned().collect(),
            net: false,
        },
        limits: Limits::default(),
        config_json: stage_config(&args.config)?,
        origin: "command line".to_string(),
    };
    Ok(Config {
        root,
        file: None,
        project: Project {
            name: args.project.clone(),
            version: args.version.clone(),
            commit: None,
            source_date_epoch: None,
        },
        build: Build {
            main: ".".to_string(),
            binary: args.project.clone(),
            ldflags: String::new(),
            flags: Vec::new(),
        },
        targets: args.target.iter().cloned().collect(),
        limits: Limits::default(),
        tools: BTreeMap::new(),
        keys,
        provenance_key: None,
        stages: vec![stage],
        settings: Vec::new(),
    })
}

/// `builtin:NAME`, or a component file (pinned to what it is now).
fn plugin_ref(file: &Path) -> Result<PluginRef> {
    if let Some(name) = file.to_str().and_then(|f| f.strip_prefix("builtin:")) {
        if !crate::builtin::exists(name) {
            bail!(
                "there is no built-in plugin `{name}`; built-ins: {}",
                crate::builtin::names().join(", ")
            );
        }
        return Ok(PluginRef::Builtin {
            name: name.to_string(),
            sha256: None,
        });
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    Ok(PluginRef::File {
        path: std::path::absolute(file)?,
        sha256: sha256_hex(&bytes),
        written: file.display().to_string(),
    })
}

/// `--config`: a JSON object, or a TOML inline table.
fn stage_config(text: &str) -> Result<String> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
        // serde_json's map is sorted: this is the canonical form stages receive.
        return Ok(serde_json::Value::Object(map).to_string());
    }
    let wrapped: toml::Table = toml::from_str(&format!("config = {text}")).with_context(|| {
        format!("--config `{text}` is neither a JSON object nor a TOML inline table")
    })?;
    match wrapped.get("config") {
        Some(toml::Value::Table(table)) => Ok(canonical_json(table)),
        _ => bail!("--config `{text}` is not a table"),
    }
}

/// `--key ID=FILE`.
fn key_source(spec: &str) -> Result<(String, KeySource)> {
    let (id, file) = spec
        .split_once('=')
        .with_context(|| format!("--key `{spec}`: expected ID=FILE"))?;
    let source = KeySource {
        id: id.to_string(),
        file: Some(std::path::absolute(file)?),
        env: None,
        password_env: None,
    };
    Ok((id.to_string(), source))
}

/// `--input FILE[=KIND]` → an artifact in the store, placed where a stage of this
/// scope would find it.
fn seed_record(
    spec: &str,
    project: &str,
    target: Option<&Target>,
    store: &Store,
    work: &Path,
) -> Result<Record> {
    let (file, kind) = match spec.rsplit_once('=') {
        Some((file, kind)) => (PathBuf::from(file), parse_kind(kind)?),
        None => (PathBuf::from(spec), Kind::Other),
    };
    let name = file
        .file_name()
        .with_context(|| format!("--input {spec}: not a file name"))?
        .to_string_lossy()
        .into_owned();
    // The store takes ownership of what it ingests: give it a copy.
    let copy = work.join(format!("input-{}", sha256_hex(spec.as_bytes())));
    std::fs::copy(&file, &copy).with_context(|| format!("--input {}", file.display()))?;
    let executable = is_executable(&file);
    let (sha256, size) = store.ingest(&copy)?;
    Ok(Record {
        path: match target {
            Some(t) => format!("{project}_{}/{name}", t.slug()),
            None => name,
        },
        kind,
        target: target.cloned(),
        sha256,
        size,
        executable,
        meta: Vec::new(),
        stage: "input".to_string(),
        plugin: "command line".to_string(),
        plugin_digest: String::new(),
    })
}

fn parse_kind(kind: &str) -> Result<Kind> {
    [
        Kind::Binary,
        Kind::Archive,
        Kind::Checksum,
        Kind::Sbom,
        Kind::Signature,
        Kind::Provenance,
        Kind::Other,
    ]
    .into_iter()
    .find(|k| k.name() == kind)
    .with_context(|| {
        format!("unknown artifact kind `{kind}`; use binary, archive, checksum, sbom, signature, provenance or other")
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}
