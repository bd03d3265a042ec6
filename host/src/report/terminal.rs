//! Live progress on a terminal: one spinner line per target plus one for release stages.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Lane, Level, Reporter, StageOutcome, lane_name};

pub struct TerminalReporter {
    threshold: Level,
    multi: MultiProgress,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
}

impl TerminalReporter {
    pub fn new(threshold: Level) -> Self {
        TerminalReporter {
            threshold,
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(BTreeMap::new()),
        }
    }

    fn with_bar(&self, lane: &Lane, f: impl FnOnce(&ProgressBar)) {
        if let Some(bar) = self
            .bars
            .lock()
            .expect("progress bars lock")
            .get(&lane_name(lane))
        {
            f(bar);
        }
    }
}

impl Reporter for TerminalReporter {
    fn build_started(&self, lanes: &[Lane]) {
        let style = ProgressStyle::with_template(
            "{spinner:.cyan} {prefix:<14.bold} {wide_msg} {elapsed:>4}",
        )
        .expect("valid progress template")
        .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✓");
        let mut bars = self.bars.lock().expect("progress bars lock");
        for lane in lanes {
            let bar = self
                .multi
                .add(ProgressBar::new_spinner().with_style(style.clone()));
            bar.set_prefix(lane_name(lane));
            bar.set_message("waiting");
            bar.enable_steady_tick(Duration::from_millis(120));
            bars.insert(lane_name(lane), bar);
        }
    }

    fn stage_started(&self, lane: &Lane, stage: &str, plugin: &str) {
        self.with_bar(lane, |bar| bar.set_message(format!("{stage} ({plugin})")));
    }

    fn stage_finished(&self, lane: &Lane, stage: &str, outcome: &StageOutcome) {
        self.with_bar(lane, |bar| {
            if outcome.ok && outcome.cached {
                bar.set_message(format!("{stage} cached"));
            } else if outcome.ok {
                bar.set_message(format!("{stage} done"));
            } else {
                bar.abandon_with_message(format!("✗ {stage} failed"));
            }
        });
    }

    fn log(&self, lane: &Lane, stage: &str, level: Level, line: &str) {
        if level >= self.threshold {
            let _ = self.multi.println(format!(
                "  {} {stage} {}: {line}",
                lane_name(lane),
                level.label()
            ));
        }
    }

    fn finish(&self) {
        for bar in self.bars.lock().expect("progress bars lock").values() {
            if !bar.is_finished() {
                bar.finish_with_message("done");
            }
        }
    }
}
