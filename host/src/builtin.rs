//! Built-in plugins: components compiled from `plugins/*` by `build.rs` and embedded
//! in the binary, addressed as `builtin:<name>`.

include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

/// The component bytes of built-in plugin `name`.
pub fn get(name: &str) -> Option<&'static [u8]> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

pub fn exists(name: &str) -> bool {
    get(name).is_some()
}

/// Names of all built-ins, in a stable order.
pub fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(name, _)| *name).collect()
}
