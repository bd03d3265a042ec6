//! WebAssembly: drop the custom sections no runtime reads (`name`, `producers`,
//! `.debug_*`, source map and external debug info); every other section is copied
//! byte for byte. Input and output are validated.

use wasmparser::{BinaryReader, Validator, WasmFeatures};

use crate::{Error, Outcome, is_debug_section, malformed};

/// Custom sections removed by default; `.debug_*` too unless debug info is kept.
const DROPPED: &[&str] = &[
    "name",
    "producers",
    "sourceMappingURL",
    "external_debug_info",
];

pub fn strip(data: &[u8], keep_debug: bool) -> Result<Outcome, Error> {
    validate(data).map_err(|e| malformed("wasm", e))?;
    let mut reader = BinaryReader::new(data, 0);
    let header = reader
        .read_bytes(8)
        .map_err(|e| malformed("wasm", e))?
        .to_vec();
    let mut bytes = header;
    let mut removed = Vec::new();
    while !reader.eof() {
        let start = reader.original_position();
        let id = reader.read_u8().map_err(|e| malformed("wasm", e))?;
        let size = reader.read_var_u32().map_err(|e| malformed("wasm", e))? as usize;
        let body_start = reader.original_position();
        let body = reader.read_bytes(size).map_err(|e| malformed("wasm", e))?;
        if id == 0 {
            let name = BinaryReader::new(body, body_start)
                .read_string()
                .map_err(|e| malformed("wasm", e))?;
            let debug = !keep_debug && is_debug_section(name.as_bytes());
            if DROPPED.contains(&name) || debug {
                removed.push(name.to_string());
                continue;
            }
        }
        bytes.extend_from_slice(&data[start..body_start + size]);
    }
    if removed.is_empty() {
        return Ok(Outcome::AlreadyStripped);
    }
    validate(&bytes).map_err(|e| {
        Error::Unsupported(format!(
            "stripped module does not validate ({e}); left as it was"
        ))
    })?;
    Ok(Outcome::Stripped { bytes, removed })
}

fn validate(data: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(data)
        .map(|_| ())
}
