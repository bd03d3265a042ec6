//! The output quota: what one invocation may write to its `/out` and temporary
//! directory, in bytes (apparent sizes, so a sparse file counts at its length, as it
//! would when stored and archived) and in entries. A watcher thread measures while the
//! plugin and its programs run; on excess it raises the [`Alarm`], which stops the
//! plugin at its next epoch check and kills a running program. A last measurement
//! when the plugin returns catches what was written between two looks.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the watcher looks.
const INTERVAL: Duration = Duration::from_millis(100);

/// Most an invocation may write.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub bytes: u64,
    pub entries: u64,
}

/// Raised once, with the reason, when the quota is exceeded.
#[derive(Debug, Default)]
pub struct Alarm {
    reason: OnceLock<String>,
}

impl Alarm {
    pub fn raise(&self, reason: String) {
        let _ = self.reason.set(reason);
    }

    pub fn raised(&self) -> Option<&str> {
        self.reason.get().map(String::as_str)
    }
}

/// The watcher of one invocation's directories.
pub struct Watcher {
    alarm: Arc<Alarm>,
    dirs: Vec<PathBuf>,
    quota: Quota,
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    pub fn start(dirs: Vec<PathBuf>, quota: Quota, alarm: Arc<Alarm>) -> Watcher {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let thread = {
            let (dirs, alarm, stop) = (dirs.clone(), alarm.clone(), stop.clone());
            std::thread::Builder::new()
                .name("xhost-quota".into())
                .spawn(move || watch(&dirs, quota, &alarm, &stop))
                .ok()
        };
        Watcher {
            alarm,
            dirs,
            quota,
            stop,
            thread,
        }
    }

    /// Stops watching and measures a last time; the reason if the quota was exceeded.
    pub fn finish(mut self) -> Result<(), String> {
        self.halt();
        if let Err(reason) = check(&self.dirs, self.quota) {
            self.alarm.raise(reason);
        }
        match self.alarm.raised() {
            Some(reason) => Err(reason.to_string()),
            None => Ok(()),
        }
    }

    fn halt(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.halt();
    }
}

fn watch(dirs: &[PathBuf], quota: Quota, alarm: &Alarm, stop: &(Mutex<bool>, Condvar)) {
    let (stopped, wake) = stop;
    let mut guard = stopped.lock().unwrap_or_else(|e| e.into_inner());
    while !*guard {
        if let Err(reason) = check(dirs, quota) {
            alarm.raise(reason);
            return;
        }
        guard = wake
            .wait_timeout(guard, INTERVAL)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// Walks `dirs` without following links, stopping as soon as a limit is passed.
pub fn check(dirs: &[PathBuf], quota: Quota) -> Result<(), String> {
    let (mut bytes, mut entries) = (0u64, 0u64);
    let mut pending: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = pending.pop() {
        let Ok(listing) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in listing.flatten() {
            entries += 1;
            if entries > quota.entries {
                return Err(format!(
                    "created more than {} files and directories in /out and its temporary directory (limits.output_files)",
                    quota.entries
                ));
            }
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                bytes = bytes.saturating_add(meta.len());
                if bytes > quota.bytes {
                    return Err(format!(
                        "wrote more than {} MiB to /out and its temporary directory (limits.output_mib)",
                        quota.bytes >> 20
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_apparent_sizes_and_entries() {
        let dir = tempfile::tempdir().unwrap();
        let sparse = std::fs::File::create(dir.path().join("sparse")).unwrap();
        sparse.set_len(10 << 20).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a"), "abc").unwrap();
        let dirs = [dir.path().to_path_buf()];
        let fits = Quota {
            bytes: (10 << 20) + 3,
            entries: 3,
        };
        assert_eq!(check(&dirs, fits), Ok(()));
        let small = Quota {
            bytes: 1 << 20,
            ..fits
        };
        assert!(
            check(&dirs, small)
                .unwrap_err()
                .contains("limits.output_mib")
        );
        let few = Quota { entries: 2, ..fits };
        assert!(
            check(&dirs, few)
                .unwrap_err()
                .contains("limits.output_files")
        );
    }

    #[test]
    fn the_watcher_raises_the_alarm_while_running() {
        let dir = tempfile::tempdir().unwrap();
        let alarm = Arc::new(Alarm::default());
        let quota = Quota {
            bytes: 1000,
            entries: 100,
        };
        let watcher = Watcher::start(vec![dir.path().to_path_buf()], quota, alarm.clone());
        std::fs::write(dir.path().join("big"), vec![0u8; 2000]).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while alarm.raised().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(alarm.raised().is_some(), "the watcher did not notice");
        assert!(watcher.finish().unwrap_err().contains("limits.output_mib"));
    }
}
