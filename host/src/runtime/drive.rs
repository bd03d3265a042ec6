//! Driving one asynchronous plugin call to its end on the calling thread, under the
//! invocation's time limit and quota alarm.
//!
//! The epoch deadline stops a plugin that computes forever, but not one blocked in a
//! host call (a long sleep, a poll that never fires): epochs are only looked at while
//! wasm runs. So calls are futures, and this driver drops the future once the plugin's
//! own time (not counting native programs) is used up or the alarm goes off; wasmtime
//! unwinds the plugin's stack and the store is thrown away.

use std::future::Future;
use std::time::{Duration, Instant};

use super::limits::{ProgramTime, plugin_time};
use crate::plugin_sandbox::quota::Alarm;

/// How often a blocked call is looked at.
const LOOK: Duration = Duration::from_millis(100);

/// Why a call did not finish.
pub enum Stopped {
    TimeLimit,
    Interrupted,
    Alarm(String),
}

/// What the driver watches.
pub struct Watch<'a> {
    pub started: Instant,
    pub limit: Duration,
    pub programs: &'a ProgramTime,
    pub alarm: &'a Alarm,
}

/// Runs `call` on this thread's runtime until it ends or must be stopped.
pub fn drive<F: Future>(call: F, watch: &Watch) -> Result<F::Output, Stopped> {
    thread_runtime(|runtime| {
        runtime.block_on(async {
            let mut call = std::pin::pin!(call);
            loop {
                if crate::interrupt::requested() {
                    return Err(Stopped::Interrupted);
                }
                if let Some(reason) = watch.alarm.raised() {
                    return Err(Stopped::Alarm(reason.to_string()));
                }
                let left = watch
                    .limit
                    .saturating_sub(plugin_time(watch.started, watch.programs));
                if left.is_zero() {
                    return Err(Stopped::TimeLimit);
                }
                if let Ok(output) = tokio::time::timeout(left.min(LOOK), &mut call).await {
                    return Ok(output);
                }
            }
        })
    })
}

/// Each pipeline thread keeps one current-thread runtime: creating one costs more
/// than a small plugin call.
fn thread_runtime<R>(f: impl FnOnce(&tokio::runtime::Runtime) -> R) -> R {
    thread_local! {
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("creating a tokio runtime");
    }
    RUNTIME.with(f)
}
