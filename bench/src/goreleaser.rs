//! xhost against GoReleaser on one real-shaped project, as measured by
//! `bench/goreleaser-side-by-side` in the same `bench/run` (cold, and the median of five
//! no-change builds).

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

/// The figures the script wrote, checked to hold what the table shows.
pub fn read(path: &Path) -> Result<Value> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let figures: Value =
        serde_json::from_slice(&text).with_context(|| format!("parsing {}", path.display()))?;
    for row in ["cold", "no_change"] {
        for tool in ["goreleaser_s", "xhost_s"] {
            figures[row][tool]
                .as_f64()
                .with_context(|| format!("{}: no {row}.{tool}", path.display()))?;
        }
    }
    Ok(figures)
}

pub fn table(figures: &Value) -> String {
    let mut out = format!(
        "\nagainst GoReleaser: {} ({} targets, {} source files, vendored)\n{:<24} {:>10}   {:>10} {:>9}\n",
        figures["project"].as_str().unwrap_or("?"),
        figures["targets"],
        figures["source_files"],
        "build",
        "xhost",
        "goreleaser",
        "ratio"
    );
    for (row, name) in [("cold", "cold build"), ("no_change", "no-change rebuild")] {
        let xhost = figures[row]["xhost_s"].as_f64().unwrap_or(f64::NAN);
        let goreleaser = figures[row]["goreleaser_s"].as_f64().unwrap_or(f64::NAN);
        out.push_str(&format!(
            "{name:<24} {xhost:>9.3}s   {goreleaser:>9.3}s {}\n",
            crate::builds::ratio(xhost / goreleaser)
        ));
    }
    out
}
