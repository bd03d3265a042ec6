//! Any bytes into the stripper: it must return, never panic, and anything it calls
//! stripped must strip to "already stripped" a second time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xhost_strip::{Options, Outcome, strip};

fuzz_target!(|data: &[u8]| {
    for keep_debug in [false, true] {
        let options = Options {
            keep_debug,
            ..Options::default()
        };
        if let Ok(Outcome::Stripped { bytes, .. }) = strip(data, &options) {
            assert_eq!(strip(&bytes, &options), Ok(Outcome::AlreadyStripped));
        }
    }
});
