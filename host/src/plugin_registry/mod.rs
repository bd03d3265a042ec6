//! Plugins from OCI registries: `plugin = "oci://REGISTRY/REPO:TAG@sha256:DIGEST"` in a
//! stage takes the component of the wasm OCI artifact with that manifest digest,
//! fetched once and kept in the cache (offline afterwards), optionally only when one of
//! the stage's `trust` keys signed it; `xhost plugin publish` pushes such artifacts and
//! `xhost plugin update` moves a pin to what its tag names now.

pub mod artifact;
mod fetch;
pub mod push;
pub mod reference;
mod registry;
pub mod trust;
pub mod update;

use std::path::PathBuf;

use anyhow::Result;

pub use fetch::Fetched;
pub use reference::OciRef;

use crate::cache_layout::CacheLayout;

/// The component `reference` names (by digest), verified; with `trust` keys, only when
/// one of them signed it (which one is in [`Fetched::signed_by`]).
pub fn component(cache: &CacheLayout, reference: &OciRef, trust: &[PathBuf]) -> Result<Fetched> {
    let mut fetched = fetch::component(&cache.plugins(), reference)?;
    if !trust.is_empty() {
        let digest = reference.digest.as_deref().unwrap_or_default();
        fetched.signed_by = Some(trust::check(&fetched.dir, reference, digest, trust)?);
    }
    Ok(fetched)
}

/// `reference` at the digest its tag names now, when it names no digest.
pub fn resolve(reference: &OciRef) -> Result<OciRef> {
    if reference.digest.is_some() {
        return Ok(reference.clone());
    }
    let Some(tag) = &reference.tag else {
        anyhow::bail!("{reference}: name a tag or a digest (…:1.0.0 or …@sha256:…)");
    };
    let session = registry::Session::open(reference)?;
    match session.block_on(session.tag_digest(tag))? {
        Some(digest) => Ok(reference.at(&digest)),
        None => anyhow::bail!("{reference}: the registry has no tag `{tag}`"),
    }
}
