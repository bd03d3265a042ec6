//! The sandbox's file-system view: a small read-only tmpfs as `/`, with each of the
//! policy's paths bind-mounted (read-only or writable) at its own place or, for the
//! policy's moved paths, at the fixed place the program knows it by; an empty `/proc`
//! for the child's own proc mount, and nothing else. The rest of the machine (home
//! directories, other projects' caches, sockets) has no name inside.

use std::os::unix::fs::{DirBuilderExt, FileTypeExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::StatVfsMountFlags;
use rustix::mount::{
    MountFlags, MountPropagationFlags, UnmountFlags, mount, mount_bind_recursive, mount_change,
    mount_remount, unmount,
};

use super::Policy;

/// Where the old root is reachable while the new one is furnished.
const OLD_ROOT: &str = "/.old-root";

/// Builds the new root and makes it this process's `/`.
pub fn enter(policy: &Policy) -> Result<(), String> {
    mount_change(
        "/",
        MountPropagationFlags::REC | MountPropagationFlags::PRIVATE,
    )
    .map_err(|e| format!("making mounts private: {e}"))?;
    let base = ["/tmp", "/mnt", "/srv", "/media"]
        .into_iter()
        .find(|d| Path::new(d).is_dir())
        .ok_or("no directory to build the sandbox root on (/tmp is missing)")?;
    mount(
        "xhost-sandbox",
        base,
        "tmpfs",
        MountFlags::NOSUID | MountFlags::NODEV,
        c"mode=0755,size=1m,nr_inodes=16384",
    )
    .map_err(|e| format!("mounting the sandbox root on {base}: {e}"))?;
    // The tmpfs becomes `/`; the old root stays reachable under OLD_ROOT until every
    // path is bound.
    rustix::process::chdir(base).map_err(|e| format!("entering {base}: {e}"))?;
    make_dir(Path::new(&OLD_ROOT[1..]))?;
    rustix::process::pivot_root(".", &OLD_ROOT[1..]).map_err(|e| format!("pivot_root: {e}"))?;
    rustix::process::chdir("/").map_err(|e| format!("entering the sandbox root: {e}"))?;

    let mut binds: Vec<(&Path, bool)> = policy
        .read_only
        .iter()
        .map(|p| (p.as_path(), true))
        .chain(policy.read_write.iter().map(|p| (p.as_path(), false)))
        .collect();
    // Parents before children, so a writable directory inside a read-only tree is
    // mounted over it rather than hidden by it.
    binds.sort_by_key(|(path, _)| path.components().count());
    binds.dedup_by_key(|(path, _)| *path);
    for (path, _) in &binds {
        let real = policy
            .moved
            .iter()
            .find(|(seen, _)| seen == path)
            .map_or(*path, |(_, real)| real.as_path());
        bind(path, real)?;
    }
    for (path, read_only) in &binds {
        if *read_only && !is_symlink(path) {
            remount_read_only(path)?;
        }
    }
    make_dir(Path::new("/proc"))
}

/// In the child, PID 1 of the new PID namespace: mounts a `/proc` listing only the
/// sandbox's processes (`subset=pid`: none of the kernel-wide files such as
/// `/proc/keys`, `/proc/kallsyms` or `/proc/sys`), then drops the old root and seals `/`
/// read-only. The proc mount comes first because a user namespace may only mount proc
/// while a full one is visible.
pub fn finish() -> Result<(), String> {
    mount(
        "proc",
        "/proc",
        "proc",
        MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
        c"subset=pid",
    )
    .map_err(|e| format!("mounting /proc: {e}"))?;
    unmount(OLD_ROOT, UnmountFlags::DETACH).map_err(|e| format!("detaching the old root: {e}"))?;
    std::fs::remove_dir(OLD_ROOT).map_err(|e| format!("removing {OLD_ROOT}: {e}"))?;
    remount_read_only(Path::new("/"))
}

/// Makes `path` inside the new root show what `real` shows outside.
fn bind(path: &Path, real: &Path) -> Result<(), String> {
    let source = inside_old(real);
    let meta =
        std::fs::symlink_metadata(&source).map_err(|e| format!("{}: {e}", path.display()))?;
    if path.exists() || std::fs::symlink_metadata(path).is_ok() {
        // Already there: inside an earlier bind (a directory of the source tree, say).
        if meta.is_dir() || meta.file_type().is_file() || meta.file_type().is_char_device() {
            return mount_bind_recursive(&source, path)
                .map_err(|e| format!("binding {}: {e}", path.display()));
        }
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        make_dir(parent)?;
    }
    // A top-level link such as /lib -> usr/lib is recreated as a link, so paths through
    // it keep working; deeper links are followed by the bind.
    if meta.is_symlink() && path.components().count() == 2 {
        let target = std::fs::read_link(&source).map_err(|e| format!("{}: {e}", path.display()))?;
        return std::os::unix::fs::symlink(&target, path)
            .map_err(|e| format!("linking {}: {e}", path.display()));
    }
    if std::fs::metadata(&source).is_ok_and(|m| m.is_dir()) {
        make_dir(path)?;
    } else {
        std::fs::File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    }
    mount_bind_recursive(&source, path).map_err(|e| format!("binding {}: {e}", path.display()))
}

/// Remounts a bind read-only, keeping the flags the kernel will not let a user
/// namespace drop (nosuid, nodev, noexec, atime).
fn remount_read_only(path: &Path) -> Result<(), String> {
    let current = rustix::fs::statvfs(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .f_flag;
    let mut flags = MountFlags::BIND | MountFlags::RDONLY;
    for (has, keep) in [
        (StatVfsMountFlags::NOSUID, MountFlags::NOSUID),
        (StatVfsMountFlags::NODEV, MountFlags::NODEV),
        (StatVfsMountFlags::NOEXEC, MountFlags::NOEXEC),
        (StatVfsMountFlags::NOATIME, MountFlags::NOATIME),
        (StatVfsMountFlags::NODIRATIME, MountFlags::NODIRATIME),
        (StatVfsMountFlags::RELATIME, MountFlags::RELATIME),
    ] {
        if current.contains(has) {
            flags |= keep;
        }
    }
    mount_remount(path, flags, "").map_err(|e| format!("making {} read-only: {e}", path.display()))
}

fn inside_old(path: &Path) -> PathBuf {
    let relative: PathBuf = path
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    Path::new(OLD_ROOT).join(relative)
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink())
}

fn make_dir(path: &Path) -> Result<(), String> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))
}
