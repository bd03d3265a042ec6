//! What the action cache did over every build that used the cache directory: hits
//! from the local cache and from the remote one, misses (and how many of them ran on
//! remote workers), entries written back.
//! `xhost cache stats` prints them; each build adds its own under a lock.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::Summary;
use crate::cache_layout::CacheLayout;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub local_hits: u64,
    pub remote_hits: u64,
    pub misses: u64,
    pub uploaded: u64,
    /// Of the misses, those run on remote workers (`--remote-exec`).
    #[serde(default)]
    pub executed_remotely: u64,
}

/// The counts so far (none when never written or unreadable).
pub fn read(cache: &CacheLayout) -> Counts {
    read_file(&cache.counts_file())
}

/// Adds one build's `summary` to the counts.
pub fn add(cache: &CacheLayout, summary: &Summary) -> Result<()> {
    let _lock = crate::lock::wait_for(&cache.counts_lock(), "the action cache's counts")?;
    let file = cache.counts_file();
    let mut counts = read_file(&file);
    let remote_hits = summary.remote_hits as u64;
    counts.local_hits += summary.hits as u64 - remote_hits;
    counts.remote_hits += remote_hits;
    counts.misses += summary.misses as u64;
    counts.uploaded += summary.remote.as_ref().map_or(0, |r| r.uploaded);
    counts.executed_remotely += summary.executed_remotely as u64;
    let json = serde_json::to_vec(&counts).context("encoding the cache's counts")?;
    crate::files::write_atomic(&file, &json)
}

fn read_file(file: &Path) -> Counts {
    std::fs::read(file)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}
