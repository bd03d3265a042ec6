//! Repeated measurement and medians.

use std::time::{Duration, Instant};

use anyhow::Result;

/// Runs `f` `runs` times (after one unmeasured warm-up) and returns the median time.
/// `f` returns the time of the part it wants measured, so set-up stays out.
pub fn median(runs: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    f()?;
    let mut times = (0..runs.max(1)).map(|_| f()).collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// Times one call.
pub fn time<T>(f: impl FnOnce() -> Result<T>) -> Result<(Duration, T)> {
    let start = Instant::now();
    let value = f()?;
    Ok((start.elapsed(), value))
}

/// Megabytes (10^6 bytes) per second.
pub fn throughput(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}
