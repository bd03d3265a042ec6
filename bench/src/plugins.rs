//! Plugin start-up: compiling each built-in component (a first run), loading it from
//! the compiled-plugin cache (every later run), instantiating it (every invocation),
//! and one whole invocation of a plugin with nothing to do (instantiation, WASI set-up
//! with mounts, the call, output collection).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use xhost::caps::{self, Call};
use xhost::config::Limits;
use xhost::plugin_sandbox::{Mounts, outputs, wasi};
use xhost::report::plugin_log::LogSink;
use xhost::report::{Level, PlainReporter, Reporter};
use xhost::runtime::invoke::{Prepared, StoreParts};
use xhost::runtime::{LoadedPlugin, Runtime};

use crate::timing::{median, time};

pub struct PluginRow {
    pub name: &'static str,
    pub size: usize,
    pub compile: Duration,
    pub load_cached: Duration,
    pub instantiate: Duration,
    /// The same with wasmtime's pooling allocator.
    pub instantiate_pooled: Duration,
}

pub struct Results {
    pub plugins: Vec<PluginRow>,
    /// A whole invocation of `checksum` over no inputs.
    pub invocation: Duration,
}

const PLUGINS: [&str; 6] = ["go-build", "strip", "sbom", "archive", "checksum", "sign"];

pub fn run(runs: usize) -> Result<Results> {
    let cache = tempfile::tempdir()?;
    let plain = Runtime::new()?;
    let cached = Runtime::cached(&xhost::cache_layout::CacheLayout::at(cache.path()))?;
    let pooled = Runtime::with_pooling(16, xhost::config::Limits::default().memory_mib)?;
    let mut plugins = Vec::new();
    for name in PLUGINS {
        let bytes = xhost::builtin::get(name).context("no such built-in")?;
        let digest = xhost::digest::sha256_hex(bytes);
        let compile = median(runs.min(5), || {
            time(|| plain.compile(&digest, bytes)).map(|(t, _)| t)
        })?;
        cached.compile(&digest, bytes)?;
        let load_cached = median(runs, || {
            time(|| cached.compile(&digest, bytes)).map(|(t, _)| t)
        })?;
        let on_demand = prepared(&cached, name, bytes)?;
        let instantiate = median(runs * 20, || {
            let parts = store_parts(None, name)?;
            time(|| on_demand.instantiate_only(parts)).map(|(t, _)| t)
        })?;
        let in_pool = prepared(&pooled, name, bytes)?;
        let instantiate_pooled = median(runs * 20, || {
            let parts = store_parts(None, name)?;
            time(|| in_pool.instantiate_only(parts)).map(|(t, _)| t)
        })?;
        plugins.push(PluginRow {
            name,
            size: bytes.len(),
            compile,
            load_cached,
            instantiate,
            instantiate_pooled,
        });
    }
    let checksum = prepared(
        &cached,
        "checksum",
        xhost::builtin::get("checksum").unwrap(),
    )?;
    let scratch = tempfile::tempdir()?;
    let invocation = median(runs * 20, || {
        let dir = tempfile::tempdir_in(scratch.path())?;
        time(|| {
            let mounts = Mounts::create(&dir.path().join("inv"), None)?;
            let artifacts = checksum.run(
                store_parts(Some(&mounts), "checksum")?,
                &crate::stages::job(Vec::new()),
                &Default::default(),
            )?;
            outputs::collect(&mounts.output, artifacts).map_err(anyhow::Error::msg)
        })
        .map(|(t, _)| t)
    })?;
    Ok(Results {
        plugins,
        invocation,
    })
}

fn prepared(runtime: &Runtime, name: &str, bytes: &'static [u8]) -> Result<Prepared> {
    let plugin = Arc::new(LoadedPlugin::load(
        &format!("builtin:{name}"),
        bytes.into(),
    )?);
    let interfaces: Vec<String> = plugin.interfaces().iter().map(|i| i.to_string()).collect();
    let contract = plugin.contract;
    let prepared = Prepared::new(
        runtime,
        plugin,
        "bench",
        Arc::new(move |linker| {
            let interfaces: Vec<&str> = interfaces.iter().map(String::as_str).collect();
            caps::link(linker, contract, caps::imported_by(&interfaces))
        }),
    );
    // Compiled and linked here, so what is timed afterwards is instantiation alone.
    prepared.ready()?;
    Ok(prepared)
}

/// A call's store outside a build: the WASI context of `mounts`, default limits, every
/// capability refusing.
pub fn store_parts(mounts: Option<&Mounts>, name: &str) -> Result<StoreParts> {
    let reporter: Arc<dyn Reporter> = Arc::new(PlainReporter::new(Level::Error));
    let log = LogSink::new(None, name, reporter);
    let states = caps::states(&Call::Describe { log: &log })?;
    Ok(StoreParts::new(
        wasi::context(mounts, &log)?,
        Limits::default(),
        log,
        states,
    ))
}

pub fn table(results: &Results) -> String {
    let mut out = format!(
        "{:<10} {:>9} {:>12} {:>14} {:>13} {:>10}\n",
        "plugin", "size", "compile", "load (cache)", "instantiate", "(pooled)"
    );
    for p in &results.plugins {
        out.push_str(&format!(
            "{:<10} {:>7.0}KB {:>10.1}ms {:>12.2}ms {:>11.1}µs {:>8.1}µs\n",
            p.name,
            p.size as f64 / 1e3,
            p.compile.as_secs_f64() * 1e3,
            p.load_cached.as_secs_f64() * 1e3,
            p.instantiate.as_secs_f64() * 1e6,
            p.instantiate_pooled.as_secs_f64() * 1e6
        ));
    }
    out.push_str(&format!(
        "whole invocation with nothing to do (checksum, no inputs): {:.1}µs\n",
        results.invocation.as_secs_f64() * 1e6
    ));
    out
}

pub fn json(results: &Results) -> Value {
    json!({
        "plugins": results.plugins.iter().map(|p| json!({
            "plugin": p.name,
            "component_bytes": p.size,
            "compile_median_ms": p.compile.as_secs_f64() * 1e3,
            "load_from_cache_median_ms": p.load_cached.as_secs_f64() * 1e3,
            "instantiate_median_us": p.instantiate.as_secs_f64() * 1e6,
            "instantiate_pooled_median_us": p.instantiate_pooled.as_secs_f64() * 1e6,
        })).collect::<Vec<_>>(),
        "empty_invocation_median_us": results.invocation.as_secs_f64() * 1e6,
    })
}
