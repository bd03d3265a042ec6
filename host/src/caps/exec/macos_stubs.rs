//! Link stubs for macOS: Go's runtime, built with cgo for darwin, links the
//! CoreFoundation framework and libresolv by name (`-framework CoreFoundation`,
//! `-lresolv`) without calling into them from what it links, and zig, which cross-links
//! macOS against its own stub of libSystem, carries no SDK with them. These text stubs
//! (Apple's TAPI `.tbd` format) name each library's install name and nothing else, so
//! the binary loads them from where macOS has them, and every symbol still binds to
//! libSystem. xhost writes them into the tool's cache, where the C compiler's search
//! paths point ([`super::env::complete`]).

use std::path::{Path, PathBuf};

const FRAMEWORKS: &[(&str, &str)] = &[(
    "Frameworks/CoreFoundation.framework/CoreFoundation.tbd",
    "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation",
)];

const LIBRARIES: &[(&str, &str)] = &[("lib/libresolv.tbd", "/usr/lib/libresolv.9.dylib")];

/// Where the stubs are under a tool's cache directory.
pub fn dir(cache: &Path) -> PathBuf {
    cache.join("macos-stubs")
}

/// Writes the stubs under `cache` (the host's path of the tool's cache).
pub fn write(cache: &Path) -> std::io::Result<()> {
    let root = dir(cache);
    for (file, install_name) in FRAMEWORKS.iter().chain(LIBRARIES) {
        let path = root.join(file);
        let text = format!(
            "--- !tapi-tbd\ntbd-version:     4\ntargets:         [ x86_64-macos, arm64-macos ]\ninstall-name:    '{install_name}'\ncurrent-version: 1\n...\n"
        );
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        std::fs::create_dir_all(path.parent().expect("a file under the root"))?;
        crate::files::write_atomic(&path, text.as_bytes()).map_err(std::io::Error::other)?;
    }
    Ok(())
}
