//! Any text as the module table Go embeds (`go version -m`'s lines): parsing must
//! return, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xhost_sbom::modinfo;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = modinfo::parse("go1.22.0", text);
    }
});
