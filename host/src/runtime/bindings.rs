//! Host-side bindings generated from `wit/`. The `tool-plugin` world is the widest one:
//! its export (`stage`) is the same in every world, and each plugin's linker gets only
//! the imports its stage is granted (see [`super::linker`]).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "xhost:plugin/tool-plugin",
});

pub use self::exports::xhost::plugin::stage;
pub use self::xhost::plugin::{exec, log, types};
