//! The base every plugin's linker starts from: WASI 0.2 and the contract's `types`.
//! Each capability a stage is granted adds its own interface (`crate::caps::link`); a
//! plugin importing anything else cannot be instantiated, and the plan refuses it first
//! with a message naming the grant to add.

use std::sync::Arc;

use anyhow::Result;
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

use super::bindings::types;
use super::state::StoreState;

/// Adds more interfaces to a linker (a capability's, or several).
pub type Link<'a> = &'a dyn Fn(&mut Linker<StoreState>) -> wasmtime::Result<()>;

/// A [`Link`] kept until the plugin is first linked.
pub type OwnedLink = Arc<dyn Fn(&mut Linker<StoreState>) -> wasmtime::Result<()> + Send + Sync>;

/// WASI and `types`, then whatever `link` adds.
pub fn with(engine: &Engine, link: Link) -> Result<Linker<StoreState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    types::add_to_linker::<StoreState, HasSelf<StoreState>>(&mut linker, |s| s)?;
    link(&mut linker)?;
    Ok(linker)
}
