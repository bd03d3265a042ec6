//! Any `go.mod`, `go.sum` and `vendor/modules.txt` (the input split at NUL bytes):
//! reading the module facts must return, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xhost_sbom::gosource::{Sources, read};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\0');
    let go_mod = parts.next().unwrap_or("");
    let sources = Sources {
        go_mod,
        go_sum: parts.next(),
        modules_txt: parts.next(),
    };
    let _ = read(&sources, None);
    let _ = read(&sources, Some("go1.22.0"));
});
