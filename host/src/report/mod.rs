//! What the user sees while a build runs: progress per target, plugin log lines, and
//! the outcome of each stage. A live display on a terminal, plain lines otherwise.

pub mod annotations;
pub mod ci_log;
pub mod events;
pub mod page;
mod plain;
pub mod plugin_log;
pub mod sanitize;
pub mod step_summary;
mod terminal;

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

pub use plain::PlainReporter;
pub use terminal::TerminalReporter;

use crate::target::Target;

/// Which pipeline a stage invocation belongs to: one target's, or the release's.
pub type Lane = Option<Target>;

/// Display name of a lane.
pub fn lane_name(lane: &Lane) -> String {
    lane.as_ref()
        .map_or_else(|| "release".to_string(), |t| t.to_string())
}

/// Severity of a plugin log line.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Trace,
    Debug,
    Info,
    /// The host's own word on what a plugin did that the user should always see (each
    /// signature it had made); plugins cannot log at this level.
    Notice,
    Warn,
    Error,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Notice => "note",
            Level::Warn => "warning",
            Level::Error => "error",
        }
    }
}

/// How a stage invocation ended, for display.
pub struct StageOutcome {
    pub ok: bool,
    /// Its outputs came from the action cache; the plugin did not run.
    pub cached: bool,
    pub elapsed: Duration,
    pub artifacts: usize,
    /// Why it ran, or why it had nothing to do, when the build knows.
    pub why: Option<String>,
}

/// `bytes` for people: B, KiB, MiB or GiB.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// Receives build events. Implementations must be cheap: they are called from the
/// threads running plugins.
pub trait Reporter: Send + Sync {
    fn build_started(&self, lanes: &[Lane]);
    fn stage_started(&self, lane: &Lane, stage: &str, plugin: &str);
    fn stage_finished(&self, lane: &Lane, stage: &str, outcome: &StageOutcome);
    /// A sanitised plugin log line.
    fn log(&self, lane: &Lane, stage: &str, level: Level, line: &str);
    /// Every stage of the lane is done (a target's after its last stage, the release's
    /// after the release stages).
    fn lane_finished(&self, _lane: &Lane) {}
    /// Stops any live display; later output goes straight to the terminal.
    fn finish(&self);
}

/// The lowest level of plugin log lines shown at `verbosity`: 0 shows warnings and
/// errors from plugins and the host's notes, 1 adds info/debug, 2 trace.
pub fn threshold(verbosity: u8) -> Level {
    match verbosity {
        0 => Level::Notice,
        1 => Level::Debug,
        _ => Level::Trace,
    }
}

/// The reporter for this process: live on a terminal, folded per target in a CI
/// system's log (GitHub Actions, GitLab CI), plain lines otherwise.
/// `verbosity` 0 shows warnings and errors from plugins and the host's notes, 1 adds
/// info/debug, 2 trace.
pub fn for_stderr(verbosity: u8) -> Arc<dyn Reporter> {
    let threshold = threshold(verbosity);
    if std::env::var_os("XHOST_PLAIN").is_some() {
        Arc::new(PlainReporter::new(threshold))
    } else if std::io::stderr().is_terminal() {
        Arc::new(TerminalReporter::new(threshold))
    } else if let Some(dialect) = ci_log::Dialect::detect() {
        Arc::new(ci_log::CiReporter::new(dialect, threshold))
    } else {
        Arc::new(PlainReporter::new(threshold))
    }
}
