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
use crate::artifacts::Kind;
use crate::config::{
    Build, Config, Grants, KeySource, Limits, PluginRef, Project, StageConfig, canonical_json,
};
use crate::digest::sha256_hex;
use crate::report::sanitize::shown_name;
use crate::session::{ActionCacheUse, Request, Scope, Seed, Session};

/// The stage name the plugin runs under.
const STAGE: &str = "plugin";

pub(super) fn run(args: RunArgs, verbosity: u8) -> Result<()> {
    let plugin = plugin_ref(&args.file)?;
    let config = single_stage_config(&args, plugin)?;
    let seed = args
        .inputs
        .iter()
        .map(|spec| seed(spec))
        .collect::<Result<Vec<_>>>()?;
    // Authors want to see what their plugin logs.
    let session = Session::open(verbosity.max(1))?;
    let request = Request {
        remote_cache: None,
        remote_exec: None,
        scope: Scope::Whole,
        dist: args.out.clone(),
        jobs: 1,
        action_cache: ActionCacheUse::Off,
        allow_unsandboxed_tools: args.tool_sandbox.allow_unsandboxed_tools,
        seed,
        seed_target: args.target.clone(),
        publish_only: Some(STAGE.to_string()),
        source_digest: None,
    };
    let prepared = session.prepare(config, request)?;
    if prepared.plan.per_target().next().is_some() && args.target.is_none() {
        bail!(
            "plugin {} runs per target: pass --target OS/ARCH",
            args.file.display()
        );
    }
    let built = session.run(&prepared)?;
    let outputs = session.publish(&prepared, built)?;
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
    let config_json = stage_config(&args.config)?;
    let stage = StageConfig {
        name: STAGE.to_string(),
        plugin,
        grants: Grants::default()
            .with_names("exec", args.exec.iter().cloned())
            .with_flag("source", args.source.is_some())
            .with_names("signing", keys.keys().cloned()),
        limits: Limits::default(),
        rendered: crate::config::Rendered::plain(&config_json),
        config_json,
        origin: "command line".to_string(),
    };
    Ok(Config {
        root,
        file: None,
        project: Project {
            name: args.project.clone(),
            version: args.version.clone(),
            commit: None,
            commit_time: None,
            source_date_epoch: None,
            tag: None,
            previous_tag: None,
            snapshot: false,
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
        provenance_line: None,
        ci: Default::default(),
        stages: vec![stage],
        templates: crate::config::template::Fields {
            project_name: args.project.clone(),
            version: args.version.clone(),
            binary: args.project.clone(),
            ..Default::default()
        },
        release_notes: None,
        goreleaser_metadata: false,
        publish: Vec::new(),
        remote_cache: Default::default(),
        settings: Vec::new(),
        text: None,
        resolved_with: Default::default(),
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

/// `--input FILE[=KIND]`.
fn seed(spec: &str) -> Result<Seed> {
    let (file, kind) = match spec.rsplit_once('=') {
        Some((file, kind)) => (PathBuf::from(file), parse_kind(kind)?),
        None => (PathBuf::from(spec), Kind::Other),
    };
    Ok(Seed { file, kind })
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
