//! The order targets start in: the longest first, by how long each target's stages
//! took in the project's last build, so the last target to finish is a short one and
//! no core idles at the end while a long target runs alone. A target without a
//! recorded time (never built here) counts as the longest: it starts cold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::target::Target;

/// Each target's last duration, in milliseconds, by target name.
pub struct LaneTimes {
    path: Option<PathBuf>,
    last: BTreeMap<String, u64>,
}

impl LaneTimes {
    /// The times kept at `path`; none (config order) when there is no file or it cannot
    /// be read: the order only affects speed.
    pub fn load(path: Option<&Path>) -> Self {
        let last = path
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        LaneTimes {
            path: path.map(Path::to_path_buf),
            last,
        }
    }

    /// Indices into `targets`, longest first; ties keep the configured order.
    pub fn order(&self, targets: &[Target]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..targets.len()).collect();
        order.sort_by_key(|&i| {
            std::cmp::Reverse(
                self.last
                    .get(&targets[i].to_string())
                    .copied()
                    .unwrap_or(u64::MAX),
            )
        });
        order
    }

    /// Keeps the durations of the targets that finished, for the next build.
    pub fn save(mut self, finished: &[(Target, Duration)]) {
        let Some(path) = self.path.take() else {
            return;
        };
        for (target, took) in finished {
            self.last
                .insert(target.to_string(), took.as_millis() as u64);
        }
        if let Ok(bytes) = serde_json::to_vec(&self.last) {
            // A file that cannot be written costs the order next time, nothing more.
            let _ = crate::files::write_atomic(&path, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(names: &[&str]) -> Vec<Target> {
        names.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn the_longest_and_the_unknown_start_first_and_are_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lane-times.json");
        let all = targets(&[
            "linux/amd64",
            "wasip1/wasm",
            "darwin/arm64",
            "windows/amd64",
        ]);
        assert_eq!(LaneTimes::load(Some(&path)).order(&all), [0, 1, 2, 3]);
        LaneTimes::load(Some(&path)).save(&[
            (all[0].clone(), Duration::from_millis(900)),
            (all[1].clone(), Duration::from_millis(7000)),
            (all[2].clone(), Duration::from_millis(900)),
        ]);
        // windows/amd64 was never timed; the tie keeps linux before darwin.
        assert_eq!(LaneTimes::load(Some(&path)).order(&all), [3, 1, 0, 2]);
    }

    #[test]
    fn a_damaged_file_means_the_configured_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lane-times.json");
        std::fs::write(&path, b"{not json").unwrap();
        let all = targets(&["linux/amd64", "wasip1/wasm"]);
        assert_eq!(LaneTimes::load(Some(&path)).order(&all), [0, 1]);
    }
}
