//! Any text as `xhost.toml`: resolving it must return a config or an error, never
//! panic, and an error must render (its location lies inside the text).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xhost::config::{Overrides, resolve};

/// A project directory with a `go.mod`, as most configs resolve against one.
fn project() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("xhost-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("go.mod"), "module example.com/fuzz\n\ngo 1.22\n").unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = resolve(project(), Some(text), &Overrides::default()) {
        let _ = error.to_string();
    }
});
