//! Paths inside the sandbox: inputs under `/in`, outputs under `/out`.

use std::path::Path;

use crate::StageError;

/// Where the plugin's outputs go.
pub const OUT: &str = "/out";
/// Where the job's inputs are.
pub const IN: &str = "/in";
/// The source tree, when the stage is granted `source`.
pub const SRC: &str = "/src";

/// `/out/<rel>`.
pub fn out_path(rel: &str) -> String {
    format!("{OUT}/{}", rel.trim_start_matches('/'))
}

/// An input's path relative to `/in` (its path inside `dist/`).
pub fn input_rel(path: &str) -> &str {
    path.strip_prefix("/in/").unwrap_or(path)
}

/// Reads a whole file, with the path in the error.
pub fn read(path: impl AsRef<Path>) -> Result<Vec<u8>, StageError> {
    let path = path.as_ref();
    std::fs::read(path).map_err(|e| StageError::failed(format!("reading {}: {e}", path.display())))
}

/// Writes a whole file, with the path in the error.
pub fn write(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> Result<(), StageError> {
    let path = path.as_ref();
    std::fs::write(path, bytes)
        .map_err(|e| StageError::failed(format!("writing {}: {e}", path.display())))
}
