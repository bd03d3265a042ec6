//! Host-side bindings generated from the contract, for `full-plugin`, the world with
//! every capability: the export (`stage`) is the same in every world, and each plugin's
//! linker gets only the imports its stage is granted (see `crate::caps::link`).
//!
//! The current contract (`wit/`) is re-exported at this module's top; every earlier
//! version still served has a module of its own, generated from its frozen copy under
//! `wit/deps/`.

// The export is called asynchronously so that a plugin blocked in a host call
// (sleeping, polling) can still be stopped at its time limit (see `super::drive`); the
// xhost imports stay synchronous.
mod current {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "xhost:plugin/full-plugin@0.2.1",
        exports: { default: async },
    });
}

/// `xhost:plugin@0.1.0`, frozen; adapted to the current contract by
/// [`super::contract_v0_1`] and `crate::caps::v0_1`.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../wit/deps/xhost-plugin-0.1.0",
        world: "xhost:plugin/full-plugin@0.1.0",
        exports: { default: async },
    });

    pub use self::exports::xhost::plugin::stage;
    pub use self::xhost::plugin::{exec, log, signing, types};
}

pub use current::FullPluginPre;
pub use current::exports::xhost::plugin0_2_1::stage;
pub use current::xhost::plugin0_2_1::{exec, log, signing, types};
