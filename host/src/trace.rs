//! Where a build's time goes: spans for the phases of a build, each plugin compiled,
//! each stage invocation and each native program a stage runs, written with
//! `xhost build --trace FILE` in Chrome's trace event format (Perfetto and
//! `chrome://tracing` open it; `jq` reads it). Off unless asked for: a span then costs
//! one atomic load.

use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::{Value, json};

static TRACE: OnceLock<Trace> = OnceLock::new();

struct Trace {
    start: Instant,
    events: Mutex<Vec<Value>>,
}

/// Starts recording spans for this process.
pub fn enable() {
    TRACE.get_or_init(|| Trace {
        start: Instant::now(),
        events: Mutex::new(Vec::new()),
    });
}

/// A span that ends when dropped. `name` is only called when tracing is on.
pub fn span(category: &'static str, name: impl FnOnce() -> String) -> Span {
    Span {
        open: TRACE.get().map(|trace| Open {
            category,
            name: name(),
            started: trace.start.elapsed().as_micros() as u64,
            args: serde_json::Map::new(),
        }),
    }
}

pub struct Span {
    open: Option<Open>,
}

struct Open {
    category: &'static str,
    name: String,
    started: u64,
    args: serde_json::Map<String, Value>,
}

impl Span {
    /// Notes `key = value` on the span (shown with it).
    pub fn arg(&mut self, key: &str, value: impl Into<Value>) {
        if let Some(open) = &mut self.open {
            open.args.insert(key.to_string(), value.into());
        }
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        let (Some(open), Some(trace)) = (self.open.take(), TRACE.get()) else {
            return;
        };
        let now = trace.start.elapsed().as_micros() as u64;
        let (tid, first) = thread_id();
        let mut events = trace.events.lock().expect("trace lock");
        if first {
            let name = std::thread::current()
                .name()
                .map_or_else(|| format!("thread {tid}"), str::to_string);
            events.push(json!({
                "ph": "M", "name": "thread_name", "pid": 1, "tid": tid,
                "args": { "name": name },
            }));
        }
        events.push(json!({
            "ph": "X",
            "cat": open.category,
            "name": open.name,
            "pid": 1,
            "tid": tid,
            "ts": open.started,
            "dur": now.saturating_sub(open.started),
            "args": open.args,
        }));
    }
}

/// A small number for the calling thread, and whether this is its first span.
fn thread_id() -> (u64, bool) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local!(static ID: Cell<u64> = const { Cell::new(0) });
    ID.with(|id| match id.get() {
        0 => {
            id.set(NEXT.fetch_add(1, Ordering::Relaxed));
            (id.get(), true)
        }
        n => (n, false),
    })
}

/// Writes the spans recorded so far to `path` (nothing when tracing is off).
pub fn write(path: &Path) -> Result<()> {
    let Some(trace) = TRACE.get() else {
        return Ok(());
    };
    let events = std::mem::take(&mut *trace.events.lock().expect("trace lock"));
    let document = json!({ "traceEvents": events, "displayTimeUnit": "ms" });
    let text = serde_json::to_vec(&document).context("encoding the trace")?;
    std::fs::write(path, text).with_context(|| format!("writing the trace {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_written_as_complete_events_with_their_thread() {
        enable();
        {
            let mut span = span("stage", || "strip linux/amd64".into());
            span.arg("cached", false);
        }
        std::thread::Builder::new()
            .name("worker".into())
            .spawn(|| drop(span("exec", || "go".into())))
            .unwrap()
            .join()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.json");
        write(&path).unwrap();
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let events = doc["traceEvents"].as_array().unwrap();
        let stage = events
            .iter()
            .find(|e| e["name"] == "strip linux/amd64")
            .unwrap();
        assert_eq!(stage["ph"], "X");
        assert_eq!(stage["cat"], "stage");
        assert_eq!(stage["args"]["cached"], false);
        let exec = events.iter().find(|e| e["name"] == "go").unwrap();
        assert_ne!(exec["tid"], stage["tid"]);
        assert!(
            events.iter().any(|e| e["ph"] == "M"
                && e["tid"] == exec["tid"]
                && e["args"]["name"] == "worker")
        );
    }
}
