//! Host-side bindings generated from `wit/`, for `full-plugin`, the world with every
//! capability: the export (`stage`) is the same in every world, and each plugin's
//! linker gets only the imports its stage is granted (see [`super::linker`]).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "xhost:plugin/full-plugin",
});

pub use self::exports::xhost::plugin::stage;
pub use self::xhost::plugin::{exec, log, signing, types};
