//! Enforcing an invocation's memory and time limits.

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

/// Interrupts the plugin once it has run for `limit`, not counting time spent in
/// native programs it ran through `exec` (those have their own timeout).
pub fn install_deadline(store: &mut Store<StoreState>, limit: Duration) {
    let started = Instant::now();
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |ctx| {
        let used = started.elapsed().saturating_sub(ctx.data().exec.time_spent);
        if used >= limit {
            return Ok(UpdateDeadline::Interrupt);
        }
        let ticks = ((limit - used).as_millis() / EPOCH_TICK.as_millis()).max(1);
        Ok(UpdateDeadline::Continue(ticks as u64))
    });
}
