//! A linker holding exactly the interfaces a stage is granted. A plugin importing
//! anything else cannot be instantiated; [`super::invoke::Prepared::new`] checks first
//! so the error names the grant to add.

use anyhow::Result;
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

use super::bindings::types;
use super::state::StoreState;
use crate::caps;

/// The optional capabilities a stage grants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Granted {
    pub exec: bool,
    pub signing: bool,
}

pub fn for_grants(engine: &Engine, granted: Granted) -> Result<Linker<StoreState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    types::add_to_linker::<StoreState, HasSelf<StoreState>>(&mut linker, |s| s)?;
    caps::log::add_to_linker(&mut linker, |s| &mut s.log)?;
    if granted.exec {
        caps::exec::add_to_linker(&mut linker, |s| &mut s.exec)?;
    }
    if granted.signing {
        caps::signing::add_to_linker(&mut linker, |s| &mut s.signing)?;
    }
    Ok(linker)
}
