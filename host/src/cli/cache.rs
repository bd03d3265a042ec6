//! `xhost cache stats` and `xhost cache gc`.

use std::io::Write;

use anyhow::Result;

use crate::cache::gc::{self, Part};
use crate::cache_layout::CacheLayout;
use crate::report::human_size;
use crate::runtime::Runtime;

pub(super) fn stats() -> Result<()> {
    let cache = CacheLayout::locate()?;
    let usage = gc::usage(&cache)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "xhost cache: {}", cache.root().display())?;
    let rows: [(&str, Part, &str); 6] = [
        ("artifact store", usage.store, "files"),
        ("action cache", usage.actions, "entries"),
        ("compiled plugins", usage.compiled, "components"),
        ("fetched plugins", usage.plugins, "plugins"),
        ("tool caches", usage.projects, "projects"),
        ("build scratch", usage.work, "builds"),
    ];
    for (name, part, unit) in rows {
        writeln!(
            out,
            "  {name:<18}{:>8} {unit:<11}{:>12}",
            part.entries,
            human_size(part.bytes)
        )?;
    }
    writeln!(out, "  {:<38}{:>12}", "total", human_size(usage.total()))?;
    let counts = crate::cache::counts::read(&cache);
    let remote_runs = match counts.executed_remotely {
        0 => String::new(),
        n => format!(" ({n} run on remote workers)"),
    };
    writeln!(
        out,
        "  stage results over all builds: {} hits ({} local, {} remote), {} misses{remote_runs}; {} entries written to a remote cache",
        counts.local_hits + counts.remote_hits,
        counts.local_hits,
        counts.remote_hits,
        counts.misses,
        counts.uploaded
    )?;
    Ok(())
}

pub(super) fn gc(max_bytes: u64) -> Result<()> {
    let cache = CacheLayout::locate()?;
    let engine = Runtime::new()?.compiled_dir_name();
    let removed = gc::collect(&cache, max_bytes, &engine)?;
    let left = gc::usage(&cache)?.total();
    println!(
        "xhost cache: removed {} action entries, {} stored files, {} project tool caches and {} compiled-plugin sets, {}; {} left (limit {})",
        removed.entries,
        removed.files,
        removed.projects,
        removed.compiled,
        human_size(removed.bytes),
        human_size(left),
        human_size(max_bytes)
    );
    Ok(())
}
