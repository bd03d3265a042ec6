//! Ctrl-C and SIGTERM. The first asks the build to stop: no new invocation starts,
//! running programs are killed and plugins stopped at their next check, nothing is
//! published and scratch directories are removed on the way out (exit 130 or 143). A
//! second signal exits at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result, bail};
use signal_hook::consts::{SIGINT, SIGTERM};

/// One flag per signal handled, set when it arrives.
static FLAGS: OnceLock<[(i32, Arc<AtomicBool>); 2]> = OnceLock::new();

/// Installs the handlers; call once, early.
pub fn install() -> Result<()> {
    let flags = FLAGS.get_or_init(|| [(SIGINT, Arc::default()), (SIGTERM, Arc::default())]);
    for (signal, flag) in flags {
        for (_, any) in flags {
            // Registered before the flag's own handler, so they exit only when a
            // signal had already arrived.
            signal_hook::flag::register_conditional_shutdown(*signal, 128 + signal, any.clone())
                .context("installing signal handlers")?;
        }
        signal_hook::flag::register(*signal, flag.clone()).context("installing signal handlers")?;
    }
    Ok(())
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    exit_code().is_some()
}

/// An error when a stop was asked for, to end work before it starts.
pub fn check() -> Result<()> {
    if requested() {
        bail!("interrupted");
    }
    Ok(())
}

/// The exit code for the signal that stopped the build (128 + its number).
pub fn exit_code() -> Option<u8> {
    FLAGS
        .get()?
        .iter()
        .find(|(_, flag)| flag.load(Ordering::SeqCst))
        .and_then(|(signal, _)| u8::try_from(128 + signal).ok())
}
