//! Compiled plugins, kept in xhost's own cache directory so a component is compiled
//! once per engine configuration, not once per command; and what each said of itself
//! (`describe`), so a plan that finds it there need not compile the plugin at all.
//!
//! Deserialising compiled code runs it without validation, so entries are read only
//! from this directory, which only xhost writes: `compiled/<engine>/<component>.cwasm`,
//! keyed by the engine's compatibility hash (wasmtime version, settings, CPU features)
//! and the component's SHA-256. Each file starts with the SHA-256 of the rest; a file
//! that does not match (a torn write, a flipped bit) is recompiled and replaced, never
//! loaded. Writes go to a temporary name and are renamed into place.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Length of the digest that heads each entry.
const DIGEST_LEN: usize = 32;

/// The largest description read back: a description is a few hundred bytes.
const DESCRIPTION_MAX: u64 = 64 << 10;

pub struct CompiledCache {
    dir: PathBuf,
}

impl CompiledCache {
    /// The cache for `engine` under `compiled` ([`crate::cache_layout::CacheLayout::compiled`]).
    pub fn open(compiled: &Path, engine: &Engine) -> Result<Self> {
        let dir = compiled.join(engine_key(engine));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the compiled-plugin cache {}", dir.display()))?;
        Ok(CompiledCache { dir })
    }

    /// The component with SHA-256 `digest` and bytes `bytes`: from the cache when a sound
    /// entry is there, else compiled and stored.
    pub fn component(&self, engine: &Engine, digest: &str, bytes: &[u8]) -> Result<Component> {
        let path = self.dir.join(format!("{digest}.cwasm"));
        if let Some(component) = self.load(engine, &path) {
            return Ok(component);
        }
        let component = super::engine::compile_alone(engine, bytes)?;
        // A cache that cannot be written costs a recompile next time, nothing more.
        let _ = self.store(&component, &path);
        Ok(component)
    }

    /// What was kept of the description of component `digest`, if anything (the plan
    /// parses and checks it).
    pub fn description(&self, digest: &str) -> Option<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(self.description_path(digest)).ok()?;
        let mut bytes = Vec::new();
        file.take(DESCRIPTION_MAX + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        (bytes.len() as u64 <= DESCRIPTION_MAX).then_some(bytes)
    }

    /// Keeps the description of component `digest`; a cache that cannot be written
    /// costs a describe next time, nothing more.
    pub fn keep_description(&self, digest: &str, description: &[u8]) {
        let _ = crate::files::write_atomic(&self.description_path(digest), description);
    }

    fn description_path(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}.described.json"))
    }

    fn load(&self, engine: &Engine, path: &Path) -> Option<Component> {
        let file = std::fs::read(path).ok()?;
        if file.len() < DIGEST_LEN || Sha256::digest(&file[DIGEST_LEN..])[..] != file[..DIGEST_LEN]
        {
            return None;
        }
        // SAFETY: the bytes are exactly what `Component::serialize` wrote into xhost's
        // own cache directory for this engine (the digest above rules out damage), and
        // nothing else writes there.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize(engine, &file[DIGEST_LEN..]) };
        component.ok()
    }

    fn store(&self, component: &Component, path: &Path) -> Result<()> {
        let code = component.serialize().map_err(anyhow::Error::from)?;
        let mut file = Sha256::digest(&code).to_vec();
        file.extend_from_slice(&code);
        crate::files::write_atomic(path, &file)
    }
}

/// Hex digest of the engine's compatibility hash: entries compiled by another wasmtime
/// or with other settings are never even looked at.
pub(super) fn engine_key(engine: &Engine) -> String {
    struct Sha(Sha256);
    impl Hasher for Sha {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = Sha(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    crate::digest::hex(&hasher.0.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Runtime;

    fn plugin() -> (&'static [u8], String) {
        let bytes = crate::builtin::get("checksum").expect("the checksum plugin is built in");
        (bytes, crate::digest::hex(&Sha256::digest(bytes)))
    }

    /// A cache in a fresh directory holding the compiled checksum plugin, and its entry.
    fn cached_checksum_plugin() -> (tempfile::TempDir, Runtime, CompiledCache, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let runtime = Runtime::new().unwrap();
        let cache = CompiledCache::open(root.path(), runtime.engine()).unwrap();
        let (bytes, digest) = plugin();
        cache.component(runtime.engine(), &digest, bytes).unwrap();
        let entry = cache.dir.join(format!("{digest}.cwasm"));
        (root, runtime, cache, entry)
    }

    #[test]
    fn a_compiled_component_is_stored_once_and_loaded_back() {
        let (_root, runtime, cache, entry) = cached_checksum_plugin();
        let stored = std::fs::read(&entry).unwrap();
        assert_eq!(
            &Sha256::digest(&stored[DIGEST_LEN..])[..],
            &stored[..DIGEST_LEN]
        );
        assert!(cache.load(runtime.engine(), &entry).is_some());
    }

    #[test]
    fn a_damaged_entry_is_recompiled_not_loaded() {
        let (_root, runtime, cache, entry) = cached_checksum_plugin();
        let mut stored = std::fs::read(&entry).unwrap();
        let middle = stored.len() / 2;
        stored[middle] ^= 0x40;
        std::fs::write(&entry, &stored).unwrap();
        assert!(cache.load(runtime.engine(), &entry).is_none());
        let (bytes, digest) = plugin();
        cache.component(runtime.engine(), &digest, bytes).unwrap();
        assert!(
            cache.load(runtime.engine(), &entry).is_some(),
            "the entry was replaced"
        );
    }

    #[test]
    fn another_engine_configuration_uses_another_directory() {
        let root = tempfile::tempdir().unwrap();
        let plain = Engine::default();
        let runtime = Runtime::new().unwrap();
        let a = CompiledCache::open(root.path(), &plain).unwrap();
        let b = CompiledCache::open(root.path(), runtime.engine()).unwrap();
        assert_ne!(a.dir, b.dir);
    }
}
