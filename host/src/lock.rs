//! Locks on files (`flock`). Exclusive: what must not run twice at once, a build of
//! one project, and the life of a scratch directory (so a later run can tell a crashed
//! build's leftovers from a running build's). Shared: builds using the cache, which
//! `xhost cache gc` must not trim under them. The kernel drops a lock when its holder
//! dies, however it dies.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use rustix::fs::{FlockOperation, flock};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the lock at `path` if nobody holds it.
pub fn try_lock(path: &Path) -> Result<Option<Lock>> {
    try_flock(path, FlockOperation::NonBlockingLockExclusive)
}

/// Takes a shared hold on the lock at `path`, waiting (and saying once why) while an
/// exclusive holder has it.
pub fn shared(path: &Path, what: &str) -> Result<Lock> {
    let mut told = false;
    loop {
        if let Some(lock) = try_flock(path, FlockOperation::NonBlockingLockShared)? {
            return Ok(lock);
        }
        if !told {
            eprintln!("xhost: waiting for {what} to finish…");
            told = true;
        }
        crate::interrupt::check()?;
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn try_flock(path: &Path, operation: FlockOperation) -> Result<Option<Lock>> {
    let file = open(path)?;
    match flock(&file, operation) {
        Ok(()) => Ok(Some(Lock { _file: file })),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("locking {}", path.display())),
    }
}

/// Takes the lock at `path`, waiting (and saying once for whom) while another process
/// holds it. Records this process's id in the file for the next waiter's message.
/// Gives up if the user interrupts the wait.
pub fn wait_for(path: &Path, what: &str) -> Result<Lock> {
    let mut told = false;
    let lock = loop {
        if let Some(lock) = try_lock(path)? {
            break lock;
        }
        if !told {
            let holder = std::fs::read_to_string(path).unwrap_or_default();
            eprintln!(
                "xhost: waiting for {what} (process {}) to finish…",
                holder.trim()
            );
            told = true;
        }
        crate::interrupt::check()?;
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut file = &lock._file;
    file.set_len(0)
        .and_then(|()| write!(file, "{}", std::process::id()))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(lock)
}

fn open(path: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .with_context(|| format!("opening lock file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_excludes_others_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let held = wait_for(&path, "test").unwrap();
        assert!(try_lock(&path).unwrap().is_none());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            std::process::id().to_string()
        );
        drop(held);
        assert!(try_lock(&path).unwrap().is_some());
    }

    #[test]
    fn shared_holds_coexist_and_exclude_an_exclusive_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let a = shared(&path, "test").unwrap();
        let b = shared(&path, "test").unwrap();
        assert!(try_lock(&path).unwrap().is_none());
        drop((a, b));
        assert!(try_lock(&path).unwrap().is_some());
    }
}
