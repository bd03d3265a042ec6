//! Remembering a passed probe, so an unchanged rebuild does not pay for starting the
//! launcher in namespaces (~25 ms) to learn what the last build already learned.
//!
//! A pass is remembered under a key of everything it depends on: this boot, this xhost
//! executable, the user, the user and mount namespaces xhost runs in, and the kernel's
//! namespace limits. Only passes are kept: a failure is probed again every time. A
//! remembered pass that no longer holds costs nothing in safety: the launcher sets up
//! the sandbox for every program and refuses to run one it cannot confine.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Whether a probe passed under the current conditions; passes are kept in `probes`
/// ([`crate::cache_layout::CacheLayout::probes`]).
pub fn passed(probes: &Path) -> bool {
    marker(probes).is_some_and(|m| m.is_file())
}

/// Records that the probe passed under the current conditions.
pub fn remember(probes: &Path) {
    if let Some(marker) = marker(probes) {
        // Failing to remember only means probing again next time.
        let _ = std::fs::create_dir_all(marker.parent().expect("the marker has a directory"))
            .and_then(|()| std::fs::write(&marker, "passed\n"));
    }
}

fn marker(probes: &Path) -> Option<PathBuf> {
    let mut key = Sha256::new();
    let mut add = |bytes: &[u8]| {
        key.update((bytes.len() as u64).to_le_bytes());
        key.update(bytes);
    };
    add(std::fs::read("/proc/sys/kernel/random/boot_id")
        .ok()?
        .as_slice());
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    add(exe.as_os_str().as_encoded_bytes());
    add(&meta.len().to_le_bytes());
    add(format!("{:?}", meta.modified().ok()?).as_bytes());
    add(&rustix::process::getuid().as_raw().to_le_bytes());
    for ns in ["user", "mnt", "pid", "net"] {
        let link = std::fs::read_link(format!("/proc/self/ns/{ns}")).ok()?;
        add(link.as_os_str().as_encoded_bytes());
    }
    for limit in ["user", "mnt", "pid", "net", "ipc", "uts", "cgroup"] {
        let value = std::fs::read(format!("/proc/sys/user/max_{limit}_namespaces"));
        add(&value.unwrap_or_default());
    }
    for knob in [
        "/proc/sys/kernel/unprivileged_userns_clone",
        "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
    ] {
        add(&std::fs::read(knob).unwrap_or_default());
    }
    let name = crate::digest::hex(&key.finalize()[..16]);
    Some(probes.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_pass_is_found_under_the_same_conditions_only() {
        let cache = tempfile::tempdir().unwrap();
        assert!(!passed(cache.path()));
        remember(cache.path());
        assert!(passed(cache.path()));
        let other = tempfile::tempdir().unwrap();
        assert!(!passed(other.path()));
    }
}
