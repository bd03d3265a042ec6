//! `xhost plugin inspect`: what a component is, what it asks for, and the `[[stage]]`
//! table that pins it.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::InspectArgs;
use crate::cache_layout::CacheLayout;
use crate::digest::sha256_hex;
use crate::plan::{Info, Needs};
use crate::plugin_registry::reference::SCHEME as OCI;
use crate::plugin_registry::{self, OciRef};
use crate::report;
use crate::runtime::contract::{self, Import};
use crate::runtime::plugin::Analysis;
use crate::runtime::{LoadedPlugin, Runtime};

pub(super) fn run(args: InspectArgs, verbosity: u8) -> Result<()> {
    let cache = CacheLayout::locate()?;
    let (bytes, reference) = match args.file.to_str().filter(|f| f.starts_with(OCI)) {
        // Fetched (and kept in the cache) by digest; a tag is looked up first, so this
        // prints the reference to pin.
        Some(text) => {
            let reference = plugin_registry::resolve(&OciRef::parse(text)?)?;
            let fetched = plugin_registry::component(&cache, &reference, &[])?;
            (fetched.component, Some(reference))
        }
        None => (
            std::fs::read(&args.file)
                .with_context(|| format!("reading {}", args.file.display()))?,
            None,
        ),
    };
    let label = match &reference {
        Some(reference) => reference.to_string(),
        None => args.file.display().to_string(),
    };
    let runtime = Runtime::cached(&cache)?;
    let analysis = Analysis::of(&label, &bytes)?;
    // Compiled, so a component wasmtime cannot take is said to be invalid even when its
    // description is known.
    runtime
        .compile(&analysis.digest, &bytes)
        .with_context(|| format!("plugin {label}: not a valid WebAssembly component"))?;
    let problem = analysis.problem(&label);
    let described = match &problem {
        None => Some(describe(&runtime, &label, &bytes, verbosity)?),
        Some(_) => None,
    };
    let facts = Facts {
        file: &args.file,
        reference: reference.as_ref(),
        size: bytes.len(),
        sha256: sha256_hex(&bytes),
        analysis: &analysis,
        described: described.as_ref(),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&facts.json(problem.as_deref()))?
        )?;
    } else if args.stage_snippet {
        if let Some((info, _)) = &described {
            write!(out, "{}", facts.stage_snippet(info))?;
        }
    } else {
        facts.print(&mut out, problem.as_deref())?;
    }
    match problem {
        Some(problem) => bail!(problem),
        None => Ok(()),
    }
}

/// Loads and describes the plugin; returns its info and world.
fn describe(
    runtime: &Runtime,
    label: &str,
    bytes: &[u8],
    verbosity: u8,
) -> Result<(Info, &'static str)> {
    let plugin = Arc::new(LoadedPlugin::load(label, bytes.to_vec().into())?);
    let world = crate::caps::world_of(&plugin.interfaces());
    let info =
        crate::plan::describe_alone(runtime, plugin, "inspect", report::for_stderr(verbosity))?;
    Ok((info, world))
}

struct Facts<'a> {
    file: &'a Path,
    /// Where it came from, when from a registry (with the digest to pin).
    reference: Option<&'a OciRef>,
    size: usize,
    sha256: String,
    analysis: &'a Analysis,
    described: Option<&'a (Info, &'static str)>,
}

impl Facts<'_> {
    fn print(&self, out: &mut impl Write, problem: Option<&str>) -> Result<()> {
        if let Some((info, world)) = self.described {
            writeln!(
                out,
                "plugin      {} {}: {}",
                info.name, info.version, info.summary
            )?;
            writeln!(out, "world       {world}")?;
            writeln!(out, "scope       {}", scope(info))?;
            writeln!(out, "consumes    {}", kinds(info))?;
            writeln!(out, "needs       {}", needs(&info.needs))?;
        }
        match self.reference {
            Some(reference) => writeln!(out, "from        {reference} ({} bytes)", self.size)?,
            None => writeln!(
                out,
                "file        {} ({} bytes)",
                self.file.display(),
                self.size
            )?,
        }
        writeln!(out, "sha256      {}", self.sha256)?;
        writeln!(
            out,
            "contract    {}@{} (this xhost implements {})",
            contract::PACKAGE,
            self.analysis.contract_versions().join(", "),
            contract::implemented()
        )?;
        writeln!(out, "imports")?;
        for (name, capability) in &self.analysis.imports {
            writeln!(out, "  {name:<40} {}", what_it_gives(capability))?;
        }
        writeln!(out, "exports")?;
        for name in &self.analysis.exports {
            writeln!(out, "  {name}")?;
        }
        match (problem, self.described) {
            (Some(problem), _) => writeln!(out, "\nNOT USABLE: {problem}")?,
            (None, Some((info, _))) => write!(
                out,
                "\nTo use it, add to xhost.toml:\n\n{}",
                self.stage_snippet(info)
            )?,
            (None, None) => {}
        }
        Ok(())
    }

    /// The `[[stage]]` table pinning this file with the grants it asks for. The path
    /// is as given; in xhost.toml it is relative to the project directory.
    fn stage_snippet(&self, info: &Info) -> String {
        let grants = crate::caps::requested(&info.needs);
        let mut snippet = match self.reference {
            // The manifest digest in the reference pins it.
            Some(reference) => format!(
                "[[stage]]\nname = \"{}\"\nplugin = \"{reference}\"\n",
                info.name
            ),
            None => format!(
                "[[stage]]\nname = \"{}\"\nplugin = {:?}\nsha256 = \"{}\"\n",
                info.name,
                self.file.display().to_string(),
                self.sha256
            ),
        };
        if !grants.is_empty() {
            snippet.push_str(&format!("grants = {{ {} }}\n", grants.join(", ")));
        }
        if info.needs.signing_keys > 0 {
            snippet.push_str(
                "# define each key id under [signing.keys.<id>] (file = \"…\" or env = \"…\")\n",
            );
        }
        snippet
    }

    fn json(&self, problem: Option<&str>) -> serde_json::Value {
        let imports: Vec<_> = self
            .analysis
            .imports
            .iter()
            .map(|(name, capability)| json!({ "name": name, "grants": what_it_gives(capability) }))
            .collect();
        let described = self.described.map(|(info, world)| {
            json!({
                "name": info.name,
                "version": info.version,
                "summary": info.summary,
                "world": world,
                "scope": scope(info),
                "consumes": info.consumes.iter().map(|k| k.name()).collect::<Vec<_>>(),
                "needs": {
                    "programs": info.needs.programs,
                    "source": info.needs.source,
                    "signing_keys": info.needs.signing_keys,
                },
                "stage_snippet": self.stage_snippet(info),
            })
        });
        json!({
            "file": self.file.display().to_string(),
            "reference": self.reference.map(ToString::to_string),
            "size": self.size,
            "sha256": self.sha256,
            "contract": {
                "package": contract::PACKAGE,
                "versions": self.analysis.contract_versions(),
                "host_implements": contract::CURRENT.as_str(),
                "host_serves": contract::SERVED.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
            },
            "imports": imports,
            "exports": self.analysis.exports,
            "plugin": described,
            "usable": problem.is_none(),
            "problem": problem,
        })
    }
}

fn what_it_gives(import: &Result<Import, String>) -> String {
    match import {
        Ok(Import::Types(_)) => "types".into(),
        Ok(Import::Interface(name, _)) => crate::caps::import_shown(name),
        Ok(Import::Wasi) => "WASI (confined to the sandbox)".into(),
        Err(why) => format!("NOT PROVIDED: {why}"),
    }
}

fn scope(info: &Info) -> &'static str {
    if info.release_scope {
        "release"
    } else {
        "per-target"
    }
}

fn kinds(info: &Info) -> String {
    if info.consumes.is_empty() {
        "nothing".into()
    } else {
        info.consumes
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn needs(needs: &Needs) -> String {
    let programs = if needs.programs.is_empty() {
        "none".to_string()
    } else {
        needs.programs.join(", ")
    };
    format!(
        "programs: {programs}; source: {}; signing keys: {}",
        if needs.source { "yes" } else { "no" },
        needs.signing_keys
    )
}
