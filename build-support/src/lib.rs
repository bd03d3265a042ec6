//! Builds this workspace's wasm32-wasip2 guest crates (plugins) from a build script or a
//! test, into a target directory of their own so the outer cargo's lock is never held.
//!
//! Used by `host/build.rs` (the built-in plugins embedded in `xhost`) and by the test
//! support code (purpose-built test plugins).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The guest target every plugin is compiled for.
pub const GUEST_TARGET: &str = "wasm32-wasip2";

/// A guest crate to build: its package name in the workspace.
#[derive(Debug, Clone)]
pub struct Guest {
    /// Cargo package name, e.g. `xhost-plugin-checksum`.
    pub package: String,
}

impl Guest {
    pub fn new(package: impl Into<String>) -> Self {
        Guest {
            package: package.into(),
        }
    }

    /// File name cargo gives the component: the lib name (dashes become underscores).
    fn wasm_file_name(&self) -> String {
        format!("{}.wasm", self.package.replace('-', "_"))
    }
}

/// Environment variables of an outer cargo invocation that must not leak into a nested
/// build: they name the host target, its flags or its target directory.
pub const OUTER_CARGO_ENV: &[&str] = &[
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_PRIMARY_PACKAGE",
];

/// Builds `guests` in release mode for [`GUEST_TARGET`] with the workspace at
/// `workspace_root`, using `target_dir` as cargo's target directory, and returns the
/// path of each built component in the order given.
pub fn build(
    workspace_root: &Path,
    target_dir: &Path,
    guests: &[Guest],
) -> Result<Vec<PathBuf>, String> {
    check_target_installed()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root)
        .args([
            "build",
            "--release",
            "--target",
            GUEST_TARGET,
            "--target-dir",
        ])
        .arg(target_dir);
    for guest in guests {
        cmd.args(["-p", &guest.package]);
    }
    for var in OUTER_CARGO_ENV {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo to build the guest plugins: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building guest plugins {} for {GUEST_TARGET} failed ({status}); see the cargo output above",
            names(guests)
        ));
    }
    let out = target_dir.join(GUEST_TARGET).join("release");
    guests
        .iter()
        .map(|guest| {
            let path = out.join(guest.wasm_file_name());
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!(
                    "cargo built {} but {} is missing: is it a `cdylib` crate?",
                    guest.package,
                    path.display()
                ))
            }
        })
        .collect()
}

/// The guest target directory next to the outer build's, found from `OUT_DIR` by walking
/// up to the directory cargo marks with `CACHEDIR.TAG`; `fallback` when there is none.
pub fn guest_target_dir(out_dir: &Path, fallback: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(|target| target.join("wasm-guests"))
        .unwrap_or_else(|| fallback.to_path_buf())
}

fn check_target_installed() -> Result<(), String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", GUEST_TARGET])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let libdir = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if output.status.success() && Path::new(&libdir).is_dir() {
        Ok(())
    } else {
        Err(format!(
            "the Rust target {GUEST_TARGET} is not installed; run `rustup target add {GUEST_TARGET}`"
        ))
    }
}

fn names(guests: &[Guest]) -> String {
    guests
        .iter()
        .map(|g| g.package.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
