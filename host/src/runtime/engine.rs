//! The process-wide wasmtime engine and the epoch ticker that enforces time limits.

use std::time::Duration;

use crate::cache_layout::CacheLayout;
use anyhow::{Context, Result};
use std::sync::Arc;

use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

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
        Runtime::with_config(base_config())
    }

    /// A runtime with wasmtime's pooling instance allocator, sized for `instances`
    /// plugins at once of at most `memory_mib` each. xhost itself allocates on demand:
    /// pooling saves ~15 µs per instantiation (bench/README.md), under 1 ms per build,
    /// and would fix every plugin's largest memory when the engine is made, before
    /// `xhost.toml`'s limits are known. `bench/run` measures it against on-demand.
    pub fn with_pooling(instances: u32, memory_mib: u64) -> Result<Self> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(instances)
            .total_core_instances(instances * 8)
            .total_memories(instances * 2)
            .total_tables(instances * 8)
            .max_memory_size((memory_mib as usize) << 20);
        let mut config = base_config();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        Runtime::with_config(config)
    }

    fn with_config(config: Config) -> Result<Self> {
        let engine = Engine::new(&config)
            .map_err(anyhow::Error::from)
            .context("creating the wasmtime engine")?;
        start_epoch_ticker(&engine);
        Ok(Runtime {
            engine,
            compiled: None,
        })
    }

    /// A runtime keeping compiled components in xhost's cache.
    pub fn cached(cache: &CacheLayout) -> Result<Self> {
        let mut runtime = Runtime::new()?;
        runtime.compiled = Some(Arc::new(CompiledCache::open(
            &cache.compiled(),
            &runtime.engine,
        )?));
        Ok(runtime)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The directory under `compiled/` holding this engine's compiled components.
    pub fn compiled_dir_name(&self) -> String {
        super::compiled_cache::engine_key(&self.engine)
    }

    /// What was kept of the description of component `digest`, when this runtime keeps
    /// a cache.
    pub fn known_description(&self, digest: &str) -> Option<Vec<u8>> {
        self.compiled.as_ref()?.description(digest)
    }

    /// Keeps the description of component `digest`, when this runtime keeps a cache.
    pub fn keep_description(&self, digest: &str, description: &[u8]) {
        if let Some(cache) = &self.compiled {
            cache.keep_description(digest, description);
        }
    }

    /// Compiles `bytes` (SHA-256 `digest`), or takes the result from the cache.
    pub fn compile(&self, digest: &str, bytes: &[u8]) -> Result<Component> {
        match &self.compiled {
            Some(cache) => cache.component(&self.engine, digest, bytes),
            None => compile_alone(&self.engine, bytes),
        }
    }
}

/// Compiles `bytes` with `engine`, one component at a time in the whole process, on a
/// thread of its own, and gives the compiler's memory back afterwards. Plugins compile
/// when their stages first run, on the lanes' threads: two could otherwise compile at
/// once beside the stages running, and each lane's allocator arena would keep the
/// high-water mark of the compiles it ran (measured: a cold build's peak RSS 129–133
/// MiB, against 105–108 MiB when every plugin compiled in the plan).
pub(super) fn compile_alone(engine: &Engine, bytes: &[u8]) -> Result<Component> {
    static COMPILING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _alone = COMPILING.lock().unwrap_or_else(|e| e.into_inner());
    let _span = crate::trace::span("plugin", || "compile".into());
    // A thread that ends after each compile leaves its arena to the next one's.
    let compiled = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("xhost-compile".into())
            .spawn_scoped(scope, || Component::new(engine, bytes))
            .map(|thread| thread.join())
    });
    give_back_free_memory();
    match compiled {
        Ok(Ok(component)) => component.map_err(anyhow::Error::from),
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => Err(anyhow::Error::from(e).context("starting a thread to compile on")),
    }
}

/// Returns the allocator's free pages to the system (glibc keeps them otherwise).
fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory the allocator holds free.
    #[allow(unsafe_code)]
    unsafe {
        libc::malloc_trim(0);
    }
}

fn base_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    // Epoch interruption is how a plugin that never returns is stopped; it costs a
    // load and compare per loop header, far cheaper than fuel.
    config.epoch_interruption(true);
    config
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
