//! Plain line output for logs and CI: one line per finished stage and per shown log line.

use std::io::Write;

use super::{Lane, Level, Reporter, StageOutcome, lane_name};

pub struct PlainReporter {
    threshold: Level,
}

impl PlainReporter {
    pub fn new(threshold: Level) -> Self {
        PlainReporter { threshold }
    }
}

impl Reporter for PlainReporter {
    fn build_started(&self, _lanes: &[Lane]) {}

    fn stage_started(&self, _lane: &Lane, _stage: &str, _plugin: &str) {}

    fn stage_finished(&self, lane: &Lane, stage: &str, outcome: &StageOutcome) {
        let line = finished_line(lane, stage, outcome);
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn log(&self, lane: &Lane, stage: &str, level: Level, line: &str) {
        if level >= self.threshold {
            let text = log_line(lane, stage, level, line);
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        }
    }

    fn finish(&self) {}
}

/// The line for a finished stage.
pub(super) fn finished_line(lane: &Lane, stage: &str, outcome: &StageOutcome) -> String {
    let status = match (outcome.ok, outcome.cached) {
        (true, true) => "cached",
        (true, false) => "ok",
        (false, _) => "FAILED",
    };
    let plural = if outcome.artifacts == 1 { "" } else { "s" };
    format!(
        "  {:<14} {:<12} {status:<6} {:>6.2}s  {} artifact{plural}\n",
        lane_name(lane),
        stage,
        outcome.elapsed.as_secs_f64(),
        outcome.artifacts
    )
}

/// The line for a (sanitised) plugin log line.
pub(super) fn log_line(lane: &Lane, stage: &str, level: Level, line: &str) -> String {
    format!(
        "  {:<14} {:<12} {}: {line}\n",
        lane_name(lane),
        stage,
        level.label()
    )
}
