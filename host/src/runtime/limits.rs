//! Enforcing an invocation's memory and time limits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wasmtime::{ResourceLimiter, Store, UpdateDeadline};

use super::engine::EPOCH_TICK;
use super::state::StoreState;

/// Caps the total linear memory of all a component's memories, and remembers a
/// refused growth so the error can say the plugin ran out of memory.
pub struct MemoryLimiter {
    limit: usize,
    used: usize,
    /// Total bytes the plugin asked for when a growth was refused.
    pub refused: Option<usize>,
}

impl MemoryLimiter {
    pub fn new(limit_bytes: usize) -> Self {
        MemoryLimiter {
            limit: limit_bytes,
            used: 0,
            refused: None,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.used - current.min(self.used) + desired;
        if total > self.limit {
            self.refused = Some(total);
            return Ok(false);
        }
        self.used = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// Wall time an invocation spent in native programs, shared between the `exec`
/// capability that adds to it and the time limit that does not count it.
#[derive(Debug, Default)]
pub struct ProgramTime {
    nanos: AtomicU64,
}

impl ProgramTime {
    pub fn add(&self, spent: Duration) {
        let nanos = u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn get(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

/// The plugin's own running time: since it started, minus time in programs.
pub fn plugin_time(started: Instant, programs: &ProgramTime) -> Duration {
    started.elapsed().saturating_sub(programs.get())
}

/// Ticks between two looks at the quota alarm.
const ALARM_TICKS: u64 = 10;

/// Interrupts the plugin once it has run for `limit`, not counting time spent in
/// native programs it ran through `exec` (those have their own timeout), or once the
/// quota alarm is raised.
pub fn install_deadline(store: &mut Store<StoreState>, started: Instant, limit: Duration) {
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |ctx| {
        let used = plugin_time(started, &ctx.data().program_time);
        if used >= limit || ctx.data().alarm.raised().is_some() || crate::interrupt::requested() {
            return Ok(UpdateDeadline::Interrupt);
        }
        let ticks = ((limit - used).as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        Ok(UpdateDeadline::Continue(ticks.min(ALARM_TICKS)))
    });
}
