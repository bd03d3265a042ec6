//! Compiles the built-in plugins (`plugins/*`) to wasm32-wasip2 components and generates
//! `builtins.rs`, which embeds them in the `xhost` binary as `builtin:<name>`.
//!
//! Every directory under `plugins/` must be either a built-in listed here or a support
//! crate: a plugin that is neither fails the build instead of being skipped silently.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use xhost_build_support::Guest;

/// `builtin:<name>` → the cargo package that implements it.
const BUILTINS: &[(&str, &str)] = &[
    ("go-mod", "xhost-plugin-go-mod"),
    ("go-build", "xhost-plugin-go-build"),
    ("cargo-fetch", "xhost-plugin-cargo-fetch"),
    ("cargo-build", "xhost-plugin-cargo-build"),
    ("strip", "xhost-plugin-strip"),
    ("sbom", "xhost-plugin-sbom"),
    ("archive", "xhost-plugin-archive"),
    ("sign", "xhost-plugin-sign"),
    ("checksum", "xhost-plugin-checksum"),
    ("universal", "xhost-plugin-universal"),
    ("oci-image", "xhost-plugin-oci-image"),
    ("image-sign", "xhost-plugin-image-sign"),
    ("package", "xhost-plugin-package"),
    ("package-sign", "xhost-plugin-package-sign"),
];

/// Directories under `plugins/` that are libraries for plugins, not plugins.
const SUPPORT_CRATES: &[&str] = &[
    "sdk",
    "strip-core",
    "archive-core",
    "sbom-core",
    "universal-core",
    "oci-image-core",
    "package-core",
];

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let workspace = manifest_dir
        .parent()
        .ok_or("host crate has no parent directory")?
        .to_path_buf();
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("plugins").display()
    );
    println!("cargo:rerun-if-changed={}", workspace.join("wit").display());
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );
    // Features and dependency versions of the guests live in the workspace manifest.
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.toml").display()
    );

    check_every_plugin_is_placed(&workspace.join("plugins"))?;
    let guests: Vec<Guest> = BUILTINS
        .iter()
        .map(|(_, package)| Guest::new(*package))
        .collect();
    let target_dir = xhost_build_support::guest_target_dir(&out_dir, &out_dir.join("wasm-guests"));
    let built = xhost_build_support::build(&workspace, &target_dir, &guests)?;
    write_builtins_rs(&out_dir, &built)
}

fn check_every_plugin_is_placed(plugins: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(plugins).map_err(|e| format!("reading {}: {e}", plugins.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading {}: {e}", plugins.display()))?;
        if !entry.path().join("Cargo.toml").is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let known = BUILTINS.iter().any(|(builtin, _)| *builtin == name)
            || SUPPORT_CRATES.contains(&name.as_str());
        if !known {
            return Err(format!(
                "plugins/{name} is neither a built-in plugin nor a support crate: add it to BUILTINS or SUPPORT_CRATES in host/build.rs"
            ));
        }
    }
    Ok(())
}

fn write_builtins_rs(out_dir: &Path, built: &[PathBuf]) -> Result<(), String> {
    let mut code =
        String::from("/// Built-in plugins embedded at build time: (name, component bytes).\n");
    code.push_str("pub static BUILTINS: &[(&str, &[u8])] = &[\n");
    for ((name, _), wasm) in BUILTINS.iter().zip(built) {
        let embedded = out_dir.join(format!("{name}.wasm"));
        std::fs::copy(wasm, &embedded).map_err(|e| format!("copying {}: {e}", wasm.display()))?;
        writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            embedded.display().to_string()
        )
        .map_err(|e| e.to_string())?;
    }
    code.push_str("];\n");
    let path = out_dir.join("builtins.rs");
    std::fs::write(&path, code).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set; run through cargo"))
}
