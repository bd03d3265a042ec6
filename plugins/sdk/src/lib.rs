//! Guest-side SDK for xhost plugins (wasm32-wasip2 components).
//!
//! A plugin implements [`Stage`] and calls [`export_plugin!`]. The bindings cover the
//! widest world (`full-plugin`); a component imports only the interfaces its code
//! actually calls, so a plugin that never calls [`exec::Command::run`] does not ask for
//! `exec`, and one that never calls [`signing::sign`] does not ask for `signing`.
//!
//! ```ignore
//! struct Hello;
//! impl xhost_plugin_sdk::Stage for Hello {
//!     fn describe() -> PluginInfo { … }
//!     fn run(job: Job) -> Result<Vec<Artifact>, StageError> { … }
//! }
//! xhost_plugin_sdk::export_plugin!(Hello);
//! ```

extern crate self as xhost_plugin_sdk;

#[doc(hidden)]
pub use wit_bindgen;

/// Raw bindings generated from `wit/`.
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "full-plugin",
        pub_export_macro: true,
        export_macro_name: "export_bindings",
        default_bindings_module: "::xhost_plugin_sdk::bindings",
        runtime_path: "::xhost_plugin_sdk::wit_bindgen::rt",
        generate_all,
        additional_derives: [PartialEq],
    });
}

pub mod exec;
pub mod files;
pub mod log;
pub mod signing;
mod types;

pub use bindings::exports::xhost::plugin::stage::Guest as Stage;
pub use bindings::xhost::plugin::types::{
    Artifact, ArtifactKind, BuildSettings, Job, PluginInfo, Project, RequestedGrants, Scope,
    StageError, Target,
};
pub use types::config;

/// Exports `$ty` (which implements [`Stage`]) as the component's `stage` interface.
#[macro_export]
macro_rules! export_plugin {
    ($ty:ident) => {
        $crate::bindings::export_bindings!($ty with_types_in $crate::bindings);
    };
}
