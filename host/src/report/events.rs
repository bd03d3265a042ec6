//! `--json`: the build as events on stdout, one JSON object per line (NDJSON), for
//! tools that watch a build: the plan, each stage started and finished (cached or not,
//! and why it ran), plugin log lines at the shown levels (warnings and errors among
//! them), each target's lane done, each published artifact, the summary, or the error.
//! Every event carries `schema` ([`SCHEMA`]) and `event`; `docs/EVENTS.md` lists them.
//! Fields are only ever added within a schema version.

use std::io::Write;

use serde_json::{Value, json};

use super::{Lane, Level, Reporter, StageOutcome, lane_name};

/// The events' schema; bumped on an incompatible change.
pub const SCHEMA: &str = "xhost.events/v1";

/// Writes `event` (an object) with its schema, as one line on stdout.
pub fn emit(event: &str, mut fields: Value) {
    if let Value::Object(map) = &mut fields {
        map.insert("event".into(), event.into());
        map.insert("schema".into(), SCHEMA.into());
    }
    let mut line = serde_json::to_string(&fields).expect("events serialise");
    line.push('\n');
    let _ = std::io::stdout().lock().write_all(line.as_bytes());
}

pub struct EventReporter {
    threshold: Level,
}

impl EventReporter {
    pub fn new(threshold: Level) -> Self {
        EventReporter { threshold }
    }
}

impl Reporter for EventReporter {
    fn build_started(&self, lanes: &[Lane]) {
        let lanes: Vec<String> = lanes.iter().map(lane_name).collect();
        emit("build_started", json!({ "lanes": lanes }));
    }

    fn stage_started(&self, lane: &Lane, stage: &str, plugin: &str) {
        emit(
            "stage_started",
            json!({ "lane": lane_name(lane), "stage": stage, "plugin": plugin }),
        );
    }

    fn stage_finished(&self, lane: &Lane, stage: &str, outcome: &StageOutcome) {
        emit(
            "stage_finished",
            json!({
                "lane": lane_name(lane),
                "stage": stage,
                "ok": outcome.ok,
                "cached": outcome.cached,
                "why": outcome.why,
                "seconds": outcome.elapsed.as_secs_f64(),
                "artifacts": outcome.artifacts,
            }),
        );
    }

    fn log(&self, lane: &Lane, stage: &str, level: Level, line: &str) {
        if level >= self.threshold {
            emit(
                "log",
                json!({
                    "lane": lane_name(lane),
                    "stage": stage,
                    "level": level.label(),
                    "message": line,
                }),
            );
        }
    }

    fn lane_finished(&self, lane: &Lane) {
        emit("lane_finished", json!({ "lane": lane_name(lane) }));
    }

    fn finish(&self) {}
}
