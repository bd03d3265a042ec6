//! The process-wide wasmtime engine and the epoch ticker that enforces time limits.

use std::time::Duration;

use anyhow::{Context, Result};
use std::path::Path;
use std::sync::Arc;

use wasmtime::component::Component;
use wasmtime::{Config, Engine};

use super::compiled_cache::CompiledCache;

/// How often the engine's epoch advances; the granularity of time limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The engine all plugins are compiled and run with. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    compiled: Option<Arc<CompiledCache>>,
}

impl Runtime {
    /// A runtime that compiles every component it loads.
    pub fn new() -> Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        // Epoch interruption is how a plugin that never returns is stopped; it costs a
        // load and compare per loop header, far cheaper than fuel.
        config.epoch_interruption(true);
        let engine = Engine::new(&config)
            .map_err(anyhow::Error::from)
            .context("creating the wasmtime engine")?;
        start_epoch_ticker(&engine);
        Ok(Runtime {
            engine,
            compiled: None,
        })
    }

    /// A runtime keeping compiled components in `cache` (xhost's cache directory).
    pub fn cached(cache: &Path) -> Result<Self> {
        let mut runtime = Runtime::new()?;
        runtime.compiled = Some(Arc::new(CompiledCache::open(cache, &runtime.engine)?));
        Ok(runtime)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The directory under `compiled/` holding this engine's compiled components.
    pub fn compiled_dir_name(&self) -> String {
        super::compiled_cache::engine_key(&self.engine)
    }

    /// Compiles `bytes` (SHA-256 `digest`), or takes the result from the cache.
    pub fn compile(&self, digest: &str, bytes: &[u8]) -> Result<Component> {
        match &self.compiled {
            Some(cache) => cache.component(&self.engine, digest, bytes),
            None => Component::new(&self.engine, bytes).map_err(anyhow::Error::from),
        }
    }
}

fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("xhost-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch ticker thread");
}
