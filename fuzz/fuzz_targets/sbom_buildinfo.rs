//! Any bytes as a Go binary: reading its build information must return, never panic,
//! and what it reads must make both SBOM documents.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xhost_sbom::{Subject, buildinfo, cyclonedx, spdx};

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = buildinfo::read(data) {
        let subject = Subject {
            name: "fuzz/bin",
            sha256: "00",
            target: Some("linux/amd64"),
            created: 0,
            tool: "fuzz",
        };
        let _ = spdx::document(&subject, &info);
        let _ = cyclonedx::document(&subject, &info);
    }
});
