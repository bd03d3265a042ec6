//! Host-side bindings generated from `wit/`, for `full-plugin`, the world with every
//! capability: the export (`stage`) is the same in every world, and each plugin's
//! linker gets only the imports its stage is granted (see [`super::linker`]).

// The export is called asynchronously so that a plugin blocked in a host call
// (sleeping, polling) can still be stopped at its time limit (see `super::drive`); the
// xhost imports stay synchronous.
wasmtime::component::bindgen!({
    path: "../wit",
    world: "xhost:plugin/full-plugin",
    exports: { default: async },
});

pub use self::exports::xhost::plugin::stage;
pub use self::xhost::plugin::{exec, log, signing, types};
