//! Output for a CI system's log: each target's lines kept together and folded — a
//! `::group::` on GitHub Actions, a collapsed section on GitLab — written when the
//! target is done, so targets building at once do not interleave; plugin warnings and
//! errors also as the CI's own warnings (GitHub annotations). The lines themselves are
//! the plain reporter's, sanitised, so no plugin text starts a workflow command.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Lane, Level, Reporter, StageOutcome, lane_name, plain};

/// The CI systems whose logs fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Github,
    Gitlab,
}

impl Dialect {
    /// The CI system this process runs in, from the variables each sets.
    pub fn detect() -> Option<Dialect> {
        let set = |name| std::env::var(name).is_ok_and(|v| v == "true");
        if set("GITHUB_ACTIONS") {
            Some(Dialect::Github)
        } else if set("GITLAB_CI") {
            Some(Dialect::Gitlab)
        } else {
            None
        }
    }
}

pub struct CiReporter {
    dialect: Dialect,
    threshold: Level,
    /// Each unfinished lane's lines, by lane name.
    lanes: Mutex<BTreeMap<String, Vec<String>>>,
}

impl CiReporter {
    pub fn new(dialect: Dialect, threshold: Level) -> Self {
        CiReporter {
            dialect,
            threshold,
            lanes: Mutex::new(BTreeMap::new()),
        }
    }

    fn keep(&self, lane: &Lane, line: String) {
        let mut lanes = self.lanes.lock().expect("lanes lock");
        lanes.entry(lane_name(lane)).or_default().push(line);
    }

    /// Writes a lane's lines as one folded block.
    fn flush(&self, name: &str, lines: Vec<String>) {
        if lines.is_empty() {
            return;
        }
        let mut text = String::new();
        match self.dialect {
            Dialect::Github => text.push_str(&format!("::group::{name}\n")),
            Dialect::Gitlab => text.push_str(&format!(
                "\x1b[0Ksection_start:{}:{}[collapsed=true]\r\x1b[0K{name}\n",
                now(),
                section_id(name)
            )),
        }
        for line in lines {
            text.push_str(&line);
        }
        match self.dialect {
            Dialect::Github => text.push_str("::endgroup::\n"),
            Dialect::Gitlab => text.push_str(&format!(
                "\x1b[0Ksection_end:{}:{}\r\x1b[0K\n",
                now(),
                section_id(name)
            )),
        }
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

impl Reporter for CiReporter {
    fn build_started(&self, _lanes: &[Lane]) {}

    fn stage_started(&self, _lane: &Lane, _stage: &str, _plugin: &str) {}

    fn stage_finished(&self, lane: &Lane, stage: &str, outcome: &StageOutcome) {
        self.keep(lane, plain::finished_line(lane, stage, outcome));
    }

    fn log(&self, lane: &Lane, stage: &str, level: Level, line: &str) {
        if level < self.threshold {
            return;
        }
        self.keep(lane, plain::log_line(lane, stage, level, line));
        if self.dialect == Dialect::Github && level >= Level::Warn {
            // Shown at once, and in the run's summary of annotations.
            let kind = if level == Level::Error {
                "error"
            } else {
                "warning"
            };
            let title = format!("{stage} ({})", lane_name(lane));
            let command = format!(
                "::{kind} title={}::{}\n",
                super::annotations::property(&title),
                super::annotations::data(line)
            );
            let _ = std::io::stdout().lock().write_all(command.as_bytes());
        }
    }

    fn lane_finished(&self, lane: &Lane) {
        let name = lane_name(lane);
        let lines = self.lanes.lock().expect("lanes lock").remove(&name);
        self.flush(&name, lines.unwrap_or_default());
    }

    fn finish(&self) {
        // A failed build's unfinished lanes: what they did up to the failure.
        let lanes = std::mem::take(&mut *self.lanes.lock().expect("lanes lock"));
        for (name, lines) in lanes {
            self.flush(&name, lines);
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A GitLab section name: lowercase letters, digits and `_`.
fn section_id(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    format!("xhost_{id}")
}
